"""brotli and gzip for the bytes wiredesk keeps: each cached page and static file is compressed
once per encoding a reader asks for, never per request.

Open-source Varnish has no brotli, so wiredesk compresses and the edge keeps one object per
encoding (deploy/varnish/wiredesk.vcl normalises Accept-Encoding to br, gzip or nothing,
and every compressible answer says `Vary: Accept-Encoding`). An encoded answer has an ETag
of its own (the plain one with `-br` or `-gz` inside the quotes), as RFC 9110 asks of
different representations.
"""

from __future__ import annotations

import gzip
import re

import brotli

BR, GZIP, IDENTITY = "br", "gzip", ""
BR_QUALITY = 5  # pages are compressed at each re-render: 5 is near 11's size at a fraction
STATIC_BR_QUALITY = 11  # static files: once per process, so the smallest
GZIP_LEVEL = 6
MIN_BYTES = 512  # below this the encoding's framing eats most of the gain
_SUFFIX = {BR: b"-br", GZIP: b"-gz"}
_COMPRESSIBLE = re.compile(
    rb"^\s*(text/|application/(json|xml|javascript|ecmascript|manifest\+json|[\w.+-]*\+(json|xml))"
    rb"|image/svg\+xml)", re.IGNORECASE)
_TOKEN = re.compile(r"^\s*([\w*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def preferred(accept_encoding: str | None) -> str:
    """br when the reader takes it, else gzip, else no encoding ("")."""
    if not accept_encoding:
        return IDENTITY
    taken: set[str] = set()
    for part in accept_encoding.split(","):
        match = _TOKEN.match(part)
        if match is None:
            continue
        try:
            weight = float(match[2]) if match[2] is not None else 1.0
        except ValueError:
            continue
        if weight > 0:
            taken.add(match[1].lower())
    if BR in taken:
        return BR
    if GZIP in taken or "x-gzip" in taken:
        return GZIP
    return IDENTITY


def accepted(headers: list[tuple[bytes, bytes]]) -> str:
    """`preferred` for an ASGI scope's raw headers."""
    value = next((v for n, v in headers if n == b"accept-encoding"), None)
    return preferred(value.decode("latin-1")) if value is not None else IDENTITY


def compressible_type(content_type: bytes | None) -> bool:
    """Text (HTML, CSS, JavaScript, JSON, XML, SVG): what compresses well."""
    return bool(content_type) and bool(_COMPRESSIBLE.match(content_type or b""))


def compressible(content_type: bytes | None, body: bytes) -> bool:
    return len(body) >= MIN_BYTES and compressible_type(content_type)


def encode(body: bytes, encoding: str, *, static: bool = False) -> bytes:
    if encoding == BR:
        return brotli.compress(body, quality=STATIC_BR_QUALITY if static else BR_QUALITY)
    if encoding == GZIP:
        return gzip.compress(body, GZIP_LEVEL, mtime=0)  # mtime 0: the same bytes every time
    raise ValueError(f"no such content encoding: {encoding!r}")


def variant_etag(etag: bytes | None, encoding: str) -> bytes | None:
    """The ETag of an encoded answer: the plain one with the encoding's suffix in its quotes."""
    if etag is None or encoding == IDENTITY:
        return etag
    if etag.endswith(b'"'):
        return etag[:-1] + _SUFFIX[encoding] + b'"'
    return etag + _SUFFIX[encoding]


def with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers, saying Vary: Accept-Encoding (added to a Vary already there)."""
    out, found = [], False
    for name, value in headers:
        if name.lower() == b"vary":
            found = True
            if b"accept-encoding" not in value.lower():
                value = value + b", Accept-Encoding"
        out.append((name, value))
    return out if found else [*out, (b"vary", b"Accept-Encoding")]


def encoded_headers(headers: list[tuple[bytes, bytes]], encoding: str, length: int,
                    etag: bytes | None) -> list[tuple[bytes, bytes]]:
    """`headers` for the encoded body: its length, encoding and ETag, and the Vary."""
    dropped = (b"content-length", b"content-encoding", b"etag")
    out = [(n, v) for n, v in with_vary(headers) if n.lower() not in dropped]
    out.append((b"content-length", str(length).encode()))
    if encoding != IDENTITY:
        out.append((b"content-encoding", encoding.encode()))
    if etag is not None:
        out.append((b"etag", etag))
    return out
