"""IPTC NITF 3.x: one story per file, with or without the NITF namespace.

NITF also travels inside both NewsML envelopes: they read it with `read_nitf`.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any

from lxml import etree

from wiredesk.formats.bodies import html_body
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import lenient_when
from wiredesk.formats.errors import FormatError
from wiredesk.formats.fieldvalues import read_integer, read_pubstatus
from wiredesk.formats.pictures import Pictures, credit_name
from wiredesk.formats.revisions import tags_label
from wiredesk.formats.wirerules import (
    Dateline,
    agency_name,
    parse_dateline,
    signal,
    strip_by,
    strip_tags,
    take_lead_dateline,
    trailing_credit,
)
from wiredesk.formats.xmlsafe import (
    find_child,
    find_path,
    findall_path,
    inner_html,
    local,
    parse_root,
    root_tag,
    strip_namespaces,
    text_of,
)
from wiredesk.story import Body, Picture, Pubstatus, Story, StoryWarning, Subject

NAME = "nitf"
NITF_NS = "http://iptc.org/std/NITF/2006-10-18/"
SUBJECTCODE_URI = "http://cv.iptc.org/newscodes/subjectcode/"


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
    n = _Parts(nitf, fmt)
    warned = n.warnings
    issued = n.date("date.issue") or lenient_when(
        n.pubdata.get("date.publication"), fmt, "nitf/head/pubdata/@date.publication",
        "versioncreated", warned)
    release = n.date("date.release")
    revisions = [lenient_when(r.get("norm"), fmt, "nitf/head/revision-history/@norm",
                              "firstcreated", warned)
                 for r in n.head.iterchildren("revision-history")]
    signals, notes = _signals_and_notes(n)
    holder, notice, terms = _rights(n)
    byline = find_child(n.bhead, "byline")
    dateline, located, found = _dateline(n, dateline_known)
    # AAP, EFE: the dateline's own story.date is the only date some files carry
    issued = issued or n.date("dateline/story.date", n.bhead)
    content = _content(n.body)
    slugline = n.attr("du-key", "key") or next(
        (m.get("content") for m in n.head.iterchildren("meta")
         if (m.get("name") or "").lower() in ("slug", "slugline")), None)
    headline, tags = strip_tags(_headline(n, slugline, content, warned))
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    return dict(
        uri=n.attr("doc-id", "id-string") or nitf.get("uno") or n.pubdata.get("ex-ref") or "",
        headline=headline,
        body=content,
        version=n.attr("du-key", "version") or n.attr("du-key", "generation"),
        firstcreated=min((r for r in revisions if r), default=None),
        versioncreated=issued,
        pubstatus=read_pubstatus(n.doc.get("management-status"), fmt,
                                 "nitf/head/docdata/@management-status"),
        # Released later than issued: held until then.
        embargoed=release if release and (issued is None or release > issued) else None,
        expires=n.date("date.expire") or n.date("doc.rights", name="enddate")
        or n.date("rights/rights.enddate", n.bhead),
        urgency=_urgency(n),
        slugline=slugline,
        by=strip_by(_byline_text(byline)) if byline is not None else None,
        located=located or (found.place if found else None),
        dateline=dateline,
        agency=agency_name(text_of(find_child(n.bhead, "distributor")))
        or (found.agency if found else None) or agency_name(n.attr("doc-id", "regsrc")),
        language=nitf.get("baselang") or nitf.get(xml_lang) or n.body.get(xml_lang),
        subjects=tuple(_subjects(n.head, n.doc)),
        copyrightholder=holder,
        copyrightnotice=notice,
        usageterms="; ".join(t for t in terms if t) or text_of(find_child(n.bhead, "rights"))
        or None,
        ednote=" ".join(x.strip() for x in notes if x and x.strip()) or None,
        creditline=text_of(find_path(n.body, "body.end/tagline")) or trailing_credit(content),
        signals=tuple(dict.fromkeys(signals + [signal(t) for t in tags if signal(t)])),
        label=tags_label(tags),
        pictures=_pictures(n.body, warned),
        format=fmt,
        warnings=tuple(warned),
    )


_IMAGE_MEDIA = {"image", "photo", "graphic", "picture"}


def _pictures(body: etree._Element, warned: list[StoryWarning]) -> tuple[Picture, ...]:
    """NITF `media` of type image: each `media-reference` (source, mime-type, width,
    height, alternate-text) a rendition, `media-caption` the caption, `media-producer` the
    credit as written and the photographer's name. First in the text, first shown."""
    if next(body.iter("media"), None) is None:  # nearly every story: one C-level walk
        return ()
    kit = Pictures()
    for media in body.iter("media"):
        if (media.get("media-type") or "").strip().lower() not in _IMAGE_MEDIA:
            continue
        refs = list(media.iterchildren("media-reference"))
        alt = next((r.get("alternate-text").strip() for r in refs
                    if (r.get("alternate-text") or "").strip()), None)
        producer = text_of(find_child(media, "media-producer")) or None
        renditions = [kit.rendition(r.get("source") or r.get("data-location"),
                                    name=r.get("name") or None, width=r.get("width"),
                                    height=r.get("height"), contenttype=r.get("mime-type"),
                                    where="nitf/body/media/media-reference")
                      for r in refs]
        offered = sum(bool((r.get("source") or r.get("data-location") or "").strip())
                      for r in refs)
        # NITF's media/@id is unique within the document only: the uri comes from the href.
        kit.add(renditions, offered=offered,
                caption=text_of(find_child(media, "media-caption")) or None, alt=alt,
                by=credit_name(producer),
                creditline=producer)
    warned += kit.warnings
    return kit.result()


