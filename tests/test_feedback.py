"""Officer feedback: storing it (the text only when the deployment allows), exporting it as
training rows, and training with it."""
from __future__ import annotations

import html
import json
import re
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from triage import cli, feedback, web
from triage.api import app
from triage.feedback import Feedback, FeedbackError, FeedbackStore, export_rows, text_sha256

FIXTURE = Path(__file__).parent / "data" / "train_fixture.jsonl"

TEXT = ("Please tell me how many officers were disciplined for misusing the police national computer "
        "in 2023, and whether PC Dana Okafor was one of them.")


@pytest.fixture
def store(tmp_path):
    with FeedbackStore(tmp_path / "feedback.db") as s:
        yield s


def _fb(text: str = TEXT, **kw) -> Feedback:
    base = dict(text_sha256=text_sha256(text), text=text,
                predicted_topics=["complaints_misconduct", "information_governance"],
                predicted_exemptions=["s40(5)", "s30(3)", "s31(1)"], model_version="foi-triage test")
    return Feedback(**{**base, **kw})


# ------------------------------------------------------------------ storing

def test_without_the_setting_only_the_hash_of_the_text_is_stored(store, monkeypatch):
    monkeypatch.delenv(feedback.ENV_KEEP_TEXT, raising=False)
    fid = store.add(_fb(wrong_topics=["information_governance"]))
    row = store.conn.execute("SELECT text, text_sha256, model_version, created FROM feedback WHERE id = ?",
                             (fid,)).fetchone()
    assert row[0] is None
    assert row[1] == text_sha256(TEXT) and row[2] == "foi-triage test"
    assert row[3].endswith("+00:00")  # a UTC timestamp


def test_with_the_setting_the_text_is_kept(store, monkeypatch):
    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    fid = store.add(_fb(added_topics=["workforce_hr"]))
    assert store.conn.execute("SELECT text FROM feedback WHERE id = ?", (fid,)).fetchone()[0] == TEXT


@pytest.mark.parametrize("change, message", [
    ({"added_topics": ["weather"]}, "unknown topic"),
    ({"wrong_topics": ["drugs"]}, "not among the predicted topics"),
    ({"wrong_exemptions": ["s43(2)"]}, "not among the suggestions"),
    ({"added_exemptions": ["s99(1)"]}, "unknown exemption"),
    ({"predicted_exemptions": ["<b>"]}, "unreadable exemption"),
    ({"text_sha256": "abc"}, "not a sha256"),
    ({"text": TEXT + " changed", "text_sha256": text_sha256(TEXT)}, "does not match its hash"),
])
def test_feedback_outside_the_vocabularies_or_with_a_wrong_hash_is_refused(store, change, message):
    with pytest.raises(FeedbackError, match=message):
        store.add(_fb(**change))
    assert store.count() == 0


def test_the_store_keeps_its_own_versioned_schema_and_reopens(tmp_path):
    path = tmp_path / "fb.db"
    with FeedbackStore(path) as s:
        s.add(_fb(added_topics=["workforce_hr"]))
    with FeedbackStore(path) as s:
        assert s.count() == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT max(version) FROM feedback_schema_version").fetchone()[0] == \
            feedback.SCHEMA_VERSION


def test_a_store_newer_than_this_code_is_refused_with_a_message(tmp_path):
    path = tmp_path / "fb.db"
    FeedbackStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO feedback_schema_version VALUES (99, 'later')")
    with pytest.raises(FeedbackError, match="newer than this foi-triage"):
        FeedbackStore(path)


def test_the_default_store_sits_next_to_the_disclosure_log_unless_set(monkeypatch, tmp_path):
    from triage.disclosures import default_location

    monkeypatch.delenv(feedback.ENV_DB, raising=False)
    assert feedback.default_location() == default_location().with_name("feedback.db")
    monkeypatch.setenv(feedback.ENV_DB, str(tmp_path / "elsewhere.db"))
    assert feedback.default_location() == tmp_path / "elsewhere.db"


# ------------------------------------------------------------------ export

