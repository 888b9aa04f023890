"""Problems with the dates given beside a request are input errors, whichever layer calls."""
import datetime as dt

import pytest

from triage.pipeline import InputError, Triage

REQUEST = "Please tell me how many burglaries were recorded in Exeter in 2023."


@pytest.fixture(scope="module")
def triage():
    return Triage(store=None)


def test_clarified_before_today_without_received_is_an_input_error(triage):
    with pytest.raises(InputError, match="clarified"):
        triage.triage(REQUEST, clarified=dt.date(2001, 1, 2))


def test_received_at_the_end_of_the_calendar_is_an_input_error(triage):
    with pytest.raises(InputError, match="out of range"):
        triage.triage(REQUEST, received=dt.date(9999, 12, 30))
