"""Entry point for ASGI servers: `granian --interface asgi --factory wiredesk.web.asgi:make_app`
or `uvicorn --factory wiredesk.web.asgi:make_app`. Settings come from WIREDESK_* variables."""

from __future__ import annotations

from starlette.applications import Starlette

from wiredesk.config import Settings
from wiredesk.web.app import create_app


def make_app() -> Starlette:
    return create_app(Settings.from_env())
