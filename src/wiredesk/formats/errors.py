"""The one error every parser raises for bad input."""

from __future__ import annotations


class FormatError(ValueError):
    """Input that a format cannot read: names the format, the place and what was expected."""

    def __init__(self, fmt: str, where: str, problem: str) -> None:
        self.format = fmt
        self.where = where
        self.problem = problem
        super().__init__(f"{fmt}: {where}: {problem}")
