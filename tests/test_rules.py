"""Editorial rules (rules.py): matching, first match wins, checking, the sources file's
[[rules]], and the rules kept in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wiredesk import rules as editorial
from wiredesk.rules import Decision, Rule, RuleError, decide, parse
from wiredesk.sources import registry
from wiredesk.sources.config import ConfigError
from wiredesk.story import Story, Subject

SPORT = Subject("sport", "http://cv.iptc.org/newscodes/mediatopic/15000000", "medtop:15000000")


def story(**changes: object) -> Story:
    base = Story(uri="urn:x:1", headline="Rain stops play at Lord's", agency="Reuters",
                 urgency=3, language="en-GB", slugline="CRICKET-ENGLAND/", subjects=(SPORT,))
    return base.with_changes(**changes)


def rule(name: str = "r", **values: object) -> Rule:
    return parse(name, {"action": "review", **values})


@pytest.mark.parametrize(("values", "matched"), [
    ({}, True),
    ({"agency": "reuters"}, True),
    ({"agency": "AP"}, False),
    ({"source": "wire"}, True),
    ({"source": "other"}, False),
    ({"subject": "medtop:15000000"}, True),
    ({"subject": "15000000"}, True),
    ({"subject": "http://cv.iptc.org/newscodes/mediatopic/15000000"}, True),
    ({"subject": "medtop:04000000"}, False),
    ({"subject": "Sport"}, True),
    ({"urgency_min": 3, "urgency_max": 3}, True),
    ({"urgency_max": 2}, False),
    ({"urgency_min": 4}, False),
    ({"language": "en"}, True),
    ({"language": "en-gb"}, True),
    ({"language": "en-US"}, False),
    ({"language": "de"}, False),
    ({"type": "text"}, True),
    ({"type": "picture"}, False),
    ({"keyword": "^cricket-"}, True),
    ({"keyword": r"lord'?s"}, True),
    ({"keyword": "football"}, False),
    ({"agency": "Reuters", "urgency_max": 2}, False),  # every matcher must hold
])
def test_each_matcher(values, matched):
    assert rule(**values).matches(story(), "wire") is matched


def test_a_range_does_not_match_a_story_without_urgency():
    assert not rule(urgency_max=9).matches(story(urgency=None), "wire")
    assert rule().matches(story(urgency=None), "wire")


def test_first_enabled_match_decides_and_no_match_publishes():
    rules = [rule("off", agency="Reuters", action="ignore", enabled=False),
             rule("sport", subject="medtop:15000000", action="review"),
             rule("all", action="ignore")]
    assert decide(rules, story(), "wire") == Decision("review", "sport")
    assert decide(rules[:1], story(), "wire") == Decision("publish", None)
    assert decide([], story(), "wire") == editorial.PUBLISH


_MATCHERS = st.fixed_dictionaries({}, optional={
    "agency": st.sampled_from(["Reuters", "AP", "AFP"]),
    "urgency_max": st.integers(1, 9),
    "language": st.sampled_from(["en", "de", "fr"]),
    "subject": st.sampled_from(["medtop:15000000", "medtop:04000000"]),
})


@given(st.lists(st.tuples(_MATCHERS, st.sampled_from(editorial.ACTIONS), st.booleans()),
                max_size=8),
       st.sampled_from(["Reuters", "AP", "AFP"]), st.integers(1, 9),
       st.sampled_from(["en", "de", "fr"]))
def test_property_the_first_enabled_match_wins(specs, agency, urgency, language):
    rules = [parse(f"r{n}", {**m, "action": a, "enabled": on})
             for n, (m, a, on) in enumerate(specs)]
    s = story(agency=agency, urgency=urgency, language=language)
    decision = decide(rules, s, "wire")
    matching = [r for r in rules if r.enabled and r.matches(s, "wire")]
    if not matching:
        assert decision == Decision("publish", None)
    else:
        assert decision == Decision(matching[0].action, matching[0].name)
        # nothing before the deciding rule would have matched
        before = rules[:rules.index(matching[0])]
        assert not any(r.enabled and r.matches(s, "wire") for r in before)


@pytest.mark.parametrize(("values", "message"), [
    ({"keyword": "(advis"}, "rule 'bad': keyword '(advis' is not a valid regular expression"),
    ({"keyword": "x" * 501}, "use at most 500"),
    ({"keyword": "^(a+)+$"}, "repeats a group that itself repeats"),
    ({"keyword": r"(\w*){2,}"}, "repeats a group that itself repeats"),
    ({"action": "hold"}, "action must be one of publish, review, ignore"),
    ({"urgency_max": "high"}, "urgency_max must be a whole number"),
    ({"urgency_min": 12}, "urgency_min 12 is out of range"),
    ({"urgency_min": 5, "urgency_max": 2}, "no story could match"),
    ({"type": "video"}, "type must be one of text, picture"),
    ({"agnecy": "AP"}, "unknown setting 'agnecy'"),
    ({"enabled": "yes"}, "enabled must be true or false"),
])
def test_bad_rules_name_the_rule_and_the_problem(values, message):
    with pytest.raises(RuleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse("bad", {"action": "review", **values})


@pytest.mark.parametrize("pattern", [r"^(advisory|daybook)\b", r"(a\+)+", r"(ab)+", r"a+(b)*"])
def test_plain_patterns_with_repeats_are_allowed(pattern):
    assert parse("ok", {"action": "review", "keyword": pattern}).pattern is not None


def test_a_bad_name_is_refused():
    with pytest.raises(RuleError, match="bad name"):
        parse("no spaces", {"action": "review"})


def sources_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[sources.ap-folder]
kind = "folder"
path = "{folder}"
agency = "AP"

[[rules]]
name = "no-sport"
subject = "medtop:15000000"
action = "ignore"

[[rules]]
name = "flash-first"
agency = "AP"
urgency_max = 2
action = "publish"

[[rules]]
name = "advisories"
keyword = "^(advisory|daybook)"
action = "review"
enabled = false
"""


