"""Pictures as formats name them: one kit every parser shares, so each says the same about
the same href.

A picture is never taken from a URL that could run code or carry its own bytes: a `data:`,
`javascript:` or any scheme but http(s), or anything typed as script or HTML. Such a
rendition is dropped with a StoryWarning on the story; a picture left with no rendition it
could fetch is dropped whole. An SVG (it can hold script) is never shown either: beside
other renditions it is dropped; a picture that is SVG alone is kept (typed image/svg+xml,
with a warning), so that the fetch step reads its bytes and quarantines them with a message
(wiredesk.imaging refuses SVG), and the story lands without it. Relative hrefs are kept as given: the
fetch step resolves them against the folder or feed they came from. A picture's uri is the
agency's own id where it gives one, else derived stably from its first href.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from wiredesk.formats.cleantext import clean
from wiredesk.formats.headlines import first_sentence
from wiredesk.story import Picture, Pubstatus, Rendition, Story, StoryWarning

URI_PREFIX = "urn:wiredesk:picture:"
# Roles that make a picture the story's lead, best first (ninjs featureimage, Superdesk
# featuremedia, a G2 package's main group); other pictures keep the order they came in.
LEAD_ROLES = ("featureimage", "featuremedia", "main", "lead", "feature")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")  # what browsers ignore inside a URL's scheme
_HOSTILE_EXT = (".svg", ".svgz", ".js", ".mjs", ".html", ".htm", ".xhtml")
SVG_TYPE = "image/svg+xml"


def scheme_refusal(href: str) -> str | None:
    """Why `href`'s scheme is never fetched (anything but http(s)), or None."""
    if href.startswith(("https://", "http://")):  # nearly every href: no scheme to probe
        return None
    found = _SCHEME.match(_INVISIBLE.sub("", href).lower())
    if found and found.group(1) not in ("http", "https"):
        return f"a {found.group(1)}: URL is never a picture we fetch"
    return None


def refusal(href: str, contenttype: str | None = None) -> str | None:
    """Why a rendition at `href` can never be a picture we show, or None when it may be."""
    if href.startswith(("https://", "http://")):  # nearly every href: no scheme to probe
        path = href.split("#", 1)[0].split("?", 1)[0][-8:].lower()
    else:
        problem = scheme_refusal(href)
        if problem:
            return problem
        path = _INVISIBLE.sub("", href).lower().split("#", 1)[0].split("?", 1)[0]
    if path.endswith(_HOSTILE_EXT):
        return f"{path.rsplit('.', 1)[-1].upper()} can carry script: not a picture we show"
    if contenttype:
        ctype = contenttype.lower()
        if "svg" in ctype or "script" in ctype or "html" in ctype:
            return f"type {ctype[:60]!r} can carry script: not a picture we show"
    return None


def is_svg(href: str, contenttype: str | None = None) -> bool:
    """Named or typed as SVG (a scheme is refusal's business, checked first)."""
    path = _INVISIBLE.sub("", href).split("#", 1)[0].split("?", 1)[0].lower()
    ctype = (contenttype or "").lower()
    if "script" in ctype or "html" in ctype or path.endswith(_HOSTILE_EXT[2:]):
        return False  # script or a page, whatever else it says: refused outright
    return path.endswith((".svg", ".svgz")) or "svg" in ctype


def derived_uri(href: str) -> str:
    """A stable uri for a picture whose agency gave it no id: the same href, the same uri."""
    return URI_PREFIX + hashlib.sha256(href.encode("utf-8", "replace")).hexdigest()[:32]


def number(value: object) -> int | None:
    """A pixel size or byte count as agencies write it (7, "7", "7.0"); None if not one."""
    if type(value) is str and value.isdigit() and len(value) < 12:  # XML attributes
        return int(value) or None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value >= 1 and value < 1e12 else None
    if isinstance(value, str):
        text = value.strip().removesuffix("px")
        if text.isdigit() and len(text) < 12:
            return int(text) or None
        try:
            return number(float(text)) if text else None
        except ValueError:
            return None
    return None


def text(value: object) -> str | None:
    """A text field as agencies write it: a string with its spaces collapsed, else None."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


# "AP Photo/John Smith", "REUTERS/Jane Doe": a credit line whose name follows the agency's.
_CREDIT_PREFIX = re.compile(r"^\(?[^/()]{1,40}/\s*(?=\S)")


def credit_name(credit: str | None) -> str | None:
    """The photographer's name in a credit line ("(AP Photo/John Smith)" -> "John Smith")."""
    if not credit:
        return None
    return _CREDIT_PREFIX.sub("", credit).strip(" ()") or None


# What `Pictures.rendition` returns for an href it refused (and warned about): dropped by
# `Pictures.add` like None, but it tells add that the warning was given.
REFUSED = Rendition(href="")


