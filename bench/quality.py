#!/usr/bin/env python3
"""Quality of the pipeline against simple baselines on labelled requests (a command, not a test).

    python bench/quality.py                          # tests/data/requests.jsonl, and ../shared/eval/dev.jsonl if present
    python bench/quality.py --dev PATH/dev.jsonl [--log PATH/disclosures.jsonl]
    python bench/quality.py --no-dev --json

Needs the baseline packages: ``pip install -e '.[bench]'`` (dateparser,
datefinder, rank_bm25; the triage package itself never imports them).

Each labelled file is triaged by ``Triage`` and by the baselines, and both
are scored with the project's own scorer (``triage.evaluate.score``, which
counts as the shared evaluation does):

- **Periods** vs ``dateparser.search.search_dates`` and
  ``datefinder.find_dates``. These find single dates, not periods: "between
  2018 and 2022" gives two dates, "the last five years" usually none. Both
  are told the request's received date (relative dates) and UK day-first
  order. Each date found is normalised two ways:
  - *day span*: the date alone, start = end = that day (dateparser fills a
    missing day or month from the received date, datefinder from the 1st);
  - *period-aware*: from the matched text, a bare year ("2019") becomes that
    calendar year and a month without a day ("March 2020") that month, else
    the day: the most a user could get from them without writing rules.
  Then, as for ours, touching periods are joined and a period matches a gold
  one when both ends are within 31 days (``triage.evaluate``).
- **Topics** vs a keyword list per label (``bench/topic_keywords.yaml``,
  written from the contract's label descriptions): micro and macro F1 over
  the predicted label sets.
- **Similar disclosures** vs plain ``rank_bm25`` (``BM25Okapi`` over the
  title and request of each log entry, lower-cased ``[a-z0-9]+`` words, no
  stemming or stopwords; the query is the whole request):
  - on the shipped sample log, the team's own judgments of
    ``bench/similar_eval.py`` (paraphrases and named earlier references):
    hit@5 and MRR@10, ours being the default ranker;
  - with the shared dev set and its log (``disclosures.jsonl`` beside it, or
    ``--log``): the log imported into a temporary store, each request
    triaged by the real pipeline with its own log entry left out, ndcg@5 and
    useful@5 from the shared ``score.py`` beside the dev file.

Prints a Markdown table (metric, data, ours, baseline) ready to paste.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from triage.evaluate import parse_day, read_jsonl, score  # noqa: E402

OWN = ROOT / "tests" / "data" / "requests.jsonl"
DEV = (ROOT / ".." / "shared" / "eval" / "dev.jsonl").resolve()
KEYWORDS = HERE / "topic_keywords.yaml"


# ------------------------------------------------------------------ topics: keyword baseline

def keyword_matchers(path: Path = KEYWORDS) -> dict[str, list[re.Pattern]]:
    import yaml

    out: dict[str, list[re.Pattern]] = {}
    for label, words in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
        pats = []
        for w in words or []:
            w = str(w)
            stem = w[:-1] if w.endswith("*") else w
            body = re.escape(stem).replace(r"\ ", r"[\s-]+") + (r"\w*" if w.endswith("*") else "")
            flags = 0 if stem.isupper() else re.IGNORECASE  # acronyms match only in capitals
            pats.append(re.compile(rf"(?<!\w){body}(?!\w)", flags))
        out[label] = pats
    return out


def keyword_topics(text: str, matchers: dict[str, list[re.Pattern]]) -> list[str]:
    found = [label for label, pats in matchers.items() if any(p.search(text) for p in pats)]
    return found or ["other"]


# ------------------------------------------------------------------ periods: date-finder baselines

_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
_DAY = re.compile(r"(?<![\d/])([0-3]?\d)(st|nd|rd|th)?(?![\d])(?!\s*(?:years?|months?|weeks?|days?))", re.I)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def _month_end(d: dt.date) -> dt.date:
    nxt = d.replace(day=28) + dt.timedelta(days=4)
    return nxt - dt.timedelta(days=nxt.day)


def as_period(found: dt.date, text: str, period_aware: bool) -> dict:
    """One date a baseline found -> a {"start", "end"} span (see the module docstring)."""
    if period_aware and not _NUMERIC_DATE.search(text):
        no_years = _YEAR.sub(" ", text)
        has_month = bool(_MONTH.search(no_years))
        has_day = bool(_DAY.search(_MONTH.sub(" ", no_years)))
        if not has_month and not has_day and _YEAR.search(text):
            return {"start": f"{found.year}-01-01", "end": f"{found.year}-12-31"}
        if has_month and not has_day:
            start = found.replace(day=1)
            return {"start": start.isoformat(), "end": _month_end(start).isoformat()}
    return {"start": found.isoformat(), "end": found.isoformat()}


def dateparser_dates(text: str, received: dt.date, period_aware: bool) -> list[dict]:
    from dateparser.search import search_dates

    base = dt.datetime.combine(received, dt.time())
    try:
        hits = search_dates(text, languages=["en"], settings={
            "DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "RELATIVE_BASE": base}) or []
    except Exception:  # a baseline that fails on a text finds nothing there
        return []
    return [as_period(d.date(), s, period_aware) for s, d in hits]


def datefinder_dates(text: str, received: dt.date, period_aware: bool) -> list[dict]:
    import datefinder

    base = dt.datetime.combine(received, dt.time())
    out = []
    try:
        for d, s in datefinder.find_dates(text, source=True, base_date=base, first="day"):
            out.append(as_period(d.date(), s, period_aware))
    except Exception:  # datefinder raises on some odd strings; keep what it found before
        pass
    return out


# ------------------------------------------------------------------ similar: plain BM25 baseline

_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())


class _Hit:
    __slots__ = ("reference", "score")

    def __init__(self, reference: str, score: float):
        self.reference, self.score = reference, score


class Bm25Baseline:
    """BM25Okapi over title + request; ``search`` has the shape of ``DisclosureStore.search`` that the evals use."""

    def __init__(self, rows: list[tuple[str, str, str]]):
        from rank_bm25 import BM25Okapi

        self.refs = [r for r, _, _ in rows]
        self.bm25 = BM25Okapi([words(f"{title or ''} {request or ''}") or ["_"] for _, title, request in rows])

    @classmethod
    def from_store(cls, store) -> "Bm25Baseline":
        return cls(list(store.conn.execute("SELECT reference, title, request FROM disclosures")))

    def search(self, text: str, k: int = 5, exclude=(), **_ignored) -> list[_Hit]:
        scores = self.bm25.get_scores(words(text))
        skip = set(exclude or ())
        order = sorted(range(len(self.refs)), key=lambda i: -scores[i])
        return [_Hit(self.refs[i], float(scores[i])) for i in order if self.refs[i] not in skip][:k]


# ------------------------------------------------------------------ running and scoring

def received_of(g: dict) -> dt.date | None:
    d = parse_day(g.get("received"))
    return d if isinstance(d, dt.date) else None


def triage_all(gold: list[dict], tr, before: Callable[[dict], None] | None = None) -> dict[str, dict]:
    from triage.pipeline import InputError

    out = {}
    for g in gold:
        if before:
            before(g)
        try:
            res = tr.triage(g.get("text", ""), received=received_of(g), id=str(g.get("id")))
        except InputError:
            continue
        out[str(g.get("id"))] = res.model_dump(mode="json")
    return out


def baseline_preds(gold: list[dict]) -> dict[str, dict[str, dict]]:
    """Predictions of every baseline, keyed by baseline name then id."""
    matchers = keyword_matchers()
    preds: dict[str, dict[str, dict]] = {"keywords": {}, "dateparser, day span": {},
                                         "dateparser, period-aware": {}, "datefinder, day span": {},
                                         "datefinder, period-aware": {}}
    for g in gold:
        gid, text = str(g.get("id")), g.get("text", "")
        preds["keywords"][gid] = {"topics": keyword_topics(text, matchers)}
        rec = received_of(g) or dt.date.today()
        for name, fn in (("dateparser", dateparser_dates), ("datefinder", datefinder_dates)):
            preds[f"{name}, day span"][gid] = {"dates": fn(text, rec, False)}
            preds[f"{name}, period-aware"][gid] = {"dates": fn(text, rec, True)}
    return preds


def quality_rows(name: str, gold: list[dict], ours: dict[str, dict]) -> list[tuple[str, str, str, str, str]]:
    """(metric, data, ours, baseline name, baseline figure) rows for topics and periods."""
    rows = []
    mo = score(gold, ours)
    base = baseline_preds(gold)
    n_dates = sum(1 for g in gold if g.get("received") is not None and "dates" in g)
    n_topics = sum(1 for g in gold if "topics" in g)
    mk = score(gold, base["keywords"])
    rows.append(("topics micro F1", f"{name} ({n_topics})", f"{mo['topics']['micro_f1']:.3f}", "keyword list",
                 f"{mk['topics']['micro_f1']:.3f}"))
    rows.append(("topics macro F1", f"{name} ({n_topics})", f"{mo['topics']['macro_f1']:.3f}", "keyword list",
                 f"{mk['topics']['macro_f1']:.3f}"))
    d = mo["dates"]
    ours_dates = f"{d['f1']:.3f} ({d['precision']:.2f} / {d['recall']:.2f})"
    for bname in ("dateparser, day span", "dateparser, period-aware", "datefinder, day span",
                  "datefinder, period-aware"):
        bd = score(gold, base[bname])["dates"]
        rows.append(("periods F1 (P / R)", f"{name} ({n_dates})", ours_dates, bname,
                     f"{bd['f1']:.3f} ({bd['precision']:.2f} / {bd['recall']:.2f})"))
    return rows


def own_similar_rows() -> list[tuple]:
    """hit@5 and MRR@10 on the team's judgments over the shipped sample log: default ranker vs BM25Okapi."""
    from similar_eval import hit_mrr, own_judgments
    from triage.disclosures import DEFAULT_RANKER, DisclosureStore

    store = DisclosureStore(":memory:")
    store.ensure_sample()
    judgments = own_judgments(store)
    ours = hit_mrr(store, judgments, DEFAULT_RANKER)
    base = hit_mrr(Bm25Baseline.from_store(store), judgments, "bm25okapi")
    data = f"own judgments, sample log ({ours['all']['n']})"
    return [("similar hit@5", data, f"{ours['all']['hit_at_5']:.3f}", "rank_bm25 BM25Okapi",
             f"{base['all']['hit_at_5']:.3f}"),
            ("similar MRR@10", data, f"{ours['all']['mrr_at_10']:.3f}", "rank_bm25 BM25Okapi",
             f"{base['all']['mrr_at_10']:.3f}")]


