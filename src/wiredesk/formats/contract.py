"""The one parser contract every format module keeps, and the record that registers it.

A format module offers

    NAME: str                                   # "ninjs", "nitf", "plain"...
    looks_like(data: bytes) -> bool             # a cheap sniff of the first bytes
    parse(data: bytes, *, agency: str | None = None) -> list[Story]
    FORMAT = Format(NAME, looks_like, parse)

`agency` names the sender when the bytes do not (a source's configured agency); formats
whose items always name their originator (ninjs) accept it and leave it unused. Bad input
raises FormatError, nothing else. formats/__init__.py lists the FORMATs in detection order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from wiredesk.story import Story


class Parse(Protocol):
    def __call__(self, data: bytes, *, agency: str | None = None) -> list[Story]: ...


@dataclass(frozen=True)
class Format:
    name: str
    looks_like: Callable[[bytes], bool]
    parse: Parse
