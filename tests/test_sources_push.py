"""Pushes: signed with HMAC-SHA256 or refused; 202 with the uris taken; the same bytes again
change nothing. And source health in the JSON API."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from helpers import ninjs_item
from wiredesk.config import Settings
from wiredesk.sources.kinds import build
from wiredesk.sources.push import HEADER, sign, verify
from wiredesk.sources.registry import add_source
from wiredesk.web.app import create_app

SECRET = "a-shared-secret"
TOKEN = "an-api-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(store, now):
    add_source(store, build("ap", "push", {"secret": SECRET, "agency": "AP"}), now, check=False)
    app = create_app(Settings(api_token=TOKEN), store=store, clock=lambda: now)
    with TestClient(app) as c:
        yield c


def push(client, body: bytes, signature: str | None = "sign", source: str = "ap"):
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = sign(SECRET, body)
    if signature is not None:
        headers[HEADER] = signature
    return client.post(f"/push/{source}", content=body, headers=headers)


def test_signature_checks():
    body = b'{"uri": "x"}'
    good = sign(SECRET, body)
    assert good.startswith("sha256=") and verify(SECRET, body, good)
    assert verify(SECRET, body, good.upper().replace("SHA256=", "sha256="))
    assert not verify(SECRET, body + b" ", good)
    assert not verify("other", body, good)
    assert not verify(SECRET, body, good[len("sha256="):])  # the scheme is required
    assert not verify(None, body, good) and not verify(SECRET, body, None)


def test_a_signed_push_is_taken_and_answered_202_with_the_uris(client, store, now):
    body = ninjs_item("urn:ap:1", at=now, headline="Pushed story")
    answer = push(client, body)
    assert answer.status_code == 202
    assert answer.json() == {"uris": ["urn:ap:1"], "outcomes": {"urn:ap:1": "new"}}
    record = store.story_by_uri("urn:ap:1")
    assert record.story.headline == "Pushed story" and record.source == "ap"
    (h,) = store.sources.health(now)
    assert h.last_success_at == now and h.stories_24h == 1


def test_the_same_bytes_again_change_nothing(client, store, now):
    body = ninjs_item("urn:ap:2", at=now)
    push(client, body)
    generation = store.generation()
    again = push(client, body)
    assert again.status_code == 202 and again.json()["outcomes"] == {"urn:ap:2": "unchanged"}
    assert store.generation() == generation
    assert len(store.history(store.story_by_uri("urn:ap:2").id)) == 1


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "md5=abc", "", "sign-other"])
def test_unsigned_or_wrongly_signed_pushes_get_401_and_change_nothing(client, store, now,
                                                                      signature):
    body = ninjs_item("urn:ap:3", at=now)
    if signature == "sign-other":
        signature = sign("not-the-secret", body)
    before = store.status(now)
    answer = push(client, body, signature)
    assert answer.status_code == 401 and HEADER in answer.json()["error"]
    assert store.story_by_uri("urn:ap:3") is None
    assert store.status(now) == before and store.quarantine.records() == []
    (h,) = store.sources.health(now)
    assert h.last_attempt_at is None


def test_bad_bytes_are_quarantined_once_and_answered_422(client, store):
    body = b"{ this is not json"
    first = push(client, body)
    assert first.status_code == 422 and "invalid JSON" in first.json()["error"]
    second = push(client, body)
    assert second.status_code == 422 and len(store.quarantine.records()) == 1


def test_unknown_paused_and_oversized(client, store, now):
    body = ninjs_item("urn:ap:4", at=now)
    assert push(client, body, source="nobody").status_code == 404
    store.sources.set_paused("ap", True, now)
    paused = push(client, body)
    assert paused.status_code == 503 and paused.headers["retry-after"] == "60"
    assert push(client, body, signature="sha256=00").status_code == 401  # still checked first
    assert store.story_by_uri("urn:ap:4") is None
    store.sources.set_paused("ap", False, now)
    add_source(store, build("small", "push", {"secret": SECRET, "max_bytes": 100}), now,
               check=False)
    assert push(client, body, source="small").status_code == 413
    assert client.get("/push/ap").status_code == 405


def test_sources_api_shows_health_and_masks_secrets(client, store, now):
    push(client, ninjs_item("urn:ap:5", at=now))
    listing = client.get("/api/v1/sources", headers=BEARER)
    assert listing.status_code == 200 and SECRET not in listing.text
    (ap,) = listing.json()["sources"]
    assert ap["name"] == "ap" and ap["kind"] == "push" and ap["settings"]["secret"] == "***"
    assert ap["health"]["stories_24h"] == 1
    assert ap["health"]["last_success"] == now.isoformat().replace("+00:00", "Z")
    one = client.get("/api/v1/sources/ap", headers=BEARER)
    assert one.status_code == 200 and one.json() == ap
    assert client.get("/api/v1/sources/nobody", headers=BEARER).status_code == 404
    push(client, b"<<< not a story >>>")  # health changes though no story does
    error = client.get("/api/v1/sources/ap", headers=BEARER).json()["health"]["last_error"]
    assert error["message"] and error["at"] == now.isoformat().replace("+00:00", "Z")
