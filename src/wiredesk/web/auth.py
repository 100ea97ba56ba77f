"""Console authentication: argon2id passwords, signed session cookies, CSRF tokens, lockout.

A session is a random token in a cookie, signed with the server secret (HMAC-SHA256) so a
forged or truncated cookie is refused before the store is asked; the store keeps only the
token's SHA-256, so a copy of the database opens no session. CSRF tokens are an HMAC of the
session, so they need no storage and die with it. The login form, which has no session yet,
is protected by a signed double-submit nonce.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError

from wiredesk.config import Settings
from wiredesk.passwords import hasher
from wiredesk.store import Store
from wiredesk.store.users import LOCKOUT_FAILURES
from wiredesk.web.context import Clock

SESSION_LIFETIME = timedelta(hours=12)
LOCKOUT = timedelta(minutes=15)
ATTEMPTS_KEPT = timedelta(days=1)
LOGIN_COOKIE = "wd_login"
@dataclass(frozen=True, slots=True)
class User:
    name: str
    token_hash: str  # identifies the session: CSRF tokens and logout use it


@dataclass(frozen=True, slots=True)
class LoginResult:
    token: str | None = None  # the new session's cookie value, when the login succeeded
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.token is not None


class Auth:
    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.users = store.users
        self.store = store  # API keys are looked up by the guard (web/keys.py)
        self.clock = clock
        self.secure = settings.base_url.lower().startswith("https://")
        # __Host- cookies must be Secure; the prefix then pins them to this host and path /.
        self.cookie = "__Host-wd_session" if self.secure else "wd_session"
        self.login_cookie = ("__Host-" if self.secure else "") + LOGIN_COOKIE
        self._secret = settings.secret_key.encode() if settings.secret_key else None
        self._lock = threading.Lock()
        self._dummy: str | None = None

    @property
    def secret(self) -> bytes:
        """WIREDESK_SECRET_KEY, else one made on first use and kept in the store, so every
        node and every restart signs alike."""
        if self._secret is None:
            with self._lock:
                if self._secret is None:
                    value = self.users.secret("cookie", lambda: secrets.token_urlsafe(48),
                                              self.clock())
                    self._secret = value.encode()
        return self._secret

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self.secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    # --- sessions --------------------------------------------------------------------------
    def user(self, cookie: str | None) -> User | None:
        """The user a session cookie belongs to, if it is genuine, current and not ended."""
        if not cookie or "." not in cookie:
            return None
        token, _, mac = cookie.rpartition(".")
        if not hmac.compare_digest(mac, self._mac("session", token)):
            return None
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        row = self.users.session(token_hash, self.clock())
        return User(row.user_name, token_hash) if row else None

    def csrf(self, user: User) -> str:
        return self._mac("csrf", user.token_hash)

    def csrf_ok(self, user: User, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(str(given), self.csrf(user))

    def logout(self, user: User) -> None:
        self.users.close_session(user.token_hash)

    # --- the login form ------------------------------------------------------------------------
    def login_nonce(self) -> tuple[str, str]:
        """(cookie value, form token) for a login form: the form token must be this cookie's
        MAC, which a cross-site page can neither read nor forge."""
        nonce = secrets.token_urlsafe(24)
        return nonce, self._mac("login", nonce)

    def login_nonce_ok(self, cookie: str | None, given: str | None) -> bool:
        return bool(cookie and given) and hmac.compare_digest(str(given),
                                                              self._mac("login", str(cookie)))

    def locked_until(self, name: str, address: str) -> datetime | None:
        """When a lock on this name or this address ends, if one is on now: five failures
        within 15 minutes (and no success since) lock for 15 minutes from the fifth."""
        now = self.clock()
        ends = []
        for failures in (self.users.recent_failures(name=name),
                         self.users.recent_failures(address=address)):
            if len(failures) >= LOCKOUT_FAILURES and failures[0] - failures[-1] <= LOCKOUT:
                ends.append(failures[0] + LOCKOUT)
        until = max(ends, default=None)
        return until if until is not None and until > now else None

    def login(self, name: str, password: str, address: str) -> LoginResult:
        now = self.clock()
        name = name.strip()[:100]
        locked = self.locked_until(name, address)
        if locked is not None:
            return LoginResult(locked_until=locked)  # not checked, not counted: no oracle
        stored = self.users.password_hash(name)
        ok = False
        try:
            # An unknown name costs the same argon2 work as a known one: timing tells nothing.
            ok = hasher.verify(stored or self._dummy_hash(), password) and stored is not None
        except (VerificationError, InvalidHashError):
            ok = False
        self.users.record_attempt(name, address, ok, now, keep_since=now - ATTEMPTS_KEPT)
        if not ok:
            return LoginResult(locked_until=self.locked_until(name, address))
        assert stored is not None
        if hasher.check_needs_rehash(stored):
            self.users.update_hash(name, hasher.hash(password), now)
        token = secrets.token_urlsafe(32)
        self.users.open_session(hashlib.sha256(token.encode()).hexdigest(), name, now,
                                now + SESSION_LIFETIME)
        return LoginResult(token=f"{token}.{self._mac('session', token)}")

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = hasher.hash(secrets.token_urlsafe(16))
        return self._dummy
