"""How bytes arrive: HTTP polling, drop folders and pushes, each handing Deliveries to desk.

kinds      the kinds of source, one line each; settings read into the right kind's config
kind       what a kind declares: settings class, flags, probe, the worker's run step
config     what every kind's settings share, and the checks of single values
http       the http kind: its settings, and one poll, page by page through a JSON API
folder     the folder kind: take complete files, apply, then move to processed/ or failed/
push       the push kind: HMAC-SHA256 signed pushes (web/push.py receives them)
fetch      one careful GET: conditional, bounded, timed out, guarded, per-host limited
fetch_guard  no server-side request forgery: public http(s) addresses only, unless allowed
linked     summary-only feed entries completed from their linked pages
registry   adding sources (probed first), the sources file, health as JSON and text
deliver    the one call into the desk
worker     runs due sources by lease, and the clock; stops cleanly on SIGTERM
"""