def _headline(n: _Parts, slugline: str | None, content: Body,
              warned: list[StoryWarning]) -> str:
    """hl1; else (with a warning) hl2, head/title, the slugline or the body's first
    sentence: files as sent leave out hl1 and carry one of the others."""
    hl1 = text_of(find_path(n.bhead, "hedline/hl1"))
    if hl1:
        return hl1
    for value, where in ((text_of(find_path(n.bhead, "hedline/hl2")), "hedline/hl2"),
                         (text_of(find_child(n.head, "title")), "head/title"),
                         (slugline, "the slugline"),
                         (first_sentence(content.text), "the first sentence of the body")):
        if value:
            warned.append(StoryWarning("headline", "no hedline/hl1", f"taken from {where}"))
            return value
    return ""


def first_sentence(text: str, limit: int = 160) -> str:
    """The body's first sentence, as a headline of last resort (cut at a word)."""
    words = " ".join(text.split())
    end = re.search(r"[.!?](?=\s|$)", words)
    sentence = words[: end.end()] if end else words
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "…"
    return sentence


def _urgency(n: _Parts) -> int | None:
    """ed-urg as a number; one that is not is dropped with a warning."""
    try:
        return read_integer(n.attr("urgency", "ed-urg"), n.fmt,
                            "nitf/head/docdata/urgency/@ed-urg")
    except FormatError as exc:
        n.warnings.append(StoryWarning("urgency", f"{exc.where}: {exc.problem}", "dropped"))
        return None


class _Parts:
    """The blocks of a (stripped) nitf element, an empty stand-in for each one missing, and
    docdata's children by tag (the first of each: most fields are an attribute of one)."""

    def __init__(self, nitf: etree._Element, fmt: str) -> None:
        self.nitf, self.fmt = nitf, fmt
        self.warnings: list[StoryWarning] = []
        self.head = _child_or_empty(nitf, "head")
        self.doc = _child_or_empty(self.head, "docdata")
        self.body = _child_or_empty(nitf, "body")
        self.bhead = _child_or_empty(self.body, "body.head")
        self.pubdata = _child_or_empty(self.head, "pubdata")
        self.in_doc: dict[str, etree._Element] = {}
        for child in self.doc:
            if isinstance(child.tag, str) and child.tag not in self.in_doc:
                self.in_doc[child.tag] = child

    def attr(self, path: str, name: str, base: etree._Element | None = None) -> str | None:
        """An attribute of docdata's `path` child (or of `path` under `base`), stripped."""
        found = self.in_doc.get(path) if base is None else find_path(base, path)
        value = found.get(name) if found is not None else None
        return value.strip() if value and value.strip() else None

    def date(self, path: str, base: etree._Element | None = None,
             name: str = "norm") -> datetime | None:
        where = "nitf/head/docdata" if base is None else "nitf/body/body.head"
        field = _DATE_FIELDS.get(path, path)
        return lenient_when(self.attr(path, name, base), self.fmt, f"{where}/{path}/@{name}",
                            field, self.warnings)