class Pictures:
    """Collects a story's pictures and the warnings for what had to be dropped."""

    __slots__ = ("found", "warnings")

    def __init__(self) -> None:
        self.found: list[Picture] = []
        self.warnings: list[StoryWarning] = []

    def warn(self, problem: str, action: str = "dropped") -> None:
        """A picture dropped (or a field of one): the message quotes the input, so it is
        cleaned like any text the desk stores."""
        self.warnings.append(StoryWarning("pictures", clean(problem), action))

    def rendition(self, href: object, *, name: str | None = None, width: object = None,
                  height: object = None, contenttype: object = None, size: object = None,
                  where: str = "picture", keep_svg: bool = True) -> Rendition | None:
        """A Rendition, or None (with a warning if it was refused, silently if it has no
        href or is typed as something other than a picture, e.g. a caption's text)."""
        if not isinstance(href, str) or not href.strip():
            return None
        href = href.strip()
        ctype = contenttype.strip().lower() if isinstance(contenttype, str) else None
        problem = refusal(href, ctype)
        if problem is not None and keep_svg and is_svg(href, ctype) and \
                scheme_refusal(href) is None:
            # Fetched only to be quarantined (see `add`): its bytes say what it held.
            return Rendition(href=href, name=name, width=number(width), height=number(height),
                             contenttype=SVG_TYPE, size=number(size))
        if problem is not None:
            self.warn(f"{where}: {problem} ({href[:80]!r})")
            return REFUSED
        if ctype and not ctype.startswith("image/") and "octet-stream" not in ctype:
            return None  # a rendition of another kind (text, video): not this picture
        return Rendition(href=href, name=name, width=number(width), height=number(height),
                         contenttype=ctype or None, size=number(size))

    def add(self, renditions: list[Rendition | None], *, uri: object = None,
            offered: int | None = None, **fields: object) -> Picture | None:
        """Add a picture; its uri is the agency's id or derived from its first href.
        `offered` counts the hrefs the agency gave: when it gave some and none was usable,
        the picture is dropped (it would be a picture we can never show)."""
        kept = tuple([r for r in renditions if r is not None and r is not REFUSED])
        given = uri.strip() if isinstance(uri, str) else None
        svgs = [r for r in kept if r.contenttype == SVG_TYPE]
        if svgs and len(svgs) < len(kept):  # another rendition is a picture: show that one
            kept = tuple(r for r in kept if r.contenttype != SVG_TYPE)
            for r in svgs:
                self.warn(f"picture {given or '(no id)'}: SVG can carry script: not a picture "
                          f"we show ({r.href[:80]!r})")
        elif svgs:
            self.warn(f"picture {given or '(no id)'}: SVG can carry script: never shown; its "
                      f"bytes are fetched to be quarantined ({svgs[0].href[:80]!r})",
                      "quarantined")
        if offered and not kept:
            if not any(r is REFUSED for r in renditions):  # else its refusal was said
                self.warn(f"picture {given or '(no id)'}: no rendition is a picture")
            return None
        if not given:
            if not kept:
                return None  # no id and no href: nothing to name or fetch
            given = derived_uri(kept[0].href)
        picture = Picture(given, kept, **fields)  # type: ignore[arg-type]
        found = self.found
        if not found or all(p.uri != given for p in found):
            found.append(picture)
        return picture

    def result(self) -> tuple[Picture, ...]:
        found = self.found
        if len(found) < 2:
            return tuple(found)  # one picture is its own lead
        return lead_first(found)


def lead_first(pictures: Iterable[Picture]) -> tuple[Picture, ...]:
    """The pictures with the lead first (featureimage, featuremedia, main...), the rest in
    the order they came."""
    items = list(pictures)
    for role in LEAD_ROLES:
        for index, picture in enumerate(items):
            if (picture.role or "").lower() == role:
                if index:
                    items.insert(0, items.pop(index))
                return tuple(items)
    return tuple(items)


def picture_story(picture: Picture, *, raw: bytes, fmt: str, agency: str | None = None,
                  warnings: Iterable[StoryWarning] = (), language: str | None = None,
                  firstcreated: datetime | None = None) -> Story:
    """A picture item that came alone (or its kill) as a Story of type "picture": its one
    picture, with the headline from the item or else the caption's first words."""
    headline = picture.headline or (first_sentence(picture.caption) if picture.caption else "")
    return Story(
        uri=picture.uri,
        headline=headline,
        version=picture.version,
        firstcreated=firstcreated,
        versioncreated=picture.versioncreated,
        pubstatus=picture.pubstatus,
        expires=picture.expires,
        by=picture.by,
        agency=agency,
        language=language,
        copyrightholder=picture.copyrightholder,
        copyrightnotice=picture.copyrightnotice,
        usageterms=picture.usageterms,
        creditline=picture.creditline,
        raw=raw,
        format=fmt,
        warnings=tuple(warnings),
        pictures=(picture if picture.role is None else replace(picture, role=None),),
        type="picture",
    )


def status(value: object) -> Pubstatus:
    """A picture's pubstatus; a word we do not know leaves it usable (the story's own
    status decides what readers see; a picture item alone checks its status itself)."""
    if value is None:
        return Pubstatus.USABLE
    try:
        return Pubstatus.parse(value if isinstance(value, str) else None)
    except ValueError:
        return Pubstatus.USABLE


_MARKED = re.compile(r'<span data-picture-src="([^"]*)"(?: data-picture-alt="([^"]*)")?')


def body_pictures(story: Story) -> Story:
    """The story with the pictures its agency placed in the text (bodies.mark_pictures) added
    to Story.pictures, role "body", after the ones it names elsewhere; refusals as warnings."""
    kit = Pictures()
    kit.found.extend(story.pictures)
    for found in _MARKED.finditer(story.body.html):
        href = html.unescape(found.group(1))
        # An SVG in the text is an icon or a drawing, not a picture delivered with the
        # story: refused with a warning, not fetched to be quarantined story after story.
        kit.add([kit.rendition(href, where="body <img>", keep_svg=False)], offered=1,
                role="body",
                alt=text(html.unescape(found.group(2) or "")))
    if len(kit.found) == len(story.pictures) and not kit.warnings:
        return story
    return story.with_changes(pictures=tuple(kit.found),
                              warnings=(*story.warnings, *kit.warnings))
