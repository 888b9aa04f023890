"""Exemption suggestions: the rules and their reasons, prior disclosures, the cost limit."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml

from triage import Triage
from triage.exemptions import (RulesError, add_cost_limit, add_prior_disclosures, load_rules, prior_evidence,
                               required_literals)
from triage.models import EXEMPTION_SECTIONS, CostReason, CostRisk, Exemption, TriageResult

RECEIVED = dt.date(2024, 3, 1)


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage()


def fired(triage: Triage, text: str) -> dict[str, object]:
    """The rules that fired on ``text``, by id, with their evidence."""
    doc = triage.annotate(text, RECEIVED)
    return {e.rule_id: e for e in doc._.exemption_evidence if e.source == "rule"}


def suggestion(result, section: str):
    return next((e for e in result.exemptions if e.section == section), None)


def test_a_named_officer_suggests_s40_neither_confirm_nor_deny_with_the_name_in_the_reason(triage):
    result = triage.triage("Has PC Dawson of Eastfield station been investigated for misconduct since 2021?",
                           RECEIVED)
    s40 = suggestion(result, "s40")
    assert s40 is not None and s40.ncnd and s40.subsection == "s40(5)"
    assert "PC Dawson" in s40.reason


def test_names_in_the_sign_off_are_not_people_asked_about(triage):
    rules = fired(triage, "How many bicycles were reported stolen in 2023?\n\nYours faithfully,\nMr Peter Jones")
    assert "named_officer_or_person" not in rules


def test_whether_a_covert_technique_is_used_suggests_s31_ncnd(triage):
    result = triage.triage("Does your force use IMSI catchers to monitor mobile phones at protests?", RECEIVED)
    s31 = suggestion(result, "s31")
    assert s31 is not None and s31.ncnd and s31.subsection == "s31(3)"
    assert "IMSI" in s31.reason


def test_firearms_numbers_suggest_law_enforcement_and_national_security(triage):
    text = "How many armed response vehicles are on patrol in the county overnight?"
    rules = fired(triage, text)
    assert {"armed_policing", "armed_resilience"} <= set(rules)
    result = triage.triage(text, RECEIVED)
    assert {"s31", "s24"} <= {e.section for e in result.exemptions}


def test_security_bodies_suggest_s23_neither_confirm_nor_deny(triage):
    result = triage.triage("Did MI5 ask the force for information about the climate group before the march?",
                           RECEIVED)
    s23 = suggestion(result, "s23")
    assert s23 is not None and s23.ncnd and s23.subsection == "s23(5)"
    assert "MI5" in s23.reason


def test_contract_prices_suggest_commercial_interests(triage):
    rules = fired(triage, "Please send the contract value and the unit price paid to the supplier of your drones.")
    assert rules["contract_prices"].section == "s43"
    assert "contract value" in rules["contract_prices"].reason


def test_published_statistics_suggest_s21_and_planned_publication_s22(triage):
    assert "already_published" in fired(triage, "Are the burglary figures on police.uk complete for 2023?")
    assert "planned_publication" in fired(triage, "Please send the stalking review report, which I understand "
                                                  "is due to be published next month.")


def test_a_specific_investigation_suggests_s30(triage):
    rules = fired(triage, "Please provide the witness statements from the investigation into the death of a "
                          "cyclist on the ring road in May 2023.")
    assert rules["specific_investigation"].section == "s30"


def test_refuge_locations_suggest_health_and_safety(triage):
    assert fired(triage, "List the addresses of the women's refuges you refer victims to.")["endanger_safety"].section == "s38"


def test_case_by_case_detail_with_personal_characteristics_suggests_s40_2(triage):
    text = ("For each complaint of sexual harassment made against officers in 2022 and 2023, please give the "
            "age and gender of the officer and the outcome.")
    rules = fired(triage, text)
    ev = rules["case_by_case_personal_detail"]
    assert ev.section == "s40" and not ev.ncnd
    assert "gender" in ev.reason


def test_a_reason_names_the_question_that_fired_it(triage):
    rules = fired(triage, "1. How many officers does the force have?\n2. Does the force use covert cameras in "
                          "public toilets?")
    assert rules["tactics_and_capabilities"].reason.endswith("(question 2)")


def test_suggestions_are_ranked_scored_and_explained(triage):
    result = triage.triage("Please provide the number of undercover officers deployed at football matches in "
                           "2023 and the tactics used to identify violent fans.", RECEIVED)
    scores = [e.score for e in result.exemptions]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert len(result.exemptions) <= load_rules().combine["max_suggestions"]
    for e in result.exemptions:
        assert e.section in EXEMPTION_SECTIONS and e.reason
    assert result.exemptions[0].section == "s31"


def test_model_evidence_quotes_the_words_that_raised_its_score(triage):
    doc = triage.annotate("How many firearms officers are on duty at night?", RECEIVED)
    model = [e for e in doc._.exemption_evidence if e.source == "model"]
    assert model and all("the trained model gives" in e.reason for e in model)


# ------------------------------------------------------------------ prior disclosures

def test_prior_disclosures_add_evidence_naming_them(triage):
    doc = triage.annotate("How many parking fines were issued in 2023?", RECEIVED)
    before = {e.section: e.score for e in doc._.exemptions}
    ranked = add_prior_disclosures(doc, [("101/23", ["s40(2)", "s30(1)"], False), ("202/23", ["s40(5)"], True),
                                         ("303/23", [], False)])
    s40 = next(s for s in ranked if s.section == "s40")
    assert "cited in 2 of 3 similar disclosures: 101/23, 202/23" in s40.reason
    assert s40.score > before.get("s40", 0.0)
    assert ranked == doc._.exemptions


def test_prior_evidence_weighs_the_share_of_disclosures_citing_a_section():
    ev = {e.section: e for e in prior_evidence([("a", ["s31(1)"], False), ("b", ["s31"], False),
                                                ("c", ["s24(2)"], True), ("d", [], False)])}
    assert ev["s31"].weight == pytest.approx(load_rules().combine["prior_weight"] * 2 / 4)
    assert ev["s24"].ncnd and not ev["s31"].ncnd
    assert prior_evidence([]) == []


# ------------------------------------------------------------------ cost limit

def _result(level: str) -> TriageResult:
    risk = CostRisk(level=level, reasons=[CostReason(rule="emails", level="likely", activity="locating",
                                                     reason="needs a search of every mailbox")])
    return TriageResult(exemptions=[Exemption(section="s31", score=0.6, reason="x")], cost_risk=risk)


def test_a_likely_cost_risk_becomes_an_s12_suggestion_with_its_reasons():
    result = _result("likely")
    add_cost_limit(result)
    assert result.exemptions[0].section == "s12"
    assert "needs a search of every mailbox" in result.exemptions[0].reason


def test_no_s12_suggestion_without_cost_risk():
    result = _result("none")
    add_cost_limit(result)
    assert [e.section for e in result.exemptions] == ["s31"]


# ------------------------------------------------------------------ the rules file

def _rules_file(tmp_path, rule: dict) -> str:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({"rules": [rule]}))
    return str(path)


@pytest.mark.parametrize("rule, message", [
    ({"id": "r1", "section": "s99", "reason": "x", "any": ["a"]}, "r1: section 's99'"),
    ({"id": "r2", "section": "s31", "reason": "x", "any": ["(unclosed"]}, "r2: bad regular expression"),
    ({"id": "r3", "section": "s31", "any": ["a"]}, "r3: every rule needs a reason"),
    ({"id": "r4", "section": "s31", "reason": "x", "breakdowns": ["colour"]}, "r4: unknown breakdowns"),
    ({"id": "r5", "section": "s31", "reason": "x", "when": ["a"]}, "r5: unknown field"),
])
def test_a_malformed_rule_is_refused_naming_it(tmp_path, rule, message):
    with pytest.raises(RulesError, match=message):
        load_rules(_rules_file(tmp_path, rule))


def test_every_bundled_rule_has_a_reason_and_a_known_section():
    rules = load_rules()
    assert len(rules.rules) > 20
    for rule in rules.rules:
        assert rule.reason and rule.section in rules.sections and 0 < rule.weight < 1


def test_required_literals_are_read_off_the_pattern():
    # a match needs one word of each set: the rules skip texts that lack one
    assert required_literals(r"\b(?:covert|undercover) officers?\b") == (frozenset({" officer"}),
                                                                         frozenset({"covert", "undercover"}))
    assert required_literals(r"\b(?:tactics|capability)\b") == (frozenset({"tactics", "capability"}),)
    assert required_literals(r"\b[A-Z][a-z]+\b") is None


def test_model_reasons_keep_their_words_after_similar_disclosures_rerank():
    # the pipeline re-ranks the suggestions with what similar disclosures cited; the model's
    # part of each reason must still quote the words of the request behind its score
    from triage.pipeline import Triage

    result = Triage().triage("Please list the locations of every ANPR camera in Cornwall and the make of each.",
                             received=dt.date(2024, 3, 1))
    model_reasons = [e.reason for e in result.exemptions if "trained model gives" in e.reason]
    assert model_reasons
    assert all("words such as" in r for r in model_reasons if "gives 0.0" not in r)
