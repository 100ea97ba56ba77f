"""Jinja2 templates and the small presentation rules they share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from wiredesk.config import Settings
from wiredesk.times import iso
from wiredesk.web import presentation as p
from wiredesk.web.assets import asset
from wiredesk.web.slugs import slug

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
        self.env.filters.update(ago=p.ago, rtl=p.rtl, summary=p.summary, corrected=p.corrected,
                                sections_of=p.sections_of, agency_path=p.agency_path)

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)
