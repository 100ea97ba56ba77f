"""Verbatim proof for one story (`wiredesk verify URI`): re-read the raw bytes stored for each
version and hash them again, re-parse the current version's bytes with the same parser and the
same agency argument as at ingest (the ledger keeps it), and check that the words on the live
page equal the agency's words (wiredesk.verbatim, the check the tests make on every sample).

The bytes kept for a story are its item's own: the whole file when it held one item, else the
item cut out of it (one entry of a feed, one NewsItem of several). Such an item is re-parsed
inside the smallest envelope its format needs (`envelopes`); its words come from the item.

A story taken down has no bytes left to re-read (they are purged with it): that is said, with
the hashes the ledger keeps, and is not a failure. Anything that does not match is.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from wiredesk import formats, verbatim
from wiredesk.config import Settings
from wiredesk.formats import FormatError
from wiredesk.store import Store, StoryRecord
from wiredesk.story import Story

# Fetches the reader's page of a story id: its HTML, or None when it is not answered 200.
PageFetcher = Callable[[int], "str | None"]


@dataclass(frozen=True)
class HashCheck:
    version: str | None
    format: str
    received_at: datetime
    source: str
    stored: str
    recomputed: str | None  # None: the bytes are purged
    current: bool

    @property
    def ok(self) -> bool:
        return self.recomputed is None or self.recomputed == self.stored


@dataclass
class Verification:
    story_id: int
    uri: str
    state: str  # live | embargoed | withheld | takendown | expired
    agency: str | None
    hashes: list[HashCheck] = field(default_factory=list)
    parser: str | None = None
    parsed_with: str | None = None
    words: str | None = None  # what the words check found, in one line
    problems: list[str] = field(default_factory=list)
    purged: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def outcome(self) -> str:
        if self.problems:
            return "FAIL: " + "; ".join(self.problems)
        return "PURGED: nothing left to re-read; the ledger keeps the hashes" if self.purged \
            else "OK"


def parser_for(fmt: str, data: bytes) -> str:
    """The parser a version was read with: its format's name ("ninjs 2.2" is ninjs), or the
    one that claims the bytes (detection is pure: the same bytes find the same parser)."""
    name = (fmt or "").split(" ", 1)[0]
    return name if name in formats.FORMATS else formats.detect(data)


def envelopes(parser: str, data: bytes) -> Iterator[bytes]:
    """The item alone, then in each minimal envelope its format needs to be read again."""
    yield data
    body = data.strip()
    head = body.split(b">", 1)[0]
    tag = head[1:].split(None, 1)[0] if head.startswith(b"<") else b""
    if parser == "jsonfeed":
        for version in (b"1.1", b"1"):  # 1.0 allowed numeric ids
            yield (b'{"version":"https://jsonfeed.org/version/' + version + b'","title":"",'
                   b'"items":[' + body + b"]}")
    elif parser == "newsml12":
        yield b"<NewsML>" + body + b"</NewsML>"
    elif parser == "feed" and tag.split(b":")[-1] == b"entry":
        yield b'<feed xmlns="http://www.w3.org/2005/Atom">' + body + b"</feed>"
    elif parser == "feed" and b'xmlns="http://purl.org/rss/1.0/"' in head:
        yield (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about=""><title/><link/>'
               b"<description/></channel>" + body + b"</rdf:RDF>")
    elif parser == "feed":
        yield b'<rss version="2.0"><channel>' + body + b"</channel></rss>"


def reparse(parser: str, data: bytes, agency: str | None) -> list[Story]:
    """The stories in a version's stored bytes, read as at ingest; FormatError (the item's
    own) when neither the bytes nor any envelope reads."""
    first: FormatError | None = None
    for candidate in envelopes(parser, data):
        try:
            return formats.parse(candidate, parser, agency=agency)
        except FormatError as exc:
            first = first or exc
    assert first is not None
    raise first


def verify(store: Store, uri: str, now: datetime, page: PageFetcher) -> Verification:
    record = store.story_by_uri(uri)
    if record is None:
        raise LookupError(f"no story with uri {uri!r}")
    state = "expired" if record.state != "takendown" and record.ends_at <= now else record.state
    found = Verification(record.id, record.uri, state, record.story.agency)
    head = None
    for version in store.history(record.id):
        data = store.raw_bytes(version.raw_sha256)
        check = HashCheck(version.version, version.format, version.received_at, version.source,
                          version.raw_sha256,
                          hashlib.sha256(data).hexdigest() if data is not None else None,
                          version.is_head)
        found.hashes.append(check)
        if not check.ok:
            found.problems.append(f"version {version.version or '-'} received "
                                  f"{version.received_at:%Y-%m-%d %H:%M:%S}: its stored bytes "
                                  "no longer hash to the SHA-256 recorded at receipt")
        if version.is_head:
            head = (version, data)
    if head is None:
        found.problems.append("the story has no current version")
        return found
    version, data = head
    if data is None:
        if record.state == "takendown":
            found.purged = True
        else:
            found.problems.append("the current version's raw bytes are missing")
        return found
    _check_words(store, record, version.story, version.format, data, found, now, page)
    return found


def _check_words(store: Store, record: StoryRecord, stored: Story, fmt: str, data: bytes,
                 found: Verification, now: datetime, page: PageFetcher) -> None:
    sha = hashlib.sha256(data).hexdigest()
    found.parsed_with = next((v.parsed_with for v in store.ledger.provenance(record.id)
                              if v.sha256 == sha), None)
    if found.parsed_with is None:  # stored before the ledger: the source's agency
        source = store.sources.get(record.source)
        found.parsed_with = source.agency if source else None
    try:
        found.parser = parser_for(fmt, data)
        parsed = [s for s in reparse(found.parser, data, found.parsed_with)
                  if s.uri == record.uri]
    except FormatError as exc:
        found.problems.append(f"the stored bytes no longer parse: {exc}")
        return
    if not parsed:
        found.problems.append("re-parsing the stored bytes gives no story with this uri")
        return
    story = next((s for s in parsed if s.raw_sha256 == sha), parsed[-1])
    sent = verbatim.agency_words(story)
    differs = verbatim.difference(verbatim.agency_words(stored), sent)
    if differs:
        found.problems.append(f"the stored body is not the body in the bytes received: {differs}")
    if not record.visible(now) or record.ends_at <= now:
        found.words = f"not on a page now ({found.state}): the {len(sent)} words are not shown"
        return
    html = page(record.id)
    if html is None:
        found.problems.append("the story should be live but its page did not answer 200")
        return
    try:
        differs = verbatim.check(html, story)
    except ValueError as exc:
        found.problems.append(f"the page: {exc}")
        return
    if differs:
        found.problems.append(f"the page's words are not the agency's: {differs}")
    else:
        found.words = f"the page's words equal the agency's {len(sent)} words"


def local_pages(store: Store, settings: Settings, now: datetime) -> PageFetcher:
    """The pages as this wiredesk renders them now, in process (no server, no cache)."""
    import logging

    import httpx

    from wiredesk.web.app import create_app

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line a request: not here

    quiet = settings.with_changes(purge_url=None, websub_hub=None)  # reading only
    app = create_app(quiet, store=store, clock=lambda: now, cache=False)

    async def get(story_id: int) -> str | None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://wiredesk") as client:
            answer = await client.get(f"/story/{story_id}")
        return answer.text if answer.status_code == 200 else None

    return lambda story_id: asyncio.run(get(story_id))


def site_pages(base_url: str) -> PageFetcher:
    """The pages as a running site serves them to readers (`wiredesk verify --site URL`)."""
    import httpx

    def get(story_id: int) -> str | None:
        answer = httpx.get(f"{base_url.rstrip('/')}/story/{story_id}", follow_redirects=True,
                           timeout=10)
        return answer.text if answer.status_code == 200 else None

    return get
