"""The bytes of a delivery's pictures, fetched and checked before the desk's transaction.

A story names its pictures by href (ninjs renditions, G2 remoteContent, NITF media, feed
enclosures). For each picture the largest image rendition is taken:

- a remote href (or one relative to a polled URL) through the source's own Fetcher: its
  credentials, the SSRF guard on every redirect hop, its time limits. Credentials go only to
  the source's own host (as for AP's NITF renditions, sources/renditions.py); a picture on
  another host is fetched with the same guard and limits and no credentials;
- a relative href from the folder the story came from (a drop folder, or a folder given to
  `wiredesk ingest`), never from outside it: the real path (symlinks resolved) must lie in
  the folder's real path. Such a file is taken with its story (moved with it), and a picture
  file no story names is left where it is, never quarantined as an unreadable story.

Every picture is checked (wiredesk.imaging: size cap, type sniffed from the bytes, pixel cap,
whole decode). A picture that fails is quarantined with a message naming it and what was
wrong; its story is applied without it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from wiredesk import imaging
from wiredesk.sources.fetch import Auth, Fetcher, FetchError
from wiredesk.store import Store
from wiredesk.store.pictures import PictureBatch, Refused
from wiredesk.story import Delivery, Picture, Rendition, Story

log = logging.getLogger("wiredesk.sources")
ACCEPT = "image/avif,image/webp,image/jpeg,image/png,image/gif;q=0.9"
HEAD_BYTES = 4096  # what the quarantine keeps of a picture over the size cap
# Files a drop folder holds for its stories: never applied as deliveries of their own.
PICTURE_SUFFIXES = (".jpg", ".jpeg", ".jpe", ".png", ".webp", ".gif", ".avif", ".svg", ".svgz",
                    ".heic", ".heif", ".tif", ".tiff", ".bmp")
PREFERRED = ("original", "highres", "baseimage", "main", "viewimage", "preview")


def is_picture_file(name: str, head: bytes = b"") -> bool:
    """A picture a story may name, by its name or its first bytes."""
    return name.lower().endswith(PICTURE_SUFFIXES) or imaging.sniff(head) is not None


def best(picture: Picture) -> Rendition | None:
    """The rendition to keep: the widest image the agency offers (named originals first
    when no width is given)."""
    images = [r for r in picture.renditions if r.href and (
        not r.contenttype or r.contenttype.lower().startswith("image/"))]
    if not images:
        return None

    def rank(r: Rendition) -> tuple[bool, int, int]:
        name = (r.name or "").lower()
        named = len(PREFERRED) - PREFERRED.index(name) if name in PREFERRED else 0
        # An SVG only when nothing else is offered: then it is fetched to be quarantined.
        return ("svg" not in (r.contenttype or ""), r.width or 0, named)
    return max(images, key=rank)


@dataclass(frozen=True)
class PictureSettings:
    """Fetch settings for pictures (fetch.FetchSettings): a source's without its credentials
    (a picture on another host), a push source's, or `wiredesk ingest`'s (no credentials)."""

    max_bytes: int = imaging.MAX_BYTES
    allow_private: bool | tuple[str, ...] = False
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_redirects: int = 5
    auth: Auth = field(default_factory=Auth)


class PictureFetch:
    """Fetch and check the pictures of one delivery's stories (desk.apply's `pictures`).

    `folder`: where relative hrefs are read from (the story file's folder); `fetcher` and
    `base_url`: the source's Fetcher and URL, for remote and URL-relative hrefs; its
    credentials go to the URL's own host and to `auth_hosts` (host or host:port), nowhere
    else. `remote`: settings for remote hrefs without a source Fetcher (`wiredesk ingest`:
    no credentials). `taken` lists the folder's picture files used, to be moved along with
    the story's file; `waiting` the remote hrefs left unfetched for want of a way to fetch
    them (a push hands them to the worker). A story version the store already holds gets no
    fetch (the desk answers "unchanged" and links nothing), so a feed page served again does
    not fetch, nor quarantine, the same broken picture at every poll; `after` (the worker's
    fetch for a push already applied) fetches them all the same."""

    def __init__(self, store: Store | None = None, *, folder: Path | None = None,
                 fetcher: Fetcher | None = None, base_url: str | None = None,
                 remote: PictureSettings | None = None, auth_hosts: Sequence[str] = (),
                 after: bool = False, max_bytes: int = imaging.MAX_BYTES,
                 max_pixels: int = imaging.MAX_PIXELS) -> None:
        self.store, self.folder, self.fetcher, self.after = store, folder, fetcher, after
        self.base_url, self.remote = base_url, remote
        self.auth_hosts = tuple(h.lower() for h in auth_hosts)
        self.max_bytes, self.max_pixels = max_bytes, max_pixels
        self.taken: list[Path] = []
        self.waiting: list[str] = []

    def __call__(self, stories: Sequence[Story], delivery: Delivery) -> PictureBatch:
        batch = PictureBatch()
        applied = set() if self.after or self.store is None else self.store.pictures.applied(
            [s.raw_sha256 for s in stories if s.type != "picture" and s.pictures])
        for story in stories:
            if story.raw_sha256 in applied:  # a version we hold: nothing of it is linked again
                self._take_unread(story)
                continue
            for picture in story.pictures:
                if picture.uri in batch.got or (
                        self.store is not None and self.store.pictures.has_bytes(picture.uri)):
                    continue  # kept from an earlier delivery (or gone for good)
                if story.type == "picture" and story.pubstatus.value == "canceled":
                    continue  # a kill needs no bytes
                rendition = best(picture)
                if rendition is None:
                    continue  # nothing to fetch: the picture is not shown
                try:
                    data = self._read(rendition.href, delivery)
                except _Unreachable as exc:  # no way to fetch it here: not a broken picture
                    log.info("picture %s for %s not fetched: %s", rendition.href, story.uri, exc)
                    continue
                except _Refused as exc:
                    batch.refused.append(Refused(picture.uri, rendition.href, exc.data,
                                                 f"picture {rendition.href} for {story.uri}: "
                                                 f"{exc}"))
                    continue
                try:
                    batch.got[picture.uri] = imaging.check(data, max_bytes=self.max_bytes,
                                                           max_pixels=self.max_pixels)
                except imaging.PictureError as exc:
                    batch.refused.append(Refused(picture.uri, rendition.href, _head(data),
                                                 f"picture {rendition.href} for {story.uri}: "
                                                 f"{exc}"))
        return batch

    def _read(self, href: str, delivery: Delivery) -> bytes:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https"):
            return self._fetch(href)
        base = self.base_url or (delivery.name if "://" in (delivery.name or "") else None)
        if self.folder is None and base and not parts.scheme:  # relative to the polled URL
            return self._fetch(urljoin(base, href))
        if parts.scheme or parts.netloc or href.startswith("/"):
            raise _Refused(f"only http(s) URLs and names in the story's own folder are read; "
                           f"not {parts.scheme or 'an absolute path'}")
        if self.folder is not None:
            return self._file(unquote(parts.path))
        raise _Unreachable("a relative href, and no folder or URL to read it from")

    def _fetch(self, url: str) -> bytes:
        if self.fetcher is None and self.remote is None:
            self.waiting.append(url)
            raise _Unreachable("no fetcher here for remote pictures")
        try:
            if self.fetcher is not None and self._credited(url):
                got = self.fetcher.get(url, accept=ACCEPT)
            else:
                with Fetcher(self._anonymous(), self.fetcher.limiter if self.fetcher
                             else None) as fetcher:
                    got = fetcher.get(url, accept=ACCEPT)
        except FetchError as exc:
            raise _Refused(str(exc)) from None
        if len(got.data) > self.max_bytes:  # the source's own cap may be larger
            raise _Refused(f"{len(got.data)} bytes is over the picture limit of "
                           f"{self.max_bytes} bytes", got.data[:HEAD_BYTES])
        return got.data

    def _take_unread(self, story: Story) -> None:
        """A drop folder's story applied before (re-read after a crash): its picture files
        still go with it, unread."""
        if self.folder is None:
            return
        root = self.folder.resolve()
        for picture in story.pictures:
            rendition = best(picture)
            if rendition is None:
                continue
            parts = urlsplit(rendition.href)
            if parts.scheme or parts.netloc or rendition.href.startswith("/"):
                continue
            path = (root / unquote(parts.path)).resolve()
            if path.is_relative_to(root) and path != root and path.is_file():
                self.taken.append(root / unquote(parts.path))

    def _credited(self, url: str) -> bool:
        """May the source's credentials go with this request?"""
        if _same_origin(url, self.base_url or ""):
            return True
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return bool(host) and any(entry in (host, parts.netloc.lower())
                                  for entry in self.auth_hosts)

    def _anonymous(self) -> PictureSettings:
        """The settings for a request without credentials, within the picture cap."""
        if self.fetcher is None:
            assert self.remote is not None
            return replace(self.remote, auth=Auth(),
                           max_bytes=min(self.remote.max_bytes, self.max_bytes))
        cfg = self.fetcher.cfg
        return PictureSettings(self.max_bytes, cfg.allow_private, cfg.connect_timeout,
                               cfg.read_timeout, cfg.max_redirects)

    def _file(self, name: str) -> bytes:
        assert self.folder is not None
        root = self.folder.resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root) or path == root:
            raise _Refused(f"{name} is outside the story's folder; not read")
        try:
            with path.open("rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size > self.max_bytes:
                    raise _Refused(f"{size} bytes is over the picture limit of "
                                   f"{self.max_bytes} bytes; not read", f.read(HEAD_BYTES))
                data = f.read(self.max_bytes + 1)
        except FileNotFoundError:
            raise _Refused(f"no file {name} in the story's folder") from None
        except IsADirectoryError:
            raise _Refused(f"{name} is a folder, not a picture") from None
        except OSError as exc:
            raise _Refused(f"cannot read {name}: {exc.strerror}") from None
        self.taken.append(root / name)
        return data


class _Refused(Exception):
    def __init__(self, message: str, data: bytes = b"") -> None:
        super().__init__(message)
        self.data = data


class _Unreachable(Exception):
    """A picture this path has no way to fetch (a remote href given to `wiredesk ingest`):
    the story goes without it, and nothing is quarantined: the bytes were never seen."""


def _head(data: bytes) -> bytes:
    return data if len(data) <= imaging.MAX_BYTES // 8 else data[:HEAD_BYTES]


def _same_origin(href: str, base: str) -> bool:
    a, b = urlsplit(href), urlsplit(base)
    return bool(a.scheme and a.netloc) and (a.scheme, a.netloc.lower()) == (b.scheme,
                                                                              b.netloc.lower())
