"""Periods asked about: how find_periods reads and normalises them (CONTRACT.md, Dates).

Every request text here is written for these tests. Unless a case says
otherwise the request arrived on 1 July 2023.
"""
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.dates import Period, find_periods

RECEIVED = date(2023, 7, 1)
D = date


def periods(text, received=RECEIVED):
    found = find_periods(text, received)
    for p in found:  # offsets must always slice the text to the reported span
        assert text[p.start_char:p.end_char] == p.text
    return found


def intervals(text, received=RECEIVED):
    return [(p.start, p.end) for p in periods(text, received)]


# (request text, expected intervals in order)
CASES = [
    # open starts and ends (contract table)
    ("Please send the totals since 01/02/2020.", [(D(2020, 2, 1), None)]),
    ("How many complaints have been logged since 2014?", [(D(2014, 1, 1), None)]),
    ("Give me every report from 1 Feb 2020 please.", [(D(2020, 2, 1), None)]),
    ("How many vehicles were bought prior to 2020?", [(None, D(2019, 12, 31))]),
    ("List the contracts signed before 2020.", [(None, D(2019, 12, 31))]),
    ("List the contracts signed after 2020.", [(D(2021, 1, 1), None)]),
    ("Which licences expire before 31st December 2024?", [(None, D(2024, 12, 30))]),
    # calendar years
    ("How many drones did the force buy in 2019?", [(D(2019, 1, 1), D(2019, 12, 31))]),
    ("What was spent on taxis during 2019?", [(D(2019, 1, 1), D(2019, 12, 31))]),
    ("The figures for calendar year 2019, please.", [(D(2019, 1, 1), D(2019, 12, 31))]),
    ("Please send the data for the year 2024.", [(D(2024, 1, 1), D(2024, 12, 31))]),
    ("I would like the log for the whole of 2019.", [(D(2019, 1, 1), D(2019, 12, 31))]),
    ("How many bikes were stolen in the 2018 calendar year?", [(D(2018, 1, 1), D(2018, 12, 31))]),
    ("Number of dog bites reported in 2004 and 1994.",
     [(D(2004, 1, 1), D(2004, 12, 31)), (D(1994, 1, 1), D(1994, 12, 31))]),
    # ranges
    ("How many fines were issued between 2018 and 2022?", [(D(2018, 1, 1), D(2022, 12, 31))]),
    ("Please give annual totals for 2018-2022.", [(D(2018, 1, 1), D(2022, 12, 31))]),
    ("Please give annual totals for 2018 - 2022.", [(D(2018, 1, 1), D(2022, 12, 31))]),
    ("Please give the totals from 2018 to 2022.", [(D(2018, 1, 1), D(2022, 12, 31))]),
    ("Annual figures for 2017 through to 2021 would help.", [(D(2017, 1, 1), D(2021, 12, 31))]),
    ("How many calls were made from January 2019 to March 2020?", [(D(2019, 1, 1), D(2020, 3, 31))]),
    ("Cases opened in the period 1 April 2013 to 31 March 2022.", [(D(2013, 4, 1), D(2022, 3, 31))]),
    ("From Jan 2017 to the end of 2022, how many officers resigned?", [(D(2017, 1, 1), D(2022, 12, 31))]),
    ("Overtime claimed 1st Jan 2024, to 31st Dec 2024.", [(D(2024, 1, 1), D(2024, 12, 31))]),
    ("Thefts recorded from 01/01/2023 to 31/01/2024 (inclusive).", [(D(2023, 1, 1), D(2024, 1, 31))]),
    ("Arrests from 2015 up to and including 2019.", [(D(2015, 1, 1), D(2019, 12, 31))]),
    ("How many referrals were made in the years 2018-20?", [(D(2018, 1, 1), D(2020, 12, 31))]),
    ("How many referrals were made between the years 2010 and 2021, inclusive?",
     [(D(2010, 1, 1), D(2021, 12, 31))]),
    ("Sickness days between 1st August 2018-1st August 2019.", [(D(2018, 8, 1), D(2019, 8, 1))]),
    ("Incidents between 1 December and 31 January 2020.", [(D(2019, 12, 1), D(2020, 1, 31))]),
    ("For the three month period January-March 2022 please.", [(D(2022, 1, 1), D(2022, 3, 31))]),
    ("Stops made on 3-9 May 2021.", [(D(2021, 5, 3), D(2021, 5, 9))]),
    # "to date" leaves the end open
    ("Complaints received from 2017 to date.", [(D(2017, 1, 1), None)]),
    ("Complaints received from March 2021 to the present day.", [(D(2021, 3, 1), None)]),
    ("Figures for each calendar year from 2019 to date.", [(D(2019, 1, 1), None)]),
    ("Detentions from 01/01/16 - present day (12/02/17).", [(D(2016, 1, 1), D(2017, 2, 12))]),
    # financial years
    ("What was the overtime bill in 2019/20?", [(D(2019, 4, 1), D(2020, 3, 31))]),
    ("What was the overtime bill in 2019-20?", [(D(2019, 4, 1), D(2020, 3, 31))]),
    ("What was the overtime bill in FY 2019-20?", [(D(2019, 4, 1), D(2020, 3, 31))]),
    ("Spend on consultants in the financial year 2021/22.", [(D(2021, 4, 1), D(2022, 3, 31))]),
    ("Spend on consultants for the 2021/2022 financial year.", [(D(2021, 4, 1), D(2022, 3, 31))]),
    ("Spend on consultants for the financial years 2018/19 to 2022/23.", [(D(2018, 4, 1), D(2023, 3, 31))]),
    ("Spend on consultants in financial year 2019-2020.", [(D(2019, 4, 1), D(2020, 3, 31))]),
    ("Budget figures for the period of interest - 2014- 15.", [(D(2014, 4, 1), D(2015, 3, 31))]),
    ("For the years ending 31 March 2021 and 2022, how many vetting refusals?",
     [(D(2020, 4, 1), D(2021, 3, 31)), (D(2021, 4, 1), D(2022, 3, 31))]),
    # a hyphenated pair of four-digit years reads as calendar years without a financial-year word
    ("How many licences were revoked in 2019-2020?", [(D(2019, 1, 1), D(2020, 12, 31))]),
    # quarters
    ("Calls answered in Q1 2010.", [(D(2010, 1, 1), D(2010, 3, 31))]),
    ("Calls answered in the third quarter of 2021.", [(D(2021, 7, 1), D(2021, 9, 30))]),
    ("Calls answered in quarter 4 of 2022.", [(D(2022, 10, 1), D(2022, 12, 31))]),
    ("Agency spend:\n2010 (Q1 - 1st Jan - 31st March)\n2010 (Q2 - 1st April - 30th June)",
     [(D(2010, 1, 1), D(2010, 3, 31)), (D(2010, 4, 1), D(2010, 6, 30))]),
    # months and days
    ("What was spent during December 2019?", [(D(2019, 12, 1), D(2019, 12, 31))]),
    ("How many officers were deployed at the march on 15th October 2011?", [(D(2011, 10, 15), D(2011, 10, 15))]),
    ("Cases opened since January 1, 2011.", [(D(2011, 1, 1), None)]),
    ("Cases opened since 1st of January 2021.", [(D(2021, 1, 1), None)]),
    ("Reports received since 1 January, 2020.", [(D(2020, 1, 1), None)]),
    ("Helicopter flights from 1st December 2012 to 31st November 2013.", [(D(2012, 12, 1), D(2013, 11, 30))]),
    # relative periods, anchored on the day the request arrived
    ("How many tasers were fired in the last five years?", [(D(2018, 7, 1), D(2023, 7, 1))]),
    ("How many tasers were fired over the past 5 years?", [(D(2018, 7, 1), D(2023, 7, 1))]),
    ("How many tasers were fired in the last 12 months?", [(D(2022, 7, 1), D(2023, 7, 1))]),
    ("How much was spent on hotels last calendar year?", [(D(2022, 1, 1), D(2022, 12, 31))]),
    ("How much was spent on hotels last year?", [(D(2022, 1, 1), D(2022, 12, 31))]),
    ("Totals for each of the last five calendar years.", [(D(2018, 1, 1), D(2022, 12, 31))]),
    ("Totals for the last three financial years.", [(D(2020, 4, 1), D(2023, 3, 31))]),
    ("Totals for the past 3 full financial years.", [(D(2020, 4, 1), D(2023, 3, 31))]),
    ("How many appeals succeeded in the last financial year?", [(D(2022, 4, 1), D(2023, 3, 31))]),
    ("How many dogs were seized over the last decade?", [(D(2013, 7, 1), D(2023, 7, 1))]),
    ("How many drones were flown last month?", [(D(2023, 6, 1), D(2023, 6, 30))]),
    ("How many were recorded in the past eighteen months?", [(D(2022, 1, 1), D(2023, 7, 1))]),
    ("How many were recorded over the past 5-10 years?", [(D(2013, 7, 1), D(2023, 7, 1))]),
    ("Spend in the current financial year.", [(D(2023, 4, 1), D(2024, 3, 31))]),
    ("Spend so far this year.", [(D(2023, 1, 1), None)]),
    ("Spend for the year to date.", [(D(2023, 1, 1), None)]),
    ("Fly tips cleared in the two weeks prior to and including 25th June.", [(D(2023, 6, 12), D(2023, 6, 25))]),
    ("Average response time for the 12 months to the end of April 2023.", [(D(2022, 5, 1), D(2023, 4, 30))]),
    # a relative period spelled out by the requester: the explicit dates win
    ("Protests over the last two calendar years (2022 and 2023 to present).", [(D(2022, 1, 1), None)]),
    ("Absences for the last 3 full years, namely 2020, 2021 and 2022.",
     [(D(2020, 1, 1), D(2022, 12, 31))]),
    ("Please give the total for the past two years (January 2021 to the latest month available).",
     [(D(2021, 1, 1), None)]),
    # lists of years, inline or one per line
    ("How many hate crimes were recorded in each of the years 2008, 2009, 2010 and 2011?",
     [(D(y, 1, 1), D(y, 12, 31)) for y in (2008, 2009, 2010, 2011)]),
    ("Please provide the totals for the following years:\na. 2016\nb. 2017\nc. 2018",
     [(D(y, 1, 1), D(y, 12, 31)) for y in (2016, 2017, 2018)]),
    ("Break the spend down for the years 2015/16, 2016/17 and 2017/18.",
     [(D(y, 4, 1), D(y + 1, 3, 31)) for y in (2015, 2016, 2017)]),
    ("Camera counts for 2019-20, 2020-21 and 2021-22 to date.", [(D(2019, 4, 1), None)]),
    # less common shapes
    ("Spend on agency staff in financial year 19/20.", [(D(2019, 4, 1), D(2020, 3, 31))]),
    ("Monthly totals Apr-22 to Mar-23.", [(D(2022, 4, 1), D(2023, 3, 31))]),
    ("Calls answered in Q1-Q3 2022.", [(D(2022, 1, 1), D(2022, 9, 30))]),
    ("Pupils excluded in the academic year 2021/22.", [(D(2021, 9, 1), D(2022, 8, 31))]),
    ("Arrests in the first half of 2022.", [(D(2022, 1, 1), D(2022, 6, 30))]),
    ("Arrests in the first six months of 2023.", [(D(2023, 1, 1), D(2023, 6, 30))]),
    ("Arrests in the months of June, July and August 2022.",
     [(D(2022, 6, 1), D(2022, 6, 30)), (D(2022, 7, 1), D(2022, 7, 31)), (D(2022, 8, 1), D(2022, 8, 31))]),
    ("Penalty notices in 2022 vs 2023.", [(D(2022, 1, 1), D(2022, 12, 31)), (D(2023, 1, 1), D(2023, 12, 31))]),
    ("Figures for 2020 (pre-pandemic) and 2021.", [(D(2020, 1, 1), D(2020, 12, 31)), (D(2021, 1, 1), D(2021, 12, 31))]),
    ("Crimes recorded from the 1st of April 2021 to the 31st of March 2022.", [(D(2021, 4, 1), D(2022, 3, 31))]),
    ("What was the headcount at 31 March 2022 and 31 March 2023?",
     [(D(2022, 3, 31), D(2022, 3, 31)), (D(2023, 3, 31), D(2023, 3, 31))]),
    ("How many were opened each financial year since 2011?", [(D(2011, 4, 1), None)]),
    ("Seizures over the last ten (10) years.", [(D(2013, 7, 1), D(2023, 7, 1))]),
    ("Seizures in the 12 months prior to the date of this request.", [(D(2022, 7, 1), D(2023, 7, 1))]),
    ("Seizures since the start of this year.", [(D(2023, 1, 1), None)]),
    ("Records of stations closed in the 1990s.", [(D(1990, 1, 1), D(1999, 12, 31))]),
    ("Dog bites recorded for the years 2019, 2020 and 2021 (to date).", [(D(2019, 1, 1), None)]),
    # one-day snapshots count when they are the point asked about
    ("The number of horses in the mounted unit as of 6 June 2021 and 6 June 2022.",
     [(D(2021, 6, 6), D(2021, 6, 6)), (D(2022, 6, 6), D(2022, 6, 6))]),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:60] for c in CASES])
