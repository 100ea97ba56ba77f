"""Subscribers: programs told of new, updated and taken-down stories by signed webhooks.

sign.py says how a body is signed and checked; dispatch.py fills each subscriber's outbox
from the story journal and sends it, with retries, in the worker (or in `serve --no-worker`'s
process, beside the clock). The SQL is store/subscribers.py.
"""
