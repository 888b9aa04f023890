#!/usr/bin/env python3
"""Retrieval quality of each disclosure-log ranker (a command, not a test).

    python bench/similar_eval.py                      # the team's own judgments on the sample log
    python bench/similar_eval.py --log /work/shared/eval/disclosures.jsonl --dev /work/shared/eval/dev.jsonl

1. Own judgments, over the shipped sample log (``triage/data/sample_disclosures.jsonl``):
   - ``paraphrase``: requests the team wrote in other words for a sample
     theme (``bench/similar_judgments.jsonl``); both entries of the theme are
     relevant;
   - ``named``: sample entries whose response names an earlier reference
     ("previously released in response to request 123A/21"): the entry's
     request, the entry itself left out, should find that reference.
   Reported: hit@5 (a relevant entry in the top 5) and MRR over the top 10.
2. With ``--log`` (and ``--dev``): the log is imported into a temporary store,
   each dev request is searched with its own log entry (``self_reference``)
   left out, as the scorer does, and the official scorer (``score.py`` beside
   the dev file) gives similar.ndcg_at_5 / useful_at_5 per ranker. The same
   run scores the exemptions that the top 5 similar disclosures alone would
   suggest (leave-self-out), and, with ``--triage``, the real ``Triage`` batch
   output with the request's own entry left in the log (what an officer sees).

Nothing here is copied into the repository: the eval files are read in place.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triage.disclosures import RANKERS, DEFAULT_RANKER, DisclosureStore, similar_evidence  # noqa: E402
from triage.log_import import import_files  # noqa: E402

JUDGMENTS = Path(__file__).with_name("similar_judgments.jsonl")
_NAMED = re.compile(r"\brequest\s+(\d+A/\d{2})\b")


def own_judgments(store: DisclosureStore) -> list[dict]:
    out = [dict(json.loads(line), exclude=[]) for line in JUDGMENTS.read_text(encoding="utf-8").splitlines()
           if line.strip()]
    for (ref, request, response) in store.conn.execute(
            "SELECT reference, request, response FROM disclosures WHERE source = 'sample'"):
        for named in _NAMED.findall(response):
            if named != ref:
                out.append({"kind": "named", "query": request, "relevant": {named: 2}, "exclude": [ref]})
    return out


def hit_mrr(store: DisclosureStore, judgments: list[dict], ranker: str) -> dict:
    per_kind: dict[str, list[tuple[float, float]]] = {}
    ms = []
    for j in judgments:
        t0 = time.perf_counter()
        hits = store.search(j["query"], k=10, ranker=ranker, exclude=j["exclude"], snippets=False)
        ms.append((time.perf_counter() - t0) * 1000)
        refs = [h.reference for h in hits]
        rel = j["relevant"]
        hit = float(any(r in rel for r in refs[:5]))
        rr = next((1.0 / (i + 1) for i, r in enumerate(refs) if r in rel), 0.0)
        per_kind.setdefault(j["kind"], []).append((hit, rr))
        per_kind.setdefault("all", []).append((hit, rr))
    out = {k: {"n": len(v), "hit_at_5": statistics.mean(h for h, _ in v), "mrr_at_10": statistics.mean(r for _, r in v)}
           for k, v in per_kind.items()}
    out["median_ms"] = statistics.median(ms)
    return out


def run_scorer(scorer: Path, dev: Path, pred: Path) -> dict:
    res = subprocess.run([sys.executable, str(scorer), str(dev), str(pred), "--json"], capture_output=True,
                         text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[0])


def dev_eval(log: Path, dev: Path, scorer: Path, rankers: list[str], with_triage: bool) -> None:
    gold = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        store = DisclosureStore(Path(tmp) / "eval.db")
        report = import_files(store, [log])
        print(f"log: {report.summary()}")
        for p in report.problems[:5]:
            print(f"  {p}")
        print(f"\n{'ranker':<18}{'ndcg@5':>8}{'useful@5':>10}{'hit@5':>8}{'median ms':>11}")
        evidence = None  # the default ranker's figures, when it is among those run
        for ranker in rankers:
            pred = Path(tmp) / f"pred-{ranker}.jsonl"
            ms = []
            with open(pred, "w", encoding="utf-8") as f:
                for g in gold:
                    t0 = time.perf_counter()
                    hits = store.search(g["text"], k=5, ranker=ranker, exclude=[g.get("self_reference")],
                                        snippets=False)
                    ms.append((time.perf_counter() - t0) * 1000)
                    ev = similar_evidence(hits)
                    f.write(json.dumps({"id": g["id"], "similar": [{"reference": h.reference, "score": h.score}
                                                                   for h in hits],
                                        "exemptions": [{"section": e.section, "subsection": e.subsection,
                                                        "ncnd": e.ncnd, "score": e.score, "reason": e.reason}
                                                       for e in ev]}) + "\n")
            m = run_scorer(scorer, dev, pred)
            mark = "  (default)" if ranker == DEFAULT_RANKER else ""
            print(f"{ranker:<18}{m['similar.ndcg_at_5']:>8.3f}{m['similar.useful_at_5']:>10.3f}"
                  f"{m.get('similar.hit_at_5', 0):>8.3f}{statistics.median(ms):>11.2f}{mark}")
            if ranker == DEFAULT_RANKER:
                evidence = m
        if evidence is not None:
            print(f"\nexemptions from the top 5 similar disclosures alone ({DEFAULT_RANKER}, own entry left out): "
                  f"recall@3 {evidence['exemptions.recall_at_3']:.3f}, "
                  f"precision@3 {evidence['exemptions.precision_at_3']:.3f}, "
                  f"mrr {evidence['exemptions.mrr']:.3f}, ncnd accuracy {evidence['exemptions.ncnd_accuracy']:.3f}, "
                  f"cost_limit.f1 {evidence['cost_limit.f1']:.3f}")

        # how similar is a true repeat (the request against its own log entry) compared with the best other entry?
        own, best_other = [], []
        for g in gold:
            hits = store.search(g["text"], k=2, snippets=False)
            for h in hits:
                if h.reference == g.get("self_reference"):
                    own.append(h.similarity)
                else:
                    best_other.append(h.similarity)
                    break
        q = lambda xs, p: sorted(xs)[int(p * (len(xs) - 1))] if xs else float("nan")  # noqa: E731
        print(f"similarity to its own log entry: median {q(own, .5):.2f}, 10th percentile {q(own, .1):.2f} (n={len(own)}); "
              f"to the best other entry: median {q(best_other, .5):.2f}, 90th percentile {q(best_other, .9):.2f}")

        if with_triage:
            triage_exemptions(store, gold, dev, scorer, Path(tmp))
            import os

            env = dict(os.environ, FOI_TRIAGE_DB=str(Path(tmp) / "eval.db"))
            out = Path(tmp) / "triage.jsonl"
            subprocess.run([sys.executable, "-m", "triage", "batch", str(dev), "-o", str(out)], env=env, check=True,
                           cwd=ROOT, capture_output=True)
            m = run_scorer(scorer, dev, out)
            print(f"\nfoi-triage batch (own entry in the log, top 5 as returned): similar.ndcg_at_5 "
                  f"{m['similar.ndcg_at_5']:.3f}, useful_at_5 {m['similar.useful_at_5']:.3f}")


class _LeaveOut:
    """The store, searched with the request's own log entry left out (as if it were a new request)."""

    def __init__(self, store: DisclosureStore):
        self.store, self.exclude = store, ()

    def search(self, text: str, k: int = 5, **kw):
        return self.store.search(text, k=k, exclude=self.exclude, **kw)


