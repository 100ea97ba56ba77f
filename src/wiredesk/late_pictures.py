"""Pictures whose bytes come after their story: a push's remote pictures.

A push is answered once its stories are applied; its remote pictures are fetched later by
the worker (sources/push_pictures.py) and handed here, in one transaction: what could not be
taken is quarantined with its message, as the desk does; what came is linked to each story
whose head is still the version that named it (a later version names its own pictures, and
a story taken down meanwhile gets nothing back), and a live story is written as an update so
its pages are rendered again with the picture.
"""

from __future__ import annotations

from wiredesk import desk
from wiredesk.formats.cleantext import clean
from wiredesk.store import Store
from wiredesk.store import pictures as picture_store
from wiredesk.store.pictures import PictureBatch
from wiredesk.story import Delivery, Story


def attach(store: Store, delivery: Delivery, stories: list[Story], batch: PictureBatch, *,
           agency: str | None) -> int:
    """Keep the fetched pictures of an applied delivery; returns how many were linked."""
    linked = 0
    now = delivery.received
    with store.write() as w:
        for refused in batch.refused:
            w.quarantine(source=delivery.source, name=f"{delivery.name or delivery.source}: "
                         f"picture {refused.href}", data=refused.data, fmt="picture",
                         error=clean(refused.error), now=now)
        for story in stories:
            if not any(picture.uri in batch.got for picture in story.pictures):
                continue
            if story.type == "picture":  # a picture item alone: its bytes, for the stories
                picture = story.pictures[0]
                owner = picture_store.owner(w, picture.uri)
                if owner is not None and owner[0] == delivery.source:
                    picture_store.item(w, picture, batch.got[picture.uri],
                                       source=delivery.source, agency=story.agency or agency,
                                       now=now)
                continue
            locked = w.lock_story(story.uri)
            if (locked is None or locked.head is None or locked.state == "takendown"
                    or not desk.may_change(w, locked, delivery.source, agency)
                    or picture_store.head_sha256(w, locked.head.version_id) != story.raw_sha256):
                continue
            linked += len(desk.link_pictures(w, locked.id, story, delivery,
                                             story.agency or agency, batch.got))
            picture_store.story_changed(w, locked.id)
    return linked
