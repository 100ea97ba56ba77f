"""Story bodies, one way for every format: agency HTML made safe for display (nh3, with
SVG and MathML text kept), plain text of it, and bodies from markup, paragraphs or text.

Body (wiredesk.story) is the value; parsers build one only through these.
"""

from __future__ import annotations

import html
import re

import nh3
from lxml import etree
from lxml import html as lxml_html

from wiredesk.formats.cleantext import clean, is_safe
from wiredesk.formats.markup import needs_pass, prepare
from wiredesk.story import Body

# A picture the agency placed in its text (<img>) is kept as an empty marker at that place,
# naming the agency's href: no surface loads it, the article puts our own rendition there
# once the picture is fetched and live (web/inline_pictures.py), and formats.parse adds it to
# Story.pictures (formats/pictures.py, body_pictures).
PICTURE_SRC = "data-picture-src"
PICTURE_ALT = "data-picture-alt"
def mark_pictures(markup: str) -> str:
    """Each <img> of agency HTML as an empty span naming its src and alt (or nothing, when
    it names no src). Read with an HTML parser, never a pattern: an <img> written inside an
    attribute's value is text, not a picture."""
    if not is_safe(markup):  # characters XML cannot hold: the parser would drop them, and
        return markup  # the words must stay; the sanitiser drops the <img> as before
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, etree.ParserError):  # characters XML cannot hold: the sanitiser's
        return markup  # own reading stands, and it drops the <img> as before
    images = root.xpath(".//img")
    if not images:
        return markup
    for img in images:
        src = (img.get("src") or "").strip()
        if src:
            marker = lxml_html.Element("span")
            marker.set(PICTURE_SRC, src)
            marker.set(PICTURE_ALT, (img.get("alt") or "").strip())
            marker.tail = img.tail
            img.getparent().replace(img, marker)
        else:
            img.drop_tree()  # its tail text stays
    return lxml_html.tostring(root, encoding="unicode")[len("<div>"):-len("</div>")]


# Markup a story body may keep for display. Everything else (script, style, iframe, object,
# forms, event handlers, javascript: URLs) is removed by nh3; text content is never dropped.
_ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
    "b", "strong", "i", "em", "u", "s", "sub", "sup", "small", "mark", "q", "cite",
    "abbr", "span", "div", "ul", "ol", "li", "dl", "dt", "dd", "a",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption",
}
_ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "span": {PICTURE_SRC, PICTURE_ALT},  # where the agency placed a picture (mark_pictures)
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
# nh3 drops these elements together with their content; for anything else it keeps the text.
_CLEAN_CONTENT_TAGS = {"script", "style", "template", "noscript", "iframe", "object", "embed"}
# The sanitiser writes tag names in lower case, so no re.I (which halves the speed); the
# lookahead ends the name where \b would. A table cell is a line of its own (its words ran
# into the next cell's: "HeadCell").
_BLOCK_BREAK = re.compile(
    r"<(?:/?(?:p|div|br|li|t[rdh]|h[1-6]|blockquote|pre|table|ul|ol|dl|dt|dd|figure|figcaption)"
    r"(?=[\s/>])[^>]*)>"
)
_TAG = re.compile(r"<[^>]*>")
# "<img" or "<IMG" (not "<Img": that one the sanitiser drops unread, as it always has): one
# scan for "<" in C, where two substring searches cost 2.5 times as much over long bodies.
_HAS_IMG = re.compile(r"<(?:img|IMG)")
# Runs of spaces and any other space character: a lone space (nearly every match of a plain
# [ ...]+ class) is left alone, so the substitution has little to do.
_SPACE = re.compile(r"[ \t\r\f\v]{2,}|[\t\r\f\v]")


