"""The ``foi_breakdowns`` component: which dimensions a request asks figures to be split by.

Every request text here was written for these tests.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.breakdowns import DEFAULT_RULES_PATH, BreakdownFinder, BreakdownMatch, RulesError
from triage.models import BREAKDOWN_DIMENSIONS


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("foi_breakdowns")
    return nlp


def dims(nlp, text: str) -> set[str]:
    doc = nlp(text)  # keep the Doc alive while its span group is read
    return {s._.breakdown.dimension for s in doc.spans["breakdowns"]}


# ----------------------------------------------------------------- phrasings

POSITIVE = [
    # year
    ("Please provide the number of complaints broken down by year.", {"year"}),
    ("Please tell me the annual number of arrests since 2019.", {"year"}),
    ("How many stop searches were carried out per year for the last five years?", {"year"}),
    ("How many burglaries were recorded in each of the last three calendar years?", {"year"}),
    ("Please give figures for each calendar year 2018, 2019 and 2020.", {"year"}),
    ("How many thefts were recorded in 2018, 2019 and 2020?", {"year"}),
    ("Please show the data year by year.", {"year"}),
    ("Please provide the figures separately for each financial year from 2019/20 to 2022/23.", {"year"}),
    ("I would like the figures for 2019/20, 2020/21 and 2021/22.", {"year"}),
    ("How many vehicles were seized in each of the following years:\na) 2019\nb) 2020\nc) 2021", {"year"}),
    # month, quarter, week, day
    ("Please give the totals for each month since January 2022.", {"month"}),
    ("I would like a monthly breakdown of calls to 101.", {"month"}),
    ("Please provide a month-by-month breakdown for 2023.", {"month"}),
    ("Please provide the figures per quarter.", {"quarter"}),
    ("Please provide quarterly figures for the last two years.", {"quarter"}),
    ("What is the weekly number of arrests?", {"week"}),
    ("Please give the daily count of 999 calls.", {"day"}),
    ("How many calls were received each day in December?", {"day"}),
    # people
    ("Could you split the figures by gender?", {"gender"}),
    ("Please provide a male/female split.", {"gender"}),
    ("Please provide this by age and ethnicity.", {"age", "ethnicity"}),
    ("Please give the officer's age, gender and ethnicity.", {"age", "gender", "ethnicity"}),
    ("Please include the age range of the victims.", {"age"}),
    ("Please provide a breakdown by ethnicity of those stopped.", {"ethnicity"}),
    ("Please provide the number of arrests by nationality.", {"nationality"}),
    ("Please state whether they have a disability.", {"disability"}),
    ("Please include the sexual orientation of the victims.", {"sexual_orientation"}),
    ("Please include the religion of each victim.", {"religion", "individual_record"}),
    ("Please give the sex/gender of each suspect.", {"gender", "individual_record"}),
    # rank, unit, place
    ("Please break this down by rank.", {"rank_role"}),
    ("Please include the rank of the officer involved.", {"rank_role"}),
    ("Please state whether the subject was a police officer or a member of staff.", {"rank_role"}),
    ("Please break the figures down by department.", {"department_unit"}),
    ("Which unit was the officer attached to?", {"department_unit"}),
    ("Please break this down by the department responsible.", {"department_unit"}),
    ("How many burglaries were reported in each district?", {"location"}),
    ("Please provide the figures by ward.", {"location"}),
    ("How many knife crimes were there per borough?", {"location"}),
    ("I would like this broken down by police station.", {"location"}),
    ("Please provide the location of every camera.", {"location"}),
    ("Please provide the figures for each local policing area.", {"location"}),
    ("Please break the data down by camera location.", {"location"}),
    ("Please give the number of Taser discharges by borough and by officer rank.", {"location", "rank_role"}),
    ("Please break down the number of incidents by district and month.", {"location", "month"}),
    # what kind of thing
    ("Please break this down by type of offence.", {"offence_type"}),
    ("Please provide the data by crime type.", {"offence_type"}),
    ("Please include the allegation type.", {"offence_type"}),
    ("Please give the category of complaint.", {"offence_type"}),
    ("Please state the reason for the stop.", {"offence_type"}),
    ("How many incidents were recorded under each crime category?", {"offence_type"}),
    ("Please provide the figures broken down into the categories of hate crime.", {"offence_type"}),
    # outcome
    ("Please provide the result of the investigation.", {"outcome"}),
    ("How many were given an out of court disposal?", {"outcome"}),
    ("What sanction was imposed?", {"outcome"}),
    ("Please say whether it led to disciplinary action and if so what the outcome was.", {"outcome"}),
    ("Please say whether anyone was charged.", {"outcome"}),
    ("How many applications were successful and how many were refused?", {"outcome"}),
    ("How many complaints were upheld?", {"outcome"}),
    ("What proportion of cases resulted in a charge?", {"outcome"}),
    ("How many of these led to a conviction?", {"outcome"}),
    ("How many suspects were arrested and charged?", {"outcome"}),
    # one line per case
    ("Please provide a list of all incidents.", {"individual_record"}),
    ("Please give details of each case.", {"individual_record"}),
    ("I would like the information on a case by case basis.", {"individual_record"}),
    ("Please list each police station closed since 2015.", {"individual_record", "location"}),
    ("For each complaint, please state the date received.", {"individual_record", "day"}),
    ("Please provide the date of each arrest.", {"day", "individual_record"}),
    ("Please provide the crime reference number and the date the crime was reported.",
     {"individual_record", "day"}),
    ("Please list each incident with the date, location and outcome.",
     {"individual_record", "day", "location", "outcome"}),
]

NEGATIVE = [
    "How many offences were committed by officers in 2020?",
    "Please send the information by email.",
    "What was the cost of the damage caused by the vehicle?",
    "What is the age of the vehicle?",
    "How many complaints were made in the last five years?",
    "How many arrests were made between 2018 and 2022?",
    "Please provide the total number of complaints received in 2021/22.",
    "Please provide your outcomes framework document.",
    "Please provide the location of your headquarters.",
    "How many disability hate crimes were recorded in 2022?",
    "I am writing to ask about registered sex offenders.",
    "As a result of the changes, how many officers left?",
    "How many officers are employed by the force?",
    "How many children under the age of 18 were arrested?",
    "What is the role of the police in safeguarding?",
    "Please provide a breakdown of the budget.",
    "Please provide the response times for grade 1 calls.",
    "Please provide the annual report for 2021.",
    "Please provide information about the rank structure of the force.",
    "Please respond by email to this address.",
    "What is your policy on the use of force?",
    "How many officers have been dismissed for gross misconduct?",
    "What types of drones does the force own?",
    "Please provide the results of the staff survey.",
    "Which department is responsible for FOI requests?",
    "Please provide all emails sent by the Chief Constable.",
    "How many people were arrested in the city centre area?",
    "Please provide the date of the last review of this policy.",
    "How many firearm certificates were revoked by the force in 2022?",
    "Please provide any information you hold about me, date of birth 01/02/1980.",
    "If the information is not available by calendar year, financial years are fine.",
    "Please provide copies of the policy documents.",
    "",
]


@pytest.mark.parametrize("text,expected", POSITIVE, ids=[t[:50] for t, _ in POSITIVE])
def test_phrasing_gives_the_dimensions_asked_for(nlp, text, expected):
    assert dims(nlp, text) == expected


@pytest.mark.parametrize("text", NEGATIVE, ids=[t[:50] or "empty" for t in NEGATIVE])
def test_no_breakdown_where_none_is_asked(nlp, text):
    assert dims(nlp, text) == set()


def test_the_examples_cover_every_dimension():
    covered = set().union(*(e for _, e in POSITIVE))
    assert covered == set(BREAKDOWN_DIMENSIONS)


@pytest.mark.parametrize("text", [t for t, _ in POSITIVE])
def test_spans_carry_exact_offsets_a_known_dimension_and_a_reason(nlp, text):
    doc = nlp(text)
    assert doc.spans["breakdowns"], text
    for span in doc.spans["breakdowns"]:
        m = span._.breakdown
        assert isinstance(m, BreakdownMatch)
        assert doc.text[m.start_char:m.end_char] == m.text
        assert m.text == m.text.strip() and m.text
        assert span.start_char <= m.start_char < m.end_char <= span.end_char
        assert span._.char_range == (m.start_char, m.end_char)
        assert m.dimension in BREAKDOWN_DIMENSIONS and span.label_ == m.dimension
        assert m.reason


def test_span_text_is_the_asking_phrase(nlp):
    doc = nlp("1. Please provide the number of complaints, broken down by year and by rank.")
    found = {(s._.breakdown.dimension, s._.breakdown.text) for s in doc.spans["breakdowns"]}
    assert found == {("year", "by year"), ("rank_role", "rank")}


def test_reason_reads_as_plain_english(nlp):
    doc = nlp("Please give the annual figures.")
    (span,) = doc.spans["breakdowns"]
    assert span._.breakdown.reason == "asks for annual figures"


def test_offsets_hold_with_unusual_whitespace_and_unicode(nlp):
    text = "Café  requests:\r\n\t• by  gender\u00a0and ethnicity —\n  each of the last 3 years…"
    doc = nlp(text)
    got = {s._.breakdown.dimension for s in doc.spans["breakdowns"]}
    assert {"gender", "ethnicity", "year"} <= got
    for s in doc.spans["breakdowns"]:
        m = s._.breakdown
        assert text[m.start_char:m.end_char] == m.text


def test_one_dimension_asked_twice_gives_two_spans(nlp):
    doc = nlp("Q1. Arrests broken down by year.\nQ2. Charges broken down by year.")
    years = [s for s in doc.spans["breakdowns"] if s._.breakdown.dimension == "year"]
    assert len(years) == 2 and years[0].start_char < years[1].start_char


# ------------------------------------------------------------ serialisation

def test_pipeline_saved_to_disk_loads_with_the_same_results(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "foi_breakdowns" / "breakdowns.yaml").is_file()
    loaded = spacy.load(tmp_path / "pipe")
    for text, _ in POSITIVE[:15]:
        doc_a, doc_b = nlp(text), loaded(text)
        a = [s._.breakdown for s in doc_a.spans["breakdowns"]]
        b = [s._.breakdown for s in doc_b.spans["breakdowns"]]
        assert a == b


MINI_RULES = """
version: 1
vocab:
  cues: [by, per]
