"""The one absolute promise, as a model-based test: whatever arrives in whatever order and
however the clock moves, no surface ever shows a taken-down story, an embargoed one before
its time, or an older version over a newer one; the public history lists exactly the versions
readers saw; and no picture is served or shown once it is killed, nor ever without a story a
reader may see that shows it. Reads go through the rendered-page cache."""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from lxml import etree
from lxml import html as lxml_html
from PIL import Image
from starlette.testclient import TestClient

from conftest import Clock
from helpers import ninjs_item
from wiredesk import desk, lifecycle
from wiredesk.config import Settings
from wiredesk.sources.pictures import PictureFetch
from wiredesk.store import Store
from wiredesk.story import Delivery, Picture, Pubstatus, Story
from wiredesk.terms import Terms
from wiredesk.web.app import create_app

URIS = [f"urn:p:{n}" for n in range(4)]
PICTURES = ["a", "b"]  # shared between stories: a picture outlives one story's takedown
# Each story is filed in a section, by a Media Topic below the section's own code.
SECTION_OF = {uri: ("sport", "15073000") if n % 2 else ("business", "04006000")
              for n, uri in enumerate(URIS)}
LICENCE_DAYS = 2
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Version:
    number: int
    created: datetime
    arrival: int
    status: str
    embargo: datetime | None
    headline: str
    picture: str | None = None


@dataclass
class ModelStory:
    firstcreated: datetime
    versions: list[Version] = field(default_factory=list)
    gone: bool = False

    def head(self) -> Version:
        return max(self.versions, key=lambda v: (v.number, v.created, v.arrival))


