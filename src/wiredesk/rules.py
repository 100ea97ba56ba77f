"""Editorial rules: which new stories go out at once, wait for an editor, or are kept unseen.

Pure: no I/O, no clock. A rule is read and checked here (`parse`, from CLI flags, a console
form or a `[[rules]]` table of the sources file, each with an error that names the rule and
the setting), and matched here (`decide`): the enabled rules in order, the first that matches
decides, and a story no rule matches is published. The desk asks once, when a story first
arrives; its updates keep that decision. A rule never overrides the agency's hold (an
advisory, a daybook, "not for publication"): the desk checks the hold before the decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wiredesk.story import Story
from wiredesk.values import BadValue

ACTIONS = ("publish", "review", "ignore")
TYPES = ("text", "picture")
MAX_PATTERN = 500  # a keyword pattern longer than this is a paste gone wrong
URGENCY = (0, 9)  # ninjs 1 (flash) .. 9; some wires send 0
# What a rule may say, beside name and action: the settings a TOML table may hold.
MATCHERS = ("agency", "source", "subject", "urgency_min", "urgency_max", "language", "type",
            "keyword")
# A repeated group that itself repeats, `(a+)+` or `(\w*){2,}`: such a pattern can take
# seconds on one unlucky headline, and it runs on every new story.
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")


class RuleError(BadValue):
    """A bad rule, in one line naming the rule and the setting."""


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    action: str
    agency: str | None = None
    source: str | None = None
    subject: str | None = None  # an IPTC Media Topic (medtop:15000000) or an agency's code
    urgency_min: int | None = None
    urgency_max: int | None = None
    language: str | None = None
    type: str | None = None
    keyword: str | None = None  # a regular expression over slugline and headline
    enabled: bool = True
    position: int = 0
    pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def matches(self, story: Story, source: str) -> bool:
        if self.agency is not None and (story.agency or "").casefold() != self.agency.casefold():
            return False
        if self.source is not None and source != self.source:
            return False
        if self.type is not None and (story.type or "text") != self.type:
            return False
        if self.language is not None and not _same_language(story.language, self.language):
            return False
        if self.urgency_min is not None or self.urgency_max is not None:
            if story.urgency is None:
                return False  # a range asks for an urgency the story does not give
            if self.urgency_min is not None and story.urgency < self.urgency_min:
                return False
            if self.urgency_max is not None and story.urgency > self.urgency_max:
                return False
        if self.subject is not None and not any(_subject_is(s, self.subject)
                                                for s in story.subjects):
            return False
        if self.pattern is not None:
            text = "\n".join(x for x in (story.slugline, story.headline) if x)
            if not self.pattern.search(text):
                return False
        return True

    def describe(self) -> str:
        """What it matches, in one line: `agency=AP urgency<=2`."""
        parts = [f"{key}={getattr(self, key)}" for key in ("agency", "source", "subject",
                                                           "language", "type")
                 if getattr(self, key) is not None]
        if self.urgency_min is not None:
            parts.append(f"urgency>={self.urgency_min}")
        if self.urgency_max is not None:
            parts.append(f"urgency<={self.urgency_max}")
        if self.keyword is not None:
            parts.append(f"keyword=/{self.keyword}/")
        return " ".join(parts) or "every story"

    def settings(self) -> dict[str, Any]:
        """The matchers that are set, as stored and as a TOML table would hold them."""
        return {key: getattr(self, key) for key in MATCHERS if getattr(self, key) is not None}


@dataclass(frozen=True, slots=True)
class Decision:
    action: str  # publish | review | ignore
    rule: str | None  # the rule that matched; None: no rule did (the default, publish)


PUBLISH = Decision("publish", None)


def decide(rules: Iterable[Rule], story: Story, source: str) -> Decision:
    """The first enabled rule that matches decides; none matching: publish."""
    for rule in rules:
        if rule.enabled and rule.matches(story, source):
            return Decision(rule.action, rule.name)
    return PUBLISH


def parse(name: Any, values: Mapping[str, Any], *, where: str = "rule") -> Rule:
    """A checked Rule from settings (CLI flags, a form, a TOML table; `-` already `_`).
    Unknown settings are errors, so a typo never widens a rule to every story."""
    if not isinstance(name, str) or not _NAME.match(name.strip()):
        raise RuleError(f"{where}: bad name {name!r}: use letters, digits, '-', '_' or '.' "
                        "(up to 100, starting with a letter or digit)")
    name = name.strip()
    label = f"{where} {name!r}"
    unknown = set(values) - {*MATCHERS, "action", "enabled", "position", "name"}
    if unknown:
        raise RuleError(f"{label}: unknown setting {sorted(unknown)[0]!r} (use "
                        f"{', '.join(MATCHERS)}, action, enabled or position)")
    action = values.get("action")
    if action not in ACTIONS:
        raise RuleError(f"{label}: action must be one of {', '.join(ACTIONS)}, not {action!r}")
    found: dict[str, Any] = {}
    for key in ("agency", "source", "subject", "language"):
        found[key] = _text(values.get(key), label, key)
    kind = _text(values.get("type"), label, "type")
    if kind is not None and kind not in TYPES:
        raise RuleError(f"{label}: type must be one of {', '.join(TYPES)}, not {kind!r}")
    low = _urgency(values.get("urgency_min"), label, "urgency_min")
    high = _urgency(values.get("urgency_max"), label, "urgency_max")
    if low is not None and high is not None and low > high:
        raise RuleError(f"{label}: urgency_min {low} is above urgency_max {high}: "
                        "no story could match")
    keyword = values.get("keyword")
    pattern = None
    if keyword is not None:
        if not isinstance(keyword, str) or not keyword.strip():
            raise RuleError(f"{label}: keyword must be a regular expression, not {keyword!r}")
        if len(keyword) > MAX_PATTERN:
            raise RuleError(f"{label}: keyword pattern is {len(keyword)} characters long: "
                            f"use at most {MAX_PATTERN}")
        if _NESTED.search(keyword):
            raise RuleError(f"{label}: keyword {keyword!r} repeats a group that itself "
                            "repeats, which can stall the desk: write it without the outer "
                            "repeat")
        try:
            pattern = re.compile(keyword, re.IGNORECASE)
        except re.error as exc:
            raise RuleError(f"{label}: keyword {keyword!r} is not a valid regular expression: "
                            f"{exc}") from None
    enabled = values.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RuleError(f"{label}: enabled must be true or false, not {enabled!r}")
    position = values.get("position", 0)
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise RuleError(f"{label}: position must be a whole number from 0, not {position!r}")
    return Rule(name=name, action=action, type=kind, urgency_min=low, urgency_max=high,
                keyword=keyword, pattern=pattern, enabled=enabled, position=position, **found)


def parse_table(tables: Any, where: str) -> list[Rule]:
    """The `[[rules]]` array of a sources file, in file order; names must be unique."""
    if not isinstance(tables, list):
        raise RuleError(f"{where}: rules must be an array of tables ([[rules]])")
    out: list[Rule] = []
    seen: set[str] = set()
    for n, table in enumerate(tables, 1):
        if not isinstance(table, dict):
            raise RuleError(f"{where}: rule {n} must be a table")
        if "name" not in table:
            raise RuleError(f"{where}: rule {n} has no name")
        rule = parse(table["name"], {k: v for k, v in table.items() if k != "name"},
                     where=f"{where}: rule")
        if rule.name in seen:
            raise RuleError(f"{where}: rule {rule.name!r} is declared twice")
        seen.add(rule.name)
        out.append(rule)
    return out


def _text(value: Any, label: str, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise RuleError(f"{label}: {key} must be a word or code (up to 200 characters), "
                        f"not {value!r}")
    return value.strip()


def _urgency(value: Any, label: str, key: str) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool | float) or not re.fullmatch(r"\d+", text):
        raise RuleError(f"{label}: {key} must be a whole number from {URGENCY[0]} to "
                        f"{URGENCY[1]}, not {value!r}")
    number = int(text)
    if not URGENCY[0] <= number <= URGENCY[1]:
        raise RuleError(f"{label}: {key} {number} is out of range: use {URGENCY[0]} to "
                        f"{URGENCY[1]}")
    return number


def _same_language(have: str | None, want: str) -> bool:
    """'en' takes en, en-GB and en_US; 'en-GB' takes only en-GB."""
    if not have:
        return False
    have, want = have.replace("_", "-").casefold(), want.replace("_", "-").casefold()
    return have == want or ("-" not in want and have.split("-")[0] == want)


def _subject_is(subject: Any, wanted: str) -> bool:
    """A subject by its code or uri: `medtop:15000000` takes that qcode and the IPTC uri
    ending in 15000000; a bare `15000000` takes that number in any scheme; an agency's own
    code (`subj:15000000`, `SPO`) matches as given; so does a subject's name."""
    want = wanted.casefold()
    bare = want.rsplit(":", 1)[-1]
    code = (subject.code or "").casefold()
    uri = (subject.uri or "").casefold().rstrip("/")
    if want in (code, uri):
        return True
    if uri and uri.rsplit("/", 1)[-1] == bare:
        return True
    if code and ":" not in want and code.rsplit(":", 1)[-1] == bare:
        return True
    return bool(subject.name) and subject.name.casefold() == want


TRIAL = 500  # `rules test` tries a rule on this many of the newest stories


def trial(rule: Rule, stories: Iterable[tuple[Story, str]]) -> list[int]:
    """Which of the given (story, source) pairs the rule would match, by index, enabled or
    not: what `rules test` and the console's Test show before a rule is switched on."""
    return [n for n, (story, source) in enumerate(stories) if rule.matches(story, source)]
