"""Score triage results against hand-labelled requests (``foi-triage evaluate GOLD.jsonl``).

GOLD lines follow the evaluation format: ``{"id", "text", "received",
"questions": [str], "topics": [label], "dates": [{"start", "end"}],
"breakdowns": [dimension], "exemptions": ["s40(5)", ...], "ncnd": bool}``;
missing fields are simply not scored. The pipeline triages each text (or a
saved batch output is read with ``--predictions``) and this prints, per
label, precision, recall and F1 for topics, exemption sections and
breakdowns, plus questions, dates, the cost limit and NCND.

How each figure is counted (the shared evaluation's conventions):

- topics: the predicted label set against the gold set; micro over all
  labels, macro the mean F1 of labels with gold support.
- exemptions: base sections ("s40(5)" -> "s40"), s12 left out, on the
  requests whose response cited any other section: recall@3, precision@3
  and MRR of the ranked suggestions, and per section the top three
  suggestions against the gold sections.
- cost limit: predicted when s12 is among the top three suggestions or the
  cost risk is possible or likely; against s12 in the gold.
- NCND: on requests whose response cited any exemption, whether any
  suggestion is marked ncnd.
- questions: a predicted question matches a gold one when their word sets
  overlap with Jaccard >= 0.6 (one to one).
- dates: a period matches when both ends are within 31 days (null only
  matches null), after joining periods that touch; requests without a
  received date are not scored.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .jsonl import read_lines

_TOKEN = re.compile(r"[a-z0-9]+")


class EvaluationError(ValueError):
    """A gold or prediction file cannot be read; the message says which line."""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def prf(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f, "support": self.tp + self.fn}


@dataclass
class LabelScores:
    micro: Counts = field(default_factory=Counts)
    per_label: dict[str, Counts] = field(default_factory=dict)

    def add_sets(self, pred: Iterable[str], gold: Iterable[str]) -> None:
        pred, gold = set(pred), set(gold)
        self.micro.add(len(pred & gold), len(pred - gold), len(gold - pred))
        for lab in pred | gold:
            self.per_label.setdefault(lab, Counts()).add(int(lab in pred and lab in gold),
                                                         int(lab in pred and lab not in gold),
                                                         int(lab in gold and lab not in pred))

    def summary(self) -> dict[str, Any]:
        per = {k: v.prf() for k, v in sorted(self.per_label.items())}
        supported = [v["f1"] for v in per.values() if v["support"] > 0]
        return {**{f"micro_{k}": v for k, v in self.micro.prf().items() if k != "support"},
                "macro_f1": sum(supported) / len(supported) if supported else 0.0, "per_label": per}


def base_section(s: Any) -> str:
    m = re.match(r"\s*(?:s(?:ection)?\.?\s*)?(\d+)", str(s).lower())
    return f"s{m.group(1)}" if m else str(s).lower()


def _labels(items: Any, key: str) -> list[str]:
    out = []
    for it in items or []:
        if isinstance(it, str):
            out.append(it)
        elif isinstance(it, dict) and it.get(key) is not None:
            out.append(str(it[key]))
    return out


def jaccard(a: str, b: str) -> float:
    """Word-set overlap of two texts, as the official scorer matches questions."""
    x, y = set(_TOKEN.findall(a.lower())), set(_TOKEN.findall(b.lower()))
    return len(x & y) / len(x | y) if x | y else 1.0


def match_greedy(pred: Sequence, gold: Sequence, ok: Callable[[Any, Any], bool]) -> tuple[int, int, int]:
    """One-to-one matches (as the official scorer counts them): tp, fp, fn."""
    used, tp = set(), 0
    for p in pred:
        for j, g in enumerate(gold):
            if j not in used and ok(p, g):
                used.add(j)
                tp += 1
                break
    return tp, len(pred) - tp, len(gold) - tp


def parse_day(v: Any):
    if v in (None, "", "null"):
        return None
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return "bad"


def merge_adjacent(intervals: list[tuple]) -> list[tuple]:
    """Join intervals that touch or overlap ("2019, 2020 and 2021" == 2019-2021), as the scorer does."""
    closed = sorted((i for i in intervals if None not in i and "bad" not in i), key=lambda i: i[0])
    other = [i for i in intervals if None in i or "bad" in i]
    merged: list[tuple] = []
    for s, e in closed:
        if merged and (s - merged[-1][1]).days <= 1:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged + other


def _near(a, b, tol: int) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a == "bad" or b == "bad":
        return False
    return abs((a - b).days) <= tol


def score(gold: Sequence[dict], pred: dict[str, dict]) -> dict[str, Any]:
    """All metrics for ``gold`` rows against ``pred`` (results keyed by id; missing = empty)."""
    topics, brk, ex_sections = LabelScores(), LabelScores(), LabelScores()
    questions, dates, cost = Counts(), Counts(), Counts()
    q_exact = q_n = 0
    rec = prec = mrr = 0.0
    ex_n = ncnd_ok = ncnd_n = 0
    missing = 0
    for g in gold:
        p = pred.get(str(g.get("id")))
        if p is None:
            missing += 1
            p = {}
        if "topics" in g:
            topics.add_sets(_labels(p.get("topics"), "label"), g.get("topics") or [])
        if "breakdowns" in g:
            brk.add_sets(_labels(p.get("breakdowns"), "dimension"), g.get("breakdowns") or [])
        gq = g.get("questions") or []
        if gq:
            pq = _labels(p.get("questions"), "text")
            q_n += 1
            q_exact += len(pq) == len(gq)
            questions.add(*match_greedy(pq, gq, lambda a, b: jaccard(a, b) >= 0.6))
        if g.get("received") is not None and "dates" in g:
            gd = merge_adjacent([(parse_day(d.get("start")), parse_day(d.get("end"))) for d in g.get("dates") or []])
            pd = merge_adjacent([(parse_day(d.get("start")), parse_day(d.get("end"))) for d in p.get("dates") or []
                         if isinstance(d, dict)])
            dates.add(*match_greedy(pd, gd, lambda a, b: _near(a[0], b[0], 31) and _near(a[1], b[1], 31)))
        if "exemptions" not in g:
            continue
        ranked: list[str] = []
        for s in _labels(p.get("exemptions"), "section"):
            b = base_section(s)
            if b not in ranked:
                ranked.append(b)
        gold_all = {base_section(s) for s in g.get("exemptions") or []}
        gex = gold_all - {"s12"}
        others = [s for s in ranked if s != "s12"]
        if gex:
            ex_n += 1
            top = others[:3]
            rec += len(gex & set(top)) / len(gex)
            prec += len(gex & set(top)) / len(top) if top else 0.0
            mrr += next((1.0 / (i + 1) for i, s in enumerate(others) if s in gex), 0.0)
            ex_sections.add_sets(top, gex)
        if g.get("exemptions"):
            ncnd_n += 1
            ncnd_ok += any(isinstance(e, dict) and e.get("ncnd") for e in p.get("exemptions") or []) == bool(g.get("ncnd"))
        risk = p.get("cost_risk")
        level = (risk.get("level") or risk.get("risk")) if isinstance(risk, dict) else risk
        pc = "s12" in ranked[:3] or level in ("possible", "likely")
        gc = "s12" in gold_all
        cost.add(int(pc and gc), int(pc and not gc), int(gc and not pc))
    return {
        "requests": len(gold),
        "missing_predictions": missing,
        "topics": topics.summary(),
        "exemptions": {"requests": ex_n, "recall_at_3": rec / ex_n if ex_n else 0.0,
                       "precision_at_3": prec / ex_n if ex_n else 0.0, "mrr": mrr / ex_n if ex_n else 0.0,
                       "ncnd_accuracy": ncnd_ok / ncnd_n if ncnd_n else 0.0, "ncnd_requests": ncnd_n,
                       "sections": ex_sections.summary()},
        "cost_limit": cost.prf(),
        "questions": {**questions.prf(), "count_accuracy": q_exact / q_n if q_n else 0.0},
        "dates": dates.prf(),
        "breakdowns": brk.summary(),
    }


# ------------------------------------------------------------------ files

def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for where, obj in read_lines(path, EvaluationError):
        if not isinstance(obj, dict):
            raise EvaluationError(f"{where}: each line must be a JSON object")
        rows.append(obj)
    return rows


def predict(gold: Sequence[dict], triage=None) -> dict[str, dict]:
    """Triage every gold text with the pipeline; a text that cannot be triaged gets no prediction."""
    from .pipeline import InputError, Triage

    triage = triage or Triage()
    out = {}
    for g in gold:
        received = parse_day(g.get("received"))
        try:
            res = triage.triage(g.get("text", ""), received=received if isinstance(received, dt.date) else None,
                                id=str(g.get("id")))
        except InputError:
            continue
        out[str(g.get("id"))] = res.model_dump(mode="json")
    return out


def format_report(m: dict[str, Any]) -> str:
    lines = [f"{m['requests']} requests ({m['missing_predictions']} without a prediction)", ""]
    t = m["topics"]
    lines.append(f"topics            micro P {t['micro_precision']:.3f} R {t['micro_recall']:.3f} "
                 f"F1 {t['micro_f1']:.3f}   macro F1 {t['macro_f1']:.3f}")
    lines += _table(t["per_label"])
    e = m["exemptions"]
    lines.append("")
    lines.append(f"exemptions        recall@3 {e['recall_at_3']:.3f}  precision@3 {e['precision_at_3']:.3f}  "
                 f"MRR {e['mrr']:.3f}  (on {e['requests']} requests citing a section other than s12)")
    lines.append(f"                  NCND accuracy {e['ncnd_accuracy']:.3f} (on {e['ncnd_requests']} requests "
                 "citing any exemption)")
    lines.append("  sections in the top three suggestions:")
    lines += _table(e["sections"]["per_label"])
    c = m["cost_limit"]
    lines.append("")
    lines.append(f"cost limit (s12)  P {c['precision']:.3f} R {c['recall']:.3f} F1 {c['f1']:.3f} "
                 f"(support {c['support']})")
    q = m["questions"]
    lines.append(f"questions         P {q['precision']:.3f} R {q['recall']:.3f} F1 {q['f1']:.3f}  "
                 f"exact count {q['count_accuracy']:.3f}")
    d = m["dates"]
    lines.append(f"dates             P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f}")
    b = m["breakdowns"]
    lines.append(f"breakdowns        micro P {b['micro_precision']:.3f} R {b['micro_recall']:.3f} "
                 f"F1 {b['micro_f1']:.3f}")
    lines += _table(b["per_label"])
    return "\n".join(lines) + "\n"


def _table(per: dict[str, dict]) -> list[str]:
    out = [f"  {'label':28s} {'P':>6s} {'R':>6s} {'F1':>6s} {'n':>4s}"]
    for lab, v in per.items():
        out.append(f"  {lab:28s} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['support']:4d}")
    return out
