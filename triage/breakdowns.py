"""Breakdowns requested: the dimensions figures should be split by.

INTERFACE (the pipeline relies on this; keep it):

    BreakdownMatch(dimension, text, start_char, end_char, reason)

The ``foi_breakdowns`` spaCy component writes ``doc.spans["breakdowns"]``
with ``span._.breakdown`` set to a ``BreakdownMatch`` (offsets into
``doc.text``).

The rules (token ``Matcher`` patterns, phrases, vocabularies and the reasons
shown to officers) live in ``triage/data/breakdowns.yaml``; this module only
compiles them and applies the generic context filters described there.
"""
from __future__ import annotations

import logging
import re
from bisect import bisect_left
from operator import itemgetter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Union

import yaml
from spacy.attrs import IDX, ORTH, SPACY
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from . import extensions
from .models import BREAKDOWN_DIMENSIONS

log = logging.getLogger(__name__)

DEFAULT_RULES_PATH = Path(__file__).parent / "data" / "breakdowns.yaml"
RULES_FILENAME = "breakdowns.yaml"

# "@name", "@name?", "@name{0,5}" in a pattern: a named token spec with an OP.
_TOKEN_REF = re.compile(r"^@(\w+)(\?|\*|\+|!|\{\d*,?\d*\})?$")
# Tokens that end a clause, for the clause-level filters.
_CLAUSE_END = frozenset({".", "?", "!", ";"})
# Cap for unbounded operators (*, +) when working out how far a match can reach.
_OPEN_REPEAT = 6
_MAX_REACH = 40
# Bound on the per-finder cache of token forms (one entry per distinct token string).
_FORM_CACHE_MAX = 200_000


@dataclass(frozen=True)
class BreakdownMatch:
    dimension: str
    text: str
    start_char: int
    end_char: int
    reason: str = ""


class _Phrases:
    """Token sequences (lower-cased) indexed by first and last token, for quick context checks."""

    def __init__(self, phrases: list[tuple[str, ...]]):
        self.longest = max((len(p) for p in phrases), default=0)
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        self.by_last: dict[str, list[tuple[str, ...]]] = {}
        for p in phrases:
            self.by_first.setdefault(p[0], []).append(p)
            self.by_last.setdefault(p[-1], []).append(p)

    def __bool__(self) -> bool:
        return self.longest > 0

    def starts_at(self, words: list[str], i: int) -> bool:
        for p in self.by_first.get(words[i], ()):
            if tuple(words[i:i + len(p)]) == p:
                return True
        return False

    def ends_at(self, words: list[str], stop: int) -> bool:
        """Whether a phrase ends just before index `stop`."""
        for p in self.by_last.get(words[stop - 1], ()):
            if stop >= len(p) and tuple(words[stop - len(p):stop]) == p:
                return True
        return False

    def within(self, words: list[str]) -> bool:
        return any(self.starts_at(words, i) for i in range(len(words)) if words[i] in self.by_first)


@dataclass
class _Rule:
    id: str
    dimension: str
    reason: str
    not_before: _Phrases = field(default_factory=lambda: _Phrases([]))
    before_window: int = 3
    not_after: _Phrases = field(default_factory=lambda: _Phrases([]))
    not_in_clause: _Phrases = field(default_factory=lambda: _Phrases([]))
    require_in_clause: _Phrases = field(default_factory=lambda: _Phrases([]))
    matcher: Optional[Matcher] = None


@dataclass(frozen=True)
class _Anchor:
    """A mandatory token of a pattern, tested in Python to find where the rule can match.

    The spaCy Matcher costs about the same for every pattern at every token,
    so running all rules over whole requests is slow; each rule's matcher runs
    only on windows around tokens that satisfy one of its anchors.
    """

    words: frozenset = frozenset()  # lower-cased forms (LOWER, or ORTH/TEXT lower-cased: looser)
    regex: Optional[re.Pattern] = None
    attr: str = "LOWER"  # attribute the regex applies to
    always: bool = False  # no usable anchor: run over the whole doc