def sanitize_html(markup: str) -> str:
    """A display copy of agency HTML: scripts, handlers, foreign frames and styles removed.

    Nesting is bounded and SVG/MathML text kept by one linear pass (formats/markup.py).
    Characters XML cannot carry are left to `formats.parse` (cleantext.clean_story, which
    records them), except a lone surrogate: nh3 cannot take one at all."""
    if "<" not in markup and "&" not in markup:  # HTML fails at its first "<": no scan
        if (plain := _plain_display(markup)) is not None:
            return plain
    if _HAS_IMG.search(markup) is not None:
        if (marked := _clean_marking(markup)) is not None:
            return marked
        markup = mark_pictures(markup)
    if needs_pass(markup):
        markup = prepare(markup)
    try:
        return _CLEANER.clean(markup)
    except UnicodeEncodeError:
        return _CLEANER.clean(clean(markup))


def _plain_display(text: str) -> str | None:
    """What the sanitiser makes of text with no tag and no character reference, without
    parsing it (podcast and plain-text descriptions): the same string, with ">", U+00A0 and
    line ends written as its serialiser writes them. None where the text holds a character
    the parser treats otherwise (U+FEFF at the start is dropped) or that XML cannot carry."""
    if "\ufeff" in text or not is_safe(text):
        return None
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\u00a0" in text:
        text = text.replace("\u00a0", "&nbsp;")
    if "\r" in text:  # the HTML tokenizer's newline normalisation
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# Where lxml (mark_pictures) and the sanitiser could read an <img> differently, or lxml
# changes other markup around it, mark_pictures decides (see _clean_marking). Spelt out
# without re.I, as markup.py's patterns are: a case-blind group is tried slowly at every "<".
_NOT_DIRECT = re.compile(  # an <img> to the sanitiser only; elements whose content is text to it
    r"<(?:[iI][mM][aA][gG][eE]|[tT](?:[eE][xX][tT][aA][rR][eE][aA]|[iI][tT][lL][eE])|[xX][mM][pP]"
    r"|[nN][oO](?:[eE][mM][bB][eE][dD]|[fF][rR][aA][mM][eE][sS])"
    r"|[pP][lL][aA][iI][nN][tT][eE][xX][tT])(?![^\s/<>])")
_DOCUMENT = re.compile(r"\s*<(?i:html|!doctype)")  # lxml's test for a whole document
_IMG_TAG = re.compile(r"<[iI][mM][gG][^>]*>")
# The sanitiser writes serialised HTML: attribute values double-quoted with & " < > and
# U+00A0 escaped, so a pattern reads exactly the <img> tags it kept (text "<" is "&lt;").
_IMG_OUT = re.compile(r'<img((?: [a-z-]+="[^"]*")*)>')
_IMG_ATTR = re.compile(r' (src|alt)="([^"]*)"')
_UNESCAPE = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&nbsp;", "\u00a0"), ("&amp;", "&"))


def _clean_marking(markup: str) -> str | None:
    """The display copy with each <img> as mark_pictures' marker, from one sanitiser pass
    that keeps <img> src and alt, instead of lxml parsing and writing the body first: the
    same bytes for well-formed markup (broken markup lxml would mend its own way first; here
    it is mended as in a body without pictures). None where mark_pictures must decide:
    markup ending inside a tag (lxml keeps it, nh3 drops it), characters XML cannot hold,
    a whole document, _NOT_DIRECT, an <img> that prepare drops (inside SVG/MathML) or
    misreads, and an <img> the sanitiser left without a src (it had none, or a URL nh3
    refuses, which the marker keeps so that body_pictures can say why it was dropped)."""
    if (markup.rfind("<") > markup.rfind(">") or not is_safe(markup)
            or _DOCUMENT.match(markup) or _NOT_DIRECT.search(markup)):
        return None
    lead = markup[:markup.find("<")]
    if lead and not lead.strip():  # lxml drops blank text before the first tag
        markup = markup[len(lead):]
    elif "&" in lead:  # blank once unescaped ("&nbsp;")? lxml decides
        return None
    if needs_pass(markup):
        prepared = prepare(markup)
        if _IMG_TAG.findall(prepared) != _IMG_TAG.findall(markup):
            return None
        markup = prepared
    out = _IMG_CLEANER.clean(markup)
    parts = []
    pos = 0
    for img in _IMG_OUT.finditer(out):
        found = dict(_IMG_ATTR.findall(img.group(1)))
        if "src" not in found:
            return None
        parts.append(out[pos:img.start()])
        if src := _stripped(found["src"]):
            alt = _stripped(found.get("alt", ""))
            parts.append(f'<span {PICTURE_SRC}="{src}" {PICTURE_ALT}="{alt}"></span>')
        pos = img.end()
    parts.append(out[pos:])
    return "".join(parts)


