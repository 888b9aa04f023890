#!/usr/bin/env python3
"""Batch throughput, peak memory and cold start of ``foi-triage`` (a command, not a test).

    python bench/throughput.py                    # 100,000 generated requests, 1 and 2 jobs
    python bench/throughput.py --n 10000 --jobs 1,2 --cold-runs 5
    python bench/throughput.py --input my.jsonl   # your own requests instead

1. Generates ``--n`` requests with ``bench/gen_requests.py`` (cached in
   ``--workdir`` by n and seed, so re-runs skip it).
2. For each job count, runs the real command a user runs,
   ``python -m triage batch IN -o OUT --jobs N`` (``python -m triage`` is
   ``foi-triage``), in a fresh process, and reports requests per second over
   the wall time of the whole command (start-up included), the CPU time of
   the whole process tree and requests per CPU-second (which hardly depends
   on what else the machine runs: on a quiet machine, N jobs on N free cores
   approach N times that figure), the error lines in the output, and the
   peak memory of the whole process tree (the
   command and every worker it starts), sampled from ``/proc`` every
   ``--sample`` seconds:
   - RSS sum: resident memory of each process added up. Forked workers share
     pages with their parent, so this counts shared pages more than once: an
     upper bound.
   - PSS sum: proportional set size (``/proc/PID/smaps_rollup``), shared
     pages divided among the processes sharing them: the tree's real share of
     RAM.
   When the command has no ``--jobs`` option (yet), 1 job runs without it and
   other counts are reported as not available.
3. Cold start: a fresh interpreter imports ``triage``, builds ``Triage()``
   (models, rules, the disclosure log) and triages one request; the median
   of ``--cold-runs`` runs, with its parts. Also the wall time of the whole
   ``foi-triage triage FILE`` command, what a user waits for one request.

Prints a Markdown table ready to paste into BENCHMARKS.md, with the targets
(300 requests/s with 2 jobs, peak RSS under 400 MB, cold start under 2 s)
and whether each is met. Figures depend on what else the machine is doing:
the load average is printed with them.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import gen_requests  # noqa: E402  (bench/ is not a package)
import latency  # noqa: E402

TARGET_RPS_2_JOBS = 300.0
TARGET_RSS_MB = 400.0
TARGET_COLD_S = 2.0


# ------------------------------------------------------------------ machine

# the same machine facts and commit as bench/latency.py reports
cpu_model = latency.cpu_model
git_commit = latency.git_commit


def ram_gb() -> float:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def machine_line() -> str:
    load = "load average %.1f %.1f %.1f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    return (f"{platform.system()} {platform.machine()}, {cpu_model()}, {os.cpu_count()} CPUs, {ram_gb():.0f} GB RAM, "
            f"Python {platform.python_version()}; {load}")


# ------------------------------------------------------------------ memory of a process tree

def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8") as f:
                stat = f.read()
        except OSError:
            continue  # gone meanwhile
        # the command name (field 2) may hold spaces or brackets: split after its closing bracket
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree(pid: int) -> list[int]:
    kids, out, todo = _children_map(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def _kb(path: str, key: str) -> int:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the RSS and PSS sums of a process and its descendants until stopped; keeps the peaks."""

    def __init__(self, pid: int, every: float):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_rss_kb = self.peak_pss_kb = self.peak_one_kb = self.peak_procs = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids = tree(self.pid)
            rss = [_kb(f"/proc/{p}/status", "VmRSS:") for p in pids]
            pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
            self.peak_rss_kb = max(self.peak_rss_kb, sum(rss))
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.peak_one_kb = max(self.peak_one_kb, max(rss, default=0))
            self.peak_procs = max(self.peak_procs, sum(1 for r in rss if r))
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# ------------------------------------------------------------------ runs

def has_jobs_option() -> bool:
    out = subprocess.run([sys.executable, "-m", "triage", "batch", "--help"], cwd=ROOT, capture_output=True,
                         text=True)
    return "--jobs" in out.stdout


