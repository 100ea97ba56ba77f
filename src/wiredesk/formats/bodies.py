"""Story bodies from what the formats find: markup, paragraphs or text."""

from __future__ import annotations

from wiredesk.story import Body


def html_body(markup: str) -> Body:
    """A body from agency HTML; blank markup is the empty body."""
    return Body.from_html(markup) if markup.strip() else Body.empty()
