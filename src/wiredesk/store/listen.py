"""Hearing of other processes' commits: PostgreSQL LISTEN/NOTIFY, or a plain wait on SQLite.

Every transaction that changes what readers may see bumps the change counter and, on
PostgreSQL, sends NOTIFY on CHANNEL in the same transaction (delivered when it commits). A web
node's page cache waits here; the wait ends at once on a notification and after `timeout`
anyway, so a lost notification (a dropped connection) costs at most one timeout.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger("wiredesk.store")
CHANNEL = "wiredesk_changes"


class ChangeListener:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self._connection = None
        self._sleep = threading.Event()

    def wait(self, timeout: float) -> bool:
        """Block until another commit is announced (True) or `timeout` passes (False)."""
        if not self.postgres:
            self._sleep.wait(timeout)
            return False
        try:
            connection = self._listen()
            for _ in connection.notifies(timeout=timeout, stop_after=1):
                return True
            return False
        except Exception as exc:  # a dropped connection: reconnect next time, poll meanwhile
            log.warning("LISTEN connection lost (%s); polling until it is back", exc)
            self.close()
            self._sleep.wait(timeout)
            return False

    def _listen(self):  # type: ignore[no-untyped-def]
        if self._connection is None:
            import psycopg

            url = self.engine.url.set(drivername="postgresql")
            self._connection = psycopg.connect(url.render_as_string(hide_password=False),
                                               autocommit=True)
            self._connection.execute(f"LISTEN {CHANNEL}")
        return self._connection

    def close(self) -> None:
        self._sleep.set()
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
