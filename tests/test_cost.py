"""Cost-limit risk: which requests need manual review beyond the limit, and why."""
from __future__ import annotations

from datetime import date

import pytest

from triage import Triage
from triage.cost import QuestionView, assess, default_rules
from triage.deadline import get_regime

RECEIVED = date(2024, 6, 3)
THREE_YEARS = [(date(2021, 1, 1), date(2023, 12, 31))]
ONE_YEAR = [(date(2023, 1, 1), date(2023, 12, 31))]


def risk(*questions: QuestionView, text: str = ""):
    return assess(list(questions), RECEIVED, full_text=text)


@pytest.fixture(scope="module")
def triage():
    return Triage()


def test_plain_statistics_carry_no_risk():
    r = risk(QuestionView(1, "How many burglaries were recorded in 2023, by district?", ["location"], ONE_YEAR))
    assert r.level == "none" and r.reasons == [] and r.drivers == []


def test_a_per_record_list_of_fields_alone_is_only_a_weak_sign():
    # date, rank and outcome are fields a case system holds: an export, not a manual review
    r = risk(QuestionView(1, "For each officer dismissed in 2023, please give their rank and the hearing date.",
                          ["individual_record", "rank_role"], ONE_YEAR))
    assert r.level == "none"
    assert [x.level for x in r.reasons] == ["weak"]


def test_per_record_detail_with_free_text_circumstances_over_years_is_a_risk_driven_by_extracting():
    q = QuestionView(1, "For each complaint made between 2019 and 2023, please give the date, a summary of what "
                        "happened and whether it led to disciplinary action.", ["individual_record", "outcome"],
                     [(date(2019, 1, 1), date(2023, 12, 31))])
    r = risk(q)
    assert r.level in ("possible", "likely")
    assert {x.rule for x in r.reasons} == {"per_record_detail_multi_year", "reasons_or_circumstances"}
    assert r.drivers[0] == "extracting"


def test_a_keyword_search_of_incident_logs_is_likely_and_driven_by_locating():
    r = risk(QuestionView(1, "How many incidents in 2023 mention the word 'drone' in the incident log?", [], ONE_YEAR))
    assert r.level == "likely" and r.drivers[0] == "locating"


def test_counting_by_a_place_that_is_not_a_recorded_field_is_possible():
    r = risk(QuestionView(1, "How many knives were seized at schools in 2023?", [], ONE_YEAR))
    assert r.level == "possible"
    assert r.reasons[0].rule == "unrecorded_characteristic" and r.reasons[0].activity == "determining"
    assert r.reasons[0].text == "at schools"


def test_an_example_after_for_example_does_not_count():
    r = risk(QuestionView(1, "How many missing children were reported in 2023, for example from care homes?", [],
                          ONE_YEAR))
    assert r.level == "none"


def test_risks_in_several_questions_add_up_because_the_limit_is_aggregated():
    q1 = QuestionView(1, "How many crimes involving e-scooters were recorded in 2023?", [], ONE_YEAR)
    q2 = QuestionView(2, "How many road collisions near schools were recorded in 2023?", [], ONE_YEAR)
    assert risk(q1).level == "possible"
    assert risk(q1, q2).level == "likely"


def test_repeat_complaints_against_the_same_officer_need_records_linked_by_person():
    r = risk(QuestionView(1, "How many officers faced three or more complaints between 2020 and 2023?", [],
                          THREE_YEARS))
    assert r.level == "possible" and r.reasons[0].rule == "per_person_tally"


def test_linking_licence_holders_to_crimes_is_a_cross_reference():
    r = risk(QuestionView(1, "How many violent crimes were committed by people holding a shotgun certificate in "
                             "2023?", [], ONE_YEAR))
    assert r.level == "possible" and r.reasons[0].rule == "cross_reference"


def test_the_requester_offering_a_fallback_for_the_cost_limit_is_read_in_the_whole_text():
    q = QuestionView(1, "How many assaults in 2023 involved victims who met the suspect on a dating app?", [],
                     ONE_YEAR)
    text = "If answering would exceed the cost limit, please give me 2023 only. " + q.text
    r = risk(q, text=text)
    rules = {x.rule: x for x in r.reasons}
    assert "requester_expects_cost_limit" in rules and rules["requester_expects_cost_limit"].question is None
    assert r.level == "possible"


def test_all_emails_and_all_documents_about_one_subject_are_counted_once():
    q = QuestionView(1, "Please provide all correspondence concerning the closure of Eastgate station.", [], [])
    r = risk(q)
    assert [x.rule for x in r.reasons] == ["all_correspondence"]  # both rules fire; one search is one reason
    assert r.level == "none"  # one weak sign, however many ways it is worded


def test_the_limit_follows_the_regime():
    q = QuestionView(1, "How many knives were seized at schools in 2023?", [], ONE_YEAR)
    assert assess([q], RECEIVED, get_regime("foia")).limit_gbp == 450
    foisa = assess([q], RECEIVED, get_regime("foisa"))
    assert (foisa.limit_gbp, foisa.limit_hours) == (600, 40)


def test_every_rule_has_a_reason_and_names_one_of_the_four_counted_activities():
    for rule in default_rules().rules:
        assert rule.reason and rule.get("activity") in ("determining", "locating", "retrieving", "extracting")
        assert rule.get("level") in ("weak", "possible", "likely")


def test_the_pipeline_serialises_cost_risk_as_an_object_with_a_level(triage):
    text = ("1. How many e-scooters were seized near schools in 2022 and 2023?\n"
            "2. For each seizure, please give a brief description of the circumstances.")
    r = triage.triage(text, received=RECEIVED).model_dump(mode="json")
    assert r["cost_risk"]["level"] in ("possible", "likely")
    assert r["cost_risk"]["drivers"] and r["cost_risk"]["reasons"][0]["reason"]


def test_rule_patterns_are_only_run_when_a_literal_they_start_with_is_in_the_text():
    from triage.rules import pattern_prefixes

    assert pattern_prefixes(r"\b(?:the )?(?:reasons?|circumstances) for\b") == {"the ", "reason", "circumstances"}
    assert pattern_prefixes(r"\bmy (?:own )?(?:records?|data)\b") == {"my "}
    assert pattern_prefixes(r"^\W*why\b") is None  # may start with anything: always run


def test_the_prefilter_never_changes_a_result():
    rules = default_rules()
    texts = ["how many knives were seized at schools in 2023?", "for each complaint, the reasons for the delay",
             "please search the incident logs for the word 'drone'", "how many officers are there?"]
    with_filter = [[r.search(t) is not None for r in rules.rules] for t in texts]
    saved = [r.prefixes for r in rules.rules]
    try:
        for r in rules.rules:
            r.prefixes = []
        without = [[r.search(t) is not None for r in rules.rules] for t in texts]
    finally:
        for r, p in zip(rules.rules, saved):
            r.prefixes = p
    assert with_filter == without
