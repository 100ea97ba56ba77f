"""Editorial rules and the decisions they made: all the SQL for them. Used as `store.rules`.

Rules are kept in order by `position` (1, 2, 3... renumbered after every change, so the
order an operator sees is the order they apply). The desk reads the enabled ones with
`enabled_rules` on its own connection, once a delivery, and records a decision other than
the default publish with `record_decision`, in the delivery's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from wiredesk import rules as rules_kit
from wiredesk.store.schema import rules, story_decisions

if TYPE_CHECKING:
    from wiredesk.store.writes import Write

_ORDER = (rules.c.position, rules.c.name)


def _rule(row: Any) -> rules_kit.Rule:
    # Checked when stored; parsed again so the keyword pattern is compiled once here.
    return rules_kit.parse(row.name, {**(row.settings or {}), "action": row.action,
                                      "enabled": bool(row.enabled), "position": row.position})


def enabled_rules(c: Connection) -> list[rules_kit.Rule]:
    """The rules that apply now, in order: read by the desk inside its transaction."""
    return [_rule(r) for r in c.execute(select(rules).where(rules.c.enabled.is_(True))
                                        .order_by(*_ORDER))]


def record_decision(c: Connection, story_id: int, action: str, *, rule: str | None,
                    actor: str | None, now: datetime) -> None:
    done = c.execute(update(story_decisions).where(story_decisions.c.story_id == story_id)
                     .values(action=action, actor=actor, at=now)).rowcount
    if not done:
        c.execute(insert(story_decisions).values(story_id=story_id, action=action, rule=rule,
                                                 actor=actor, at=now))


def decision_of(c: Connection, story_id: int) -> str | None:
    """The stored decision for a story (None: the default, publish)."""
    return c.execute(select(story_decisions.c.action)
                     .where(story_decisions.c.story_id == story_id)).scalar()


class RuleStore:
    def __init__(self, engine: Engine, write: Write) -> None:
        self.engine = engine
        self.write = write

    def all(self) -> list[rules_kit.Rule]:
        with self.engine.connect() as c:
            return [_rule(r) for r in c.execute(select(rules).order_by(*_ORDER))]

    def get(self, name: str) -> rules_kit.Rule | None:
        with self.engine.connect() as c:
            row = c.execute(select(rules).where(rules.c.name == name)).first()
        return _rule(row) if row else None

    def add(self, rule: rules_kit.Rule, now: datetime, *, replace: bool = False) -> bool:
        """Store a rule at its position (1 is first; 0: last, or where it was when replaced).
        A name already taken is an error unless `replace`; True if anything changed."""
        with self.write() as w:
            c = w.c
            names = list(c.execute(select(rules.c.name).order_by(*_ORDER).with_for_update())
                         .scalars())
            old = c.execute(select(rules).where(rules.c.name == rule.name)).first()
            if old is not None and not replace:
                raise ValueError(f"a rule named {rule.name!r} exists already "
                                 "(remove it first, or change it in the sources file)")
            values = {"action": rule.action, "enabled": rule.enabled,
                      "settings": rule.settings(), "updated_at": now}
            if old is not None:
                same = (old.action == rule.action and bool(old.enabled) == rule.enabled
                        and (old.settings or {}) == rule.settings())
                if same and (rule.position in (0, old.position)):
                    return False
                c.execute(update(rules).where(rules.c.name == rule.name).values(**values))
                names.remove(rule.name)
                at = rule.position - 1 if rule.position else old.position - 1
            else:
                c.execute(insert(rules).values(name=rule.name, position=0, created_at=now,
                                               **values))
                at = rule.position - 1 if rule.position else len(names)
            names.insert(max(0, min(at, len(names))), rule.name)
            _renumber(c, names)
        return True

    def remove(self, name: str) -> bool:
        with self.write() as w:
            done = w.c.execute(delete(rules).where(rules.c.name == name)).rowcount
            _renumber(w.c, list(w.c.execute(select(rules.c.name).order_by(*_ORDER)).scalars()))
        return bool(done)

    def set_enabled(self, name: str, enabled: bool, now: datetime) -> bool:
        with self.write() as w:
            return bool(w.c.execute(update(rules).where(rules.c.name == name)
                                    .values(enabled=enabled, updated_at=now)).rowcount)

    def sync(self, declared: list[rules_kit.Rule], now: datetime) -> list[str]:
        """Store the rules a sources file declares, by name; the names that changed. Rules
        added in the console or the CLI and not in the file are left as they are."""
        return [rule.name for rule in declared if self.add(rule, now, replace=True)]

    def decisions(self, story_ids: list[int]) -> dict[int, tuple[str, str | None, str | None]]:
        """story id -> (action, rule, actor) for those that have one."""
        if not story_ids:
            return {}
        with self.engine.connect() as c:
            rows = c.execute(select(story_decisions).where(
                story_decisions.c.story_id.in_(story_ids))).all()
        return {r.story_id: (r.action, r.rule, r.actor) for r in rows}


def _renumber(c: Connection, names: list[str]) -> None:
    for position, name in enumerate(names, 1):
        c.execute(update(rules).where(rules.c.name == name, rules.c.position != position)
                  .values(position=position))
