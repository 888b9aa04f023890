"""The HTTP API, through FastAPI's TestClient."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.api import MAX_BODY_BYTES, app
from triage.models import MAX_TEXT_CHARS, TriageResult

REQUEST = """Hello,

Could you please tell me:
a) how many speed cameras the force operated in 2023, by district;
b) the income from speeding fines since 1 January 2022.

Thanks,
Alex"""


@pytest.fixture(scope="module")
def client():
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def lenient_client():
    """A client that shows server errors as responses, to check none happen."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_triage_returns_a_result_matching_the_response_model(client):
    r = client.post("/v1/triage", json={"id": "cams-7", "text": REQUEST, "received": "2024-02-10"})
    assert r.status_code == 200
    result = TriageResult.model_validate(r.json())
    assert result.id == "cams-7"
    assert str(result.received) == "2024-02-10"
    assert len(result.questions) == 2
    q = result.questions[0]
    assert REQUEST[q.start:q.end] == q.text


def test_id_and_received_are_optional(client):
    r = client.post("/v1/triage", json={"text": "How many speed cameras are there?"})
    assert r.status_code == 200
    body = r.json()
    assert body["id"] is None
    assert any("today" in w for w in body["warnings"])


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_text_is_422_saying_it_is_empty(client, text):
    r = client.post("/v1/triage", json={"text": text})
    assert r.status_code == 422
    assert "empty" in r.json()["detail"]


def test_too_long_text_is_422_naming_the_limit(client):
    r = client.post("/v1/triage", json={"text": "a" * (MAX_TEXT_CHARS + 1)})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "100,001" in detail and "100,000" in detail


def test_binary_looking_text_is_422(client):
    r = client.post("/v1/triage", json={"text": "PK\x03\x04\x00\x00\x14\x00 some zip"})
    assert r.status_code == 422
    assert "binary" in r.json()["detail"]


def test_a_body_without_text_is_422_naming_the_field(client):
    r = client.post("/v1/triage", json={"id": "x"})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("invalid request: text:")


def test_a_badly_written_received_date_is_422(client):
    r = client.post("/v1/triage", json={"text": "How many cameras?", "received": "10/02/2024"})
    assert r.status_code == 422
    assert "received" in r.json()["detail"]


def test_a_body_that_is_not_json_is_422(client):
    r = client.post("/v1/triage", content=b"text=How many cameras?",
                    headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str)


def test_an_oversized_body_is_413_before_it_is_read(client):
    r = client.post("/v1/triage", content=b"x" * (MAX_BODY_BYTES + 1),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "limit" in r.json()["detail"]


def test_an_oversized_chunked_body_is_413_too(client):
    chunks = (b"x" * 65536 for _ in range(MAX_BODY_BYTES // 65536 + 2))
    r = client.post("/v1/triage", content=chunks, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_a_chunked_body_within_the_limit_is_triaged(client):
    body = b'{"text": "How many speed cameras are there?"}'
    r = client.post("/v1/triage", content=iter([body[:10], body[10:]]),
                    headers={"content-type": "application/json"})
    assert r.status_code == 200
    assert len(r.json()["questions"]) == 1


def test_healthz_says_ok(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_openapi_lists_the_triage_endpoint_and_docs_are_served(client):
    spec = client.get("/openapi.json").json()
    assert "post" in spec["paths"]["/v1/triage"]
    assert {"413", "422"} <= set(spec["paths"]["/v1/triage"]["post"]["responses"])
    assert client.get("/docs").status_code == 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400), received=st.one_of(st.none(), st.dates().map(str), st.text(max_size=12)))
def test_no_input_makes_a_server_error(lenient_client, text, received):
    r = lenient_client.post("/v1/triage", json={"text": text, "received": received})
    assert r.status_code in (200, 422), r.text