def run_batch(inp: Path, out: Path, jobs: int, with_jobs_option: bool, every: float) -> dict:
    cmd = [sys.executable, "-m", "triage", "batch", str(inp), "-o", str(out)]
    if with_jobs_option:
        cmd += ["--jobs", str(jobs)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    mem = TreeMemory(proc.pid, every)
    mem.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    mem.stop()
    # CPU seconds of the whole tree (workers are waited for by the command, so they count here too):
    # unlike wall time, this hardly changes with what else the machine is running
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    lines = errors = 0
    with open(out, encoding="utf-8") as f:
        for line in f:
            lines += 1
            if '"error"' in line and '"questions"' not in line:
                errors += 1
    return {"jobs": jobs, "seconds": wall, "cpu_seconds": cpu, "lines": lines, "errors": errors, "load_before": load,
            "peak_rss_mb": mem.peak_rss_kb / 1024, "peak_pss_mb": mem.peak_pss_kb / 1024,
            "largest_process_mb": mem.peak_one_kb / 1024, "processes": mem.peak_procs}


def cold_start(text: str, runs: int, tmp: Path) -> dict:
    latency.warm_bytecode()
    parts = [latency.cold_start(text) for _ in range(runs)]
    parts.sort(key=sum)
    imp, build, first = parts[len(parts) // 2]  # the median run, with its own parts
    req = tmp / "cold-request.txt"
    req.write_text(text, encoding="utf-8")
    cli = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "triage", "triage", str(req), "--received", "2024-05-01"], cwd=ROOT,
                       check=True, capture_output=True, env=latency.cold_env())
        cli.append(time.perf_counter() - t0)
    return {"runs": runs, "total_s": imp + build + first, "import_s": imp, "construct_s": build, "first_s": first,
            "cli_s": statistics.median(cli)}


# ------------------------------------------------------------------ report

