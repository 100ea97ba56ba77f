"""Jinja2 templates and the small presentation rules they share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from wiredesk.config import Settings
from wiredesk.corrections import correction
from wiredesk.times import iso
from wiredesk.web.assets import asset

URGENT = 3  # ninjs urgency 1 (highest) to 9; 1-3 are marked on the front page


@dataclass(frozen=True)
class TextSize:
    """Reader's text size, five steps, remembered by cookie across pages."""

    COOKIE = "textsize"
    LABELS = ("Small", "Normal", "Large", "Larger", "Largest")
    DEFAULT = 1
    level: int = DEFAULT

    @classmethod
    def from_cookie(cls, value: str | None) -> TextSize:
        try:
            level = int(value or cls.DEFAULT)
        except ValueError:
            level = cls.DEFAULT
        return cls(min(max(level, 0), len(cls.LABELS) - 1))

    def step(self, direction: str) -> TextSize:
        delta = {"larger": 1, "smaller": -1}.get(direction, 0)
        if direction == "reset":
            return TextSize()
        return TextSize.from_cookie(str(self.level + delta))

    @property
    def label(self) -> str:
        return self.LABELS[self.level]


def when(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%-d %b %Y, %H:%M UTC")


def isotime(value: datetime | None) -> str:
    return iso(value) or ""


def highlight(snippet: str) -> Markup:
    """A search snippet, escaped, with the engine's match markers turned into <mark>."""
    from wiredesk.store.search import MARK_END, MARK_START

    escaped = str(Markup.escape(snippet))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "story"


class Renderer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = Environment(
            loader=PackageLoader("wiredesk.web", "templates"),
            autoescape=select_autoescape(["html", "xml"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(when=when, isotime=isotime, slug=slug, highlight=highlight)
        self.env.globals.update(site=settings.site_name, URGENT=URGENT, safe_html=Markup,
                                asset=asset)
        self.env.globals.update(correction_of=correction)  # corrections.py, for notices

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)
