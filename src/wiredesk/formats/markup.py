"""Agency HTML made fit for the sanitiser in one linear pass: nesting bounded, SVG and MathML
turned into spans so their words survive.

nh3's HTML parser checks its stack of open elements for nearly every tag, so 100,000 nested
elements cost it O(n^2) (38 s for 1.1 MB). Past DEPTH open elements a start tag and its end
tag are dropped (a block one leaves a space, so words stay apart): the text goes into the
element at the limit and no word is lost. The pass models the stack the way an HTML parser
builds it closely enough to keep nh3's stack within a small multiple of DEPTH; it never has
to be exact, since nh3 still sanitises whatever comes out.
"""

from __future__ import annotations

import re
from itertools import accumulate

DEPTH = 100

# Where a token may start; then a comment (unterminated: to the end), a doctype or bogus
# comment, or a tag: a name, then attributes up to ">" with no "<" among them, within
# _TAG_MAX characters. Quotes are not followed, so `<img alt="a<b">` is not read as a tag;
# its text is written as it was (the sanitiser still parses it properly). In exchange a body
# of unfinished tags costs linear time, not a scan to the end at every "<".
_TAG_MAX = 2048
_TAG_HEAD = re.compile(r"<(/?)[a-zA-Z]")
_START = re.compile(r"<(?:!--|[!?]|/?[a-zA-Z])")
_OTHER_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<[!?][^>]*>?", re.S)
_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/<>]*)([^<>]*)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr", "keygen", "image"})
# Their content is text to an HTML parser (nh3 drops or escapes it): skip to the end tag.
_RAW = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript",
                  "textarea", "title", "plaintext"})
# An element that an end tag of another name does not walk past (the HTML "special" set).
_SPECIAL = frozenset({
    "address", "applet", "article", "aside", "blockquote", "body", "caption", "center", "dd",
    "details", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "marquee", "menu",
    "nav", "object", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
})
_SAME_CLOSES = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option", "a"})
_BLOCK = frozenset({"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5",
                    "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "dt", "dd", "figure",
                    "figcaption", "section", "article"})
_FOREIGN = frozenset({"svg", "math"})
# No re.I: spelt out, the pattern keeps its literal "<" prefix, which the engine finds fast.
_FOREIGN_START = re.compile(r"<(?:[sS][vV][gG]|[mM][aA][tT][hH])\b")
_STEP = {"": 1, "/": -1}  # a start tag opens one element, an end tag closes one
# What `prepare` must still read where nothing can nest too deep and no foreign content is
# open: a foreign or raw-text element's start tag, a comment, a doctype or bogus comment.
_LEAP = re.compile(
    r"<(?:!|\?|(?i:svg|math|script|style|xmp|iframe|noembed|noframes|noscript|textarea|title"
    r"|plaintext)(?![^\s/<>]))")
_LOOK = 16  # how far down the stack an end tag looks for its element


def needs_pass(markup: str) -> bool:
    """Whether `prepare` can change anything: foreign content, or enough tags to nest deep."""
    if _FOREIGN_START.search(markup) is not None:
        return True
    return _deep(markup)


def _deep(markup: str) -> bool:
    """Whether the markup can nest past DEPTH."""
    # Not even that many start tags (long bodies: most of them, cheaply). Counting "<" is a
    # memchr-speed pass and bounds the start tags from above on its own; "</" (a substring
    # search, three times slower) is counted only when that bound is not enough.
    opened = markup.count("<")
    if opened <= DEPTH or opened - markup.count("</") <= DEPTH:
        return False
    # Start tags less end tags so far, at its highest: never below the real depth (void and
    # unclosed elements only count too much), so at most DEPTH means nothing to flatten.
    slashes = _TAG_HEAD.findall(markup)  # "" for a start tag, "/" for an end tag
    return max(accumulate(map(_STEP.__getitem__, slashes)), default=0) > DEPTH  # all in C


def prepare(markup: str) -> str:
    """`markup` with nesting bounded to DEPTH and SVG/MathML elements as spans."""
    # Markup that cannot nest too deep changes only inside SVG/MathML: while no foreign
    # element is open (nor any element left on the modelled stack) the pass leaps to the
    # next token that can start foreign content or hide some (a raw-text element, a
    # comment) instead of modelling every tag: Substack bodies, SVG icons in every image
    # widget, are prepared twice as fast.
    leap = _START if _deep(markup) else _LEAP
    out: list[str] = []
    stack: list[tuple[str, str]] = []  # (name, name as written out) of the open elements
    dropped: dict[str, int] = {}  # start tags dropped at the limit, by name, awaiting an end
    foreign = 0  # open svg/math elements
    pos = 0
    end = len(markup)
    while pos < end:
        found = (_START if foreign or stack else leap).search(markup, pos)
        if found is None:
            break
        at = found.start()
        out.append(markup[pos:at])
        other = _OTHER_TOKEN.match(markup, at) if markup[at + 1] in "!?" else None
        if other is not None:
            out.append(other.group(0))  # comment, doctype
            pos = other.end()
            continue
        token = _TAG.match(markup, at, at + _TAG_MAX)
        if token is None:
            out.append("<")  # starts no tag: text
            pos = at + 1
            continue
        pos = token.end()
        text = token.group(0)
        slash, name, attrs = token.groups()
        name = name.lower()
        closing = slash == "/"
        if not closing and name in _RAW:
            out.append(text)
            if name == "plaintext":
                out.append(markup[pos:])
                return "".join(out)
            start = pos
            stop = re.compile(rf"</{name}\b[^>]*>?", re.I).search(markup, pos)
            pos = stop.end() if stop else end
            out.append(markup[start:pos])  # the text and the end tag, as they were
            continue
        if closing:
            out.append(_close(name, text, stack, dropped))
            if name in _FOREIGN and foreign:
                foreign -= 1
            continue
        # Inside SVG/MathML every element becomes a bare span (the sanitiser would drop
        # them whole, text and all); a space after each keeps <text>a</text><text>b</text>
        # two words. Script and style keep their names (above) so their content still goes.
        in_foreign = bool(foreign) or name in _FOREIGN
        written = "span" if in_foreign else name
        if name in _VOID:
            out.append("" if in_foreign else text)
            continue
        if in_foreign and attrs.rstrip().endswith("/"):
            out.append("<span></span> ")
            continue
        tag = "<span>" if in_foreign else text
        if stack and stack[-1][0] == name and name in _SAME_CLOSES:
            stack.pop()  # <p>a<p>b: the second p closes the first
        if name in _FOREIGN:
            foreign += 1  # dropped or not, what it holds is foreign content
        if len(stack) >= DEPTH:
            dropped[name] = dropped.get(name, 0) + 1
            out.append(" " if name in _BLOCK else "")
            continue
        stack.append((name, written))
        out.append(tag)
    out.append(markup[pos:])
    return "".join(out)


def _close(name: str, text: str, stack: list[tuple[str, str]], dropped: dict[str, int]) -> str:
    """What to write for the end tag `name`, popping the modelled stack as a parser would."""
    if dropped.get(name):
        dropped[name] -= 1
        return " " if name in _BLOCK else ""
    for depth in range(len(stack) - 1, max(-1, len(stack) - 1 - _LOOK), -1):
        open_name, written = stack[depth]
        if open_name == name:
            del stack[depth:]
            return "</span> " if written != open_name else f"</{written}>"
        if open_name in _SPECIAL and name not in _SPECIAL:
            break
    return text  # not modelled as open: as written, for the parser to place or ignore
