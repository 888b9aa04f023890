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
from operator import itemgetter
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


@lru_cache(maxsize=512)  # the cost and clarification rules quote each question as written
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


@lru_cache(maxsize=4)
def _parse(pattern: str) -> Any:
    """``re``'s parse tree of a pattern (kept briefly: both literal analyses of a pattern read it,
    and parsing the long word-list alternations is a noticeable part of the cold start)."""
    from re import _parser as sp  # private to `re`: callers treat any failure as "nothing known"

    return sp.parse(pattern)


def pattern_prefixes(pattern: str) -> Optional[frozenset[str]]:
    """Literal strings one of which every match of ``pattern`` starts with, or None when they cannot be told."""
    try:  # the parser is private to `re`; without it every pattern simply runs
        heads = _literal_prefixes(list(_parse(pattern)))
    except Exception:  # pragma: no cover - another Python's internals
        return None
    if not heads or "" in heads:
        return None
    return frozenset(heads)


def required_literals(pattern: str) -> Optional[tuple[frozenset, ...]]:
    """Sets of strings such that every match of ``pattern`` contains one string of EACH set,
    or None when nothing can be said.

    A rule's patterns are tried only on texts passing this test (``str.__contains__`` is
    some ten times faster than a regex scan that fails); the literals are read off the
    parsed pattern, so the YAML needs no keyword lists."""
    try:
        from re import _constants as C, _parser as P  # Python 3.11+
    except ImportError:  # pragma: no cover
        return None

    def usable(c: Optional[frozenset]) -> bool:
        return bool(c) and min(map(len, c)) >= 2

    def best(cands: list) -> Optional[frozenset]:
        good = [c for c in cands if usable(c)]
        return max(good, key=lambda c: (min(map(len, c)), -len(c))) if good else None

    def seq(items, top: bool = False):
        """The required sets of a sequence (all of them at the top level, else the best one)."""
        cands, run = [], []
        for op, av in items:
            if op is C.LITERAL:
                run.append(chr(av))
                continue
            if run:
                cands.append(frozenset(["".join(run)]))
                run = []
            if op is C.SUBPATTERN:
                cands.append(seq(av[-1]))
            elif op is C.BRANCH:
                alts = [seq(alt) for alt in av[1]]
                cands.append(None if any(a is None for a in alts) else frozenset().union(*alts))
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
                cands.append(seq(av[2]))
        if run:
            cands.append(frozenset(["".join(run)]))
        if top:
            good = sorted((c for c in cands if usable(c)), key=lambda c: -min(map(len, c)))
            return tuple(good) or None
        return best(cands)

    try:
        return seq(_parse(pattern), top=True)
    except Exception:  # pragma: no cover - an unusual pattern is simply always tried
        return None


@dataclass
class Rule:
    id: str
    reason: str
    patterns: list[re.Pattern]
    unless: list[re.Pattern] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # the other keys of the rule as written
    not_preceded_by: list[re.Pattern] = field(default_factory=list)
    # per pattern: regexes of literal alternatives a text must ALL contain for it to match (the words a
    # match starts with, and those it contains somewhere); None: always run. [] turns the prefilter off
    prefixes: list = field(default_factory=list)

    def search(self, text: str, screen: Optional["Screen"] = None) -> Optional[re.Match]:
        """The first match in ``text`` (already normalised), unless a veto matches.

        A match right after a ``not_preceded_by`` pattern (checked on the 25
        characters before it, e.g. "for example") is passed over. ``screen``:
        the request ``text`` is part of (see ``Screen.for_text``), to skip at
        once the patterns whose leading words the request never uses.
        """
        for p, need in (screen.patterns(self) if screen is not None else self.gated_patterns()):
            if need is not None and not _contains_all(text, need):
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

    def gated_patterns(self) -> list[tuple[re.Pattern, Optional[tuple]]]:
        """(pattern, the literals a text needs for it or None) for each pattern, in order."""
        return list(zip(self.patterns, self.prefixes or [None] * len(self.patterns)))

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def _contains_all(text: str, needs: tuple) -> bool:
    present = present_literals(text)
    for literals in needs:
        if present.isdisjoint(literals.wordset):
            return False
    return True


class Screen:
    """Which rule patterns a whole request (normalised) can match at all, by their literals.

    A request of ten questions is read by each rule ten times; most rules'
    words appear nowhere in the request, and one look at the whole text says
    so for all ten questions. Only valid for a text that is part of the
    request: ``for_text`` checks that, and gives None otherwise.
    """

    def __init__(self, whole: str):
        self.whole = whole
        self._present: Optional[frozenset[str]] = None  # the rules' literals the request contains
        self._allows: dict[int, bool] = {}
        self._patterns: dict[int, list] = {}

    def for_text(self, text: str) -> Optional["Screen"]:
        """This screen when ``text`` (normalised) is part of the request, else None."""
        return self if text in self.whole else None

    def patterns(self, rule: "Rule") -> list[tuple[re.Pattern, Optional[tuple]]]:
        """``rule.gated_patterns()`` without those the request cannot match (worked out once per rule)."""
        key = id(rule)  # rules outlive a screen
        found = self._patterns.get(key)
        if found is None:
            found = self._patterns[key] = [(p, need) for p, need in rule.gated_patterns()
                                           if need is None or self.allows(need)]
        return found

    def allows(self, needs: tuple) -> bool:
        """Whether the request contains one of each of ``needs`` (a pattern's ``Literals``; asked once
        per pattern and request, then once per question from this cache)."""
        key = id(needs)  # the tuples live in the rules, for longer than a screen
        ok = self._allows.get(key)
        if ok is None:
            ok = self._allows[key] = all(map(self.may_match, needs))
        return ok

    def may_match(self, literals: Literals) -> bool:
        """Whether the request contains one of ``literals`` (a set test against the literals found in
        it by one pass of the automaton)."""
        present = self._present
        if present is None:
            present = self._present = present_literals(self.whole)
        return not present.isdisjoint(literals.wordset)