class _RulesLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml: ten times faster
    """SafeLoader where only true/false are booleans: the word lists hold "on", "no", "yes"."""


_RulesLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _RulesLoader.yaml_implicit_resolvers.setdefault(_first, []).insert(
        0, ("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")))


class RulesError(ValueError):
    """The rules file is malformed (raised at load time, never while matching)."""


def _expand_vocab(value: Any, vocab: dict[str, list[str]], rule_id: str) -> Any:
    """Replace "$name" references in IN / NOT_IN values with the vocab lists."""
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in vocab:
            raise RulesError(f"rule {rule_id}: unknown vocab {value}")
        return list(vocab[value[1:]])
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            if isinstance(item, str) and item.startswith("$") and len(item) > 1:
                out.extend(_expand_vocab(item, vocab, rule_id))
            else:
                out.append(item)
        return out
    if isinstance(value, dict):
        return {k: _expand_vocab(v, vocab, rule_id) for k, v in value.items()}
    return value


def _expand_token(tok: Any, vocab: dict, tokens: dict, rule_id: str) -> dict:
    if isinstance(tok, str):
        m = _TOKEN_REF.match(tok)
        if not m or m.group(1) not in tokens:
            raise RulesError(f"rule {rule_id}: bad token reference {tok!r}")
        spec = dict(tokens[m.group(1)])
        if m.group(2):
            spec["OP"] = m.group(2)
        return _expand_vocab(spec, vocab, rule_id)
    if not isinstance(tok, dict):
        raise RulesError(f"rule {rule_id}: token must be a mapping, got {tok!r}")
    return _expand_vocab(tok, vocab, rule_id)


def _lower_attr_values(spec: Any) -> Any:
    """LOWER values must be lower-case to ever match; normalise what the file wrote."""
    if isinstance(spec, dict):
        out = {}
        for k, v in spec.items():
            if k == "LOWER":
                if isinstance(v, str):
                    v = v.lower()
                elif isinstance(v, dict):
                    v = {
                        op: ([x.lower() if isinstance(x, str) else x for x in vals]
                             if op in ("IN", "NOT_IN") and isinstance(vals, list) else vals)
                        for op, vals in v.items()
                    }
            out[k] = v
        return out
    return spec


def _min_repeat(op: Optional[str]) -> int:
    if op in (None, "+", "!"):
        return 0 if op == "!" else 1
    if op in ("?", "*"):
        return 0
    m = re.match(r"^\{(\d*),?(\d*)\}$", op)
    return int(m.group(1) or 0) if m else 0


def _max_repeat(op: Optional[str], open_reach: int = _OPEN_REPEAT) -> int:
    """How many tokens one pattern token can take; `open_reach` stands in for unbounded ops."""
    if op in (None, "?", "!"):  # "!" still takes one token
        return 1
    if op in ("*", "+"):
        return open_reach
    m = re.match(r"^\{(\d*)(,?)(\d*)\}$", op)
    if not m:
        return open_reach
    if not m.group(2):  # {n}
        return int(m.group(1) or 0)
    return int(m.group(3)) if m.group(3) else open_reach


def _token_anchor(tok: dict) -> Optional[_Anchor]:
    """A Python test equivalent to (or looser than) one token spec, if it has a simple one."""
    for attr in ("LOWER", "ORTH", "TEXT"):  # (NORM forms are not lower-cased text: no anchor)
        val = tok.get(attr)
        if isinstance(val, str):
            return _Anchor(words=frozenset({val.lower()}))
        if isinstance(val, dict) and len(val) == 1:
            if isinstance(val.get("IN"), list):
                return _Anchor(words=frozenset(str(v).lower() for v in val["IN"]))
            if isinstance(val.get("REGEX"), str):
                flags = re.IGNORECASE if attr == "LOWER" else 0
                return _Anchor(regex=re.compile(val["REGEX"], flags), attr=attr)
    return None


