"""API keys: names, limits and SHA-256 digests (never the keys). Used as `store.keys`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from wiredesk.store.records import ApiKeyRow
from wiredesk.store.schema import api_keys
from wiredesk.store.writes import Write


class KeyStore:
    def __init__(self, engine: Engine, write: Write) -> None:
        self.engine = engine
        self.write = write

    def add(self, name: str, digest: str, per_minute: int, now: datetime) -> None:
        with self.write() as w:
            if w.c.execute(select(api_keys.c.name).where(api_keys.c.name == name)).first():
                raise ValueError(f"key {name!r} already exists (remove it first)")
            w.c.execute(insert(api_keys).values(name=name, digest=digest,
                                                per_minute=per_minute, created_at=now))

    def remove(self, name: str) -> bool:
        with self.write() as w:
            return bool(w.c.execute(delete(api_keys).where(api_keys.c.name == name)).rowcount)

    def all(self) -> list[ApiKeyRow]:
        with self.engine.connect() as c:
            rows = c.execute(select(api_keys.c.name, api_keys.c.per_minute,
                                    api_keys.c.created_at).order_by(api_keys.c.name)).all()
        return [ApiKeyRow(*row) for row in rows]

    def find(self, digest: str) -> ApiKeyRow | None:
        with self.engine.connect() as c:
            row = c.execute(select(api_keys.c.name, api_keys.c.per_minute,
                                   api_keys.c.created_at)
                            .where(api_keys.c.digest == digest)).first()
        return ApiKeyRow(*row) if row else None
