"""The API in production: batch calls, labels, readiness, API keys, request ids and logs
that never hold a request's words."""
from __future__ import annotations

import hmac
import json
import logging
import time
import uuid

import pytest
from fastapi.testclient import TestClient

from triage import api, cli, deadline, disclosures
from triage.pipeline import validate_text
from triage.models import (
    BREAKDOWN_DIMENSIONS, EXEMPTION_SECTIONS, MAX_BATCH_ITEMS, MAX_TEXT_CHARS, PERIOD_KINDS, TOPIC_LABELS,
    Labels, TriageBatchResult, TriageResult,
)

SPEED = "Please tell me how many speed cameras operated on the A38 in 2022, broken down by month."
TASER = ("Dear FOI officer,\n1. How many times was Taser drawn in each year since 2019?\n"
         "2. Please break the figures down by the ethnicity of the person.\nRegards, Kim")
# a phrase no log line may contain unless text logging is switched on
SECRET = "Bartholomew Quigley-Fenwick of 14 Larkspur Close"


@pytest.fixture(scope="module")
def client():
    with TestClient(api.app) as c:  # runs the lifespan: the background model load starts
        yield c


@pytest.fixture(scope="module")
def lenient_client():
    with TestClient(api.app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def no_keys(monkeypatch):
    monkeypatch.delenv(api.ENV_API_KEYS, raising=False)


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv(api.ENV_API_KEYS, " alpha-key-1 , beta-key-2 ,")
    return ("alpha-key-1", "beta-key-2")


class Boom:
    """A stand-in pipeline that checks the text as the real one does, then fails quoting it."""

    version = "boom"

    def triage(self, text, **kwargs):
        validate_text(text)
        raise RuntimeError(f"could not read {text!r}")


def log_records(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name.startswith("triage.api")]


def wait_until_ready(client, seconds: float = 90.0):
    deadline_at = time.monotonic() + seconds
    while time.monotonic() < deadline_at:
        r = client.get("/readyz")
        if r.status_code == 200:
            return r
        time.sleep(0.1)
    raise AssertionError(f"not ready after {seconds} s: {r.json()}")


# ------------------------------------------------------------------ batch

def test_batch_returns_one_entry_per_request_in_order(client, no_keys):
    reqs = [{"id": "a", "text": SPEED, "received": "2023-01-09"},
            {"id": "b", "text": TASER, "received": "2023-02-01", "regime": "foisa"},
            {"id": "c", "text": "How many police dogs does the force have?"}]
    r = client.post("/v1/triage/batch", json={"requests": reqs})
    assert r.status_code == 200
    body = TriageBatchResult.model_validate(r.json())
    assert [it.index for it in body.results] == [0, 1, 2]
    assert [it.id for it in body.results] == ["a", "b", "c"]
    assert [it.result.id for it in body.results] == ["a", "b", "c"]
    assert body.ok == 3 and body.errors == 0
    assert len(body.results[1].result.questions) == 2
    assert body.results[1].result.regime == "foisa"


def test_a_bad_item_gets_its_own_error_and_the_others_are_triaged(client, no_keys):
    reqs = [{"id": "ok-1", "text": SPEED}, {"id": "empty", "text": "  \n "},
            {"id": "long", "text": "x" * (MAX_TEXT_CHARS + 1)}, {"id": "mars", "text": SPEED, "regime": "mars"},
            {"id": "ok-2", "text": TASER}]
    r = client.post("/v1/triage/batch", json={"requests": reqs})
    assert r.status_code == 200
    res = r.json()["results"]
    assert [x["ok"] for x in res] == [True, False, False, False, True]
    assert "empty" in res[1]["error"] and res[1]["result"] is None
    assert "100,000" in res[2]["error"]
    assert "unknown regime" in res[3]["error"]
    assert r.json()["ok"] == 2 and r.json()["errors"] == 3


def test_a_clarification_before_today_without_a_received_date_is_an_item_error_not_a_crash(client, no_keys):
    r = client.post("/v1/triage/batch", json={"requests": [{"text": SPEED, "clarified": "3000-01-01"},
                                                           {"text": SPEED, "received": "9999-12-30"}]})
    assert r.status_code == 200
    # clarified after today is fine; a deadline past the end of the calendar is explained
    assert r.json()["results"][0]["ok"] is True
    assert "out of range" in r.json()["results"][1]["error"]


def test_more_than_the_batch_limit_is_422_saying_the_limit(client, no_keys):
    r = client.post("/v1/triage/batch", json={"requests": [{"text": SPEED}] * (MAX_BATCH_ITEMS + 1)})
    assert r.status_code == 422
    assert f"at most {MAX_BATCH_ITEMS} requests per call" in r.json()["detail"]
    assert str(MAX_BATCH_ITEMS + 1) in r.json()["detail"]


def test_exactly_the_batch_limit_is_accepted(client, no_keys):
    r = client.post("/v1/triage/batch", json={"requests": [{"text": "How many speed cameras?"}] * MAX_BATCH_ITEMS})
    assert r.status_code == 200
    assert r.json()["ok"] == MAX_BATCH_ITEMS


def test_an_empty_batch_is_an_empty_answer(client, no_keys):
    r = client.post("/v1/triage/batch", json={"requests": []})
    assert r.status_code == 200
    assert r.json() == {"results": [], "ok": 0, "errors": 0}


def test_an_item_that_does_not_fit_the_schema_fails_the_call_naming_the_item(client, no_keys):
    r = client.post("/v1/triage/batch", json={"requests": [{"text": SPEED}, {"text": SPEED, "received": "next week"}]})
    assert r.status_code == 422
    assert "requests.1.received" in r.json()["detail"]


@pytest.mark.parametrize("body", [{"text": SPEED}, {"requests": "not a list"}, [1, 2]])
def test_a_batch_body_of_the_wrong_shape_is_422(client, no_keys, body):
    r = client.post("/v1/triage/batch", json=body)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("invalid request")


def test_an_oversized_batch_body_is_413_chunked_or_not(client, no_keys):
    big = b"x" * (api.MAX_BODY_BYTES + 1)
    r = client.post("/v1/triage/batch", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "2,097,152" in r.json()["detail"]
    chunks = (b"y" * 65536 for _ in range(api.MAX_BODY_BYTES // 65536 + 2))
    r = client.post("/v1/triage/batch", content=chunks, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_numbers_are_not_read_as_dates_or_flags(client, no_keys):
    r = client.post("/v1/triage", json={"text": SPEED, "received": 1700000000})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.json()["detail"]
    r = client.post("/v1/triage", json={"text": SPEED, "similar_per_question": 1})
    assert r.status_code == 422 and "similar_per_question" in r.json()["detail"]


def test_a_body_that_is_not_utf8_is_refused_with_a_4xx(client, no_keys):
    r = client.post("/v1/triage", content=b'{"text": "\xff\xfe caf\xe9"}', headers={"content-type": "application/json"})
    assert r.status_code in (400, 422)
    assert isinstance(r.json()["detail"], str)


# ------------------------------------------------------------------ labels

def test_labels_come_from_the_models_and_data(client, no_keys):
    r = client.get("/v1/labels")
    assert r.status_code == 200
    labels = Labels.model_validate(r.json())
    assert labels.topics == list(TOPIC_LABELS)
    assert labels.breakdown_dimensions == list(BREAKDOWN_DIMENSIONS)
    assert labels.exemption_sections == list(EXEMPTION_SECTIONS)
    assert labels.period_kinds == list(PERIOD_KINDS)
    assert labels.request_types == ["foi", "eir", "subject_access", "not_a_request", "mixed"]
    assert labels.cost_risk_levels == ["none", "possible", "likely"]
    assert set(labels.cost_activities) == {"determining", "locating", "retrieving", "extracting"}
    assert "no_period" in labels.clarification_kinds
    assert labels.repeat_flags == ["s14(2)", "s21"]
    assert [g.key for g in labels.regimes] == list(deadline.regime_names())
    assert "s40(5)" in labels.ncnd_forms and set(labels.ncnd_forms) == set(disclosures.NCND_FORMS)
    assert labels.disclosure_rankers[0] == "default"
    # the trained models' own label lists, from the manifest
    assert set(labels.trained_labels["topics"]) == set(TOPIC_LABELS)
    assert "ncnd" in labels.trained_labels["exemptions"]


def test_every_period_kind_the_pipeline_writes_is_listed(client, no_keys):
    texts = ["How many burglaries were there on 3 March 2021?",
             "Figures for May 2020 and for Q2 2021, please.",
             "Knife crime in 2019, and in the financial year 2020/21, and the academic year 2021/22.",
             "Arrests between 2015 and 2018, and since 1 April 2020.",
             "Complaints before 2010, after 2016, and in the last three years.",
             "How many officers were employed as at 31 March 2023?"]
    seen = set()
    for text in texts:
        r = client.post("/v1/triage", json={"text": text, "received": "2024-06-03"})
        seen |= {d["kind"] for d in r.json()["dates"]}
    assert seen and seen <= set(PERIOD_KINDS), seen - set(PERIOD_KINDS)


# ------------------------------------------------------------------ health and readiness

def test_the_lifespan_loads_the_models_and_readyz_then_says_so(client):
    r = wait_until_ready(client)
    body = r.json()
    assert body["status"] == "ready"
    assert body["model_version"].startswith("foi-triage ")
    manifest = body["manifest"]
    assert len(manifest["sha256"]) == 64
    assert manifest["models"]["topics"]["labels"] == len(TOPIC_LABELS)
    assert "path" not in manifest["training_data"]  # no file system paths on an open endpoint


def test_readyz_is_503_while_loading_and_does_not_load(client, monkeypatch):
    monkeypatch.setattr(api, "_triage", None)
    monkeypatch.setitem(api._load, "state", "loading")
    monkeypatch.setattr(api, "Triage", lambda *a, **k: pytest.fail("readyz built the pipeline"))
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "loading"
    assert r.headers["retry-after"] == "1"


def test_readyz_is_503_with_the_reason_when_loading_failed(client, monkeypatch):
    monkeypatch.setattr(api, "_triage", None)
    monkeypatch.setitem(api._load, "state", "failed")
    monkeypatch.setitem(api._load, "error", "ModelIntegrityError: topics.npz is not the file training wrote")
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "failed" and "topics.npz" in r.json()["detail"]


def test_healthz_answers_without_building_anything(client, monkeypatch):
    monkeypatch.setattr(api, "_triage", None)
    monkeypatch.setattr(api, "Triage", lambda *a, **k: pytest.fail("healthz built the pipeline"))
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_a_failed_background_load_is_reported(monkeypatch, caplog):
    def broken(*a, **k):
        raise api._artifacts.ModelIntegrityError("exemptions.npz is missing")

    monkeypatch.setattr(api, "_triage", None)
    monkeypatch.setattr(api, "_load", {"state": "loading", "error": None, "seconds": None})
    monkeypatch.setattr(api, "Triage", broken)
    with caplog.at_level(logging.ERROR, logger="triage.api"):
        api._load_models()
    assert api._load["state"] == "failed" and "exemptions.npz" in api._load["error"]
    assert any(r["event"] == "load_failed" for r in log_records(caplog))


# ------------------------------------------------------------------ API keys

def test_without_keys_configured_no_authorization_is_needed(client, no_keys):
    assert client.post("/v1/triage", json={"text": SPEED}).status_code == 200


def test_with_keys_a_call_without_authorization_is_401_with_a_bearer_challenge(client, keys):
    r = client.post("/v1/triage", json={"text": SPEED})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in r.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer wrong-key", "Bearer alpha-key", "Basic YWxwaGE6a2V5", "Bearer ",
                                    "alpha-key-1", "Bearer alpha-key-1,beta-key-2"])
def test_with_keys_a_wrong_key_or_scheme_is_401(client, keys, header):
    r = client.post("/v1/triage", json={"text": SPEED}, headers={"Authorization": header})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer alpha-key-1", "Bearer beta-key-2", "bearer beta-key-2"])
def test_with_keys_any_configured_key_is_accepted(client, keys, header):
    r = client.post("/v1/triage", json={"text": SPEED}, headers={"Authorization": header})
    assert r.status_code == 200


def test_keys_are_read_at_request_time(client, monkeypatch):
    monkeypatch.setenv(api.ENV_API_KEYS, "first")
    assert client.get("/v1/labels", headers={"Authorization": "Bearer first"}).status_code == 200
    monkeypatch.setenv(api.ENV_API_KEYS, "second")
    assert client.get("/v1/labels", headers={"Authorization": "Bearer first"}).status_code == 401
    monkeypatch.delenv(api.ENV_API_KEYS)
    assert client.get("/v1/labels").status_code == 200


def test_every_v1_route_needs_the_key(client, keys):
    paths = client.get("/openapi.json").json()["paths"]
    routes = [(m.upper(), p) for p, ops in paths.items() if p.startswith("/v1") for m in ops]
    assert ("POST", "/v1/triage/batch") in routes and ("GET", "/v1/labels") in routes
    for method, path in routes:
        r = client.request(method, path)
        assert r.status_code == 401, (method, path)


def test_health_docs_and_schema_stay_open_with_keys(client, keys):
    for path in ("/healthz", "/readyz", "/docs", "/openapi.json"):
        assert client.get(path).status_code in (200, 503), path  # readyz: 503 only while loading
    assert client.get("/readyz").status_code != 401
    assert client.get("/").status_code == 200  # the web form


def test_the_key_is_checked_before_the_body_is_read(client, keys):
    r = client.post("/v1/triage", content=b"x" * (api.MAX_BODY_BYTES + 1), headers={"content-type": "application/json"})
    assert r.status_code == 401


def test_the_key_is_compared_in_constant_time_against_every_key(monkeypatch):
    calls, real = [], hmac.compare_digest

    def counting(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api.hmac, "compare_digest", counting)
    assert api.key_is_valid("k1", ("k1", "k2", "k3"))
    assert len(calls) == 3  # no early exit on the first match
    assert not api.key_is_valid("k4", ("k1", "k2"))
    assert not api.key_is_valid("kéy", ("k1",))  # non-ASCII does not raise


def test_openapi_declares_the_bearer_scheme_on_v1_operations_only(client, no_keys):
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert any(s == {**s, "type": "http", "scheme": "bearer"} for s in schemes.values())
    assert spec["paths"]["/v1/triage/batch"]["post"]["security"]
    assert spec["paths"]["/v1/labels"]["get"]["security"]
    assert "security" not in spec["paths"]["/healthz"]["get"]
    assert "401" in spec["paths"]["/v1/triage"]["post"]["responses"]
    assert api.ENV_API_KEYS in spec["info"]["description"] and "X-Request-ID" in spec["info"]["description"]


# ------------------------------------------------------------------ request ids

def test_a_request_id_is_made_when_none_is_sent(client, no_keys):
    r = client.post("/v1/triage", json={"text": SPEED})
    assert uuid.UUID(r.headers["x-request-id"]).version == 4


def test_a_sane_incoming_request_id_is_echoed(client, no_keys):
    r = client.get("/healthz", headers={"X-Request-ID": "gw-2024.06:abc_123"})
    assert r.headers["x-request-id"] == "gw-2024.06:abc_123"


@pytest.mark.parametrize("sent", ["a" * 129, "has space", "new\u00e9line", "<script>", ""])
def test_an_odd_incoming_request_id_is_replaced(client, no_keys, sent):
    r = client.get("/healthz", headers={"X-Request-ID": sent.encode("utf-8")})
    assert r.headers["x-request-id"] != sent
    assert uuid.UUID(r.headers["x-request-id"])


def test_error_responses_carry_a_request_id_too(client, keys):
    auth = {"Authorization": "Bearer alpha-key-1"}
    responses = [
        client.post("/v1/triage", json={"text": SPEED}),  # 401
        client.post("/v1/triage", json={"text": ""}, headers=auth),  # 422
        client.post("/v1/triage", content=b"z" * (api.MAX_BODY_BYTES + 1), headers=auth),  # 413
        client.post("/v1/triage", content=(b"z" * 65536 for _ in range(40)), headers=auth),  # 413 chunked
        client.get("/v1/nothing-here", headers=auth),  # 404
        client.post("/v1/triage", content=b"{", headers={**auth, "content-type": "application/json"}),  # 422
    ]
    assert [r.status_code for r in responses] == [401, 422, 413, 413, 404, 422]
    for r in responses:
        assert len(r.headers["x-request-id"]) == 32


def test_an_internal_error_is_500_with_the_request_id_and_no_text_in_the_log(lenient_client, no_keys,
                                                                             monkeypatch, caplog):
    monkeypatch.setattr(api, "_triage", Boom())
    with caplog.at_level(logging.INFO, logger="triage.api"):
        r = lenient_client.post("/v1/triage", json={"text": SECRET}, headers={"X-Request-ID": "trace-500"})
    assert r.status_code == 500
    assert r.headers["x-request-id"] == "trace-500"
    assert "trace-500" in r.json()["detail"] and SECRET not in r.text
    assert SECRET not in caplog.text
    errors = [x for x in log_records(caplog) if x["event"] == "unhandled_error"]
    assert errors and errors[0]["error_type"] == "RuntimeError" and errors[0]["request_id"] == "trace-500"
    assert "error" not in errors[0]  # the message quotes the text: left out
    access = [x for x in log_records(caplog) if x["event"] == "request"]
    assert access[-1]["status"] == 500


def test_an_internal_error_on_one_batch_item_is_that_items_error(client, no_keys, monkeypatch, caplog):
    monkeypatch.setattr(api, "_triage", Boom())
    with caplog.at_level(logging.INFO, logger="triage.api"):
        r = client.post("/v1/triage/batch", json={"requests": [{"text": SECRET}, {"text": "  "}]})
    assert r.status_code == 200
    first, second = r.json()["results"]
    assert not first["ok"] and "internal error" in first["error"] and r.headers["x-request-id"] in first["error"]
    assert "empty" in second["error"]
    assert SECRET not in caplog.text


# ------------------------------------------------------------------ logs

def test_one_json_log_line_per_request_without_the_text(client, no_keys, caplog):
    with caplog.at_level(logging.INFO, logger="triage.api"):
        r1 = client.post("/v1/triage", json={"text": f"How many complaints were made about {SECRET}?"})
        r2 = client.post("/v1/triage/batch", json={"requests": [{"text": SECRET}, {"text": f"{SECRET} again"}]})
        r3 = client.get("/v1/disclosures/search", params={"q": SECRET})
        r4 = client.post("/v1/triage", json={"text": SECRET, "received": "not a date"})
    assert [r.status_code for r in (r1, r2, r3, r4)] == [200, 200, 200, 422]
    assert SECRET not in caplog.text
    lines = [x for x in log_records(caplog) if x["event"] == "request"]
    assert [x["request_id"] for x in lines] == [r.headers["x-request-id"] for r in (r1, r2, r3, r4)]
    one = lines[0]
    assert {"ts", "method", "path", "status", "duration_ms", "request_id"} <= set(one)
    assert one["method"] == "POST" and one["path"] == "/v1/triage" and one["status"] == 200
    assert one["text_chars"] == len(f"How many complaints were made about {SECRET}?")
    assert len(one["text_sha256"]) == 12
    assert lines[1]["items"] == 2
    assert lines[2]["path"] == "/v1/disclosures/search"  # the path only: the query string holds the words
    assert lines[2]["query_text_chars"] == len(SECRET)


def test_texts_are_logged_only_when_switched_on(client, no_keys, monkeypatch, caplog):
    monkeypatch.setenv(api.ENV_LOG_TEXT, "1")
    with caplog.at_level(logging.INFO, logger="triage.api"):
        client.post("/v1/triage", json={"text": SECRET})
    assert SECRET in caplog.text
    monkeypatch.setenv(api.ENV_LOG_TEXT, "true")  # only "1" switches it on
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="triage.api"):
        client.post("/v1/triage", json={"text": SECRET})
    assert SECRET not in caplog.text


def test_the_served_log_config_writes_triage_lines_and_uvicorn_access_log_is_off(monkeypatch):
    seen = {}
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    assert cli.main(["serve", "--workers", "3", "--port", "8123"]) == 0
    assert seen["app"] == "triage.api:app" and seen["workers"] == 3 and seen["port"] == 8123
    assert seen["access_log"] is False
    assert seen["log_config"]["loggers"]["triage"]["level"] == "INFO"


def test_serve_refuses_zero_workers(capsys):
    assert cli.main(["serve", "--workers", "0"]) == cli.EXIT_INPUT
    assert "--workers" in capsys.readouterr().err


def test_api_triage_calls_run_in_turn_on_one_thread(client, no_keys, monkeypatch):
    threads = []

    class Recorder:
        version = "recorder"

        def triage(self, text, **kwargs):
            import threading

            threads.append(threading.current_thread().name)
            return TriageResult(id=kwargs.get("id"))

    monkeypatch.setattr(api, "_triage", Recorder())
    client.post("/v1/triage", json={"text": SPEED})
    client.post("/v1/triage/batch", json={"requests": [{"text": SPEED}, {"text": TASER}]})
    assert len(threads) == 3 and len(set(threads)) == 1 and threads[0].startswith("foi-triage-run")
