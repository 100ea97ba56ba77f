"""After a change commits: tell the CDN what to purge and the WebSub hub what to fetch.

Best effort and off the caller's path: a slow or failing CDN never delays a delivery. Both
are driven by the store's change events, so a takedown from any source (agency kill, clock,
operator) purges the same way.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import httpx

from wiredesk import __version__
from wiredesk.config import Settings
from wiredesk.store import Changes, Store
from wiredesk.web.feeds import feed_paths
from wiredesk.web.http import story_keys

log = logging.getLogger("wiredesk.notify")
TIMEOUT = httpx.Timeout(5.0, connect=3.0)


def surrogate_keys(changes: Changes) -> list[str]:
    keys: list[str] = []
    for gone in changes.takedowns:
        keys += story_keys(gone.story_id, gone.agency, gone.subjects)
    if changes.takedowns or changes.embargoes_lifted:
        keys += ["front", "feeds", "sitemap", "search"]
    return list(dict.fromkeys(keys))


class Notifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wiredesk-notify")
        self.client = httpx.Client(timeout=TIMEOUT, headers={"User-Agent": f"wiredesk/{__version__}"})

    def __call__(self, changes: Changes) -> None:
        if self.settings.purge_url and changes.takedowns:
            self.pool.submit(self._purge, surrogate_keys(changes))
        if self.settings.websub_hub:
            self.pool.submit(self._ping, self._feeds(changes))

    def _feeds(self, changes: Changes) -> list[str]:
        base = self.settings.base_url.rstrip("/")
        agencies = {a for _, a in changes.updated if a} | {t.agency for t in changes.takedowns if t.agency}
        paths = feed_paths() + [f"/feeds/agency/{a}/atom.xml" for a in sorted(agencies)]
        return [base + p for p in paths]

    def _purge(self, keys: list[str]) -> None:
        try:
            response = self.client.post(self.settings.purge_url or "", headers={"Surrogate-Key": " ".join(keys)})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("CDN purge of %s failed: %s", " ".join(keys), exc)

    def _ping(self, feeds: list[str]) -> None:
        for feed in feeds:
            try:
                self.client.post(self.settings.websub_hub or "",
                                 data={"hub.mode": "publish", "hub.url": feed}).raise_for_status()
            except httpx.HTTPError as exc:
                log.warning("WebSub ping for %s failed: %s", feed, exc)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()


def attach(store: Store, settings: Settings) -> Notifier | None:
    """Hook a notifier to the store when a CDN purge URL or a WebSub hub is configured."""
    if not (settings.purge_url or settings.websub_hub):
        return None
    notifier = Notifier(settings)
    store.listeners.append(notifier)
    return notifier
