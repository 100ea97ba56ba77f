"""The one place URLs are made fit to show: in the API, the console, the CLI, health error
texts and logs, a URL keeps its scheme, host, path and harmless query values, and loses its
userinfo (`user:password@`) and the values of secret-looking query parameters.

Imports nothing of ours: the store (errors it keeps), the sources, the web and the CLI use it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

MASK = "***"
# Query parameter names whose values are secrets, compared without case.
SECRET_PARAMS = frozenset({"apikey", "api_key", "key", "token", "access_token", "secret",
                           "password", "sig", "signature"})
# A URL inside free text (an error message): a scheme, then anything up to a space or quote.
_IN_TEXT = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>]+")


def mask_url(url: str) -> str:
    """`https://u:p@host/x?apikey=1&q=a` -> `https://***@host/x?apikey=***&q=a`."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not even a URL (a bad IPv6 host): show nothing that might be secret
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rpartition("@")[2]
    query = _mask_query(parts.query)
    if netloc == parts.netloc and query == parts.query:
        return url  # nothing secret: as given (urlunsplit would turn sqlite:/// into sqlite:/)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _mask_query(query: str) -> str:
    if not query:
        return query
    pieces = []
    for piece in re.split(r"([&;])", query):
        name, eq, _ = piece.partition("=")
        if eq and unquote(name).strip().lower() in SECRET_PARAMS:
            piece = f"{name}={MASK}"
        pieces.append(piece)
    return "".join(pieces)


def mask_text(text: str) -> str:
    """Every URL in a message (an error, a log line) masked; the rest as it was."""
    if "://" not in text:
        return text
    return _IN_TEXT.sub(_mask_found, text)


def _mask_found(match: re.Match[str]) -> str:
    # Punctuation that ends a sentence ("cannot fetch URL: refused") is not the URL's.
    found = match.group(0)
    url = found.rstrip(".,:;!?)]}")
    return mask_url(url) + found[len(url):]
