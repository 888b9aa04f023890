"""Batch scoring at scale: parallel workers, resume, Excel input, CSV output."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from triage import Triage
from triage.batch import CSV_HEADER, flatten_row, iter_requests, run_batch
from triage.models import ErrorLine

CAMPAIGN = ("Under the Freedom of Information Act, please tell me how many officers at {force} were issued "
            "body-worn cameras in 2022 and 2023, and how many recordings were deleted before review.")
TEXTS = [
    "How many drones does the force operate, and what did they cost in 2023?",
    "1. How many officers were dismissed for gross misconduct since 2020?\n2. Please break this down by rank.",
    "Please provide the number of thefts of catalytic converters reported in 2022, by month.",
    "What is the force's policy on the retention of custody images?",
    "How many 999 calls were abandoned in the financial year 2022/23?",
    "How much was spent on agency staff in each of the last three years?",
    "How many stop and search encounters in 2023 led to an arrest, broken down by ethnicity?",
    "Please send me all emails between the chief constable and the commissioner about the new headquarters.",
]


def _records() -> list[dict]:
    recs = [{"id": f"t{i}", "text": t, "received": "2024-02-05"} for i, t in enumerate(TEXTS)]
    recs += [{"id": f"c{i}", "text": CAMPAIGN.format(force=f), "received": "2024-02-06"}
             for i, f in enumerate(["Avon Police", "Gwent Police", "Dyfed Police"])]
    recs.insert(3, {"id": "empty", "text": "   "})
    recs.insert(6, {"text": "How many horses are stabled at the mounted unit?"})  # no id: line number
    recs.append({"id": "t0", "text": "How many speed cameras were vandalised in 2021?"})  # a repeated id
    return recs


def _write_jsonl(path: Path, recs: list[dict], extra: bytes = b"") -> Path:
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in recs) + extra)
    return path


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def triage():
    return Triage()


@pytest.fixture(scope="module")
def backlog(tmp_path_factory, triage):
    """An input with a campaign, bad records and a repeated id, and its full one-process output."""
    d = tmp_path_factory.mktemp("scale")
    src = _write_jsonl(d / "in.jsonl", _records(), extra=b'{"id": "broken", "text": \n')
    full = d / "full.jsonl"
    stats = run_batch(src, full, triage=triage)
    return src, full, stats


def test_one_process_run_keeps_input_order_and_groups_the_campaign(backlog):
    src, full, stats = backlog
    rows = _rows(full)
    assert [r["id"] for r in rows][:4] == ["t0", "t1", "t2", "empty"]
    assert rows[6]["id"] == "7"  # the record without an id takes its line number
    assert {r["cluster"] for r in rows if r["id"].startswith("c")} == {"rr1"}
    assert rows[-1]["id"] == "15" and "not valid JSON" in rows[-1]["error"]
    assert (stats.total, stats.errors, stats.skipped) == (15, 2, 0)


def test_two_workers_write_the_same_lines_as_one(tmp_path, backlog):
    src, full, _ = backlog
    out = tmp_path / "jobs2.jsonl"
    stats = run_batch(src, out, jobs=2, chunk_size=2)  # small chunks: results finish out of order
    assert out.read_bytes() == full.read_bytes()
    assert (stats.total, stats.ok, stats.errors) == (15, 13, 2)


@pytest.mark.parametrize("cut", [0.45, 0.8])
def test_resume_after_an_interruption_mid_line_gives_the_full_run(tmp_path, backlog, triage, cut):
    src, full, _ = backlog
    data = full.read_bytes()
    out = tmp_path / "out.jsonl"
    # an interrupted run: the lines written so far (before grouping), the last one cut in half
    run_batch(src, out, triage=triage, group=False)
    partial = out.read_bytes()[: int(len(data) * cut)]
    assert not partial.endswith(b"\n")
    out.write_bytes(partial)
    done = partial.count(b"\n")
    stats = run_batch(src, out, triage=triage, resume=True)
    assert stats.skipped == done and stats.total == 15 - done
    assert out.read_bytes() == full.read_bytes()  # no duplicates, no gaps, clusters as in a full run
    ids = [r["id"] for r in _rows(out)]
    assert ids.count("t0") == 2 and len(ids) == 15


def test_resume_of_a_finished_run_triages_nothing(tmp_path, backlog, triage):
    src, full, _ = backlog
    out = tmp_path / "out.jsonl"
    out.write_bytes(full.read_bytes())
    stats = run_batch(src, out, triage=triage, resume=True)
    assert (stats.total, stats.skipped) == (0, 15)
    assert out.read_bytes() == full.read_bytes()
    assert "15 skipped" in stats.summary()


def test_resume_needs_files(backlog, triage):
    src, _, _ = backlog
    with pytest.raises(ValueError, match="resume"):
        run_batch(src, io.StringIO(), triage=triage, resume=True)


# ------------------------------------------------------------------ CSV output

def _csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_output_round_trips_against_the_jsonl_results(tmp_path, backlog, triage):
    src, full, _ = backlog
    out = tmp_path / "out.csv"
    run_batch(src, out, triage=triage)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    rows, results = _csv_rows(out), _rows(full)
    assert tuple(rows[0]) == CSV_HEADER and len(rows) == len(results)
    for flat, res in zip(rows, results):
        assert flat["id"] == res["id"]
        if "error" in res:
            assert flat["error"] == res["error"] and flat["line"] == str(res["line"]) and flat["n_questions"] == ""
            continue
        assert flat["error"] == "" and flat["received"] == res["received"] and flat["deadline"] == res["deadline"]
        assert int(flat["n_questions"]) == len(res["questions"])
        assert flat["questions"] == " | ".join(q["text"] for q in res["questions"])
        assert [t.rsplit(" (", 1)[0] for t in flat["topics"].split("; ")] == [t["label"] for t in res["topics"]]
        assert len([e for e in flat["exemptions"].split("; ") if e]) == len(res["exemptions"])
        assert flat["request_type"] == res["request_type"]["type"]
        assert flat["cost_risk"] == res["cost_risk"]["level"]
        assert flat["cluster"] == (res["cluster"] or "")
        assert flat["breakdowns"] == "; ".join(dict.fromkeys(b["dimension"] for b in res["breakdowns"]))
        assert flat["periods"].count("[") == len(res["dates"])


def test_csv_cells_read_as_formulas_are_defused():
    flat = flatten_row({"id": "=HYPERLINK(\"x\")", "questions": [{"text": "+1 how many?"}], "topics": []})
    assert flat["id"].startswith("'=") and flat["questions"].startswith("'+1")


def test_exemptions_and_periods_read_like_a_sentence():
    flat = flatten_row({"id": "a", "questions": [],
                        "exemptions": [{"section": "s40", "subsection": "s40(5)", "ncnd": True, "score": 0.812},
                                       {"section": "s30", "score": 0.4}],
                        "dates": [{"text": "2019/20", "start": "2019-04-01", "end": "2020-03-31"},
                                  {"text": "since 2021", "start": "2021-01-01", "end": None}]})
    assert flat["exemptions"] == "s40(5) NCND (0.81); s30 (0.40)"
    assert flat["periods"] == "2019/20 [2019-04-01..2020-03-31]; since 2021 [2021-01-01..]"


def test_resume_into_a_csv_output_cut_mid_row(tmp_path, backlog, triage):
    src, _, _ = backlog
    whole = tmp_path / "whole.csv"
    run_batch(src, whole, triage=triage)
    out = tmp_path / "out.csv"
    run_batch(src, out, triage=triage, group=False)
    data = out.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    stats = run_batch(src, out, triage=triage, resume=True)
    assert stats.skipped > 0 and stats.skipped + stats.total == 15
    assert out.read_bytes() == whole.read_bytes()


# ------------------------------------------------------------------ bad rows in each input format

def test_bad_csv_rows_become_error_lines_and_the_run_goes_on(tmp_path, triage):
    src = tmp_path / "in.csv"
    src.write_bytes(b'id,text,received\n'
                    b'a,How many tasers were fired in 2023?,2024-01-02\n'
                    b'b,,2024-01-02\n'                                    # empty text
                    b'c,"ab\x00\x01\x02\x03\x04\x05\x06\x07cd",\n'          # binary
                    b'd,How many dogs?,02/01/2024\n'                      # bad date
                    b'e,"unterminated "quote" here",2024-01-02\n'         # bad quoting
                    b'f,How many \x81\x8d\x9d?,2024-01-02\n'              # neither UTF-8 nor cp1252
                    b'g,How many cells are in the custody suite?,2024-01-02\n')
    out = io.StringIO()
    stats = run_batch(src, out, triage=triage, group=False)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == list("abcdefg")
    errors = {r["id"]: (r["line"], r["error"]) for r in rows if "error" in r}
    assert set(errors) == set("bcdef")
    assert errors["b"][0] == 3 and "empty" in errors["b"][1]
    assert "binary" in errors["c"][1].lower() or "control" in errors["c"][1].lower()
    assert "YYYY-MM-DD" in errors["d"][1] and "malformed CSV row" in errors["e"][1]
    assert errors["f"][0] == 7 and "cannot decode" in errors["f"][1]
    assert (stats.ok, stats.errors) == (2, 5)


def _xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_excel_input_reads_the_header_date_cells_and_bad_rows(tmp_path, triage):
    src = _xlsx(tmp_path / "in.xlsx", [
        ["Ref", "Request", "Date in"],
        ["X1", "How many officers were assaulted on duty in 2023?", datetime(2024, 3, 4)],
        [17, "What did the force spend on overtime in 2022/23?", "2024-03-05"],  # numeric id, text date
        ["X3", None, datetime(2024, 3, 4)],                                      # no text
        ["X4", 12345, datetime(2024, 3, 4)],                                     # a number, not text
        [None, None, None],                                                      # blank: skipped
        ["X6", "How many speed awareness courses were run?", "next week"],       # bad date
        ["X7", True, None],                                                      # a checkbox, not text
        [None, "How many firearms licences were revoked in 2022?", 45000],       # no id; a number as date
    ])
    items = list(iter_requests(src, "Request", "Ref", "Date in"))
    assert [(n, it.id) for n, it in items] == [(2, "X1"), (3, "17"), (4, "X3"), (5, "X4"), (7, "X6"),
                                               (8, "X7"), (9, "9")]
    assert items[0][1].received.isoformat() == "2024-03-04"
    out = tmp_path / "out.jsonl"
    stats = run_batch(src, out, text_column="Request", id_column="Ref", received_column="Date in",
                      triage=triage, group=False)
    rows = {r["id"]: r for r in _rows(out)}
    assert rows["X1"]["received"] == "2024-03-04" and rows["17"]["received"] == "2024-03-05"
    assert rows["X3"]["line"] == 4 and "no \"Request\" field" in rows["X3"]["error"]
    assert "must be a string" in rows["X4"]["error"]
    assert "YYYY-MM-DD" in rows["X6"]["error"] and "YYYY-MM-DD" in rows["9"]["error"]
    assert "must be a string, not bool" in rows["X7"]["error"]
    assert (stats.ok, stats.errors) == (2, 5)


def test_an_excel_sheet_broken_part_way_ends_with_an_error_line_for_that_row(tmp_path):
    import zipfile

    good = _xlsx(tmp_path / "good.xlsx", [["id", "text"], ["a", "How many cells?"], ["b", 5],
                                          ["c", "How many vans?"]])
    with zipfile.ZipFile(good) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<v>5</v>", b"<v>five</v>")  # a number cell that is not a number
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(bad, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    items = list(iter_requests(bad))
    assert [(n, type(it).__name__) for n, it in items] == [(2, "BatchRequest"), (3, "ErrorLine")]
    assert "malformed xlsx row" in items[1][1].error


def test_an_excel_file_without_the_text_column_or_not_a_workbook_is_refused(tmp_path, triage):
    src = _xlsx(tmp_path / "in.xlsx", [["id", "body"], ["1", "How many?"]])
    with pytest.raises(ValueError, match="--text-column"):
        run_batch(src, io.StringIO(), triage=triage)
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"id,text\n1,How many?\n")
    with pytest.raises(ValueError, match="workbook"):
        run_batch(fake, io.StringIO(), triage=triage)


def test_error_lines_from_the_reader_are_typed():
    assert ErrorLine(id="x", line=3, error="e").model_dump() == {"id": "x", "line": 3, "error": "e"}


# ------------------------------------------------------------------ the command

def test_the_cli_runs_two_jobs_writes_csv_and_a_report(tmp_path, backlog):
    src, full, _ = backlog
    out, report = tmp_path / "out.csv", tmp_path / "report.html"
    p = subprocess.run([sys.executable, "-m", "triage", "batch", str(src), "-o", str(out), "--jobs", "2",
                        "--report", str(report)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "15 requests, 13 ok, 2 errors" in p.stderr and "rr1: 3 requests" in p.stderr
    assert "%|" not in p.stderr  # no progress bar when stderr is not a terminal
    assert [r["id"] for r in _csv_rows(out)] == [r["id"] for r in _rows(full)]
    assert "<svg" in report.read_text(encoding="utf-8")
    again = subprocess.run([sys.executable, "-m", "triage", "batch", str(src), "-o", str(out), "--resume"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "15 skipped" in again.stderr


def test_resuming_a_finished_run_does_not_repeat_the_aggregation_note(tmp_path, triage):
    src = _write_jsonl(tmp_path / "in.jsonl", [
        {"id": "p1", "text": "How many burglaries were reported in Ashford in 2023?", "received": "2024-01-08",
         "requester": "J. Smith"},
        {"id": "p2", "text": "How many burglaries were reported in Ashford in 2022, by month?",
         "received": "2024-01-22", "requester": "j. smith"}])
    out = tmp_path / "out.jsonl"
    run_batch(src, out, triage=triage)
    first = out.read_bytes()
    assert _rows(out)[0]["cost_risk"]["aggregated_with"] == ["p2"]
    run_batch(src, out, triage=triage, resume=True)
    assert out.read_bytes() == first


def test_resume_fills_a_gap_in_the_middle_at_the_end_and_still_groups(tmp_path, backlog, triage):
    src, full, _ = backlog
    lines = full.read_bytes().splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"".join(lines[:2] + lines[3:]))  # the third record's line is missing
    stats = run_batch(src, out, triage=triage, resume=True)
    assert (stats.total, stats.skipped) == (1, 14)
    rows = _rows(out)
    assert sorted(json.dumps(r, sort_keys=True) for r in rows) == \
        sorted(json.dumps(json.loads(x), sort_keys=True) for x in lines)  # the same lines; the gap at the end
    assert rows[-1]["id"] == "t2"
