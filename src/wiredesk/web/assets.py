"""Static files under fingerprinted names: /static/site.3f2a1c9e0b.css, cached for a year.

The name carries a hash of the file's bytes, worked out once when the process starts, so a
changed file has a new URL and browsers and the edge may keep each one for ever (`immutable`).
Templates name files with `asset("site.css")`. The plain name still answers, cached briefly,
for anything that links to it.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

LONG = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
_FINGERPRINTED = re.compile(r"^(?P<stem>[^/]+)\.(?P<hash>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")


def directory() -> Path:
    return Path(str(resources.files("wiredesk.web").joinpath("static")))


@cache
def fingerprints() -> dict[str, str]:
    """File name -> its fingerprinted name, for every file in static/."""
    names = {}
    for path in sorted(directory().iterdir()):
        if path.is_file():
            digest = hashlib.blake2b(path.read_bytes(), digest_size=5).hexdigest()
            names[path.name] = f"{path.stem}.{digest}{path.suffix}"
    return names


def asset(name: str) -> str:
    """The URL of a static file, by its plain name: a template global."""
    try:
        return f"/static/{fingerprints()[name]}"
    except KeyError:
        raise LookupError(f"no static file {name!r} in {directory()}") from None


def original(path: str) -> str | None:
    """The plain name a current fingerprinted name stands for, else None."""
    match = _FINGERPRINTED.match(path)
    if match is None:
        return None
    name = match["stem"] + match["ext"]
    return name if fingerprints().get(name) == path else None


class AssetFiles(StaticFiles):
    """StaticFiles that answers fingerprinted names with a year's cache, plain ones briefly."""

    def __init__(self) -> None:
        super().__init__(directory=str(directory()))

    async def get_response(self, path: str, scope: Scope) -> Response:
        plain = original(path)
        response = await super().get_response(plain or path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = LONG if plain else SHORT
        return response
