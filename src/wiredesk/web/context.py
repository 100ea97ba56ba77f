"""What every web module needs: settings, the store, templates and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.times import utc_now
from wiredesk.web.render import Renderer

Clock = Callable[[], datetime]


system_clock = utc_now  # the web's name for the one "now"


@dataclass
class Context:
    settings: Settings
    store: Store
    renderer: Renderer
    clock: Clock = system_clock

    def story_path(self, story_id: int, headline: str) -> str:
        from wiredesk.web.http import uri_path
        from wiredesk.web.render import slug

        # Percent-encoded: the path goes into headers, feeds and sitemaps as a URI.
        return uri_path(f"/story/{story_id}/{slug(headline)}")

    def absolute(self, path: str) -> str:
        return self.settings.base_url.rstrip("/") + path
