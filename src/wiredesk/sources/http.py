"""The http kind: a feed or JSON API polled over HTTP, page by page.

Its settings, their checks and its `sources add` flags; the probe `sources add` runs; and
the poll the worker runs: a conditional GET, then page by page through a JSON API. Each
page is one Delivery, applied in its own transaction before the next page is fetched; the
poll memo (ETag, Last-Modified, cursor) is checkpointed after each page, so a worker killed
half-way resumes from the last page it applied, and a page applied twice is a no-op. The
GET itself is fetch.py's; summary-only entries are completed by linked.py, and stories whose
text is a rendition elsewhere (AP's NITF) by renditions.py.

A feed that is never done (AP Media API style: every answer names the `next_page` to ask
for next) is followed with `paging.resume`: the last next-page URL is kept and the next
poll starts there; a poll that stops at max_pages with pages left runs again at once, until
a page comes back empty (caught up). A feed that names a WebSub hub is subscribed to
(sources/websub.py) and polled rarely while the hub pushes.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from wiredesk import metrics
from wiredesk.formats import FormatError
from wiredesk.masking import mask_url
from wiredesk.sources import websub
from wiredesk.sources.config import (
    ConfigError,
    SourceConfig,
    boolean,
    parse_allow_private,
    parse_size,
    positive_int,
    positive_number,
)
from wiredesk.sources.deliver import apply_delivery
from wiredesk.sources.fetch import Auth, Fetched, Fetcher, FetchError
from wiredesk.sources.fetch_guard import BlockedAddress, check_url
from wiredesk.sources.kind import Flag, Kind, Ran, Run
from wiredesk.sources.linked import merge_page, summary_link
from wiredesk.sources.pictures import PictureFetch
from wiredesk.sources.renditions import Texts, retry_pending
from wiredesk.store import Store
from wiredesk.story import Delivery, Story

log = logging.getLogger("wiredesk.sources")
LINKED_MEMORY = 1000  # entries whose linked page was taken, remembered between polls
PAGING_MODES = ("none", "link", "next", "cursor")
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Paging:
    """How a JSON API says where the next page is.

    link: an HTTP `Link: <...>; rel="next"` header. next: a JSON field holding the next
    page's URL. cursor: a JSON field holding a cursor, sent back as query parameter `param`;
    the last cursor is kept between polls so the next poll starts where this one ended.
    """

    mode: str = "none"
    field: str | None = None  # dotted path: "next", "links.next", "meta.cursor"
    param: str = "cursor"
    items: str | None = None  # dotted path to the array of items in each page
    max_pages: int = 20  # per poll: one poll cannot run away with the worker
    # next/link: keep the last next-page URL and start the next poll there (a feed whose
    # answers always name where to continue, such as the AP Media API's data.next_page)
    resume: bool = False


@dataclass(frozen=True)
class HttpConfig(SourceConfig):
    url: str | None = None
    auth: Auth = field(default_factory=Auth)
    paging: Paging = field(default_factory=Paging)
    fetch_linked: bool = False
    # True, or the host / host:port entries that may be private (see fetch_guard.allowed)
    allow_private: bool | tuple[str, ...] = False
    max_bytes: int = MAX_BYTES
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_redirects: int = 5
    websub: bool = True  # subscribe where the feed names a WebSub hub

    SECRETS: ClassVar[tuple[tuple[str, ...], ...]] = (("auth", "secret"),)

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        auth = values.get("auth")
        paging = values.get("paging") or {}
        if isinstance(paging, str):
            paging = {"mode": paging}
        try:
            paging = Paging(**{k.replace("-", "_"): x for k, x in dict(paging).items()})
        except TypeError as exc:  # an unknown key in a paging table
            raise ConfigError(f"bad paging setting: {exc}") from None
        return {
            "url": values.get("url"),
            "auth": auth if isinstance(auth, Auth) else Auth.parse(auth),
            "paging": paging,
            "fetch_linked": boolean(values.get("fetch_linked", False), "fetch_linked"),
            "allow_private": parse_allow_private(values.get("allow_private", False)),
            "max_bytes": parse_size(values.get("max_bytes", MAX_BYTES), "max_bytes"),
            "connect_timeout": positive_number(values.get("connect_timeout", 10.0),
                                               "connect_timeout"),
            "read_timeout": positive_number(values.get("read_timeout", 30.0), "read_timeout"),
            "max_redirects": positive_int(values.get("max_redirects", 5), "max_redirects",
                                          zero=True),
            "websub": boolean(values.get("websub", True), "websub"),
        }

    @classmethod
    def revive(cls, stored: Mapping[str, Any]) -> dict[str, Any]:
        data = super().revive(stored)
        data["auth"] = Auth(**data.get("auth") or {})
        data["paging"] = Paging(**data.get("paging") or {})
        if isinstance(data.get("allow_private"), list):  # JSON has no tuples
            data["allow_private"] = tuple(data["allow_private"])
        return data

    def check(self) -> None:
        if not self.url:
            raise ConfigError("an http source needs --url")
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"bad url {self.url!r}: only http:// and https:// "
                              "addresses with a host")
        if self.paging.mode not in PAGING_MODES:
            raise ConfigError(f"unknown paging {self.paging.mode!r} "
                              f"(use {', '.join(PAGING_MODES)})")
        if self.paging.mode in ("next", "cursor") and not self.paging.field:
            raise ConfigError(f"paging {self.paging.mode} needs a JSON field (--page-field)")
        if self.paging.resume and self.paging.mode not in ("next", "link"):
            raise ConfigError("paging resume is for the next and link modes")


# --- sources add --------------------------------------------------------------------------

FLAGS = (
    Flag("--url", "http: the feed or API address"),
    Flag("--auth", "http: basic:USER:PASSWORD, bearer:TOKEN or header:NAME:VALUE; a value "
                   "$VAR is read from the environment"),
    Flag("--paging", "http JSON APIs: follow a Link header, a next-URL field, or a cursor",
         {"choices": PAGING_MODES}),
    Flag("--page-field", "JSON field (dotted) with the next URL or cursor"),
    Flag("--cursor-param", "query parameter the cursor is sent back in (cursor)"),
    Flag("--items", "JSON field (dotted) with the array of items on each page"),
    Flag("--max-pages", "pages per poll at most (20)", {"type": int}),
    Flag("--resume-paging", "keep the last next page and start the next poll there (AP Media "
                            "API style feeds)", {"action": "store_true", "default": None}),
    Flag("--no-websub", "never subscribe to the WebSub hub the feed names",
         {"action": "store_false", "dest": "websub", "default": None}),
    Flag("--fetch-linked", "fetch the linked page of summary-only feed entries",
         {"action": "store_true", "default": None}),
    Flag("--allow-private", "allow private, loopback and link-local addresses (off: no SSRF)",
         {"action": "store_true", "default": None}),
    Flag("--allow-private-host", "allow just this private host (repeatable)",
         {"action": "append", "metavar": "HOST[:PORT]"}),
    Flag("--max-bytes", "largest response accepted (10MB)"),
    Flag("--connect-timeout", "seconds (10)", {"type": float}),
    Flag("--read-timeout", "seconds (30)", {"type": float}),
    Flag("--max-redirects", "redirects followed at most (5)", {"type": int}),
)


def from_flags(args: argparse.Namespace) -> dict[str, Any]:
    paging = {k: v for k, v in (("mode", args.paging), ("field", args.page_field),
                                ("param", args.cursor_param), ("items", args.items),
                                ("max_pages", args.max_pages),
                                ("resume", getattr(args, "resume_paging", None))) if v is not None}
    return {
        "url": args.url, "auth": args.auth, "paging": paging or None,
        "fetch_linked": args.fetch_linked,
        "allow_private": args.allow_private or args.allow_private_host,
        "max_bytes": args.max_bytes, "connect_timeout": args.connect_timeout,
        "read_timeout": args.read_timeout, "max_redirects": args.max_redirects,
        "websub": getattr(args, "websub", None),
    }


def probe(cfg: HttpConfig) -> None:
    """Fail now, in one line, if the URL cannot be fetched at all.

    Any answer the worker can use or wait out (200, 304, 429, 503) passes; refused
    addresses, DNS failures, timeouts and 4xx answers do not."""
    if not cfg.url:
        return
    try:
        check_url(cfg.url, cfg.allow_private)
        with Fetcher(cfg) as fetcher:
            fetcher.get(cfg.url)
    except BlockedAddress as exc:
        raise ConfigError(f"source {cfg.name}: {exc}") from None
    except FetchError as exc:
        if exc.status in (429, 503):
            return
        raise ConfigError(f"source {cfg.name}: {exc}") from None


# --- the poll -----------------------------------------------------------------------------

def run(cfg: HttpConfig, r: Run) -> Ran:
    """The worker's step: one poll, with the worker's per-host limiter, timed for metrics;
    then the WebSub subscription tended (its state decides when the next poll is)."""
    with Fetcher(cfg, r.limiter) as fetcher, metrics.poll_timer(cfg.name):
        polled = poll_http(r.store, cfg, r.memo, fetcher, now=r.now, stop=r.stop,
                           checkpoint=r.checkpoint)
    # Pages left where the next poll goes on from them (not from the first page again):
    # at once, as soon as the worker has a thread, until caught up.
    resumes = cfg.paging.resume or cfg.paging.mode == "cursor"
    again = 0.0 if polled.more and resumes else None
    advert = polled.memo.get("websub_advert")
    if cfg.websub and (advert or r.store.websub.get(cfg.name)):
        found = websub.Advert(*advert) if advert else None
        polled.memo["websub"] = websub.tend(r.store, cfg.name, found, base_url=r.base_url,
                                            allow_private=cfg.allow_private, now=r.now())
        if again is None:
            again = websub.next_poll(r.store.websub.get(cfg.name), cfg.every, r.now())
    return Ran(polled.memo, polled.totals, polled.warnings, again=again)


@dataclass
class PollResult:
    memo: dict[str, Any]
    pages: int = 0
    not_modified: bool = False
    more: bool = False  # stopped at max_pages with a next page to fetch
    totals: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def dig(doc: Any, path: str | None) -> Any:
    """`links.next` in {"links": {"next": ...}}; None where the path leads nowhere."""
    if not path:
        return None
    for part in path.split("."):
        if isinstance(doc, dict):
            doc = doc.get(part)
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            return None
    return doc


def with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def split_page(paging: Paging, got: Fetched) -> tuple[bytes | None, str | None, str | None]:
    """(bytes to deliver or None when the page has no items, next page URL, cursor)."""
    next_url = got.links.get("next") if paging.mode == "link" else None
    if paging.mode == "link" and next_url is None and got.data.lstrip()[:1] == b"<":
        next_url = websub.feed_links(got.data, got.url).get("next")  # RFC 5005 paged feeds
    if paging.mode not in ("next", "cursor") and not paging.items:
        return got.data, next_url, None
    try:
        doc = json.loads(got.data)
    except (ValueError, RecursionError):
        return got.data, None, None  # not JSON: the desk quarantines it with its own words
    data: bytes | None = got.data
    if paging.items:
        items = dig(doc, paging.items)
        if isinstance(items, list):
            # One item is delivered as itself, several as an array: the same bytes a ninjs
            # array item gets as its raw copy, so a story seen on two pages dedupes.
            one = items[0] if len(items) == 1 else items
            data = json.dumps(one, ensure_ascii=False).encode("utf-8") if items else None
    value = dig(doc, paging.field)
    cursor = None
    if paging.mode == "next" and isinstance(value, str) and value.strip():
        next_url = urljoin(got.url, value.strip())
    elif paging.mode == "cursor" and value not in (None, "") and not isinstance(value, dict | list):
        cursor = str(value)
    return data, next_url, cursor


def poll_http(store: Store, cfg: HttpConfig, memo: dict[str, Any], fetcher: Fetcher, *,
              now: Callable[[], datetime], stop: Callable[[], bool],
              checkpoint: Callable[[dict[str, Any]], None]) -> PollResult:
    result = PollResult(dict(memo))
    memo = result.memo
    paging = cfg.paging
    cursor = memo.get("cursor") if paging.mode == "cursor" else None
    url: str | None = with_param(cfg.url or "", paging.param, cursor) if cursor else cfg.url
    if paging.resume and memo.get("next_url"):
        url = memo["next_url"]
    seen: set[str] = set()
    while url and result.pages < paging.max_pages and url not in seen:
        if result.pages and stop():
            break  # SIGTERM: the page in hand is applied; the rest waits for the next poll
        seen.add(url)
        headers = {}
        if result.pages == 0 and memo.get("etag_url") == url:
            if memo.get("etag"):
                headers["If-None-Match"] = memo["etag"]
            if memo.get("last_modified"):
                headers["If-Modified-Since"] = memo["last_modified"]
        got = fetcher.get(url, headers)
        answered = datetime.now(UTC)  # the wire-to-web clock starts with the answer
        if got.status == 304:
            result.not_modified = True
            break
        if result.pages == 0:
            memo.update(etag=got.etag, last_modified=got.last_modified, etag_url=url)
            if cfg.websub:
                advert = websub.discover(got)
                memo["websub_advert"] = [advert.hub, advert.topic] if advert else None
        result.pages += 1
        data, next_url, new_cursor = split_page(paging, got)
        if data is not None:
            _deliver(store, cfg, fetcher, got, data, now(), result, answered)
        if paging.resume:
            if next_url:
                memo["next_url"] = next_url  # where the next poll starts
            if data is None:
                next_url = None  # an empty page: caught up
        if paging.mode == "cursor":
            next_url = None
            if new_cursor and new_cursor != memo.get("cursor") and data is not None:
                memo["cursor"] = new_cursor
                next_url = with_param(cfg.url or "", paging.param, new_cursor)
        checkpoint(memo)
        url = next_url
    retry_pending(store, cfg, fetcher, memo, now, result.totals, result.warnings)
    result.more = bool(url) and result.pages >= paging.max_pages and url not in seen
    return result


def _deliver(store: Store, cfg: HttpConfig, fetcher: Fetcher, got: Fetched, data: bytes,
             received: datetime, result: PollResult, arrived: datetime | None = None) -> None:
    # The delivery's name is a label kept with the versions, the quarantine and the logs:
    # the URL without its secrets.
    delivery = Delivery(data, cfg.name, mask_url(got.url), received, got.content_type,
                        arrived=arrived)
    taken: dict[str, str] = {}
    texts = Texts(cfg, fetcher, result.memo, result.warnings)  # AP's NITF renditions

    def transform(stories: list[Story], d: Delivery) -> list[Story]:
        if cfg.fetch_linked:
            stories = _with_linked_pages(cfg, fetcher, got.url, stories, result, taken)
        return texts(stories, d)
    pictures = PictureFetch(store, fetcher=fetcher, base_url=got.url)
    report = apply_delivery(store, cfg, delivery, transform=transform, pictures=pictures)
    texts.commit()
    result.totals.update(report.counts())
    if report.error:
        result.warnings.append(f"quarantined {got.url}: {report.error}")
    if taken:  # only once the delivery committed: a crash before this refetches, harmlessly
        linked = {**result.memo.get("linked", {}), **taken}
        result.memo["linked"] = dict(list(linked.items())[-LINKED_MEMORY:])


def _with_linked_pages(cfg: HttpConfig, fetcher: Fetcher, base: str, stories: list[Story],
                       result: PollResult, taken: dict[str, str]) -> list[Story]:
    """The page's stories with summary-only entries completed from their linked pages;
    `taken` learns which entries were completed (kept once the delivery commits)."""
    done = result.memo.get("linked", {})
    out: list[Story] = []
    for story in stories:
        link = summary_link(story, base)
        if link is None:
            out.append(story)
            continue
        if done.get(story.uri) == story.raw_sha256:
            continue  # this very entry was taken with its page on an earlier poll
        try:
            page = fetcher.get(link, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
            out.append(merge_page(story, page.data, cfg.agency))
            taken[story.uri] = story.raw_sha256
        except (FetchError, FormatError) as exc:
            # Keep the summary for now; the page is tried again at the next poll.
            result.warnings.append(f"linked page for {story.uri}: {exc}")
            out.append(story)
    return out


KIND = Kind("http", HttpConfig, every=60.0, run=run, probe=probe, exclusive=("url", "auth"),
            flags=FLAGS, from_flags=from_flags)
