#!/usr/bin/env python3
"""Latency benchmark for ``Triage().triage`` (a command, not a test).

    python bench/latency.py [--n 200] [--seed 7] [--cold-runs 5] [--json]

Generates varied synthetic FOI-style requests of about 50, 300 and 2,000
words (greetings, context, numbered questions with periods and breakdowns,
sign-offs), plus "typical" requests from ``bench/gen_requests.py`` (the
training data's composer: 1-5 questions, median about 70 words), times one
request at a time after a warm-up, and prints the median and p95 in
milliseconds per size, the cold start (fresh interpreters: import +
construct + first result, the median of ``--cold-runs``, with Python's
bytecode cache as an installed package has it: see ``cold_env``) and the machine,
then a Markdown row ready to paste into BENCHMARKS.md.

What is timed is what a user gets: ``Triage()`` as built by the CLI, batch and
API (every component, the default disclosure log for ``similar``), one
``triage`` call and the result serialised to JSON.
Target: median under 15 ms for a typical request (checked for the typical
and the 300-word requests).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

SIZES = {"short (~50 words)": 50, "medium (~300 words)": 300, "long (~2,000 words)": 2000}
TYPICAL = "typical (generated)"
TARGET_MS = {TYPICAL: 15.0, "medium (~300 words)": 15.0}

# ------------------------------------------------------------------ generator

GREETINGS = ["Dear Sir or Madam,", "Dear FOI Team,", "Hello,", "To whom it may concern,",
             "Dear Freedom of Information Officer,", "Good afternoon,"]
SIGNOFFS = ["Yours faithfully,\nA. Requester", "Many thanks,\nSam", "Kind regards\nJ Smith",
            "Thank you for your help.\nRegards,\nPat", "Best wishes,\nM."]
INTROS = ["Under the Freedom of Information Act 2000 I would like to request the following information.",
          "I am writing to make a request for information held by your force.",
          "Please treat this email as a request under the Freedom of Information Act.",
          "I would be grateful if you could provide the following."]
CONTEXT = ["I am a student researching {subject} for my dissertation and have read your published reports.",
           "I understand that a review of {subject} was carried out recently, as reported in the local press.",
           "Since 2019 the force has published some figures on {subject}, but not at the level of detail below.",
           "I am aware that some of this may fall under an exemption; if so please release what you can.",
           "Your annual report mentions {subject} only in passing, so I hope you can help with the detail."]
SUBJECTS = ["complaints against officers", "Taser use", "stop and search", "knife crime", "missing children",
            "domestic abuse arrests", "speed camera income", "facial recognition trials", "overtime spending",
            "999 call answering times", "custody deaths", "hate crime reports", "drug seizures",
            "vetting refusals", "body-worn video", "fraud referrals"]
ASKS = ["How many {thing} were recorded {period}?", "Please provide the number of {thing} {period}.",
        "Could you tell me the total cost of {thing} {period}?", "What was the number of {thing} {period}?",
        "Please send me a copy of the policy on {thing} in force {period}.",
        "How many {thing} resulted in a formal outcome {period}?"]
THINGS = ["complaints about officers", "uses of Taser", "stop and searches", "arrests for possession of a knife",
          "missing person reports for children", "domestic abuse incidents", "speeding fines",
          "facial recognition deployments", "overtime claims", "999 calls not answered within 10 seconds",
          "deaths in custody", "hate crime reports", "cannabis farm raids", "failed vetting checks",
          "body-worn camera recordings deleted", "fraud reports referred to Action Fraud"]
PERIODS = ["in each of the last five years", "since 1 April 2020", "between 2018 and 2022",
           "in the financial year 2021/22", "for the last 12 months", "during 2023",
           "from January 2019 to March 2021", "in the last three financial years", "before 2015",
           "for the calendar years 2019, 2020 and 2021"]
BREAKDOWNS = ["broken down by year", "broken down by month", "split by gender and ethnicity",
              "by age group", "by rank of the officer", "by district or borough", "by outcome",
              "by offence type", "with the nationality of each person", "listing each case separately"]
EXTRA = ["Where possible please give the figures in a spreadsheet.",
         "If the cost limit would be exceeded, please prioritise question 1.",
         "Please include officers and police staff.",
         "I do not need any personal information, only totals."]


def make_request(words: int, rng: random.Random) -> str:
    """A synthetic request of about ``words`` words."""
    subject = rng.choice(SUBJECTS)
    parts = [rng.choice(GREETINGS), "", rng.choice(INTROS)]
    n_words = sum(len(p.split()) for p in parts) + 6  # the sign-off
    if words >= 150:
        parts.append(rng.choice(CONTEXT).format(subject=subject))
    parts.append("")
    # one numbering style per request, as people write them; short ones are sometimes a single ask
    style = rng.choice(["{n}. ", "{n}) ", "Q{n}. ", "({n}) ", "{a}) ", "- "])
    if words < 100 and rng.random() < 0.3:
        style = ""
    if rng.random() < 0.3:
        parts.append(f"Please provide the following information {rng.choice(PERIODS)}:")
    q = 0
    while True:
        q += 1
        ask = rng.choice(ASKS).format(thing=rng.choice(THINGS), period=rng.choice(PERIODS))
        if rng.random() < 0.7:
            ask = ask.rstrip(".?") + ", " + rng.choice(BREAKDOWNS) + ("?" if ask.endswith("?") else ".")
        if rng.random() < 0.2:
            ask += " " + rng.choice(EXTRA)
        line = style.format(n=q, a="abcdefghijklmnopqrstuvwxyz"[(q - 1) % 26]) + ask
        if words > 1000 and rng.random() < 0.3:
            line += " " + rng.choice(CONTEXT).format(subject=rng.choice(SUBJECTS))
        if (n_words + len(line.split()) > words and q > 1) or (not style and q > 1):
            break
        parts.append(line)
        n_words += len(line.split())
        if n_words >= words:
            break
    parts += ["", rng.choice(SIGNOFFS)]
    return "\n".join(parts)


# ------------------------------------------------------------------ timing

def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


COLD = """
import time, datetime
t0 = time.perf_counter()
from triage import Triage
t1 = time.perf_counter()
tr = Triage()
t2 = time.perf_counter()
tr.triage({text!r}, received=datetime.date(2024, 5, 1))
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def cold_env() -> dict:
    """The environment of a fresh process as a user's install has it: with Python's bytecode
    cache. ``pip install`` compiles the package's modules; an editable install (or a shell with
    PYTHONDONTWRITEBYTECODE set, as some sandboxes and CI images have) would otherwise compile
    every module of the package from source at each start, about 0.1 s that users do not pay."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_bytecode() -> None:
    """One untimed start, so the bytecode cache exists before the timed ones (as after an install)."""
    subprocess.run([sys.executable, "-c", "import triage, triage.pipeline"], cwd=ROOT, check=True,
                   capture_output=True, env=cold_env())


def cold_start(text: str) -> tuple[float, float, float]:
    """(import, construct, first result) seconds in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", COLD.format(text=text)], cwd=ROOT, check=True,
                         capture_output=True, text=True, env=cold_env()).stdout.split()
    return tuple(float(x) for x in out)  # type: ignore[return-value]


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="requests per size (default 200)")
    ap.add_argument("--warmup", type=int, default=20, help="untimed calls per size first (default 20)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cold-runs", type=int, default=5, help="fresh interpreters for the cold start (default 5)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()
    if args.n < 1 or args.cold_runs < 1 or args.warmup < 0:
        ap.error("--n and --cold-runs must be at least 1, --warmup at least 0")

    rng = random.Random(args.seed)
    received = date(2024, 5, 1)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import gen_requests

    corpora = {TYPICAL: [r["text"] for r in gen_requests.requests(args.n, args.seed)]}
    corpora.update({name: [make_request(w, rng) for _ in range(args.n)] for name, w in SIZES.items()})

    warm_bytecode()
    colds = sorted((cold_start(corpora["medium (~300 words)"][0]) for _ in range(args.cold_runs)), key=sum)
    imp, build, first = colds[len(colds) // 2]  # the median run, with its own parts

    from triage import Triage

    tr = Triage()
    rows = []
    for name, texts in corpora.items():
        for t in texts[: args.warmup]:
            tr.triage(t, received=received)
        ms, cpu = [], []
        for t in texts:
            c0, t0 = time.process_time(), time.perf_counter()
            tr.triage(t, received=received).model_dump_json()
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        words = statistics.mean(len(t.split()) for t in texts)
        # CPU time hardly depends on what else the machine runs; wall time does (waiting for a core)
        rows.append({"size": name, "mean_words": round(words), "n": len(ms),
                     "median_ms": round(statistics.median(ms), 2), "p95_ms": round(percentile(ms, 95), 2),
                     "median_cpu_ms": round(statistics.median(cpu), 2)})

    load = "load average %.2f %.2f %.2f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    print(f"machine: {platform.platform()}, {cpu_model()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; {load} (figures are noisy on a busy machine)")
    print(f"cold start (median of {len(colds)}): {imp + build + first:.2f} s (import {imp:.2f} s, "
          f"construct {build:.2f} s, first result {first * 1000:.0f} ms)")
    print(f"{'size':<22}{'words':>7}{'n':>6}{'median ms':>11}{'p95 ms':>9}{'median CPU ms':>15}")
    for r in rows:
        print(f"{r['size']:<22}{r['mean_words']:>7}{r['n']:>6}{r['median_ms']:>11.2f}{r['p95_ms']:>9.2f}"
              f"{r['median_cpu_ms']:>15.2f}")
    ok = True
    for name, target in TARGET_MS.items():
        med = next(r["median_ms"] for r in rows if r["size"] == name)
        verdict = "met" if med < target else "NOT met"
        ok = ok and med < target
        print(f"target: median < {target:g} ms for {name}: {verdict} ({med:.2f} ms)")
    by = {r["size"]: r for r in rows}
    cells = " | ".join(f"{by[k]['median_ms']:.1f} / {by[k]['p95_ms']:.1f} ms (CPU {by[k]['median_cpu_ms']:.1f})"
                       for k in [TYPICAL, *SIZES])
    print("\nMarkdown (BENCHMARKS.md): | date | commit | machine | cold start | typical | ~50 | ~300 | ~2,000 words "
          "median / p95 (median CPU) |")
    print(f"| {date.today().isoformat()} | {git_commit()} | {platform.machine()}, {cpu_model()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {load} | {imp + build + first:.2f} s (import {imp:.2f}, construct "
          f"{build:.2f}, first {first * 1000:.0f} ms) | {cells} |")
    if args.json:
        print(json.dumps({"cold_start_s": {"import": imp, "construct": build, "first": first}, "sizes": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
