"""IPTC NewsML 1.2 (root `NewsML`), as AFP still sends it: one or more NewsItems.

Each NewsItem with a text ContentItem is a Story, with the photos its components carry as
its pictures (formats/newsml12_pictures.py); an item whose content is only photos is a
picture item per photo, and one of video alone is skipped. Bodies in DataContent are NITF or
XHTML (NITF read by nitf.read_nitf) or plain text.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from functools import partial

from lxml import etree

from wiredesk.formats import newsml12_pictures as pictures12
from wiredesk.formats.bodies import html_body
from wiredesk.formats.contract import Format
from wiredesk.formats.dates import when
from wiredesk.formats.errors import FormatError
from wiredesk.formats.fieldvalues import read_integer, read_pubstatus
from wiredesk.formats.nitf import SUBJECTCODE_URI, read_nitf
from wiredesk.formats.pictures import Pictures, picture_story
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
    find_path,
    findall_path,
    inner_html,
    local,
    parse_root,
    root_tag,
    strip_namespaces,
    text_of,
)
from wiredesk.story import Body, Pubstatus, Story, Subject

NAME = "newsml12"
_NON_TEXT = {"photo", "video", "audio", "graphic", "animation", "picture"}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOTE = re.compile(r"note|advisory", re.I)
_SUBJECT_CODE = re.compile(r"\d{8}")
_INSTRUCTIONS = {"rectify": "correction", "correction": "correction", "correct": "correction",
                 "update": "update"}
# The seventeen top-level IPTC Subject Codes: names for the codes NewsML 1 gives bare.
_TOP_SUBJECTS = {
    "01": "arts, culture and entertainment", "02": "crime, law and justice",
    "03": "disaster and accident", "04": "economy, business and finance", "05": "education",
    "06": "environmental issue", "07": "health", "08": "human interest", "09": "labour",
    "10": "lifestyle and leisure", "11": "politics", "12": "religion and belief",
    "13": "science and technology", "14": "social issue", "15": "sport",
    "16": "unrest, conflicts and war", "17": "weather",
}


def looks_like(data: bytes) -> bool:
    return root_tag(data) == "NewsML"


def parse(data: bytes, *, agency: str | None = None) -> list[Story]:
    root = parse_root(data, NAME)
    if local(root.tag) != "NewsML":
        raise FormatError(NAME, f"line {root.sourceline} <{local(root.tag)}>",
                          "expected the root element <NewsML>")
    items = [e for e in root if local(e.tag) == "NewsItem"]
    if not items:
        raise FormatError(NAME, "NewsML", "expected at least one NewsItem")
    raws = [data] if len(items) == 1 else [etree.tostring(e, encoding="utf-8") for e in items]
    strip_namespaces(root)
    topics = {t.get("Duid"): t for t in root.iter("Topic") if t.get("Duid")}
    stories: list[Story] = []
    for index, (item, raw) in enumerate(zip(items, raws, strict=True), 1):
        stories += _story(item, f"NewsML/NewsItem[{index}]", raw, agency, topics)
    return stories


# parse() strips the tree of namespaces before anything is read, so the plain-tag look-ups
# of find_path / findall_path find what ElementPath's find / findall would, faster.

def _formal(base: etree._Element | None, path: str) -> str | None:
    found = find_path(base, path) if base is not None else None
    value = found.get("FormalName") if found is not None else None
    return value.strip() if value and value.strip() else None


def _story(item: etree._Element, where: str, raw: bytes, agency: str | None,
           topics: dict[str | None, etree._Element]) -> list[Story]:
    ident, ids, revision, where = _identification(item, where)
    manage, status = _management(item, revision, where)
    component = find_path(item, "NewsComponent")
    comp = component if component is not None else etree.Element("NewsComponent")
    photos = pictures12.picture_components(comp)  # their captions are no story's text
    contents = [c for c in comp.iter("ContentItem") if not pictures12.within(c, photos)]
    texts = [c for c in contents if (_formal(c, "MediaType") or "text").lower() not in _NON_TEXT]
    first, line = partial(_first, comp, photos), partial(_line, comp, photos)
    provider = _formal(first("AdministrativeMetadata"), "Provider/Party")
    known = agency_name(ids["ProviderId"])
    version = text_of(revision) or None
    versioncreated = when(text_of(find_path(manage, "ThisRevisionCreated")), NAME,
                          f"{where}/NewsManagement/ThisRevisionCreated")
    if (contents or photos) and not texts:  # photos (picture items), or video: no story
        return _picture_items(comp, where, raw, _uri(ident, ids, version), version=version,
                              versioncreated=versioncreated, status=status,
                              agency=agency_name(provider) or (
                                  known if known != ids["ProviderId"] else None) or agency
                              or known, language=_formal(first("DescriptiveMetadata"),
                                                         "Language") or item.get(_XML_LANG))
    dateline = line("DateLine")
    given = parse_dateline(dateline)
    body, parts, lead = _body(texts[0] if texts else None, where, dateline is not None)
    parts = parts or Story(uri="", headline="")  # no NITF: nothing to fall back on
    headline, tags = strip_tags(line("HeadLine") or parts.headline)
    if not headline and not body.text and status is Pubstatus.USABLE:
        raise FormatError(NAME, f"{where}/NewsComponent/NewsLines/HeadLine",
                          "a story needs a HeadLine or text content; found neither")
    signals = [*_signals(revision, manage), *parts.signals, *(signal(t) for t in tags if signal(t))]
    embargoed = _embargo(manage, where)
    holder, terms, expires = _rights(first("RightsMetadata"), where)
    urgency = read_integer(_formal(manage, "Urgency"), NAME,
                           f"{where}/NewsManagement/Urgency/@FormalName")
    meta = first("DescriptiveMetadata")
    kit = Pictures()
    pictures12.story_pictures(comp, where, kit)
    inline = tuple(p for p in parts.pictures if all(p.uri != q.uri for q in kit.found))
    return [Story(
        uri=_uri(ident, ids, version),
        headline=headline,
        body=body,
        version=version or parts.version,
        firstcreated=when(text_of(find_path(manage, "FirstCreated")), NAME,
                          f"{where}/NewsManagement/FirstCreated") or parts.firstcreated,
        versioncreated=versioncreated or parts.versioncreated,
        pubstatus=status,
        embargoed=embargoed or parts.embargoed,
        expires=expires or parts.expires,
        urgency=urgency if urgency is not None else parts.urgency,
        slugline=line("SlugLine") or parts.slugline,
        by=strip_by(line("ByLine")) or parts.by,
        located=(given.place if given else None) or _origin_city(meta) or parts.located
        or (lead.place if lead else None),
        dateline=dateline or parts.dateline or (lead.text if lead else None),
        agency=agency_name(provider) or (given.agency if given else None) or parts.agency
        or (lead.agency if lead else None)
        or (known if known != ids["ProviderId"] else None) or agency or known,
        language=_formal(meta, "Language") or item.get(_XML_LANG) or parts.language,
        subjects=tuple(_subjects(meta, topics)) or parts.subjects,
        copyrightholder=holder or parts.copyrightholder,
        copyrightnotice=line("CopyrightLine") or parts.copyrightnotice,
        usageterms="; ".join(t for t in terms if t) or parts.usageterms,
        ednote=" ".join(_notes(comp)) or parts.ednote,
        creditline=line("CreditLine") or parts.creditline or trailing_credit(body),
        signals=tuple(dict.fromkeys(signals)),
        label=tags_label(tags),
        raw=raw,
        format=NAME,
        # what the NITF inside had odd; its headline fallback only if that headline is used
        warnings=(*(w for w in parts.warnings if w.field != "headline" or not line("HeadLine")),
                  *kit.warnings),
        pictures=(*kit.result(), *inline),
    )]


def _picture_items(comp: etree._Element, where: str, raw: bytes, uri: str, *,
                   version: str | None, versioncreated: datetime | None, status: Pubstatus,
                   agency: str | None, language: str | None) -> list[Story]:
    """A NewsItem of photos alone: a picture item per photo (the item's uri when it has
    one photo, else each photo's Euid or its href's); none for video alone."""
    photos = pictures12.photo_only(comp)
    out = []
    for index, photo in enumerate(photos, 1):
        kit = Pictures()
        picture = pictures12.read_photo(
            photo, f"{where}/NewsComponent[photo {index}]", kit,
            uri=uri if len(photos) == 1 else photo.get("Euid"), version=version,
            versioncreated=versioncreated, pubstatus=status)
        if picture is None:
            raise FormatError(NAME, f"{where}/NewsComponent[photo {index}]/ContentItem",
                              kit.warnings[0].problem if kit.warnings
                              else "no rendition we may fetch")
        out.append(picture_story(picture, raw=raw, fmt=NAME, agency=agency,
                                 warnings=kit.warnings, language=language))
    return out


def _first(comp: etree._Element, photos: list[etree._Element], path: str
           ) -> etree._Element | None:
    """The outermost element at `path` that says it, outside the photos' own components."""
    return next((e for e in comp.iter(path) if not photos or not pictures12.within(e, photos)),
                None)


