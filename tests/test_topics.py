"""Topics for the request and each question, from the bundled trained model."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from triage import Triage
from triage.models import TOPIC_LABELS
from triage.textclf import FeatureBlock, LinearTextModel
from triage.topics import body_text, decide, model_text_from_raw

RECEIVED = dt.date(2024, 3, 1)


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage()


def test_topics_are_ranked_labels_from_the_contract_with_scores_in_0_1(triage):
    result = triage.triage("1. How many speed cameras are there on the A30?\n"
                           "2. How much money did the speed cameras raise in fines in 2023?", RECEIVED)
    assert result.topics, "at least one topic"
    assert all(t.label in TOPIC_LABELS and 0.0 <= t.score <= 1.0 for t in result.topics)
    scores = [t.score for t in result.topics]
    assert scores == sorted(scores, reverse=True)
    assert result.topics[0].label == "roads_vehicles"


def test_every_question_gets_its_own_topics(triage):
    result = triage.triage("Dear FOI team,\n\n1. How many officers were dismissed for gross misconduct in 2022?\n"
                           "2. How much did the force spend on its new IT system for case files, and who supplied it?\n\n"
                           "Thanks,\nAl", RECEIVED)
    assert len(result.questions) == 2
    for q in result.questions:
        assert q.topics and all(t in TOPIC_LABELS for t in q.topics)
    assert "complaints_misconduct" in result.questions[0].topics
    assert "finance_procurement_it" in result.questions[1].topics


@pytest.mark.parametrize("text", ["Hello.", "Please see attached.", "qwerty asdfgh zxcvbn", "?"])
def test_a_request_with_nothing_recognisable_still_gets_one_label(triage, text):
    result = triage.triage(text, RECEIVED)
    assert len(result.topics) >= 1


def test_greetings_and_sign_offs_are_not_read_by_the_model():
    text = "Dear Sir or Madam,\n\nHow many burglaries were reported in 2023?\n\nKind regards,\nDetective Fan"
    body = model_text_from_raw(text)
    assert "burglaries" in body
    assert "Madam" not in body and "Detective Fan" not in body


def test_body_text_drops_the_given_ranges():
    assert body_text("abc def ghi", [(0, 4), (7, 11)]) == "def"
    assert body_text("abc", []) == "abc"


def _toy_model(thresholds) -> LinearTextModel:
    block = FeatureBlock("words", {"drugs": 0, "cars": 1}, np.ones(2), 0)
    return LinearTextModel(["drugs", "roads_vehicles", "other"], [block], np.array([[3.0, 0, 0], [0, 3.0, 0]]),
                           np.array([-2.0, -2.0, -1.0]), -np.ones(3), np.zeros(3), np.array(thresholds))


def test_labels_passing_their_threshold_are_predicted_best_first():
    model = _toy_model([0.5, 0.5, 0.5])
    labels = [label for label, _ in decide(model, np.array([0.6, 0.9, 0.1]))]
    assert labels == ["roads_vehicles", "drugs"]


def test_when_no_label_passes_the_one_nearest_its_threshold_is_kept():
    model = _toy_model([0.9, 0.3, 0.5])
    # 0.45 / 0.9 = 0.5 of its threshold; 0.2 / 0.3 = 0.67 of its threshold: roads_vehicles is nearer
    assert decide(model, np.array([0.45, 0.2, 0.1])) == [("roads_vehicles", 0.2)]


def test_a_saved_pipeline_keeps_its_models_and_checks_them_on_load(triage, tmp_path):
    text = "How many Taser discharges were there in 2023, and how many officers are trained to carry Taser?"
    triage.to_disk(tmp_path / "nlp")
    again = Triage.from_disk(tmp_path / "nlp")
    a, b = triage.triage(text, RECEIVED), again.triage(text, RECEIVED)
    assert a.topics == b.topics and a.exemptions == b.exemptions
    assert (tmp_path / "nlp" / "foi_topics" / "manifest.json").is_file()


def test_scoring_many_texts_at_once_gives_the_same_scores_as_one_by_one():
    from triage import artifacts

    model = artifacts.load_model("topics")
    texts = ["How many speed cameras?", "", "Please give the overtime bill for officers in 2022 and 2023.", "zzz"]
    np.testing.assert_allclose(model.scores_many(texts), np.array([model.scores(t) for t in texts]), atol=1e-12)