def test_period_is_read_and_normalised(text, expected):
    assert intervals(text) == expected


# ------------------------------------------------------------------ exclusions

NOT_PERIODS = [
    "I am writing under the Freedom of Information Act 2000.",
    "Under the Data Protection Act 2018 I also ask for my own records.",
    "Offences under the Policing and Crime Act 2017 interest me.",
    "Please treat this as a request under FOIA 2000 and the Environmental Information Regulations 2004.",
    "Your letter dated 14 June 2019 refused my request.",
    "Further to your letter of 3 May, please reconsider.",
    "My earlier request, FOI 2023/1234, was answered late.",
    "The case reference is 859A/23.",
    "The incident happened at 20:15 near the station.",
    "The force paid £2020 for the repair.",
    "How many people aged 18 or over were cautioned?",
    "There are over 2000 officers in the force.",
    "How many officers are currently (as of 22 Dec 2022) suspended?",
    "How many officers are currently employed?",
    "As agreed earlier this year, the force will publish its plan.",
    "Please see the update of 23 February 2024 on your website.",
    "Report the crimes under Home Office code 92/21.",
    "Please respond by the end of 2023.",
    "I note that your annual report 2021/22 says otherwise.",
    "The policy was last updated on 12 March 2021.",
]


@pytest.mark.parametrize("text", NOT_PERIODS)
def test_citations_correspondence_references_and_amounts_are_not_periods(text):
    assert periods(text) == []


