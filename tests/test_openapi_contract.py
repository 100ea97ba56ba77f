"""The API answers as its OpenAPI document says: schemathesis generates requests from
/api/v1/openapi.json (valid and invalid, bounded and derandomised) and checks every answer's
status, content type, headers and body against the document, on both stores.

/api/v1/sources is included: without credentials it answers 401 as documented (its 200s,
with a token or a console session, are in tests/test_sources_secrets.py).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks

from helpers import deliver, later, ninjs_item
from wiredesk import desk
from wiredesk.config import Settings
from wiredesk.web.app import create_app

CHECKS = [not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance,
          checks.response_headers_conformance]
SPEC = "/api/v1/openapi.json"
MAX_EXAMPLES = 25  # per operation and mode: bounded time, and derandomised: no flakes


def seeded_app(store, clock, now, **options: object):  # type: ignore[no-untyped-def]
    """Stories 1 to 3 live (story 1 in two versions), story 4 taken down: the spec's
    example id (1) finds a story, and the generated ones find the 404s and the 410."""
    items = [json.loads(ninjs_item(f"urn:c{i}", at=later(now, minutes=i), headline=f"Storm {i}",
                                   subjects=[{"name": "weather"}]))
             for i in range(1, 5)]
    deliver(store, json.dumps(items).encode(), now)
    deliver(store, ninjs_item("urn:c1", version=2, at=later(now, minutes=9), headline="Storm 1"), now)
    desk.kill(store, "urn:c4", reason="legal", actor="ed", now=now)
    cfg = Settings(site_name="Example News", base_url="https://news.example", **options)  # type: ignore[arg-type]
    return create_app(cfg, store=store, clock=clock)


def operations(schema):  # type: ignore[no-untyped-def]
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda op: op.label)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_matches_its_openapi_document(store, clock, now, mode):
    # Rate limits off: each example costs one search; the 429 is checked on its own below.
    schema = schemathesis.openapi.from_asgi(SPEC, seeded_app(store, clock, now, rate_search=0))
    ran = []
    for operation in operations(schema):
        strategies = [operation.as_strategy(generation_mode=mode)]
        if mode is GenerationMode.POSITIVE:  # the document's own examples, each once
            strategies += operation.get_strategies_from_examples()

        @given(case=st.one_of(strategies))
        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def conforms(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(checks=CHECKS)

        conforms()
        ran.append(operation.label)
    assert ran == ["GET /api/v1/clusters/{cluster_id}", "GET /api/v1/search", "GET /api/v1/sources", "GET /api/v1/sources/{name}",
                   "GET /api/v1/stories", "GET /api/v1/stories/by-uri",
                   "GET /api/v1/stories/{story_id}",
                   "GET /api/v1/stories/{story_id}/provenance",
                   "GET /api/v1/stories/{story_id}/versions",
                   "GET /api/v1/takedowns"]


def test_rate_limited_search_answers_as_documented(store, clock, now):
    schema = schemathesis.openapi.from_asgi(SPEC, seeded_app(store, clock, now, rate_search=1))
    operation = schema["/api/v1/search"]["GET"]
    first = operation.Case(query={"q": "storm"}).call_and_validate(checks=CHECKS)
    # Another query: a cached answer costs nothing and is not counted.
    second = operation.Case(query={"q": "oil"}).call_and_validate(checks=CHECKS)
    assert (first.status_code, second.status_code) == (200, 429)


def test_taken_down_and_conditional_answers_are_as_documented(store, clock, now):
    schema = schemathesis.openapi.from_asgi(SPEC, seeded_app(store, clock, now))
    operation = schema["/api/v1/stories/{story_id}"]["GET"]
    first = operation.Case(path_parameters={"story_id": 1}).call_and_validate(checks=CHECKS)
    again = operation.Case(path_parameters={"story_id": 1},
                           headers={"If-None-Match": first.headers["etag"][0]})
    assert again.call_and_validate(checks=CHECKS).status_code == 304
    for path in ("/api/v1/stories/{story_id}", "/api/v1/stories/{story_id}/versions",
                 "/api/v1/stories/{story_id}/provenance"):
        gone = schema[path]["GET"].Case(path_parameters={"story_id": 4})
        assert gone.call_and_validate(checks=CHECKS).status_code == 410
