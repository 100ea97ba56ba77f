"""The API's OpenAPI 3.1 description, and a browsable page made from it (no JavaScript)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from wiredesk import __version__
from wiredesk.web.context import Context
from wiredesk.web.policy import Policy, route

DOCS = Policy(cookie_key=False, json_errors=True)  # as the rest of the API
MAX_PAGE = 1000  # api.search's highest page number

_PROFILE = {"name": "profile", "in": "query", "schema": {"type": "string", "enum": ["2.2", "3.1", "1.6"],
            "default": "2.2"}, "description": "ninjs version of the items"}
_ID = {"name": "story_id", "in": "path", "required": True, "example": 1,
       "schema": {"type": "integer", "minimum": 1},
       "description": "wiredesk's number for the story (altids role wiredesk-id)"}
# A conditional GET: the ETag of the copy the client holds ("*": any copy) answers 304.
_IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "schema": {"type": "string"},
                  "description": "the ETag of the copy you hold: 304 when it is still current"}
# Items are checked against the official ninjs schema of their profile by the test suite
# (tests/test_api.py); here they stay an open object, as the three profiles differ.
_NINJS = {"type": "object", "required": ["uri"], "properties": {"uri": {"type": "string"}},
          "description": "An IPTC ninjs item (schemas at iptc.org/std/ninjs). In profiles 2.2 "
                         "(`altids`) and 3.1 (`altIds`) its alternative ids have the roles `url` "
                         "(its page here), `wiredesk-id` and, when it is in an event cluster, "
                         "`wiredesk-cluster`: the id for /api/v1/clusters/{cluster_id}"}
_CACHED = {"ETag": {"required": True, "schema": {"type": "string"}},
           "Cache-Control": {"required": True, "schema": {"type": "string"}},
           "Surrogate-Key": {"required": True, "schema": {"type": "string"},
                             "description": "CDN keys a takedown purges"}}
_ERROR_BODY = {"application/json": {"schema": {
    "type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}}}
_BAD = {"description": "A parameter out of its range or format, or control characters in the "
        "address: `error` says which", "content": _ERROR_BODY}
_NOT_FOUND = {"description": "No such story, or not yet published", "content": _ERROR_BODY}
_GONE = {"description": "Taken down: no content, only when and why", "headers": _CACHED,
         "content": {"application/json": {"schema": {
             "type": "object", "required": ["uri", "takendown_at", "reason"], "properties": {
                 "uri": {"type": "string"}, "takendown_at": {"type": "string", "format": "date-time"},
                 "reason": {"type": "string", "enum": ["expired", "killed", "removed"]}}}}}}
_NOT_MODIFIED = {"description": "Not modified: the copy named in If-None-Match is current",
                 "headers": _CACHED}
_SLOW_DOWN = {"description": "Too many searches from this address: wait Retry-After seconds",
              "headers": {"Retry-After": {"required": True, "schema": {"type": "integer"}}},
              "content": _ERROR_BODY}


def _query(name: str, description: str, schema: dict[str, Any] | None = None, *,
           required: bool = False) -> dict[str, Any]:
    found = {"name": name, "in": "query", "schema": schema or {"type": "string"},
             "description": description}
    return {**found, "required": True} if required else found


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "headers": _CACHED,
            "content": {"application/json": {"schema": schema}}}


def _private(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An answer for one caller, never cached (`Cache-Control: private, no-store`)."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _answers(ok: dict[str, Any], *more: str) -> dict[str, Any]:
    """Every answer an operation can give: ok, 304, 400 (its parameters, or the guard's
    refusal of control characters) and those named in `more`."""
    extra = {"404": _NOT_FOUND, "410": _GONE, "429": _SLOW_DOWN}
    return {"200": ok, "304": _NOT_MODIFIED, "400": _BAD, **{code: extra[code] for code in more}}


_TIME = {"type": "string", "format": "date-time", "minLength": 1}
_VERSION = {"type": "object", "required": ["version", "versioncreated", "received", "pubstatus",
                                           "format", "current", "item"], "properties": {
    "version": {"type": ["string", "null"]}, "versioncreated": {"type": "string", "format": "date-time"},
    "received": {"type": "string", "format": "date-time"}, "pubstatus": {"type": ["string", "null"]},
    "format": {"type": ["string", "null"]}, "current": {"type": "boolean"}, "item": _NINJS}}

_PROVENANCE = {"type": "object", "required": ["uri", "agency", "versions"], "properties": {
    "uri": {"type": "string"}, "agency": {"type": ["string", "null"]},
    "versions": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["sha256", "format", "size", "received", "source",
                                       "version", "current"], "properties": {
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                       "description": "SHA-256 of the exact bytes received"},
            "format": {"type": "string", "description": "the wire format they were read as"},
            "size": {"type": ["integer", "null"], "minimum": 0, "description": "bytes"},
            "received": {"type": "string", "format": "date-time"},
            "source": {"type": "string", "description": "the source that delivered them"},
            "version": {"type": ["string", "null"], "description": "the agency's version"},
            "current": {"type": "boolean", "description": "the version shown now"}}}}}}

_CLUSTER = {"type": "object", "required": ["id", "stories"], "properties": {
    "id": {"type": "integer"}, "stories": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["id", "agency", "headline", "urgency", "firstcreated",
                                       "versioncreated", "url", "api"], "properties": {
            "id": {"type": "integer"}, "agency": {"type": ["string", "null"]},
            "headline": {"type": "string"}, "urgency": {"type": ["integer", "null"]},
            "firstcreated": {"type": "string", "format": "date-time"},
            "versioncreated": {"type": "string", "format": "date-time"},
            "url": {"type": "string", "description": "the story's page"},
            "api": {"type": "string", "description": "the story in this API"}}}}}}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "wiredesk API", "version": __version__,
             "description": "Live agency stories as IPTC ninjs. Taken-down stories answer 410. "
                            "Errors are JSON objects with an `error` message. Without a key, "
                            "each source's `public_text` setting decides how much text an "
                            "item carries (full, summary: a `summary` description and no "
                            "bodies, or headline); with an API key (`wiredesk keys add`) sent "
                            "as `Authorization: Bearer wdk_...` or `X-Api-Key`, items are "
                            "full text, answers are `Cache-Control: private, no-store`, the "
                            "key has its own rate limit (429), and an unknown or revoked key "
                            "answers 401. Changes are also pushed: `GET /events` "
                            "(server-sent events) and signed webhooks (`wiredesk "
                            "subscribers`)."},
    "paths": {
        "/api/v1/stories": {"get": {
            "summary": "List live stories, newest version first",
            "parameters": [
                _query("agency", "only this agency (Reuters, AP...)"),
                _query("subject", "only stories with this subject name"),
                _query("urgency", "only stories at least this urgent (1 highest)",
                       {"type": "integer", "minimum": 1, "maximum": 9}),
                _query("since", "only versions created after this time", _TIME),
                _query("cursor", "the `next` cursor of the previous page"),
                _query("limit", "page size", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
                _PROFILE, _IF_NONE_MATCH],
            "responses": _answers(_json("A page of stories", {
                "type": "object", "required": ["items", "next"], "properties": {
                    "items": {"type": "array", "items": _NINJS},
                    "next": {"type": ["string", "null"], "description": "URL of the next page"}}}))}},
        "/api/v1/stories/{story_id}": {"get": {
            "summary": "One story", "parameters": [_ID, _PROFILE, _IF_NONE_MATCH],
            "responses": _answers(_json("The story", _NINJS), "404", "410")}},
        "/api/v1/stories/by-uri": {"get": {
            "summary": "One story by the agency's uri",
            "parameters": [_query("uri", "the agency's id of the story", {"type": "string", "minLength": 1},
                                  required=True), _PROFILE, _IF_NONE_MATCH],
            "responses": _answers(_json("The story", _NINJS), "404", "410")}},
        "/api/v1/stories/{story_id}/versions": {"get": {
            "summary": "Every version readers could have seen, oldest first (as the history page)",
            "parameters": [_ID, _PROFILE, _IF_NONE_MATCH],
            "responses": _answers(_json("Version history", {
                "type": "object", "required": ["uri", "versions"], "properties": {
                    "uri": {"type": "string"}, "versions": {"type": "array", "items": _VERSION}}}),
                "404", "410")}},
        "/api/v1/stories/{story_id}/provenance": {"get": {
            "summary": "Verbatim proof: the SHA-256, format, size, time received and source of "
                       "every version readers could have seen, and of the current one",
            "description": "No words of the story: hashes of the exact bytes the agency sent. "
                           "`wiredesk verify URI` re-hashes and re-parses the stored bytes and "
                           "checks the page's words against them.",
            "parameters": [_ID, _IF_NONE_MATCH],
            "responses": _answers(_json("The versions' provenance, oldest first", _PROVENANCE),
                                  "404", "410")}},
        "/api/v1/search": {"get": {
            "summary": "Search live stories: words, \"phrases\" and prefix* terms",
            "parameters": [_query("q", "the query: 400 when it has no word to search for",
                                  {"type": "string", "minLength": 1}, required=True),
                           _query("agency", "only this agency"),
                           _query("from", "versions created from", _TIME),
                           _query("to", "versions created before", _TIME),
                           _query("page", "page number", {"type": "integer", "minimum": 1,
                                                          "maximum": MAX_PAGE, "default": 1}),
                           _query("limit", "page size", {"type": "integer", "minimum": 1,
                                                         "maximum": 100, "default": 10}),
                           _query("before", "only stories older than this one (an `older` "
                                  "answer)", {"type": "integer", "minimum": 1}),
                           _PROFILE, _IF_NONE_MATCH],
            "responses": _answers(_json("Matches, best first", {
                "type": "object", "required": ["total", "page", "items"], "properties": {
                    "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer"},
                    "total_exact": {"type": "boolean",
                                    "description": "false: more than `total` match (a common query "
                                                   "is counted only past the page asked for)"},
                    "older": {"type": ["integer", "null"],
                              "description": "a phrase is searched within a budget: the older "
                                             "stories were not searched; ask again with "
                                             "before=older (null: every story was)"},
                    "items": {"type": "array", "items": {
                        "type": "object", "required": ["item", "snippet"], "properties": {
                            "item": _NINJS, "snippet": {"type": "string"}}}}}}), "429")}},
        "/api/v1/clusters/{cluster_id}": {"get": {
            "summary": "One event cluster: the visible stories of every agency on one event",
            "description": "Stories are linked, never merged: each item names a story to fetch "
                           "whole. Taken-down, expired and not-yet-published stories are never "
                           "listed.",
            "parameters": [{"name": "cluster_id", "in": "path", "required": True, "example": 1,
                            "schema": {"type": "integer", "minimum": 1},
                            "description": "the `wiredesk-cluster` alternative id of a story"},
                           _IF_NONE_MATCH],
            "responses": {**_answers(_json("The cluster's visible stories, newest first", _CLUSTER)),
                          "404": {"description": "No such cluster, or none of its stories is "
                                                 "visible now", "content": _ERROR_BODY}}}},
        "/api/v1/takedowns": {"get": {
            "summary": "Stories taken down since an event id or a time, oldest first, so a "
                       "consumer that cached a story can drop it",
            "parameters": [_query("since", "an event id (`last_event_id` of the previous "
                                  "answer, or an /events id) or an ISO 8601 date-time",
                                  {"type": "string", "minLength": 1}, required=True)],
            "responses": {"200": _private("Takedowns; ask again with `last_event_id`", {
                "type": "object", "required": ["takedowns", "last_event_id", "more"],
                "properties": {
                    "takedowns": {"type": "array", "items": {
                        "type": "object", "required": ["event_id", "id", "uri", "time", "reason"],
                        "properties": {
                            "event_id": {"type": ["integer", "null"],
                                         "description": "null for one older than the journal"},
                            "id": {"type": "integer"}, "uri": {"type": "string"},
                            "time": {"type": "string", "format": "date-time"},
                            "reason": {"type": "string", "enum": [
                                "killed", "expired", "removed", "withheld"]}}}},
                    "last_event_id": {"type": "integer", "minimum": 0},
                    "more": {"type": "boolean", "description": "the page was full: ask again"}}}),
                "400": _BAD}}},
        "/api/v1/sources": {"get": {
            "summary": "Every source: settings (secrets and URL secrets masked) and health",
            "security": [{"bearer": []}, {"console": []}],
            "responses": {"200": _private("The sources", {"type": "object", "properties": {
                "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}}),
                "400": _BAD, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/sources/{name}": {"get": {
            "summary": "One source: settings (secrets and URL secrets masked) and health",
            "security": [{"bearer": []}, {"console": []}],
            "parameters": [{"name": "name", "in": "path", "required": True,
                            "schema": {"type": "string"}, "description": "the source's name"}],
            "responses": {"200": _private("The source", {"$ref": "#/components/schemas/Source"}),
                          "400": _BAD, "401": {"$ref": "#/components/responses/Unauthorized"},
                          "404": {"description": "No such source", "content": _ERROR_BODY}}}},
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "the token set in WIREDESK_API_TOKEN"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                       "description": "a key from `wiredesk keys add` (or send it as "
                                      "Authorization: Bearer): full text, its own rate "
                                      "limit"},
            "console": {"type": "apiKey", "in": "cookie", "name": "wd_session",
                        "description": "a logged-in console session (__Host-wd_session on "
                                       "https)"}},
        "responses": {"Unauthorized": {
            "description": "No console session and no (or a wrong) bearer token",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"},
                                             "description": "Bearer realm=\"wiredesk\""}},
            "content": {"application/json": {"schema": {
                "type": "object", "properties": {"error": {"type": "string"}}}}}}},
        "schemas": {"Source": {"type": "object", "properties": {
            "name": {"type": "string"}, "kind": {"type": "string"},
            "agency": {"type": ["string", "null"]}, "licence_days": {"type": "integer"},
            "paused": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"},
            "settings": {"type": "object"}, "health": {"type": ["object", "null"]}}}},
    },
}


def routes(ctx: Context) -> list[Route]:
    async def spec(_: Request) -> Response:
        return JSONResponse(SPEC)

    async def docs(_: Request) -> Response:
        operations = [(path, method, op) for path, item in SPEC["paths"].items()
                      for method, op in item.items()]
        html = ctx.renderer.render("apidocs.html", spec=SPEC, operations=operations,
                                   textsize=None, request_path="/api/v1/docs", query="")
        return HTMLResponse(html)

    return [route("/api/v1/openapi.json", spec, DOCS), route("/api/v1/docs", docs, DOCS)]
