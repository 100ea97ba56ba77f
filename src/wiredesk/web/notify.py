"""After a change commits: tell the CDN what to purge and the WebSub hub what to fetch.

Best effort and off the caller's path: a slow or failing CDN never delays a delivery. Both
are driven by the store's change events, so a takedown from any source (agency kill, clock,
operator) purges the same way.

What to purge and which feeds to announce is what the routes declare (web/policy.py): each
list's Surrogate-Keys (`purge`) and the URLs of a route a hub should refetch (`ping`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx
from starlette.routing import BaseRoute, Mount, Route

from wiredesk import __version__
from wiredesk.config import Settings
from wiredesk.store import Changes, Store
from wiredesk.web.http import story_keys, uri_path
from wiredesk.web.policy import policy_of

log = logging.getLogger("wiredesk.notify")
TIMEOUT = httpx.Timeout(5.0, connect=3.0)


def surrogate_keys(changes: Changes, lists: Iterable[str]) -> list[str]:
    """The keys of every story taken down, and of the lists (`lists`) whenever what is
    visible changed."""
    keys: list[str] = []
    for gone in changes.takedowns:
        keys += story_keys(gone.story_id, gone.agency, gone.subjects)
    if changes.takedowns or changes.embargoes_lifted:
        keys += lists
    return list(dict.fromkeys(keys))


class Notifier:
    def __init__(self, settings: Settings, routes: Sequence[BaseRoute]) -> None:
        self.settings = settings
        declared = [(r, policy_of(r)) for r in routes]
        self.lists = list(dict.fromkeys(key for _, p in declared for key in p.purge))
        self.pings: list[tuple[str, Callable[[Changes], Iterable[dict[str, str]]]]] = [
            (r.path_format, p.ping) for r, p in declared
            if p.ping is not None and isinstance(r, Route | Mount)]
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wiredesk-notify")
        self.client = httpx.Client(timeout=TIMEOUT, headers={"User-Agent": f"wiredesk/{__version__}"})

    def __call__(self, changes: Changes) -> None:
        if self.settings.purge_url and changes.takedowns:
            self.pool.submit(self._purge, surrogate_keys(changes, self.lists))
        if self.settings.websub_hub:
            self.pool.submit(self._ping, self.feed_urls(changes))

    def feed_urls(self, changes: Changes) -> list[str]:
        base = self.settings.base_url.rstrip("/")
        return [base + uri_path(path.format(**params)) for path, ping in self.pings
                for params in ping(changes)]

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


def attach(store: Store, settings: Settings, routes: Sequence[BaseRoute]) -> Notifier | None:
    """Hook a notifier to the store when a CDN purge URL or a WebSub hub is configured;
    `routes` are the app's, whose policies say what a change purges and pings."""
    if not (settings.purge_url or settings.websub_hub):
        return None
    notifier = Notifier(settings, routes)
    store.listeners.append(notifier)
    return notifier