def test_a_period_next_to_an_act_citation_is_still_found():
    text = "Under the Freedom of Information Act 2000, how many arrests were made in 2021?"
    assert intervals(text) == [(D(2021, 1, 1), D(2021, 12, 31))]


# ------------------------------------------------------------------ day-first dates

@pytest.mark.parametrize("written,day", [
    ("01/02/2020", D(2020, 2, 1)),
    ("1.2.2020", D(2020, 2, 1)),
    ("01-02-2020", D(2020, 2, 1)),
    ("1/10/09", D(2009, 10, 1)),
    ("12/02/17", D(2017, 2, 12)),
    ("12/25/2020", D(2020, 12, 25)),  # only the month-first reading is a date
    ("31/11/2013", D(2013, 11, 30)),  # 31 November: the last day of November
])
def test_numeric_dates_are_day_first(written, day):
    assert intervals(f"Please list the searches since {written}.") == [(day, None)]


def test_two_digit_years_pivot_on_the_received_date():
    assert intervals("Arrests since 1/1/98.", D(2023, 7, 1)) == [(D(1998, 1, 1), None)]
    assert intervals("Arrests since 1/1/21.", D(2023, 7, 1)) == [(D(2021, 1, 1), None)]


# ------------------------------------------------------------------ spans and offsets

