"""API keys and each source's public_text: the public gets what the source allows, a key
gets the full text (never from a shared cache) under its own rate limit."""

from __future__ import annotations

import pytest

from helpers import deliver, ninjs_item
from wiredesk.cli.main import main
from wiredesk.web.keys import PREFIX, digest, new_key

BODY = ("<p>First paragraph, the lede.</p><p>Second paragraph, only for subscribers "
        "who pay.</p>")


def source(store, name: str, level: str, now) -> None:
    store.sources.add(name, kind="cli", agency=None, licence_days=30,
                      settings={"public_text": level}, polled=False, now=now)


@pytest.fixture
def seeded(store, now):
    source(store, "summary-wire", "summary", now)
    source(store, "headline-wire", "headline", now)
    deliver(store, ninjs_item("urn:k:summary", at=now, headline="Summary story", body=BODY),
            now, source="summary-wire")
    deliver(store, ninjs_item("urn:k:headline", at=now, headline="Headline story", body=BODY),
            now, source="headline-wire")
    deliver(store, ninjs_item("urn:k:full", at=now, headline="Full story", body=BODY), now)
    return {uri: store.story_by_uri(uri).id for uri in ("urn:k:summary", "urn:k:headline",
                                                         "urn:k:full")}


def test_public_text_limits_the_api_and_a_key_gets_everything(client, store, now, seeded):
    summary = client.get(f"/api/v1/stories/{seeded['urn:k:summary']}").json()
    assert "bodies" not in summary
    assert {"role": "summary", "value": "First paragraph, the lede."} in summary["descriptions"]
    headline = client.get(f"/api/v1/stories/{seeded['urn:k:headline']}?profile=1.6").json()
    assert "body_html" not in headline and not any(k.startswith("description_")
                                                   for k in headline)
    assert headline["headline"] == "Headline story"
    full = client.get(f"/api/v1/stories/{seeded['urn:k:full']}").json()
    assert "Second paragraph" in full["bodies"][0]["value"]  # the default: as before
    listing = client.get("/api/v1/stories").json()["items"]
    assert {i["uri"] for i in listing if "bodies" in i} == {"urn:k:full"}

    key = new_key(store, "partner", 100, now)
    assert key.startswith(PREFIX) and store.keys.find(digest(key)) is not None
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-Api-Key": key}):
        answer = client.get(f"/api/v1/stories/{seeded['urn:k:summary']}", headers=headers)
        assert answer.status_code == 200
        assert "Second paragraph" in answer.json()["bodies"][0]["value"]
        assert answer.headers["cache-control"] == "private, no-store"
    again = client.get(f"/api/v1/stories/{seeded['urn:k:summary']}").json()
    assert "bodies" not in again  # the keyed answer was not cached for the public


def test_feeds_follow_public_text_and_search_hides_snippets(client, store, now, seeded):
    atom = client.get("/feeds/atom.xml").text
    assert atom.count("Second paragraph") == 1 and "First paragraph, the lede." in atom
    key = new_key(store, "feed-reader", 100, now)
    for kind in ("atom.xml", "rss.xml", "feed.json"):
        keyed = client.get(f"/feeds/{kind}", headers={"X-Api-Key": key})
        assert keyed.status_code == 200 and keyed.text.count("Second paragraph") == 3, kind
        assert keyed.headers["cache-control"] == "private, no-store"
        public = client.get(f"/feeds/{kind}").text
        assert public.count("Second paragraph") == 1, kind  # the keyed answer was not cached
    found = client.get("/api/v1/search?q=paragraph").json()["items"]
    snippets = {i["item"]["uri"]: i["snippet"] for i in found}
    assert snippets["urn:k:summary"] == "" and snippets["urn:k:full"] != ""


def test_unknown_keys_are_refused_and_each_key_has_its_own_limit(client, store, now, seeded):
    answer = client.get("/api/v1/stories", headers={"Authorization": f"Bearer {PREFIX}nope"})
    assert answer.status_code == 401 and answer.json()["error"] == "unknown or revoked API key"
    key = new_key(store, "tiny", 2, now)
    codes = [client.get("/api/v1/stories", headers={"X-Api-Key": key}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/stories").status_code == 200  # the public is not counted


def test_cli_prints_a_key_once_and_keeps_only_its_digest(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'k.db'}"
    assert main(["--database", db, "init"]) == 0
    assert main(["--database", db, "keys", "add", "partner", "--per-minute", "50"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith(PREFIX)
    assert main(["--database", db, "keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert "partner  50/min" in listed and key not in listed
    assert main(["--database", db, "keys", "add", "partner"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["--database", db, "keys", "remove", "partner"]) == 0
    assert main(["--database", db, "keys", "remove", "partner"]) == 2


def test_public_text_is_checked_as_a_source_setting():
    from wiredesk.sources.config import ConfigError
    from wiredesk.sources.kinds import build

    assert build("w", "folder", {"path": "/tmp", "public_text": "summary"}).public_text == \
        "summary"
    with pytest.raises(ConfigError, match="public_text"):
        build("w", "folder", {"path": "/tmp", "public_text": "everything"})
