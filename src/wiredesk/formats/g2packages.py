"""NewsML-G2 packages and Reuters' `rtr:` signals: what newsmlg2 needs beyond single items.

Reuters sends a story as a `packageItem` (itemClass ninat:composite) whose groups hold
`itemRef`s: the main text item, pictures, video. The text item travels in the same
newsMessage (`residref` = its guid) or is only pointed to (`href`). The story is the main
text item, carrying the package's status and signals; when only a pointer is sent the story
keeps the package's headline and sets `body_href` for the source to fetch the text.

Reuters also puts status in its own extensions: `<signal qcode="rtr:withdrawn"/>`,
`<pubStatus qcode="stat:canceled"/>` on an itemRef, `<rtr:status>withdrawn</rtr:status>`.
`rtr_status` finds them wherever they are in an item, before namespaces are stripped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from wiredesk.formats.dates import lenient_when
from wiredesk.formats.fieldvalues import read_pubstatus
from wiredesk.formats.g2pictures import package_pictures
from wiredesk.formats.pictures import lead_first
from wiredesk.formats.revisions import tags_label
from wiredesk.formats.wirerules import agency_name, signal, strip_tags
from wiredesk.story import Picture, Pubstatus, Story, StoryWarning

# Bytes that must be in a document for any of this to apply: a cheap test first.
MARKERS = (b"rtr", b"withdrawn", b"cancel", b"packageItem", b"withheld")
_KILL = {"withdrawn", "canceled", "cancelled", "killed", "kill"}
_HOLD = {"withheld"}
_STATUS_TAGS = {"status", "pubstatus", "signal", "msgstatus", "storystatus", "itemstatus"}
_NON_TEXT = {"picture", "video", "audio", "graphic", "interactive", "animation", "photo",
             "composite"}
_RANK = {Pubstatus.USABLE: 0, Pubstatus.WITHHELD: 1, Pubstatus.CANCELED: 2}
_WORD = re.compile(r"[a-z]+")


def worth_a_look(data: bytes) -> bool:
    return any(marker in data for marker in MARKERS)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def rtr_status(item: etree._Element) -> tuple[Pubstatus | None, tuple[str, ...]]:
    """The strongest status an item's Reuters extensions or status qcodes carry (None when
    they carry none) and the signal words they name ("withdrawn"...)."""
    status: Pubstatus | None = None
    signals: list[str] = []
    for element in item.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        name = _local(tag).lower()
        # a status-like element of Reuters' namespace, or one of G2's own (pubStatus, signal)
        status_like = name in _STATUS_TAGS or (
            ("status" in name or "signal" in name) and tag.startswith("{")
            and "reuters" in tag[: tag.find("}")].lower())
        words: list[str] = []
        for attribute in ("qcode", "literal", "value"):
            value = (element.get(attribute) or "").strip().lower()
            if value.startswith(("rtr:", "stat:")) or (status_like and value):
                words += _WORD.findall(value.split(":", 1)[-1])
        if status_like and element.text and len(element.text) < 80:
            words += _WORD.findall(element.text.lower())
        for word in words:
            found = Pubstatus.CANCELED if word in _KILL else (
                Pubstatus.WITHHELD if word in _HOLD else None)
            if found is not None:
                signals.append("withdrawn" if found is Pubstatus.CANCELED else word)
                if status is None or _RANK[found] > _RANK[status]:
                    status = found
    return status, tuple(dict.fromkeys(signals))


def stronger(a: Pubstatus, b: Pubstatus | None) -> Pubstatus:
    return a if b is None or _RANK[a] >= _RANK[b] else b


@dataclass
class _Ref:
    residref: str | None
    href: str | None
    version: str | None
    title: str | None


def _text(element: etree._Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _child(element: etree._Element, tag: str) -> etree._Element | None:
    return next(element.iterchildren("{*}" + tag), None)


def _ref_class(ref: etree._Element) -> str | None:
    found = _child(ref, "itemClass")
    if found is None:
        return None
    return (found.get("qcode") or "").rsplit(":", 1)[-1].strip().lower()


def main_ref(package: etree._Element) -> _Ref | None:
    """The package's main text item: an itemRef of text class in a group whose role says
    main, else any text itemRef, else one with no class; None for pictures only."""
    mains = [r for g in package.iter("{*}group")
             if (g.get("role") or "").lower().endswith("main")
             for r in g.iterchildren("{*}itemRef")]
    ordered = list(dict.fromkeys([*mains, *package.iter("{*}itemRef")]))
    texts = [r for r in ordered if _ref_class(r) == "text"]
    unknown = [r for r in ordered if _ref_class(r) is None]
    chosen = (texts or unknown or [None])[0]
    if chosen is None:
        return None
    return _Ref((chosen.get("residref") or "").strip() or None,
                (chosen.get("href") or "").strip() or None,
                (chosen.get("version") or "").strip() or None,
                _text(_child(chosen, "title")) or None)


def _find(stories: list[Story], residref: str) -> int | None:
    """The index of the story the residref names: its guid, or its guid less a ":n"."""
    for candidate in (residref, residref.rsplit(":", 1)[0]):
        for index, story in enumerate(stories):
            if story.uri == candidate:
                return index
    return None


def apply_packages(stories: list[Story], packages: list[tuple[etree._Element, bytes, str]],
                   agency: str | None, fmt: str,
                   known: dict[str, Picture] | None = None) -> list[Story]:
    """Each package resolved to its main text item: that story with the package's status,
    signals and pictures (g2pictures.package_pictures, full where `known` holds the picture
    item), or a story pointing at the text (body_href) when only a pointer is sent."""
    out = list(stories)
    for package, raw, where in packages:
        meta = _child(package, "itemMeta")
        if meta is None:
            continue  # a package without itemMeta names nothing we could show
        ref = main_ref(package)
        if ref is None:
            continue  # pictures or video only: not a story
        pub = _child(meta, "pubStatus")
        status = read_pubstatus(pub.get("qcode") if pub is not None else None, fmt,
                                f"{where}/itemMeta/pubStatus/@qcode")
        found, rtr_signals = rtr_status(package)
        status = stronger(status, found)
        signals = [w for s in meta.iterchildren("{*}signal")
                   if (w := (s.get("qcode") or "").rsplit(":", 1)[-1].strip().lower())]
        signals = list(dict.fromkeys([*signals, *rtr_signals]))
        content = _child(package, "contentMeta")
        headline, tags = strip_tags((_text(_child(content, "headline")) if content is not None
                                     else "") or _text(_child(meta, "title")) or ref.title or "")
        signals += [s for t in tags if (s := signal(t)) and s not in signals]
        pictures = package_pictures(package, known or {})
        index = _find(out, ref.residref) if ref.residref else None
        if index is not None:
            story = out[index]
            if pictures:
                pictures = lead_first([*story.pictures, *(
                    p for p in pictures if all(p.uri != q.uri for q in story.pictures))])
            out[index] = story.with_changes(
                pubstatus=stronger(story.pubstatus, status),
                signals=tuple(dict.fromkeys([*story.signals, *signals])),
                label=story.label or tags_label(tags),
                headline=story.headline or headline,
                ednote=story.ednote or _text(_child(meta, "edNote")) or None,
                pictures=pictures or story.pictures)
            continue
        if not headline or not (ref.href or status is Pubstatus.CANCELED):
            continue  # no words, or nowhere to find them
        warnings = []
        if ref.href:
            warnings.append(StoryWarning(
                "body", "the package's main text item is not in the message",
                f"body to be fetched from {ref.href[:200]}"))
        provider = _child(meta, "provider")
        named = provider is not None and agency_name(
            _text(_child(provider, "name")) or provider.get("literal") or provider.get("qcode"))
        created = _child(meta, "versionCreated")
        out.append(Story(
            uri=ref.residref or ref.href or (package.get("guid") or "").strip(),
            headline=headline,
            version=ref.version or (package.get("version") or "1").strip(),
            pubstatus=status,
            versioncreated=lenient_when(_text(created), fmt, f"{where}/itemMeta/versionCreated",
                                        "versioncreated", warnings),
            agency=named or agency,
            ednote=_text(_child(meta, "edNote")) or None,
            signals=tuple(signals),
            label=tags_label(tags),
            body_href=ref.href,
            raw=raw,
            format=fmt,
            warnings=tuple(warnings),
            pictures=lead_first(pictures),
        ))
    return out