def test_export_gives_the_predicted_labels_corrected_by_the_feedback(store, monkeypatch):
    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    store.add(_fb(wrong_topics=["information_governance"], added_topics=["workforce_hr"],
                  wrong_exemptions=["s31(1)"], added_exemptions=["s40(2)"], received=None))
    out = export_rows(store)
    assert out.skipped_texts == 0 and len(out.rows) == 1
    row = out.rows[0]
    assert row["text"] == TEXT
    assert row["topics"] == ["complaints_misconduct", "workforce_hr"]
    assert row["exemptions"] == ["s30(3)", "s40(2)", "s40(5)"]  # by section number
    assert row["ncnd"] is True  # s40(5) and s30(3) are neither-confirm-nor-deny forms
    assert row["source"] == "feedback"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", row["received"])


def test_ncnd_follows_the_corrected_exemptions(store, monkeypatch):
    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    store.add(_fb(wrong_exemptions=["s40(5)", "s30(3)"]))
    row = export_rows(store).rows[0]
    assert row["exemptions"] == ["s31(1)"] and row["ncnd"] is False


def test_later_feedback_on_the_same_text_builds_on_the_earlier(store, monkeypatch):
    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    store.add(_fb(wrong_topics=["information_governance"], created="2024-01-01T10:00:00+00:00"))
    store.add(_fb(added_topics=["workforce_hr"], wrong_topics=["complaints_misconduct"],
                  created="2024-01-02T10:00:00+00:00"))
    out = export_rows(store)
    assert len(out.rows) == 1 and out.rows[0]["feedback_submissions"] == 2
    assert out.rows[0]["topics"] == ["workforce_hr"]


def test_removing_every_topic_leaves_other(store, monkeypatch):
    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    store.add(_fb(wrong_topics=["complaints_misconduct", "information_governance"]))
    assert export_rows(store).rows[0]["topics"] == ["other"]


def test_feedback_without_its_text_is_skipped_and_counted(store, monkeypatch):
    monkeypatch.delenv(feedback.ENV_KEEP_TEXT, raising=False)
    store.add(_fb(wrong_topics=["information_governance"]))
    store.add(_fb(added_topics=["drugs"]))
    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    other = "How many cannabis farms were found in 2022?"
    store.add(_fb(text=other, text_sha256=text_sha256(other), predicted_topics=["drugs"], predicted_exemptions=[],
                  added_exemptions=["s31(1)"]))
    out = export_rows(store)
    assert [r["text"] for r in out.rows] == [other]
    assert (out.submissions, out.skipped_texts, out.skipped_submissions) == (3, 1, 2)
    assert "1 requests (2 submissions) skipped" in out.summary() and feedback.ENV_KEEP_TEXT in out.summary()


