"""The JSON API: ninjs items valid against the official schemas, cursor paging, 410s."""

from __future__ import annotations

import base64
import json

import pytest

from helpers import deliver, later, ninjs_item
from wiredesk import desk
from wiredesk.formats import ninjs


def seed(store, now, n: int = 5) -> None:
    items = [json.loads(ninjs_item(f"urn:s{i}", at=later(now, minutes=i), headline=f"Story {i}",
                                   urgency=1 + i % 5, subjects=[{"name": "weather" if i % 2 else "sport"}],
                                   infosources=[{"name": "AP" if i % 2 else "AFP", "role": "originator"}]))
             for i in range(n)]
    deliver(store, json.dumps(items).encode(), now)


@pytest.mark.parametrize("profile", ninjs.PROFILES)
def test_every_item_validates_against_its_official_schema(client, store, now, profile):
    seed(store, now)
    data = client.get("/api/v1/stories", params={"profile": profile}).json()
    assert len(data["items"]) == 5
    for item in data["items"]:
        assert list(ninjs.validator(profile).iter_errors(item)) == []
    one = client.get(f"/api/v1/stories/{store.story_by_uri('urn:s1').id}", params={"profile": profile})
    assert one.status_code == 200
    assert list(ninjs.validator(profile).iter_errors(one.json())) == []


def test_item_carries_attribution_and_our_address(client, store, now):
    deliver(store, ninjs_item(at=now, by="Jane Doe", copyrightnotice="(c) AP"), now)
    record = store.story_by_uri("urn:test:1")
    item = client.get(f"/api/v1/stories/{record.id}").json()
    assert item["by"] == "Jane Doe" and item["copyrightnotice"] == "(c) AP"
    assert item["infosources"] == [{"name": "AP", "role": "originator"}]
    assert {"role": "url", "value": f"https://news.example/story/{record.id}/headline-v1"} in item["altids"]
    by_uri = client.get("/api/v1/stories/by-uri", params={"uri": "urn:test:1"}).json()
    assert by_uri["uri"] == "urn:test:1"


def test_filters(client, store, now):
    seed(store, now, 6)
    uris = lambda **p: [i["uri"] for i in client.get("/api/v1/stories", params=p).json()["items"]]  # noqa: E731
    assert uris(agency="AP") == ["urn:s5", "urn:s3", "urn:s1"]
    assert uris(subject="sport") == ["urn:s4", "urn:s2", "urn:s0"]
    assert uris(urgency=2) == ["urn:s5", "urn:s1", "urn:s0"]
    assert uris(since=later(now, minutes=3).isoformat()) == ["urn:s5", "urn:s4"]


def test_cursor_paging_has_no_gaps_or_repeats_while_stories_arrive(client, store, now):
    seed(store, now, 7)
    seen, url = [], "/api/v1/stories?limit=3"
    while url:
        page = client.get(url).json()
        seen += [i["uri"] for i in page["items"]]
        url = page["next"]
        # a newer story arriving while the client pages must not shift what follows
        deliver(store, ninjs_item(f"urn:new{len(seen)}", at=later(now, hours=1)), now)
    assert seen == [f"urn:s{i}" for i in range(6, -1, -1)]


def test_versions_history(client, store, now):
    deliver(store, ninjs_item(at=now), now)
    deliver(store, ninjs_item(version=2, at=later(now, minutes=5)), later(now, minutes=5))
    record = store.story_by_uri("urn:test:1")
    history = client.get(f"/api/v1/stories/{record.id}/versions").json()
    assert [v["version"] for v in history["versions"]] == ["1", "2"]
    assert [v["current"] for v in history["versions"]] == [False, True]
    assert history["versions"][1]["item"]["headlines"][0]["value"] == "Headline v2"


def test_versions_lists_only_what_readers_could_have_seen(client, store, now):
    deliver(store, ninjs_item(at=now, headline="First"), now)
    deliver(store, ninjs_item(version=3, at=later(now, minutes=9), headline="Third"), later(now, minutes=9))
    # version 2 arrives after 3: it never became the head, so it was never on the site
    deliver(store, ninjs_item(version=2, at=later(now, minutes=5), headline="Stale second"),
            later(now, minutes=10))
    record = store.story_by_uri("urn:test:1")
    answer = client.get(f"/api/v1/stories/{record.id}/versions")
    assert answer.status_code == 200
    assert [v["version"] for v in answer.json()["versions"]] == ["1", "3"]
    assert "Stale second" not in answer.text


def test_taken_down_story_answers_410_with_nothing_of_its_content(client, store, now):
    deliver(store, ninjs_item(at=now, headline="Secret headline", body="<p>Secret body</p>"), now)
    record = store.story_by_uri("urn:test:1")
    desk.kill(store, "urn:test:1", reason="legal", actor="ed", now=now)
    for url in (f"/api/v1/stories/{record.id}", f"/api/v1/stories/{record.id}/versions",
                "/api/v1/stories/by-uri?uri=urn:test:1"):
        response = client.get(url)
        assert response.status_code == 410, url
        assert response.json() == {"uri": "urn:test:1", "takendown_at": "2026-11-29T12:00:00Z",
                                   "reason": "removed"}
        assert "Secret" not in response.text


def test_unknown_and_embargoed_are_404(client, store, now):
    deliver(store, ninjs_item(at=now, embargoed=later(now, hours=1)), now)
    assert client.get(f"/api/v1/stories/{store.story_by_uri('urn:test:1').id}").status_code == 404
    assert client.get("/api/v1/stories/999").status_code == 404
    assert client.get("/api/v1/stories").json()["items"] == []


