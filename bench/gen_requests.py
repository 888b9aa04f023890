#!/usr/bin/env python3
"""Write N synthetic FOI requests as batch input (a command for the benchmarks).

    python bench/gen_requests.py --n 100000 -o /tmp/requests-100k.jsonl [--seed 7]

Each line is ``{"id", "text", "received"}``, the input format of
``foi-triage batch``. The texts come from ``training_data/generate.py``'s
request composer (used as a library: 1-5 questions over 1-3 topics, prose or
lists, greetings, context, sign-offs, informal spelling, web-form pastes), so
their lengths and shapes follow the training data (about 10-250 words,
median 70-90) rather than one fixed size. The near-duplicate filter of
``generate.py`` is skipped: it is quadratic in memory at this scale and a
benchmark does not need distinct texts. Deterministic for a given seed.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "training_data" / "generate.py"


def _generator():
    """training_data/generate.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("foi_training_generate", GENERATOR)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {GENERATOR}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def requests(n: int, seed: int = 7) -> Iterator[dict]:
    """``n`` batch-input rows: id, text, received."""
    gen = _generator()
    rng = random.Random(seed)
    made = failed = 0
    while made < n:
        try:
            row = gen.make_request(rng, f"b{made + 1:06d}")
        except Exception:  # the composer is edited alongside the training data: skip a draft it cannot build
            failed += 1
            if failed > max(100, n // 10):
                raise
            continue
        made += 1
        yield {"id": row["id"], "text": row["text"], "received": row["received"]}


def write(path: Path, n: int, seed: int = 7) -> dict:
    """Write ``n`` rows to ``path``; returns a small summary (count, words, seconds)."""
    t0 = time.perf_counter()
    words = []
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")  # renamed when complete, so a cached file is never half-written
    with open(part, "w", encoding="utf-8") as f:
        for row in requests(n, seed):
            words.append(len(row["text"].split()))
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    part.replace(path)
    return {"n": n, "median_words": statistics.median(words) if words else 0,
            "mean_words": statistics.mean(words) if words else 0, "seconds": time.perf_counter() - t0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="how many requests (default 100,000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-o", "--out", type=Path, required=True, help="output .jsonl")
    args = ap.parse_args()
    if args.n < 1:
        ap.error("--n must be at least 1")
    s = write(args.out, args.n, args.seed)
    print(f"wrote {s['n']:,} requests to {args.out} (median {s['median_words']:.0f} words, "
          f"mean {s['mean_words']:.0f}) in {s['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