def make_rule(spec: dict, vocab: dict[str, list[str]]) -> Rule:
    if "id" not in spec or "reason" not in spec:
        raise ValueError(f"a rule needs an id and a reason: {spec!r}")
    pats = [compile_pattern(p, vocab) for p in spec.get("patterns", [])]
    unless = [compile_pattern(p, vocab) for p in spec.get("unless", [])]
    before = [compile_pattern(p, vocab) for p in spec.get("not_preceded_by", [])]
    data = {k: v for k, v in spec.items() if k not in ("patterns", "unless", "not_preceded_by")}
    return Rule(id=spec["id"], reason=" ".join(str(spec["reason"]).split()), patterns=pats, unless=unless,
                data=data, not_preceded_by=before, prefixes=[_literal_finders(p) for p in pats])


def _literal_finders(pattern: re.Pattern) -> Optional[tuple["Literals", ...]]:
    """The ``Literals`` a text must contain for ``pattern`` to match: one of each set it must
    contain somewhere (longest first), then one of those a match starts with. Looking for one
    set is a single C-level scan, far cheaper than a failing run of the pattern itself."""
    if pattern.flags & re.IGNORECASE:  # literals are read as written: only for case-exact patterns
        return None
    heads = pattern_prefixes(pattern.pattern)
    groups = list(required_literals(pattern.pattern) or ())
    if heads is not None:
        groups.append(heads)
    return screening(groups)


class Literals:
    """Strings one of which a text must contain (``present_literals(text)`` must meet ``wordset``).

    A set with a string of one or two characters ("e", "of") is met by almost any text: it
    screens nothing (``always``), so ``screening`` leaves it out, and its strings stay out of
    the automaton, where they would be most of the hits to collect."""

    __slots__ = ("words", "wordset", "always")

    def __init__(self, words: Iterable[str]):
        self.words = tuple(sorted(set(words), key=len, reverse=True))
        self.wordset = frozenset(self.words)
        self.always = not self.words or min(map(len, self.words)) < 3
        if not self.always:
            _INDEX.add(self.words)

    def search(self, text: str) -> bool:
        return self.always or not present_literals(text).isdisjoint(self.wordset)


def screening(sets: Iterable[Iterable[str]]) -> Optional[tuple[Literals, ...]]:
    """The ``Literals`` worth testing among ``sets`` (None when none is)."""
    found = tuple(lit for lit in map(Literals, sets) if not lit.always)
    return found or None


class _LiteralIndex:
    """Every rule literal ever made, in one Aho-Corasick automaton: one pass over a text finds all
    those it contains, overlapping ones too (the set ``w in text`` would give, word by word, at a
    fraction of the cost: a request is screened against some two thousand literals)."""

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.version = 0
        self._automaton: Any = None

    def add(self, words: Iterable[str]) -> None:
        new = set(words) - self.words
        if new:
            self.words |= new
            self.version += 1
            self._automaton = None

    def present(self, text: str) -> frozenset[str]:
        if not self.words:
            return frozenset()
        automaton = self._automaton
        if automaton is None:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for w in self.words:
                automaton.add_word(w, w)
            automaton.make_automaton()
            self._automaton = automaton
        return frozenset(map(_second, automaton.iter(text)))  # C-level: no Python frame per hit


_INDEX = _LiteralIndex()
_second = itemgetter(1)


def present_literals(text: str) -> frozenset[str]:
    """The rule literals ``text`` contains (the last few texts are remembered: every rule asks)."""
    return _present(text, _INDEX.version)


@lru_cache(maxsize=16)
def _present(text: str, version: int) -> frozenset[str]:
    return _INDEX.present(text) if text else frozenset()


def make_rules(specs: Iterable[dict], vocab: dict[str, list[str]]) -> list[Rule]:
    return [make_rule(s, vocab) for s in specs or []]


# libyaml's parser when installed: the same safe subset, ten times faster than the pure-Python one
# (reading the data files was a large part of the cold start)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with the fast loader."""
    return yaml.load(text, Loader=SafeLoader)


@lru_cache(maxsize=None)
def load_yaml(name: str) -> dict:
    """A rules file from ``triage/data`` (cached: the files are read once per process)."""
    return safe_load((DATA / name).read_text(encoding="utf-8"))