@dataclass(frozen=True)
class _Gate:
    """Where one pattern can match, from the anchors of its mandatory tokens.

    `parts` holds, per anchor (an index into the finder's anchor table), the
    hits the pattern needs and how far the pattern can reach before and after
    such a token. A doc visits the gate only when `anchor` (the part expected
    to be rarest) occurs; the part with the fewest hits in that doc then fixes
    the windows, and every other part must occur in a window for it to count.
    """

    rule: int  # index of the rule in the finder's rule list
    anchor: int
    parts: tuple  # ((anchor index, hits needed, before, after), ...)


class _AnchorTable:
    """Interned anchors plus a word -> anchors index, so a doc is scanned once for all rules."""

    def __init__(self, frequent: set[str]):
        self.frequent = frequent
        self.anchors: list[_Anchor] = []
        self._ids: dict[_Anchor, int] = {}
        self.by_word: dict[str, list[int]] = {}
        self.regexes: list[int] = []
        self.always: list[int] = []
        self.gates_by_anchor: dict[int, list[_Gate]] = {}
        # (lower-cased?, word) -> the regex anchors it satisfies: words recur across requests, and
        # testing each distinct word of a request against every regex anchor was a third of the finder
        self._regex_cache: dict[tuple[bool, str], tuple[int, ...]] = {}
        self._lower_cache: dict[str, tuple[int, ...]] = {}

    @property
    def text_regexes(self) -> bool:
        """Whether some regex anchor reads the text as written (not lower-cased)."""
        found = self.__dict__.get("_text_regexes")
        if found is None:
            found = self._text_regexes = any(self.anchors[ai].attr != "LOWER" for ai in self.regexes)
        return found

    def anchors_of_lower(self, word: str) -> tuple[int, ...]:
        """The anchors a lower-cased word satisfies: word anchors, then LOWER regex anchors (cached)."""
        found = self._lower_cache.get(word)
        if found is None:
            if len(self._lower_cache) > _FORM_CACHE_MAX:
                self._lower_cache.clear()
            found = self._lower_cache[word] = tuple(self.by_word.get(word, ())) + self.regex_anchors_of(word, True)
        return found

    def regex_anchors_of(self, word: str, lower: bool) -> tuple[int, ...]:
        key = (lower, word)
        found = self._regex_cache.get(key)
        if found is None:
            if len(self._regex_cache) > _FORM_CACHE_MAX:
                self._regex_cache.clear()
            found = self._regex_cache[key] = tuple(
                ai for ai in self.regexes
                if (self.anchors[ai].attr == "LOWER") == lower and self.anchors[ai].regex.search(word))
        return found

    def intern(self, anchor: _Anchor) -> int:
        idx = self._ids.get(anchor)
        if idx is None:
            idx = self._ids[anchor] = len(self.anchors)
            self.anchors.append(anchor)
            # what words were found to satisfy may change with a new anchor
            self._regex_cache.clear()
            self._lower_cache.clear()
            self.__dict__.pop("_text_regexes", None)
            if anchor.always:
                self.always.append(idx)
            elif anchor.regex is not None:
                self.regexes.append(idx)
            else:
                for w in anchor.words:
                    self.by_word.setdefault(w, []).append(idx)
        return idx

    def cost(self, a: _Anchor) -> int:
        if a.regex is not None:
            return 1500
        return sum(1000 if w in self.frequent else 1 for w in a.words)

    def add_gate(self, rule_idx: int, pattern: list[dict], reach: int = 0) -> None:
        gate = self._gate_of(rule_idx, pattern, reach)
        self.gates_by_anchor.setdefault(gate.anchor, []).append(gate)

    def _gate_of(self, rule_idx: int, pattern: list[dict], reach: int = 0) -> _Gate:
        """Anchor a pattern on its most selective mandatory token."""
        mandatory: list[tuple[int, _Anchor]] = []
        for k, tok in enumerate(pattern):
            if _min_repeat(tok.get("OP")) >= 1:
                anchor = _token_anchor(tok)
                if anchor is not None:
                    mandatory.append((k, anchor))
        open_reach = reach or _OPEN_REPEAT  # a rule may say its wildcards span further

        def width(toks: list[dict]) -> int:
            return min(_MAX_REACH, sum(_max_repeat(t.get("OP"), open_reach) for t in toks))

        if not mandatory:
            span = width(pattern)
            always = self.intern(_Anchor(always=True))
            return _Gate(rule_idx, always, ((always, 1, span, span),))
        # regex tokens other than the chosen anchor are left to the matcher (testing
        # them here costs more than it saves)
        k, anchor = min(mandatory, key=lambda m: self.cost(m[1]))
        parts: dict[_Anchor, list[int]] = {}  # anchor -> [hits needed, before, after]
        for j, a in mandatory:
            if a.regex is not None and a != anchor:
                continue
            before, after = width(pattern[:j]), width(pattern[j + 1:])
            part = parts.setdefault(a, [0, 0, 0])
            part[0] += 1
            part[1], part[2] = max(part[1], before), max(part[2], after)
        return _Gate(rule_idx, self.intern(anchor),
                     tuple((self.intern(a), n, bf, af) for a, (n, bf, af) in parts.items()))


