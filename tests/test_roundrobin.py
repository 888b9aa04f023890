"""Round-robin grouping and same-requester aggregation in batch scoring."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date

import pytest

from triage import Triage
from triage.batch import iter_requests, run_batch
from triage.models import ErrorLine
from triage.roundrobin import (NEAR_DUPLICATE, BatchGrouper, content_signature, shingle_signature, similarity,
                               words)

CAMPAIGN = ("Dear {force},\n\nUnder the Freedom of Information Act I would like to know:\n"
            "1. How many Taser discharges did your officers make in each of 2021, 2022 and 2023, broken down by "
            "the ethnicity of the person?\n2. How many of your officers are trained to carry Taser?\n"
            "3. How many complaints about Taser use did you receive in the same years?\n\nYours, {name}")
OTHERS = [
    "How many burglaries were recorded in Leeds in 2022, broken down by ward?",
    "Please provide a copy of your policy on the retention of custody images.",
]


def jaccard(a: str, b: str) -> float:
    def sh(t):
        w = words(t)
        return {" ".join(w[i:i + 3]) for i in range(len(w) - 2)}
    x, y = sh(a), sh(b)
    return len(x & y) / len(x | y)


@pytest.fixture(scope="module")
def triage():
    return Triage()


def test_minhash_estimates_the_jaccard_similarity_of_shingles():
    a = CAMPAIGN.format(force="Kent Police", name="Jo")
    b = a.replace("2021, 2022 and 2023", "2020 and 2021").replace("trained to carry", "authorised to use")
    est = similarity(shingle_signature(a), shingle_signature(b))
    assert abs(est - jaccard(a, b)) < 0.15


def test_the_same_campaign_text_to_different_forces_is_near_identical():
    a = shingle_signature(CAMPAIGN.format(force="Kent Police", name="Jo Bloggs"))
    b = shingle_signature(CAMPAIGN.format(force="Sussex Police", name="Sam Smith"))
    assert similarity(a, b) >= NEAR_DUPLICATE
    assert similarity(a, shingle_signature(OTHERS[0])) < 0.2


def test_signatures_are_stable_between_runs():
    s = shingle_signature("How many speed cameras are there in the county?")
    out = subprocess.run([sys.executable, "-c", "from triage.roundrobin import shingle_signature as s;"
                          "print(list(map(int, s('How many speed cameras are there in the county?'))))"],
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [int(x) for x in s]


def test_the_grouper_forms_clusters_and_keeps_no_text():
    g = BatchGrouper()
    forces = ["Kent Police", "Sussex Police", "Essex Police", "Surrey Police"]
    for i, force in enumerate(forces):
        g.add(f"c{i}", CAMPAIGN.format(force=force, name=f"Person {i}"))
    for i, text in enumerate(OTHERS):
        g.add(f"o{i}", text)
    clusters = g.clusters()
    assert [(c.id, c.members) for c in clusters] == [("rr1", ["c0", "c1", "c2", "c3"])]
    assert [g.cluster_of(i) for i in range(6)] == ["rr1"] * 4 + [None, None]
    assert not any(hasattr(s, "text") for s in g._people.values())  # signatures only
    assert not any(isinstance(v, str) and len(v) > 40 for v in vars(g).values())
    assert "rr1: 4 requests" in "\n".join(g.summary_lines())


def test_the_same_requester_asking_for_similar_information_within_60_working_days_may_be_aggregated():
    g = BatchGrouper()
    g.add("a", "How many Taser discharges were there in 2022, by ethnicity?", "Jo Bloggs", date(2024, 1, 8))
    g.add("b", "How many Taser discharges were there in 2023, by age and ethnicity?", "jo  bloggs", date(2024, 2, 5))
    g.add("c", "How many Taser discharges were there in 2021 by ethnicity?", "Jo Bloggs", date(2024, 9, 2))
    g.add("d", "How many Taser discharges were there in 2023 by ethnicity?", "Someone Else", date(2024, 2, 5))
    g.add("e", "What did the force spend on stationery in 2023?", "Jo Bloggs", date(2024, 2, 6))
    assert g.aggregated_with(0) == ["b"]
    assert g.aggregated_with(1) == ["a"]
    assert g.aggregated_with(2) == []  # more than 60 working days later
    assert g.aggregated_with(3) == []  # another requester
    assert g.aggregated_with(4) == []  # different information


def test_content_words_ignore_courtesy_and_request_boilerplate():
    a = content_signature("Dear Sir, please could you provide the number of dog bites. Thanks")
    b = content_signature("Hello, I request under FOI the number of dog bites. Regards")
    assert similarity(a, b) > 0.6


def _batch_input(tmp_path):
    lines = [{"id": f"k{i}", "text": CAMPAIGN.format(force=f, name=f"P{i}"), "received": "2024-03-01"}
             for i, f in enumerate(["Kent Police", "Sussex Police", "Essex Police"])]
    lines += [{"id": "x1", "text": "How many dog bites were reported in 2023?", "received": "2024-01-08",
               "requester": "Ann Lee"},
              {"id": "x2", "text": "How many dog bites were reported in 2022, by district?", "received": "2024-01-15",
               "requester": "Ann Lee", "clarified": "2024-01-20", "regime": "foisa"},
              {"id": "bad", "text": "How many?", "received": "2024-01-15", "clarified": "15/01/2024"}]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return src


def test_the_batch_reader_reads_clarified_requester_and_regime(tmp_path):
    items = dict((item.id, item) for _, item in iter_requests(_batch_input(tmp_path)))
    assert items["x2"].clarified == date(2024, 1, 20) and items["x2"].requester == "Ann Lee"
    assert items["x2"].regime == "foisa"
    assert isinstance(items["bad"], ErrorLine) and "clarified" in items["bad"].error


def test_a_batch_marks_clusters_and_aggregation_and_lists_the_clusters(tmp_path, triage):
    out = io.StringIO()
    stats = run_batch(_batch_input(tmp_path), out, triage=triage)
    rows = {r["id"]: r for r in map(json.loads, out.getvalue().splitlines())}
    assert [rows[k]["cluster"] for k in ("k0", "k1", "k2")] == ["rr1"] * 3
    assert rows["x1"]["cluster"] is None
    assert rows["x1"]["cost_risk"]["aggregated_with"] == ["x2"]
    assert rows["x1"]["cost_risk"]["reasons"][-1]["rule"] == "same_requester_similar_information"
    assert rows["x2"]["regime"] == "foisa" and rows["x2"]["deadline_basis"]["clock_start"] == "2024-01-20"
    assert "error" in rows["bad"]
    assert list(rows) == ["k0", "k1", "k2", "x1", "x2", "bad"]  # input order kept
    assert stats.cluster_lines[1].strip().startswith("rr1: 3 requests")


def test_grouping_can_be_turned_off_for_pure_streaming(tmp_path, triage):
    out = io.StringIO()
    stats = run_batch(_batch_input(tmp_path), out, triage=triage, group=False)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert all(r.get("cluster") is None for r in rows) and stats.cluster_lines is None


def test_the_cli_batch_takes_a_regime_and_prints_the_clusters(tmp_path):
    src = _batch_input(tmp_path)
    dst = tmp_path / "out.jsonl"
    p = subprocess.run([sys.executable, "-m", "triage", "batch", str(src), "-o", str(dst), "--regime", "foisa"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "round-robin cluster" in p.stderr and "rr1: 3 requests" in p.stderr
    rows = [json.loads(x) for x in dst.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["regime"] == "foisa"


def test_the_cli_triage_takes_regime_and_clarified(tmp_path):
    f = tmp_path / "req.txt"
    f.write_text("How many speed cameras did the force run in 2023?", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "triage", "triage", str(f), "--received", "2024-05-01",
                        "--clarified", "2024-05-10", "--regime", "foisa"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert r["deadline"] == "2024-06-10" and r["regime"] == "foisa" and r["deadline_pit"] is None
    bad = subprocess.run([sys.executable, "-m", "triage", "triage", str(f), "--received", "2024-05-10",
                          "--clarified", "2024-05-01"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "before received" in bad.stderr


def test_csv_columns_named_clarified_and_requester_are_read(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('id,text,received,clarified,requester\nc1,"How many dog bites?",2024-01-08,2024-01-12,Ann Lee\n'
                   'c2,"How many cats?",2024-01-08,,\n', encoding="utf-8")
    items = [item for _, item in iter_requests(src)]
    assert (items[0].clarified, items[0].requester) == (date(2024, 1, 12), "Ann Lee")
    assert (items[1].clarified, items[1].requester) == (None, None)


def test_requests_added_after_reading_the_groups_still_join_them():
    # --resume reads the groups of the earlier output, then adds the rest of the batch
    g = BatchGrouper()
    ask = ("How many stop and search encounters were recorded in each of the last three years, "
           "broken down by ethnicity and outcome?")
    g.add("a", ask)
    g.add("b", "What did the council spend on parking enforcement contracts in Leeds in 2021?")
    assert g.clusters() == []
    g.add("c", ask + " Please send the figures as a spreadsheet.")
    assert [c.members for c in g.clusters()] == [["a", "c"]]


def test_signing_in_the_worker_groups_exactly_as_regrouping_the_written_file(tmp_path, triage):
    # batch workers sign each request from its questions; a resumed run regroups from the output file
    from triage.batch import Wanted, _regroup, score_one
    from triage.roundrobin import sign_result

    src = _batch_input(tmp_path)
    out = tmp_path / "out.jsonl"
    live = BatchGrouper()
    with open(out, "w", encoding="utf-8") as f:
        for line_no, item in iter_requests(src):
            scored = score_one(triage, line_no, item, Wanted(row=True, signature=True))
            live.add_signed(scored.id, scored.signed)
            f.write(scored.line + "\n")
            again = sign_result(json.loads(scored.line), item)
            assert (again.shingles == scored.signed.shingles).all() if again.shingles is not None \
                else scored.signed.shingles is None
    from_file, n = _regroup(out, "jsonl", src, ("text", "id", "received"), live.regime)
    assert n == 6
    assert [c.members for c in from_file.clusters()] == [c.members for c in live.clusters()] == [["k0", "k1", "k2"]]
    assert [from_file.aggregated_with(i) for i in range(n)] == [live.aggregated_with(i) for i in range(n)]
