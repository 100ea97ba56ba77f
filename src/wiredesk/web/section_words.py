"""The default sections' titles in the site's language.

The 17 default sections (store/sections.py, written by migration 0014) carry the IPTC Media
Topic names in English: they are the site's words, so a French site shows them in French. A
title the publisher wrote (`wiredesk sections add`) is theirs and shown as written, even when
it happens to match one of these (only a default section's own title is translated).
"""

from __future__ import annotations

from collections.abc import Callable

from wiredesk.store.records import Section
from wiredesk.web.i18n import N_

# The titles of store/sections.defaults(), in its order (tests/test_i18n.py holds them equal).
DEFAULT_TITLES = {
    "arts": N_("Arts, culture, entertainment and media"),
    "crime": N_("Crime, law and justice"),
    "disaster": N_("Disaster, accident and emergency incident"),
    "business": N_("Economy, business and finance"),
    "education": N_("Education"),
    "environment": N_("Environment"),
    "health": N_("Health"),
    "human-interest": N_("Human interest"),
    "labour": N_("Labour"),
    "lifestyle": N_("Lifestyle and leisure"),
    "politics": N_("Politics"),
    "religion": N_("Religion"),
    "science": N_("Science and technology"),
    "society": N_("Society"),
    "sport": N_("Sport"),
    "conflict": N_("Conflict, war and peace"),
    "weather": N_("Weather"),
}


def section_title(section: Section, words: Callable[[str], str]) -> str:
    """The section's title as readers see it: a default's in the site's language."""
    if DEFAULT_TITLES.get(section.slug) == section.title:
        return words(section.title)
    return section.title
