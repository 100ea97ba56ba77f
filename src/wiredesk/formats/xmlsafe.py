"""The XML kit of the formats. One safe way to read agency XML: no entities, no DTDs, no
network, bounded size.

Every XML format parses through `parse_xml` (or `parse_root`), so XXE and billion-laughs
defences live in one place. Mislabelled encodings (cp1252 sent as UTF-8) are read rather
than refused. Also here: root sniffing (`head_bytes`, `root_tag`, `is_feed`), namespace
stripping, and child and text look-ups (`find_child`, `find_path`, `findall_path`,
`text_of`, `local`, `inner_html`).
"""

from __future__ import annotations

import codecs
import html
import re
from html.entities import name2codepoint

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


# ---- sniffing the root element from the first bytes -------------------------------------

# Prolog parts to skip when sniffing the root element: declaration, PIs, comments, DOCTYPE.
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.S)
_ROOT = re.compile(rb"\s*<(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_FEED_SKIP = re.compile(rb"<!--.*?-->|<\?.*?\?>|<![^>]*>", re.S)
_FEED_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_ATOM = b"http://www.w3.org/2005/Atom"
_ATOM03 = b"http://purl.org/atom/ns#"  # Atom 0.3 (2003-2005), read as Atom 1.0 by feeds.py


def head_bytes(data: bytes) -> bytes:
    """The first 8 KiB for sniffing, as UTF-8-compatible bytes even when sent as UTF-16."""
    head = data[:8192]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(encoding, "ignore").encode("utf-8")
    return head.removeprefix(codecs.BOM_UTF8)


def root_tag(data: bytes) -> str | None:
    """The local name of the document's root element, read cheaply from the first bytes."""
    match = _ROOT.match(_PROLOG.sub(b"", head_bytes(data)))
    return match.group(1).decode("ascii") if match else None


def is_feed(data: bytes) -> bool:
    """Root element rss, rdf:RDF, or an Atom feed, within the first 2 KB."""
    head = _FEED_SKIP.sub(b"", data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n"))
    match = _FEED_FIRST_TAG.match(head.lstrip())
    if match is None:
        return False
    name = match.group(2)
    return name in (b"rss", b"RDF") or (name == b"feed" and (_ATOM in head or _ATOM03 in head))


# ---- a tree of our own: entities resolved, namespaces stripped --------------------------

def parse_root(data: bytes, fmt: str) -> etree._Element:
    """parse_xml, with any stray lxml complaint turned into a FormatError."""
    try:
        root = parse_xml(data, fmt)
    except FormatError:
        raise
    except (etree.LxmlError, ValueError, UnicodeError) as exc:
        raise FormatError(fmt, "document", f"unreadable XML: {exc}") from exc
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # parse_xml looks for <!ENTITY in the first 64 KiB only; a padded prolog hides one.
        raise FormatError(fmt, "DOCTYPE", "entity declarations are not accepted")
    if dtd is not None:  # without a DOCTYPE an undeclared entity is an error, not a node
        resolve_entities(root)
    return root


def resolve_entities(root: etree._Element) -> None:
    """Turn entity references left by a DTD we never load (&nbsp;) into their characters."""
    for entity in list(root.iter(etree.Entity)):
        code = name2codepoint.get(entity.name)
        text = chr(code) if code is not None else f"&{entity.name};"  # unknown: keep as written
        text += entity.tail or ""
        parent = entity.getparent()
        if parent is None:
            continue
        previous = entity.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(entity)


def strip_namespaces(root: etree._Element) -> None:
    """Element names without namespaces, so NITF/XHTML with and without one read alike."""
    for element in root.iter("{*}*"):  # every element (in any namespace or none), no comments
        tag = element.tag
        if tag[0] == "{":
            element.tag = LOCAL_NAMES.get(tag) or local(tag)  # one QName per distinct tag
    etree.cleanup_namespaces(root)


# find and findall for paths of plain child steps ("a", "a/b", "a/*") in a tree stripped of
# namespaces, where a plain tag names an element exactly as ElementPath's would: they walk
# the children in C instead of running a path for each of the dozens of look-ups an item takes.

def find_child(element: etree._Element, tag: str) -> etree._Element | None:
    """element.find(tag) for one plain tag (or "*")."""
    return next(element.iterchildren(tag), None)


def findall_path(element: etree._Element, path: str) -> list[etree._Element]:
    """element.findall(path), in document order."""
    level = [element]
    for tag in path.split("/"):
        level = [x for e in level for x in e.iterchildren(tag)]
    return level


def find_path(element: etree._Element, path: str) -> etree._Element | None:
    """element.find(path): the first of findall_path."""
    if "/" not in path:
        return next(element.iterchildren(path), None)
    found = findall_path(element, path)
    return found[0] if found else None


# ---- markup of a subtree ----------------------------------------------------------------

_SPACE = re.compile(r"[ \t\r\n]+")  # XML whitespace only: a no-break space is text


def _collapse_space(element: etree._Element) -> None:
    """Pretty-printing whitespace to single spaces (pre left alone): the display is the
    same and the plain text keeps one paragraph per line."""
    if next(element.iterancestors("{*}pre"), None) is not None:
        return  # all of it is inside a pre
    if next(element.iter("{*}pre"), None) is None:
        # No pre (the usual case): every text and tail goes, without asking about ancestors.
        for e in element.iter("{*}*"):  # elements only: comments and the like keep their tails
            if (text := e.text) and (new := _collapsed(text)) is not text:
                e.text = new
            if (tail := e.tail) and (new := _collapsed(tail)) is not tail:
                e.tail = new
        return
    # Top down, carrying "inside a pre" from parent to child, rather than asking every
    # element about all its ancestors.
    stack = [(element, False)]
    while stack:
        e, in_pre = stack.pop()
        is_pre = local(e.tag) == "pre"
        if not in_pre:  # (setting text or tail to what it already is would change nothing)
            if (text := e.text) and not is_pre and (new := _collapsed(text)) is not text:
                e.text = new
            if (tail := e.tail) and (new := _collapsed(tail)) is not tail:
                e.tail = new
        stack.extend((child, in_pre or is_pre) for child in e.iterchildren("{*}*"))


def _collapsed(text: str) -> str:
    """_SPACE.sub(" ", text), skipped when nothing would change (no run, tab or newline):
    the substitution replaces every single space with itself, which is most of its cost."""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        return _SPACE.sub(" ", text)
    return text


def inner_html(element: etree._Element) -> str:
    """An element's children as markup (its own tag left out), whitespace collapsed."""
    _collapse_space(element)
    if not element.nsmap and len(element):
        # No namespace in scope: the children carry no declarations from above, so the
        # element serialized once, less its own tags, is the same markup as its children
        # serialized one by one (lxml writes ">" in an attribute value as "&gt;", so the
        # first ">" ends the start tag), for one serializer run instead of one per child.
        whole = etree.tostring(element, encoding="unicode", with_tail=False)
        return whole[whole.index(">") + 1:whole.rindex("</")].strip()
    parts = [html.escape(element.text or "", quote=False)]
    parts += [etree.tostring(child, encoding="unicode", with_tail=True) for child in element]
    return "".join(parts).strip()
