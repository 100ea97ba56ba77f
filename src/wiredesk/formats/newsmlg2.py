"""IPTC NewsML-G2: a newsMessage carrying several items, or one newsItem.

Text items become Stories; pictures, video, packages and concepts are not stories (they
travel as associations) and are skipped. Bodies come from contentSet, preferring XHTML,
then NITF (read by nitf.read_nitf), then inline data.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from wiredesk.formats.bodies import html_body
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import lenient_when
from wiredesk.formats.errors import FormatError
from wiredesk.formats.fieldvalues import read_integer, read_pubstatus
from wiredesk.formats.g2packages import apply_packages, rtr_status, stronger, worth_a_look
from wiredesk.formats.g2pictures import PICTURE_CLASSES, picture_item
from wiredesk.formats.nitf import first_sentence, read_nitf
from wiredesk.formats.revisions import tags_label
from wiredesk.formats.textcodec import decode
from wiredesk.formats.wirerules import (
    Dateline,
    agency_name,
    parse_dateline,
    signal,
    strip_by,
    strip_tags,
    take_lead_dateline,
    text_body,
    trailing_credit,
)
from wiredesk.formats.xmlsafe import (
    LOCAL_NAMES,
    head_bytes,
    inner_html,
    local,
    parse_root,
    root_tag,
    strip_namespaces,
    text_of,
)
from wiredesk.story import Body, Pubstatus, Story, StoryWarning, Subject

NAME = "newsmlg2"
G2_NS = "http://iptc.org/std/nar/2006-10-01/"
_ITEMS = {"newsItem", "packageItem", "conceptItem", "knowledgeItem", "planningItem",
          "catalogItem"}
_NON_TEXT = {"picture", "video", "audio", "graphic", "interactive", "animation", "photo"}
# Well-known IPTC scheme aliases, so a qcode can be given as a URI without the catalog.
_SCHEMES = {
    "medtop": "http://cv.iptc.org/newscodes/mediatopic/",
    "subj": "http://cv.iptc.org/newscodes/subjectcode/",
    "genre": "http://cv.iptc.org/newscodes/genre/",
    "cpnat": "http://cv.iptc.org/newscodes/cpnature/",
    "stat": "http://cv.iptc.org/newscodes/pubstatusg2/",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NO_PARTS = Story(uri="", headline="")  # what an item without NITF falls back on: nothing


def looks_like(data: bytes) -> bool:
    return (root_tag(data) in _ITEMS | {"newsMessage"}
            and G2_NS.encode() in head_bytes(data))


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    root = parse_root(data, NAME)
    kind = local(root.tag)
    if kind == "newsMessage":
        items = [e for s in root if local(s.tag) == "itemSet" for e in s if local(e.tag) in _ITEMS]
        paths = [f"newsMessage/itemSet/{local(e.tag)}[{i}]" for i, e in enumerate(items, 1)]
    elif kind in _ITEMS:
        items, paths = [root], [kind]
    else:
        raise FormatError(NAME, f"line {root.sourceline} <{kind}>",
                          "expected a NewsML-G2 newsMessage or newsItem root element")
    # The item's own bytes, taken before any namespaces are stripped.
    raws = [data] if len(items) == 1 else [etree.tostring(e, encoding="utf-8") for e in items]
    schemes = dict(_SCHEMES)
    for scheme in root.iter("{*}scheme"):
        if scheme.get("alias") and scheme.get("uri"):
            schemes[scheme.get("alias", "")] = scheme.get("uri", "")
    # Reuters' status extensions and packages, read before any namespace is stripped
    look = worth_a_look(data)
    flags = {id(item): rtr_status(item) for item in items} if look else {}
    packages = [(item, raw, where) for item, where, raw in zip(items, paths, raws, strict=True)
                if local(item.tag) == "packageItem"] if look else []
    tree = _Tree(root)
    stories = []
    for item, where, raw in zip(items, paths, raws, strict=True):
        if local(item.tag) != "newsItem":
            continue  # packages are resolved below; concepts, planning: not stories
        story = _story(item, where, raw, agency, schemes, tree, flags.get(id(item)))
        if story is None and _item_class(item) in PICTURE_CLASSES:
            story = picture_item(item, where, raw, NAME, agency)
        if story is not None:
            stories.append(story)
    if not packages:
        return stories
    known = {s.uri: s.pictures[0] for s in stories if s.type == "picture"}
    stories = apply_packages(stories, packages, agency, NAME, known)
    if not known:
        return stories
    # A picture item of the message that a story now carries no longer stands alone.
    carried = {p.uri for s in stories if s.type == "text" for p in s.pictures}
    return [s for s in stories if s.type != "picture" or s.uri not in carried]


def _item_class(item: etree._Element) -> str:
    meta = next(item.iterchildren("{*}itemMeta"), None)
    found = next(meta.iterchildren("{*}itemClass"), None) if meta is not None else None
    return _qcode_word(found)


class _Tree:
    """The document, read by local name so that G2 with and without its namespace reads
    alike, and stripped of namespaces as a whole only when a body needs it.

    Bodies are serialized without namespaces. Stripping the whole tree (and dropping the
    declarations nothing uses any more) is what defines that markup: a declaration a
    namespaced attribute still uses (xmlns:xsi for xsi:schemaLocation) stays on its element
    and is repeated on every body element serialized below it. Where no prefix is in scope
    of a body no declaration can stay above it, and a stripped copy of the body alone gives
    the same markup for a fraction of the cost of stripping every element of the message.
    """

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.stripped = False

    def needs_strip(self, body: etree._Element) -> bool:
        """True when `body` must be read from the stripped tree (and the tree is now so)."""
        if not self.stripped and any(prefix is not None for prefix in body.nsmap):
            strip_namespaces(self.root)
            self.stripped = True
        return self.stripped


_Kids = dict[str, list[etree._Element]]


def _kids(element: etree._Element | None) -> _Kids:
    """Children by local name, in document order, in one pass: findall(tag) on a stripped
    tree, without an ElementPath evaluation per field."""
    out: _Kids = {}
    if element is None:
        return out
    for child in element:
        tag = child.tag
        if isinstance(tag, str):  # elements only
            name = LOCAL_NAMES.get(tag) or local(tag)
            if name in out:
                out[name].append(child)
            else:
                out[name] = [child]
    return out


def _first(kids: _Kids, tag: str) -> etree._Element | None:
    found = kids.get(tag)
    return found[0] if found else None


def _text(kids: _Kids, tag: str) -> str | None:
    """The texts of all `tag` children, joined; None when there are none."""
    found = kids.get(tag)
    if not found:
        return None
    return " ".join(t for e in found if (t := text_of(e))) or None


def _qcode_word(element: etree._Element | None) -> str:
    qcode = element.get("qcode", "") if element is not None else ""
    return qcode.rsplit(":", 1)[-1].strip().lower()


def _story(item: etree._Element, where: str, raw: bytes, agency: str | None,
           schemes: dict[str, str], tree: _Tree,
           flags: tuple[Pubstatus | None, tuple[str, ...]] | None) -> Story | None:
    it = _read_item(item, where)
    if it is None:
        return None  # a picture or video is an association of a story, never a story
    where, mkids, ckids, rkids = it.where, it.meta, it.content, it.rights_kids
    dateline = _text(ckids, "dateline")
    given = parse_dateline(dateline)
    body, parts, lead = _body(it.kids, where, dateline_known=dateline is not None,
                              tree=tree)
    parts = parts or _NO_PARTS  # no NITF: nothing to fall back on
    # the NITF's own headline warnings count only if its headline is the one used
    it.warnings += [w for w in parts.warnings if w.field != "headline"]
    headline, tags = strip_tags(_headline(it, parts, body))
    pub = _first(mkids, "pubStatus")
    status = read_pubstatus(pub.get("qcode") if pub is not None else None, NAME,
                            f"{where}/itemMeta/pubStatus/@qcode")
    if not headline and not body.text and status is Pubstatus.USABLE:
        raise FormatError(NAME, f"{where}/contentMeta/headline",
                          "a text item needs a headline or a body; found neither")
    signals = [w for s in mkids.get("signal", ()) if (w := _qcode_word(s))]
    signals += [*parts.signals, *(signal(t) for t in tags if signal(t))]
    if flags is not None:  # Reuters' extensions: rtr:withdrawn wherever it is
        status = stronger(status, flags[0])
        signals += flags[1]
    expires = it.date("expires") or _valid_to(it, where) or parts.expires
    holder_name = _party(_first(rkids, "copyrightHolder")) or parts.copyrightholder
    lang = _first(ckids, "language")
    language = (lang.get("tag") if lang is not None else None) or item.get(_XML_LANG) \
        or parts.language
    creators = [text_of(_child(c, "name")) for c in ckids.get("creator", ())]
    try:
        urgency = read_integer(_text(ckids, "urgency"), NAME, f"{where}/contentMeta/urgency")
    except FormatError as exc:
        it.warnings.append(StoryWarning("urgency", f"{exc.where}: {exc.problem}", "dropped"))
        urgency = None
    located = _first(ckids, "located")
    return Story(
        uri=it.guid,
        headline=headline,
        body=body,
        version=(item.get("version") or "1").strip(),  # G2: version defaults to 1
        firstcreated=it.date("firstCreated") or parts.firstcreated,
        versioncreated=it.date("versionCreated") or parts.versioncreated,
        pubstatus=status,
        embargoed=it.date("embargoed") or parts.embargoed,
        expires=expires,
        urgency=urgency if urgency is not None else parts.urgency,
        slugline=_text(ckids, "slugline") or parts.slugline,
        by=strip_by(_text(ckids, "by")) or parts.by or ", ".join(c for c in creators if c)
        or None,
        located=(text_of(_child(located, "name")) if located is not None else None)
        or (given.place if given else None) or parts.located or (lead.place if lead else None),
        dateline=dateline or parts.dateline or (lead.text if lead else None),
        agency=agency_name(_party(_first(mkids, "provider"))) or (given.agency if given else None)
        or parts.agency or (lead.agency if lead else None) or agency
        or _source_agency(ckids) or holder_name,
        language=language,
        subjects=tuple(_subjects(ckids, schemes, language)) or parts.subjects,
        copyrightholder=holder_name,
        copyrightnotice=_text(rkids, "copyrightNotice") or parts.copyrightnotice,
        usageterms=_text(rkids, "usageTerms") or parts.usageterms,
        ednote=_text(mkids, "edNote") or parts.ednote,
        creditline=_text(ckids, "creditline") or parts.creditline or trailing_credit(body),
        signals=tuple(dict.fromkeys(signals)),
        label=tags_label(tags),
        raw=raw,
        format=NAME,
        warnings=tuple(it.warnings),
        pictures=parts.pictures,  # NITF media inside the item's text
    )


def _headline(it: _Item, parts: Story, body: Body) -> str:
    """contentMeta's headline; else (with a warning) the NITF hedline, itemMeta's title,
    the slugline or the body's first sentence: items as sent leave the headline out."""
    main = text_of(_pick_headline(it.content))
    if main:
        return main
    for value, where in ((parts.headline, "the NITF hedline"),
                         (_text(it.meta, "title"), "itemMeta/title"),
                         (_text(it.content, "slugline"), "contentMeta/slugline"),
                         (first_sentence(body.text), "the first sentence of the body")):
        if value:
            if value is parts.headline:
                it.warnings += [w for w in parts.warnings if w.field == "headline"]
            it.warnings.append(StoryWarning("headline", "no contentMeta/headline",
                                            f"taken from {where}"))
            return value
    return ""


