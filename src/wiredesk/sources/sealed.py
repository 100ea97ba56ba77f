"""Secrets given inline (a push secret, a bearer token, a basic password, a header value,
a URL holding `user:password@` or `?apikey=`) are stored encrypted, so a copy of the
database does not hand them out. `$NAME` references are stored as they are.

The key is derived (HKDF-SHA256, its own `info`) from WIREDESK_SECRET_KEY, which already
signs the console's cookies: one secret for the operator to keep, yet the cookie key and
the storage key are never the same bytes. With no key set, an inline secret is refused and
the operator is told to write `$NAME` (read from the environment when used) or to set the
key. A key generated and kept outside the database was the other way; it was not taken
because such a key ends up either lost (a new container) or beside the database (a copy of
one is then a copy of both), and every node of a cluster would need the same file, while
the environment already carries WIREDESK_SECRET_KEY to every node.

Values stored plain by an older wiredesk keep working (they are not sealed, so they are
used as they are) and are sealed when their source is next saved.
"""

from __future__ import annotations

import base64
import os
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wiredesk.values import BadValue

KEY_ENV = "WIREDESK_SECRET_KEY"
PREFIX = "sealed:v1:"
_INFO = b"wiredesk source secrets v1"


@cache
def _fernet(key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def _key() -> str | None:
    return os.environ.get(KEY_ENV) or None


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def needs_sealing(value: object) -> bool:
    """An inline secret not yet sealed (`$NAME` references are stored as they are)."""
    return isinstance(value, str) and bool(value) and not value.startswith("$") \
        and not is_sealed(value)


def seal(value: str, where: str) -> str:
    if not needs_sealing(value):
        return value
    key = _key()
    if key is None:
        raise BadValue(f"{where} is given inline and would be stored in the clear: write "
                       f"$NAME to read it from the environment, or set {KEY_ENV}")
    return PREFIX + _fernet(key).encrypt(value.encode("utf-8")).decode("ascii")


def unseal(value: str) -> str:
    if not is_sealed(value):
        return value
    key = _key()
    if key is None:
        raise BadValue(f"a secret is stored encrypted but {KEY_ENV} is not set")
    try:
        return _fernet(key).decrypt(value[len(PREFIX):].encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise BadValue(f"a stored secret cannot be decrypted: was {KEY_ENV} changed? "
                       "Store the source again with its secret") from None