def _stripped(value: str) -> str:
    """An attribute value as the sanitiser writes it, stripped as mark_pictures strips it."""
    if not value or not (value[0].isspace() or value[-1].isspace() or value[0] == "&"
                         or value[-1] == ";"):
        return value
    for escaped, char in _UNESCAPE:
        value = value.replace(escaped, char)
    value = value.strip().replace("&", "&amp;").replace("\u00a0", "&nbsp;")
    return value.replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


# One cleaner for the process: nh3 builds its rule set once instead of on every call.
_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes=_ALLOWED_ATTRS,
    clean_content_tags=_CLEAN_CONTENT_TAGS,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
# The same rules with <img> src and alt kept, for _clean_marking to turn into markers.
_IMG_CLEANER = nh3.Cleaner(
    tags=_ALLOWED_TAGS | {"img"},
    attributes={**_ALLOWED_ATTRS, "img": {"src", "alt"}},
    clean_content_tags=_CLEAN_CONTENT_TAGS,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def html_to_text(markup: str) -> str:
    """Plain text of (already sanitised) HTML: one paragraph per line, entities decoded."""
    text = _BLOCK_BREAK.sub("\n", markup)
    text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if "\u00a0" in text:
        text = text.replace("\u00a0", " ")
    if "  " in text or "\t" in text or "\r" in text or "\f" in text or "\v" in text:
        text = _SPACE.sub(" ", text)
    return "\n".join([s for line in text.split("\n") if (s := line.strip())])


def paragraphs_to_html(paragraphs: list[str], joined: str | None = None) -> str:
    """<p> per paragraph, escaped; `joined` is the paragraphs joined by newlines, when the
    caller has it. Most copy has no "&", "<" or ">": three finds over the whole text then
    stand for an escape and an f-string per paragraph."""
    text = "\n".join(paragraphs) if joined is None else joined
    if "&" in text or "<" in text or ">" in text:
        return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return "<p>" + "</p><p>".join(paragraphs) + "</p>" if paragraphs else ""


def body_from_html(markup: str) -> Body:
    """A body from agency HTML: kept as received, a sanitised display copy, its plain text."""
    display = sanitize_html(markup)
    return Body(received=markup, content_type="text/html", html=display,
                text=html_to_text(display))


def body_from_paragraphs(paragraphs: list[str], received: str | None = None) -> Body:
    """A plain-text body from its paragraphs (blank ones dropped); `received` defaults to
    the paragraphs separated by blank lines."""
    paras = [s for p in paragraphs if (s := p.strip())]
    text = "\n".join(paras)
    return Body(
        received=received if received is not None else "\n\n".join(paras),
        content_type="text/plain",
        html=paragraphs_to_html(paras, text),
        text=text,
    )


def body_from_text(text: str) -> Body:
    """Plain text with paragraphs separated by blank lines (or single newlines)."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    if len(blocks) == 1:
        blocks = text.strip().split("\n")
    paras = [" ".join(b.split()) for b in blocks]
    return body_from_paragraphs(paras, received=text)


def html_body(markup: str) -> Body:
    """A body from agency HTML; blank markup is the empty body."""
    return body_from_html(markup) if markup.strip() else Body.empty()
