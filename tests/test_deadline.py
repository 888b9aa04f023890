"""Statutory deadlines: working days, the UK-wide holiday union, regimes, clarification."""
from __future__ import annotations

from datetime import date

import pytest

from triage import Triage
from triage.deadline import (RegimeError, add_working_days, bank_holidays, compute_deadline, get_regime,
                             is_working_day, non_working_reason, working_days_between)
from triage.pipeline import InputError
from triage.signals import cite_exemptions
from triage.models import Exemption, TriageResult

FOIA, FOISA, EIR = get_regime("foia"), get_regime("foisa"), get_regime("eir")


@pytest.fixture(scope="module")
def triage():
    return Triage()


def test_a_request_received_on_the_friday_before_the_august_bank_holiday_skips_the_monday():
    # Fri 23 Aug 2024; Mon 26 Aug is the England, Wales and NI summer bank holiday
    due = compute_deadline(date(2024, 8, 23), FOIA)
    assert due.deadline == date(2024, 9, 23)
    assert [(d, n) for d, n in due.skipped] == [(date(2024, 8, 26), "Late Summer Bank Holiday")]


def test_under_foisa_the_english_august_holiday_is_a_working_day():
    # Scotland's summer bank holiday was Mon 5 Aug, so 26 Aug counts
    assert compute_deadline(date(2024, 8, 23), FOISA).deadline == date(2024, 9, 20)


def test_easter_skips_good_friday_everywhere_but_easter_monday_only_outside_scotland():
    assert compute_deadline(date(2024, 3, 28), FOIA).deadline == date(2024, 4, 29)
    assert compute_deadline(date(2024, 3, 28), FOISA).deadline == date(2024, 4, 26)


@pytest.mark.parametrize("day, name", [
    (date(2025, 3, 17), "Saint Patrick's Day"),  # Northern Ireland only
    (date(2024, 7, 12), "Battle of the Boyne"),  # Northern Ireland only
    (date(2026, 11, 30), "Saint Andrew's Day"),  # Scotland only
    (date(2025, 8, 4), "Summer Bank Holiday"),  # Scotland only
])
def test_foia_skips_a_bank_holiday_in_any_part_of_the_uk(day, name):
    assert not is_working_day(day, FOIA)
    assert name in non_working_reason(day, FOIA)


def test_foisa_counts_only_scottish_bank_holidays():
    assert is_working_day(date(2025, 3, 17), FOISA)  # St Patrick's Day
    assert is_working_day(date(2024, 7, 12), FOISA)  # Battle of the Boyne
    assert not is_working_day(date(2026, 11, 30), FOISA)  # St Andrew's Day
    assert is_working_day(date(2024, 4, 1), FOISA)  # Easter Monday is not a Scottish bank holiday


@pytest.mark.parametrize("day", [date(2022, 9, 19), date(2023, 5, 8), date(2022, 6, 3)])
def test_one_off_holidays_from_the_package_are_skipped(day):
    # the Queen's funeral, the coronation, the platinum jubilee
    assert not is_working_day(day, FOIA)
    assert not is_working_day(day, FOISA)


def test_christmas_and_new_year_skip_the_union_of_both_lists():
    # Fri 20 Dec 2024: 25, 26 Dec and 1 Jan everywhere, 2 Jan in Scotland
    due = compute_deadline(date(2024, 12, 20), FOIA)
    assert [d for d, _ in due.skipped] == [date(2024, 12, 25), date(2024, 12, 26), date(2025, 1, 1),
                                          date(2025, 1, 2)]
    assert due.deadline == date(2025, 1, 23)


def test_day_one_is_the_first_working_day_after_receipt():
    # received on a Saturday: Monday 3 June is day one, Friday 28 June day twenty
    assert add_working_days(date(2024, 6, 1), 1, FOIA).day == date(2024, 6, 3)
    assert compute_deadline(date(2024, 6, 1), FOIA).deadline == date(2024, 6, 28)


def test_christmas_day_and_good_friday_are_never_working_days_whatever_the_lists_say():
    assert non_working_reason(date(2024, 12, 25), FOIA) == "Christmas Day"
    assert non_working_reason(date(2023, 4, 7), FOISA) == "Good Friday"


def test_the_public_interest_extension_adds_twenty_working_days():
    due = compute_deadline(date(2024, 8, 23), FOIA)
    assert due.extended == date(2024, 10, 21)
    assert working_days_between(due.deadline, due.extended, FOIA) == 20


def test_foisa_has_no_public_interest_extension():
    assert compute_deadline(date(2024, 8, 23), FOISA).extended is None


def test_a_clarification_restarts_the_clock_from_the_day_the_answer_arrives():
    due = compute_deadline(date(2024, 5, 1), FOIA, clarified=date(2024, 5, 10))
    assert due.clock_start == date(2024, 5, 10) and due.restarted
    assert due.deadline == date(2024, 6, 10)  # Mon 27 May (spring bank holiday) skipped
    assert "clarification" in due.reason