def _line(comp: etree._Element, photos: list[etree._Element], name: str) -> str | None:
    return text_of(_first(comp, photos, name)) or None


def _identification(item: etree._Element, where: str
                    ) -> tuple[etree._Element, dict[str, str], etree._Element | None, str]:
    """The NewsIdentifier, its three ids, the RevisionId, and `where` naming the item."""
    ident = find_path(item, "Identification/NewsIdentifier")
    if ident is None:
        raise FormatError(NAME, f"{where}/Identification/NewsIdentifier",
                          "expected a NewsIdentifier")
    ids = {k: text_of(find_path(ident, k)) for k in ("ProviderId", "DateId", "NewsItemId")}
    for key, value in ids.items():
        if not value:
            raise FormatError(NAME, f"{where}/Identification/NewsIdentifier/{key}",
                              f"expected a non-empty {key}")
    return ident, ids, find_path(ident, "RevisionId"), f"{where}[{ids['NewsItemId']}]"


def _management(item: etree._Element, revision: etree._Element | None, where: str
                ) -> tuple[etree._Element, Pubstatus]:
    """NewsManagement and the status it gives; a partial update is refused."""
    manage = find_path(item, "NewsManagement")
    if manage is None:
        raise FormatError(NAME, f"{where}/NewsManagement", "expected a NewsManagement element")
    status = read_pubstatus(_formal(manage, "Status"), NAME, f"{where}/NewsManagement/Status")
    update = (revision.get("Update") or "N").upper() if revision is not None else "N"
    if update == "U":
        raise FormatError(NAME, f"{where}/Identification/NewsIdentifier/RevisionId/@Update",
                          "partial updates (Update elements) cannot be applied; "
                          "expected a complete NewsItem (Update='N')")
    return manage, status


