"""Sections of the reader site: all the SQL for them. Used as `store.sections`.

A section is a slug, a title and the subjects it takes. The defaults (written by migration
0014) are the 17 top levels of the IPTC Media Topics under their official names, each taking
its Media Topic and the legacy Subject Code of the same number; a story is in a section when
any of its subjects is one of those codes or lies below one (store/topics.py). They are
changed with `wiredesk sections add|remove` (cli/sections.py); a change bumps the store's
change counter, so every cached page (and its header navigation) is rendered afresh.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select

from wiredesk.store.clauses import visible_clause
from wiredesk.store.records import Section
from wiredesk.store.schema import stories, story_subjects
from wiredesk.store.section_tables import sections, story_topics
from wiredesk.store.topics import expand
from wiredesk.store.writes import Write

# (number, slug, the official IPTC Media Topic name of the top level)
TOP_LEVELS = (
    ("01", "arts", "arts, culture, entertainment and media"),
    ("02", "crime", "crime, law and justice"),
    ("03", "disaster", "disaster, accident and emergency incident"),
    ("04", "business", "economy, business and finance"),
    ("05", "education", "education"),
    ("06", "environment", "environment"),
    ("07", "health", "health"),
    ("08", "human-interest", "human interest"),
    ("09", "labour", "labour"),
    ("10", "lifestyle", "lifestyle and leisure"),
    ("11", "politics", "politics"),
    ("12", "religion", "religion"),
    ("13", "science", "science and technology"),
    ("14", "society", "society"),
    ("15", "sport", "sport"),
    ("16", "conflict", "conflict, war and peace"),
    ("17", "weather", "weather"),
)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
CODE = re.compile(r"^(medtop|subj):\d{8}$")


def defaults() -> list[Section]:
    """The 17 IPTC top levels; a legacy Subject Code of the same number is matched too."""
    return [Section(slug, name[0].upper() + name[1:], (f"medtop:{number}000000",), i)
            for i, (number, slug, name) in enumerate(TOP_LEVELS)]


def default_rows() -> list[dict[str, Any]]:
    return [{"slug": s.slug, "title": s.title, "subjects": list(s.subjects),
             "position": s.position} for s in defaults()]


def check(slug: str, title: str, subjects: list[str]) -> list[str]:
    """The subjects as stored; ValueError naming what is wrong."""
    if not SLUG.match(slug):
        raise ValueError(f"section slug {slug!r}: use lower-case letters, digits and dashes "
                         "(up to 60), starting with a letter or digit")
    if not title.strip():
        raise ValueError(f"section {slug!r}: the title is empty")
    out = []
    for subject in (s.strip() for s in subjects):
        if not subject:
            continue
        if ":" in subject and not CODE.match(subject.lower()):
            raise ValueError(f"section {slug!r}: subject {subject!r} is not an IPTC code "
                             "(medtop:15000000 or subj:15000000) nor a subject name")
        out.append(subject.lower() if ":" in subject else subject)
    if not out:
        raise ValueError(f"section {slug!r} takes no subject: name at least one")
    return out


def _section(row: Any) -> Section:
    return Section(row.slug, row.title, tuple(row.subjects or ()), row.position)


class SectionStore:
    def __init__(self, engine: Engine, write: Write) -> None:
        self.engine = engine
        self.write = write

    def all(self) -> list[Section]:
        with self.engine.connect() as c:
            rows = c.execute(select(sections).order_by(sections.c.position, sections.c.slug))
            return [_section(r) for r in rows]

    def get(self, slug: str) -> Section | None:
        with self.engine.connect() as c:
            row = c.execute(select(sections).where(sections.c.slug == slug)).first()
        return _section(row) if row else None

    def newest(self, now: datetime, among: list[Section], *, per: int,
               window: int = 500) -> dict[str, list[int]]:
        """Each section's newest visible story ids (up to `per`) among the `window` newest
        visible stories: the front page's blocks in three index reads, not one list walk per
        section (a small section would walk far down the whole list)."""
        with self.engine.connect() as c:
            recent = [r.id for r in c.execute(
                select(stories.c.id).where(visible_clause(now, newest_first=True))
                .order_by(stories.c.versioncreated.desc(), stories.c.id.desc()).limit(window))]
            if not recent:
                return {}
            codes: dict[int, set[str]] = {}
            for story_id, code in c.execute(select(story_topics.c.story_id, story_topics.c.code)
                                            .where(story_topics.c.story_id.in_(recent))):
                codes.setdefault(story_id, set()).add(code)
            if any(s.names for s in among):
                for story_id, name in c.execute(
                        select(story_subjects.c.story_id, func.lower(story_subjects.c.name))
                        .where(story_subjects.c.story_id.in_(recent))):
                    codes.setdefault(story_id, set()).add(name)
        found: dict[str, list[int]] = {}
        for section in among:
            wanted = {c for code in section.codes for c in expand(code)} | set(section.names)
            ids = [i for i in recent if codes.get(i, set()) & wanted][:per]
            if ids:
                found[section.slug] = ids
        return found

    def add(self, slug: str, title: str, subjects: list[str]) -> Section:
        """Add a section at the end, or replace the one with this slug in its place."""
        subjects = check(slug, title, subjects)
        with self.write() as w:
            position = w.c.execute(select(sections.c.position)
                                   .where(sections.c.slug == slug)).scalar()
            if position is None:
                last = w.c.execute(select(func.max(sections.c.position))).scalar()
                position = 0 if last is None else last + 1
            w.c.execute(delete(sections).where(sections.c.slug == slug))
            w.c.execute(sections.insert().values(slug=slug, title=title.strip(),
                                                 subjects=subjects, position=position))
            w.changed = True  # every page's navigation changes
        return Section(slug, title.strip(), tuple(subjects), position)

    def remove(self, slug: str) -> bool:
        with self.write() as w:
            done = w.c.execute(delete(sections).where(sections.c.slug == slug)).rowcount
            w.changed = bool(done)
        return bool(done)

    def reset(self) -> None:
        """Back to the defaults."""
        with self.write() as w:
            w.c.execute(delete(sections))
            w.c.execute(sections.insert(), default_rows())
            w.changed = True