def test_offsets_slice_the_text_exactly():
    text = "Dear Sir,\n1. How many complaints since 1 November 2022?\n2. And how many in 2021/22?"
    found = periods(text)
    assert [p.text for p in found] == ["since 1 November 2022", "in 2021/22"]
    assert [p.kind for p in found] == ["since", "financial_year"]
    for p in found:
        assert text[p.start_char:p.end_char] == p.text


def test_the_longest_expression_wins():
    found = periods("Data between 1 April 2019 and 31 March 2022, please.")
    assert len(found) == 1
    assert found[0].text == "between 1 April 2019 and 31 March 2022"
    assert found[0].kind == "range"


def test_periods_are_sorted_and_do_not_overlap():
    text = ("Since 2015, and in 2016/17, and between January 2018 and June 2019, "
            "and in the last three years, and 2020 - 2021.")
    found = periods(text)
    assert len(found) == 5
    for a, b in zip(found, found[1:]):
        assert a.end_char <= b.start_char


def test_a_cue_on_the_line_before_is_not_part_of_the_span():
    # the segmenter places a period in a question by its span: it must not reach into the lead-in line
    text = "Figures for each of the following years:\n1. 2019\n2. 2020"
    found = periods(text)
    assert [p.text for p in found] == ["2019", "2020"]


