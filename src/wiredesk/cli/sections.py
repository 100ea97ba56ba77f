"""`wiredesk sections list|add|remove|reset`: the reader site's sections and what they take."""

from __future__ import annotations

import argparse
import json

from wiredesk.config import Settings
from wiredesk.store import Store


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser("sections", help="the reader site's sections (header, /sections/SLUG)")
    ss = s.add_subparsers(dest="sections_command", required=True, metavar="ACTION")
    c = ss.add_parser("list", help="every section, in the header's order, with its subjects")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = ss.add_parser("add", help="add a section at the end, or change the one with this slug")
    c.add_argument("slug", help="its URL word: /sections/SLUG (a-z, 0-9, dashes)")
    c.add_argument("--title", required=True, help="its name in the header and on its page")
    c.add_argument("--subject", action="append", required=True, dest="subjects",
                   help="an IPTC code it takes with every code below it (medtop:15000000, "
                        "subj:15000000), or a subject name as agencies write it; repeatable")
    c.set_defaults(func=cmd_add)
    c = ss.add_parser("remove", help="remove a section")
    c.add_argument("slug")
    c.set_defaults(func=cmd_remove)
    c = ss.add_parser("reset", help="back to the 17 IPTC Media Topic top levels")
    c.set_defaults(func=cmd_reset)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    found = Store.open(settings.database_url).sections.all()
    if args.json:
        print(json.dumps([{"slug": s.slug, "title": s.title, "subjects": list(s.subjects)}
                          for s in found], indent=2, ensure_ascii=False))
        return 0
    if not found:
        print("no sections")
    for s in found:
        print(f"{s.slug}  {s.title}  {', '.join(s.subjects)}")
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    section = Store.open(settings.database_url).sections.add(args.slug, args.title, args.subjects)
    print(f"section {section.slug}: {section.title} ({', '.join(section.subjects)})")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    if not Store.open(settings.database_url).sections.remove(args.slug):
        raise LookupError(f"no section {args.slug!r} (see `wiredesk sections list`)")
    print(f"section {args.slug} removed")
    return 0


def cmd_reset(_args: argparse.Namespace, settings: Settings) -> int:
    Store.open(settings.database_url).sections.reset()
    print("sections reset to the IPTC Media Topic top levels")
    return 0
