"""What every console page shares: the logged-in user, rendering, CSRF-checked forms.

Pages are never cached anywhere (`no-store`): they show who is logged in and carry CSRF
tokens. Messages after a redirect travel as a fixed key (`?msg=killed`), never as free text
in the URL, so no one can make the console say something it did not.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from wiredesk.web.auth import Auth, User
from wiredesk.web.context import Context
from wiredesk.web.policy import Policy
from wiredesk.web.render import TextSize
from wiredesk.web.security import USER_KEY

NO_STORE = {"Cache-Control": "no-store"}
LOGIN_PATH = "/console/login"
# Never from the page cache. Every page but the login form is behind the gate in
# security.py, which sends a stranger to the form; login attempts are rate-limited.
GATED = Policy(cache=False, cookie_key=False, login=LOGIN_PATH)
LOGIN = Policy(cache=False, cookie_key=False, rate_bucket="login",
               rate_methods=frozenset({"POST"}))
MESSAGES = {
    "out": "You have logged out.",
    "paused": "Source paused: nothing is fetched from it until you resume it.",
    "resumed": "Source resumed: it is polled at once.",
    "nosource": "There is no such source.",
    "killed": "The story is down on every page, feed and API, and logged below.",
    "already": "That story was already down.",
    "retried": "Applied: the delivery is out of quarantine.",
    "discarded": "Discarded. The bytes are kept, marked discarded.",
    "handled": "Someone has already dealt with that entry.",
    "resent": "The delivery is owed again and is sent at once.",
    "published": "Published as it came: it is on every page, feed and the API now.",
    "published-later": "Published: it is embargoed, and shown when the embargo lifts.",
    "expired-waiting": "Its licence ended while it waited: it is taken down, not published.",
    "ignored": "Ignored: kept for the record, never shown.",
    "rule-added": "Rule added.",
    "rule-removed": "Rule removed.",
    "rule-enabled": "Rule switched on: it applies to stories that arrive from now on.",
    "rule-disabled": "Rule switched off.",
    "norule": "There is no such rule.",
}
MAX_FORM_BYTES = 64 * 1024  # a kill reason or a login: nothing bigger is ever posted here
_CONSOLE_PATH = re.compile(r"^/console(/[A-Za-z0-9_\-./%]*)?(\?[A-Za-z0-9_\-=&%.]*)?$")


class Forbidden(Exception):
    """A form without a valid CSRF token, or not a form at all."""


async def read_form(request: Request) -> dict[str, str]:
    """An urlencoded form, the only kind the console's pages post. Parsed here rather than
    with a multipart library: less code facing the network, and a hard size cap."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise Forbidden
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise Forbidden
    try:
        pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50,
                         strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Forbidden from exc
    return {name: values[0] for name, values in pairs.items()}


class Kit:
    def __init__(self, ctx: Context, auth: Auth) -> None:
        self.ctx = ctx
        self.auth = auth

    def user(self, request: Request) -> User | None:
        return request.scope.get(USER_KEY)

    def render(self, request: Request, template: str, *, status: int = 200,
               headers: dict[str, str] | None = None, **context: Any) -> Response:
        user = self.user(request)
        message = MESSAGES.get(request.query_params.get("msg", ""))
        context.setdefault("message", message)
        html = self.ctx.renderer.render(
            template, request_path=request.url.path, query="",
            textsize=TextSize.from_cookie(request.cookies.get(TextSize.COOKIE)),
            user=user, csrf=self.auth.csrf(user) if user else "", **context)
        return Response(html, status_code=status, media_type="text/html; charset=utf-8",
                        headers={**NO_STORE, **(headers or {})})

    async def form(self, request: Request) -> dict[str, str]:
        """The posted form, once its CSRF token is checked against the session."""
        form = await read_form(request)
        user = self.user(request)
        if user is None or not self.auth.csrf_ok(user, form.get("csrf")):
            raise Forbidden
        return form

    def forbidden(self, request: Request) -> Response:
        return self.render(request, "console_error.html", status=403, title="Form expired",
                           error="That form has expired or did not come from this console. "
                                 "Go back, reload the page and try again.")

    def not_found(self, request: Request, what: str) -> Response:
        return self.render(request, "console_error.html", status=404, title="Not found",
                           error=f"There is no such {what}.")


def redirect(path: str, msg: str | None = None) -> Response:
    target = f"{path}?msg={msg}" if msg else path
    return RedirectResponse(target, status_code=303, headers=NO_STORE)


def console_path(target: str | None) -> str:
    """Where to go after login: only a console path of this site, never elsewhere."""
    if target and _CONSOLE_PATH.match(target) and ".." not in target:
        return target
    return "/console"


def field(form: dict[str, str], name: str) -> str:
    return form.get(name, "").strip()
