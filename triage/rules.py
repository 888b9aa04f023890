"""Shared reading of the signal rule files (request types, cost, clarification).

The rule files keep their patterns as regular expressions with "$name"
shorthands for word lists (``vocab``); this module expands and compiles
them once, and gives every rule the same shape: an id, a reason shown to the
officer, compiled patterns and optional ``unless`` vetoes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

DATA = Path(__file__).with_name("data")
_REF = re.compile(r"\$(\w+)")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=512)  # each question is read by the request-type, cost and clarification rules
def normalise(text: str) -> str:
    """Lower-cased with runs of whitespace as one space and curly quotes made straight."""
    return tidy(text).lower()


def tidy(text: str) -> str:
    """``normalise`` without the lower-casing (same offsets, for quoting the words matched as written)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return _SPACE.sub(" ", text).strip()


def _split_top(text: str) -> list[str]:
    """Split on ``|`` outside parentheses."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        depth += (ch == "(") - (ch == ")")
        cur.append(ch)
    out.append("".join(cur))
    return out


def vocab_alternation(words: "str | list[str]") -> str:
    """A word list as one alternation, longest first (so "custody records" wins over "custody").

    A list may be written as a YAML list or as one string of ``|``-separated
    entries (folded over several lines).
    """
    if isinstance(words, str):
        words = _split_top(re.sub(r"\|\s+", "|", words.strip()))
    return "|".join(sorted((str(w).strip() for w in words if str(w).strip()), key=len, reverse=True))


def compile_pattern(pattern: str, vocab: dict[str, list[str]]) -> re.Pattern:
    def expand(m: re.Match) -> str:
        name = m.group(1)
        if name not in vocab:
            raise ValueError(f"pattern {pattern!r} uses ${name}, which is not in vocab")
        return "(?:" + vocab_alternation(vocab[name]) + ")"

    expanded = _REF.sub(expand, pattern)
    # texts are lower-cased by ``normalise`` before matching, and case-blind matching is
    # about three times slower in ``re``: so patterns are written in lower case
    if re.search(r"[A-Z]", re.sub(r"\\.", "", expanded)):
        raise ValueError(f"pattern {pattern!r} has capitals: texts are lower-cased, write it in lower case")
    try:
        return re.compile(expanded)
    except re.error as e:
        raise ValueError(f"bad pattern {pattern!r}: {e}") from None


# ------------------------------------------------------------------ prefilter
# Running every rule pattern over every question costs more than everything
# else in the signals, so each pattern keeps the literal strings one of which
# any match must start with ("noise complaint", "emission", "my "), and is only
# run when the text contains one of them: a substring test is far cheaper than
# a regular-expression scan, and it is a necessary condition, so no match is
# lost.


def _literal_prefixes(items: list, i: int = 0) -> Optional[set[str]]:
    """Literal strings one of which every match of the parsed ``items[i:]`` starts with; None when unknown."""
    from re import _constants as sc

    out = ""
    while i < len(items):
        op, av = items[i]
        if op is sc.AT and not out:
            i += 1
            continue
        if op is sc.LITERAL:
            out += chr(av)
            i += 1
            continue
        if op is sc.SUBPATTERN:
            heads = _literal_prefixes(list(av[3]))
        elif op is sc.BRANCH:
            heads = set()
            for branch in av[1]:
                h = _literal_prefixes(list(branch))
                if h is None:
                    heads = None
                    break
                heads |= h
        elif op in (sc.MAX_REPEAT, sc.MIN_REPEAT) and av[0] == 0 and not out:
            body, rest = _literal_prefixes(list(av[2])), _literal_prefixes(items, i + 1)
            return None if body is None or rest is None else body | rest
        else:
            break
        if heads is None or "" in heads:
            return {out} if out else None
        return {out + h for h in heads}
    return {out} if out else None


def pattern_prefixes(pattern: str) -> Optional[frozenset[str]]:
    """Literal strings one of which every match of ``pattern`` starts with, or None when they cannot be told."""
    try:  # the parser is private to `re`; without it every pattern simply runs
        from re import _parser as sp

        heads = _literal_prefixes(list(sp.parse(pattern)))
    except Exception:  # pragma: no cover - another Python's internals
        return None
    if not heads or "" in heads:
        return None
    return frozenset(heads)


@dataclass
class Rule:
    id: str
    reason: str
    patterns: list[re.Pattern]
    unless: list[re.Pattern] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # the other keys of the rule as written
    not_preceded_by: list[re.Pattern] = field(default_factory=list)
    prefixes: list = field(default_factory=list)  # per pattern: a regex of the literals a match starts with

    def search(self, text: str) -> Optional[re.Match]:
        """The first match in ``text`` (already normalised), unless a veto matches.

        A match right after a ``not_preceded_by`` pattern (checked on the 25
        characters before it, e.g. "for example") is passed over.
        """
        for p, need in zip(self.patterns, self.prefixes or [None] * len(self.patterns)):
            if need is not None and not need.search(text):
                continue
            for m in p.finditer(text):
                if self.not_preceded_by:
                    before = text[max(0, m.start() - 25):m.start()]
                    if any(n.search(before) for n in self.not_preceded_by):
                        continue
                if any(u.search(text) for u in self.unless):
                    return None
                return m
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def make_rule(spec: dict, vocab: dict[str, list[str]]) -> Rule:
    if "id" not in spec or "reason" not in spec:
        raise ValueError(f"a rule needs an id and a reason: {spec!r}")
    pats = [compile_pattern(p, vocab) for p in spec.get("patterns", [])]
    unless = [compile_pattern(p, vocab) for p in spec.get("unless", [])]
    before = [compile_pattern(p, vocab) for p in spec.get("not_preceded_by", [])]
    data = {k: v for k, v in spec.items() if k not in ("patterns", "unless", "not_preceded_by")}
    return Rule(id=spec["id"], reason=" ".join(str(spec["reason"]).split()), patterns=pats, unless=unless,
                data=data, not_preceded_by=before, prefixes=[_literal_finder(p.pattern) for p in pats])


def _literal_finder(pattern: str) -> Optional[re.Pattern]:
    """One alternation of a pattern's leading literals: a single C-level scan instead of a Python loop."""
    heads = pattern_prefixes(pattern)
    if heads is None:
        return None
    return re.compile("|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True)))


def make_rules(specs: Iterable[dict], vocab: dict[str, list[str]]) -> list[Rule]:
    return [make_rule(s, vocab) for s in specs or []]


@lru_cache(maxsize=None)
def load_yaml(name: str) -> dict:
    """A rules file from ``triage/data`` (cached: the files are read once per process)."""
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
