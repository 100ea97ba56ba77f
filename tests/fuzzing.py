"""Shared pieces of the wire-format tests: mutated fixture bytes, the parse-or-FormatError
check, and the files of every other format that `looks_like` must refuse."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from hypothesis import strategies as st

from conftest import FIXTURES, SAMPLES
from wiredesk.formats.cleantext import UNSAFE
from wiredesk.formats.errors import FormatError
from wiredesk.story import Story

# Tokens worth inserting into any XML format, on top of random bytes.
XML_TOKENS = (b"<", b">", b"&", b'"', b"</p>", b"<p>", b"\x00", b"]]>", b"<!--")


def mutated(files: Iterable[Path | bytes], tokens: Iterable[bytes] = ()) -> st.SearchStrategy[bytes]:
    """One of `files` (paths, or the bytes themselves) after 1 to 4 mutations: a byte flipped,
    the data cut short (possibly to nothing), or 1-16 random bytes (or one of `tokens`) inserted."""
    contents = [f if isinstance(f, bytes) else f.read_bytes() for f in files]
    assert contents, "mutated() needs at least one file"
    insertion = st.binary(min_size=1, max_size=16)
    if tokens := tuple(tokens):
        insertion = st.one_of(insertion, st.sampled_from(tokens))

    @st.composite
    def strategy(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(contents)))
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.sampled_from(["flip", "truncate", "insert"]))
            if kind == "flip" and data:
                data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
            elif kind == "truncate":
                del data[draw(st.integers(0, len(data))):]
            else:  # insert (also what a flip does to empty data)
                at = draw(st.integers(0, len(data)))
                data[at:at] = draw(insertion)
        return bytes(data)

    return strategy()


def assert_parses_or_format_error(parse: Callable[[bytes], object], data: bytes,
                                  fmt_name: str | None = None) -> list[Story] | None:
    """`parse(data)` gives a list of Story (each of format `fmt_name`, when given) or raises
    FormatError; any other outcome fails. The stories, or None after a FormatError."""
    try:
        stories = parse(data)
    except FormatError:
        return None
    assert isinstance(stories, list), type(stories)
    for s in stories:
        assert isinstance(s, Story), s
        if fmt_name is not None:
            assert s.format == fmt_name, s.format
    return stories


def other_format_files(own_dir: Path) -> list[Path]:
    """Every fixture file outside `own_dir` and its dialect folders (`nitf` owns
    `nitf-as-sent`), plus other formats, hostile pages, source configs and the samples:
    what a format's `looks_like` must refuse."""
    own = Path(own_dir).resolve()
    files = [p for p in SAMPLES.iterdir() if p.is_file()]
    files += [p for d in FIXTURES.iterdir() if d.is_dir() and not is_dialect_of(d, own)
              for p in d.iterdir() if p.is_file()]
    return sorted(files)


def is_dialect_of(folder: Path, own: Path) -> bool:
    """`folder` is `own` or one of its dialects ("newsmlg2-reuters" of "newsmlg2")."""
    folder = folder.resolve()
    return folder == own or (folder.parent == own.parent
                             and folder.name.startswith(own.name + "-"))


# Fixture folders of agencies' dialects (as sent), by the format that reads them: the
# mutation fuzzing of each format runs over these too.
DIALECTS = {
    "newsmlg2": ("newsmlg2-reuters", "newsmlg2-as-sent"),
    "nitf": ("nitf-as-sent",),
    "iptc7901": ("iptc7901-dpa",),
    "plain": ("plain-as-sent",),
}


def dialect_files(fmt: str) -> list[Path]:
    """The fixture files of `fmt`'s dialect folders."""
    return sorted(p for d in DIALECTS.get(fmt, ()) for p in (FIXTURES / d).iterdir()
                  if p.is_file() and p.suffix != ".md")


def path_id(path: Path) -> str:
    """A test id naming a file by its folder and name."""
    return f"{path.parent.name}/{path.name}"


