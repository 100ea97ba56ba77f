"""Shared pieces of the wire-format tests: mutated fixture bytes, the parse-or-FormatError
check, and the files of every other format that `looks_like` must refuse."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from hypothesis import strategies as st

from conftest import FIXTURES, SAMPLES
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
    """Every fixture file outside `own_dir` (other formats, hostile pages, source configs),
    plus the samples: what a format's `looks_like` must refuse."""
    own = Path(own_dir).resolve()
    files = [p for p in SAMPLES.iterdir() if p.is_file()]
    files += [p for d in FIXTURES.iterdir() if d.is_dir() and d.resolve() != own
              for p in d.iterdir() if p.is_file()]
    return sorted(files)


def path_id(path: Path) -> str:
    """A test id naming a file by its folder and name."""
    return f"{path.parent.name}/{path.name}"
