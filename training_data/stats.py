"""Label counts and lengths of the training data, as Markdown for training_data/README.md.

    python training_data/stats.py [training_data/requests.jsonl]

Rows are grouped by where they came from: `core` (hand-written: core.jsonl, and the long
real-register requests in core_long_*.jsonl, told apart by their id prefix) and `generated`.
"""
from __future__ import annotations

import json
import statistics
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def group_of(row: dict) -> str:
    if row.get("source") == "generated":
        return "generated"
    return "core (long)" if str(row.get("id", "")).startswith("L") else "core"


def main(path: Path) -> None:
    rows = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    groups = ["core", "core (long)", "generated"]
    by = {g: [r for r in rows if group_of(r) == g] for g in groups}
    groups = [g for g in groups if by[g]]

    def table(title: str, key) -> None:
        counts = {g: Counter(x for r in by[g] for x in key(r)) for g in groups}
        total = Counter()
        for c in counts.values():
            total.update(c)
        print(f"{title}:\n")
        print("| label | " + " | ".join(groups) + " | total |")
        print("|---|" + "---:|" * (len(groups) + 1))
        for label, n in total.most_common():
            print(f"| {label} | " + " | ".join(str(counts[g][label]) for g in groups) + f" | {n} |")
        print()

    table("Topics (a row counts once for each of its labels)", lambda r: r["topics"])
    table("Exemptions cited", lambda r: set(r["exemptions"]))
    for g in groups + ["all"]:
        rs = rows if g == "all" else by[g]
        n = len(rs)
        none = sum(not r["exemptions"] for r in rs) / n
        ncnd = sum(bool(r.get("ncnd")) for r in rs) / n
        s12 = sum("s12" in r["exemptions"] for r in rs) / n
        lengths = sorted(len(r["text"].split()) for r in rs)
        q = statistics.quantiles(lengths, n=4)
        per = Counter(len(r["topics"]) for r in rs)
        print(f"{g}: rows {n}, no exemption {none:.0%}, ncnd {ncnd:.1%}, s12 {s12:.1%}, "
              f"topics per row 1/2/3 = {[per[1], per[2], per[3]]}, words min {lengths[0]} "
              f"median {statistics.median(lengths):.0f} upper quartile {q[2]:.0f} max {lengths[-1]}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "requests.jsonl")