@dataclass
class _Item:
    """A newsItem's blocks, each as its children by local name (one pass over each block's
    children instead of an ElementPath search per field)."""

    guid: str
    where: str
    kids: _Kids
    meta: _Kids
    content: _Kids
    rights: etree._Element | None
    rights_kids: _Kids
    warnings: list[StoryWarning] = field(default_factory=list)  # what was odd, as read

    def date(self, tag: str) -> datetime | None:
        """A date of itemMeta; a placeholder or malformed one is dropped with a warning."""
        value = _text(self.meta, tag)
        if value is None:
            return None
        return lenient_when(value, NAME, f"{self.where}/itemMeta/{tag}",
                            _DATE_FIELDS.get(tag, tag), self.warnings)


_DATE_FIELDS = {"versionCreated": "versioncreated", "firstCreated": "firstcreated",
                "embargoed": "embargoed", "expires": "expires"}


def _read_item(item: etree._Element, where: str) -> _Item | None:
    """The item's guid and blocks; None for an item whose class is not text."""
    guid = (item.get("guid") or "").strip()
    if not guid:
        raise FormatError(NAME, f"{where}/@guid", "expected the item's guid attribute")
    where = f"{where}[@guid={guid[:80]!r}]"
    item_kids = _kids(item)
    meta = _first(item_kids, "itemMeta")
    if meta is None:
        raise FormatError(NAME, f"{where}/itemMeta", "expected an itemMeta element")
    mkids = _kids(meta)
    if _qcode_word(_first(mkids, "itemClass")) in _NON_TEXT:
        return None
    rights = _first(item_kids, "rightsInfo")
    return _Item(guid, where, item_kids, mkids, _kids(_first(item_kids, "contentMeta")),
                 rights, _kids(rights))


