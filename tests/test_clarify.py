"""Clarification: the questions an officer would send back, with their reasons."""
from __future__ import annotations

from datetime import date

import pytest

from triage import Triage
from triage.clarify import suggest
from triage.cost import QuestionView
from triage.request_type import classify

YEAR = [(date(2023, 1, 1), date(2023, 12, 31))]


def kinds(*questions: QuestionView) -> list[tuple[int, str]]:
    qs = list(questions)
    rt = classify([(q.number, q.text) for q in qs], " ".join(q.text for q in qs))
    return [(c.question, c.kind) for c in suggest(qs, rt)]


@pytest.fixture(scope="module")
def triage():
    return Triage()


def test_a_statistical_ask_with_no_period_asks_for_one():
    out = suggest([QuestionView(1, "How many people have been arrested for shoplifting?")])
    assert [(c.kind, c.rule) for c in out] == [("no_period", "statistics_without_period")]
    assert "What period" in out[0].ask and "question 1" in out[0].ask


def test_a_period_in_the_question_or_inherited_from_its_lead_in_is_enough():
    # the pipeline hands a question the periods of its list's lead-in and of the request as a whole
    assert kinds(QuestionView(1, "How many people were arrested for shoplifting?", periods=YEAR)) == []


def test_a_count_at_one_moment_needs_no_period():
    assert kinds(QuestionView(1, "How many officers are currently suspended?")) == []
    assert kinds(QuestionView(1, "How many police dogs does the force have?")) == []


def test_a_follow_up_about_the_records_before_it_is_not_asked_about_again(triage):
    text = "1. How many 999 calls did you receive in 2023?\n2. Of these, how many were answered within 10 seconds?"
    r = triage.triage(text, received=date(2024, 6, 3))
    assert r.clarification == []


def test_all_information_about_a_subject_asks_which_information(triage):
    r = triage.triage("Please send me all information you hold about the new custody suite.",
                      received=date(2024, 6, 3))
    vague = [c for c in r.clarification if c.kind == "vague_scope"]
    assert vague and "custody suite" in vague[0].ask and "for what period" in vague[0].ask


def test_a_vague_time_asks_for_dates():
    out = suggest([QuestionView(1, "How many officers have recently been disciplined?")])
    assert ("undefined_term", "vague_time") in [(c.kind, c.rule) for c in out]
    assert '"recently"' in next(c.ask for c in out if c.rule == "vague_time")


def test_a_judgement_word_asks_for_a_definition():
    out = suggest([QuestionView(1, "How many officers were disciplined for inappropriate behaviour in 2023?",
                                periods=YEAR)])
    assert [(c.kind, c.text) for c in out] == [("undefined_term", "inappropriate")]


def test_serious_sexual_offences_is_a_recorded_category_not_a_vague_word():
    assert kinds(QuestionView(1, "How many serious sexual offences were recorded in 2023?", periods=YEAR)) == []


def test_why_asks_whether_the_records_of_the_decision_would_do():
    out = suggest([QuestionView(1, "1. Why did the force close the front counter at Eastgate?")])
    assert [c.kind for c in out] == ["not_recorded_information"]
    assert "recorded information" in out[0].ask


def test_an_opinion_question_asks_whether_a_document_would_do():
    assert kinds(QuestionView(1, "Do you think officers are given enough protection?")) == [
        (1, "not_recorded_information")]


def test_subject_access_parts_get_no_foi_clarification():
    assert kinds(QuestionView(1, "How many times have you stopped me?")) == []


def test_every_suggestion_carries_a_reason(triage):
    text = ("1. How many complaints were made about officers' driving?\n"
            "2. Why are response times so slow?\n3. Please send all documents relating to Operation Kestrel.")
    r = triage.triage(text, received=date(2024, 6, 3))
    assert {c.kind for c in r.clarification} == {"no_period", "not_recorded_information", "vague_scope"}
    assert all(c.reason and c.ask and c.question for c in r.clarification)
