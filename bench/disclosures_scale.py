#!/usr/bin/env python3
"""Scale benchmark for the disclosure log (a command, not a test).

    python bench/disclosures_scale.py [--n 100000] [--queries 300] [--json]

Generates ``--n`` synthetic log entries (sentences of the shipped sample log
recombined, with varied figures, years, places and subject words, so the
vocabulary grows as a real log's does), writes them as JSON Lines, and
measures:

- import: ``foi-triage log import`` of the file into a new SQLite store
  (parsing, analysis, FTS5 index, TF-IDF norms), and a second, idempotent
  import of the same file;
- search: the default ranker's latency for request-like queries (median, p95);
- size: the store on disk (after a WAL checkpoint).

Targets at 100,000 entries: import under 60 s, search median under 20 ms,
store under 1 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triage.disclosures import SAMPLE_LOG, DisclosureStore  # noqa: E402
from triage.log_import import import_files  # noqa: E402

PLACES = ["Ashford", "Barnsley", "Carlisle", "Dudley", "Exeter", "Falmouth", "Grantham", "Hexham", "Ipswich",
          "Jarrow", "Kendal", "Luton", "Margate", "Newark", "Oldham", "Penrith", "Redruth", "Selby", "Thirsk",
          "Ulverston", "Wigan", "Yeovil"]
SUBJECTS = ["burglary", "fraud", "stalking", "drones", "overtime", "cameras", "custody", "knives", "vetting",
            "pursuits", "dogs", "horses", "tasers", "protests", "recruitment", "cannabis", "scams", "ransomware",
            "hate", "spiking", "missing", "trafficking", "sickness", "contracts", "licences", "tribunals"]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.?!])\s+|\n+", text) if s.strip()]


def generate(n: int, seed: int, path: Path) -> None:
    rng = random.Random(seed)
    sample = [json.loads(line) for line in SAMPLE_LOG.read_text(encoding="utf-8").splitlines()]
    req_pool = [sentences(e["request"]) for e in sample]
    resp_pool = [sentences(e["response"]) for e in sample]
    # made-up subject words so that the vocabulary keeps growing with the log
    extra = [f"{rng.choice(SUBJECTS)}{rng.randint(1, 4000)}" for _ in range(20000)]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            a, b = rng.randrange(len(sample)), rng.randrange(len(sample))
            year = rng.randint(2010, 2025)
            req = req_pool[a] + rng.sample(req_pool[b], min(2, len(req_pool[b])))
            req = [re.sub(r"\b20\d\d\b", str(rng.randint(2008, year)), s) for s in req]
            req.append(f"Please include {rng.choice(PLACES)} and {rng.choice(extra)} {rng.choice(extra)}.")
            resp = [re.sub(r"\d[\d,]*", lambda m: f"{rng.randint(2, 5000):,}", s) for s in resp_pool[a]]
            entry = {"reference": f"{i + 1}A/{year % 100:02d}", "title": sample[a]["title"] + f" {rng.choice(PLACES)}",
                     "url": f"https://foi.example.org/disclosure-log/{year}/{i + 1}/",
                     "published": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                     "request": "\n".join(req), "response": "\n\n".join(resp),
                     "exemptions": sample[a]["exemptions"], "ncnd": sample[a]["ncnd"], "topics": sample[a]["topics"]}
            f.write(json.dumps(entry) + "\n")


def queries(k: int, seed: int) -> list[str]:
    """Request-like queries (about 60-200 words): sample requests reworded and recombined."""
    rng = random.Random(seed + 1)
    sample = [json.loads(line) for line in SAMPLE_LOG.read_text(encoding="utf-8").splitlines()]
    out = []
    for _ in range(k):
        parts = [rng.choice(sample)["request"] for _ in range(rng.randint(1, 3))]
        out.append("Dear Sir or Madam,\n" + "\n".join(parts) + "\nYours faithfully,\nA. Requester")
    return out


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        src, db = Path(tmp) / "log.jsonl", Path(tmp) / "log.db"
        t0 = time.perf_counter()
        generate(args.n, args.seed, src)
        gen_s = time.perf_counter() - t0
        store = DisclosureStore(db)
        report = import_files(store, [src])
        assert not report.problems, report.problems[:3]
        again = import_files(store, [src])
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = dir_size(db)

        qs = queries(args.queries, args.seed)
        for q in qs[:20]:
            store.search(q, k=5)  # warm-up: page cache, term statistics
        ms = []
        for q in qs:
            t = time.perf_counter()
            store.search(q, k=5)
            ms.append((time.perf_counter() - t) * 1000)
        ms.sort()
        fresh = DisclosureStore(db)  # a new process-like store: cold caches, same file
        cold = []
        for q in qs[:50]:
            t = time.perf_counter()
            fresh.search(q, k=5)
            cold.append((time.perf_counter() - t) * 1000)

    load = "load average %.2f %.2f %.2f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.machine()) if os.path.exists("/proc/cpuinfo") else platform.machine()
    figures = {"entries": args.n, "source_mb": round(src.stat().st_size / 1e6, 1) if src.exists() else None,
               "generate_s": round(gen_s, 1), "import_s": round(report.seconds, 1),
               "reimport_s": round(again.seconds, 1), "reimport_unchanged": again.stats.unchanged,
               "db_mb": round(size / 1e6, 1), "search_median_ms": round(statistics.median(ms), 2),
               "search_p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
               "search_first50_new_store_median_ms": round(statistics.median(cold), 2)}
    print(f"machine: {platform.platform()}, {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"SQLite {__import__('sqlite3').sqlite_version}; {load}")
    print(f"{args.n:,} entries: import {report.seconds:.1f} s (target < 60 s), re-import {again.seconds:.1f} s "
          f"({again.stats.unchanged:,} unchanged), store {size / 1e6:.0f} MB on disk (target < 1,000 MB)")
    print(f"search (default ranker, k=5, {len(ms)} request-like queries): median {figures['search_median_ms']} ms "
          f"(target < 20 ms), p95 {figures['search_p95_ms']} ms; a newly opened store: median "
          f"{figures['search_first50_new_store_median_ms']} ms over its first 50")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