def triage_exemptions(store: DisclosureStore, gold: list[dict], dev: Path, scorer: Path, tmp: Path) -> None:
    """The pipeline's exemption figures with and without the similar disclosures' evidence (own entry left out)."""
    import datetime as dt

    from triage.pipeline import Triage

    leave_out = _LeaveOut(store)
    runs = {"without the log": Triage(store=None), "with the log (own entry left out)": Triage(store=leave_out)}
    print()
    for name, tr in runs.items():
        pred = tmp / "triage-exemptions.jsonl"
        with open(pred, "w", encoding="utf-8") as f:
            for g in gold:
                leave_out.exclude = [g.get("self_reference")]
                received = dt.date.fromisoformat(g["received"]) if g.get("received") else None
                f.write(tr.triage(g["text"], received=received, id=g["id"]).model_dump_json() + "\n")
        m = run_scorer(scorer, dev, pred)
        print(f"triage exemptions {name}: recall@3 {m['exemptions.recall_at_3']:.3f}, precision@3 "
              f"{m['exemptions.precision_at_3']:.3f}, mrr {m['exemptions.mrr']:.3f}, ncnd accuracy "
              f"{m['exemptions.ncnd_accuracy']:.3f}, similar.ndcg_at_5 {m.get('similar.ndcg_at_5', 0):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--log", type=Path, help="a disclosure log to import (e.g. the shared eval's disclosures.jsonl)")
    ap.add_argument("--dev", type=Path, help="labelled requests with similar_grades (default: dev.jsonl beside --log)")
    ap.add_argument("--scorer", type=Path, help="score.py (default: beside --dev)")
    ap.add_argument("--rankers", default=",".join(RANKERS), help="comma-separated ranker names")
    ap.add_argument("--triage", action="store_true", help="also score the real `foi-triage batch` output")
    args = ap.parse_args()
    rankers = [r for r in args.rankers.split(",") if r]

    store = DisclosureStore(":memory:")
    store.ensure_sample()
    judgments = own_judgments(store)
    kinds = sorted({j["kind"] for j in judgments})
    print(f"own judgments over the sample log ({store.count()} entries): "
          + ", ".join(f"{sum(j['kind'] == k for j in judgments)} {k}" for k in kinds))
    head = f"{'ranker':<18}" + "".join(f"{k + ' hit@5':>18}{k + ' MRR':>16}" for k in kinds + ["all"]) + f"{'median ms':>11}"
    print(head)
    for ranker in rankers:
        r = hit_mrr(store, judgments, ranker)
        mark = "  (default)" if ranker == DEFAULT_RANKER else ""
        print(f"{ranker:<18}" + "".join(f"{r[k]['hit_at_5']:>18.3f}{r[k]['mrr_at_10']:>16.3f}" for k in kinds + ["all"])
              + f"{r['median_ms']:>11.2f}{mark}")

    if args.log:
        dev = args.dev or args.log.with_name("dev.jsonl")
        scorer = args.scorer or dev.with_name("score.py")
        print()
        dev_eval(args.log, dev, scorer, rankers, args.triage)
    return 0


if __name__ == "__main__":
    sys.exit(main())
