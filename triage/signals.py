"""Case-officer signals added to a ``TriageResult``: deadline, request type,
cost-limit risk, clarification and the regime's numbering of exemptions.

``Triage.triage`` calls ``add_signals`` once the questions, periods and
breakdowns are known; each signal lives in its own module (``deadline``,
``request_type``, ``cost``, ``clarify``) and this one only composes them.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from . import clarify, cost, request_type
from .cost import QuestionView
from .deadline import Regime, compute_deadline, get_regime
from .models import DeadlineBasis, SkippedDay, TriageResult

# a follow-up question about the records of the one before it
_REFERS_BACK = re.compile(
    r"\b(?:of|for|in|from|among|amongst|within) (?:all )?(?:these|those|them|the above|this number|this figure|"
    r"the (?:same|above|aforementioned|said) (?:period|time|years?|cases|incidents|records|figures?))\b|"
    r"\b(?:these|those|such) (?:cases|incidents|complaints|officers|people|individuals|offences|crimes|reports|"
    r"arrests|allegations|records|referrals|deployments|incidents|applications)\b|"
    r"\b(?:same|aforementioned|above) (?:period|time ?frame|years?)\b|\bof which\b", re.I)


def question_views(result: TriageResult) -> list[QuestionView]:
    """Each question with its breakdowns and every period that applies to it.

    A question's periods are its own, those of the sentence introducing its
    list, and those stated for the request as a whole (a period in no
    question, e.g. "Please give figures for 2019 to 2023" after the list).
    """
    in_questions = {(d.start_char, d.end_char) for q in result.questions for d in q.dates + q.inherited_dates}
    request_wide = [(d.start, d.end) for d in result.dates if (d.start_char, d.end_char) not in in_questions]
    views: list[QuestionView] = []
    for q in result.questions:
        periods = [(d.start, d.end) for d in q.dates + q.inherited_dates]
        follow_up = bool(views) and not periods and bool(_REFERS_BACK.search(q.text))
        if follow_up:
            # "Of these, how many ..." asks about the previous question's records, in its period
            periods = list(views[-1].periods)
        views.append(QuestionView(number=q.number, text=q.text, dimensions=list(q.breakdowns),
                                  periods=periods or list(request_wide), follow_up=follow_up))
    return views


def effective_regime(configured: Regime, kind: str) -> Regime:
    """A wholly environmental request follows the environmental counterpart (EIR, or EISR in Scotland)."""
    if kind == "eir":
        return get_regime(configured.environmental)
    return configured


def cite_exemptions(result: TriageResult, regime: Optional[Regime] = None) -> None:
    """Give each exemption suggestion the provision to cite under ``regime`` (default: the result's).

    Under FOISA the section numbers themselves change (s31 -> s35, s40 -> s38,
    NCND under s18). EIR and EISR exceptions are regulations, which the
    ``section`` field cannot hold, so ``section`` keeps the FOIA key and
    ``cited_as`` says what to cite.
    """
    regime = regime or get_regime(result.regime)
    if not regime.sections:
        return
    for ex in result.exemptions:
        if ex.cited_as:
            continue  # already given (the call is safe to repeat)
        foia = ex.subsection or ex.section
        cited = regime.cite(foia)
        if cited is None:
            ex.cited_as = f"no {regime.short} equivalent of FOIA {foia}"
            continue
        note = f"{regime.short} {cited} (FOIA {foia})"
        if ex.ncnd and regime.ncnd:
            note += f", neither confirm nor deny under {regime.ncnd}"
        ex.cited_as = note
        if cited.startswith("s"):
            base = cited.split("(")[0]
            ex.section = base
            ex.subsection = cited if cited != base else None


def add_signals(result: TriageResult, text: str, regime: Regime, clarified: Optional[dt.date] = None) -> None:
    """Fill ``deadline``, ``deadline_pit``, ``regime``, ``request_type``, ``cost_risk`` and ``clarification``.

    The exemption suggestions are renumbered for the regime afterwards, by
    ``cite_exemptions``, once every suggestion (s12 from the cost risk too) is in.
    """
    received = result.received or dt.date.today()
    views = question_views(result)
    kind = request_type.classify([(q.number, q.text) for q in result.questions], text)
    applied = effective_regime(regime, kind.type)
    due = compute_deadline(received, applied, clarified)
    result.regime = applied.key
    result.request_type = kind
    result.deadline = due.deadline
    result.deadline_pit = due.extended if applied.extension_kind == "public_interest_test" else None
    result.deadline_basis = DeadlineBasis(
        regime=applied.key, clock_start=due.clock_start, restarted_by_clarification=due.restarted,
        working_days=applied.working_days, extension=applied.extension_kind, extended_deadline=due.extended,
        holidays_skipped=[SkippedDay(day=d, name=n) for d, n in due.skipped], reason=due.reason)
    result.cost_risk = cost.assess(views, received, applied, full_text=text)
    result.clarification = clarify.suggest(views, kind, full_text=text)
