"""Clarification: the questions an officer would send back before answering.

Rules (``data/clarification_rules.yaml``) look for statistical asks with no
period, vague scope ("all information about X"), terms that records cannot
resolve ("recently", "excessive") and questions that recorded information
cannot answer (opinions, "why"). Each suggestion carries the question to
send and the reason for sending it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from .cost import QuestionView
from .models import ClarificationQuestion, RequestType
from .rules import Rule, Screen, load_yaml, make_rules, normalise, tidy

RULES_FILE = "clarification_rules.yaml"
_STATISTICAL = re.compile(
    r"\b(?:how many|number of|numbers of|total number|totals?|figures?|statistics|stats|how often|count of|"
    r"proportion|percentage|breakdown|broken down)\b")
_SUBJECT = re.compile(r"^\s*((?:\S+\s+){0,6}?\S+?)(?=[,.;:?!]|\s+(?:and|from|since|between|for|in|during)\s|$)")


@dataclass
class ClarifyRules:
    rules: list[Rule]

    @classmethod
    def from_data(cls, data: dict) -> "ClarifyRules":
        return cls(rules=make_rules(data.get("rules"), data.get("vocab") or {}))


@lru_cache(maxsize=1)
def default_rules() -> ClarifyRules:
    return ClarifyRules.from_data(load_yaml(RULES_FILE))


def _fill(template: str, n: int, matched: str, subject: str) -> str:
    template = " ".join(str(template).split())
    if not subject:
        template = template.replace(" {subject}", "")
    return template.format(n=n, text=matched, subject=subject)


def suggest(questions: Sequence[QuestionView], request_type: Optional[RequestType] = None,
            rules: Optional[ClarifyRules] = None, full_text: str = "") -> list[ClarificationQuestion]:
    """Clarification questions for a request (at most one of each kind per question;
    ``full_text``, the whole request, only makes it faster)."""
    rules = rules or default_rules()
    screen = Screen(normalise(full_text)) if full_text else None
    part_types = {p.question: p.type for p in request_type.parts} if request_type else {}
    out: list[ClarificationQuestion] = []
    for q in questions:
        text = normalise(q.text)
        written = tidy(q.text)
        if len(written) != len(text):  # lower-casing changed the length (rare letters): quote lower-case
            written = text
        ptype = part_types.get(q.number, "foi")
        scr = screen.for_text(text) if screen is not None else None
        kinds: set[str] = set()
        for rule in rules.rules:
            kind = rule.get("kind")
            if kind in kinds:
                continue
            want = rule.get("part_type")
            if want and want != ptype and not (want == "foi" and ptype == "eir"):
                continue
            if ptype in ("subject_access",):
                continue  # handled under data protection, not FOI
            if rule.get("statistical") and not _STATISTICAL.search(text):
                continue
            if rule.get("no_period") and (q.periods or q.follow_up):
                continue
            matched, subject = "", ""
            if rule.patterns:
                m = rule.search(text, scr)
                if m is None:
                    continue
                matched = written[m.start():m.end()].strip()
                sm = _SUBJECT.match(written[m.end():])
                subject = sm.group(1) if sm else ""
            elif rule.unless and any(u.search(text) for u in rule.unless):
                continue
            kinds.add(kind)
            out.append(ClarificationQuestion(
                question=q.number, kind=kind, rule=rule.id, text=matched,
                ask=_fill(rule.get("ask", ""), q.number, matched, subject),
                reason=_fill(rule.reason, q.number, matched, subject)))
    return out
