"""Cost-limit risk: will answering exceed the appropriate limit (s12)?

Rules (``data/cost_rules.yaml``) read each question with its periods and
breakdowns and name the activity that drives the cost: determining whether
the information is held, locating, retrieving or extracting it (the only
four that count). Weights are added up over the whole request, because the
cost of every question counts against one limit.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional, Sequence

from .deadline import Regime, get_regime
from .models import CostReason, CostRisk
from .rules import Rule, Screen, load_yaml, make_rules, normalise, tidy

RULES_FILE = "cost_rules.yaml"
_STATISTICAL = re.compile(
    r"\b(?:how many|number of|numbers of|total|totals|figures?|statistics|stats|how often|count of|"
    r"amount of|proportion|percentage|breakdown|broken down|average)\b")
_ACTIVITY_ORDER = ("determining", "locating", "retrieving", "extracting")


@dataclass
class QuestionView:
    """What the signal rules read of one question."""

    number: int
    text: str
    dimensions: list[str] = field(default_factory=list)
    periods: list[tuple[Optional[dt.date], Optional[dt.date]]] = field(default_factory=list)
    follow_up: bool = False  # "Of these, how many ...": about the records of the question before

    def years(self, received: dt.date) -> Optional[float]:
        """Length in years of the longest period asked about (open start: very long); None without one."""
        best = None
        for start, end in self.periods:
            if start is None:
                span = 99.0
            else:
                span = ((end or received) - start).days / 365.25
            best = span if best is None else max(best, span)
        return best


@dataclass
class CostRules:
    rules: list[Rule]
    aggregate: list[dict]
    thresholds: dict
    per_question: frozenset

    @classmethod
    def from_data(cls, data: dict) -> "CostRules":
        vocab = data.get("vocab") or {}
        return cls(rules=make_rules(data.get("rules"), vocab), aggregate=list(data.get("aggregate") or []),
                   thresholds=dict(data.get("levels") or {"possible": 1, "likely": 2}),
                   per_question=frozenset(data.get("per_question") or ()))


@lru_cache(maxsize=1)
def default_rules() -> CostRules:
    return CostRules.from_data(load_yaml(RULES_FILE))


def _weight(rule: Rule) -> int:
    return int(rule.get("weight") or (2 if rule.get("level") == "likely" else 1))


def _fires(rule: Rule, q: QuestionView, text: str, received: dt.date, written: str = "",
           screen: Optional[Screen] = None, facts: Optional[tuple[bool, Optional[float]]] = None) -> Optional[str]:
    """The evidence text when ``rule`` fires on question ``q`` (``text`` normalised; ``written``
    the same with its capitals, for quoting); None otherwise. ``facts``: (statistical, years) of
    the question when already worked out (they are the same for every rule)."""
    evidence = ""
    if rule.get("breakdown") and rule.get("breakdown") not in q.dimensions:
        return None
    if rule.get("statistical") and not (facts[0] if facts is not None else _STATISTICAL.search(text)):
        return None
    years = facts[1] if facts is not None else q.years(received)
    if rule.get("min_years") is not None and (years is None or years < float(rule.get("min_years")) - 0.05):
        return None
    if rule.get("max_years") is not None and years is not None and years > float(rule.get("max_years")):
        return None
    if rule.patterns:
        m = rule.search(text, screen)
        if m is None:
            return None
        evidence = written[m.start():m.end()] if len(written) == len(text) else m.group(0)
    elif rule.unless and any(u.search(text) for u in rule.unless):
        return None
    if not evidence:
        bits = []
        if rule.get("breakdown"):
            bits.append(f"{rule.get('breakdown')} breakdown")
        if years is not None and rule.get("min_years") is not None:
            bits.append("open-ended period" if years > 90 else f"{years:.0f}-year period")
        evidence = ", ".join(bits)
    return evidence


def assess(questions: Sequence[QuestionView], received: dt.date, regime: Optional[Regime] = None,
           rules: Optional[CostRules] = None, full_text: str = "") -> CostRisk:
    """The cost-limit risk of a request with these questions (``full_text``: the whole request)."""
    rules = rules or default_rules()
    regime = regime or get_regime()
    by_id = {r.id: r for r in rules.rules}
    reasons: list[CostReason] = []
    whole = normalise(full_text) if full_text else ""
    texts = [normalise(q.text) for q in questions]
    written = [tidy(q.text) for q in questions]
    screen = Screen(whole) if whole else None
    screens = [screen.for_text(t) if screen else None for t in texts]
    facts = [(bool(_STATISTICAL.search(t)), q.years(received)) for q, t in zip(questions, texts)]
    for rule in rules.rules:
        if rule.get("scope") == "request":
            m = rule.search(whole, screen) if whole else None
            if m is not None:
                full = tidy(full_text)
                reasons.append(_reason(rule, None, full[m.start():m.end()] if len(full) == len(whole) else m.group(0)))
            continue
        # most rules' words appear nowhere in the request: then no question read against the screen can fire
        screened_out = bool(rule.patterns) and screen is not None and not screen.patterns(rule)
        for q, text, as_written, scr, fact in zip(questions, texts, written, screens, facts):
            if screened_out and scr is not None:
                continue
            evidence = _fires(rule, q, text, received, as_written, scr, fact)
            if evidence is not None:
                reasons.append(_reason(rule, q.number, evidence))
    for spec in rules.aggregate:
        ignore = set(spec.get("ignore_dimensions") or ())
        busy = [q for q in questions if len(set(q.dimensions) - ignore) >= int(spec.get("min_dimensions", 2))]
        if len(busy) >= int(spec.get("min_questions", 5)):
            reasons.append(CostReason(rule=spec["id"], level=spec.get("level", "possible"),
                                      activity=spec.get("activity", "extracting"), question=None,
                                      text=f"questions {', '.join(str(q.number) for q in busy)}",
                                      reason=" ".join(str(spec["reason"]).split())))
    # a rule counts once per request (per question for `per_question` rules); a group counts once,
    # at its largest weight; a question's plain rule gives way to its stronger form in the same group
    reasons = _drop_weaker_in_group(reasons, by_id)
    total, group_best = 0, {}
    counted: set[str] = set()
    for r in reasons:
        w = _weight(by_id[r.rule]) if r.rule in by_id else int(next(
            (a.get("weight", 1) for a in rules.aggregate if a["id"] == r.rule), 1))
        group = by_id[r.rule].get("group") if r.rule in by_id else None
        if group:
            group_best[group] = max(group_best.get(group, 0), w)
        elif r.rule in rules.per_question:
            total += w
        elif r.rule not in counted:
            counted.add(r.rule)
            total += w
    total += sum(group_best.values())
    if total >= int(rules.thresholds.get("likely", 4)):
        level = "likely"
    elif total >= int(rules.thresholds.get("possible", 2)):
        level = "possible"
    else:
        level = "none"
    # drivers: activities by the weight of the reasons behind them, biggest first
    weight_of: dict[str, int] = {}
    for r in reasons:
        weight_of[r.activity] = weight_of.get(r.activity, 0) + (_weight(by_id[r.rule]) if r.rule in by_id else 1)
    drivers = sorted(weight_of, key=lambda a: (-weight_of[a], _ACTIVITY_ORDER.index(a)))
    return CostRisk(level=level, reasons=reasons, drivers=drivers if level != "none" else [],
                    limit_gbp=regime.cost_limit_gbp, limit_hours=regime.cost_limit_hours)


def _reason(rule: Rule, question: Optional[int], evidence: str) -> CostReason:
    return CostReason(rule=rule.id, level=rule.get("level", "possible"), activity=rule.get("activity", "extracting"),
                      question=question, text=evidence, reason=rule.reason)


def _drop_weaker_in_group(reasons: list[CostReason], by_id: dict[str, Rule]) -> list[CostReason]:
    """On one question keep only the first-listed (strongest) rule of each group."""
    order = {rid: i for i, rid in enumerate(by_id)}
    best: dict[tuple, str] = {}
    for r in reasons:
        group = by_id[r.rule].get("group") if r.rule in by_id else None
        if group and r.question is not None:
            key = (r.question, group)
            if key not in best or order[r.rule] < order[best[key]]:
                best[key] = r.rule
    return [r for r in reasons
            if not (r.rule in by_id and by_id[r.rule].get("group") and r.question is not None
                    and best[(r.question, by_id[r.rule].get("group"))] != r.rule)]
