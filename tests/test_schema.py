"""The API against its own OpenAPI schema (schemathesis): no input makes a 5xx, and every
response (status, content type, headers, body) is one the schema documents.

API keys are on for the run, with the right key sent, so the checks also confirm that a
call without it is refused. Examples are derandomised and bounded per operation so the
run is repeatable and takes well under a minute.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from triage import api

KEY = "schema-test-key"

schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
# the JSON API only: the web form (HTML, at /) has its own tests
schema = schema.include(path_regex=r"^/(v1/|healthz$|readyz$)")


@pytest.fixture(scope="module", autouse=True)
def api_keys_on():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(api.ENV_API_KEYS, f"other-key,{KEY}")
        yield


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_the_api_honours_its_schema(case):
    # Not positive_data_acceptance: a text can fit the schema and still be refused with a
    # 422 that says why (only whitespace, binary, clarified before received); tests/test_api.py
    # and test_api_prod.py check those answers.
    case.call_and_validate(headers={"Authorization": f"Bearer {KEY}"},
                           excluded_checks=[schemathesis.checks.positive_data_acceptance])
