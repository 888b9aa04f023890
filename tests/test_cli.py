"""The ``foi-triage`` command, run as a user runs it (a subprocess per call)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

REQUEST = """Dear Information Rights Team,

I would like the following under the Freedom of Information Act.

1. How many police dogs did the force own on 31 March 2023, broken down by breed?
2. How much was spent on kennelling in each of the last three financial years?

Kind regards,
Robin
"""

SUMMARY = re.compile(r"^(\d+) requests, (\d+) ok, (\d+) errors in [\d.]+ s \([\d.]+/s\)$", re.M)


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    # CI runs with no standard input: never let a command inherit ours
    kw = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    return subprocess.run([sys.executable, "-m", "triage.cli", *args], cwd=ROOT, capture_output=True,
                          timeout=120, **kw)


def assert_no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()


@pytest.fixture
def request_file(tmp_path: Path) -> Path:
    p = tmp_path / "request.txt"
    p.write_text(REQUEST, encoding="utf-8")
    return p


# ------------------------------------------------------------------ triage

def test_triage_of_a_file_prints_the_contract_json(request_file):
    proc = run("triage", str(request_file), "--received", "2024-02-01", "--id", "dogs-1")
    assert proc.returncode == 0, proc.stderr.decode()
    result = json.loads(proc.stdout)
    assert result["id"] == "dogs-1"
    assert result["received"] == "2024-02-01"
    for field in ("questions", "topics", "dates", "breakdowns", "exemptions", "similar", "warnings"):
        assert field in result
    assert [q["number"] for q in result["questions"]] == [1, 2]
    first = result["questions"][0]
    assert REQUEST[first["start"]:first["end"]] == first["text"]


def test_triage_reads_stdin_with_a_dash_or_no_file():
    for args in (["triage", "-"], ["triage"]):
        proc = run(*args, "--received", "2024-02-01", stdin=REQUEST.encode())
        assert proc.returncode == 0, proc.stderr.decode()
        assert len(json.loads(proc.stdout)["questions"]) == 2


def test_text_format_is_a_readable_summary_with_numbered_questions(request_file):
    proc = run("triage", str(request_file), "--format", "text")
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert "Questions (2):" in out
    # the question text may or may not keep the requester's own "1."
    assert re.search(r"^  Q1: (1\. )?How many police dogs", out, re.M)
    assert re.search(r"^  Q2: (2\. )?How much was spent on kennelling", out, re.M)
    assert "periods:" in out
    assert "Periods asked about" in out and "Breakdowns" in out
    # no --received: the summary says relative periods were counted from today
    assert "Warnings:" in out and "today" in out
    assert not out.lstrip().startswith("{")


@pytest.mark.parametrize("text", [b"", b"   \n\t\n"])
def test_empty_input_exits_2_with_a_message(text):
    proc = run("triage", stdin=text)
    assert proc.returncode == 2
    assert b"empty" in proc.stderr
    assert proc.stdout == b""
    assert_no_traceback(proc)


def test_too_long_text_exits_2_and_names_the_limit():
    proc = run("triage", stdin=b"How many dogs? " * 7000)
    assert proc.returncode == 2
    assert b"100,000" in proc.stderr
    assert_no_traceback(proc)


def test_windows_1252_text_is_read_with_a_warning():
    text = "How many \x93dangerous dog\x94 seizures cost over \xa3500?".encode("latin-1")
    proc = run("triage", "--received", "2024-02-01", stdin=text)
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Windows-1252" in proc.stderr
    result = json.loads(proc.stdout)
    assert "\u201cdangerous dog\u201d" in result["questions"][0]["text"]
    assert any("Windows-1252" in w for w in result["warnings"])


def test_undecodable_bytes_exit_2_with_a_message():
    proc = run("triage", stdin=b"How many \x81\x8d\x9d dogs?")
    assert proc.returncode == 2
    assert b"cannot decode" in proc.stderr
    assert_no_traceback(proc)


def test_a_missing_file_exits_1_with_a_message(tmp_path):
    proc = run("triage", str(tmp_path / "nope.txt"))
    assert proc.returncode == 1
    assert b"cannot read" in proc.stderr
    assert_no_traceback(proc)


def test_a_badly_written_received_date_is_refused(request_file):
    proc = run("triage", str(request_file), "--received", "01/02/2024")
    assert proc.returncode == 2
    assert b"YYYY-MM-DD" in proc.stderr


def test_python_dash_m_triage_is_the_same_command():
    proc = subprocess.run([sys.executable, "-m", "triage", "--version"], cwd=ROOT, capture_output=True,
                          timeout=120)
    assert proc.returncode == 0
    assert proc.stdout.decode().startswith("foi-triage ")


# ------------------------------------------------------------------ batch (JSONL)

def jline(obj) -> bytes:
    return json.dumps(obj).encode() + b"\n"


@pytest.fixture(scope="module")
def jsonl_batch(tmp_path_factory):
    """One batch run over a JSONL file with good and bad lines; shared by the tests below."""
    d = tmp_path_factory.mktemp("batch")
    src = d / "in.jsonl"
    lines = [
        jline({"id": "a", "text": "How many horses does the mounted unit have?", "received": "2024-01-15",
               "force": "Anyshire", "tags": ["animals"]}),                      # 1 ok, extra fields
        b'{"id": "b", "text": "unterminated\n',                                   # 2 bad JSON
        jline({"id": "c", "text": "   "}),                                       # 3 empty text
        b'{"id": "d", "text": "How many \x81\x8d\x9d?"}\n',                       # 4 undecodable bytes
        b"\n",                                                                    # 5 blank: skipped
        jline({"id": "e", "body": "no text field here"}),                         # 6 missing text
        jline({"id": "f", "text": "How many horses?", "received": "15/01/2024"}),  # 7 bad received
        jline({"text": "How many police dogs retired in 2022?"}),                 # 8 ok, no id
        jline({"id": 9, "text": "x" * 100_001}),                                  # 9 too long
        jline({"id": "j", "text": "How many stables are there?"}),                # 10 ok, no received
    ]
    src.write_bytes(b"".join(lines))
    out = d / "out.jsonl"
    proc = run("batch", str(src), "-o", str(out))
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    return proc, rows


def test_batch_exits_0_and_writes_one_line_per_record_in_input_order(jsonl_batch):
    proc, rows = jsonl_batch
    assert proc.returncode == 0, proc.stderr.decode()
    assert [r["id"] for r in rows] == ["a", "2", "c", "4", "e", "f", "8", "9", "j"]


def test_batch_good_lines_are_triaged_despite_bad_neighbours(jsonl_batch):
    _, rows = jsonl_batch
    ok = {r["id"]: r for r in rows if "error" not in r}
    assert set(ok) == {"a", "8", "j"}
    assert ok["a"]["received"] == "2024-01-15"
    assert len(ok["a"]["questions"]) == 1
    assert "force" not in ok["a"]  # extra input fields are not echoed
    # without a received date, relative periods count from today and the result says so
    assert any("today" in w for w in ok["j"]["warnings"])


def test_batch_error_lines_carry_line_numbers_and_a_reason(jsonl_batch):
    _, rows = jsonl_batch
    errors = {r["line"]: r["error"] for r in rows if "error" in r}
    assert set(errors) == {2, 3, 4, 6, 7, 9}
    assert "not valid JSON" in errors[2]
    assert "empty" in errors[3]
    assert "cannot decode" in errors[4]
    assert 'no "text" field' in errors[6]
    assert "YYYY-MM-DD" in errors[7]
    assert "100,000" in errors[9]


def test_batch_prints_a_one_line_summary_on_stderr(jsonl_batch):
    proc, _ = jsonl_batch
    m = SUMMARY.search(proc.stderr.decode())
    assert m, proc.stderr.decode()
    assert m.groups() == ("9", "3", "6")


def test_batch_reads_stdin_and_writes_stdout_with_dashes():
    data = jline({"id": "s1", "text": "How many horses?"}) + jline({"id": "s2", "text": ""})
    proc = run("batch", "-", "-o", "-", stdin=data)
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [json.loads(l) for l in proc.stdout.decode().splitlines()]
    assert [r["id"] for r in rows] == ["s1", "s2"]
    assert "questions" in rows[0] and rows[1]["line"] == 2


def test_batch_exits_1_when_the_input_cannot_be_opened(tmp_path):
    out = tmp_path / "out.jsonl"
    proc = run("batch", str(tmp_path / "missing.jsonl"), "-o", str(out))
    assert proc.returncode == 1
    assert b"cannot open" in proc.stderr
    assert not out.exists()
    assert_no_traceback(proc)


# ------------------------------------------------------------------ batch (CSV)

def test_csv_batch_uses_the_named_columns_and_reports_a_malformed_row(tmp_path):
    src = tmp_path / "requests.csv"
    src.write_text(
        "ref,date_in,request,notes\n"
        'R1,2024-03-01,"Dear team,\n1. How many dog bites on officers in 2023?\n2. How many dogs retired?",x\n'
        "R2,2024-03-02,How many kennels are there?\n"                      # one field short
        'R3,2024-03-03,"How many ""general purpose"" dogs are there?",y\n'
        'R4,2024-03-04,"stray "quote" in the middle",z\n'                 # bad quoting
        "R5,,How many dog handlers are there?,\n",
        encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = run("batch", str(src), "-o", str(out), "--text-column", "request", "--id-column", "ref",
               "--received-column", "date_in")
    assert proc.returncode == 0, proc.stderr.decode()
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["R1", "R2", "R3", "R4", "R5"]
    assert rows[0]["received"] == "2024-03-01"
    assert len(rows[0]["questions"]) == 2  # the newline inside the quoted cell is kept
    assert rows[1]["line"] == 5 and "malformed CSV row" in rows[1]["error"]
    assert "questions" in rows[2]
    assert rows[3]["line"] == 7 and "malformed CSV row" in rows[3]["error"]
    assert "questions" in rows[4] and any("today" in w for w in rows[4]["warnings"])
    assert SUMMARY.search(proc.stderr.decode()).groups() == ("5", "3", "2")


def test_csv_without_the_text_column_fails_with_a_hint(tmp_path):
    src = tmp_path / "requests.csv"
    src.write_text("id,body\n1,How many dogs?\n", encoding="utf-8")
    proc = run("batch", str(src), "-o", str(tmp_path / "out.jsonl"))
    assert proc.returncode == 1
    assert b"--text-column" in proc.stderr
    assert_no_traceback(proc)
