"""Subscribers: signed webhooks from the story journal, at least once, with retries, dead
letters and the SSRF guard; a receiver started by the test on 127.0.0.1 checks every
signature. Waits have generous deadlines; nothing is timed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import ninjs_item
from wiredesk import desk
from wiredesk.cli.main import main
from wiredesk.hooks import sign
from wiredesk.hooks.dispatch import Dispatcher, backoff
from wiredesk.sources.sealed import is_sealed, seal
from wiredesk.store import Store
from wiredesk.story import Delivery
from wiredesk.times import utc_now

ROOT = Path(__file__).resolve().parent.parent
SECRET = "whsec-test-0123456789"
DEADLINE = 60.0


class Receiver:
    """A webhook receiver on 127.0.0.1 that verifies each signature, as a subscriber would.
    `status` is what it answers; `stop()` and `start()` take it down and bring it back on
    the same port."""

    def __init__(self, port: int = 0, delay: float = 0.0) -> None:
        self.got: list[dict] = []  # verified bodies, in arrival order
        self.refused = 0  # requests whose signature did not verify
        self.status = 200
        self.delay = delay
        self.port = port
        self.server: ThreadingHTTPServer | None = None
        self.start()

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                header = self.headers.get(sign.HEADER, "")
                if receiver.delay:
                    time.sleep(receiver.delay)
                if not sign.verify(SECRET, header, body, time.time()):
                    receiver.refused += 1
                    self.send_response(401)
                else:
                    data = json.loads(body)
                    assert self.headers[sign.EVENT_HEADER] == str(data["event_id"])
                    if receiver.status == 200:
                        receiver.got.append(data)
                    self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def ids(self) -> set[int]:
        return {d["event_id"] for d in self.got}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def deliver(store: Store, uri: str, headline: str = "A story", **extra) -> None:
    report = desk.apply(store, Delivery(ninjs_item(uri, headline=headline, at=utc_now(),
                                                   **extra), "wire", "x.json", utc_now()))
    assert report.error is None, report.error


def subscribe(store: Store, url: str, *, events=("new", "update", "takedown"), agency=None,
              allow_private=True, name="downstream") -> None:
    store.subscribers.add(name, url=url, secret=seal(SECRET, "--secret"), events=events,
                          agency=agency, allow_private=allow_private, now=utc_now())


def until(condition, dispatcher: Dispatcher | None = None, what: str = "") -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        if dispatcher is not None:
            dispatcher.run_once()
        time.sleep(0.05)


def test_signature_verifies_and_refuses_tampering_and_replays():
    body = b'{"event":"takedown"}'
    header = sign.signature(SECRET, body, 1_800_000_000)
    assert header.startswith("t=1800000000,v1=") and len(header.split("v1=")[1]) == 64
    assert sign.verify(SECRET, header, body, 1_800_000_000 + 10)
    assert not sign.verify(SECRET, header, body + b" ", 1_800_000_000)
    assert not sign.verify("other", header, body, 1_800_000_000)
    assert not sign.verify(SECRET, header, body, 1_800_000_000 + 3600)  # an old replay
    assert not sign.verify(SECRET, "garbage", body, 1_800_000_000)


def test_backoff_doubles_with_jitter_up_to_a_ceiling():
    assert backoff(1, 10, 3600, rand=lambda: 1.0) == 10
    assert backoff(3, 10, 3600, rand=lambda: 1.0) == 40
    assert backoff(3, 10, 3600, rand=lambda: 0.0) == 20
    assert backoff(40, 10, 3600, rand=lambda: 1.0) == 3600


def test_a_signed_takedown_arrives_and_again_after_the_receiver_was_down(
        store: Store, receiver: Receiver):
    deliver(store, "urn:hook:1", "Story one")
    deliver(store, "urn:hook:2", "Story two")
    subscribe(store, receiver.url, events=("takedown", "update"))
    deliver(store, "urn:hook:3", "Not told: a new story")  # not subscribed to `new`
    assert desk.kill(store, "urn:hook:1", reason="legal", actor="ed", now=utc_now())
    hooks = Dispatcher(store, first_retry=0.2, max_retry=0.5)
    until(lambda: receiver.got, hooks, "the first takedown")
    [first] = receiver.got
    assert first["event"] == "takedown" and first["uri"] == "urn:hook:1"
    assert first["reason"] == "removed" and "headline" not in first
    assert receiver.refused == 0

    receiver.stop()  # the receiver is down for a while
    assert desk.kill(store, "urn:hook:2", reason="legal", actor="ed", now=utc_now())
    until(lambda: any(d.attempts >= 3 for d in store.subscribers.recent("downstream")),
          hooks, "failed attempts while the receiver is down")
    pending = [d for d in store.subscribers.recent("downstream") if d.status == "pending"]
    assert pending and "ConnectError" in (pending[0].last_error or "")
    receiver.start()  # back on the same port
    until(lambda: "urn:hook:2" in {d["uri"] for d in receiver.got}, hooks,
          "the takedown after the receiver came back")
    assert receiver.refused == 0
    assert {d.status for d in store.subscribers.recent("downstream")} == {"delivered"}


def test_updates_carry_the_headline_only_while_visible(store: Store, receiver: Receiver):
    deliver(store, "urn:hl:1", "First words")
    subscribe(store, receiver.url, events=("update",), agency="ap")
    deliver(store, "urn:hl:1", "Second words", version=2)
    hooks = Dispatcher(store)
    until(lambda: receiver.got, hooks, "the update")
    assert receiver.got[0]["headline"] == "Second words"
    assert receiver.got[0]["path"].startswith("/story/")


def test_a_delivery_is_dead_lettered_after_the_window_and_can_be_sent_again(
        store: Store, receiver: Receiver):
    deliver(store, "urn:dead:1")
    subscribe(store, receiver.url)
    receiver.status = 503
    assert desk.kill(store, "urn:dead:1", reason="legal", actor="ed", now=utc_now())
    hooks = Dispatcher(store, first_retry=0.05, max_retry=0.1, give_up=0.5)
    until(lambda: store.subscribers.recent("downstream", status="dead"), hooks, "dead letter")
    [dead] = store.subscribers.recent("downstream", status="dead")
    assert dead.last_error == "HTTP 503" and dead.attempts >= 2
    receiver.status = 200
    assert store.subscribers.retry(dead.id, utc_now())
    until(lambda: receiver.got, hooks, "the retried dead letter")
    assert receiver.got[0]["event_id"] == dead.event_id


def test_a_private_address_is_refused_without_allow_private(store: Store, receiver: Receiver):
    deliver(store, "urn:ssrf:1")
    subscribe(store, receiver.url, allow_private=False)
    assert desk.kill(store, "urn:ssrf:1", reason="legal", actor="ed", now=utc_now())
    hooks = Dispatcher(store)
    hooks.run_once()
    [row] = store.subscribers.recent("downstream")
    assert row.status == "pending" and "loopback" in (row.last_error or "")
    assert receiver.got == []


def test_two_dispatchers_write_each_event_once(store: Store, receiver: Receiver):
    subscribe(store, receiver.url, events=("new",))
    for n in range(5):
        deliver(store, f"urn:twice:{n}")
    subscriber = store.subscribers.get("downstream")
    assert subscriber is not None
    threads = [threading.Thread(target=store.subscribers.fill, args=(subscriber, utc_now()))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    Dispatcher(store).run_once()
    rows = store.subscribers.recent("downstream")
    assert len(rows) == 5 and len({r.event_id for r in rows}) == 5


def test_cli_adds_lists_shows_and_removes(tmp_path: Path, capsys, receiver: Receiver):
    db = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["--database", db, "init"]) == 0
    assert main(["--database", db, "subscribers", "add", "ds", "--url", receiver.url,
                 "--secret", SECRET, "--events", "takedown"]) == 2
    assert "loopback" in capsys.readouterr().err  # refused without --allow-private
    assert main(["--database", db, "subscribers", "add", "ds", "--url", receiver.url,
                 "--secret", SECRET, "--events", "takedown,nonsense", "--allow-private"]) == 2
    assert "--events" in capsys.readouterr().err
    assert main(["--database", db, "subscribers", "add", "ds", "--url", receiver.url,
                 "--secret", SECRET, "--events", "takedown", "--allow-private"]) == 0
    store = Store(db)
    row = store.subscribers.get("ds")
    assert row is not None and is_sealed(row.secret) and SECRET not in row.secret
    deliver(store, "urn:cli:1")
    assert desk.kill(store, "urn:cli:1", reason="legal", actor="ed", now=utc_now())
    capsys.readouterr()
    assert main(["--database", db, "subscribers", "send"]) == 0
    assert receiver.got and receiver.got[0]["uri"] == "urn:cli:1"
    assert main(["--database", db, "subscribers", "list"]) == 0
    assert "ds  " in capsys.readouterr().out
    assert main(["--database", db, "subscribers", "show", "ds"]) == 0
    shown = capsys.readouterr().out
    assert "urn:cli:1: delivered, 1 attempt(s)" in shown and SECRET not in shown
    assert main(["--database", db, "subscribers", "remove", "ds"]) == 0
    assert main(["--database", db, "subscribers", "show", "ds"]) == 2
    store.close()


def test_nothing_is_lost_across_a_worker_sigkill(tmp_path: Path):
    receiver = Receiver(delay=0.15)  # slow, so the worker is killed with work in hand
    db = f"sqlite:///{tmp_path / 'w.db'}"
    env = dict(os.environ, WIREDESK_DATABASE_URL=db, PYTHONPATH=str(ROOT / "src"),
               WIREDESK_HOOK_RETRY_SECONDS="0.2", WIREDESK_CLOCK_SECONDS="60")
    store = Store.open(db)
    for n in range(12):
        deliver(store, f"urn:kill:{n}")
    subscribe(store, receiver.url, events=("takedown",))

    def worker() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "wiredesk.cli", "worker"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    running = worker()
    try:
        for n in range(12):
            assert desk.kill(store, f"urn:kill:{n}", reason="legal", actor="ed", now=utc_now())
        deadline = time.monotonic() + DEADLINE
        while len(receiver.got) < 3:
            assert time.monotonic() < deadline, "the worker sent nothing"
            time.sleep(0.02)
        running.send_signal(signal.SIGKILL)
        running.wait(timeout=30)
        assert len(receiver.ids()) < 12  # killed mid-way
        running = worker()
        deadline = time.monotonic() + DEADLINE
        wanted = {e.id for e in store.journal.since(0, kinds=("takedown",))}
        while not wanted <= receiver.ids():
            assert time.monotonic() < deadline, f"missing {wanted - receiver.ids()}"
            time.sleep(0.05)
        assert len(wanted) == 12 and receiver.refused == 0
    finally:
        running.terminate()
        running.wait(timeout=30)
        receiver.stop()
        store.close()


def test_retry_setting_is_read_from_the_environment(monkeypatch):
    from wiredesk.config import Settings

    monkeypatch.setenv("WIREDESK_HOOK_RETRY_SECONDS", "0.5")
    assert Settings.from_env().hook_retry_seconds == 0.5
    monkeypatch.setenv("WIREDESK_HOOK_RETRY_SECONDS", "soon")
    with pytest.raises(ValueError, match="WIREDESK_HOOK_RETRY_SECONDS"):
        Settings.from_env()
    assert timedelta(seconds=Settings().hook_give_up_seconds) == timedelta(days=1)


def test_the_console_lists_dead_letters_and_sends_one_again(store: Store, clock, now,
                                                             receiver: Receiver):
    from test_console import PASSWORD, csrf, login, make_client
    from wiredesk.passwords import hash_password

    deliver(store, "urn:console:1")
    subscribe(store, receiver.url)
    receiver.status = 503
    assert desk.kill(store, "urn:console:1", reason="legal", actor="ed", now=utc_now())
    until(lambda: store.subscribers.recent("downstream", status="dead"),
          Dispatcher(store, first_retry=0.05, max_retry=0.1, give_up=0.3), "dead letter")
    [dead] = store.subscribers.recent("downstream", status="dead")
    store.users.set_password("ed", hash_password(PASSWORD), now)
    with make_client(store, clock) as console:
        login(console)
        page = console.get("/console/subscribers")
        assert page.status_code == 200
        assert "downstream" in page.text and "urn:console:1" in page.text
        assert "HTTP 503" in page.text
        token = csrf(console, "/console/subscribers")
        forged = console.post(f"/console/subscribers/deliveries/{dead.id}/retry",
                              data={"csrf": "forged"})
        assert forged.status_code == 403
        answer = console.post(f"/console/subscribers/deliveries/{dead.id}/retry",
                              data={"csrf": token})
        assert answer.status_code == 303 and "msg=resent" in answer.headers["location"]
    receiver.status = 200
    until(lambda: receiver.got, Dispatcher(store), "the resent delivery")
