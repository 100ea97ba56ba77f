"""Pictures where the agency placed them in its text.

The body keeps each agency <img> as an empty marker naming the agency's href
(formats/bodies.mark_pictures); the picture itself is fetched and stored like any other
(Story.pictures, role "body", uri derived from that href). The article puts our own rendition
at each marker whose picture a reader may see now, and drops the others: a picture that is
killed, expired or never arrived leaves no trace, and no page ever loads the agency's URL.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from markupsafe import Markup

from wiredesk.formats.pictures import derived_uri


class Shown(Protocol):  # web/pictures.Shown, without importing the pages' machinery
    uri: str


_MARKER = re.compile(r'<span data-picture-src="([^"]*)"[^>]*></span>')


def place(body_html: str, pictures: Sequence[Shown], figure: Callable[[Any], str]) -> Markup:
    """The display body with each marker replaced by `figure(picture)` or by nothing."""
    if "data-picture-src" not in body_html:
        return Markup(body_html)  # the sanitised display copy (formats/bodies.py)
    by_uri = {p.uri: p for p in pictures if p.uri}

    def swap(found: re.Match[str]) -> str:
        picture = by_uri.get(derived_uri(html.unescape(found.group(1))))
        return figure(picture) if picture is not None else ""
    return Markup(_MARKER.sub(swap, body_html))
