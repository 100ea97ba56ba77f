"""Every SQL statement is parameterised: no value is ever formatted into SQL text.

SQLAlchemy Core expressions bind their values; raw SQL may only appear as constant strings
(or identifiers built from constants). This reads every module under src/ and flags any
f-string, `.format()`, `%` or `+` with a non-constant part given to `text()`,
`exec_driver_sql()`, `execute()`/`executescript()` or `op.execute()`, directly or through a
local variable.
"""

from __future__ import annotations

import ast

from conftest import ROOT

SQL_CALLS = {"text", "exec_driver_sql", "execute", "executescript", "executemany",
             "literal_column"}


def _constant_identifier(node: ast.AST) -> bool:
    """A module constant by convention (UPPER_CASE name or attribute), or a literal."""
    if isinstance(node, ast.Constant):
        return True
    name = node.id if isinstance(node, ast.Name) else (
        node.attr if isinstance(node, ast.Attribute) else "")
    return bool(name) and name.lstrip("_").isupper()


def unsafe(node: ast.AST) -> str | None:
    """Why this expression, used as SQL text, could carry a value; None if it cannot."""
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.FormattedValue) and not _constant_identifier(part.value):
                return "an f-string with a value inside"
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "format":
        return "str.format()"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return "%-formatting"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        for side in (node.left, node.right):
            if not (_constant_identifier(side) or isinstance(side, ast.BinOp | ast.JoinedStr)):
                return "string concatenation with a value"
            reason = unsafe(side) if isinstance(side, ast.BinOp | ast.JoinedStr) else None
            if reason:
                return reason
        return None
    if isinstance(node, ast.IfExp):
        return unsafe(node.body) or unsafe(node.orelse)
    return None


def problems_in(source: str, filename: str = "<src>") -> list[str]:
    tree = ast.parse(source, filename)
    assigned: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else "")
        if name not in SQL_CALLS:
            continue
        arg = node.args[0]
        candidates = assigned.get(arg.id, []) if isinstance(arg, ast.Name) else [arg]
        for candidate in candidates:
            reason = unsafe(candidate)
            if reason:
                found.append(f"{filename}:{node.lineno}: {name}() given {reason}")
    return found


def test_no_sql_is_built_from_values_anywhere_in_src():
    problems = []
    files = sorted((ROOT / "src").rglob("*.py"))
    assert len(files) > 30
    for path in files:
        problems += problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert problems == []


def test_the_check_catches_each_way_of_building_sql():
    bad = [
        'c.execute(text(f"SELECT * FROM t WHERE id = {story_id}"))',
        'c.exec_driver_sql("DELETE FROM t WHERE uri = \'%s\'" % uri)',
        'c.execute(text("SELECT * FROM t WHERE a = {}".format(a)))',
        'c.execute(text("SELECT * FROM t WHERE a = \'" + a + "\'"))',
        'sql = f"DROP TABLE {name}"\nop.execute(sql)',
        'cursor.execute("PRAGMA x" if flag else f"PRAGMA {value}")',
    ]
    for snippet in bad:
        assert problems_in(snippet), snippet
    good = [
        'c.execute(text("SELECT * FROM t WHERE id = :id"), {"id": story_id})',
        'c.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")',
        'c.execute(text(f"SELECT * FROM {TABLE} WHERE id = :id"), {"id": 1})',
        'op.execute("DROP TABLE IF EXISTS " + SEARCH_TABLE)',
        'c.execute(select(t).where(t.c.id == story_id))',
    ]
    for snippet in good:
        assert problems_in(snippet) == [], snippet
