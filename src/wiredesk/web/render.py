"""Jinja2 templates and the small presentation rules they share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import format_timedelta
from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from wiredesk.config import Settings
from wiredesk.corrections import correction
from wiredesk.store.records import Section
from wiredesk.times import iso
from wiredesk.web import branding, inline_pictures, section_words
from wiredesk.web import presentation as p
from wiredesk.web.assets import Assets
from wiredesk.web.i18n import N_, Words
from wiredesk.web.slugs import slug

URGENT = 3  # ninjs urgency 1 (highest) to 9; 1-3 are marked on the front page


@dataclass(frozen=True)
class TextSize:
    """Reader's text size, five steps, remembered by cookie across pages."""

    COOKIE = "textsize"
    LABELS = (N_("Small"), N_("Normal"), N_("Large"), N_("Larger"), N_("Largest"))
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
        # A publisher's templates and static files first (web/branding.py), then ours.
        self.assets = Assets(branding.static_folder(settings.templates))
        self.words = Words(settings.site_language)  # the site's own words (web/i18n.py)
        self.env = Environment(
            loader=branding.loader(settings.templates),
            autoescape=select_autoescape(["html", "xml"]),
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        self.env.install_gettext_translations(self.words.translations, newstyle=True)  # type: ignore[attr-defined]
        self.env.filters.update(when=self.words.when, isotime=isotime, slug=slug,
                                highlight=highlight, number=self.words.number)
        self.env.globals.update(site=settings.site_name, URGENT=URGENT, safe_html=Markup,
                                asset=self.assets.asset, has_asset=self.assets.has,
                                site_language=self.words.language,
                                textsize_labels="|".join(map(self.gettext, TextSize.LABELS)))
        self.env.globals["absolute"] = lambda path: settings.base_url.rstrip("/") + path
        self.env.globals.update(correction_of=correction)  # corrections.py, for notices
        self.env.globals.update(place_pictures=self._place_pictures)
        self.env.filters["section_title"] = self.section_title  # web/section_words.py
        self.env.filters.update(ago=p.ago if self.words.language == "en" else self._ago, rtl=p.rtl, summary=p.summary, corrected=p.corrected,
                                sections_of=p.sections_of, agency_path=p.agency_path)

    def _ago(self, moment: datetime | None, now: datetime) -> str:
        """'il y a 12 min': a past moment in the site's language (Babel's short words)."""
        if moment is None:
            return ""
        return format_timedelta(min(moment - now, timedelta(0)), add_direction=True,
                                format="short", locale=self.words.language)

    def gettext(self, message: str) -> str:
        """The site's words in Python code (feeds, error pages): msgids marked with N_."""
        return self.words.gettext(message)

    def section_title(self, section: Section) -> str:
        """A section's title as readers see it: the defaults' in the site's language."""
        return section_words.section_title(section, self.gettext)

    def _place_pictures(self, body_html: str, pictures: list[Any]) -> Any:
        """The body with our renditions where the agency placed its pictures."""
        one = self.env.get_template("_picture.html")
        return inline_pictures.place(body_html, pictures,
                                     lambda p: one.render(picture=p, lazy=True))

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)
