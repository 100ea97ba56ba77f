"""`wiredesk subscribers add|list|show|remove` (signed webhooks) and `wiredesk keys
add|list|remove` (API keys for full text)."""

from __future__ import annotations

import argparse
import json
import re

from wiredesk.config import Settings
from wiredesk.hooks.dispatch import Dispatcher
from wiredesk.sources.fetch_guard import BlockedAddress, check_url
from wiredesk.sources.sealed import seal
from wiredesk.store import Store
from wiredesk.store.journal import KINDS
from wiredesk.times import iso, utc_now
from wiredesk.web.keys import DEFAULT_PER_MINUTE, new_key

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser("subscribers", help="programs told of changes by signed webhooks")
    ss = s.add_subparsers(dest="subscribers_command", required=True, metavar="ACTION")
    c = ss.add_parser("add", help="add a subscriber (told of events from now on)")
    c.add_argument("name")
    c.add_argument("--url", required=True, help="where each event is POSTed (http or https)")
    c.add_argument("--secret", required=True,
                   help="the HMAC key both sides know (stored sealed; $NAME reads the "
                        "environment when sending)")
    c.add_argument("--events", default=",".join(KINDS),
                   help=f"some of {', '.join(KINDS)} (default: all)")
    c.add_argument("--agency", help="only this agency's stories")
    c.add_argument("--allow-private", action="store_true",
                   help="the URL may be a private or loopback address (an internal service)")
    c.set_defaults(func=cmd_add)
    c = ss.add_parser("list", help="every subscriber, with its pending and dead deliveries")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = ss.add_parser("show", help="a subscriber and its recent deliveries")
    c.add_argument("name")
    c.add_argument("--limit", type=int, default=20)
    c.set_defaults(func=cmd_show)
    c = ss.add_parser("remove", help="forget a subscriber and its outbox")
    c.add_argument("name")
    c.set_defaults(func=cmd_remove)
    c = ss.add_parser("send", help="one round now: fill the outboxes and send what is due")
    c.set_defaults(func=cmd_send)

    k = sub.add_parser("keys", help="API keys: full text and their own rate limit")
    kk = k.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    c = kk.add_parser("add", help="make a key; it is printed once and stored hashed")
    c.add_argument("name")
    c.add_argument("--per-minute", type=int, default=DEFAULT_PER_MINUTE,
                   help=f"requests a minute the key may make (default {DEFAULT_PER_MINUTE})")
    c.set_defaults(func=cmd_key_add)
    c = kk.add_parser("list", help="every key's name and limit (never the key)")
    c.set_defaults(func=cmd_key_list)
    c = kk.add_parser("remove", help="revoke a key")
    c.add_argument("name")
    c.set_defaults(func=cmd_key_remove)


def _name(name: str) -> str:
    if not NAME.match(name):
        raise ValueError(f"name {name!r}: use letters, digits, '.', '_' or '-' (at most 100)")
    return name


def events_flag(value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(e.strip() for e in value.split(",") if e.strip()))
    unknown = [e for e in chosen if e not in KINDS]
    if unknown or not chosen:
        raise ValueError(f"--events: expected some of {', '.join(KINDS)}, got {value!r}")
    return chosen


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    name = _name(args.name)
    events = events_flag(args.events)
    try:
        check_url(args.url, args.allow_private)
    except BlockedAddress as exc:
        raise ValueError(f"--url: {exc}".replace("allow_private on the source",
                                                 "--allow-private")) from None
    if not args.secret:
        raise ValueError("--secret: give the key the receiver checks signatures with")
    secret = seal(args.secret, "--secret")
    store = Store.open(settings.database_url)
    store.subscribers.add(name, url=args.url, secret=secret, events=events,
                          agency=args.agency or None, allow_private=args.allow_private,
                          now=utc_now())
    print(f"subscriber added: {name} ({', '.join(events)}) -> {args.url}")
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    rows = []
    for s in store.subscribers.all():
        pending = len(store.subscribers.recent(s.name, status="pending", limit=1000))
        dead = len(store.subscribers.recent(s.name, status="dead", limit=1000))
        rows.append({"name": s.name, "url": s.url, "events": list(s.events),
                     "agency": s.agency, "allow_private": s.allow_private,
                     "pending": pending, "dead": dead})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no subscribers")
    for r in rows:
        print(f"{r['name']}  {r['url']}  {','.join(r['events'])}"
              f"{'  agency=' + r['agency'] if r['agency'] else ''}  "
              f"pending={r['pending']} dead={r['dead']}")
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    found = store.subscribers.get(args.name)
    if found is None:
        raise LookupError(f"no subscriber named {args.name!r}")
    print(f"name: {found.name}\nurl: {found.url}\nevents: {', '.join(found.events)}\n"
          f"agency: {found.agency or '(all)'}\nallow_private: {found.allow_private}\n"
          "secret: (stored sealed)\nrecent deliveries:")
    deliveries = store.subscribers.recent(found.name, limit=max(1, args.limit))
    if not deliveries:
        print("  none yet")
    for d in deliveries:
        error = f"  last error: {d.last_error}" if d.last_error else ""
        print(f"  event {d.event_id} {d.event} {d.uri}: {d.status}, {d.attempts} attempt(s), "
              f"next {iso(d.next_try) if d.status == 'pending' else '-'}{error}")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    if not store.subscribers.remove(args.name):
        raise LookupError(f"no subscriber named {args.name!r}")
    print(f"subscriber removed: {args.name}")
    return 0


def cmd_send(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    sent = Dispatcher(store, first_retry=settings.hook_retry_seconds,
                      give_up=settings.hook_give_up_seconds).run_once()
    print(f"{sent} delivery attempt(s)")
    return 0


def cmd_key_add(args: argparse.Namespace, settings: Settings) -> int:
    name = _name(args.name)
    if not 1 <= args.per_minute <= 1_000_000:
        raise ValueError("--per-minute: use 1 to 1000000")
    store = Store.open(settings.database_url)
    key = new_key(store, name, args.per_minute, utc_now())
    print(f"key added: {name} ({args.per_minute} requests a minute). It is shown once; "
          f"keep it now:\n{key}")
    return 0


def cmd_key_list(args: argparse.Namespace, settings: Settings) -> int:
    rows = Store.open(settings.database_url).keys.all()
    if not rows:
        print("no keys")
    for r in rows:
        print(f"{r.name}  {r.per_minute}/min  added {iso(r.created_at)}")
    return 0


def cmd_key_remove(args: argparse.Namespace, settings: Settings) -> int:
    store = Store.open(settings.database_url)
    if not store.keys.remove(args.name):
        raise LookupError(f"no key named {args.name!r}")
    print(f"key removed: {args.name}")
    return 0
