"""The push kind's worker step: fetch the remote pictures of pushed deliveries.

A push is answered as soon as its stories are applied (web/push.py must stay fast: a
picture server may take its read timeout and more). A delivery that names remote pictures
waits in the store (store/picture_waits.py) and its source is made due; the worker, holding
the source's lease, runs this step: each waiting delivery is read again, its pictures are
fetched through the SSRF-guarded Fetcher (the source's `picture_auth` sent only to its
`picture_hosts`; any other host gets no credentials; private addresses only where
`allow_private` says), checked like every picture (wiredesk.imaging), and kept or
quarantined (wiredesk.late_pictures). A step that fails is retried with the worker's
back-off; waits a crash left behind are taken at the source's next push.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Protocol

from wiredesk import formats, late_pictures
from wiredesk.formats import FormatError
from wiredesk.sources.fetch import Auth, Fetcher
from wiredesk.sources.kind import Ran, Run
from wiredesk.sources.pictures import PictureFetch, PictureSettings
from wiredesk.story import Delivery
from wiredesk.terms import Terms
from wiredesk.values import MAX_INTERVAL

log = logging.getLogger("wiredesk.sources")
BATCH = 20  # deliveries per run; the step asks to run again at once when more wait


class PushPictureSettings(Protocol):
    """What this step reads of a push source's settings (sources/push.py PushConfig)."""

    @property
    def name(self) -> str: ...
    @property
    def terms(self) -> Terms: ...
    @property
    def picture_auth(self) -> Auth: ...
    @property
    def picture_hosts(self) -> tuple[str, ...]: ...
    @property
    def allow_private(self) -> bool | tuple[str, ...]: ...


def run(cfg: PushPictureSettings, r: Run) -> Ran:
    totals: Counter[str] = Counter()
    warnings: list[str] = []
    settings = PictureSettings(allow_private=cfg.allow_private, auth=cfg.picture_auth)
    with Fetcher(settings, r.limiter) as fetcher:
        for wait in r.store.picture_waits.due(cfg.name, BATCH):
            if r.stop():
                break
            delivery = Delivery(wait.data, cfg.name, wait.name, wait.received_at,
                                wait.content_type)
            try:  # applied once already: it reads, unless the parser changed meanwhile
                stories = formats.parse(wait.data, cfg.terms.format, agency=cfg.terms.agency)
            except FormatError as exc:
                warnings.append(f"pictures of {wait.name}: {exc}")
                r.store.picture_waits.done(wait.id)
                continue
            pictures = PictureFetch(r.store, fetcher=fetcher, auth_hosts=cfg.picture_hosts,
                                    after=True)
            batch = pictures(stories, delivery)
            linked = late_pictures.attach(r.store, delivery, stories, batch,
                                          agency=cfg.terms.agency)
            r.store.picture_waits.done(wait.id)
            totals.update({"pictures": linked, "pictures-quarantined": len(batch.refused)})
            warnings += [f"quarantined {refused.error}" for refused in batch.refused]
    # Again at once while deliveries wait; else not until a push makes the source due.
    more = r.store.picture_waits.count(cfg.name) > 0
    return Ran(r.memo, +totals, warnings, again=0.0 if more else float(MAX_INTERVAL))