def test_the_export_command_writes_training_rows_that_training_accepts(tmp_path, monkeypatch, capsys):
    from triage.train import check_row

    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    db = tmp_path / "fb.db"
    with FeedbackStore(db) as s:
        s.add(_fb(added_topics=["workforce_hr"]))
    out = tmp_path / "feedback.jsonl"
    assert cli.main(["feedback", "export", "--db", str(db), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 1 and check_row(rows[0], "exported") == rows[0]
    assert {"text", "topics", "exemptions", "ncnd", "received", "source"} <= set(rows[0])
    assert "1 training rows from 1 feedback submissions" in capsys.readouterr().err


# ------------------------------------------------------------------ the web form

@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setattr(web, "_feedback_store", FeedbackStore(tmp_path / "web-feedback.db"))
    with TestClient(app) as c:
        yield c
    web._feedback_store.close()


def _hidden(page: str, name: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)]


def _feedback_form(page: str) -> dict:
    form = page.split('class="feedback">', 1)[1].split("</form>", 1)[0]
    data: dict = {name: _hidden(form, name) for name in ("text_sha256", "model_version", "received", "regime",
                                                         "predicted_topic", "predicted_exemption", "text")}
    return {k: v for k, v in data.items() if v}


def test_the_result_page_offers_a_labelled_feedback_form_without_the_text_by_default(client, monkeypatch):
    monkeypatch.delenv(feedback.ENV_KEEP_TEXT, raising=False)
    page = client.post("/", data={"text": TEXT, "received": "2024-03-04"}).text
    form = _feedback_form(page)
    assert form["text_sha256"] == [text_sha256(TEXT)]
    assert "text" not in form  # only the fingerprint goes back and forth
    assert form["predicted_topic"] and form["predicted_exemption"]
    assert re.search(r'<input type="checkbox" id="wrong-topic-1" name="wrong_topic" value="[a-z_]+">\s*'
                     r'<label for="wrong-topic-1">', page)
    assert '<label for="add-topic">' in page and '<label for="add-exemption">' in page
    assert '<option value="s43(2)">s43(2) commercial interests</option>' in page


def test_submitting_feedback_stores_the_hash_and_model_version(client, monkeypatch):
    monkeypatch.delenv(feedback.ENV_KEEP_TEXT, raising=False)
    page = client.post("/", data={"text": TEXT, "received": "2024-03-04"}).text
    form = _feedback_form(page)
    wrong = form["predicted_topic"][0]
    r = client.post("/feedback", data={**form, "wrong_topic": [wrong], "add_topic": "workforce_hr",
                                       "add_exemption": ""})
    assert r.status_code == 200 and "feedback recorded" in r.text
    [row] = list(web._feedback_store.rows())
    assert row.text is None and row.text_sha256 == text_sha256(TEXT)
    assert row.wrong_topics == [wrong] and row.added_topics == ["workforce_hr"]
    assert row.model_version.startswith("foi-triage ") and str(row.received) == "2024-03-04"


def test_with_the_setting_the_form_carries_the_text_and_the_export_can_use_it(client, monkeypatch):
    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    text = TEXT.replace(" in 2023", " in 2023,\r\nby rank")
    page = client.post("/", data={"text": text}).text
    form = _feedback_form(page)
    assert form["text"] == [text.replace("\r\n", "\n")]
    r = client.post("/feedback", data={**form, "add_exemption": "s40(2)"})
    assert r.status_code == 200
    [row] = export_rows(web._feedback_store).rows
    assert row["text"] == text.replace("\r\n", "\n") and "s40(2)" in row["exemptions"]


def test_empty_or_invalid_feedback_is_422_with_the_reason(client):
    h = text_sha256(TEXT)
    r = client.post("/feedback", data={"text_sha256": h, "predicted_topic": ["drugs"]})
    assert r.status_code == 422 and "nothing to record" in r.text
    r = client.post("/feedback", data={"text_sha256": h, "predicted_topic": ["drugs"], "add_topic": "<script>"})
    assert r.status_code == 422 and "unknown topic" in r.text and "<script>" not in r.text
    assert web._feedback_store.count() == 0


# ------------------------------------------------------------------ training with feedback

def test_train_with_feedback_passes_the_exported_rows_to_training(tmp_path, monkeypatch, capsys):
    import triage.train as train_mod

    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    db = tmp_path / "fb.db"
    with FeedbackStore(db) as s:
        s.add(_fb(added_topics=["workforce_hr"]))
    seen = {}

    def fake_train(data, out, seed=None, log=None, extra_rows=None):
        seen["extra"] = extra_rows
        raise train_mod.TrainingDataError("stop here")  # the real training is checked below

    monkeypatch.setattr(train_mod, "train", fake_train)
    assert cli.main(["train", "--data", str(FIXTURE), "--out", str(tmp_path / "m"), "--with-feedback",
                     "--feedback-db", str(db)]) == cli.EXIT_INPUT
    assert [r["text"] for r in seen["extra"]] == [TEXT]
    assert "feedback: 1 training rows" in capsys.readouterr().err
    seen.clear()
    cli.main(["train", "--data", str(FIXTURE), "--out", str(tmp_path / "m")])
    assert seen["extra"] is None  # without the flag, no feedback


def test_training_counts_and_hashes_the_feedback_rows_in_the_manifest(tmp_path, monkeypatch):
    from triage.train import train

    monkeypatch.setenv(feedback.ENV_KEEP_TEXT, "1")
    with FeedbackStore(tmp_path / "fb.db") as s:
        s.add(_fb(added_topics=["workforce_hr"]))
        rows = export_rows(s).rows
    manifest = train(FIXTURE, tmp_path / "models", seed=7, extra_rows=rows)
    data = manifest["training_data"]
    assert data["rows"] == 42 + 1 and data["extra_rows"] == 1 and len(data["extra_sha256"]) == 64
