#!/usr/bin/env python3
"""API load benchmark (a command, not a test).

    python bench/load.py [--requests 2000] [--clients 50] [--workers 1 2] [--no-write]

For each worker count, starts ``foi-triage serve --workers N`` on 127.0.0.1 (a
free port, a temporary data directory, an API key switched on), waits for
``/readyz`` and warms every worker up, then sends ``--requests`` calls to
``POST /v1/triage`` from ``--clients`` concurrent clients (httpx, asyncio):
a mix of realistic request texts of different lengths, with and without a
received date, some under FOISA. Prints requests/s and p50/p95/p99 latency,
counts errors (anything but a 200; 0 expected), checks that the server's log
holds one line per request and none of the request words, and writes the
figures with the machine and commit to ``BENCHMARKS.md`` under "API load".

The client runs on the same machine and takes CPU from the server: the
figures are a floor for what a separate client would measure.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "BENCHMARKS.md"
HEADING = "## API load"
KEY = "bench-load-key"
# in every text sent, so the server's log can be checked for request words
MARKER = "Wrenfield"

# ------------------------------------------------------------------ request texts

TEXTS = [
    f"How many speed cameras does {MARKER} Constabulary operate?",
    f"Dear FOI team,\n\nPlease tell me how many burglaries were recorded in {MARKER} in each of the last "
    "three financial years, broken down by ward.\n\nThank you,\nJ. Patel",
    f"Hello,\n\nUnder the Freedom of Information Act I would like to know:\n1. The number of officers "
    f"dismissed for gross misconduct since January 2019, by rank.\n2. How many of those dismissals "
    f"were appealed, and the outcome of each appeal.\n3. The total cost of misconduct hearings held "
    f"by {MARKER} Police in 2022/23.\n\nYours faithfully,\nSam Okafor",
    f"I am researching knife crime among young people. Could you provide the number of knife "
    f"possession offences recorded between 2018 and 2023 where the suspect was aged under 18, "
    f"broken down by year, gender and ethnicity? If the cost limit would be exceeded, please "
    f"prioritise the most recent two years. {MARKER} data only.",
    f"Good afternoon,\n\nPlease could you send me:\n(a) the force's current policy on the use of "
    f"spit hoods;\n(b) the number of times a spit hood was used on a child in custody in the last "
    f"five years;\n(c) any training materials given to {MARKER} custody staff on spit hoods.\n\n"
    "Many thanks,\nAlex",
    f"Please provide a copy of all contracts with suppliers of body-worn video cameras, the amount "
    f"paid under each contract in each year since 2020, and the number of cameras in use at "
    f"{MARKER} today.",
    f"To whom it may concern,\n\nI would like the following information about 999 calls:\n"
    "1. The average time to answer a 999 call in each month of 2023.\n"
    "2. The number of calls abandoned before being answered, per month.\n"
    "3. The number of call handlers employed at 31 March 2024, by grade.\n"
    f"4. The budget of the {MARKER} control room for 2024/25.\n\nKind regards\nPat Doyle",
    f"Could you tell me how many reports of domestic abuse were made to {MARKER} Police during the "
    "Christmas periods of 2021, 2022 and 2023, and how many resulted in a charge?",
    f"Dear Sir or Madam,\n\nI was arrested on 12 May 2023 and would like copies of the custody record "
    f"and the body-worn footage of my arrest in {MARKER}.\n\nRegards\nM. Hughes",
    f"Please provide, for each year from 2015 to 2023: the number of officers and staff employed, the "
    f"number who left, the number on long-term sickness absence, and the amount spent on overtime, "
    f"broken down by department. I would also like to know how many vetting applications were refused "
    f"in the same period, broken down by the reason for refusal and the ethnicity of the applicant. "
    f"Finally, please list every police station in {MARKER} closed to the public since 2010 with the "
    f"date it closed and what the building is now used for.",
    f"How many drones does the force own, what did they cost, and how many times were they deployed "
    f"over {MARKER} in 2023 by the type of incident?",
    f"Hi, I want to know the number of hate crimes recorded in {MARKER} where the victim was targeted "
    "because of their disability, for the calendar years 2020 to 2024 inclusive. Thanks.",
]


def make_requests(n: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body: dict = {"id": f"load-{i}", "text": rng.choice(TEXTS)}
        if rng.random() < 0.8:
            body["received"] = date(2024, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
        if rng.random() < 0.15:
            body["regime"] = "foisa"
        out.append(body)
    return out


# ------------------------------------------------------------------ the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``foi-triage serve`` in a subprocess of ours, stopped by its own pid."""

    def __init__(self, workers: int, data_home: str, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "XDG_DATA_HOME": data_home, "FOI_TRIAGE_API_KEYS": KEY}
        env.pop("FOI_TRIAGE_LOG_TEXT", None)
        env.pop("FOI_TRIAGE_DB", None)
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "triage", "serve", "--port", str(self.port), "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, workers: int, timeout: float = 180.0) -> float:
        """Seconds until /readyz answers 200 on fresh connections 4 x workers times in a row."""
        t0 = time.perf_counter()
        in_a_row = 0
        while in_a_row < 4 * workers:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited ({self.proc.returncode}); see {self.log_path}")
            if time.perf_counter() - t0 > timeout:
                raise SystemExit(f"not ready after {timeout:.0f} s; see {self.log_path}")
            try:
                ok = httpx.get(self.url + "/readyz", timeout=5).status_code == 200
            except httpx.HTTPError:
                ok = False
            in_a_row = in_a_row + 1 if ok else 0
            if not ok:
                time.sleep(0.2)
        return time.perf_counter() - t0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