_FIRST, _SECOND, _THIRD = itemgetter(0), itemgetter(1), itemgetter(2)
_NONE: list[int] = []  # the hits of an anchor absent from the doc (never changed)


def _positions(words: list[str]) -> dict[str, list[int]]:
    """Each distinct word with the positions where it occurs."""
    out: dict[str, list[int]] = {}
    for i, w in enumerate(words):
        out.setdefault(w, []).append(i)
    return out


class _DocIndex:
    """Per-doc token views and anchor hits (one pass over the doc, shared by all rules)."""

    def __init__(self, doc: Doc, table: _AnchorTable, forms: dict[int, tuple[str, str, bool]]):
        self.table = table
        # Token strings via the orth ids and a cache of (text, lower, is_space) per id:
        # no Token object per token, and no Doc.text (rebuilt from Tokens on every access).
        orths, ws, starts = doc.to_array([ORTH, SPACY, IDX]).T.tolist() if len(doc) else ([], [], [])
        if len(forms) > _FORM_CACHE_MAX:
            forms.clear()
        strings = doc.vocab.strings
        for o in set(orths).difference(forms):
            w = strings[o]
            forms[o] = (w, w.lower(), w.isspace())  # str.lower is what spaCy's LOWER is
        fs = [forms[o] for o in orths]
        self.texts = texts = list(map(_FIRST, fs))
        self.lowers = lowers = list(map(_SECOND, fs))
        self.spaces = list(map(_THIRD, fs))
        self.starts: list[int] = starts
        self.ws: list[int] = ws
        self.n = len(lowers)
        # Every anchor's hits, from each distinct word's cached anchors (its word anchors and the
        # regex anchors it satisfies): words recur across requests, so a regex is tried once a word
        hits: dict[int, list[int]] = {}
        for w, ps in _positions(lowers).items():
            for ai in table.anchors_of_lower(w):
                hits.setdefault(ai, []).extend(ps)
        if table.text_regexes:
            for w, ps in _positions(texts).items():
                for ai in table.regex_anchors_of(w, False):
                    hits.setdefault(ai, []).extend(ps)
        for found in hits.values():
            found.sort()
        for ai in table.always:
            hits[ai] = list(range(self.n))
        self._hits = hits

    def hits(self, ai: int) -> list[int]:
        """Sorted token positions satisfying anchor `ai`."""
        return self._hits.get(ai, _NONE)

    def windows(self) -> dict[int, list[tuple[int, int]]]:
        """Per rule index, the merged token windows where one of its patterns could match.

        Only gates whose anchor occurs in the doc are visited, so rules whose key
        words are absent cost nothing.
        """
        table = self.table
        n = self.n
        hit_anchors = list(self._hits)  # the anchors present (words and regexes), and the always-anchors
        per_rule: dict[int, list[tuple[int, int]]] = {}
        known = self._hits

        def hits_of(ai: int) -> list[int]:
            h = known.get(ai)
            return h if h is not None else self.hits(ai)

        gates_by_anchor = table.gates_by_anchor
        for ai in hit_anchors:
            for g in gates_by_anchor.get(ai, ()):
                # every part must occur often enough in the doc; pivot on the rarest
                pivot = None
                for part in g.parts:
                    h = hits_of(part[0])
                    if len(h) < part[1]:
                        break
                    if pivot is None or len(h) < len(pivot[0]):
                        pivot = (h, part)
                else:
                    pivot_hits, (pai, _need, before, after) = pivot
                    others = [(hits_of(p[0]), p[1]) for p in g.parts if p[0] != pai or p[1] > 1]
                    wins = per_rule.setdefault(g.rule, [])
                    for p in pivot_hits:
                        a = p - before if p > before else 0
                        b = p + after + 1
                        if b > n:
                            b = n
                        for h, need in others:
                            i = bisect_left(h, a) + need - 1
                            if i >= len(h) or h[i] >= b:
                                break
                        else:
                            wins.append((a, b))
        for rule_idx, wins in per_rule.items():
            wins.sort()
            merged: list[tuple[int, int]] = []
            for a, b in wins:
                if merged and a <= merged[-1][1]:
                    if b > merged[-1][1]:
                        merged[-1] = (merged[-1][0], b)
                else:
                    merged.append((a, b))
            per_rule[rule_idx] = merged
        return per_rule


