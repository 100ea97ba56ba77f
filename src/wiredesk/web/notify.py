"""After a change commits: tell the WebSub hub what to fetch; what the edge cache purges.

The ping is best effort and off the caller's path: a slow or failing hub never delays a
delivery. It is driven by this process's store change events. The edge cache's purge is not
sent from here: it is driven by the story journal from whichever process holds the clock's
lease (wiredesk/edge.py), so a takedown made by any process reaches it; `purger_for` builds
that purger with the lists' keys the routes declare.

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
from wiredesk.edge import EdgePurger, EdgePurgers, purge_urls
from wiredesk.store import Changes, Store
from wiredesk.web.http import uri_path
from wiredesk.web.policy import policy_of

log = logging.getLogger("wiredesk.notify")
TIMEOUT = httpx.Timeout(5.0, connect=3.0)


def list_keys(routes: Sequence[BaseRoute]) -> list[str]:
    """The Surrogate-Keys of every list the routes declare (`Policy.purge`)."""
    return list(dict.fromkeys(key for r in routes for key in policy_of(r).purge))


def purger_for(settings: Settings, store: Store,
               routes: Sequence[BaseRoute]) -> EdgePurger | EdgePurgers | None:
    """The journal-driven edge purger, when a purge URL is configured; with several
    (comma-separated), one purger per edge (edge.py)."""
    urls = purge_urls(settings.purge_url)
    if not urls:
        return None
    if len(urls) == 1:
        return EdgePurger(store, urls[0], list_keys(routes))
    return EdgePurgers(store, urls, list_keys(routes))


class Notifier:
    def __init__(self, settings: Settings, routes: Sequence[BaseRoute]) -> None:
        self.settings = settings
        declared = [(r, policy_of(r)) for r in routes]
        self.lists = list_keys(routes)
        self.pings: list[tuple[str, Callable[[Changes], Iterable[dict[str, str]]]]] = [
            (r.path_format, p.ping) for r, p in declared
            if p.ping is not None and isinstance(r, Route | Mount)]
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="wiredesk-notify")
        self.client = httpx.Client(timeout=TIMEOUT, headers={"User-Agent": f"wiredesk/{__version__}"})

    def __call__(self, changes: Changes) -> None:
        if self.settings.websub_hub:
            self.pool.submit(self._ping, self.feed_urls(changes))

    def feed_urls(self, changes: Changes) -> list[str]:
        base = self.settings.base_url.rstrip("/")
        return [base + uri_path(path.format(**params)) for path, ping in self.pings
                for params in ping(changes)]

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
    """Hook a notifier to the store when a WebSub hub is configured; `routes` are the
    app's, whose policies say which feeds a change pings."""
    if not settings.websub_hub:
        return None
    notifier = Notifier(settings, routes)
    store.listeners.append(notifier)
    return notifier
