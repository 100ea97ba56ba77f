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


class Assets:
    """The static files of one site: a publisher's folder (WIREDESK_TEMPLATES/static, first)
    over the packaged one. A name found in both is the publisher's file."""

    def __init__(self, override: Path | None = None) -> None:
        self.directories = [*([override] if override else []), directory()]
        names: dict[str, str] = {}
        for folder in reversed(self.directories):  # the first folder's file wins
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    digest = hashlib.blake2b(path.read_bytes(), digest_size=5).hexdigest()
                    names[path.name] = f"{path.stem}.{digest}{path.suffix}"
        self.fingerprints = names

    def asset(self, name: str) -> str:
        """The URL of a static file, by its plain name: a template global."""
        try:
            return f"/static/{self.fingerprints[name]}"
        except KeyError:
            raise LookupError(f"no static file {name!r} in {self.directories}") from None

    def has(self, name: str) -> bool:
        return name in self.fingerprints

    def original(self, path: str) -> str | None:
        """The plain name a current fingerprinted name stands for, else None."""
        match = _FINGERPRINTED.match(path)
        if match is None:
            return None
        name = match["stem"] + match["ext"]
        return name if self.fingerprints.get(name) == path else None


@cache
def packaged() -> Assets:
    return Assets()


def fingerprints() -> dict[str, str]:
    """File name -> its fingerprinted name, for every packaged file in static/."""
    return packaged().fingerprints


def asset(name: str) -> str:
    return packaged().asset(name)


def original(path: str) -> str | None:
    return packaged().original(path)


class AssetFiles(StaticFiles):
    """StaticFiles that answers fingerprinted names with a year's cache, plain ones briefly.
    Starlette's lookup keeps every answer inside the folders (no "..", no symlink out)."""

    def __init__(self, assets: Assets | None = None) -> None:
        self.assets = assets or packaged()
        super().__init__(directory=str(directory()))
        self.all_directories = [str(d) for d in self.assets.directories]

    async def get_response(self, path: str, scope: Scope) -> Response:
        plain = self.assets.original(path)
        response = await super().get_response(plain or path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = LONG if plain else SHORT
        return response