def _signals(revision: etree._Element | None, manage: etree._Element) -> list[str]:
    """A revision that replaces an earlier one is an update; Instructions name others."""
    signals: list[str] = []
    if revision is not None and (revision.get("PreviousRevision") or "0").strip() not in ("", "0"):
        signals.append("update")  # this revision replaces an earlier one
    for instruction in findall_path(manage, "Instruction"):
        word = _INSTRUCTIONS.get((instruction.get("FormalName") or "").strip().lower())
        signals += [word] if word else []
    return signals


def _embargo(manage: etree._Element, where: str) -> datetime | None:
    """When the status will change to usable (the last such StatusWillChange)."""
    embargoed = None
    for change in findall_path(manage, "StatusWillChange"):
        if (_formal(change, "FutureStatus") or "").lower() == "usable":
            embargoed = when(text_of(find_path(change, "DateAndTime")), NAME,
                             f"{where}/NewsManagement/StatusWillChange/DateAndTime")
    return embargoed


def _rights(rights: etree._Element | None, where: str
            ) -> tuple[str, list[str | None], datetime | None]:
    """RightsMetadata: the copyright holder, the usage terms, and when use ends."""
    usage = find_path(rights, "UsageRights") if rights is not None else None
    terms = [_line_of(usage, k) for k in ("Limitations", "UsageType", "Geography")]
    holder = text_of(find_path(rights, "Copyright/CopyrightHolder")) if rights is not None else ""
    expires = when(_line_of(usage, "EndDate"), NAME,
                   f"{where}/NewsComponent/RightsMetadata/UsageRights/EndDate")
    return holder, terms, expires


