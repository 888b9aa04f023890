"""Request type: FOI, environmental (EIR), subject access, not a request, and mixed."""
from __future__ import annotations

from datetime import date

import pytest

from triage import Triage
from triage.request_type import classify


def one(text: str) -> str:
    return classify([(1, text)], text).type


@pytest.fixture(scope="module")
def triage():
    return Triage()


def test_a_subject_access_request_phrased_politely_as_foi_is_subject_access():
    text = ("Under the Freedom of Information Act 2000, I would be very grateful if you could kindly provide "
            "all of the information your force holds about me, including the notes from my arrest in May.")
    r = classify([(1, text)], text)
    assert r.type == "subject_access"
    assert "s40(1)" in r.parts[0].reason or "subject access" in r.parts[0].reason


@pytest.mark.parametrize("text", [
    "Please send me the CCTV of me at the custody desk on 19 April 2024.",
    "Please provide my custody record and the interview recording.",
    "What personal data do you hold on me?",
    "I would like the body worn video footage from when I was stopped and searched last Tuesday.",
    "Please send me the dashcam footage of the collision I was involved in on the M1.",
])
def test_the_requesters_own_records_are_subject_access(text):
    assert one(text) == "subject_access"


def test_a_context_paragraph_about_the_requesters_arrest_makes_the_follow_up_ask_subject_access():
    text = ("I was arrested outside my flat on 4 June. Please provide all the body worn video footage and notes "
            "from this incident.")
    r = classify([(1, "Please provide all the body worn video footage and notes from this incident.")], text)
    assert r.type == "subject_access" and r.parts[0].rule == "sar_own_incident_context"


def test_a_family_members_records_go_to_data_protection_too():
    text = "My son was arrested last month. Please send me his custody record."
    assert classify([(1, "Please send me his custody record.")], text).type == "subject_access"


@pytest.mark.parametrize("text", [
    "Further to my FOI request of 3 May, how many speeding tickets were issued in 2023?",
    "How many burglaries were there in my area in 2023?",
    "My research is on police funding: what was the force budget for 2023/24?",
])
def test_my_request_or_my_area_is_not_personal_data(text):
    assert one(text) == "foi"


@pytest.mark.parametrize("text", [
    "How many of the force's vehicles are fully electric or hybrid, and what were the CO2 emissions of the "
    "police fleet in 2023?",
    "What was the electricity consumption of police headquarters in 2022/23?",
    "How many noise complaints about the firing range did you receive in 2023?",
    "Please send me the planning application for the new police station at Riverside.",
    "How many fly-tipping incidents did officers attend in 2023?",
    "How many trees were felled for the new car park at headquarters?",
])
def test_environmental_information_is_eir(text):
    assert one(text) == "eir"


def test_an_eir_reason_says_regulation_12_exceptions_apply():
    text = "What were the total emissions from police vehicles in 2023?"
    assert "regulation 12" in classify([(1, text)], text).reason


@pytest.mark.parametrize("text", [
    "How many planning officers attended the operational planning meeting for the royal visit?",
    "What did the force spend on energy drinks for the custody suites in 2023?",
    "How many officers work in the Land Registry liaison team?",
])
def test_everyday_words_do_not_make_a_request_environmental(text):
    assert one(text) == "foi"


@pytest.mark.parametrize("text", [
    "What are your thoughts on counter protests?",
    "Do you think the police should be armed?",
    "I wish to complain about the officer who was rude to me on Tuesday.",
    "Please investigate the people dealing drugs outside the shop on Mill Lane.",
    "Your reply to my email was a disgrace and the whole force is a joke.",
])
def test_opinions_complaints_and_demands_are_not_requests(text):
    assert one(text) == "not_a_request"


def test_an_opinion_next_to_a_real_ask_is_still_a_request():
    assert one("Do you think speeding is a problem? How many speeding tickets were issued in 2023?") == "foi"


def test_a_request_with_one_opinion_question_stays_foi_and_lists_that_part():
    qs = [(1, "How many officers were assaulted on duty in 2023?"),
          (2, "Do you think officers are given enough protection?")]
    r = classify(qs, " ".join(t for _, t in qs))
    assert r.type == "foi"
    assert [p.type for p in r.parts] == ["foi", "not_a_request"]
    assert "question 2" in r.reason


def test_mixed_requests_list_each_parts_type():
    qs = [(1, "Please send me the footage of my arrest on 5 May 2024."),
          (2, "How many people were arrested in the city centre in May 2024?"),
          (3, "What was the diesel fuel consumption of the police fleet in 2023?")]
    r = classify(qs, " ".join(t for _, t in qs))
    assert r.type == "mixed"
    assert r.types == ["subject_access", "foi", "eir"]
    assert [p.question for p in r.parts] == [1, 2, 3]


def test_a_text_with_no_question_and_no_ask_is_not_a_request():
    r = classify([], "Thank you for your help last week, the officers were very kind.")
    assert r.type == "not_a_request" and r.parts[0].rule == "no_question"


def test_the_pipeline_fills_request_type_per_question(triage):
    text = ("Dear Sir/Madam,\n\n1. Please send me the CCTV of me taken at the front counter on 2 May 2024.\n"
            "2. How many people were arrested at the station in 2023?\n\nThanks,\nAlex")
    r = triage.triage(text, received=date(2024, 6, 3))
    assert r.request_type.type == "mixed"
    assert [p.type for p in r.request_type.parts] == ["subject_access", "foi"]


def test_an_eir_request_about_police_vehicle_emissions_through_the_pipeline(triage):
    text = ("Under the Environmental Information Regulations, please tell me:\n"
            "1. The total CO2 emissions of your police vehicles in each of 2022 and 2023.\n"
            "2. How many of your patrol cars are electric or hybrid.")
    r = triage.triage(text, received=date(2024, 6, 3))
    assert r.request_type.type == "eir" and r.regime == "eir"
