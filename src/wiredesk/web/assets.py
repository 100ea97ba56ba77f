"""Static files under fingerprinted names: /static/site.3f2a1c9e0b.css, cached for a year.

The name carries a hash of the file's bytes, worked out once when the process starts, so a
changed file has a new URL and browsers and the edge may keep each one for ever (`immutable`).
Templates name files with `asset("site.css")`. The plain name still answers, cached briefly,
for anything that links to it.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from wiredesk.web import compress
from wiredesk.web.http import not_modified

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
        if isinstance(response, FileResponse) and response.status_code == 200:
            return encoded(response, scope) or response
        return response


def encoded(response: FileResponse, scope: Scope) -> Response | None:
    """The file compressed in the encoding the reader takes (br, gzip), once per file; None
    when the file does not compress. Plain or not, a file that compresses says Vary, so a
    cache never hands its plain copy to a brotli reader or the other way round."""
    headers = [(n, v) for n, v in response.raw_headers]
    content_type = next((v for n, v in headers if n == b"content-type"), None)
    stat = Path(response.path).stat()
    if not compress.compressible_type(content_type) or stat.st_size < compress.MIN_BYTES:
        return None
    encoding = compress.accepted(scope["headers"])
    if encoding == compress.IDENTITY:
        response.raw_headers = compress.with_vary(headers)
        return response
    body = _compressed(str(response.path), stat.st_mtime_ns, stat.st_size, encoding)
    etag = compress.variant_etag(next((v for n, v in headers if n == b"etag"), None), encoding)
    out = compress.encoded_headers(headers, encoding, len(body), etag)
    asked = dict((n, v.decode("latin-1")) for n, v in scope["headers"]
                 if n in (b"if-none-match", b"if-modified-since"))
    if etag and asked and not_modified(asked.get(b"if-none-match"), None,
                                       etag.decode("latin-1"), None):
        return Response(status_code=304, headers={n.decode(): v.decode() for n, v in out
                                                  if n not in (b"content-length",)})
    answer = Response(body if scope["method"] != "HEAD" else b"")
    answer.raw_headers = out
    return answer


@lru_cache(maxsize=256)
def _compressed(path: str, _mtime_ns: int, _size: int, encoding: str) -> bytes:
    """Keyed by the file's time and size too: a publisher's edited file is read afresh."""
    return compress.encode(Path(path).read_bytes(), encoding, static=True)
