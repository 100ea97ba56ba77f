"""Stories whose text is elsewhere: fetch it, read it, and only then let the story be shown.

An AP Media API item carries its metadata in JSON and its words in a NITF rendition at
`renditions.nitf.href` (Story.body_href). A polled source fetches that URL through its own
Fetcher: the source's credentials (AP's API key), the SSRF guard on every hop, the size and
time limits. Credentials go only where the source itself points: a rendition on another
host than the source's URL is not fetched. The NITF is read (by detection) and its body,
byline, dateline and credit go into the story, which keeps the item's uri, headline, times,
status, signals and hold.

Until the text arrives the story is stored withheld (desk.held_reason: "waiting for its
text from ..."), so the console shows it and why, and readers never see a headline without
its words. A failed fetch is remembered in the source's memo with the item's bytes and tried
again at each poll, since a paged API (AP's `next_page`) will not serve the item again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from wiredesk import formats
from wiredesk.formats import FormatError
from wiredesk.sources.config import SourceConfig
from wiredesk.sources.deliver import apply_delivery
from wiredesk.sources.fetch import Fetcher, FetchError
from wiredesk.store import Store
from wiredesk.story import Delivery, Pubstatus, Story

log = logging.getLogger("wiredesk.sources")
TAKEN = "renditions_taken"  # memo: uri -> SHA-256 of the item version whose text was taken
PENDING = "renditions_pending"  # memo: uri -> [item bytes as text, tries]
TAKEN_MEMORY = 1000
MAX_PENDING = 200  # items waiting for their text, per source
MAX_TRIES = 30  # polls; then the story stays withheld and the operator sees why
MAX_ITEM_BYTES = 256 * 1024  # an item kept in the memo for a retry
ACCEPT = "application/xml,text/xml;q=0.9,*/*;q=0.5"


def waits_for_text(story: Story) -> bool:
    """A story that may be published once its text, still elsewhere, is fetched."""
    return (bool(story.body_href) and not story.body.text.strip()
            and story.pubstatus is Pubstatus.USABLE and not story.hold)


def merge_rendition(story: Story, data: bytes, agency: str | None) -> Story:
    """`story` with the body, byline, dateline and credit read from its NITF rendition.
    The version's raw bytes are the item's and the rendition's, one after the other: a
    revision that changes only the metadata, or only the text, is a new version either way."""
    # Read by detection: AP's is NITF; a Reuters package's itemRef points at a NewsML-G2 item.
    stories = formats.parse(data, None, agency=agency or story.agency)
    if not stories:
        raise FormatError("rendition", "rendition", "no story in the rendition")
    text = stories[0]
    if not text.body.text.strip():
        raise FormatError(text.format or "rendition", "rendition", "the rendition has no text")
    return story.with_changes(
        body=text.body,
        by=text.by or story.by,
        dateline=text.dateline or story.dateline,
        located=story.located or text.located,
        creditline=text.creditline or story.creditline,
        raw=story.raw.rstrip() + b"\n" + data,
        format=f"{story.format}+{text.format}"[:40],
        warnings=(*story.warnings, *text.warnings),
    )


class Texts:
    """The desk transform that completes one delivery's stories with their renditions;
    `commit` records in the source's memo what was taken and what still waits, once the
    delivery is applied."""

    def __init__(self, cfg: SourceConfig, fetcher: Fetcher, memo: dict[str, Any],
                 warnings: list[str]) -> None:
        self.cfg, self.fetcher, self.memo, self.warnings = cfg, fetcher, memo, warnings
        self.taken: dict[str, str] = {}
        self.waiting: dict[str, str] = {}

    def __call__(self, stories: list[Story], _delivery: Delivery) -> list[Story]:
        done = self.memo.get(TAKEN, {})
        out: list[Story] = []
        for story in stories:
            if not waits_for_text(story):
                out.append(story)
                continue
            if done.get(story.uri) == story.raw_sha256:
                continue  # this very version was taken with its text on an earlier poll
            try:
                out.append(self._complete(story))
                self.taken[story.uri] = story.raw_sha256
            except (FetchError, FormatError) as exc:
                self.warnings.append(f"text for {story.uri}: {exc}")
                log.warning("text for %s not taken: %s", story.uri, exc)
                if len(story.raw) <= MAX_ITEM_BYTES and not isinstance(exc, _Elsewhere):
                    self.waiting[story.uri] = story.raw.decode("utf-8", "replace")
                out.append(story)  # stored withheld, waiting for its text
        return out

    def _complete(self, story: Story) -> Story:
        href = story.body_href or ""
        if not same_origin(href, self.cfg_url()):
            raise _Elsewhere(f"{href} is not on the source's host; its credentials are not "
                             "sent elsewhere, so the text was not fetched")
        got = self.fetcher.get(href, accept=ACCEPT)
        return merge_rendition(story, got.data, self.cfg.agency)

    def cfg_url(self) -> str:
        return str(getattr(self.cfg, "url", "") or "")

    def commit(self) -> None:
        if self.taken:
            taken = {**self.memo.get(TAKEN, {}), **self.taken}
            self.memo[TAKEN] = dict(list(taken.items())[-TAKEN_MEMORY:])
        pending = dict(self.memo.get(PENDING, {}))
        for uri in self.taken:
            pending.pop(uri, None)
        for uri, text in self.waiting.items():
            tries = pending.get(uri, [text, 0])[1] + 1
            if tries > MAX_TRIES:
                pending.pop(uri, None)
                self.warnings.append(f"text for {uri}: gave up after {MAX_TRIES} polls; "
                                     "the story stays withheld")
            else:
                pending[uri] = [text, tries]
        if pending or PENDING in self.memo:
            self.memo[PENDING] = dict(list(pending.items())[-MAX_PENDING:])


class _Elsewhere(FetchError):
    """A rendition on another host: never fetched with this source's credentials."""


def same_origin(href: str, base: str) -> bool:
    a, b = urlsplit(href), urlsplit(base)
    return bool(a.scheme and a.netloc) and (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def retry_pending(store: Store, cfg: SourceConfig, fetcher: Fetcher, memo: dict[str, Any],
                  now: Callable[[], datetime], totals: Counter[str], warnings: list[str]) -> None:
    """Deliver again the items still waiting for their text, each with a fresh fetch."""
    for uri, (text, _tries) in list((memo.get(PENDING) or {}).items()):
        texts = Texts(cfg, fetcher, memo, warnings)
        delivery = Delivery(text.encode("utf-8"), cfg.name, f"{uri} (text fetched again)",
                            now(), "application/json")
        report = apply_delivery(store, cfg, delivery, transform=texts)
        totals.update(report.counts())
        if report.error:  # the item itself no longer reads: nothing left to wait for
            texts.waiting.clear()
            memo[PENDING] = {k: v for k, v in memo.get(PENDING, {}).items() if k != uri}
        texts.commit()
