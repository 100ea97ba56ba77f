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
_PROFILE = {"name": "profile", "in": "query", "schema": {"type": "string", "enum": ["2.2", "3.1", "1.6"],
            "default": "2.2"}, "description": "ninjs version of the items"}
_ID = {"name": "story_id", "in": "path", "required": True, "schema": {"type": "integer"},
       "description": "wiredesk's number for the story (altids role wiredesk-id)"}
_NINJS = {"type": "object", "description": "An IPTC ninjs item (schemas at iptc.org/std/ninjs)"}
_GONE = {"description": "Taken down: no content, only when and why", "content": {"application/json": {
    "schema": {"type": "object", "required": ["uri", "takendown_at", "reason"], "properties": {
        "uri": {"type": "string"}, "takendown_at": {"type": "string", "format": "date-time"},
        "reason": {"type": "string", "enum": ["expired", "killed", "removed"]}}}}}}
_ERROR = {"description": "Bad request or not found", "content": {"application/json": {
    "schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema or {"type": "string"},
            "description": description}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "wiredesk API", "version": __version__,
             "description": "Live agency stories as IPTC ninjs. Taken-down stories answer 410."},
    "paths": {
        "/api/v1/stories": {"get": {
            "summary": "List live stories, newest version first",
            "parameters": [
                _query("agency", "only this agency (Reuters, AP...)"),
                _query("subject", "only stories with this subject name"),
                _query("urgency", "only stories at least this urgent (1 highest)",
                       {"type": "integer", "minimum": 1, "maximum": 9}),
                _query("since", "only versions created after this time", {"type": "string", "format": "date-time"}),
                _query("cursor", "the `next` cursor of the previous page"),
                _query("limit", "page size", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
                _PROFILE],
            "responses": {"200": _json("A page of stories", {"type": "object", "properties": {
                "items": {"type": "array", "items": _NINJS},
                "next": {"type": ["string", "null"], "description": "URL of the next page"}}}),
                "400": _ERROR}}},
        "/api/v1/stories/{story_id}": {"get": {
            "summary": "One story", "parameters": [_ID, _PROFILE],
            "responses": {"200": _json("The story", _NINJS), "404": _ERROR, "410": _GONE}}},
        "/api/v1/stories/by-uri": {"get": {
            "summary": "One story by the agency's uri",
            "parameters": [_query("uri", "the agency's id of the story"), _PROFILE],
            "responses": {"200": _json("The story", _NINJS), "400": _ERROR, "404": _ERROR, "410": _GONE}}},
        "/api/v1/stories/{story_id}/versions": {"get": {
            "summary": "Every version received, in the agency's order", "parameters": [_ID, _PROFILE],
            "responses": {"200": _json("Version history", {"type": "object", "properties": {
                "uri": {"type": "string"}, "versions": {"type": "array", "items": {"type": "object"}}}}),
                "404": _ERROR, "410": _GONE}}},
        "/api/v1/search": {"get": {
            "summary": "Search live stories: words, \"phrases\" and prefix* terms",
            "parameters": [_query("q", "the query"), _query("agency", "only this agency"),
                           _query("from", "versions created from", {"type": "string", "format": "date-time"}),
                           _query("to", "versions created before", {"type": "string", "format": "date-time"}),
                           _query("page", "page number", {"type": "integer", "minimum": 1}),
                           _query("limit", "page size", {"type": "integer", "minimum": 1, "maximum": 100}),
                           _PROFILE],
            "responses": {"200": _json("Matches, best first", {"type": "object", "properties": {
                "total": {"type": "integer"}, "page": {"type": "integer"},
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "item": _NINJS, "snippet": {"type": "string"}}}}}}), "400": _ERROR}}},
        "/api/v1/sources": {"get": {
            "summary": "Every source: settings (secrets and URL secrets masked) and health",
            "security": [{"bearer": []}, {"console": []}],
            "responses": {"200": _json("The sources", {"type": "object", "properties": {
                "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}}),
                "401": {"$ref": "#/components/responses/Unauthorized"}}}},
        "/api/v1/sources/{name}": {"get": {
            "summary": "One source: settings (secrets and URL secrets masked) and health",
            "security": [{"bearer": []}, {"console": []}],
            "parameters": [{"name": "name", "in": "path", "required": True,
                            "schema": {"type": "string"}, "description": "the source's name"}],
            "responses": {"200": _json("The source", {"$ref": "#/components/schemas/Source"}),
                          "401": {"$ref": "#/components/responses/Unauthorized"},
                          "404": _ERROR}}},
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "the token set in WIREDESK_API_TOKEN"},
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
