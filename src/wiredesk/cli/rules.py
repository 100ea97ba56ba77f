"""`wiredesk rules add|list|remove|enable|disable|test` (editorial rules) and `wiredesk
publish|ignore URI` (the review queue from the command line)."""

from __future__ import annotations

import argparse
import getpass
import json
from typing import Any

from wiredesk import review
from wiredesk import rules as editorial
from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.store.finder import Query
from wiredesk.times import utc_now


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser("rules", help="editorial rules: publish, hold for review or ignore")
    ss = s.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    c = ss.add_parser("add", help="add a rule (first match wins; no match: publish)")
    c.add_argument("name")
    c.add_argument("--agency", help="the story's agency (any case)")
    c.add_argument("--source", help="the source that delivered it")
    c.add_argument("--subject", metavar="CODE",
                   help="an IPTC Media Topic (medtop:15000000) or an agency's subject code")
    c.add_argument("--urgency-min", metavar="N", help="urgency at least N (1 is most urgent)")
    c.add_argument("--urgency-max", metavar="N", help="urgency at most N")
    c.add_argument("--language", help="language tag: en takes en-GB too")
    c.add_argument("--type", help="text or picture")
    c.add_argument("--keyword", metavar="REGEX",
                   help="regular expression over slugline and headline (any case)")
    c.add_argument("--action", required=True, choices=editorial.ACTIONS)
    c.add_argument("--position", type=int, default=0, metavar="N",
                   help="place in the order, 1 first (default: last)")
    c.add_argument("--disabled", action="store_true",
                   help="store it switched off (try it with `rules test` first)")
    c.set_defaults(func=cmd_add)
    c = ss.add_parser("list", help="every rule, in the order they apply")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    for verb, func, text in (("remove", cmd_remove, "forget a rule"),
                             ("enable", cmd_enable, "switch a rule on"),
                             ("disable", cmd_disable, "switch a rule off (it stays listed)")):
        c = ss.add_parser(verb, help=text)
        c.add_argument("name")
        c.set_defaults(func=func)
    c = ss.add_parser("test", help=f"which of the last {editorial.TRIAL} stories a rule "
                                   "would match, switched on or not")
    c.add_argument("name")
    c.set_defaults(func=cmd_test)

    for verb, func, text in (("publish", cmd_publish,
                              "publish a story an editorial rule held for review, verbatim"),
                             ("ignore", cmd_ignore,
                              "keep a story held for review, never shown")):
        c = sub.add_parser(verb, help=text)
        c.add_argument("uri")
        c.set_defaults(func=func)


def _actor() -> str:
    try:
        return f"{getpass.getuser()} (cli)"
    except (KeyError, OSError):
        return "cli"


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    values: dict[str, Any] = {key: getattr(args, key) for key in editorial.MATCHERS
                              if getattr(args, key) is not None}
    values.update(action=args.action, enabled=not args.disabled, position=args.position)
    rule = editorial.parse(args.name, values)
    store = Store.open(settings.database_url)
    store.rules.add(rule, utc_now())
    print(f"rule added: {rule.name}: {rule.action} {rule.describe()}"
          + (" (disabled)" if not rule.enabled else ""))
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    found = Store.open(settings.database_url).rules.all()
    if args.json:
        print(json.dumps({"rules": [{"name": r.name, "position": r.position, "action": r.action,
                                     "enabled": r.enabled, **r.settings()} for r in found]}))
        return 0
    if not found:
        print("no rules: every story is published (add one with `wiredesk rules add`)")
    for r in found:
        print(f"{r.position:>3}. {r.name}: {r.action} {r.describe()}"
              + ("" if r.enabled else " (disabled)"))
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    if not Store.open(settings.database_url).rules.remove(args.name):
        raise LookupError(f"no rule named {args.name!r}")
    print(f"removed: {args.name}")
    return 0


def _switch(args: argparse.Namespace, settings: Settings, on: bool) -> int:
    if not Store.open(settings.database_url).rules.set_enabled(args.name, on, utc_now()):
        raise LookupError(f"no rule named {args.name!r}")
    print(f"{'enabled' if on else 'disabled'}: {args.name}")
    return 0


def cmd_enable(args: argparse.Namespace, settings: Settings) -> int:
    return _switch(args, settings, True)


def cmd_disable(args: argparse.Namespace, settings: Settings) -> int:
    return _switch(args, settings, False)


def cmd_test(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    rule = store.rules.get(args.name)
    if rule is None:
        raise LookupError(f"no rule named {args.name!r}")
    records = store.finder.find(Query(), utc_now(), limit=editorial.TRIAL).records
    hits = editorial.trial(rule, [(r.story, r.source) for r in records])
    print(f"{rule.name} ({rule.action} {rule.describe()}) would match {len(hits)} of the "
          f"last {len(records)} stories" + ("" if rule.enabled else " (it is disabled)"))
    for n in hits:
        r = records[n]
        print(f"  {r.id:>7} {r.state:<9} {r.story.agency or '-':<12} {r.uri}  "
              f"{r.story.headline[:80]}")
    return 0


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    state = review.publish(Store.open(settings.database_url), args.uri, actor=_actor(),
                           now=utc_now())
    print({"live": f"published: {args.uri}",
           "embargoed": f"published: {args.uri} (embargoed: shown when the embargo lifts)",
           "expired": f"{args.uri}: its licence ended while it waited; taken down"}[state])
    return 0 if state != "expired" else 1


def cmd_ignore(args: argparse.Namespace, settings: Settings) -> int:
    review.ignore(Store.open(settings.database_url), args.uri, actor=_actor(), now=utc_now())
    print(f"ignored: {args.uri} (kept, never shown)")
    return 0
