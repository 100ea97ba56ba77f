"""Console passwords: argon2id hashes, below both the web (login) and the CLI (user add)."""

from __future__ import annotations

from argon2 import PasswordHasher

MIN_PASSWORD = 10

hasher = PasswordHasher()  # argon2id with the library's RFC 9106 defaults


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a console password needs at least {MIN_PASSWORD} characters")
    return hasher.hash(password)
