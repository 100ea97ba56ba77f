"""Hearing of other processes' commits: PostgreSQL LISTEN/NOTIFY, or a plain wait on SQLite.

Every transaction that changes what readers may see bumps the change counter and, on
PostgreSQL, sends NOTIFY on CHANNEL in the same transaction (delivered when it commits). A web
node's page cache waits here; the wait ends at once on a notification and after `timeout`
anyway, so a lost notification (a dropped connection) costs at most one timeout.

While the database refuses connections the listener tries again after a delay that doubles
from FIRST_RETRY to MAX_RETRY (with jitter, so a fleet of nodes does not reconnect in step),
waiting out each `timeout` meanwhile, and logs once when the connection is lost and once when
it is back: an outage costs neither a busy loop nor a flood of log lines.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger("wiredesk.store")
CHANNEL = "wiredesk_changes"
FIRST_RETRY = 0.25  # seconds
MAX_RETRY = 10.0
CONNECT_TIMEOUT = 5  # seconds: an unreachable host must not hold the watcher for minutes


class ChangeListener:
    def __init__(self, engine: Engine, *, first_retry: float = FIRST_RETRY,
                 max_retry: float = MAX_RETRY) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.attempts = 0  # connection attempts made, for tests and curious operators
        self._connection: Any = None
        self._closed = threading.Event()  # set by close(): waits end, no reconnecting
        self._delay = 0.0  # the current back-off; 0 while connected or never tried
        self._retry_at = 0.0  # time.monotonic() before which no connection is attempted
        self._lost = False  # the state last logged

    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL backend listening for us, while there is one."""
        return self._connection.info.backend_pid if self._connection is not None else None

    def wait(self, timeout: float) -> bool:
        """Block until another commit is announced (True) or `timeout` passes (False)."""
        if not self.postgres:
            self._closed.wait(timeout)
            return False
        connection = self._connection or self._connect()
        if connection is None:  # the database is away: poll at the caller's pace meanwhile
            self._closed.wait(timeout)
            return False
        try:
            for _ in connection.notifies(timeout=timeout, stop_after=1):
                return True
            return False
        except Exception as exc:  # a dropped connection: reconnect after a back-off
            self._drop()
            self._failed(exc)
            self._closed.wait(min(timeout, max(0.0, self._retry_at - time.monotonic())))
            return False

    def _connect(self) -> Any:
        if self._closed.is_set() or time.monotonic() < self._retry_at:
            return None
        import psycopg

        self.attempts += 1
        url = self.engine.url.set(drivername="postgresql")
        try:
            connection = psycopg.connect(url.render_as_string(hide_password=False),
                                         autocommit=True, connect_timeout=CONNECT_TIMEOUT)
            connection.execute(f"LISTEN {CHANNEL}")
        except Exception as exc:
            self._failed(exc)
            return None
        self._connection = connection
        self._delay, self._retry_at = 0.0, 0.0
        if self._lost:
            self._lost = False
            log.warning("LISTEN connection restored after %d attempt(s)", self.attempts)
        return connection

    def _failed(self, exc: Exception) -> None:
        self._delay = min(self.max_retry, self._delay * 2 or self.first_retry)
        self._retry_at = time.monotonic() + self._delay * random.uniform(0.5, 1.0)
        if not self._lost:
            self._lost = True
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            log.warning("LISTEN connection lost (%s); polling, and reconnecting with back-off "
                        "up to every %.0f s, until it is back", reason, self.max_retry)

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # already broken: nothing more to release
                pass

    def close(self) -> None:
        self._closed.set()
        self._drop()
