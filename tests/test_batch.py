"""``triage.batch`` from Python: reading records and streaming results."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest

from triage import Triage
from triage.batch import (BatchStats, decode_bytes, iter_requests, parse_received, run_batch,
                          UndecodableError)
from triage.models import ErrorLine, TriageRequest


@pytest.fixture(scope="module")
def triage():
    return Triage()


def test_utf8_is_read_as_is_and_a_bom_is_dropped():
    assert decode_bytes("\ufeffHow many £?".encode("utf-8")) == ("How many £?", None)


def test_windows_1252_is_the_fallback_with_a_warning():
    text, warning = decode_bytes(b"How many \x93cases\x94 cost \xa3100?")
    assert text == "How many \u201ccases\u201d cost \u00a3100?"
    assert "Windows-1252" in warning


def test_bytes_that_are_neither_encoding_are_refused():
    with pytest.raises(UndecodableError, match="position 4"):
        decode_bytes(b"How \x81\x8d?")


@pytest.mark.parametrize("value, expected", [
    ("2023-07-01", date(2023, 7, 1)), (" 2023-07-01 ", date(2023, 7, 1)), (None, None), ("", None)])
def test_received_accepts_iso_days_or_nothing(value, expected):
    assert parse_received(value) == expected


@pytest.mark.parametrize("value", ["01/07/2023", "2023-02-30", "20230701", "yesterday", 20230701])
def test_received_refuses_anything_else(value):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_received(value)


def test_jsonl_records_come_back_with_their_line_numbers(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "x", "text": "How many?"}\n\n[1, 2]\n{"id": 7, "text": "Q?", "received": "2024-01-02"}\n'
                    b'{"id": "w", "text": "\x93How many?\x94"}\n')
    items = list(iter_requests(src))
    assert [n for n, _ in items] == [1, 3, 4, 5]
    assert isinstance(items[0][1], TriageRequest) and items[0][1].id == "x"
    assert isinstance(items[1][1], ErrorLine) and "JSON object" in items[1][1].error
    assert items[2][1].id == "7" and items[2][1].received == date(2024, 1, 2)
    assert items[3][1].text == "\u201cHow many?\u201d"
    assert "Windows-1252" in items[3][1].read_warning


def test_an_undecodable_line_in_a_multiline_csv_record_fails_only_that_record(tmp_path):
    src = tmp_path / "in.csv"
    src.write_bytes(b'id,text\n1,"first line\nsecond \x81 line"\n2,How many?\n')
    items = list(iter_requests(src))
    assert [(n, type(it).__name__) for n, it in items] == [(2, "ErrorLine"), (4, "BatchRequest")]
    assert items[0][1].id == "1" and "cannot decode" in items[0][1].error


def test_run_batch_streams_to_an_open_file_and_counts(tmp_path, triage):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "How many horses?", "received": "2024-01-01"}) + "\n"
                   + json.dumps({"id": "b", "text": ""}) + "\n", encoding="utf-8")
    out = io.StringIO()
    seen = []
    stats = run_batch(src, out, triage=triage, on_result=seen.append)
    rows = [json.loads(l) for l in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"] == [r["id"] for r in seen]
    assert (stats.total, stats.ok, stats.errors) == (2, 1, 1)
    assert rows[1] == {"id": "b", "line": 2, "error": rows[1]["error"]}


def test_the_summary_line_reads_like_a_sentence():
    s = BatchStats(total=10, ok=9, errors=1, seconds=2.0).summary()
    assert s == "10 requests, 9 ok, 1 errors in 2.0 s (5.0/s)"


def test_the_summary_says_how_many_were_skipped_when_resuming():
    s = BatchStats(total=4, ok=4, errors=0, seconds=2.0, skipped=6).summary()
    assert s == "4 requests, 4 ok, 0 errors in 2.0 s (2.0/s); 6 skipped (already in the output)"


def test_run_batch_writes_csv_to_an_open_stream_when_asked(tmp_path, triage):
    import csv

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "How many horses?", "received": "2024-01-01"}) + "\n",
                   encoding="utf-8")
    out = io.StringIO()
    run_batch(src, out, triage=triage, out_format="csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["id"] == "a" and rows[0]["n_questions"] == "1" and rows[0]["error"] == ""


def test_an_unknown_output_format_or_engine_is_refused(tmp_path, triage):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "How many?"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="format"):
        run_batch(src, io.StringIO(), triage=triage, out_format="xml")
    with pytest.raises(ValueError, match="engine"):
        run_batch(src, io.StringIO(), triage=triage, engine="spark")
