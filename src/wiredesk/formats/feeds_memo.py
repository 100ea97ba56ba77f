"""The stories of feed entries already read, kept for the next poll of the same feed.

A feed that changed answers with all its entries again, nearly all of them unchanged since
the last poll; reading an unchanged entry again (its body sanitised, its text extracted, its
pictures read) gives the same Story, so the Story made last time is handed out instead.

An entry is the same when its serialised bytes (Story.raw, made anyway) are, and so is
everything else its Story is made of: the feed's title, language, rights and licence, and
the agency the source names. A Story that depends on where the entry sits in the feed (its
picture warnings name the item's position, which moves as new items arrive) is not kept.
Stories are immutable, so one object can serve every poll. Bounded by the characters the
kept stories hold (their raw bytes and body); the oldest go first.

A story is kept only once its entry has been read before (a number per entry remembers
that): an entry read once, as every entry of a first read is, costs a hash, not the memory
of its story (holding every first read's stories made first reads 3-7% slower).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from wiredesk.story import Story

MAX_CHARS = 32 * 1024 * 1024  # raw bytes plus body characters of the kept stories
MAX_SEEN = 50_000  # entries remembered as read once (a hash each, ~50 bytes), then forgotten

_Key = tuple[bytes, tuple[str | None, ...]]


class EntryMemo:
    """Stories by (entry bytes, feed context), oldest evicted first past `max_chars`."""

    def __init__(self, max_chars: int = MAX_CHARS, max_seen: int = MAX_SEEN) -> None:
        self.max_chars = max_chars
        self.max_seen = max_seen
        self._seen: set[int] = set()  # hashes of the keys read once and not kept yet
        self._stories: OrderedDict[_Key, tuple[Story, int]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()  # one writer at a time: the count stays the sum

    def get(self, key: _Key) -> Story | None:
        found = self._stories.get(key)
        return None if found is None else found[0]

    def put(self, key: _Key, story: Story) -> None:
        if story.warnings:
            return  # they name the entry's place in the feed, which the key does not hold
        body = story.body
        size = len(story.raw) + len(body.received) + len(body.html) + len(body.text)
        if size > self.max_chars:
            return
        with self._lock:
            if key in self._stories:
                return
            seen = hash(key)  # (the raw bytes keep their hash: not computed again)
            if seen not in self._seen:  # read for the first time: remember that, no more
                if len(self._seen) >= self.max_seen:
                    self._seen.clear()
                self._seen.add(seen)
                return
            self._seen.discard(seen)
            self._stories[key] = (story, size)
            self._chars += size
            while self._chars > self.max_chars:  # (a dict's first key is O(n) to find
                self._chars -= self._stories.popitem(last=False)[1][1]  # after deletions)

    def clear(self) -> None:
        with self._lock:
            self._stories.clear()
            self._seen.clear()
            self._chars = 0

    def __len__(self) -> int:
        return len(self._stories)

    @property
    def chars(self) -> int:
        return self._chars

    @property
    def remembered(self) -> int:
        """Entries remembered as read once (their stories not kept)."""
        return len(self._seen)


MEMO = EntryMemo()