# ------------------------------------------------------------------ the load

async def run_load(url: str, bodies: list[dict], clients: int) -> dict:
    queue: asyncio.Queue = asyncio.Queue()
    for b in bodies:
        queue.put_nowait(b)
    latencies: list[float] = []
    errors: list[str] = []
    request_ids: set[str] = set()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {KEY}"}

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60, headers=headers) as client:
        async def worker() -> None:
            while True:
                try:
                    body = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                try:
                    r = await client.post("/v1/triage", json=body)
                except httpx.HTTPError as e:
                    errors.append(f"{type(e).__name__}: {e}")
                    continue
                latencies.append(time.perf_counter() - t0)
                request_ids.add(r.headers.get("x-request-id", ""))
                if r.status_code != 200 or r.json().get("id") != body["id"]:
                    errors.append(f"{r.status_code}: {r.text[:200]}")

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - t0

    lat_ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(lat_ms, n=100) if len(lat_ms) > 1 else [lat_ms[0]] * 99
    return {"requests": len(bodies), "errors": len(errors), "error_samples": errors[:3], "seconds": round(wall, 2),
            "rps": round(len(bodies) / wall, 1), "p50_ms": round(statistics.median(lat_ms), 1),
            "p95_ms": round(q[94], 1), "p99_ms": round(q[98], 1), "distinct_request_ids": len(request_ids)}


def check_log(path: Path, expected_requests: int) -> dict:
    """The server's JSON access lines: one per /v1/triage call, none with request words."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    leaked = sum(MARKER in line for line in lines)
    access = 0
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("event") == "request" and rec.get("path") == "/v1/triage":
            access += 1
    return {"access_lines": access, "lines_with_request_words": leaked, "expected_at_least": expected_requests}


# ------------------------------------------------------------------ report

def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "os": f"{platform.system()} {platform.release()}",
            "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?",
            "load1": os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0}


def commit() -> str:
    """The checked-out commit, read from .git (no git command is run)."""
    git = ROOT / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head[:10]
        ref = head.split(":", 1)[1].strip()
        ref_file = git / ref
        if ref_file.is_file():
            return ref_file.read_text().strip()[:10]
        common = git / "commondir"
        base = (git / common.read_text().strip()) if common.is_file() else git
        for candidate in (base / ref, base / "packed-refs"):
            if candidate.is_file() and candidate.name != "packed-refs":
                return candidate.read_text().strip()[:10]
            if candidate.is_file():
                for line in candidate.read_text().splitlines():
                    if line.endswith(" " + ref):
                        return line.split()[0][:10]
    except (OSError, IndexError):
        pass
    return "unknown"


def section(results: list[dict], args: argparse.Namespace, m: dict, sha: str) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    words = [len(t.split()) for t in TEXTS]
    busy = ""
    if m["load1"] > (m["cores"] or 1):
        busy = (f" The machine was busy (load average {m['load1']:.1f} on {m['cores']} cores): a second worker "
                "found no idle core, so the worker counts cannot be compared on this run.")
    by = {r["workers"]: r for r in results}
    speedup = ""
    if 1 in by and len(by) > 1:
        speedup = " " + "; ".join(f"{n} workers gave {by[n]['rps'] / by[1]['rps']:.2f}x the requests/s of one"
                                  for n in sorted(by) if n != 1) + "."
    rows = "\n".join(
        f"| {r['workers']} | {r['requests']:,} | {r['errors']} | {r['rps']:.1f} | {r['p50_ms']:.1f} | "
        f"{r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {r['ready_s']:.1f} |" for r in results)
    return f"""{HEADING}