def test_a_clarification_dated_before_the_request_is_refused():
    with pytest.raises(RegimeError, match="before received"):
        compute_deadline(date(2024, 5, 10), FOIA, clarified=date(2024, 5, 1))


def test_an_unknown_regime_is_refused_with_the_choices():
    with pytest.raises(RegimeError, match="foia, foisa, eir, eisr"):
        get_regime("gdpr")


def test_holiday_lists_are_cached_per_year():
    bank_holidays.cache_clear()
    bank_holidays(2024, FOIA.holiday_subdivisions)
    bank_holidays(2024, FOIA.holiday_subdivisions)
    assert bank_holidays.cache_info().hits >= 1


def test_the_result_carries_deadline_pit_and_how_it_was_counted(triage):
    r = triage.triage("How many speed cameras did the force operate in 2023?", received=date(2024, 3, 28))
    assert r.deadline == date(2024, 4, 29) and r.deadline_pit == date(2024, 5, 29)
    assert r.regime == "foia"
    assert [s.name for s in r.deadline_basis.holidays_skipped] == ["Good Friday", "Easter Monday"]
    assert r.deadline_basis.extension == "public_interest_test"


def test_triage_under_foisa_uses_scottish_days_and_no_pit_date(triage):
    r = triage.triage("How many speed cameras did the force operate in 2023?", received=date(2024, 3, 28),
                      regime="foisa")
    assert r.regime == "foisa" and r.deadline == date(2024, 4, 26) and r.deadline_pit is None
    assert r.cost_risk.limit_gbp == 600 and r.cost_risk.limit_hours == 40


def test_triage_refuses_a_clarified_date_before_received(triage):
    with pytest.raises(InputError, match="before received"):
        triage.triage("How many?", received=date(2024, 5, 10), clarified=date(2024, 5, 1))


def test_an_environmental_request_follows_the_eir_with_its_complex_and_voluminous_extension(triage):
    r = triage.triage("What were the total CO2 emissions of the police vehicle fleet in 2023?",
                      received=date(2024, 8, 23))
    assert r.request_type.type == "eir" and r.regime == "eir"
    assert r.deadline == date(2024, 9, 23)
    assert r.deadline_pit is None and r.deadline_basis.extended_deadline == date(2024, 10, 21)


def test_foisa_renumbers_exemptions_and_cites_s18_for_ncnd():
    result = TriageResult(regime="foisa", exemptions=[
        Exemption(section="s31", subsection="s31(3)", ncnd=True, score=0.8, reason="law enforcement"),
        Exemption(section="s40", subsection="s40(2)", score=0.7, reason="personal information"),
        Exemption(section="s30", score=0.6, reason="investigations")])
    cite_exemptions(result)
    assert [(e.section, e.subsection) for e in result.exemptions] == [
        ("s35", "s35(1)"), ("s38", "s38(1)(b)"), ("s34", None)]
    assert "s18" in result.exemptions[0].cited_as and "FOIA s31(3)" in result.exemptions[0].cited_as
    cite_exemptions(result)  # repeating it changes nothing
    assert result.exemptions[1].section == "s38"


def test_eir_keeps_the_foia_key_and_cites_the_regulation():
    result = TriageResult(regime="eir", exemptions=[
        Exemption(section="s40", score=0.7, reason="personal information"),
        Exemption(section="s44", score=0.3, reason="prohibition")])
    cite_exemptions(result)
    assert result.exemptions[0].section == "s40" and result.exemptions[0].cited_as.startswith("EIR reg 13")
    assert "no EIR equivalent" in result.exemptions[1].cited_as


def test_under_foia_exemptions_are_left_as_they_are():
    result = TriageResult(exemptions=[Exemption(section="s31", score=0.5, reason="x")])
    cite_exemptions(result)
    assert result.exemptions[0].cited_as is None and result.exemptions[0].section == "s31"


def test_the_api_takes_clarified_and_regime_and_refuses_bad_ones():
    from fastapi.testclient import TestClient

    from triage.api import app

    client = TestClient(app)
    ok = client.post("/v1/triage", json={"text": "How many speed cameras are there?", "received": "2024-05-01",
                                         "clarified": "2024-05-10", "regime": "foisa"})
    assert ok.status_code == 200
    body = ok.json()
    assert (body["deadline"], body["regime"], body["deadline_basis"]["clock_start"]) == (
        "2024-06-10", "foisa", "2024-05-10")
    early = client.post("/v1/triage", json={"text": "How many?", "received": "2024-05-10", "clarified": "2024-05-01"})
    assert early.status_code == 422 and "before received" in early.json()["detail"]
    unknown = client.post("/v1/triage", json={"text": "How many?", "regime": "gdpr"})
    assert unknown.status_code == 422 and "unknown regime" in unknown.json()["detail"]
