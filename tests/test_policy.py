"""Routes declare their policy; the cache, the guard and the notifier read it from them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from wiredesk.config import Settings
from wiredesk.store import Changes, Store, StoryRecord
from wiredesk.story import Story
from wiredesk.web.app import declared_routes
from wiredesk.web.availability import State, availability
from wiredesk.web.notify import Notifier
from wiredesk.web.policy import DEFAULT, Policies, Policy, route


@pytest.fixture(scope="module")
def routes(tmp_path_factory):
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('policy')}/policy.db")
    yield declared_routes(Settings(base_url="https://news.example"), store)
    store.close()


@pytest.fixture(scope="module")
def policies(routes):
    return Policies(routes)


@pytest.mark.parametrize(("path", "cache", "cookie_key", "bucket", "json_errors", "gated"), [
    ("/", True, True, None, False, False),
    ("/story/7/a-slug", True, True, None, False, False),
    ("/search", True, True, "search", False, False),
    ("/textsize", False, False, None, False, False),
    ("/api/v1/stories/7", True, False, None, True, False),
    ("/api/v1/search", True, False, "search", True, False),
    ("/api/v1/sources/wire", False, False, None, True, False),
    ("/api/v1/no-such-thing", True, False, None, True, False),  # as the API's first route
    ("/feeds/agency/AP/atom.xml", True, False, None, False, False),
    ("/sitemap-news.xml", True, False, None, False, False),
    ("/push/wire", False, False, "push", True, False),
    ("/websub/wire", False, False, "push", True, False),  # WebSub callback: like a push
    ("/console", False, False, None, False, True),
    ("/console/no-such-page", False, False, None, False, True),  # unknown: still gated
    ("/console/stories/7", False, False, None, False, True),
    ("/metrics", False, False, None, False, False),
    ("/static/site.css", False, False, None, False, False),
    ("/nowhere", True, True, None, False, False),  # the 404 page, by text size
])
def test_each_path_gets_the_policy_its_route_declares(policies, path, cache, cookie_key, bucket,
                                                     json_errors, gated):
    policy = policies(path)
    assert (policy.cache, policy.cookie_key, policy.bucket("GET"), policy.json_errors,
            policy.login is not None) == (cache, cookie_key, bucket, json_errors, gated)


def test_only_a_posted_login_is_rate_limited(policies):
    login = policies("/console/login")
    assert login.login is None and login.bucket("POST") == "login" and login.bucket("GET") is None


def test_a_route_without_a_policy_is_refused_at_start_up():
    async def hello(_):
        return PlainTextResponse("hi")

    with pytest.raises(TypeError, match="declares no policy"):
        Policies([route("/", hello, DEFAULT), Route("/new", hello)])


def test_a_new_surface_brings_its_own_policy():
    async def hello(_):
        return PlainTextResponse("hi")

    private = Policy(cache=False, rate_bucket="search")
    policies = Policies([route("/", hello, DEFAULT), route("/desk/{name}", hello, private)])
    assert policies("/desk/x") is private and policies("/desk") is private
    assert policies.buckets() == {"search"}


def test_the_notifier_purges_and_pings_what_the_routes_declare(routes):
    notifier = Notifier(Settings(base_url="https://news.example", websub_hub="https://hub"), routes)
    try:
        assert set(notifier.lists) == {"front", "search", "feeds", "sitemap", "sections", "agencies"}
        feeds = notifier.feed_urls(Changes(updated=[(1, "AP"), (2, None)]))
    finally:
        notifier.close()
    assert feeds == ["https://news.example/feeds/atom.xml", "https://news.example/feeds/rss.xml",
                     "https://news.example/feeds/feed.json",
                     "https://news.example/feeds/agency/AP/atom.xml"]


def _record(now, state="live", ends=timedelta(days=1), embargo=None, reason=None):
    story = Story(uri="urn:a", headline="H", embargoed=embargo)
    return StoryRecord(id=1, uri="urn:a", state=state, story=story, source="s", firstcreated=now,
                       versioncreated=now, ends_at=now + ends, version_count=1,
                       takendown_at=now if state == "takendown" else None, takedown_reason=reason)


def test_availability_is_decided_once(now):
    assert availability(None, now).state is State.NOT_FOUND
    assert availability(_record(now), now).state is State.LIVE
    assert availability(_record(now, "withheld"), now).state is State.NOT_FOUND
    assert availability(_record(now, "embargoed", embargo=now + timedelta(hours=1)),
                        now).state is State.NOT_FOUND
    killed = availability(_record(now, "takendown", reason="killed"), now)
    assert (killed.state, killed.reason, killed.takendown_at) == (State.GONE, "killed", now)
    ended = availability(_record(now, ends=timedelta(0)), now)  # before the clock has run
    assert (ended.state.status, ended.reason, ended.takendown_at) == (410, "expired", now)
