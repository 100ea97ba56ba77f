"""IPTC NITF 3.x: one story per file, with or without the NITF namespace.

Also the home of the XML helpers the NewsML parsers share (NITF travels inside both):
`body_content_html`, `read_nitf`, root sniffing, namespace stripping and lead datelines.
"""

from __future__ import annotations

import codecs
import copy
import html
import re
from datetime import datetime
from html.entities import name2codepoint
from typing import Any, NamedTuple

from lxml import etree

from wiredesk.formats.dates import parse_datetime
from wiredesk.formats.errors import FormatError
from wiredesk.formats.plaincopy import _CREDIT, _DATELINE, AGENCIES, _signal, _strip_tags
from wiredesk.formats.xmlsafe import LOCAL_NAMES, local, parse_xml, text_of
from wiredesk.story import Body, Pubstatus, Story, Subject

NAME = "nitf"
NITF_NS = "http://iptc.org/std/NITF/2006-10-18/"
SUBJECTCODE_URI = "http://cv.iptc.org/newscodes/subjectcode/"

# Prolog parts to skip when sniffing the root element: declaration, PIs, comments, DOCTYPE.
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>", re.S)
_ROOT = re.compile(rb"\s*<(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_BY = re.compile(r"^(?:by|par|von|por)\s+", re.I)  # "By", and AFP/dpa/EFE's own words
_SPACE = re.compile(r"[ \t\r\n]+")  # XML whitespace only: a no-break space is text
# Long names agencies give themselves, to the short name plain copy credits.
_ALIASES = {
    "associated press": "ap", "agence france-presse": "afp", "agence france presse": "afp",
    "thomson reuters": "reuters", "deutsche presse-agentur": "dpa", "press association": "pa",
}


# ---- helpers shared by the XML formats -------------------------------------------------

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


def when(value: str | None, fmt: str, where: str) -> datetime | None:
    try:
        return parse_datetime(value.strip() if value else None, fmt, where)
    except (OverflowError, ValueError) as exc:  # a year the calendar cannot hold
        if isinstance(exc, FormatError):
            raise
        raise FormatError(fmt, where, f"date-time out of range: {value!r}") from exc


def integer(value: str | None, fmt: str, where: str) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError as exc:
        raise FormatError(fmt, where, f"expected a whole number, got {value[:20]!r}") from exc


def pubstatus(value: str | None, fmt: str, where: str) -> Pubstatus:
    if value and value.strip().lower().rsplit(":", 1)[-1] == "embargoed":
        return Pubstatus.USABLE  # an embargo is a time, not a status: usable once it lifts
    try:
        return Pubstatus.parse(value)
    except ValueError as exc:
        raise FormatError(fmt, where, str(exc)) from exc


def agency_name(value: str | None) -> str | None:
    """'reuters.com', 'nprov:REUTERS', 'AFP' -> the name we credit."""
    if not value or not value.strip():
        return None
    word = value.strip().rsplit(":", 1)[-1].lower().removeprefix("www.")
    word = _ALIASES.get(word.removeprefix("the "), word)
    return AGENCIES.get(word) or AGENCIES.get(word.split(".")[0]) or value.strip()


def strip_by(text: str | None) -> str | None:
    text = _BY.sub("", " ".join((text or "").split())).strip(" ,;")
    return text or None


class Dateline(NamedTuple):
    text: str  # as written, e.g. "TOKYO (Reuters)"
    place: str
    agency: str


def parse_dateline(text: str | None) -> Dateline | None:
    """Place and agency of a dateline given on its own ("MOSCOW, Monday (Reuters)")."""
    match = _DATELINE.match(" ".join((text or "").split()) + " - ")
    if not match:
        return None
    return Dateline(match.group("dateline").strip(), match.group("place").strip(),
                    AGENCIES[match.group("agency").lower()])


def split_lead_dateline(paragraph: str) -> tuple[Dateline | None, str]:
    """'TOKYO (Reuters) - Japan...' -> (the dateline, 'Japan...'), as plain copy does."""
    if "(" not in paragraph:  # every dateline names its agency in brackets: skip the regex
        return None, paragraph
    text = " ".join(paragraph.split())
    match = _DATELINE.match(text)
    if not match:
        return None, paragraph
    dateline = Dateline(match.group("dateline").strip(), match.group("place").strip(),
                        AGENCIES[match.group("agency").lower()])
    return dateline, text[match.end():]


def take_lead_dateline(container: etree._Element) -> Dateline | None:
    """Remove a dateline that opens the first paragraph under `container` (tree is ours)."""
    first = next(container.iter("{*}p"), None)  # p in any namespace or none, as local() == "p"
    if first is None or not first.text:
        return None
    dateline, rest = split_lead_dateline(first.text)
    if dateline is not None:
        first.text = rest + (" " if first.text[-1:].isspace() and len(first) else "")
    return dateline


def _collapse_space(element: etree._Element) -> None:
    """Pretty-printing whitespace to single spaces (pre left alone): the display is the
    same and the plain text keeps one paragraph per line."""
    if any(local(a.tag) == "pre" for a in element.iterancestors()):
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
    parts = [html.escape(element.text or "", quote=False)]
    parts += [etree.tostring(child, encoding="unicode", with_tail=True) for child in element]
    return "".join(parts).strip()


def body_content_html(element: etree._Element) -> str:
    """The markup of NITF body.content (given a nitf, body or body.content element),
    namespaces stripped; notes and body.head stay out."""
    tree = copy.deepcopy(element)
    strip_namespaces(tree)
    return _content_html(tree)


def _content_html(tree: etree._Element) -> str:
    """body_content_html of a copy that is already stripped (ours to change)."""
    name = local(tree.tag)
    if name == "body.content":
        contents = [tree]
    else:
        body = tree if name == "body" else find_child(tree, "body")
        contents = list(body.iterchildren("body.content")) if body is not None else []
    return "\n".join(inner_html(c) for c in contents).strip()


def html_body(markup: str) -> Body:
    return Body.from_html(markup) if markup.strip() else Body.empty()


def text_body(text: str, *, dateline_known: bool) -> tuple[Body, Dateline | None]:
    """Plain text body; a dateline opening it is lifted out unless given separately."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    if len(blocks) == 1:
        blocks = blocks[0].split("\n")
    paragraphs = [" ".join(b.split()) for b in blocks]
    lead = None
    if paragraphs and not dateline_known:
        lead, paragraphs[0] = split_lead_dateline(paragraphs[0])
    return Body.from_paragraphs(paragraphs, received=text), lead


def trailing_credit(body: Body) -> str | None:
    """'(Reporting by ...; Editing by ...)' closing the body: the credit line, left in place."""
    lines = body.text.splitlines()
    return lines[-1] if lines and _CREDIT.match(lines[-1]) else None


# ---- NITF proper ----------------------------------------------------------------------

def read_nitf(element: etree._Element, *, dateline_known: bool = False,
              fmt: str = NAME) -> Story:
    """Every field of a nitf element, as a Story whose uri is "" when the NITF names none
    (the NewsML parsers take what their envelope lacks from it). A dateline opening the
    body is lifted out unless the NITF (or the envelope, `dateline_known`) gives one."""
    return Story(**_nitf_fields(copy.deepcopy(element), dateline_known, fmt))


def _nitf_fields(nitf: etree._Element, dateline_known: bool, fmt: str) -> dict[str, Any]:
    """read_nitf's Story fields, from a nitf element that is ours to change (a copy, or a
    document parsed for this call)."""
    strip_namespaces(nitf)
    head = find_child(nitf, "head")
    head = head if head is not None else etree.Element("head")
    doc = find_child(head, "docdata")
    doc = doc if doc is not None else etree.Element("docdata")
    body = find_child(nitf, "body")
    body = body if body is not None else etree.Element("body")
    bhead = find_child(body, "body.head")
    bhead = bhead if bhead is not None else etree.Element("body.head")
    pubdata = find_child(head, "pubdata")
    pubdata = pubdata if pubdata is not None else etree.Element("pubdata")
    # docdata's children by tag, the first of each: most fields are an attribute of one.
    in_doc: dict[str, etree._Element] = {}
    for child in doc:
        if isinstance(child.tag, str) and child.tag not in in_doc:
            in_doc[child.tag] = child

    def attr(path: str, name: str, base: etree._Element = doc) -> str | None:
        if base is doc:
            found = in_doc.get(path)
        else:
            found = find_path(base, path)
        value = found.get(name) if found is not None else None
        return value.strip() if value and value.strip() else None

    def date(path: str, base: etree._Element = doc, name: str = "norm") -> datetime | None:
        where = "nitf/head/docdata" if base is doc else "nitf/body/body.head"
        return when(attr(path, name, base), fmt, f"{where}/{path}/@{name}")

    issued = date("date.issue") or when(
        pubdata.get("date.publication"), fmt, "nitf/head/pubdata/@date.publication")
    release = date("date.release")
    revisions = [when(r.get("norm"), fmt, "nitf/head/revision-history/@norm")
                 for r in head.iterchildren("revision-history")]
    signals, notes = [], [attr("ed-msg", "info")]
    correction = in_doc.get("correction")
    if correction is not None:
        signals.append("correction")
        notes.append(correction.get("info"))
    notes += [text_of(n) for n in bhead.iterchildren("note")
              if n.get("type") == "npa" or n.get("noteclass") == "editorsnote"]
    # Rights: doc.copyright / copyrite for the copyright, doc.rights or body.head rights for use.
    holder = attr("doc.copyright", "holder") or text_of(
        next(nitf.iterdescendants("copyrite.holder"), None)) or None
    notice = text_of(next(nitf.iterdescendants("copyrite"), None)) or (" ".join(
        p for p in ("Copyright", attr("doc.copyright", "year"), holder) if p) if holder else None)
    terms = [attr("doc.rights", k) for k in ("limitations", "type", "geography")]
    headline, tags = _strip_tags(text_of(find_path(bhead, "hedline/hl1"))
                                 or text_of(find_child(head, "title")))
    byline = find_child(bhead, "byline")
    dl = find_child(bhead, "dateline")
    dateline = text_of(dl).rstrip(" -\u2013\u2014") or None if dl is not None else None
    found = parse_dateline(dateline)  # "WASHINGTON (AP) —" given on its own
    located = (text_of(find_child(dl, "location")) or None) if dl is not None else None
    if dateline is None and not dateline_known and (
            (content_el := find_child(body, "body.content")) is not None):
        found = take_lead_dateline(content_el)
        dateline = found.text if found else None
    # body_content_html without its strip: this tree is stripped already (a copy still, so
    # that no declaration above the body is serialized with it).
    body_copy = copy.deepcopy(body)
    etree.cleanup_namespaces(body_copy)
    content = html_body(_content_html(body_copy))
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    return dict(
        uri=attr("doc-id", "id-string") or nitf.get("uno") or pubdata.get("ex-ref") or "",
        headline=headline,
        body=content,
        version=attr("du-key", "version") or attr("du-key", "generation"),
        firstcreated=min((r for r in revisions if r), default=None),
        versioncreated=issued,
        pubstatus=pubstatus(doc.get("management-status"), fmt,
                            "nitf/head/docdata/@management-status"),
        # Released later than issued: held until then.
        embargoed=release if release and (issued is None or release > issued) else None,
        expires=date("date.expire") or date("doc.rights", name="enddate")
        or date("rights/rights.enddate", bhead),
        urgency=integer(attr("urgency", "ed-urg"), fmt, "nitf/head/docdata/urgency/@ed-urg"),
        slugline=attr("du-key", "key") or next(
            (m.get("content") for m in head.iterchildren("meta")
             if (m.get("name") or "").lower() in ("slug", "slugline")), None),
        by=strip_by(_byline_text(byline)) if byline is not None else None,
        located=located or (found.place if found else None),
        dateline=dateline,
        agency=agency_name(text_of(find_child(bhead, "distributor")))
        or (found.agency if found else None) or agency_name(attr("doc-id", "regsrc")),
        language=nitf.get("baselang") or nitf.get(xml_lang) or body.get(xml_lang),
        subjects=tuple(_subjects(head, doc)),
        copyrightholder=holder,
        copyrightnotice=notice,
        usageterms="; ".join(t for t in terms if t) or text_of(find_child(bhead, "rights")) or None,
        ednote=" ".join(n.strip() for n in notes if n and n.strip()) or None,
        creditline=text_of(find_path(body, "body.end/tagline")) or trailing_credit(content),
        signals=tuple(dict.fromkeys(signals + [_signal(t) for t in tags if _signal(t)])),
        format=fmt,
    )


def _byline_text(byline: etree._Element) -> str:
    """A byline without its title ('By Jo Bloggs, <byttl>Staff</byttl>' -> 'Jo Bloggs');
    the title alone when that is all there is."""
    parts = [byline.text or ""]
    for child in byline:
        if local(child.tag) != "byttl":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    text = " ".join("".join(parts).split()).strip(" ,;")
    return text if text and text.lower() != "by" else text_of(byline)


def _subjects(head: etree._Element, doc: etree._Element) -> list[Subject]:
    out: list[Subject] = []
    for s in findall_path(head, "tobject/tobject.subject"):
        ref = (s.get("tobject.subject.refnum") or "").strip()
        names = [s.get(f"tobject.subject.{k}") for k in ("detail", "matter", "type")]
        iptc = (s.get("tobject.subject.ipr") or "IPTC").upper() == "IPTC"
        if ref:
            out.append(Subject(name=next((n for n in names if n), ref),
                               code=f"subj:{ref}" if iptc else ref,
                               uri=SUBJECTCODE_URI + ref if iptc else None))
    for c in findall_path(doc, "identified-content/classifier"):
        value, source = (c.get("value") or "").strip(), (c.get("idsrc") or "").strip()
        name = text_of(c) or value
        if name:
            uri = source + value if value and source.startswith("http") and \
                source.endswith(("/", "#")) else None
            out.append(Subject(name=name, code=value or None, uri=uri))
    for scope in doc.iterchildren("doc-scope"):
        if (scope.get("scope") or "").strip():
            out.append(Subject(name=scope.get("scope", "").strip()))
    return out


def looks_like(data: bytes) -> bool:
    return root_tag(data) == "nitf"


def nitf_uri(agency: str | None, headline: str) -> str:
    """NITF without doc-id: the agency and headline name the story, as for plain copy."""
    slug = re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")[:120] or "untitled"
    return f"urn:wiredesk:nitf:{(agency or 'unknown').lower()}:{slug}"


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    root = parse_root(data, NAME)
    if local(root.tag) != "nitf":
        raise FormatError(NAME, f"line {root.sourceline} <{local(root.tag)}>",
                          "expected the root element <nitf>")
    if not any(local(child.tag) == "body" for child in root):
        raise FormatError(NAME, "nitf/body", "expected a <body> element")
    # The document was parsed for this call: read it in place (no copy), and make the Story
    # once with the uri, agency and bytes rather than read_nitf's and then a changed copy.
    fields = _nitf_fields(root, False, NAME)
    if not fields["headline"] and fields["pubstatus"] is not Pubstatus.CANCELED:
        raise FormatError(NAME, "nitf/body/body.head/hedline/hl1",
                          "a story needs a headline (hedline/hl1 or head/title)")
    name = fields["agency"] or agency or agency_name(fields["copyrightholder"])
    fields.update(uri=fields["uri"] or nitf_uri(name, fields["headline"]), agency=name, raw=data)
    return [Story(**fields)]
