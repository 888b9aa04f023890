"""Training, the integrity check on model files, and the evaluate command.

One small training run on ``tests/data/train_fixture.jsonl`` (our own
requests) is shared by the tests that need trained models.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from triage import artifacts
from triage.artifacts import ModelIntegrityError
from triage.evaluate import score
from triage.textclf import LinearTextModel
from triage.topics import decide, model_text_from_raw
from triage.train import choose_threshold, load_rows, train

FIXTURE = Path(__file__).parent / "data" / "train_fixture.jsonl"
SEED = 7


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("models")
    manifest = train(FIXTURE, out, seed=SEED)
    return out, manifest


# ------------------------------------------------------------------ training

def test_training_on_a_small_set_gives_a_model_that_recognises_its_topics(trained):
    out, _ = trained
    model = artifacts.load_model("topics", out)
    labels = [label for label, _ in decide(model, model.scores("How many speeding fines came from the cameras on the M5?"))]
    assert labels[0] == "roads_vehicles"
    labels = [label for label, _ in decide(model, model.scores("What was the overtime bill for police officers?"))]
    assert labels[0] == "workforce_hr"


def test_scores_are_probabilities_and_there_is_always_a_label(trained):
    out, _ = trained
    model = artifacts.load_model("topics", out)
    for text in ["", "Hello", "zzzz qqqq", "How many speed cameras are there?", "x " * 500]:
        scores = model.scores(text)
        assert np.all((scores >= 0) & (scores <= 1))
        assert len(decide(model, scores)) >= 1


def test_thresholds_are_chosen_per_label_within_the_grid(trained):
    out, manifest = trained
    model = artifacts.load_model("topics", out)
    assert len(model.thresholds) == len(model.labels)
    assert np.all((model.thresholds >= 0.05) & (model.thresholds <= 0.95))
    assert manifest["models"]["topics"]["thresholds"] == dict(zip(model.labels, map(float, model.thresholds)))


def test_labels_with_too_few_examples_are_not_modelled_and_say_so(trained):
    _, manifest = trained
    ex = manifest["models"]["exemptions"]
    assert "s43" in ex["labels"] and "ncnd" in ex["labels"]
    assert "s31" in ex["not_modelled"]  # two examples in the fixture: too few


def test_choose_threshold_maximises_f1_on_a_hand_example():
    p = np.array([0.9, 0.8, 0.7, 0.3, 0.2, 0.1])
    y = np.array([1, 1, 0, 1, 0, 0])
    # >= 0.8 -> P 1, R 2/3, F1 0.8; >= 0.3 -> P 3/4, R 1, F1 0.857 (best, for any threshold in (0.2, 0.3])
    t = choose_threshold(p, y)
    assert 0.2 < t <= 0.3


def test_compiled_model_gives_the_same_scores_as_the_scikit_learn_pipeline(trained):
    out, _ = trained
    bundle = artifacts.load_joblib("topics.joblib", out)
    compiled = artifacts.load_model("topics", out)
    texts = [model_text_from_raw(r["text"]) for r in load_rows(FIXTURE)[:10]] + ["Anything at all about cameras"]
    expected = bundle["pipeline"].predict_proba(texts)
    got = np.array([compiled.scores(t) for t in texts])
    assert bundle["labels"] == compiled.labels
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_manifest_records_hashes_versions_data_seed_and_cv_metrics(trained):
    out, manifest = trained
    assert manifest["seed"] == SEED
    assert manifest["training_data"]["sha256"] == artifacts.sha256_file(FIXTURE)
    assert manifest["training_data"]["rows"] == 42
    for name in ["topics.json", "topics.npz", "topics.joblib", "exemptions.json", "exemptions.npz",
                 "exemptions.joblib"]:
        assert manifest["artifacts"][name]["sha256"] == artifacts.sha256_file(out / name)
    assert {"scikit-learn", "numpy", "joblib", "python"} <= set(manifest["versions"])
    cv = manifest["models"]["topics"]["cv"]["all"]
    assert {"precision", "recall", "f1"} <= set(cv["micro"]) and "macro_f1" in cv
    assert {"precision", "recall", "f1", "support"} <= set(cv["per_label"]["roads_vehicles"])


def test_training_is_reproducible_and_the_train_command_prints_cv_metrics(trained, tmp_path):
    out, manifest = trained
    proc = subprocess.run([sys.executable, "-m", "triage", "train", "--data", str(FIXTURE), "--out",
                           str(tmp_path), "--seed", str(SEED)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "topics (cross-validated)" in proc.stdout
    again = json.loads((tmp_path / "manifest.json").read_text())
    # same data and seed: the same thresholds and cross-validated metrics, byte-identical compiled models
    assert again["models"] == json.loads(json.dumps(manifest["models"]))
    for name in ["topics.npz", "topics.json", "exemptions.npz", "exemptions.json"]:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes()


def test_bad_training_data_is_refused_with_the_line(tmp_path):
    from triage.train import TrainingDataError

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine", "topics": ["drugs"]}\n{"text": "x", "topics": ["weather"]}\n')
    with pytest.raises(TrainingDataError, match=r"bad.jsonl:2: unknown topic"):
        load_rows(bad)


# ------------------------------------------------------------------ integrity

def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_a_tampered_compiled_model_is_refused(trained, tmp_path):
    d = _copy(trained[0], tmp_path / "m")
    with open(d / "topics.npz", "ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelIntegrityError, match="topics.npz does not match its sha256"):
        artifacts.load_model("topics", d)


def test_a_tampered_pickle_is_refused_before_it_is_unpickled(trained, tmp_path):
    d = _copy(trained[0], tmp_path / "m")
    # a pickle that would run code when loaded: it must never reach joblib.load
    (d / "exemptions.joblib").write_bytes(b"cos\nsystem\n(S'echo pwned'\ntR.")
    with pytest.raises(ModelIntegrityError, match="refusing to load it"):
        artifacts.load_joblib("exemptions.joblib", d)


def test_files_the_manifest_does_not_list_or_a_missing_manifest_are_refused(trained, tmp_path):
    d = _copy(trained[0], tmp_path / "m")
    (d / "extra.joblib").write_bytes(b"anything")
    with pytest.raises(ModelIntegrityError, match="not listed"):
        artifacts.load_joblib("extra.joblib", d)
    (d / "manifest.json").unlink()
    with pytest.raises(ModelIntegrityError, match="foi-triage train"):
        artifacts.load_model("topics", d)


def test_the_bundled_models_pass_their_own_check():
    manifest = artifacts.read_manifest(artifacts.PACKAGE_MODELS)
    artifacts.verify(artifacts.PACKAGE_MODELS, sorted(manifest["artifacts"]))
    total = sum((artifacts.PACKAGE_MODELS / f).stat().st_size for f in manifest["artifacts"])
    assert total < 20 * 1024 * 1024


def test_the_command_line_reports_a_tampered_model_without_a_traceback(trained, tmp_path):
    d = _copy(trained[0], tmp_path / "m")
    with open(d / "exemptions.json", "a") as f:
        f.write(" ")
    proc = subprocess.run([sys.executable, "-m", "triage", "triage", "-"], input="How many speed cameras?",
                          capture_output=True, text=True, env={**_env(), "FOI_TRIAGE_MODELS": str(d)})
    assert proc.returncode == 1
    assert "exemptions.json does not match its sha256" in proc.stderr
    assert "Traceback" not in proc.stderr


def _env() -> dict:
    import os

    return dict(os.environ)


def test_a_compiled_model_round_trips_through_its_files(tmp_path):
    from triage.textclf import FeatureBlock

    block = FeatureBlock("words", {"speed": 0, "camera": 1, "speed camera": 2}, np.array([1.0, 1.5, 2.0]), 0)
    model = LinearTextModel(["roads_vehicles", "other"], [block], np.array([[2.0, -1.0], [1.0, 0.0], [3.0, -2.0]]),
                            np.array([-1.0, 0.5]), np.array([-1.0, -1.0]), np.array([0.0, 0.0]), np.array([0.5, 0.5]))
    model.save(tmp_path, "m")
    again = LinearTextModel.load(tmp_path, "m")
    np.testing.assert_allclose(again.scores("a speed camera"), model.scores("a speed camera"), atol=1e-6)
    assert again.explain("a speed camera", "roads_vehicles", k=2) == ["speed camera"]


# ------------------------------------------------------------------ evaluate

GOLD = [
    {"id": "a", "text": "x", "received": "2024-01-10", "topics": ["drugs", "custody"],
     "questions": ["How many drug arrests were made in 2023?", "How many people were held in custody?"],
     "dates": [{"start": "2023-01-01", "end": "2023-12-31"}], "breakdowns": ["year", "gender"],
     "exemptions": ["s40(2)", "s31(1)", "s12"], "ncnd": False},
    {"id": "b", "text": "y", "received": "2024-01-10", "topics": ["roads_vehicles"],
     "questions": ["How many speed cameras are there?"], "dates": [], "breakdowns": [],
     "exemptions": ["s24(2)"], "ncnd": True},
    {"id": "c", "text": "z", "received": None, "topics": ["other"], "questions": ["What is your policy?"],
     "dates": [{"start": "2020-01-01", "end": None}], "breakdowns": ["location"], "exemptions": [], "ncnd": False},
]
PRED = [
    {"id": "a", "topics": [{"label": "drugs", "score": 0.9}, {"label": "violent_crime_weapons", "score": 0.6}],
     "questions": [{"text": "How many drug arrests were made in 2023?"}, {"text": "Something else entirely"}],
     "dates": [{"start": "2023-01-15", "end": "2023-12-31"}], "breakdowns": [{"dimension": "year"}],
     "exemptions": [{"section": "s12", "ncnd": False}, {"section": "s31", "ncnd": False},
                    {"section": "s30", "ncnd": False}, {"section": "s38", "ncnd": False},
                    {"section": "s40", "ncnd": False}]},
    {"id": "b", "topics": [{"label": "roads_vehicles", "score": 0.8}],
     "questions": [{"text": "How many speed cameras are there?"}], "dates": [{"start": "2023-01-01", "end": None}],
     "breakdowns": [],
     "exemptions": [{"section": "s31", "ncnd": True}, {"section": "s24", "ncnd": True}]},
    # "c" has no prediction: it counts as empty
]


def test_evaluate_scores_match_a_hand_computed_example():
    m = score(GOLD, {p["id"]: p for p in PRED})
    assert m["missing_predictions"] == 1
    t = m["topics"]
    # tp: drugs, roads_vehicles = 2; fp: violent_crime_weapons = 1; fn: custody, other = 2
    assert (t["micro_precision"], t["micro_recall"]) == pytest.approx((2 / 3, 2 / 4))
    assert t["micro_f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    # per-label F1 of the gold labels: drugs 1, custody 0, roads_vehicles 1, other 0
    assert t["macro_f1"] == pytest.approx(0.5)
    assert t["per_label"]["violent_crime_weapons"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    e = m["exemptions"]
    # a: gold {s40, s31}; top three without s12: s31, s30, s38 -> recall 1/2, precision 1/3, first hit rank 1
    # b: gold {s24}; top: s31, s24 -> recall 1, precision 1/2, first hit rank 2
    assert e["requests"] == 2
    assert e["recall_at_3"] == pytest.approx((0.5 + 1) / 2)
    assert e["precision_at_3"] == pytest.approx((1 / 3 + 1 / 2) / 2)
    assert e["mrr"] == pytest.approx((1 + 0.5) / 2)
    # NCND on requests citing any exemption (a, b): a predicted none (right), b predicted ncnd (right)
    assert e["ncnd_accuracy"] == 1.0 and e["ncnd_requests"] == 2
    assert e["sections"]["per_label"]["s31"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3),
                                                 "support": 1}
    # cost limit: a has s12 gold and s12 ranked first -> tp 1; nothing else
    assert m["cost_limit"]["f1"] == 1.0
    # questions: a 1 of 2 match, b 1 of 1, c 0 of 1 (no prediction) -> P 2/3, R 2/4
    q = m["questions"]
    assert (q["precision"], q["recall"]) == pytest.approx((2 / 3, 2 / 4))
    assert q["count_accuracy"] == pytest.approx(2 / 3)
    # dates: a matches within 31 days; b predicts an open period gold does not have; c has no received: unscored
    d = m["dates"]
    assert (d["precision"], d["recall"]) == pytest.approx((1 / 2, 1 / 1))
    # breakdowns: a year tp, gender fn; c location fn -> P 1, R 1/3
    b = m["breakdowns"]
    assert (b["micro_precision"], b["micro_recall"]) == pytest.approx((1.0, 1 / 3))


def test_the_evaluate_command_prints_per_label_figures(tmp_path):
    gold, pred = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold.write_text("".join(json.dumps(g) + "\n" for g in GOLD))
    pred.write_text("".join(json.dumps(p) + "\n" for p in PRED))
    proc = subprocess.run([sys.executable, "-m", "triage", "evaluate", str(gold), "--predictions", str(pred),
                           "--json"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    m = json.loads(proc.stdout)
    assert m["exemptions"]["recall_at_3"] == pytest.approx(0.75)
    proc = subprocess.run([sys.executable, "-m", "triage", "evaluate", str(gold), "--predictions", str(pred)],
                          capture_output=True, text=True)
    assert "recall@3 0.750" in proc.stdout
    assert "roads_vehicles" in proc.stdout and "s31" in proc.stdout


def test_the_evaluate_command_refuses_a_bad_gold_file(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a"}\nnot json\n')
    proc = subprocess.run([sys.executable, "-m", "triage", "evaluate", str(gold)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "gold.jsonl:2: not JSON" in proc.stderr
