"""One safe way to read agency XML: no entities, no DTDs, no network, bounded size.

Every XML format parses through `parse_xml`, so XXE and billion-laughs defences live in one
place. Mislabelled encodings (cp1252 sent as UTF-8) are read rather than refused.
"""

from __future__ import annotations

import re

from lxml import etree

from wiredesk.formats.errors import FormatError
from wiredesk.formats.textcodec import decode

MAX_BYTES = 20 * 1024 * 1024  # one agency delivery; anything larger is not a news item

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>", re.S)
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )


def parse_xml(data: bytes, fmt: str) -> etree._Element:
    """The root element, or a FormatError naming the line, column and what went wrong."""
    if len(data) > MAX_BYTES:
        raise FormatError(fmt, "document", f"{len(data)} bytes is over the {MAX_BYTES} byte limit")
    if _ENTITY_DECL.search(data):
        # Internal entity declarations are how billion-laughs starts; agencies never need them.
        raise FormatError(fmt, "DOCTYPE", "entity declarations are not accepted")
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        if "encoding" not in str(exc).lower() and "utf-8" not in str(exc).lower():
            raise _syntax_error(fmt, exc) from exc
    # The bytes do not match their declared encoding: decode as we would text, then re-parse.
    declared = _DECLARED_ENCODING.match(data)
    text = decode(data, fmt, declared.group(1).decode("ascii") if declared else None)
    body = _DECLARATION.sub(b"", text.encode("utf-8"), count=1)
    try:
        return etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(fmt, exc) from exc


def _syntax_error(fmt: str, exc: etree.XMLSyntaxError) -> FormatError:
    line, column = exc.position if exc.position else (0, 0)
    message = str(exc.msg if hasattr(exc, "msg") else exc).split(", line")[0]
    return FormatError(fmt, f"line {line} column {column}", f"malformed XML: {message}")


def text_of(element: etree._Element | None) -> str:
    """All text under an element, whitespace collapsed."""
    if element is None:
        return ""
    if len(element):
        return " ".join("".join(element.itertext()).split())
    text = element.text  # a leaf (the usual case): its text is all itertext would give
    return " ".join(text.split()) if text else ""


# Local names by tag: documents repeat a few dozen tags thousands of times, and a QName per
# look-up was a large share of reading them. Bounded, so odd input cannot grow it for ever.
# Hot loops may read it directly (`LOCAL_NAMES.get(tag) or local(tag)`); only local() fills it.
LOCAL_NAMES: dict[str, str] = {}
_LOCAL_NAMES_MAX = 4096


def local(tag: object) -> str:
    """A tag's local name without its namespace."""
    if not isinstance(tag, str):
        return ""
    name = LOCAL_NAMES.get(tag)
    if name is None:
        name = etree.QName(tag).localname
        if len(LOCAL_NAMES) < _LOCAL_NAMES_MAX:
            LOCAL_NAMES[tag] = name
    return name
