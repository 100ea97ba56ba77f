"""HTTP caching rules shared by every surface: ETag and 304, max-age bounded by the story's
end, and Surrogate-Key headers naming the story and its lists so a CDN can purge by key."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

# RFC 3986 pchar less the unreserved letters and digits quote() always keeps.
_PATH_SAFE = "/!$&'()*+,;=:@~"
LIST_MAX_AGE = 30  # seconds: lists change with every delivery
ITEM_MAX_AGE = 60
# Varnish refuses a response with a header line over 8 KB (http_resp_hdr_len) and answers
# 503; some CDNs stop at 16 KB. A page linking a thousand stories stays well inside.
KEYS_CHARS = 4000


def max_age(now: datetime, ends: Iterable[datetime | None], cap: int) -> int:
    """Seconds a response may be cached: never past the end of any story it shows."""
    seconds = [int((end - now).total_seconds()) for end in ends if end is not None]
    return max(0, min([cap, *seconds]))


def uri_path(path: str) -> str:
    """A decoded path (/feeds/agency/ČTK/atom.xml) as a URI path: percent-encoded UTF-8, as
    an HTTP header (RFC 8288 Link, Location) must carry it, and as a WebSub topic is named."""
    return quote(path, safe=_PATH_SAFE)


def header_uri(url: str) -> str:
    """A URL for a header, keeping what is already percent-encoded (RFC 3986)."""
    return quote(url, safe=_PATH_SAFE + "?#[]%")


def key_part(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "none"


def story_keys(story_id: int, agency: str | None, subjects: Iterable[str] = ()) -> list[str]:
    keys = [f"story-{story_id}", "stories"]
    if agency:
        keys.append(f"agency-{key_part(agency)}")
    keys += [f"subject-{key_part(s)}" for s in subjects]
    return keys


def surrogate_keys(keys: Iterable[str], limit: int = KEYS_CHARS) -> str:
    """The Surrogate-Key header, at most `limit` characters. Past it, the keys of linked
    stories (`story-N` after the first) give way to `stories`, which every takedown purges
    (story_keys): the page still leaves the edge on any takedown, only more often."""
    unique = list(dict.fromkeys(keys))
    header = " ".join(unique)
    if len(header) <= limit:
        return header
    first = next((k for k in unique if k.startswith("story-")), None)
    kept = [k for k in unique if not k.startswith("story-") or k == first]
    if "stories" not in kept:
        kept.append("stories")
    header = " ".join(kept)
    if len(header) > limit:
        raise ValueError(f"Surrogate-Key: {len(header)} characters of list keys, over {limit}")
    room = limit - len(header)
    for key in unique:  # as many linked stories as fit, the first named first
        if key.startswith("story-") and key != first and len(key) + 1 <= room:
            header += " " + key
            room -= len(key) + 1
    return header


def shared_for(seconds: int) -> str:
    """Cache-Control for a page a shared cache (Varnish, a CDN) may keep `seconds`, purged by
    key on a takedown; a browser keeps it zero seconds and asks again (a cheap 304 by ETag),
    because nothing can purge a reader's own cache: a killed story must not be shown from it."""
    return f"public, max-age=0, s-maxage={seconds}"


def respond(request: Request, body: bytes, media_type: str, *, cache_seconds: int,
            keys: Iterable[str], last_modified: datetime | None = None, status: int = 200,
            extra: dict[str, str] | None = None) -> Response:
    """A cacheable response, or 304 when the client's copy is current."""
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": shared_for(cache_seconds) if cache_seconds else "no-cache",
        "Surrogate-Key": surrogate_keys(keys),
        # The same bytes for every reader (the text size is set on the client): no Vary:
        # Cookie, so caches keep one copy. A page rendered for a text-size cookie says private.
        "Vary": "Accept-Encoding",
        **(extra or {}),
    }
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(last_modified.replace(microsecond=0), usegmt=True)
    if status == 200 and _not_modified(request, etag, last_modified):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, headers=headers, media_type=media_type)


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    return not_modified(request.headers.get("if-none-match"),
                        request.headers.get("if-modified-since"), etag, last_modified)


def not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str,
                 last_modified: datetime | None) -> bool:
    """RFC 9110: If-None-Match wins; else If-Modified-Since against Last-Modified."""
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
    if if_modified_since and last_modified is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
    return False
