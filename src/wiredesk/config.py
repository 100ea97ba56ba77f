"""Settings, read once from the environment (WIREDESK_*), overridable by CLI flags."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from wiredesk import values
from wiredesk.store.engine import DEFAULT_URL
from wiredesk.terms import DEFAULT_LICENCE_DAYS
from wiredesk.web import branding, i18n

DEFAULT_NOTICE = i18n.N_(
    "{site} provides breaking news articles from {agency} as a service to its readers, but "
    "does not edit the articles it publishes. Articles appear on {site} for a limited time."
)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    site_name: str = "wiredesk"
    site_notice: str = DEFAULT_NOTICE
    base_url: str = "http://127.0.0.1:8000"
    licence_days: int = DEFAULT_LICENCE_DAYS
    clock_seconds: float = 5.0
    websub_hub: str | None = None  # a WebSub hub to announce in feeds and ping on change
    purge_url: str | None = None  # a CDN endpoint called with Surrogate-Key on each takedown
    # Console and hardening (issue 8). No secret set: one is made and kept in the store.
    secret_key: str | None = field(default=None, repr=False)  # kept out of logs
    max_request_bytes: int = 16 * 1024 * 1024
    rate_push: int = 600  # requests a minute per client address; 0 turns the limit off
    rate_search: int = 60
    rate_login: int = 10
    metrics_token: str | None = field(default=None, repr=False)  # when set, /metrics asks for "Authorization: Bearer ..."
    # Source details (/api/v1/sources) answer a console session, or this bearer token.
    api_token: str | None = field(default=None, repr=False)
    # Webhooks (hooks/dispatch.py): the first retry's delay, doubling; given up after a day.
    hook_retry_seconds: float = 10.0
    hook_give_up_seconds: float = 86400.0
    # The site's own words (web/i18n.py) and a publisher's templates (web/branding.py).
    site_language: str = "en"
    templates: str | None = None  # a folder of template and static overrides
    csp_extra: str | None = None  # https origins a publisher's snippet needs (never by default)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Settings from WIREDESK_*; a bad value raises values.BadValue, one line naming
        the variable and the allowed range."""
        env = dict(os.environ if env is None else env)
        d = cls()

        def get(name: str, default: object, check: Callable[[Any, str], Any]) -> Any:
            key = f"WIREDESK_{name}"
            return check(env[key], key) if env.get(key, "").strip() else default

        return cls(
            database_url=get("DATABASE_URL", d.database_url, values.database_url),
            site_name=env.get("WIREDESK_SITE_NAME", d.site_name),
            site_notice=env.get("WIREDESK_SITE_NOTICE", d.site_notice),
            base_url=env.get("WIREDESK_BASE_URL", d.base_url).rstrip("/"),
            licence_days=get("LICENCE_DAYS", d.licence_days, values.licence_days),
            clock_seconds=get("CLOCK_SECONDS", d.clock_seconds, values.clock_seconds),
            websub_hub=env.get("WIREDESK_WEBSUB_HUB") or None,
            purge_url=env.get("WIREDESK_PURGE_URL") or None,
            secret_key=env.get("WIREDESK_SECRET_KEY") or None,
            max_request_bytes=get("MAX_REQUEST_BYTES", d.max_request_bytes, values.size),
            rate_push=get("RATE_PUSH", d.rate_push, values.rate),
            rate_search=get("RATE_SEARCH", d.rate_search, values.rate),
            rate_login=get("RATE_LOGIN", d.rate_login, values.rate),
            metrics_token=env.get("WIREDESK_METRICS_TOKEN") or None,
            api_token=env.get("WIREDESK_API_TOKEN") or None,
            hook_retry_seconds=get("HOOK_RETRY_SECONDS", d.hook_retry_seconds,
                                   lambda v, k: values.number(v, k, 0.01, 86400, " seconds")),
            hook_give_up_seconds=get("HOOK_GIVE_UP_SECONDS", d.hook_give_up_seconds,
                                     lambda v, k: values.number(v, k, 1, 30 * 86400,
                                                                " seconds")),
            site_language=get("SITE_LANGUAGE", d.site_language, i18n.check_language),
            templates=get("TEMPLATES", d.templates, branding.folder),
            csp_extra=get("CSP_EXTRA", d.csp_extra, branding.csp_sources),
        )

    def with_changes(self, **changes: object) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]

    def notice_for(self, agency: str | None,
                   translate: Callable[[str], str] = lambda words: words) -> str:
        """The notice; the default one in the site's language when given its `translate`
        (a notice the publisher wrote is theirs, as written)."""
        notice = translate(DEFAULT_NOTICE) if self.site_notice == DEFAULT_NOTICE else self.site_notice
        return notice.format(site=self.site_name,
                             agency=agency or translate(i18n.N_("news agencies")))
