"""The site's own words in the site's language (WIREDESK_SITE_LANGUAGE).

Stories keep their own language; this is only for what the site says around them (Published,
Text size, the takedown notice...). The words live in gettext catalogues in the package,
web/locale/<lang>/LC_MESSAGES/messages.po, and the msgids are the English words, so English
needs no catalogue. The .po files are compiled in memory when a site first asks for its
language: there is no generated .mo file to forget, in the repository or in a wheel.
`make i18n` extracts new msgids (babel.cfg) and merges them into each catalogue.
"""

from __future__ import annotations

import gettext
import io
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from wiredesk.values import BadValue

DEFAULT = "en"  # the language of the msgids
DOMAIN = "messages"
VARIABLE = "WIREDESK_SITE_LANGUAGE"
WHEN = "d MMM y, HH:mm 'UTC'"  # "2 Dec 2026, 13:32 UTC"; month names in the site's language


def N_(message: str) -> str:  # gettext's name for "mark for extraction only"
    """Marks a string in Python code for the catalogue; it is translated where it is shown."""
    return message


def locale_dir() -> Path:
    return Path(str(resources.files("wiredesk.web").joinpath("locale")))


def catalogue(language: str) -> Path:
    return locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> tuple[str, ...]:
    """The languages the site can speak: English, and every language with a catalogue."""
    found = {p.name for p in locale_dir().iterdir() if catalogue(p.name).is_file()}
    return tuple(sorted(found | {DEFAULT}))


def check_language(value: str, where: str = VARIABLE) -> str:
    """A site language the package has words for, else BadValue naming the setting."""
    language = value.strip()
    if language not in languages():
        problem = f"{value!r} is not a language the site speaks: use one of {', '.join(languages())}"
        raise BadValue(f"{where} {problem}", problem)
    return language


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue (fuzzy entries left out, so English shows until reviewed)."""
    if language == DEFAULT:
        return gettext.NullTranslations()
    with catalogue(check_language(language)).open("rb") as po:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(po, locale=language, domain=DOMAIN), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


class Words:
    """One language's words, dates and numbers: what the templates and feeds call."""

    def __init__(self, language: str) -> None:
        self.language = check_language(language)
        self.locale = Locale.parse(self.language)
        self.translations = translations(self.language)
        # WHEN's month names, looked up once: Babel's pattern engine is four times slower
        # than this, for every date on every page (tests/test_i18n.py holds them equal).
        self.months = self.locale.months["format"]["abbreviated"]

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def when(self, value: datetime | None) -> str:
        if value is None:
            return ""
        at = value.astimezone(UTC)
        return f"{at.day} {self.months[at.month]} {at.year}, {at:%H:%M} UTC"

    def when_by_babel(self, value: datetime) -> str:
        """WHEN through Babel's own formatting: what `when` must equal."""
        return format_datetime(value.astimezone(UTC), WHEN, tzinfo=UTC, locale=self.locale)

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.locale)