_DATE_FIELDS = {"date.issue": "versioncreated", "date.release": "embargoed",
                "date.expire": "expires", "doc.rights": "expires",
                "rights/rights.enddate": "expires", "dateline/story.date": "versioncreated"}


def _child_or_empty(parent: etree._Element, tag: str) -> etree._Element:
    found = find_child(parent, tag)
    return found if found is not None else etree.Element(tag)


def _signals_and_notes(n: _Parts) -> tuple[list[str], list[str | None]]:
    """A correction is a signal and a note; ed-msg and editors' notes are notes."""
    signals, notes = [], [n.attr("ed-msg", "info")]
    correction = n.in_doc.get("correction")
    if correction is not None:
        signals.append("correction")
        notes.append(correction.get("info"))
    notes += [text_of(x) for x in n.bhead.iterchildren("note")
              if x.get("type") == "npa" or x.get("noteclass") == "editorsnote"]
    return signals, notes


def _rights(n: _Parts) -> tuple[str | None, str | None, list[str | None]]:
    """doc.copyright / copyrite for the copyright; doc.rights for use (body.head rights is
    the caller's fallback)."""
    holder = n.attr("doc.copyright", "holder") or text_of(
        next(n.nitf.iterdescendants("copyrite.holder"), None)) or None
    notice = text_of(next(n.nitf.iterdescendants("copyrite"), None)) or (" ".join(
        p for p in ("Copyright", n.attr("doc.copyright", "year"), holder) if p) if holder else None)
    terms = [n.attr("doc.rights", k) for k in ("limitations", "type", "geography")]
    return holder, notice, terms


def _dateline(n: _Parts, dateline_known: bool
              ) -> tuple[str | None, str | None, Dateline | None]:
    """The dateline as given in body.head, its location, and its place and agency; else one
    lifted from the first paragraph of the body (unless the envelope gives one)."""
    dl = find_child(n.bhead, "dateline")
    dateline = text_of(dl).rstrip(" -\u2013\u2014") or None if dl is not None else None
    found = parse_dateline(dateline)  # "WASHINGTON (AP) —" given on its own
    located = (text_of(find_child(dl, "location")) or None) if dl is not None else None
    if dateline is None and not dateline_known and (
            (content_el := find_child(n.body, "body.content")) is not None):
        found = take_lead_dateline(content_el)
        dateline = found.text if found else None
    return dateline, located, found


def _content(body: etree._Element) -> Body:
    """body_content_html without its strip: this tree is stripped already (a copy still, so
    that no declaration above the body is serialized with it)."""
    body_copy = copy.deepcopy(body)
    etree.cleanup_namespaces(body_copy)
    return html_body(_content_html(body_copy))


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
                          "a story needs a headline (hedline/hl1 or head/title) or a body")
    name = fields["agency"] or agency or agency_name(fields["copyrightholder"])
    uri = fields["uri"]
    if not uri:  # PA and NTB send <doc-id/> with nothing in it
        uri = nitf_uri(name, fields["headline"])
        fields["warnings"] += (StoryWarning("uri", "no doc-id/@id-string",
                                            "derived from the agency and headline"),)
    fields.update(uri=uri, agency=name, raw=data)
    return [Story(**fields)]


FORMAT = Format(NAME, looks_like, parse)