def _notes(comp: etree._Element) -> list[str]:
    """Editorial notes travel as typed NewsLines (NewsLineType "EdNote", "Advisory"...)."""
    notes = [text_of(find_path(n, "NewsLineText")) for n in comp.iter("NewsLine")
             if _NOTE.search(_formal(n, "NewsLineType") or "")]
    return [n for n in notes if n]


def _line_of(base: etree._Element | None, name: str) -> str | None:
    return (text_of(find_path(base, name)) or None) if base is not None else None


def _uri(ident: etree._Element, ids: dict[str, str], version: str | None) -> str:
    """PublicIdentifier without its revision part (urn:newsml:P:D:I:3N names revision 3,
    but every revision is the same story), else urn:newsml:ProviderId:DateId:NewsItemId."""
    public = text_of(find_path(ident, "PublicIdentifier"))
    if public and version:
        public = re.sub(rf":{re.escape(version)}[NAU]?$", "", public)
    return public or f"urn:newsml:{ids['ProviderId']}:{ids['DateId']}:{ids['NewsItemId']}"


def _origin_city(meta: etree._Element | None) -> str | None:
    for location in findall_path(meta, "Location") if meta is not None else []:
        if (location.get("HowPresent") or "Origin").lower() == "origin":
            for prop in findall_path(location, "Property"):
                if (prop.get("FormalName") or "").lower() == "city" and prop.get("Value"):
                    return prop.get("Value", "").strip()
    return None


def _subjects(meta: etree._Element | None,
              topics: dict[str | None, etree._Element]) -> list[Subject]:
    out: list[Subject] = []
    if meta is None:
        return out
    for code in findall_path(meta, "SubjectCode/*"):
        value = (code.get("FormalName") or "").strip()
        if not value:
            continue
        if _SUBJECT_CODE.fullmatch(value):
            name = _TOP_SUBJECTS.get(value[:2], value) if value.endswith("000000") else value
            out.append(Subject(name=name, code=f"subj:{value}",
                               uri=SUBJECTCODE_URI + value))
        else:
            out.append(Subject(name=value, code=value))
    for occurrence in findall_path(meta, "TopicOccurrence"):
        topic = topics.get((occurrence.get("Topic") or "").lstrip("#"))
        if topic is not None:
            formal = text_of(find_path(topic, "FormalName")) or None
            name = text_of(find_path(topic, "Description")) or formal
            if name:
                out.append(Subject(name=name, code=formal))
    return out


def _body(content: etree._Element | None, where: str, dateline_known: bool
          ) -> tuple[Body, Story | None, Dateline | None]:
    data = find_path(content, "DataContent") if content is not None else None
    if data is None:
        return Body.empty(), None, None
    children = [c for c in data if isinstance(c.tag, str)]
    first = local(children[0].tag) if children else ""
    if first == "nitf":
        parts = read_nitf(children[0], dateline_known=dateline_known, fmt=NAME)
        return parts.body, parts, None
    if children:  # XHTML (html/body) or bare block markup
        html = find_path(data, "html")
        container = find_path(html, "body") if html is not None else None
        container = container if container is not None else data
        lead = None if dateline_known else take_lead_dateline(container)
        return html_body(inner_html(container)), None, lead
    text = data.text or ""
    if (_formal(content, "Encoding") or "").lower() == "base64":
        try:
            text = decode(base64.b64decode("".join(text.split()), validate=True), NAME)
        except (binascii.Error, ValueError) as exc:
            if isinstance(exc, FormatError):
                raise
            raise FormatError(NAME, f"{where}//DataContent", "invalid base64 content") from exc
    mime = (_formal(content, "MimeType") or "").lower()
    if "html" in mime:
        return html_body(text), None, None
    body, lead = text_body(text, dateline_known=dateline_known)
    return body, None, lead


FORMAT = Format(NAME, looks_like, parse)
