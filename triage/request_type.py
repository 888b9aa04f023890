"""Request type: FOI, environmental (EIR), subject access, or not a request.

Each question is read against the rules in ``data/request_types.yaml``; the
request's type is the type of its parts, ``mixed`` when valid parts differ
(an FOI question and a subject access question in one email). A part that is
not a request (an opinion question) does not make the rest invalid, so it is
left out of the overall type unless every part is one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

from .models import RequestPart, RequestType
from .rules import Rule, Screen, load_yaml, make_rule, make_rules, normalise

RULES_FILE = "request_types.yaml"
PRECEDENCE = ("subject_access", "eir", "not_a_request")
_DEFAULT_REASON = "asks for recorded information held by the authority: a freedom of information request"


@dataclass
class TypeRules:
    rules: list[Rule]
    context_rules: list[Rule]
    refers_back: dict[str, Rule]
    asks: Rule

    @classmethod
    def from_data(cls, data: dict) -> "TypeRules":
        vocab = data.get("vocab") or {}
        ctx = make_rules(data.get("context_rules"), vocab)
        refers = {}
        for spec, rule in zip(data.get("context_rules") or [], ctx):
            refers[rule.id] = make_rule({"id": rule.id, "reason": rule.reason,
                                         "patterns": spec.get("refers_back", [])}, vocab)
        asks = make_rule({"id": "asks", "reason": "asks for records", "patterns": ["\\b$asks\\b", "\\b$record_words\\b"]},
                         vocab)
        return cls(rules=make_rules(data.get("rules"), vocab), context_rules=ctx, refers_back=refers, asks=asks)


@lru_cache(maxsize=1)
def default_rules() -> TypeRules:
    return TypeRules.from_data(load_yaml(RULES_FILE))


def classify_part(text: str, rules: TypeRules, context_hits: Sequence[Rule] = (),
                  screen: Optional[Screen] = None) -> tuple[str, str, str]:
    """(type, rule id, reason) for one question's text (``screen``: of the whole request)."""
    t = normalise(text)
    if screen is not None:
        screen = screen.for_text(t)
    found: dict[str, Rule] = {}
    for rule in rules.rules:
        kind = rule.get("type")
        if kind in found:
            continue
        if rule.search(t, screen):
            found[kind] = rule
    for rule in context_hits:
        kind = rule.get("type")
        if kind not in found and rules.refers_back[rule.id].search(t, screen):
            found[kind] = rule
    for kind in PRECEDENCE:
        if kind in found:
            return kind, found[kind].id, found[kind].reason
    return "foi", "", _DEFAULT_REASON


def classify(questions: Sequence[tuple[int, str]], full_text: str, rules: Optional[TypeRules] = None) -> RequestType:
    """The request type of a request with the given numbered questions.

    ``full_text`` is the whole request (context paragraphs tell whether the
    requester was part of the incident asked about). A text with no question
    found is read as one part.
    """
    rules = rules or default_rules()
    whole = normalise(full_text)
    screen = Screen(whole)
    context_hits = [r for r in rules.context_rules if r.search(whole, screen)]
    items = list(questions) or [(1, full_text)]
    parts = []
    for number, text in items:
        kind, rule_id, reason = classify_part(text, rules, context_hits, screen)
        parts.append(RequestPart(question=number, type=kind, rule=rule_id, reason=reason))
    if not questions and parts[0].type == "foi":
        # nothing reads as an ask: a comment or a complaint, unless it still asks for records
        if not rules.asks.search(whole, screen):
            parts[0] = RequestPart(question=1, type="not_a_request", rule="no_question",
                                   reason="no question or request for recorded information was found in the text")
    types = list(dict.fromkeys(p.type for p in parts))
    valid = [t for t in types if t != "not_a_request"]
    if not valid:
        overall, reason = "not_a_request", parts[0].reason
    elif len(valid) == 1:
        overall = valid[0]
        reason = next(p.reason for p in parts if p.type == overall)
        others = [p.question for p in parts if p.type == "not_a_request"]
        if others:
            reason += f"; question {', '.join(map(str, others))} asks for no recorded information"
    else:
        overall = "mixed"
        reason = "the questions are of different types: " + "; ".join(
            f"{t} (question{'s' if len(q) > 1 else ''} {', '.join(map(str, q))})"
            for t in types for q in [[p.question for p in parts if p.type == t]])
    return RequestType(type=overall, types=types, parts=parts, reason=reason)