def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="generated requests (default 100,000)")
    ap.add_argument("--jobs", default="1,2", help="comma-separated job counts (default 1,2)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--input", type=Path, help="a batch input .jsonl to use instead of generated requests")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "foi-triage-bench",
                    help="where generated input and outputs go (default: $TMPDIR/foi-triage-bench)")
    ap.add_argument("--cold-runs", type=int, default=5, help="fresh processes for the cold start (default 5; 0 skips)")
    ap.add_argument("--sample", type=float, default=0.2, help="memory sampling interval in seconds (default 0.2)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()
    try:
        jobs = [int(j) for j in args.jobs.split(",") if j.strip()]
    except ValueError:
        ap.error("--jobs takes comma-separated whole numbers, e.g. 1,2")
    if args.n < 1 or any(j < 1 for j in jobs):
        ap.error("--n and each job count must be at least 1")
    if not Path("/proc/self/status").exists():
        ap.error("this benchmark reads /proc (Linux) for the memory of the process tree")

    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.input:
        inp = args.input
        if not inp.is_file():
            ap.error(f"--input {inp}: no such file")
        n = sum(1 for line in open(inp, encoding="utf-8") if line.strip())
    else:
        inp = args.workdir / f"requests-{args.n}-seed{args.seed}.jsonl"
        n = args.n
        if not inp.exists():
            s = gen_requests.write(inp, n, args.seed)
            print(f"generated {n:,} requests (median {s['median_words']:.0f} words) in {s['seconds']:.0f} s -> {inp}",
                  file=sys.stderr)
    words = []
    with open(inp, encoding="utf-8") as f:
        for line in f:
            try:
                words.append(len(str(json.loads(line).get("text", "")).split()))
            except (ValueError, AttributeError):
                pass  # not a request object: the batch reports it as an error line
    words.sort()
    median_words = words[len(words) // 2] if words else 0

    with_jobs = has_jobs_option()
    if not with_jobs:
        print("note: `foi-triage batch` has no --jobs option yet: 1 job runs without it; other counts skipped",
              file=sys.stderr)
    runs = []
    for j in jobs:
        if j > 1 and not with_jobs:
            runs.append({"jobs": j, "skipped": True})
            continue
        print(f"batch of {n:,} with {j} job(s) ...", file=sys.stderr, flush=True)
        r = run_batch(inp, args.workdir / f"out-{j}.jsonl", j, with_jobs, args.sample)
        r["rps"] = r["lines"] / r["seconds"]
        runs.append(r)
        print(f"  {r['seconds']:.1f} s, {r['rps']:.1f} requests/s, peak RSS {r['peak_rss_mb']:.0f} MB", file=sys.stderr)

    cold = None
    if args.cold_runs > 0:
        import random

        text = latency.make_request(300, random.Random(args.seed))  # the 300-word request of bench/latency.py
        with tempfile.TemporaryDirectory() as tmp:
            cold = cold_start(text, args.cold_runs, Path(tmp))

    # ---------------------------------------------------------------- Markdown
    print()
    print(f"commit {git_commit()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {machine_line()}")
    print(f"input: {n:,} requests ({'file ' + str(args.input) if args.input else 'generated, seed %d' % args.seed}), "
          f"median {median_words} words")
    print()
    print("| jobs | requests | wall time | requests/s | CPU time (tree) | requests per CPU-second | error lines "
          "| peak RSS sum (tree) | peak PSS sum (tree) | largest process | processes | load before |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        if r.get("skipped"):
            print(f"| {r['jobs']} | - | - | n/a (no --jobs option) | - | - | - | - | - | - | - | - |")
            continue
        print(f"| {r['jobs']} | {r['lines']:,} | {r['seconds']:.1f} s | {r['rps']:.1f} | {r['cpu_seconds']:.0f} s "
              f"| {r['lines'] / r['cpu_seconds']:.1f} | {r['errors']} "
              f"| {r['peak_rss_mb']:.0f} MB | {r['peak_pss_mb']:.0f} MB | {r['largest_process_mb']:.0f} MB "
              f"| {r['processes']} | {r['load_before']:.1f} |")
    if cold:
        print()
        print(f"cold start (median of {cold['runs']} fresh processes): {cold['total_s']:.2f} s to the first result "
              f"(import {cold['import_s']:.2f} s, construct {cold['construct_s']:.2f} s, first result "
              f"{cold['first_s'] * 1000:.0f} ms); the whole `foi-triage triage FILE` command {cold['cli_s']:.2f} s")

    print()
    print("| target | figure | verdict |")
    print("|---|---|---|")
    two = next((r for r in runs if r["jobs"] == 2 and not r.get("skipped")), None)
    if two:
        print(f"| at least {TARGET_RPS_2_JOBS:g} requests/s with 2 jobs | {two['rps']:.1f} requests/s "
              f"| {verdict(two['rps'] >= TARGET_RPS_2_JOBS)} |")
    else:
        print(f"| at least {TARGET_RPS_2_JOBS:g} requests/s with 2 jobs | not measured | - |")
    done = [r for r in runs if not r.get("skipped")]
    if done:
        peak = max(r["peak_rss_mb"] for r in done)
        peak_pss = max(r["peak_pss_mb"] for r in done)
        print(f"| peak RSS under {TARGET_RSS_MB:g} MB | {peak:.0f} MB RSS sum ({peak_pss:.0f} MB PSS) "
              f"| {verdict(peak < TARGET_RSS_MB)} |")
    if cold:
        print(f"| cold start under {TARGET_COLD_S:g} s | {cold['total_s']:.2f} s | "
              f"{verdict(cold['total_s'] < TARGET_COLD_S)} |")
    if args.json:
        print(json.dumps({"n": n, "median_words": median_words, "runs": runs, "cold_start": cold,
                          "commit": git_commit(), "machine": machine_line()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
