"""The takedown log's words: what happened, precisely, beside the machine's reason class.

The class (killed, expired, removed, withheld) goes to the journal, the events and the API;
these words go to the takedown log (audit detail) and the console: "agency expiry",
"licence window of 30 days", "killed by Reuters: <its kill note>", "withdrawn by AP",
"removed by editor ed: <why>".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from wiredesk.story import Story

MAX_NOTE = 500  # characters of an agency's kill note kept in the log


def agency_kill(story: Story, agency: str | None) -> str:
    """An agency's kill, in its own words where it sent some (the editor's note, else the
    kill notice that is the text)."""
    who = story.agency or agency or "the agency"
    note = story.ednote or next((p for p in story.body.text.split("\n") if p.strip()), "")
    note = " ".join(note.split())[:MAX_NOTE]
    return f"killed by {who}: {note}" if note else f"withdrawn by {who}"


def expiry(firstcreated: datetime, ends_at: datetime, expires: datetime | None) -> str:
    """Why a story's time ran out: the agency's own `expires`, or the licence window."""
    if expires is not None and expires <= ends_at:
        return "agency expiry"
    days = round((ends_at - firstcreated) / timedelta(days=1))
    return f"licence window of {days} day{'s' if days != 1 else ''}"


def operator(actor: str, why: str) -> str:
    return f"removed by editor {actor}: {why}"