def test_relative_periods_move_with_the_received_date():
    text = "How many in the last three financial years?"
    assert intervals(text, D(2023, 3, 1)) == [(D(2019, 4, 1), D(2022, 3, 31))]
    assert intervals(text, D(2023, 4, 1)) == [(D(2020, 4, 1), D(2023, 3, 31))]


def test_last_year_means_the_last_financial_year_in_a_request_about_financial_years():
    text = "Licences granted in the last financial year, and appeals heard last year."
    assert intervals(text) == [(D(2022, 4, 1), D(2023, 3, 31)), (D(2022, 4, 1), D(2023, 3, 31))]


def test_a_relative_period_spelled_out_just_after_gives_way_to_the_years():
    text = ("How much was invested over the previous three years? "
            "Please give it for 2020, 2021 and 2022.")
    assert intervals(text) == [(D(y, 1, 1), D(y, 12, 31)) for y in (2020, 2021, 2022)]


def test_period_dataclass_fields():
    p = periods("Spend in 2019/20.")[0]
    assert isinstance(p, Period)
    assert (p.start, p.end, p.kind) == (D(2019, 4, 1), D(2020, 3, 31), "financial_year")


# ------------------------------------------------------------------ robustness

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400), st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 12, 31)))
def test_random_text_never_raises_and_offsets_hold(text, received):
    for p in find_periods(text, received):
        assert text[p.start_char:p.end_char] == p.text
        assert p.start is None or p.end is None or p.start <= p.end


_PIECES = st.sampled_from([
    "since", "before", "between", "and", "to", "from", "the last", "five", "years", "financial year",
    "2019", "2019/20", "2018-20", "1st", "Jan", "March", "31/11/2013", "Q3", "as of", "to date", "(", ")",
    ",", "\n", "a.", "i)", "Act", "dated", "£", "-", "each of", "calendar", "months", "2099", "1900",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30), st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 12, 31)))
def test_date_like_word_salad_never_raises_and_offsets_hold(pieces, received):
    text = " ".join(pieces)
    found = find_periods(text, received)
    for p in found:
        assert text[p.start_char:p.end_char] == p.text
    for a, b in zip(found, found[1:]):
        assert a.end_char <= b.start_char


def test_odd_inputs_return_empty():
    assert find_periods("", RECEIVED) == []
    assert find_periods(None, RECEIVED) == []  # type: ignore[arg-type]
    assert find_periods("\x00\ud800 2019", RECEIVED) is not None


def test_a_long_text_finds_every_repeated_period():
    # speed is measured by bench/latency.py (2,000-word requests), not asserted here
    text = "How many arrests were made in 2019, 2020 and 2021 since 1 April 2019? " * 400  # ~28k chars
    found = find_periods(text, RECEIVED)
    assert len(found) == 1600
