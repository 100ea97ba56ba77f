"""The LISTEN connection through a PostgreSQL outage: back off, log once, come back.

A real PostgreSQL: one listener points at a port nothing listens on (the database refuses),
another has its backend ended with pg_terminate_backend and must hear NOTIFY again after.
Only counts are asserted, with generous bounds; no durations.
"""

from __future__ import annotations

import logging
import socket
import time

import psycopg
import pytest
from sqlalchemy import create_engine, text

from wiredesk.store.listen import CHANNEL, ChangeListener


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def counted_connects(monkeypatch):
    calls: list[str] = []
    real = psycopg.connect

    def connect(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(str(args[0]) if args else "")
        return real(*args, **kwargs)

    monkeypatch.setattr(psycopg, "connect", connect)
    return calls


def test_a_refusing_database_is_retried_with_back_off_and_logged_once(
        pg_url, counted_connects, caplog):
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/test")
    listener = ChangeListener(engine)
    caplog.set_level(logging.INFO, logger="wiredesk.store")
    try:
        deadline = time.monotonic() + 2
        waits = 0
        while time.monotonic() < deadline:
            assert listener.wait(0.05) is False
            waits += 1
    finally:
        listener.close()
        engine.dispose()
    lines = [r for r in caplog.records if r.name == "wiredesk.store"]
    assert 1 <= len(counted_connects) < 20, f"{len(counted_connects)} connection attempts"
    assert len(lines) == 1 and "lost" in lines[0].getMessage()
    assert waits < 200  # each wait waited: no busy loop


def test_a_terminated_listen_connection_comes_back_and_hears_notify_again(
        pg_url, counted_connects, caplog):
    engine = create_engine(pg_url)
    listener = ChangeListener(engine)
    caplog.set_level(logging.INFO, logger="wiredesk.store")
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        assert listener.wait(0.05) is False  # connects and listens
        pid = listener.backend_pid
        assert pid is not None
        with admin.connect() as c:
            assert c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        heard = False
        for _ in range(200):  # a bound against a hang only
            with admin.connect() as c:
                c.execute(text(f"NOTIFY {CHANNEL}"))
            if listener.wait(0.2):
                heard = True
                break
        assert heard, "no NOTIFY heard after the connection was terminated"
        assert listener.backend_pid not in (None, pid)
    finally:
        listener.close()
        admin.dispose()
        engine.dispose()
    assert len(counted_connects) < 20
    messages = [r.getMessage() for r in caplog.records if r.name == "wiredesk.store"]
    assert len(messages) == 2 and "lost" in messages[0] and "restored" in messages[1]


def test_the_page_cache_watcher_logs_an_outage_once(store, clock, monkeypatch, caplog):
    """Its store reads fail while the database is away: one line when that starts, one
    when they work again, however many times the watcher looked in between."""
    from wiredesk.web.cache import PageCache

    caplog.set_level(logging.INFO, logger="wiredesk.cache")
    cache = PageCache(store, clock)
    try:
        def down() -> int:
            raise ConnectionError("the database is away")

        monkeypatch.setattr(store, "generation", down)
        time.sleep(1.5)  # about six looks by the watcher
        monkeypatch.undo()
        time.sleep(1)
    finally:
        cache.close()
    messages = [r.getMessage() for r in caplog.records if r.name == "wiredesk.cache"]
    assert messages == ["cache watcher could not read the store",
                        "cache watcher reads the store again"]


class Relay:
    """A TCP relay to PostgreSQL on a port of its own: the database as this listener sees it
    is away until the relay starts."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.server: socket.socket | None = None

    def start(self) -> None:
        import threading

        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import threading

        assert self.server is not None
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self.server is not None:
            self.server.close()


def test_a_database_that_comes_back_is_heard_again(pg_url, counted_connects, caplog):
    from sqlalchemy.engine import make_url

    real = make_url(pg_url)
    relay = Relay(_free_port(), (real.host or "127.0.0.1", real.port or 5432))
    engine = create_engine(real.set(host="127.0.0.1", port=relay.port))
    listener = ChangeListener(engine)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    caplog.set_level(logging.INFO, logger="wiredesk.store")
    try:
        for _ in range(10):  # the database is away
            assert listener.wait(0.1) is False
        relay.start()
        heard = False
        for _ in range(300):  # a bound against a hang only
            with admin.connect() as c:
                c.execute(text(f"NOTIFY {CHANNEL}"))
            if listener.wait(0.2):
                heard = True
                break
        assert heard, "no NOTIFY heard after the database came back"
    finally:
        listener.close()
        relay.stop()
        admin.dispose()
        engine.dispose()
    assert len(counted_connects) < 20
    messages = [r.getMessage() for r in caplog.records if r.name == "wiredesk.store"]
    assert len(messages) == 2 and "lost" in messages[0] and "restored" in messages[1]