rules:
  - id: only_rule
    dimension: location
    reason: asks for the figures by parish
    patterns:
      - [{LOWER: {IN: $cues}}, {LOWER: parish}]
    phrases: [parish council area]
"""


def test_saved_pipeline_carries_its_own_rules_not_the_bundled_ones(tmp_path):
    rules = tmp_path / "mini.yaml"
    rules.write_text(MINI_RULES, encoding="utf-8")
    nlp = spacy.blank("en")
    nlp.add_pipe("foi_breakdowns", config={"rules_path": str(rules)})
    nlp.to_disk(tmp_path / "pipe")
    rules.unlink()  # the saved pipeline must not need the original file
    loaded = spacy.load(tmp_path / "pipe")
    doc = loaded("Figures by parish and by year, for each parish council area.")
    assert [(s._.breakdown.dimension, s._.breakdown.text) for s in doc.spans["breakdowns"]] == [
        ("location", "by parish"), ("location", "parish council area")]


def test_to_bytes_round_trip(nlp):
    other = spacy.blank("en")
    finder = other.add_pipe("foi_breakdowns")
    finder.from_bytes(nlp.get_pipe("foi_breakdowns").to_bytes())
    text = "Please break this down by month and by ward."
    assert dims(other, text) == dims(nlp, text) == {"month", "location"}


def test_default_config_uses_the_bundled_rules(nlp):
    finder = nlp.get_pipe("foi_breakdowns")
    assert finder.rules_path is None
    assert finder.to_bytes() == DEFAULT_RULES_PATH.read_bytes()


@pytest.mark.parametrize("bad", [
    "rules:\n  - {id: x, dimension: colour, reason: r, patterns: [[{LOWER: red}]]}\n",
    "rules:\n  - {id: x, dimension: year, reason: r, patterns: [[{LOWER: a}]]}\n"
    "  - {id: x, dimension: month, reason: r, patterns: [[{LOWER: b}]]}\n",
    "rules:\n  - {id: x, dimension: year, reason: r, patterns: [[{LOWER: {IN: $missing}}]]}\n",
    "rules:\n  - {id: x, dimension: year, reason: r, patterns: [[{NOT_AN_ATTR: 1}]]}\n",
    "rules:\n  - {id: x, dimension: year, reason: r}\n",
    "nothing: here\n",
])
def test_malformed_rules_fail_at_load_with_a_clear_error(tmp_path, bad):
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(RulesError):
        BreakdownFinder(spacy.blank("en"), rules_path=path)


def test_a_missing_rules_file_is_reported_when_used_not_silently_ignored(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("foi_breakdowns", config={"rules_path": str(tmp_path / "nowhere.yaml")})
    with pytest.raises(RulesError, match="not found"):
        nlp("Please break this down by year.")


def test_two_dimensions_asked_by_the_same_words_both_survive_on_the_spans(nlp):
    # spaCy keys span extension values by character range: the spans must not collide
    doc = nlp("Please provide the date of each arrest.")
    got = sorted((s._.breakdown.dimension, s._.breakdown.text) for s in doc.spans["breakdowns"])
    assert got == [("day", "date of each arrest"), ("individual_record", "date of each arrest")]
    assert len({(s.start, s.end) for s in doc.spans["breakdowns"]}) == 2


def test_bundled_rules_file_is_well_formed():
    import yaml

    data = yaml.safe_load(Path(DEFAULT_RULES_PATH).read_text(encoding="utf-8"))
    ids = [r["id"] for r in data["rules"]]
    assert len(ids) == len(set(ids))
    assert {r["dimension"] for r in data["rules"]} == set(BREAKDOWN_DIMENSIONS)
    assert all(r.get("reason") for r in data["rules"])


# ------------------------------------------------------ robustness and speed

ASK_WORDS = ["by", "per", "each", "every", "of", "the", "year", "years", "month", "age", "aged", "gender",
             "sex", "rank", "type", "outcome", "whether", "charged", "how", "many", "were", "list", "date",
             "2019", "2020/21", "2021", "-", "–", ",", ";", "and", "/", "\n", "\n\n", "a)", "ii)", "(", ")",
             "•", "between", "location", "where", "for", "case", "by-year", "month-by-month", "Q1", "Q2",
             "18-25", "ethnicity", "hate", "disability", "reason", "'s", "don't", "…", "\u00a0", "  "]
word_soup = st.lists(st.sampled_from(ASK_WORDS), max_size=60).map(" ".join)
mixed = st.lists(st.one_of(st.sampled_from(ASK_WORDS), st.text(max_size=8)), max_size=40).map(
    lambda xs: "".join(x + (" " if i % 3 else "") for i, x in enumerate(xs)))


def check_exact(nlp, text):
    doc = nlp(text)
    for span in doc.spans["breakdowns"]:
        m = span._.breakdown
        assert 0 <= m.start_char < m.end_char <= len(text)
        assert text[m.start_char:m.end_char] == m.text
        assert m.dimension in BREAKDOWN_DIMENSIONS


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_never_raises_and_offsets_are_exact(nlp, text):
    check_exact(nlp, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(word_soup, mixed))
def test_request_word_soup_never_raises_and_offsets_are_exact(nlp, text):
    check_exact(nlp, text)


def test_a_long_request_finds_each_repetition_of_its_breakdowns(nlp):
    # about 300 words of dense, breakdown-heavy asks (speed is measured in bench/latency.py, not here):
    # the windows the finder runs its patterns on must not lose a repeated or distant ask
    para = ("1. Please provide the number of complaints in each of the years 2019, 2020 and 2021, broken down "
            "by rank, gender, age and ethnicity of the officer, and by the type of allegation. 2. For each "
            "complaint please give the date received, the location, the outcome and whether the officer was "
            "suspended. 3. How many of these were upheld? Please give monthly figures by district. ")
    finder = nlp.get_pipe("foi_breakdowns")
    once = [m.dimension for m in finder.find(nlp.make_doc(para))]
    five = [m.dimension for m in finder.find(nlp.make_doc(para * 5))]
    assert {"year", "rank_role", "gender", "age", "ethnicity", "outcome", "month", "location"} <= set(once)
    assert five == once * 5
