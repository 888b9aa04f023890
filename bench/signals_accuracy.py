"""Accuracy of the case-officer signals on a hand-labelled set.

    python bench/signals_accuracy.py                       # tests/data/signals.jsonl
    python bench/signals_accuracy.py my_labels.jsonl --misses
    python bench/signals_accuracy.py --json

Each line of the labelled set: {"id", "text", "received", "request_type"
(foi | eir | subject_access | not_a_request | mixed), "cost_risk" (none |
possible | likely), "needs_clarification" (true | false)}.

Reported per signal: request_type accuracy; cost_risk exact-level accuracy
and, read as "is there a real risk" (possible or likely, the way the
evaluation scores s12), accuracy, precision, recall and F1; clarification
accuracy, precision and recall (a result needs clarification when its
``clarification`` list is not empty).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triage import Triage  # noqa: E402

DEFAULT = ROOT / "tests" / "data" / "signals.jsonl"


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(rows: list[dict], triage: Triage) -> tuple[dict, list[str]]:
    n = len(rows)
    type_ok = level_ok = risk_ok = clar_ok = 0
    risk_tp = risk_fp = risk_fn = clar_tp = clar_fp = clar_fn = 0
    misses = []
    for row in rows:
        received = dt.date.fromisoformat(row["received"]) if row.get("received") else None
        res = triage.triage(row["text"], received=received, id=row["id"])
        got_type = res.request_type.type
        got_level = res.cost_risk.level
        got_clar = bool(res.clarification)
        want_risk = row["cost_risk"] != "none"
        got_risk = got_level != "none"
        type_ok += got_type == row["request_type"]
        level_ok += got_level == row["cost_risk"]
        risk_ok += got_risk == want_risk
        clar_ok += got_clar == row["needs_clarification"]
        risk_tp += got_risk and want_risk
        risk_fp += got_risk and not want_risk
        risk_fn += want_risk and not got_risk
        clar_tp += got_clar and row["needs_clarification"]
        clar_fp += got_clar and not row["needs_clarification"]
        clar_fn += row["needs_clarification"] and not got_clar
        if got_type != row["request_type"]:
            misses.append(f"{row['id']} request_type: want {row['request_type']}, got {got_type} ({res.request_type.reason})")
        if got_level != row["cost_risk"]:
            why = "; ".join(f"{r.rule} ({r.level})" for r in res.cost_risk.reasons) or "no rule fired"
            misses.append(f"{row['id']} cost_risk: want {row['cost_risk']}, got {got_level} [{why}]")
        if got_clar != row["needs_clarification"]:
            asks = "; ".join(c.rule for c in res.clarification) or "none"
            misses.append(f"{row['id']} clarification: want {row['needs_clarification']}, got {asks}")
    rp, rr, rf = _prf(risk_tp, risk_fp, risk_fn)
    cp, cr, cf = _prf(clar_tp, clar_fp, clar_fn)
    metrics = {
        "requests": n,
        "request_type.accuracy": type_ok / n,
        "cost_risk.level_accuracy": level_ok / n,
        "cost_risk.risk_accuracy": risk_ok / n,
        "cost_risk.risk_precision": rp, "cost_risk.risk_recall": rr, "cost_risk.risk_f1": rf,
        "clarification.accuracy": clar_ok / n,
        "clarification.precision": cp, "clarification.recall": cr, "clarification.f1": cf,
    }
    return metrics, misses


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("labels", nargs="?", type=Path, default=DEFAULT, help="labelled JSONL (default: %(default)s)")
    ap.add_argument("--regime", default="foia", help="regime to triage under (default: foia)")
    ap.add_argument("--misses", action="store_true", help="list every disagreement")
    ap.add_argument("--json", action="store_true", help="print the metrics as JSON")
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    metrics, misses = evaluate(rows, Triage(regime=args.regime))
    if args.json:
        print(json.dumps(metrics, indent=2))
    else:
        for k, v in metrics.items():
            print(f"{k:32s} {v:.3f}" if isinstance(v, float) else f"{k:32s} {v}")
    if args.misses:
        print("\n".join(misses) if misses else "no misses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