# Text that has broken parsers from inside well-formed files: lone surrogates, controls XML
# cannot carry, non-characters, numbers past Python's int-string limit, SVG/MathML that the
# sanitiser unwraps, an <html> before foreign content, nesting deep enough to be quadratic.
BIG_NUMBER = "9" * 5000
HOSTILE_STRINGS = (
    "\ud800", "a\udfffb", "a\x0bb", "a\x00b", "\x1f", "a\ufffeb", "\uffff", BIG_NUMBER,
    "<html></html><svg>x</svg>", "<svg><text>word</text></svg>", "<math><mi>x</mi></math>",
    "<math><mtext><table><mglyph><style><img src=x></style></mglyph></table></mtext></math>",
    "<div>" * 3000 + "deep" + "</div>" * 3000, "<b>" * 3000 + "bold", "<svg>" + "<g>" * 500,
    "<p>a<p>b", "</p></div></svg>", "<!--", "<script>", "&#11;&#xD800;&#0;",
)
HOSTILE_TEXT = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    st.text(st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
                      st.sampled_from("\x00\x01\x0b\x0c\x1f\ufffe\uffff<>&\"'/")), max_size=30),
    st.lists(st.sampled_from(HOSTILE_STRINGS + ("word", " ")), min_size=2, max_size=4).map("".join),
)
_XML_TEXT = re.compile(rb">([^<>]*[^<>\s][^<>]*)<|=\"([^\"<>]*)\"")
_WORD = re.compile(rb"[^\s]+")


def in_fields(files: Iterable[Path | bytes]) -> st.SearchStrategy[bytes]:
    """One of `files` (well-formed) with HOSTILE_TEXT in 1 to 3 of its text fields, the file
    otherwise intact: JSON strings (a number for BIG_NUMBER), XML text and attribute values
    (escaped, or raw markup), words of plain copy. Encoded with surrogates passed through."""
    contents = [f if isinstance(f, bytes) else f.read_bytes() for f in files]

    @st.composite
    def strategy(draw: st.DrawFn) -> bytes:
        data = draw(st.sampled_from(contents))
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if head in (b"{", b"["):
            return _json_fields(draw, data)
        spots = list((_XML_TEXT if head == b"<" else _WORD).finditer(data))
        if not spots:
            return data
        for _ in range(draw(st.integers(1, 3))):
            spot = draw(st.sampled_from(spots))
            group = 0 if head != b"<" else (1 if spot.group(1) is not None else 2)
            text = draw(HOSTILE_TEXT)
            if head == b"<" and (group == 2 or draw(st.booleans())):
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            start, end = spot.span(group)
            data = data[:start] + text.encode("utf-8", "surrogatepass") + data[end:]
            spots = list((_XML_TEXT if head == b"<" else _WORD).finditer(data)) or [spot]
        return data

    return strategy()


def _json_fields(draw: st.DrawFn, data: bytes) -> bytes:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except ValueError:
        return data
    paths: list[list[object]] = []

    def walk(node: object, path: list[object]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, [*path, key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, [*path, index])
        elif isinstance(node, str | int | float) and not isinstance(node, bool):
            paths.append(path)

    walk(doc, [])
    if not paths:
        return data
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]  # type: ignore[index]
        text = draw(HOSTILE_TEXT)
        parent[path[-1]] = "\x00BIG\x00" if text == BIG_NUMBER else text  # type: ignore[index]
    # ensure_ascii: a lone surrogate travels as "\ud800", as a sender's JSON would carry it.
    return json.dumps(doc).replace('"\\u0000BIG\\u0000"', BIG_NUMBER).encode()


def assert_clean(stories: list[Story] | None) -> None:
    """Every text field of every story is one XML 1.0 can carry."""
    for story in stories or ():
        for value in _texts(story):
            assert UNSAFE.search(value) is None, (story.uri, value[:80])


def _texts(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _texts(getattr(value, f.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _texts(item)