def test_the_sources_file_declares_rules_in_order(store, tmp_path, now):
    path = sources_file(tmp_path, GOOD.format(folder=tmp_path))
    changed = registry.sync_file(store, path, now)
    assert changed == ["ap-folder", "rule no-sport", "rule flash-first", "rule advisories"]
    found = store.rules.all()
    assert [(r.name, r.position, r.action, r.enabled) for r in found] == [
        ("no-sport", 1, "ignore", True), ("flash-first", 2, "publish", True),
        ("advisories", 3, "review", False)]
    assert found[1].settings() == {"agency": "AP", "urgency_max": 2}
    assert registry.sync_file(store, path, now) == []  # the same file again changes nothing


@pytest.mark.parametrize(("rules", "message"), [
    ('[[rules]]\nname = "x"\nkeyword = "[unclosed"\naction = "review"\n',
     "rule 'x': keyword '\\[unclosed' is not a valid regular expression"),
    ('[[rules]]\nname = "x"\naction = "drop"\n', "rule 'x': action must be one of"),
    ('[[rules]]\naction = "review"\n', "rule 1 has no name"),
    ('[[rules]]\nname = "x"\naction = "review"\n[[rules]]\nname = "x"\naction = "ignore"\n',
     "rule 'x' is declared twice"),
    ('[rules]\nname = "x"\n', "rules must be an array of tables"),
])
def test_a_bad_rule_in_the_file_stores_nothing(store, tmp_path, now, rules, message):
    path = sources_file(tmp_path, GOOD.format(folder=tmp_path).split("[[rules]]")[0] + rules)
    with pytest.raises(ConfigError, match=message) as caught:
        registry.sync_file(store, path, now)
    assert str(path) in str(caught.value)
    assert store.rules.all() == [] and store.sources.get("ap-folder") is None


def test_rules_in_the_store_keep_their_order(store, now):
    store.rules.add(rule("a", action="publish"), now)
    store.rules.add(rule("b", action="ignore"), now)
    store.rules.add(parse("c", {"action": "review", "position": 1}), now)
    assert [(r.name, r.position) for r in store.rules.all()] == [("c", 1), ("a", 2), ("b", 3)]
    with pytest.raises(ValueError, match="exists already"):
        store.rules.add(rule("a"), now)
    assert store.rules.set_enabled("c", False, now) and not store.rules.get("c").enabled
    assert store.rules.remove("a") and not store.rules.remove("a")
    assert [(r.name, r.position) for r in store.rules.all()] == [("c", 1), ("b", 2)]
    assert store.rules.get("b").action == "ignore"