@pytest.mark.parametrize(("params", "message"), [
    ({"profile": "9.9"}, "profile: expected one of"),
    ({"limit": "many"}, "limit: expected a whole number"),
    ({"limit": "1000"}, "limit: expected 1 to 100"),
    ({"since": "last tuesday"}, "since: expected an ISO 8601"),
    ({"cursor": "garbage!"}, "cursor: not a cursor"),
])
def test_bad_parameters_get_400_naming_the_parameter(client, params, message):
    response = client.get("/api/v1/stories", params=params)
    assert response.status_code == 400 and message in response.json()["error"]


def test_conditional_get_and_cache_headers(client, store, now):
    deliver(store, ninjs_item(at=now), now, licence_days=1)
    url = f"/api/v1/stories/{store.story_by_uri('urn:test:1').id}"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert "story-" in first.headers["Surrogate-Key"] and "agency-ap" in first.headers["Surrogate-Key"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_max_age_never_runs_past_the_story_end(client, store, clock, now):
    deliver(store, ninjs_item(at=now, expires=later(now, seconds=20)), now)
    response = client.get(f"/api/v1/stories/{store.story_by_uri('urn:test:1').id}")
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=20"
    assert client.get("/api/v1/stories").headers["Cache-Control"] == "public, max-age=0, s-maxage=20"


def test_search_api(client, store, now):
    deliver(store, ninjs_item("urn:a", at=now, headline="Storm hits coast", body="<p>Wind and rain.</p>"), now)
    deliver(store, ninjs_item("urn:b", at=now, headline="Markets rise"), now)
    data = client.get("/api/v1/search", params={"q": "storm"}).json()
    assert data["total"] == 1 and data["items"][0]["item"]["uri"] == "urn:a"
    bad = client.get("/api/v1/search", params={"q": '""'})
    assert bad.status_code == 400 and "Type one or more words" in bad.json()["error"]


def test_search_api_says_more_than_the_page_for_a_common_query(client, store, now, monkeypatch):
    from wiredesk.store import search

    for i in range(3):
        deliver(store, ninjs_item(f"urn:{i}", at=now, headline=f"Storm {i}"), now, name=str(i))
    exact = client.get("/api/v1/search", params={"q": "storm", "limit": 2}).json()
    assert (exact["total"], exact["total_exact"], len(exact["items"])) == (3, True, 2)
    monkeypatch.setattr(search, "RARE", 1)  # storm is now a common word: not counted whole
    data = client.get("/api/v1/search", params={"q": "storm", "limit": 2, "page": 1}).json()
    assert (data["total"], data["total_exact"], len(data["items"])) == (2, False, 2)
    last = client.get("/api/v1/search", params={"q": "storm", "limit": 2, "page": 2}).json()
    assert (last["total"], last["total_exact"], len(last["items"])) == (3, True, 1)


def test_openapi_description_and_browsable_page(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/api/v1/stories/{story_id}" in spec["paths"]
    assert "410" in spec["paths"]["/api/v1/stories/{story_id}"]["get"]["responses"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "GET /api/v1/search" in page.text


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize("params", [
    {"since": ""}, {"since": "yesterday"}, {"cursor": "!!!"}, {"cursor": "%%%"},
    {"cursor": cursor("2026-11-29T12:00:00+00:00|" + "9" * 30)},
    {"cursor": "PAST-THE-ID-COLUMN"},
    {"cursor": cursor("2026-11-29T12:00:00+00:00|9223372036854775808")},
    {"cursor": cursor("2026-11-29T12:00:00+00:00|-1")},
    {"cursor": cursor("2026-11-29T12:00:00|5")}, {"cursor": cursor("x|y|z")},
    {"cursor": "\u00e9t\u00e9"}, {"limit": "1" + "0" * 30}, {"urgency": "-1"}])
def test_bad_list_parameters_are_a_400_in_json(client, store, now, params):
    seed(store, now, 2)
    if params.get("cursor") == "PAST-THE-ID-COLUMN":  # 2**31 on PostgreSQL, 2**63 on SQLite
        params = {"cursor": cursor(f"2026-11-29T12:00:00+00:00|{store.max_id + 1}")}
    answer = client.get("/api/v1/stories", params=params)
    assert answer.status_code == 400 and answer.json()["error"].split(":")[0] in params


@pytest.mark.parametrize("name", ["from", "to"])
def test_an_empty_search_date_is_a_400(client, name):
    answer = client.get("/api/v1/search", params={"q": "storm", name: ""})
    assert answer.status_code == 400 and answer.json()["error"].startswith(name)


def test_unknown_api_paths_and_methods_answer_in_json(client):
    for path in ("/api/v1/nope", "/api/v2/stories", "/api/v1/stories/abc", "/api/v1/stories/1/x"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.json() == {"error": "not found"}, path
    posted = client.post("/api/v1/stories")
    assert posted.status_code == 405 and posted.json() == {"error": "method not allowed"}
    assert set(posted.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_search_page_says_more_than_the_page_for_a_common_query(client, store, now, monkeypatch):
    from lxml import html as lxml_html

    from wiredesk.store import search

    monkeypatch.setattr(search, "RARE", 1)  # storm is a common word: counted past the page only
    items = [json.loads(ninjs_item(f"urn:{i}", at=later(now, minutes=-i), headline=f"Storm {i}"))
             for i in range(12)]
    deliver(store, json.dumps(items[::-1]).encode(), now)
    page = lxml_html.fromstring(client.get("/search", params={"q": "storm"}).text)
    assert page.xpath("string(//*[@class='count'])") == "More than 10 stories found for storm."
    assert page.xpath("//a[contains(@href, 'page=2')]")
    last = lxml_html.fromstring(client.get("/search", params={"q": "storm", "page": 2}).text)
    assert last.xpath("string(//*[@class='count'])") == "12 stories found for storm."