class Promise(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.mkdtemp(prefix="wiredesk-promise-")
        self.store = Store.open(f"sqlite:///{self.folder}/w.db")
        self.clock = Clock(START)
        self.client = TestClient(create_app(Settings(), store=self.store, clock=self.clock))
        self.client.__enter__()
        self.model: dict[str, ModelStory] = {}
        self.arrivals = 0
        for name in PICTURES:
            buffer = io.BytesIO()
            Image.new("RGB", (400, 300), (40, 90, 200)).save(buffer, "JPEG")
            with open(f"{self.folder}/{name}.jpg", "wb") as f:
                f.write(buffer.getvalue())
        self.killed: set[str] = set()  # pictures the agency killed
        self.seen: dict[str, list[str]] = {}  # uri -> headlines readers saw, in order

    def teardown(self) -> None:
        self.client.__exit__(None, None, None)
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- what the model says may be shown ------------------------------------------------
    def _expire(self) -> None:
        now = self.clock.now
        for story in self.model.values():
            if now >= story.firstcreated + timedelta(days=LICENCE_DAYS):
                story.gone = True

    def shown(self) -> dict[str, str]:
        self._expire()
        visible = {}
        for uri, story in self.model.items():
            if story.gone:
                continue
            head = story.head()
            if head.status == "withheld" or (head.embargo and self.clock.now < head.embargo):
                continue
            visible[uri] = head.headline
        return visible

    # --- what arrives and how time moves -------------------------------------------------
    @rule(uri=st.sampled_from(URIS), number=st.integers(1, 4),
          back=st.integers(0, 180), status=st.sampled_from(["usable"] * 6 + ["withheld", "canceled"]),
          embargo=st.one_of(st.none(), st.integers(1, 240)),
          picture=st.sampled_from([None, *PICTURES]))
    def deliver(self, uri, number, back, status, embargo, picture):
        now = self.clock.now
        created = now - timedelta(minutes=back)  # some versions are late, some are old
        self.arrivals += 1
        headline = f"Story {uri[-1]} v{number} a{self.arrivals}"
        embargoed = now + timedelta(minutes=embargo) if embargo else None
        extra = {"pubstatus": status, "subjects": [{
            "name": SECTION_OF[uri][0],
            "uri": f"http://cv.iptc.org/newscodes/mediatopic/{SECTION_OF[uri][1]}"}]}
        if embargoed:
            extra["embargoed"] = embargoed
        if picture:
            extra["associations"] = [{
                "name": "featureimage", "uri": f"urn:pic:{picture}", "type": "picture",
                "descriptions": [{"role": "caption", "value": f"Picture {picture}"}],
                "renditions": [{"name": "original", "href": f"{picture}.jpg"}]}]
        data = ninjs_item(uri, version=number, at=created, headline=headline, **extra)
        desk.apply(self.store, Delivery(data, "model", headline, now),
                   Terms(licence_days=LICENCE_DAYS),
                   pictures=PictureFetch(self.store, folder=Path(self.folder)))
        self._expire()
        story = self.model.get(uri)
        if story is None:
            story = self.model[uri] = ModelStory(firstcreated=created)
            self._expire()
        if story.gone:
            return  # nothing of a story comes back after its takedown
        if status == "canceled":
            story.gone = True
            return
        story.versions.append(Version(number, created, self.arrivals, status, embargoed, headline,
                                      picture))

    @rule(picture=st.sampled_from(PICTURES))
    def picture_killed(self, picture):
        uri = f"urn:pic:{picture}"
        kill = Story(uri=uri, headline="", type="picture", pubstatus=Pubstatus.CANCELED,
                     pictures=(Picture(uri=uri),))
        desk.apply(self.store, Delivery(ninjs_item("urn:unused"), "model", "kill", self.clock.now),
                   Terms(licence_days=LICENCE_DAYS), transform=lambda _s, _d: [kill])
        self.killed.add(picture)

    @precondition(lambda self: self.model)
    @rule(pick=st.integers(0, 3))
    def operator_kill(self, pick):
        uri = sorted(self.model)[pick % len(self.model)]
        desk.kill(self.store, uri, reason="test", actor="model", now=self.clock.now)
        self.model[uri].gone = True

    @rule(minutes=st.sampled_from([1, 30, 90, 60 * 12, 60 * 30, 60 * 49]))
    def clock_moves(self, minutes):
        self.clock.now += timedelta(minutes=minutes)

    @rule()
    def clock_ticks(self):
        lifecycle.tick(self.store, self.clock.now)

    # --- every surface, checked against the model ---------------------------------------
    @invariant()
    def article_pages_and_api_items(self):
        shown = self.shown()
        for uri in self.model:
            record = self.store.story_by_uri(uri)
            if record is None:
                continue
            page = self.client.get(f"/story/{record.id}")
            api = self.client.get(f"/api/v1/stories/{record.id}")
            history = self.client.get(f"/story/{record.id}/history")
            if uri in shown:
                assert page.status_code == 200, (uri, page.status_code)
                assert f"<h1 class=\"headline\">{shown[uri]}</h1>" in page.text
                assert api.json()["headlines"][0]["value"] == shown[uri]
                # the public history lists exactly the versions readers saw, newest first
                seen = self.seen.setdefault(uri, [])
                if not seen or seen[-1] != shown[uri]:
                    seen.append(shown[uri])
                assert history.status_code == 200, (uri, history.status_code)
                listed = lxml_html.fromstring(history.text).xpath(
                    "//p[@class='version-headline']/text()")
                assert listed == seen[::-1], (uri, listed, seen)
            else:
                assert page.status_code in (404, 410), (uri, page.status_code)
                assert api.status_code in (404, 410)
                assert history.status_code == page.status_code, (uri, history.status_code)
                if self.model[uri].gone:
                    assert page.status_code == 410 and api.status_code == 410

    @invariant()
    def pictures_only_with_a_visible_story_and_never_once_killed(self):
        shown = self.shown()
        heads = {uri: self.model[uri].head().picture for uri in shown}
        for name in PICTURES:
            record = self.store.pictures.by_uri(f"urn:pic:{name}")
            if record is None:
                continue
            answer = self.client.get(f"/pictures/{record.id}/320.jpg").status_code
            if name in self.killed:
                assert answer == 410, (name, answer)
            if answer == 200:
                assert name in heads.values() and name not in self.killed, (name, heads)
        for uri in shown:
            record = self.store.story_by_uri(uri)
            page = self.client.get(f"/story/{record.id}").text
            captions = {p for p in PICTURES if f"Picture {p}</span>" in page}
            assert captions <= ({heads[uri]} - self.killed), (uri, captions, heads[uri])

    @invariant()
    def lists_feeds_search_and_sitemaps(self):
        shown = self.shown()
        front = lxml_html.fromstring(self.client.get("/").text)
        assert sorted(front.xpath("//ol[@class='stories']//h2/a/text()")) == sorted(shown.values())
        atom = feedparser.parse(self.client.get("/feeds/atom.xml").content)
        assert {e.id: e.title for e in atom.entries} == shown
        api = self.client.get("/api/v1/stories", params={"limit": 100}).json()
        assert {i["uri"]: i["headlines"][0]["value"] for i in api["items"]} == shown
        found = self.client.get("/api/v1/search", params={"q": "story", "limit": 100}).json()
        assert {i["item"]["uri"] for i in found["items"]} == set(shown)
        sitemap = etree.fromstring(self.client.get("/sitemap-stories.xml").content)
        assert len(sitemap) == len(shown)

    @invariant()
    def section_and_agency_pages_and_section_feeds(self):
        shown = self.shown()
        for section in ("sport", "business"):
            mine = {uri: h for uri, h in shown.items() if SECTION_OF[uri][0] == section}
            page = lxml_html.fromstring(self.client.get(f"/sections/{section}").text)
            assert sorted(page.xpath("//ol[@class='stories']//h2/a/text()")) == sorted(mine.values())
            for kind in ("atom.xml", "rss.xml"):
                feed = feedparser.parse(self.client.get(f"/sections/{section}/{kind}").content)
                assert sorted(e.title for e in feed.entries) == sorted(mine.values()), kind
            items = self.client.get(f"/sections/{section}/feed.json").json()["items"]
            assert {i["id"]: i["title"] for i in items} == mine
        agency = self.client.get("/agencies/ap")
        if shown:
            found = lxml_html.fromstring(agency.text).xpath("//ol[@class='stories']//h2/a/text()")
            assert sorted(found) == sorted(shown.values())
        else:
            assert agency.status_code == 404


Promise.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
TestPromise = Promise.TestCase
