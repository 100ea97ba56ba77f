"""One poll of an HTTP source: conditional GET, then page by page through a JSON API.

Each page is one Delivery, applied in its own transaction before the next page is fetched;
the poll memo (ETag, Last-Modified, cursor) is checkpointed after each page, so a worker
killed half-way resumes from the last page it applied, and a page applied twice is a no-op.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from wiredesk.formats import FormatError
from wiredesk.sources.config import Paging, SourceConfig
from wiredesk.sources.deliver import apply_delivery
from wiredesk.sources.fetch import Fetched, Fetcher, FetchError
from wiredesk.sources.linked import merge_page, summary_link
from wiredesk.store import Store
from wiredesk.story import Delivery, Story

log = logging.getLogger("wiredesk.sources")
LINKED_MEMORY = 1000  # entries whose linked page was taken, remembered between polls


@dataclass
class PollResult:
    memo: dict[str, Any]
    pages: int = 0
    not_modified: bool = False
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


def poll_http(store: Store, cfg: SourceConfig, memo: dict[str, Any], fetcher: Fetcher, *,
              now: Callable[[], datetime], stop: Callable[[], bool],
              checkpoint: Callable[[dict[str, Any]], None]) -> PollResult:
    result = PollResult(dict(memo))
    memo = result.memo
    paging = cfg.paging
    cursor = memo.get("cursor") if paging.mode == "cursor" else None
    url: str | None = with_param(cfg.url or "", paging.param, cursor) if cursor else cfg.url
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
        if got.status == 304:
            result.not_modified = True
            break
        if result.pages == 0:
            memo.update(etag=got.etag, last_modified=got.last_modified, etag_url=url)
        result.pages += 1
        data, next_url, new_cursor = split_page(paging, got)
        if data is not None:
            _deliver(store, cfg, fetcher, got, data, now(), result)
        if paging.mode == "cursor":
            next_url = None
            if new_cursor and new_cursor != memo.get("cursor") and data is not None:
                memo["cursor"] = new_cursor
                next_url = with_param(cfg.url or "", paging.param, new_cursor)
        checkpoint(memo)
        url = next_url
    return result


def _deliver(store: Store, cfg: SourceConfig, fetcher: Fetcher, got: Fetched, data: bytes,
             received: datetime, result: PollResult) -> None:
    delivery = Delivery(data, cfg.name, got.url, received, got.content_type)
    taken: dict[str, str] = {}
    transform = None
    if cfg.fetch_linked:
        def transform(stories: list[Story], _delivery: Delivery) -> list[Story]:
            return _with_linked_pages(cfg, fetcher, got.url, stories, result, taken)
    report = apply_delivery(store, cfg, delivery, transform=transform)
    result.totals.update(report.counts())
    if report.error:
        result.warnings.append(f"quarantined {got.url}: {report.error}")
    if taken:  # only once the delivery committed: a crash before this refetches, harmlessly
        linked = {**result.memo.get("linked", {}), **taken}
        result.memo["linked"] = dict(list(linked.items())[-LINKED_MEMORY:])


def _with_linked_pages(cfg: SourceConfig, fetcher: Fetcher, base: str, stories: list[Story],
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
