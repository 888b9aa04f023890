"""The hand-labelled signal set (tests/data/signals.jsonl): well formed, and scored above a floor.

The figures themselves are reported by ``bench/signals_accuracy.py``; the
floors here only catch a rule change that breaks a whole signal.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage import Triage

DATA = Path(__file__).parent / "data"
TYPES = {"foi", "eir", "subject_access", "not_a_request", "mixed"}


def load(name: str) -> list[dict]:
    return [json.loads(x) for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()]


@pytest.mark.parametrize("name", ["signals.jsonl", "signals_holdout.jsonl"])
def test_the_labelled_sets_are_well_formed(name):
    rows = load(name)
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["request_type"] in TYPES
        assert r["cost_risk"] in ("none", "possible", "likely")
        assert isinstance(r["needs_clarification"], bool) and r["text"].strip()


def test_the_main_set_has_at_least_forty_requests_covering_every_type():
    rows = load("signals.jsonl")
    assert len(rows) >= 40
    assert {r["request_type"] for r in rows} == TYPES


def test_each_signal_stays_above_its_floor_on_the_labelled_set():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from signals_accuracy import evaluate

    metrics, _ = evaluate(load("signals.jsonl"), Triage())
    assert metrics["request_type.accuracy"] >= 0.85
    assert metrics["cost_risk.risk_f1"] >= 0.7
    assert metrics["clarification.accuracy"] >= 0.8
