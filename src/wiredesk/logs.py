"""Log lines: one per event, as text for people or JSON lines for machines.

`WIREDESK_LOG_FORMAT=json` gives one JSON object per line with `time`, `level`, `logger`,
`message` and, where the event has them, `source`, `uri` and `outcome` (and a few more
fields such as `format`, `actor`, `route`, `status`), so a log pipeline needs no regex.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Fields callers pass with `extra=`; only these are copied, so a record never leaks locals.
FIELDS = ("source", "uri", "outcome", "format", "actor", "reason", "user", "address",
          "route", "status", "story_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                data[name] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        # One line whatever the message holds: json.dumps escapes every newline.
        return json.dumps(data, ensure_ascii=False, default=str)


def formatter(kind: str | None) -> logging.Formatter:
    kind = (kind or "text").strip().lower()
    if kind == "json":
        return JsonFormatter()
    if kind != "text":
        raise ValueError(f"bad WIREDESK_LOG_FORMAT {kind!r}: use text or json")
    return logging.Formatter(TEXT_FORMAT)


def configure(kind: str | None = None, level: int = logging.INFO) -> None:
    """Log to stderr in the chosen format (default: $WIREDESK_LOG_FORMAT, else text).

    Like `logging.basicConfig`, leaves alone a root logger someone else set up (a test
    runner, an embedding program); our own handler is replaced on a second call."""
    chosen = formatter(kind if kind is not None else os.environ.get("WIREDESK_LOG_FORMAT"))
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "wiredesk", False)]
    if root.handlers and not ours:
        return
    for handler in ours:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.wiredesk = True  # type: ignore[attr-defined]
    handler.setFormatter(chosen)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
