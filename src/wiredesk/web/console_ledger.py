"""Console compliance pages (issue 15): per agency, from the ledger (store/ledger.py) through
the report (wiredesk/compliance.py): stories carried, the oldest live story against its
licence, takedown latency p50/p99/max over the period, late takedowns, and a chart of latency
by day drawn on the server as inline SVG (no script; a title, a description and a table say
the same for those who cannot see it). The CSV and JSON of `wiredesk report` are one click
away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wiredesk import compliance
from wiredesk.compliance import DayLatency, Report
from wiredesk.web.console_kit import GATED, NO_STORE, Kit
from wiredesk.web.context import Context
from wiredesk.web.policy import route

DEFAULT_DAYS = 30
WIDTH, HEIGHT = 640, 220  # the chart's viewBox
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 30  # room for the axis labels


def seconds_words(value: float | None) -> str:
    """A latency as people read it: 0.004 s, 12 s, 3 min 5 s, 2 h 4 min."""
    if value is None:
        return "-"
    if value < 10:
        return f"{value:.3f} s".replace(".000 s", " s")
    if value < 120:
        return f"{value:.0f} s"
    if value < 7200:
        return f"{int(value // 60)} min {int(value % 60)} s"
    return f"{int(value // 3600)} h {int(value % 3600 // 60)} min"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    median_y: float  # where the day's p50 is marked
    day: DayLatency
    label: str  # the day, under the bar when there is room


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, seconds) on the left axis
    title: str
    desc: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: float = HEIGHT - BOTTOM


def latency_chart(agency: str, days: list[DayLatency]) -> Chart:
    """Bars of each day's longest takedown, with its median marked."""
    top = max((d.max for d in days), default=0.0) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(days), 1)
    every = max(1, round(len(days) / 8))  # at most about 8 day labels
    bars = []
    for n, d in enumerate(days):
        height = plot_h * d.max / top
        bars.append(Bar(x=LEFT + n * step + step * 0.15, y=TOP + plot_h - height,
                        width=max(step * 0.7, 1.0), height=height,
                        median_y=TOP + plot_h - plot_h * d.p50 / top, day=d,
                        label=d.day.strftime("%-d %b") if n % every == 0 else ""))
    ticks = [(TOP + plot_h - plot_h * f, seconds_words(top * f)) for f in (0.0, 0.5, 1.0)]
    busy = [d for d in days if d.takedowns]
    worst = max(busy, key=lambda d: d.max, default=None)
    title = f"Takedown latency by day, {agency}"
    if not days:
        desc = "No days in the period."
    elif worst is None:
        desc = f"No takedowns from {days[0].day} to {days[-1].day}."
    else:
        total = sum(d.takedowns for d in days)
        desc = (f"{total} takedown{'' if total == 1 else 's'} on {len(busy)} of {len(days)} days "
                f"from {days[0].day} to {days[-1].day}; the longest, "
                f"{seconds_words(worst.max)}, on {worst.day}. Bars: each day's longest; "
                "marks: each day's median.")
    return Chart(bars, ticks, title, desc)


def routes(ctx: Context, kit: Kit) -> list[Route]:
    def period(request: Request) -> tuple[date | None, date | None]:
        params = request.query_params
        start = compliance.parse_day(params.get("from"), "From")
        end = compliance.parse_day(params.get("to"), "To")
        if start is None and end is None:
            end = ctx.clock().astimezone(UTC).date()
            start = end - timedelta(days=DEFAULT_DAYS - 1)
        return start, end

    def load(request: Request) -> Report | str:
        try:
            start, end = period(request)
            return compliance.build(ctx.store, request.path_params["agency"], ctx.clock(),
                                    start=start, end=end)
        except compliance.ReportError as exc:
            return str(exc)

    async def overview(request: Request) -> Response:
        agencies = await run_in_threadpool(ctx.store.ledger.agencies)
        return kit.render(request, "console_ledger.html", title="Compliance ledger",
                          section="ledger", agencies=agencies)

    async def agency(request: Request) -> Response:
        report = await run_in_threadpool(load, request)
        if isinstance(report, str):
            status = 404 if report.startswith("unknown agency") else 400
            return kit.render(request, "console_error.html", status=status,
                              title="Compliance ledger", error=report)
        now = ctx.clock()
        return kit.render(request, "console_ledger_agency.html", title=f"Ledger: {report.agency}",
                          section="ledger", report=report, now=now, latency=report.latency(),
                          chart=latency_chart(report.agency, report.by_day()),
                          seconds=seconds_words, late_after=compliance.LATE_SECONDS,
                          one_day=timedelta(days=1),
                          params=f"?{request.url.query}" if request.url.query else "")

    async def export(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in ("csv", "json"):
            return kit.not_found(request, "export format (csv or json)")
        report = await run_in_threadpool(load, request)
        if isinstance(report, str):
            return Response(report + "\n", status_code=400, media_type="text/plain",
                            headers=NO_STORE)
        if kind == "csv":
            body, media = compliance.to_csv(report), "text/csv; charset=utf-8"
        else:
            body, media = compliance.to_json(report, ctx.clock()), "application/json"
        name = f"ledger-{report.agency}.{kind}".replace('"', "")
        return Response(body, media_type=media, headers={
            **NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'})

    return [
        route("/console/ledger", overview, GATED),
        route("/console/ledger/{agency}/report.{kind:str}", export, GATED),
        route("/console/ledger/{agency}", agency, GATED),
    ]
