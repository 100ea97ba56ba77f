"""How each route wants to be served, declared where the route is defined.

A surface's module builds its routes with `route(path, endpoint, policy)` (or `mount`), and
the layers that act before routing read the policy from there: the page cache (web/cache.py:
cached at all? is the text-size cookie part of the key?), the guard (web/security.py: which
rate-limit bucket, JSON or text answers, the login gate) and the CDN/WebSub notifier
(web/notify.py: which Surrogate-Keys and feed URLs a change reaches). No layer keeps its own
list of paths, so a new surface is one module plus one line in app.py's route list.

`Policies` is compiled once from the app's routes. A lookup is one dict lookup for a path
seen before (a bounded dict of answers); otherwise one for a first path segment whose routes
all share one policy (such as /story or /push), else an exact-path lookup, else a short scan
of that segment's patterns. A path no route matches takes the policy of the first route
declared under its first segment (so /console/anything stays behind the gate), or `DEFAULT`
when no route shares its first segment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Scope

from wiredesk.store import Changes

POLICY_KEY = "wiredesk.policy"  # where the first layer to look leaves the policy in the scope
MAX_SEEN = 4096


@dataclass(frozen=True, slots=True)
class Policy:
    cache: bool = True  # served from the rendered-page cache (still only 200/404/410, public)
    cookie_key: bool = True  # the text-size cookie is part of the cache key (HTML pages)
    rate_bucket: str | None = None  # per-address rate limit bucket (security.Guard.buckets)
    rate_methods: frozenset[str] = frozenset()  # the methods the bucket counts; empty: all
    json_errors: bool = False  # the guard's own answers (413, 429, 303) in JSON, not text
    login: str | None = None  # behind the console's login gate: where to send a stranger
    purge: tuple[str, ...] = ()  # Surrogate-Keys the CDN drops when a story is taken down
    # The path parameters of this route's URLs a WebSub hub should refetch after a change.
    ping: Callable[[Changes], Iterable[dict[str, str]]] | None = None

    def bucket(self, method: str) -> str | None:
        if self.rate_bucket is None or (self.rate_methods and method not in self.rate_methods):
            return None
        return self.rate_bucket


DEFAULT = Policy()  # a reader page: cached, keyed by text size
UNCACHED = Policy(cache=False, cookie_key=False)  # depends on who asks, or changes state


class PolicyRoute(Route):
    """A Starlette Route that carries its policy."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *, policy: Policy,
                 methods: list[str] | None = None, name: str | None = None) -> None:
        super().__init__(path, endpoint, methods=methods, name=name)
        self.policy = policy


class PolicyMount(Mount):
    """A Starlette Mount that carries one policy for everything under it."""

    def __init__(self, path: str, app: ASGIApp, *, policy: Policy, name: str | None = None) -> None:
        super().__init__(path, app=app, name=name)
        self.policy = policy


def route(path: str, endpoint: Callable[..., Any], policy: Policy, *,
          methods: list[str] | None = None) -> Route:
    return PolicyRoute(path, endpoint, policy=policy, methods=methods)


def mount(path: str, app: ASGIApp, policy: Policy, *, name: str | None = None) -> Mount:
    return PolicyMount(path, app, policy=policy, name=name)


def policy_of(declared: BaseRoute) -> Policy:
    policy = getattr(declared, "policy", None)
    if not isinstance(policy, Policy):
        raise TypeError(f"route {getattr(declared, 'path', declared)!r} declares no policy: "
                        "build it with wiredesk.web.policy.route() or mount()")
    return policy


def segment(path: str) -> str:
    """The first path segment: '/story/1/x' -> 'story', '/' -> ''."""
    return path.split("/", 2)[1] if path.startswith("/") else path


class Policies:
    """The policy of any request path, compiled from the declared routes."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        by_segment: dict[str, list[tuple[BaseRoute, Policy]]] = {}
        for declared in routes:
            name = segment(getattr(declared, "path", "") or "/")
            if "{" in name:
                raise ValueError(f"route {declared!r}: the first path segment must be literal")
            by_segment.setdefault(name, []).append((declared, policy_of(declared)))
        self.all = [policy for found in by_segment.values() for _, policy in found]
        self.uniform: dict[str, Policy] = {}
        self.exact: dict[str, Policy] = {}
        self.patterns: dict[str, list[tuple[re.Pattern[str], Policy]]] = {}
        self.fallback: dict[str, Policy] = {}
        self.seen: dict[str, Policy] = {}  # path -> policy, up to MAX_SEEN paths
        for name, found in by_segment.items():
            if len({policy for _, policy in found}) == 1:
                self.uniform[name] = found[0][1]
                continue
            self.fallback[name] = found[0][1]
            patterns = self.patterns.setdefault(name, [])
            for declared, policy in found:
                if not isinstance(declared, Route | Mount):
                    continue
                literal = isinstance(declared, Route) and "{" not in declared.path
                # The router tries routes in order: an exact path is only looked up first
                # when no earlier pattern would have taken it.
                if literal and not any(p.match(declared.path) for p, _ in patterns):
                    self.exact.setdefault(declared.path, policy)
                else:
                    patterns.append((declared.path_regex, policy))

    def __call__(self, path: str) -> Policy:
        policy = self.seen.get(path)
        if policy is None:
            policy = self.find(path)
            if len(self.seen) >= MAX_SEEN:
                self.seen.clear()  # many distinct paths (one per story): start again
            self.seen[path] = policy
        return policy

    def find(self, path: str) -> Policy:
        name = segment(path)
        policy = self.uniform.get(name) or self.exact.get(path)
        if policy is not None:
            return policy
        return next((declared for pattern, declared in self.patterns.get(name, ())
                     if pattern.match(path)), None) or self.fallback.get(name, DEFAULT)

    def of(self, scope: Scope) -> Policy:
        """The request's policy, looked up once per request however many layers ask."""
        policy = scope.get(POLICY_KEY)
        if policy is None:
            policy = scope[POLICY_KEY] = self(scope["path"])
        return policy

    def buckets(self) -> set[str]:
        """Every rate-limit bucket a route names."""
        return {p.rate_bucket for p in self.all if p.rate_bucket is not None}