def _valid_to(it: _Item, where: str) -> datetime | None:
    validto = it.rights.get("validto") if it.rights is not None else None
    return lenient_when(validto, NAME, f"{where}/rightsInfo/@validto", "expires",
                        it.warnings) if validto else None


def _source_agency(ckids: _Kids) -> str | None:
    """The first infoSource that names a party, as the name we credit."""
    sources = [_party(s) for s in ckids.get("infoSource", ())]
    return agency_name(next((s for s in sources if s), None))


def _party(element: etree._Element | None) -> str | None:
    """A provider, copyright holder or source: its name, literal or qcode, in that order."""
    if element is None:
        return None
    name = text_of(_child(element, "name")) or (element.get("literal") or "").strip()
    return name or (element.get("qcode") or "").rsplit(":", 1)[-1].strip() or None


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    """The first child named `tag` in any namespace or none (find on a stripped tree)."""
    return next(element.iterchildren("{*}" + tag), None)


def _pick_headline(ckids: _Kids) -> etree._Element | None:
    """The main headline: one without a role, or whose role says main."""
    heads = ckids.get("headline", [])
    main = [h for h in heads if not h.get("role") or h.get("role", "").endswith("main")]
    return (main or heads or [None])[0]


def _subjects(ckids: _Kids, schemes: dict[str, str],
              language: str | None) -> list[Subject]:
    out = []
    for subject in ckids.get("subject", ()):
        qcode = (subject.get("qcode") or "").strip() or None
        names = list(subject.iterchildren("{*}name"))
        if len(names) > 1:
            lang = (language or "").lower()
            # The name in the item's language, else one with no language, else the first.
            ranked = sorted(names, key=lambda n: (
                (n.get(_XML_LANG) or "").lower() != lang, n.get(_XML_LANG) is not None))
            name = ranked[0]
        else:
            name = names[0] if names else None
        uri = (subject.get("uri") or "").strip() or None
        if uri is None and qcode and ":" in qcode:
            alias, code = qcode.split(":", 1)
            uri = schemes[alias] + code if alias in schemes else None
        label = text_of(name) or qcode or uri
        if label:
            out.append(Subject(name=label, uri=uri, code=qcode))
    return out


