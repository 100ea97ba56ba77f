"""Console quarantine: what could not be read, why, a preview of its bytes; retry after a fix
(the stored bytes go through the desk again, exactly as first delivered) or discard.

The preview is text made from the bytes and escaped by the template like any other text:
hostile bytes in the quarantine are shown, never run.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk import desk
from wiredesk.sources.registry import terms_for
from wiredesk.store.quarantine import STATUSES
from wiredesk.store.records import QuarantineItem
from wiredesk.story import Delivery
from wiredesk.web.console_kit import GATED, Forbidden, Kit, redirect
from wiredesk.web.context import Context
from wiredesk.web.policy import route

PREVIEW_BYTES = 4096
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def preview(data: bytes, limit: int = PREVIEW_BYTES) -> tuple[str, bool]:
    """The first bytes as text (invalid UTF-8 and control characters shown as U+FFFD), and
    whether there is more."""
    text = data[:limit].decode("utf-8", errors="replace")
    return _CONTROL.sub("\ufffd", text), len(data) > limit


def routes(ctx: Context, kit: Kit) -> list[Route]:
    ops = ctx.store.quarantine

    async def listing(request: Request) -> Response:
        status = request.query_params.get("status", "open")
        if status not in STATUSES:
            status = "open"
        rows = await run_in_threadpool(lambda: ops.records(status=status, limit=200))
        return kit.render(request, "console_quarantine.html", title="Quarantine",
                          section="quarantine", rows=rows, shown=status, statuses=STATUSES)

    def item_page(request: Request, item: QuarantineItem, *, status: int = 200,
                  error: str | None = None) -> Response:
        text, more = preview(item.data)
        return kit.render(request, "console_quarantine_item.html", status=status,
                          title=f"Quarantine #{item.record.id}", section="quarantine",
                          item=item.record, preview=text, more=more, error=error)

    async def item(request: Request) -> Response:
        found = await run_in_threadpool(ops.item, request.path_params["item_id"])
        if found is None:
            return kit.not_found(request, "quarantine entry")
        return item_page(request, found)

    def reapply(found: QuarantineItem) -> tuple[str | None, str | None]:
        """(message key, error): bytes that still fail stay in this entry (the desk is told
        not to quarantine them again) instead of becoming a second record."""
        terms = terms_for(ctx.store, found.record.source,
                          licence_days=ctx.settings.licence_days)
        delivery = Delivery(found.data, found.record.source, found.record.name, ctx.clock())
        report = desk.apply(ctx.store, delivery, terms, quarantine=False)
        if report.error:
            return None, f"It still cannot be read: {report.error}"
        closed = ops.set_status(found.record.id, "done")
        return ("retried" if closed else "handled"), None

    async def retry(request: Request) -> Response:
        try:
            await kit.form(request)
        except Forbidden:
            return kit.forbidden(request)
        found = await run_in_threadpool(ops.item, request.path_params["item_id"])
        if found is None:
            return kit.not_found(request, "quarantine entry")
        if found.record.status != "open":
            return redirect("/console/quarantine", "handled")
        msg, error = await run_in_threadpool(reapply, found)
        if error is not None:
            return item_page(request, found, status=422, error=error)
        return redirect("/console/quarantine", msg)

    async def discard(request: Request) -> Response:
        try:
            await kit.form(request)
        except Forbidden:
            return kit.forbidden(request)
        item_id = request.path_params["item_id"]
        done = await run_in_threadpool(ops.set_status, item_id, "discarded")
        return redirect("/console/quarantine", "discarded" if done else "handled")

    return [
        route("/console/quarantine", listing, GATED),
        route("/console/quarantine/{item_id:int}", item, GATED),
        route("/console/quarantine/{item_id:int}/retry", retry, GATED, methods=["POST"]),
        route("/console/quarantine/{item_id:int}/discard", discard, GATED, methods=["POST"]),
    ]
