"""The `wiredesk` command: thin verbs over the desk, the clock, sources, the store and the web.

Nothing outside this package imports it. One module per group of verbs, each with a
`register(sub)` that adds its sub-commands; `main.py` puts them together.

main      the parser, settings, errors as one line
stories   init, parse, ingest, sweep, kill, status
serve     serve, demo
sources   sources add|list|show|pause|resume|remove|load, worker
users     user add|list|remove
store     store copy
backup    backup PATH (a consistent copy of the live store)
proof     verify (one story's verbatim proof), report (an agency's compliance ledger)
"""

from wiredesk.cli.main import main

__all__ = ["main"]
