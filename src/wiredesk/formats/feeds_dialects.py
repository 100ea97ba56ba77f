"""Feed dialects read as the standard they stand for, as feedparser reads them: RSS 2.0
under a default namespace (UserLand's drafts), Atom 0.3 (the 2003-2005 drafts before RFC
4287), and UTF-8 bytes under a single-byte encoding declaration. Only feeds of such a
dialect pay for these (feeds.py calls them on a declaration or a root it does not know)."""

from __future__ import annotations

import re

from lxml import etree

_A = "{http://www.w3.org/2005/Atom}"
_ATOM_ENTRY = _A + "entry"

# RSS 2.0 under a default namespace, as UserLand's drafts had it (feedparser reads it too).
RSS2_NAMESPACES = ("{http://backend.userland.com/rss2}rss", "{http://backend.userland.com/rss}rss",
                   "{http://blogs.law.harvard.edu/tech/rss}rss")

# A single-byte encoding declared: the bytes may be UTF-8 all the same (a CMS's template
# says ISO-8859-1, its text is UTF-8). Valid UTF-8 with non-ASCII in it is read as UTF-8,
# as feedparser reads it: latin-1 text is valid UTF-8 only by a rare accident ("Ã©").
_SINGLE_BYTE_DECLARED = re.compile(
    rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"'](iso-8859-1|iso_8859-1|latin-?1|windows-1252|cp1252|"
    rb"us-ascii|ascii)[\"']", re.I)


def utf8_declared_single_byte(data: bytes) -> bytes:
    """The bytes, their declaration saying UTF-8 where they are UTF-8 under another name."""
    if (m := _SINGLE_BYTE_DECLARED.match(data)) is None or data.isascii():
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # what it says it is
    return data[:m.start(1)] + b"UTF-8" + data[m.end(1):]


def drop_namespace(root: etree._Element, clark: str) -> None:
    """RSS 2.0 in a default namespace read as plain RSS 2.0: its elements' namespace off."""
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.startswith(clark):
            node.tag = node.tag[len(clark):]
    etree.cleanup_namespaces(root)


_ATOM03 = "{http://purl.org/atom/ns#}"
ATOM03_FEED = _ATOM03 + "feed"
# Atom 0.3's names for what Atom 1.0 calls otherwise (the 0.3 draft, section 4 and 5).
_ATOM03_NAMES = {"modified": "updated", "issued": "published", "tagline": "subtitle",
                 "copyright": "rights"}


def atom03_as_atom(root: etree._Element) -> None:
    """Atom 0.3, as feedparser reads it: its elements renamed into Atom 1.0, its MIME-typed
    content ("text/html" escaped, "application/xhtml+xml" inline) typed as 1.0 types it."""
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.startswith(_ATOM03):
            name = node.tag[len(_ATOM03):]
            node.tag = _A + _ATOM03_NAMES.get(name, name)
            if name in ("title", "content", "summary", "tagline", "copyright"):
                node.set("type", _atom03_type(node.get("type", "text/plain"),
                                              node.get("mode", "xml"), len(node) > 0))
    for entry in root.iterchildren(_ATOM_ENTRY):  # 0.3 has created, 1.0 none: the first
        if entry.find(_A + "published") is None and (made := entry.find(_A + "created")) \
                is not None:
            made.tag = _A + "published"


def _atom03_type(kind: str, mode: str, children: bool) -> str:
    if mode == "base64":
        return "base64"  # no text: not a story body
    if "html" in kind:
        return "html" if mode == "escaped" or not children else "xhtml"
    return "text" if kind.startswith("text/") else kind
