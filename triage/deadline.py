"""Statutory deadlines: working days under FOIA, FOISA, EIR and EISR.

A working day is any day other than a Saturday, a Sunday, Christmas Day,
Good Friday or a bank holiday. Which bank holidays count is the regime's
choice: FOIA s10(6) (and EIR through it) skips the bank holidays of ANY part
of the United Kingdom, i.e. the union of the England and Wales, Scotland and
Northern Ireland lists; FOISA s73 (and EISR) only Scotland's. The lists come
from the ``holidays`` package, which carries one-off days (jubilees, the
coronation, the state funeral) too; no network is needed.

Regimes (days, extension, cost limit, section numbers) are data in
``data/regimes.yaml``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import holidays as _holidays

from .rules import safe_load  # libyaml when installed

DATA = Path(__file__).with_name("data") / "regimes.yaml"
_SECTION_BASE = re.compile(r"^(s\d+|reg \d+)")


class RegimeError(ValueError):
    """An unknown regime name or an impossible date; the message says which."""


@dataclass(frozen=True)
class Regime:
    key: str
    name: str
    short: str
    holiday_subdivisions: tuple[str, ...]
    holiday_reason: str
    working_days: int
    deadline_reason: str
    extension_kind: Optional[str]
    extension_days: int
    extension_reason: str
    clarification_reason: str
    cost_limit: dict
    ncnd: Optional[str]
    sections: dict = field(default_factory=dict)
    environmental: str = ""

    @property
    def cost_limit_gbp(self) -> int:
        return int(self.cost_limit["gbp"])

    @property
    def cost_limit_hours(self) -> float:
        return float(self.cost_limit["hours"])

    def cite(self, section: str) -> Optional[str]:
        """How a FOIA section or subsection ("s31", "s40(5)") is cited under this regime.

        FOIA itself cites it as written; another regime uses its own provision
        (subsection first, then the base section); ``None`` when it has none.
        """
        if not self.sections:
            return section
        if section in self.sections:
            return self.sections[section]
        m = _SECTION_BASE.match(section)
        base = m.group(1) if m else section
        return self.sections.get(base)


@lru_cache(maxsize=1)
def _data() -> dict:
    return safe_load(DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def get_regime(name: Optional[str] = None) -> Regime:
    """The regime called ``name`` (case-insensitive; default FOIA)."""
    data = _data()
    key = (name or data["default"]).strip().lower()
    spec = data["regimes"].get(key)
    if spec is None:
        raise RegimeError(f"unknown regime {name!r}: use one of {', '.join(regime_names())}")
    ext = spec.get("extension") or {}
    return Regime(
        key=key, name=spec["name"], short=spec["short"],
        holiday_subdivisions=tuple(spec["holiday_subdivisions"]),
        holiday_reason=" ".join(spec["holiday_reason"].split()),
        working_days=int(spec["working_days"]),
        deadline_reason=" ".join(spec["deadline_reason"].split()),
        extension_kind=ext.get("kind"), extension_days=int(ext.get("working_days") or 0),
        extension_reason=" ".join((ext.get("reason") or spec.get("extension_reason") or "").split()),
        clarification_reason=" ".join(spec["clarification_reason"].split()),
        cost_limit=dict(spec["cost_limit"]), ncnd=spec.get("ncnd"),
        sections=dict(spec.get("sections") or {}), environmental=spec.get("environmental") or key,
    )


def regime_names() -> tuple[str, ...]:
    return tuple(_data()["regimes"])


# ------------------------------------------------------------------ holidays

@lru_cache(maxsize=256)
def bank_holidays(year: int, subdivisions: tuple[str, ...]) -> dict[dt.date, str]:
    """Bank holidays of ``year`` in the union of the given UK subdivisions, with their names.

    Cached per (year, subdivisions): deadlines are computed for every request
    and building a holiday calendar is the slow part.
    """
    days: dict[dt.date, set[str]] = {}
    for sub in subdivisions:
        for day, name in _holidays.country_holidays("GB", subdiv=sub, years=year).items():
            for part in str(name).split("; "):
                days.setdefault(day, set()).add(part)
    return {d: "; ".join(sorted(names)) for d, names in days.items()}


@lru_cache(maxsize=256)
def _good_friday(year: int) -> dt.date:
    """Two days before Western Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1) - dt.timedelta(days=2)


