"""No server-side request forgery: fetch only http(s) addresses on the public internet.

A feed entry's link, a redirect or a `next` page URL is written by someone else; without a
guard it could make the worker fetch http://169.254.169.254/ (cloud credentials) or an admin
page on localhost. So every request is checked twice: before it is sent, by resolving the
host and checking *every* address it resolves to; and after connecting, by checking the
address the socket actually reached (a DNS answer that changed in between, "rebinding",
is caught there before any byte of the body is read).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(Exception):
    """A URL the guard refuses; the message says which address and why."""


def address_problem(ip: Address) -> str | None:
    """Why an address is not public, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return address_problem(ip.ipv4_mapped)  # ::ffff:127.0.0.1 is loopback too
    for test, why in ((ip.is_loopback, "loopback"), (ip.is_link_local, "link-local"),
                      (ip.is_private, "private"), (ip.is_multicast, "multicast"),
                      (ip.is_unspecified, "unspecified"), (ip.is_reserved, "reserved")):
        if test:
            return why
    if not ip.is_global:  # shared (100.64/10), documentation and other special ranges
        return "not a public address"
    return None


def resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BlockedAddress(f"cannot resolve host {host!r}: {exc.strerror}") from None
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))


Allow = bool | Sequence[str]


def allowed(url: str, allow: Allow) -> bool:
    """May `url` reach a private address? `allow` is True (any), False (none), or a list of
    `host` / `host:port` entries: one internal gateway, not the whole network."""
    if isinstance(allow, bool):
        return allow
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return any(entry.lower() in (host, f"{host}:{port}") for entry in allow)


def check_url(url: str, allow_private: Allow = False) -> None:
    """Raise BlockedAddress unless `url` is http(s) and (unless allowed) every address of
    its host is public."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedAddress(f"refused {url!r}: only http and https")
    if not parts.hostname:
        raise BlockedAddress(f"refused {url!r}: no host")
    if allowed(url, allow_private):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BlockedAddress(f"refused {url!r}: bad port") from None
    for ip in resolve(parts.hostname, port):
        why = address_problem(ip)
        if why:
            raise BlockedAddress(f"refused {url}: {parts.hostname} is {ip}, a {why} address "
                                 "(allow_private on the source permits it)")


def check_peer(response: httpx.Response, allow_private: Allow = False) -> None:
    """After connecting: the address the socket reached must be public too."""
    if allowed(str(response.request.url), allow_private):
        return
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        return  # nothing to check against (a transport without sockets)
    ip = ipaddress.ip_address(str(peer[0]).split("%")[0])
    why = address_problem(ip)
    if why:
        raise BlockedAddress(f"refused {response.request.url}: connected to {ip}, a {why} "
                             "address")
