"""Console users, their sessions, login attempts and the server's secret. All their SQL.

Used as `store.users`. Password hashing and cookie signing live in `web/auth.py`; this
module only keeps what they need: hashes, session token hashes, attempts, one secret.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, delete, false, func, insert, select, true, update

from wiredesk.store.records import SessionRow, UserRow
from wiredesk.store.schema import login_attempts, server_secrets, sessions, users
from wiredesk.store.writes import Write
from wiredesk.times import aware

LOCKOUT_FAILURES = 5  # failed logins in a row (since the last success) that lock a name or address


class UserStore:
    def __init__(self, engine: Engine, write: Write) -> None:
        self.engine = engine
        self.write = write

    # --- users -----------------------------------------------------------------------------
    def set_password(self, name: str, password_hash: str, now: datetime) -> bool:
        """Create the user, or replace their password; True if the user is new. A changed
        password ends every session the old one opened."""
        with self.write() as w:
            done = w.c.execute(update(users).where(users.c.name == name)
                               .values(password_hash=password_hash, updated_at=now)).rowcount
            if done:
                w.c.execute(delete(sessions).where(sessions.c.user_name == name))
                return False
            w.c.execute(insert(users).values(name=name, password_hash=password_hash,
                                             created_at=now, updated_at=now))
            return True

    def remove(self, name: str) -> bool:
        with self.write() as w:
            w.c.execute(delete(sessions).where(sessions.c.user_name == name))
            return bool(w.c.execute(delete(users).where(users.c.name == name)).rowcount)

    def all(self) -> list[UserRow]:
        with self.engine.connect() as c:
            rows = c.execute(select(users.c.name, users.c.created_at, users.c.updated_at)
                             .order_by(users.c.name)).all()
        return [UserRow(r.name, r.created_at, r.updated_at) for r in rows]

    def password_hash(self, name: str) -> str | None:
        with self.engine.connect() as c:
            return c.execute(select(users.c.password_hash).where(users.c.name == name)).scalar()

    def update_hash(self, name: str, password_hash: str, now: datetime) -> None:
        """A rehash after login with stronger parameters; sessions stay."""
        with self.write() as w:
            w.c.execute(update(users).where(users.c.name == name)
                        .values(password_hash=password_hash, updated_at=now))

    # --- sessions --------------------------------------------------------------------------
    def open_session(self, token_hash: str, name: str, now: datetime, expires_at: datetime) -> None:
        with self.write() as w:
            # Expired sessions go here rather than on a timer: logins are rare, rows are few.
            w.c.execute(delete(sessions).where(sessions.c.expires_at <= now))
            w.c.execute(insert(sessions).values(token_hash=token_hash, user_name=name,
                                                created_at=now, expires_at=expires_at))

    def session(self, token_hash: str, now: datetime) -> SessionRow | None:
        with self.engine.connect() as c:
            row = c.execute(select(sessions.c.user_name, sessions.c.created_at,
                                   sessions.c.expires_at)
                            .where(sessions.c.token_hash == token_hash,
                                   sessions.c.expires_at > now)).first()
        return SessionRow(row.user_name, row.created_at, row.expires_at) if row else None

    def close_session(self, token_hash: str) -> None:
        with self.write() as w:
            w.c.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    # --- login attempts ----------------------------------------------------------------------
    def record_attempt(self, name: str, address: str, ok: bool, now: datetime,
                       keep_since: datetime) -> None:
        """Log one attempt, and forget attempts older than `keep_since` (lockout looks back
        no further)."""
        with self.write() as w:
            w.c.execute(delete(login_attempts).where(login_attempts.c.at < keep_since))
            w.c.execute(insert(login_attempts).values(at=now, user_name=name[:100],
                                                      address=address[:100], ok=ok))

    def recent_failures(self, *, name: str | None = None, address: str | None = None,
                        limit: int = LOCKOUT_FAILURES) -> list[datetime]:
        """Times of the last `limit` failures for a name or an address since its last
        success, newest first."""
        column = login_attempts.c.user_name if name is not None else login_attempts.c.address
        key = name if name is not None else address
        with self.engine.connect() as c:
            last_ok = c.execute(select(func.max(login_attempts.c.at))
                                .where(column == key, login_attempts.c.ok == true())).scalar()
            where = [column == key, login_attempts.c.ok == false()]
            if last_ok is not None:
                where.append(login_attempts.c.at > aware(last_ok))
            rows = c.execute(select(login_attempts.c.at).where(*where)
                             .order_by(login_attempts.c.at.desc()).limit(limit)).scalars()
            return [aware(at) for at in rows]

    # --- the server secret -------------------------------------------------------------------
    def secret(self, name: str, make: Callable[[], str], now: datetime) -> str:
        """The stored secret called `name`, made with `make` on first use. Several nodes
        starting at once agree: the first insert wins and everyone reads it back."""
        with self.engine.connect() as c:
            found = c.execute(select(server_secrets.c.value)
                              .where(server_secrets.c.name == name)).scalar()
        if found:
            return str(found)
        with self.write() as w:
            w.insert_ignore(server_secrets, {"name": name, "value": make(), "created_at": now},
                            ["name"])
            return str(w.c.execute(select(server_secrets.c.value)
                                   .where(server_secrets.c.name == name)).scalar_one())

