"""Feed entries unchanged since the last poll get the Story made then (formats/feeds_memo.py),
and never a stale one: the same bytes in another feed context, a changed entry, or a story
whose warnings name the entry's place are read anew."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from wiredesk import formats
from wiredesk.formats import feeds
from wiredesk.formats.feeds_memo import MEMO, EntryMemo

ITEM = """<item><title>Storm {n} reaches the coast</title><guid>urn:memo:{n}</guid>
<pubDate>Thu, 15 Jan 2026 09:00:00 GMT</pubDate>
<description>&lt;p&gt;LISBON (Reuters) - Storm {n} made landfall.&lt;/p&gt;</description>{extra}</item>"""
BAD_PICTURE = '<enclosure url="javascript:alert(1)" type="image/jpeg"/>'


def rss(*items: str, title: str = "Wire", language: str = "en") -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<language>{language}</language>{''.join(items)}</channel></rss>").encode()


def item(n: int, extra: str = "") -> str:
    return ITEM.format(n=n, extra=extra)


@pytest.fixture(autouse=True)
def fresh_memo():
    MEMO.clear()
    yield
    MEMO.clear()


def test_an_unchanged_entry_gets_the_story_made_at_the_last_poll() -> None:
    feeds.parse(rss(item(1), item(2)))  # read once: only remembered as read
    first = feeds.parse(rss(item(1), item(2)))  # read again: its story kept
    assert len(MEMO) == 2
    again = feeds.parse(rss(item(3), item(1), item(2)))  # one new entry on top
    assert again[1] is first[0] and again[2] is first[1]
    assert again[0] is not feeds.parse(rss(item(3)))[0]  # item 3 only now read twice
    MEMO.clear()
    assert feeds.parse(rss(item(3), item(1), item(2))) == again  # what a cold read makes


def test_every_fixture_reads_the_same_from_the_memo_as_anew() -> None:
    for path in sorted((FIXTURES / "feeds").iterdir()):
        data = path.read_bytes()
        try:
            cold = formats.parse(data, "feed")
        except formats.FormatError:
            continue
        for _ in range(2):  # kept on the second read, served on the third
            assert formats.parse(data, "feed") == cold, path.name


def test_an_entry_read_once_costs_no_memory() -> None:
    feeds.parse(rss(*(item(n) for n in range(20))))
    assert len(MEMO) == 0 and MEMO.chars == 0
    memo = EntryMemo(max_seen=5)
    story = feeds.parse(rss(item(1)))[0]
    for n in range(12):  # past max_seen the hashes are forgotten: memory stays bounded
        memo.put((story.raw, (str(n),)), story)
    assert memo.remembered <= 5 and len(memo) == 0


def test_a_changed_entry_or_another_feed_context_is_read_anew() -> None:
    feeds.parse(rss(item(1)), agency="Reuters")
    first = feeds.parse(rss(item(1)), agency="Reuters")[0]
    changed = feeds.parse(rss(item(1).replace("made landfall", "came ashore")))[0]
    assert changed is not first and "came ashore" in changed.body.text
    plain = "<item><title>Calm day</title><description>Nothing happened.</description></item>"
    assert [feeds.parse(rss(plain), agency=a)[0].agency for a in ("AFP", "dpa")] == ["AFP", "dpa"]
    assert feeds.parse(rss(item(1), language="pt"))[0].language == "pt"
    assert feeds.parse(rss(item(1)), agency="Reuters")[0] is first
    assert feeds.parse(rss(item(1), title="Other"))[0] is not first
    assert first.language == "en"


def test_a_story_whose_warnings_name_its_place_is_not_kept() -> None:
    feeds.parse(rss(item(1, BAD_PICTURE)))
    first = feeds.parse(rss(item(1, BAD_PICTURE)))[0]
    assert first.warnings and "item[1]" in first.warnings[0].problem
    moved = feeds.parse(rss(item(2), item(1, BAD_PICTURE)))[1]
    assert "item[2]" in moved.warnings[0].problem


def test_the_memo_is_bounded_and_lets_the_oldest_go() -> None:
    memo = EntryMemo(max_chars=3000)
    stories = feeds.parse(rss(*(item(n) for n in range(20))))
    for story in stories:
        memo.put((story.raw, ()), story)  # read once
        memo.put((story.raw, ()), story)  # and again: kept
        assert memo.chars <= 3000
    assert memo.get((stories[-1].raw, ())) is stories[-1]
    assert memo.get((stories[0].raw, ())) is None
    assert 0 < len(memo) < 20
