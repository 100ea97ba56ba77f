"""`wiredesk user add|list|remove`: who may log in to the operator console."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime

from wiredesk.config import Settings
from wiredesk.passwords import hash_password
from wiredesk.store import Store


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    u = sub.add_parser("user", help="add, list or remove console users")
    us = u.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    c = us.add_parser("add", help="add a console user, or set a new password for one")
    c.add_argument("name")
    c.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input "
                        "(for scripts; the default asks twice without echo)")
    c.set_defaults(func=cmd_user_add)

    c = us.add_parser("list", help="list console users")
    c.set_defaults(func=cmd_user_list)

    c = us.add_parser("remove", help="remove a console user and end their sessions")
    c.add_argument("name")
    c.set_defaults(func=cmd_user_remove)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    name = args.name.strip()
    if not name or len(name) > 100:
        raise ValueError("a user name has 1 to 100 characters")
    password_hash = hash_password(_read_password(args.password_stdin))
    store = Store.open(settings.database_url)
    created = store.users.set_password(name, password_hash, datetime.now(UTC))
    print(f"{'added' if created else 'password changed for'} user {name}")
    return 0


def cmd_user_list(_args: argparse.Namespace, settings: Settings) -> int:
    for user in Store.open(settings.database_url).users.all():
        print(f"{user.name}\tsince {user.created_at:%Y-%m-%d}\t"
              f"password set {user.updated_at:%Y-%m-%d %H:%M} UTC")
    return 0


def cmd_user_remove(args: argparse.Namespace, settings: Settings) -> int:
    if not Store.open(settings.database_url).users.remove(args.name):
        raise LookupError(f"no user named {args.name!r}")
    print(f"removed user {args.name}")
    return 0