`python bench/load.py` ({when}; commit `{sha}` plus the working tree of the day): `foi-triage serve
--workers N` on 127.0.0.1 with an API key on, {args.clients} concurrent clients (httpx, asyncio, on the
same machine) sending {args.requests:,} `POST /v1/triage` calls in all: {len(TEXTS)} request texts of
{min(words)} to {max(words)} words, most with a received date, some under FOISA. Latency is per call as
the client saw it, after a warm-up of 100 calls per worker.

Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['os']}; load average
{m['load']} when the run started (other work on the machine slows both client and server).

| workers | requests | errors | requests/s | p50 ms | p95 ms | p99 ms | ready after (s) |
|---|---|---|---|---|---|---|---|
{rows}

The client shares the {m['cores']} cores with the server, so these are a floor. One worker
serialises triage calls (a pipeline is not shared between threads); each further worker is a
process with its own pipeline and models (about {results[-1]['rss_mb']} MB resident each).{speedup}{busy}
Every response carried its own `X-Request-ID`, the server logged one JSON line per call
({', '.join(str(r['access_lines']) for r in results)} access lines, warm-up included), and none of
its log lines held a word of the requests.
"""


def write_section(text: str) -> None:
    """Replace the "API load" section of BENCHMARKS.md (other sections are left as they are)."""
    old = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: text.rstrip() + "\n\n", old, count=1)
    else:
        new = old.rstrip() + "\n\n" + text
    BENCHMARKS.write_text(new.rstrip() + "\n", encoding="utf-8")


def rss_mb(pid: int, workers: int) -> float:
    """Resident memory of one worker in MB: the server itself, or its worker processes' average."""
    sel = ["-p", str(pid)] if workers == 1 else ["--ppid", str(pid)]
    try:
        out = subprocess.run(["ps", "-o", "rss=", *sel], capture_output=True, text=True, check=False).stdout
        sizes = [int(x) for x in out.split()]
    except (OSError, ValueError):
        return 0.0
    # uvicorn's supervisor may have a helper child besides the workers: take the largest
    sizes = sorted(sizes, reverse=True)[:workers]
    return sum(sizes) / len(sizes) / 1024 if sizes else 0.0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = p.parse_args(argv)

    m, sha = machine(), commit()
    print(f"machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}; commit {sha}")
    bodies = make_requests(args.requests)
    results = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="foi-triage-load-") as tmp:
        for n in args.workers:
            log_path = Path(tmp) / f"server-{n}.log"
            server = Server(n, tmp, log_path)
            try:
                ready = server.wait_ready(n)
                # warm every worker (first calls open the disclosure store, fill caches)
                asyncio.run(run_load(server.url, make_requests(100 * n, seed=3), args.clients))
                res = asyncio.run(run_load(server.url, bodies, args.clients))
                res.update(workers=n, ready_s=round(ready, 1), rss_mb=round(rss_mb(server.proc.pid, n)))
            finally:
                server.stop()
            res.update(check_log(log_path, args.requests))
            print(f"workers={n}: {res['requests']} requests, {res['errors']} errors, {res['rps']} req/s, "
                  f"p50 {res['p50_ms']} ms, p95 {res['p95_ms']} ms, p99 {res['p99_ms']} ms "
                  f"(ready after {res['ready_s']} s; {res['access_lines']} access log lines, "
                  f"{res['lines_with_request_words']} with request words; ~{res['rss_mb']} MB a worker)")
            if res["errors"]:
                print("  errors, e.g.:", *res["error_samples"], sep="\n    ")
            if res["errors"] or res["lines_with_request_words"] or res["access_lines"] < args.requests \
                    or res["distinct_request_ids"] != args.requests:
                failed = True
            results.append(res)
    if not args.no_write:
        write_section(section(results, args, m, sha))
        print(f"written to {BENCHMARKS.relative_to(ROOT)} under '{HEADING}'")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
