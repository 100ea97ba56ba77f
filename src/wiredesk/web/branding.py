"""A publisher's own look without a fork: WIREDESK_TEMPLATES and WIREDESK_CSP_EXTRA.

The folder's templates are found before the packaged ones (a file of the same name replaces
it; the packaged ones stay reachable as "wiredesk/<name>", so an override can extend the
packaged base.html and replace one block). Its static/ files are served before the packaged
ones (web/assets.py). See docs/branding.md.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from wiredesk.values import BadValue

TEMPLATES = "WIREDESK_TEMPLATES"
CSP_EXTRA = "WIREDESK_CSP_EXTRA"
PACKAGED = "wiredesk"  # "wiredesk/base.html" is always the packaged base.html
# An analytics host, exactly: https, a host name (a leading "*." for its subdomains), a port.
_SOURCE = re.compile(r"^https://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d{1,5})?/?$")


def folder(value: str, where: str = TEMPLATES) -> str:
    """An existing folder, else BadValue naming the setting."""
    path = Path(value.strip()).expanduser()
    if not path.is_dir():
        problem = (f"{value!r} is not a folder: point it at the folder of your template "
                   "overrides (docs/branding.md), or leave it unset")
        raise BadValue(f"{where} {problem}", problem)
    return str(path.resolve())


def csp_sources(value: str, where: str = CSP_EXTRA) -> str:
    """Space-separated https origins a publisher's snippet needs, else BadValue: no
    keywords ('unsafe-inline'...), no wildcards of everything, no other directives."""
    sources = value.split()
    for source in sources:
        if not _SOURCE.match(source):
            problem = (f"{source!r} is not an https origin such as https://stats.example.com "
                       "(space-separated)")
            raise BadValue(f"{where} {problem}", problem)
    return " ".join(s.rstrip("/") for s in sources)


def csp(base: str, extra: str | None) -> str:
    """The site's policy with the publisher's origins allowed for scripts, images and
    beacons (what an analytics snippet loads and sends); the policy itself when none."""
    if not extra:
        return base
    return base.replace("script-src 'self'", f"script-src 'self' {extra}") + (
        f"; img-src 'self' {extra}; connect-src 'self' {extra}")


def loader(templates: str | None) -> BaseLoader:
    packaged = PackageLoader("wiredesk.web", "templates")
    own = [FileSystemLoader(folder(templates))] if templates else []
    return ChoiceLoader([*own, PrefixLoader({PACKAGED: packaged}), packaged])


def static_folder(templates: str | None) -> Path | None:
    """The publisher's static/ folder, when there is one."""
    if not templates:
        return None
    path = Path(folder(templates)) / "static"
    return path if path.is_dir() else None
