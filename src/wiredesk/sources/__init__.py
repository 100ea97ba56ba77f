"""How bytes arrive: HTTP polling, drop folders and pushes, each handing Deliveries to desk.

config     a source's settings, validated once (CLI flags or the TOML sources file)
registry   adding sources (checked first), the sources file, health as JSON and text
fetch      one careful GET: conditional, bounded, timed out, guarded, per-host limited
fetch_guard  no server-side request forgery: public http(s) addresses only, unless allowed
poll       one poll of an HTTP source, page by page through a JSON API
linked     summary-only feed entries completed from their linked pages
folder     drop folders: take complete files, apply, then move to processed/ or failed/
push       HMAC-SHA256 signed pushes
deliver    the one call into the desk
worker     runs due sources by lease, and the clock; stops cleanly on SIGTERM
"""