def _body(item_kids: _Kids, where: str, *, dateline_known: bool, tree: _Tree
          ) -> tuple[Body, Story | None, Dateline | None]:
    """The best text rendition: XHTML, then NITF, then inline HTML, then inline text."""
    best = _best_rendition(item_kids)
    if best is None:
        return Body.empty(), None, None
    rank, rendition = best
    if rank == 1:
        found = _child(rendition, "nitf")
        found = found if found is not None else rendition
        tree.needs_strip(found)  # read_nitf strips a copy; _Tree says when that is not enough
        parts = read_nitf(found, dateline_known=dateline_known, fmt=NAME)
        return parts.body, parts, None
    if rank == 0:
        html = _child(rendition, "html")
        container = _child(html, "body") if html is not None else None
        container = container if container is not None else rendition
        if not tree.needs_strip(container):  # see _Tree: a stripped copy serializes alike
            # (an lxml element's __copy__ is the same deep copy as copy.deepcopy, without
            # the memo bookkeeping)
            container = container.__copy__()
            strip_namespaces(container)
        lead = None if dateline_known else take_lead_dateline(container)
        return html_body(inner_html(container)), None, lead
    text = _inline_text(rendition, where)
    if rank == 2:
        return html_body(text), None, None
    body, lead = text_body(text, dateline_known=dateline_known)
    return body, None, lead


def _best_rendition(item_kids: _Kids) -> tuple[int, etree._Element] | None:
    """The best-ranked text rendition in contentSet: 0 XHTML, 1 NITF, 2 inline HTML, 3
    inline text; the first of the best rank."""
    ranked: list[tuple[int, etree._Element]] = []
    # findall("contentSet/*"): the element children of every contentSet
    renditions = [r for s in item_kids.get("contentSet", ()) for r in s.iterchildren("*")]
    for rendition in renditions:
        ctype = (rendition.get("contenttype") or "").lower()
        child = next(rendition.iterchildren("*"), None)  # the first element child
        first = local(child.tag) if child is not None else ""
        kind = local(rendition.tag)
        if kind == "inlineXML":
            if first == "nitf" or "nitf" in ctype:
                ranked.append((1, rendition))
            elif first in ("html", "body", "div", "p") or "html" in ctype:
                ranked.append((0, rendition))
        elif kind == "inlineData" and ctype.startswith("text/"):
            ranked.append((2 if "html" in ctype else 3, rendition))
    return min(ranked, key=lambda pair: pair[0]) if ranked else None


def _inline_text(rendition: etree._Element, where: str) -> str:
    """The text of an inlineData rendition, base64 decoded when so encoded."""
    text = rendition.text or ""
    if (rendition.get("encoding") or "").lower() == "base64":
        try:
            text = decode(base64.b64decode("".join(text.split()), validate=True), NAME)
        except (binascii.Error, ValueError) as exc:
            if isinstance(exc, FormatError):
                raise
            raise FormatError(NAME, f"{where}/contentSet/inlineData",
                              "invalid base64 content") from exc
    return text


FORMAT = Format(NAME, looks_like, parse)