def dev_rows(dev: Path, log: Path | None, scorer: Path) -> list[tuple]:
    """Topics and periods on the dev set; with its log, similar too (the pipeline vs BM25Okapi, own entry left out)."""
    from triage.pipeline import Triage

    gold = read_jsonl(dev)
    name = "dev"
    if not (log and log.is_file()):
        print(f"note: no disclosure log beside {dev} (--log): similar not scored on it", file=sys.stderr)
        return quality_rows(name, gold, triage_all(gold, Triage(store=None)))

    from similar_eval import _LeaveOut, run_scorer
    from triage.disclosures import DisclosureStore
    from triage.log_import import import_files

    with tempfile.TemporaryDirectory() as tmp:
        store = DisclosureStore(Path(tmp) / "eval.db")
        import_files(store, [log])
        leave_out = _LeaveOut(store)
        ours = triage_all(gold, Triage(store=leave_out),
                          before=lambda g: setattr(leave_out, "exclude", [g.get("self_reference")]))
        rows = quality_rows(name, gold, ours)
        if not scorer.is_file():
            print(f"note: no score.py beside {dev} (--scorer): similar not scored", file=sys.stderr)
            return rows
        bm25 = Bm25Baseline.from_store(store)
        ours_pred, base_pred = Path(tmp) / "ours.jsonl", Path(tmp) / "bm25.jsonl"
        with open(ours_pred, "w", encoding="utf-8") as fo, open(base_pred, "w", encoding="utf-8") as fb:
            for g in gold:
                gid = str(g.get("id"))
                fo.write(json.dumps({"id": gid, "similar": (ours.get(gid) or {}).get("similar") or []}) + "\n")
                hits = bm25.search(g.get("text", ""), k=5, exclude=[g.get("self_reference")])
                fb.write(json.dumps({"id": gid, "similar": [{"reference": h.reference, "score": h.score}
                                                            for h in hits]}) + "\n")
        mo, mb = run_scorer(scorer, dev, ours_pred), run_scorer(scorer, dev, base_pred)
    data = f"dev + its log ({mo.get('similar.requests', '?')} with a relevant entry)"
    return rows + [
        ("similar ndcg@5", data, f"{mo['similar.ndcg_at_5']:.3f}", "rank_bm25 BM25Okapi", f"{mb['similar.ndcg_at_5']:.3f}"),
        ("similar useful@5", data, f"{mo['similar.useful_at_5']:.3f}", "rank_bm25 BM25Okapi",
         f"{mb['similar.useful_at_5']:.3f}")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--own", type=Path, default=OWN, help=f"the project's labelled requests (default {OWN.relative_to(ROOT)})")
    ap.add_argument("--dev", type=Path, default=DEV if DEV.is_file() else None,
                    help="the shared dev set (default ../shared/eval/dev.jsonl when it exists)")
    ap.add_argument("--no-dev", action="store_true", help="skip the dev set even when it exists")
    ap.add_argument("--log", type=Path, help="the dev set's disclosure log (default: disclosures.jsonl beside --dev)")
    ap.add_argument("--scorer", type=Path, help="the shared score.py (default: beside --dev)")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = ap.parse_args()
    for mod in ("dateparser", "datefinder", "rank_bm25"):
        try:
            __import__(mod)
        except ImportError:
            ap.error(f"the baseline package {mod!r} is missing: pip install -e '.[bench]'")
    if not args.own.is_file():
        ap.error(f"{args.own}: no such file")
    if args.dev is not None and not args.dev.is_file():
        ap.error(f"--dev {args.dev}: no such file")

    from triage.pipeline import Triage

    t0 = time.perf_counter()
    gold = read_jsonl(args.own)
    rows = quality_rows(f"own {args.own.name}", gold, triage_all(gold, Triage(store=None)))
    rows += own_similar_rows()
    if args.dev is not None and not args.no_dev:
        log = args.log or args.dev.with_name("disclosures.jsonl")
        rows += dev_rows(args.dev, log, args.scorer or args.dev.with_name("score.py"))

    from throughput import git_commit, machine_line

    print(f"commit {git_commit()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine_line()}; "
          f"{time.perf_counter() - t0:.0f} s")
    print()
    print("| metric | data (requests) | ours | baseline | baseline figure |")
    print("|---|---|---:|---|---:|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    if args.json:
        print(json.dumps([dict(zip(("metric", "data", "ours", "baseline", "baseline_figure"), r)) for r in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
