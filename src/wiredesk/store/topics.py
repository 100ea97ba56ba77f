"""IPTC subject codes on a story, reduced to the codes a section can match: pure, no I/O.

A story's subjects come as Media Topic qcodes (`medtop:15073000`), legacy Subject Codes
(`subj:15000000`, or a bare eight-digit code from NITF and NewsML 1) or their URIs
(`http://cv.iptc.org/newscodes/mediatopic/15073000`). Each is kept with its ancestors, so a
section that takes `medtop:15000000` finds a story tagged only `medtop:15073000`.

The ancestors are worked out from the code's digits (`15073000` lies under `15000000`),
which is how the legacy Subject Codes are built and how every Media Topic below the 17 top
levels numbered before 2010 is built. Media Topics added later (`medtop:20000xxx`) carry no
parent in their digits, and the full vocabulary is not shipped: such a story is matched by
the parent codes the agency sends with it (G2 and ninjs items usually name the top level
too), or by naming the code in the section's subjects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wiredesk.story import Subject

MEDTOP = "medtop"
SUBJ = "subj"
_URI = re.compile(r"/newscodes/(mediatopic|subjectcode)/(\d{8})/?$")
_QCODE = re.compile(r"^(medtop|subj|iptc|subjectcode|mediatopic):(\d{8})$", re.I)
_BARE = re.compile(r"^\d{8}$")
_SCHEMES = {"medtop": MEDTOP, "mediatopic": MEDTOP, "subj": SUBJ, "iptc": SUBJ,
            "subjectcode": SUBJ}
TOP_LEVELS = {f"{n:02d}" for n in range(1, 18)}  # 01 arts ... 17 weather, in both schemes


def code_of(subject: Subject) -> str | None:
    """`medtop:15073000` or `subj:15000000` for an IPTC subject, else None."""
    for value in (subject.code, subject.uri):
        if not value:
            continue
        value = value.strip()
        found = _QCODE.match(value)
        if found:
            return f"{_SCHEMES[found[1].lower()]}:{found[2]}"
        found = _URI.search(value)
        if found:
            return f"{_SCHEMES[found[1]]}:{found[2]}"
        if _BARE.match(value):
            return f"{SUBJ}:{value}"  # NITF and NewsML 1 name legacy Subject Codes bare
    return None


def ancestors(code: str) -> list[str]:
    """The code and the codes above it that its digits name (see the module's note)."""
    scheme, digits = code.split(":", 1)
    out = [code]
    if digits[:2] in TOP_LEVELS and digits[2:] != "000000":
        if digits[5:] != "000" and digits[2:5] != "000":
            out.append(f"{scheme}:{digits[:5]}000")
        out.append(f"{scheme}:{digits[:2]}000000")
    return out


def story_topics(subjects: Iterable[Subject]) -> list[str]:
    """Every IPTC code a story is filed under, with ancestors, each once, in order."""
    found: dict[str, None] = {}
    for subject in subjects:
        code = code_of(subject)
        if code:
            found.update(dict.fromkeys(ancestors(code)))
    return list(found)


def expand(code: str) -> list[str]:
    """A section's code and its twin in the other scheme: the 17 top levels are numbered the
    same in Media Topics and the legacy Subject Codes (15000000 is sport in both)."""
    scheme, digits = code.split(":", 1)
    if digits[:2] in TOP_LEVELS and digits[2:] == "000000":
        return [f"{MEDTOP}:{digits}", f"{SUBJ}:{digits}"]
    return [code]