def non_working_reason(day: dt.date, regime: Regime) -> Optional[str]:
    """Why ``day`` is not a working day under ``regime`` (None when it is one)."""
    return _non_working_reason(day, tuple(regime.holiday_subdivisions))


def _non_working_reason(day: dt.date, subdivisions: tuple[str, ...]) -> Optional[str]:
    if day.weekday() == 5:
        return "Saturday"
    if day.weekday() == 6:
        return "Sunday"
    if day.month == 12 and day.day == 25:
        return "Christmas Day"
    if day == _good_friday(day.year):
        return "Good Friday"
    return bank_holidays(day.year, subdivisions).get(day)


def is_working_day(day: dt.date, regime: Regime) -> bool:
    return non_working_reason(day, regime) is None


@dataclass
class WorkingDayCount:
    day: dt.date  # the last working day counted
    skipped: list[tuple[dt.date, str]]  # weekday holidays passed over on the way


def add_working_days(start: dt.date, n: int, regime: Regime) -> WorkingDayCount:
    """The ``n``-th working day FOLLOWING ``start`` (the first working day after it is day one)."""
    if n < 0:
        raise RegimeError("a number of working days cannot be negative")
    day, skipped = _add_working_days(start, n, tuple(regime.holiday_subdivisions))
    return WorkingDayCount(day, list(skipped))


@lru_cache(maxsize=4096)  # a backlog has a few hundred distinct received dates: each counted once
def _add_working_days(start: dt.date, n: int, subdivisions: tuple[str, ...]) -> tuple[dt.date, tuple]:
    day, counted, skipped = start, 0, []
    while counted < n:
        day += dt.timedelta(days=1)
        why = _non_working_reason(day, subdivisions)
        if why is None:
            counted += 1
        elif day.weekday() < 5:
            skipped.append((day, why))
    return day, tuple(skipped)


def working_days_between(first: dt.date, last: dt.date, regime: Regime) -> int:
    """Working days after ``first`` up to and including ``last`` (0 when ``last <= first``)."""
    n, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        n += is_working_day(day, regime)
    return n


# ------------------------------------------------------------------ deadlines

@dataclass
class Deadline:
    regime: Regime
    clock_start: dt.date
    restarted: bool
    deadline: dt.date
    extended: Optional[dt.date]
    skipped: list[tuple[dt.date, str]]
    reason: str


def compute_deadline(received: dt.date, regime: Regime, clarified: Optional[dt.date] = None) -> Deadline:
    """The response deadline for a request received on ``received``.

    When the requester answered a request for clarification on ``clarified``,
    the clock restarts from that day. Raises ``RegimeError`` when the answer is
    dated before the request.
    """
    if clarified is not None and clarified < received:
        raise RegimeError(f"clarified ({clarified}) is before received ({received}): "
                          "the answer to a clarification cannot come before the request")
    start = clarified or received
    main = add_working_days(start, regime.working_days, regime)
    extended = None
    skipped = list(main.skipped)
    if regime.extension_kind:
        more = add_working_days(main.day, regime.extension_days, regime)
        extended = more.day
    parts = [f"{regime.deadline_reason}."]
    if clarified is not None:
        parts.append(f"Counted from {clarified}, when the clarification arrived: {regime.clarification_reason}.")
    else:
        parts.append(f"Counted from receipt on {received}.")
    parts.append(regime.holiday_reason + ".")
    if skipped:
        parts.append("Skipped: " + "; ".join(f"{d:%a %d %b %Y} ({why})" for d, why in skipped) + ".")
    if regime.extension_reason:
        parts.append(regime.extension_reason + ".")
    return Deadline(regime=regime, clock_start=start, restarted=clarified is not None, deadline=main.day,
                    extended=extended, skipped=skipped, reason=" ".join(parts))