class BreakdownFinder:
    def __init__(self, nlp: Language, name: str = "foi_breakdowns",
                 rules_path: Optional[Union[str, Path]] = None):
        self.name = name
        self.nlp = nlp
        self.rules_path = rules_path
        self._missing: Optional[str] = None
        path = Path(rules_path) if rules_path else DEFAULT_RULES_PATH
        if path.is_file():
            self._load_text(path.read_text(encoding="utf-8"))
        else:
            # spacy.load builds the component from its saved config (which names the
            # original rules file) and then calls from_disk with the saved copy, so the
            # original may be gone by now; fail only if nothing loads rules before use.
            self._load_text("rules: []\n")
            self._missing = f"breakdown rules file not found: {path}"

    # ------------------------------------------------------------ building
    def _phrase_tokens(self, phrases: Iterable[str]) -> list[tuple[str, ...]]:
        out = []
        for p in phrases or []:
            toks = tuple(t.lower_ for t in self.nlp.make_doc(str(p)) if not t.is_space)
            if toks:
                out.append(toks)
        return out

    def _load_text(self, text: str) -> None:
        """Parse and compile a rules file; the matchers are built once here."""
        data = yaml.load(text, Loader=_RulesLoader) or {}
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise RulesError("rules file needs a top-level 'rules' list")
        vocab_raw = data.get("vocab") or {}
        if not isinstance(vocab_raw, dict) or not all(isinstance(v, list) for v in vocab_raw.values()):
            raise RulesError("'vocab' must map names to word lists")
        vocab = {k: [str(x) for x in v] for k, v in vocab_raw.items()}
        tokens = data.get("tokens") or {}
        table = _AnchorTable({str(w).lower() for w in data.get("frequent_words") or []})
        phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        rules: dict[str, _Rule] = {}
        for raw in data["rules"]:
            if not isinstance(raw, dict):
                raise RulesError(f"each rule must be a mapping, got {raw!r}")
            rid = str(raw.get("id", ""))
            if not rid or rid in rules:
                raise RulesError(f"rule id missing or repeated: {rid!r}")
            dim = raw.get("dimension")
            if dim not in BREAKDOWN_DIMENSIONS:
                raise RulesError(f"rule {rid}: unknown dimension {dim!r}")
            rules[rid] = _Rule(
                id=rid,
                dimension=dim,
                reason=str(raw.get("reason", "")),
                not_before=_Phrases(self._phrase_tokens(_expand_vocab(raw.get("not_before") or [], vocab, rid))),
                before_window=int(raw.get("before_window", 3)),
                not_after=_Phrases(self._phrase_tokens(_expand_vocab(raw.get("not_after") or [], vocab, rid))),
                not_in_clause=_Phrases(self._phrase_tokens(_expand_vocab(raw.get("not_in_clause") or [], vocab, rid))),
                require_in_clause=_Phrases(
                    self._phrase_tokens(_expand_vocab(raw.get("require_in_clause") or [], vocab, rid))),
            )
            patterns = [
                [_lower_attr_values(_expand_token(t, vocab, tokens, rid)) for t in pat]
                for pat in raw.get("patterns") or []
            ]
            if patterns:
                matcher = Matcher(self.nlp.vocab, validate=True)
                try:
                    matcher.add(rid, patterns)
                except Exception as e:  # report which rule is broken
                    raise RulesError(f"rule {rid}: invalid pattern: {e}") from e
                rule = rules[rid]
                rule.matcher = matcher
                reach = int(raw.get("reach", 0) or 0)
                for p in patterns:
                    table.add_gate(len(rules) - 1, p, reach)
            phrases = [str(p) for p in raw.get("phrases") or []]
            if phrases:
                phrase_matcher.add(rid, [self.nlp.make_doc(p) for p in phrases])
            if not patterns and not phrases:
                raise RulesError(f"rule {rid}: no patterns or phrases")
        self._missing = None  # rules are loaded now
        self._trim_trailing = frozenset(str(w).lower() for w in data.get("trim_trailing") or [])
        self._trim_leading = re.compile(str(data.get("trim_leading") or r"^$"))
        self._rules_text = text
        self._forms: dict[int, tuple[str, str, bool]] = {}
        self._rules = rules
        self._rule_list = list(rules.values())
        self._anchor_table = table
        self._phrase_matcher = phrase_matcher

    # ------------------------------------------------------------ matching
    def __call__(self, doc: Doc) -> Doc:
        if self._missing:  # a configuration error, not something about this doc
            raise RulesError(self._missing)
        try:
            matches = self.find(doc)
        except Exception:  # never let one odd request stop a batch
            log.exception("breakdown matching failed; no breakdowns reported")
            matches = []
        doc.spans["breakdowns"] = self._spans(doc, matches)
        return doc

    @staticmethod
    def _spans(doc: Doc, matches: list[BreakdownMatch]) -> list[Span]:
        """One span per match, each over a distinct token range.

        spaCy keys span extension values by character range, so two dimensions
        asked by the same words ("the date of each arrest": day and
        individual_record) would share one ``_.breakdown``. The later one gets
        its cover widened by a token; the match itself keeps the exact offsets.
        """
        spans: list[Span] = []
        used: set[tuple[int, int]] = set()
        n = len(doc)
        for m in matches:
            cover = doc.char_span(m.start_char, m.end_char, alignment_mode="expand")
            if cover is None:  # empty or out of range: cannot happen for a match
                continue
            a, b = cover.start, cover.end
            if (a, b) not in used:
                span = extensions.char_span(doc, m.start_char, m.end_char, label=m.dimension)
            else:
                while (a, b) in used and (b < n or a > 0):
                    if b < n:
                        b += 1
                    else:
                        a -= 1
                if (a, b) in used:
                    log.warning("breakdown %s at %d-%d shares its words with another; not reported",
                                m.dimension, m.start_char, m.end_char)
                    continue
                span = Span(doc, a, b, label=m.dimension)
                span._.char_range = (m.start_char, m.end_char)
            used.add((span.start, span.end))
            span._.breakdown = m
            spans.append(span)
        return spans

    def find(self, doc: Doc) -> list[BreakdownMatch]:
        """Every breakdown asked for in ``doc``, in text order."""
        return [m for m, _rule_id in self.explain(doc)]

    def explain(self, doc: Doc) -> list[tuple[BreakdownMatch, str]]:
        """Like ``find`` but with the id of the rule behind each match (for debugging rules)."""
        if len(doc) == 0:
            return []
        index = _DocIndex(doc, self._anchor_table, self._forms)
        texts, lowers, spaces = index.texts, index.lowers, index.spaces
        clause: list[tuple[int, int]] = []  # filled on first use
        strings = self.nlp.vocab.strings
        raw: list[tuple[_Rule, int, int]] = []
        if len(self._phrase_matcher):
            for key, start, end in self._phrase_matcher(doc):
                rule = self._rules.get(strings[key])
                if rule is not None:
                    raw.append((rule, start, end))
        rule_list = self._rule_list
        for rule_idx, wins in sorted(index.windows().items()):
            rule = rule_list[rule_idx]
            for a, b in wins:
                for _key, start, end in rule.matcher(doc[a:b]):
                    raw.append((rule, start + a, end + a))
        cands: list[tuple[int, int, _Rule]] = []
        seen = set()
        for rule, start, end in raw:
            if (rule.id, start, end) in seen:
                continue
            seen.add((rule.id, start, end))
            if (rule.not_in_clause or rule.require_in_clause) and not clause:
                clause = self._clauses(texts, spaces)
            # filters see the match as the pattern found it; trimming is for display
            if not self._keep(rule, start, end, lowers, spaces, clause):
                continue
            start, end = self._trim(texts, lowers, spaces, start, end)
            if start < end:
                cands.append((start, end, rule))
        return self._resolve(index, cands)

    @staticmethod
    def _clauses(texts: list[str], spaces: list[bool]) -> list[tuple[int, int]]:
        """(start, end) token bounds of the clause around each token."""
        bounds: list[tuple[int, int]] = []
        start = 0
        last = len(texts) - 1
        for i, text in enumerate(texts):
            if text in _CLAUSE_END or (spaces[i] and "\n" in text) or i == last:
                bounds.extend([(start, i + 1)] * (i + 1 - start))
                start = i + 1
        return bounds

    def _trim(self, texts: list[str], lowers: list[str], spaces: list[bool],
              start: int, end: int) -> tuple[int, int]:
        """Drop list markers, punctuation and dangling function words at the edges of a match."""
        lead, trail = self._trim_leading.match, self._trim_trailing
        s, e = start, end
        while s < e and (spaces[s] or lead(texts[s])):
            s += 1
        while e > s and (spaces[e - 1] or lowers[e - 1] in trail):
            e -= 1
        if s < e:
            return s, e
        # nothing but function words ("for each"): keep them, minus whitespace
        while start < end and spaces[start]:
            start += 1
        while end > start and spaces[end - 1]:
            end -= 1
        return start, end

    @staticmethod
    def _keep(rule: _Rule, start: int, end: int, lowers: list[str],
              spaces: list[bool], clause: list[tuple[int, int]]) -> bool:
        """Apply the rule's context filters (whitespace tokens are skipped)."""
        nb = rule.not_before
        if nb:
            before: list[str] = []
            i = start - 1
            while i >= 0 and len(before) < rule.before_window + nb.longest - 1:
                if not spaces[i]:
                    before.append(lowers[i])
                i -= 1
            before.reverse()
            n = len(before)
            # a phrase must end within the last `before_window` tokens
            for stop in range(n, max(n - rule.before_window, 0), -1):
                if nb.ends_at(before, stop):
                    return False
        na = rule.not_after
        if na:
            i = end
            while i < len(lowers) and spaces[i]:
                i += 1
            if i < len(lowers) and lowers[i] in na.by_first:
                after: list[str] = []
                while i < len(lowers) and len(after) < na.longest:
                    if not spaces[i]:
                        after.append(lowers[i])
                    i += 1
                if na.starts_at(after, 0):
                    return False
        if rule.not_in_clause or rule.require_in_clause:
            c0, c1 = clause[start]
            words = [lowers[i] for i in range(c0, max(c1, end)) if not spaces[i]]
            if rule.not_in_clause and rule.not_in_clause.within(words):
                return False
            if rule.require_in_clause and not rule.require_in_clause.within(words):
                return False
        return True

    @staticmethod
    def _resolve(index: "_DocIndex", cands: list[tuple[int, int, _Rule]]) -> list[tuple[BreakdownMatch, str]]:
        """Per dimension, merge overlapping matches into one; dimensions may overlap.

        Overlaps come from one ask matched twice ("by year" inside "broken down by
        year") or from a list matched pairwise ("2019, 2020" and "2020 and 2021");
        the union is the phrase that asked. The longest match gives the reason.
        """
        by_dim: dict[str, list[tuple[int, int, _Rule]]] = {}
        for c in cands:
            by_dim.setdefault(c[2].dimension, []).append(c)
        merged: list[tuple[int, int, _Rule]] = []
        for group in by_dim.values():
            group.sort(key=lambda c: (c[0], -c[1]))
            cur_s, cur_e, cur_rule = group[0]
            best = cur_e - cur_s
            for s, e, rule in group[1:]:
                if s < cur_e:  # overlaps the current run
                    if e - s > best:
                        best, cur_rule = e - s, rule
                    cur_e = max(cur_e, e)
                else:
                    merged.append((cur_s, cur_e, cur_rule))
                    cur_s, cur_e, cur_rule, best = s, e, rule, e - s
            merged.append((cur_s, cur_e, cur_rule))
        out: list[tuple[BreakdownMatch, str]] = []
        texts, ws, starts = index.texts, index.ws, index.starts
        for start, end, rule in merged:
            sc = starts[start]
            ec = starts[end - 1] + len(texts[end - 1])
            # the same string Doc.text[sc:ec] gives: tokens plus their trailing spaces
            text = "".join(texts[i] + (" " if ws[i] else "") for i in range(start, end - 1)) + texts[end - 1]
            out.append((BreakdownMatch(rule.dimension, text, sc, ec, rule.reason), rule.id))
        out.sort(key=lambda x: (x[0].start_char, x[0].end_char, x[0].dimension))
        return out

    # -------------------------------------------------------- serialisation
    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> None:
        if self._missing:
            raise RulesError(self._missing)
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / RULES_FILENAME).write_text(self._rules_text, encoding="utf-8")

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> "BreakdownFinder":
        self._load_text((Path(path) / RULES_FILENAME).read_text(encoding="utf-8"))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        if self._missing:
            raise RulesError(self._missing)
        return self._rules_text.encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "BreakdownFinder":
        self._load_text(data.decode("utf-8"))
        return self


def find_breakdowns(doc: Doc, finder: Optional[BreakdownFinder] = None) -> list[BreakdownMatch]:
    """Breakdowns of an already-processed doc (reads ``doc.spans``), or run ``finder`` on it."""
    if finder is not None:
        return finder.find(doc)
    return [s._.breakdown for s in doc.spans.get("breakdowns", []) if s._.breakdown is not None]


@Language.factory("foi_breakdowns", default_config={"rules_path": None})
def make_breakdown_finder(nlp: Language, name: str, rules_path: Optional[str] = None) -> BreakdownFinder:
    return BreakdownFinder(nlp, name, rules_path=rules_path)
