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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Union

from bisect import bisect_left

import yaml
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc

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


@dataclass(frozen=True)
class BreakdownMatch:
    dimension: str
    text: str
    start_char: int
    end_char: int
    reason: str = ""


@dataclass
class _Rule:
    id: str
    dimension: str
    reason: str
    not_before: list[tuple[str, ...]] = field(default_factory=list)
    before_window: int = 3
    not_after: list[tuple[str, ...]] = field(default_factory=list)
    not_in_clause: list[tuple[str, ...]] = field(default_factory=list)
    require_in_clause: list[tuple[str, ...]] = field(default_factory=list)
    matcher: Optional[Matcher] = None


@dataclass(frozen=True)
class _Anchor:
    """A mandatory token of a pattern, tested in Python to find where the rule can match.

    The spaCy Matcher costs about the same for every pattern at every token,
    so running all rules over whole requests is slow; each rule's matcher runs
    only on windows around tokens that satisfy one of its anchors.
    """

    words: frozenset = frozenset()  # lower-cased forms (LOWER, or ORTH/TEXT lower-cased)
    regex: Optional[re.Pattern] = None
    attr: str = "LOWER"  # attribute the regex applies to
    always: bool = False  # no usable anchor: run over the whole doc


class _RulesLoader(yaml.SafeLoader):
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


def _max_repeat(op: Optional[str]) -> int:
    if op in (None, "?", "!"):
        return 0 if op == "!" else 1
    if op in ("*", "+"):
        return _OPEN_REPEAT
    m = re.match(r"^\{(\d*)(,?)(\d*)\}$", op)
    if not m:
        return _OPEN_REPEAT
    if not m.group(2):  # {n}
        return int(m.group(1) or 0)
    return int(m.group(3)) if m.group(3) else _OPEN_REPEAT


def _token_anchor(tok: dict) -> Optional[_Anchor]:
    """A Python test equivalent to (or looser than) one token spec, if it has a simple one."""
    for attr in ("LOWER", "ORTH", "TEXT", "NORM"):
        val = tok.get(attr)
        if isinstance(val, str):
            return _Anchor(words=frozenset({val.lower()}))
        if isinstance(val, dict) and len(val) == 1:
            if isinstance(val.get("IN"), list):
                return _Anchor(words=frozenset(str(v).lower() for v in val["IN"]))
            if isinstance(val.get("REGEX"), str):
                flags = re.IGNORECASE if attr in ("LOWER", "NORM") else 0
                return _Anchor(regex=re.compile(val["REGEX"], flags), attr=attr)
    return None


@dataclass(frozen=True)
class _Gate:
    """Where one pattern can match: near a hit of anchor `anchor`, with every `required` anchor nearby.

    Anchors are indices into the finder's interned anchor table.
    """

    rule: int  # index of the rule in the finder's rule list
    anchor: int
    before: int  # tokens the pattern can span before the anchor token
    after: int  # ... and after it
    required: tuple = ()  # (anchor index, hits needed in the window)


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

    def intern(self, anchor: _Anchor) -> int:
        idx = self._ids.get(anchor)
        if idx is None:
            idx = self._ids[anchor] = len(self.anchors)
            self.anchors.append(anchor)
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
        if not mandatory:
            span = max(reach, min(_MAX_REACH, sum(_max_repeat(t.get("OP")) for t in pattern)))
            return _Gate(rule_idx, self.intern(_Anchor(always=True)), span, span)
        k, anchor = min(mandatory, key=lambda m: self.cost(m[1]))
        before = min(_MAX_REACH, sum(_max_repeat(t.get("OP")) for t in pattern[:k]))
        after = min(_MAX_REACH, sum(_max_repeat(t.get("OP")) for t in pattern[k + 1:]))
        if reach:  # the rule says its wildcards can span further than assumed
            before, after = (max(before, reach) if k else 0), (max(after, reach) if k < len(pattern) - 1 else 0)
        # every mandatory word token must have a hit in the window, as often as the pattern
        # needs it; other regex tokens are left to the matcher (testing them costs more than it saves)
        counts: dict[_Anchor, int] = {}
        for _j, a in mandatory:
            if a.regex is None or a == anchor:
                counts[a] = counts.get(a, 0) + 1
        required = tuple((self.intern(a), c) for a, c in counts.items() if not (a == anchor and c == 1))
        return _Gate(rule_idx, self.intern(anchor), before, after, required)


class _DocIndex:
    """Per-doc token views and anchor hits (one pass over the doc, shared by all rules)."""

    def __init__(self, doc: Doc, table: _AnchorTable):
        self.table = table
        # token strings sliced from the text: avoids building a Token object per token
        self.text = text = doc.text
        starts, lengths = doc.to_array([IDX, LENGTH]).T.tolist() if len(doc) else ([], [])
        self.texts = texts = [text[s:s + n] for s, n in zip(starts, lengths)]
        self.lowers = lowers = [w.lower() for w in texts]  # what spaCy's LOWER is
        self.spaces = [w.isspace() for w in texts]
        by_lower: dict[str, list[int]] = {}
        for i, lw in enumerate(lowers):
            by_lower.setdefault(lw, []).append(i)
        self.by_lower = by_lower
        self.n = len(self.lowers)
        self._hits: dict[int, list[int]] = {}
        for w, ps in by_lower.items():
            for ai in table.by_word.get(w, ()):
                self._hits.setdefault(ai, []).extend(ps)
        for hits in self._hits.values():
            hits.sort()
        for ai in table.always:
            self._hits[ai] = list(range(self.n))
        self._by_text: Optional[dict[str, list[int]]] = None

    def hits(self, ai: int) -> list[int]:
        """Sorted token positions satisfying anchor `ai`."""
        found = self._hits.get(ai)
        if found is None:
            found = []
            anchor = self.table.anchors[ai]
            if anchor.regex is not None:
                # test each distinct word once rather than every token
                if anchor.attr in ("LOWER", "NORM"):
                    words = self.by_lower
                else:
                    if self._by_text is None:
                        self._by_text = {}
                        for i, w in enumerate(self.texts):
                            self._by_text.setdefault(w, []).append(i)
                    words = self._by_text
                search = anchor.regex.search
                found = sorted(i for w, ps in words.items() if search(w) for i in ps)
            self._hits[ai] = found
        return found

    def _enough_in(self, ai: int, a: int, b: int, need: int) -> bool:
        hits = self.hits(ai)
        i = bisect_left(hits, a) + need - 1
        return i < len(hits) and hits[i] < b

    def windows(self) -> dict[int, list[tuple[int, int]]]:
        """Per rule index, the merged token windows where one of its patterns could match.

        Only anchors that occur in the doc are visited, so rules whose key words
        are absent cost nothing.
        """
        table = self.table
        n = self.n
        hit_anchors = list(self._hits)  # word anchors present, and the always-anchors
        for ai in table.regexes:
            if self.hits(ai):
                hit_anchors.append(ai)
        per_rule: dict[int, list[tuple[int, int]]] = {}
        enough = self._enough_in
        for ai in hit_anchors:
            gates = table.gates_by_anchor.get(ai)
            if not gates:
                continue
            hits = self._hits[ai]
            for g in gates:
                req = g.required
                for p in hits:
                    a = p - g.before
                    if a < 0:
                        a = 0
                    b = p + g.after + 1
                    if b > n:
                        b = n
                    if not req or all(enough(r, a, b, c) for r, c in req):
                        per_rule.setdefault(g.rule, []).append((a, b))
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
        path = Path(rules_path) if rules_path else DEFAULT_RULES_PATH
        self._load_text(path.read_text(encoding="utf-8"))

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
        vocab = {k: [str(x) for x in v] for k, v in (data.get("vocab") or {}).items()}
        tokens = data.get("tokens") or {}
        table = _AnchorTable({str(w).lower() for w in data.get("frequent_words") or []})
        phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        rules: dict[str, _Rule] = {}
        for raw in data["rules"]:
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
                not_before=self._phrase_tokens(_expand_vocab(raw.get("not_before") or [], vocab, rid)),
                before_window=int(raw.get("before_window", 3)),
                not_after=self._phrase_tokens(_expand_vocab(raw.get("not_after") or [], vocab, rid)),
                not_in_clause=self._phrase_tokens(_expand_vocab(raw.get("not_in_clause") or [], vocab, rid)),
                require_in_clause=self._phrase_tokens(_expand_vocab(raw.get("require_in_clause") or [], vocab, rid)),
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
        self._trim_trailing = frozenset(str(w).lower() for w in data.get("trim_trailing") or [])
        self._trim_leading = re.compile(str(data.get("trim_leading") or r"^$"))
        self._rules_text = text
        self._rules = rules
        self._rule_list = list(rules.values())
        self._anchor_table = table
        self._phrase_matcher = phrase_matcher

    # ------------------------------------------------------------ matching
    def __call__(self, doc: Doc) -> Doc:
        try:
            matches = self.find(doc)
        except Exception:  # never let one odd request stop a batch
            log.exception("breakdown matching failed; no breakdowns reported")
            matches = []
        spans = []
        for m in matches:
            span = extensions.char_span(doc, m.start_char, m.end_char, label=m.dimension)
            span._.breakdown = m
            spans.append(span)
        doc.spans["breakdowns"] = spans
        return doc

    def find(self, doc: Doc) -> list[BreakdownMatch]:
        """Every breakdown asked for in ``doc``, in text order."""
        return [m for m, _rule_id in self.explain(doc)]

    def explain(self, doc: Doc) -> list[tuple[BreakdownMatch, str]]:
        """Like ``find`` but with the id of the rule behind each match (for debugging rules)."""
        if len(doc) == 0:
            return []
        index = _DocIndex(doc, self._anchor_table)
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
        return self._resolve(doc, index.text, cands)

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
    def _seq_at(seq: list[str], pos: int, phrase: tuple[str, ...]) -> bool:
        return tuple(seq[pos:pos + len(phrase)]) == phrase

    def _keep(self, rule: _Rule, start: int, end: int, lowers: list[str],
              spaces: list[bool], clause: list[tuple[int, int]]) -> bool:
        if rule.not_before:
            longest = max(len(p) for p in rule.not_before)
            before: list[str] = []
            i = start - 1
            while i >= 0 and len(before) < rule.before_window + longest - 1:
                if not spaces[i]:
                    before.append(lowers[i])
                i -= 1
            before.reverse()
            n = len(before)
            for p in rule.not_before:
                # the phrase must end within the last `before_window` tokens
                for stop in range(n, max(n - rule.before_window, 0), -1):
                    if stop - len(p) >= 0 and self._seq_at(before, stop - len(p), p):
                        return False
        if rule.not_after:
            longest = max(len(p) for p in rule.not_after)
            after: list[str] = []
            i = end
            while i < len(lowers) and len(after) < longest:
                if not spaces[i]:
                    after.append(lowers[i])
                i += 1
            for p in rule.not_after:
                if self._seq_at(after, 0, p):
                    return False
        if rule.not_in_clause or rule.require_in_clause:
            c0, c1 = clause[start]
            words = [lowers[i] for i in range(c0, max(c1, end)) if not spaces[i]]
            if rule.not_in_clause and self._contains_any(words, rule.not_in_clause):
                return False
            if rule.require_in_clause and not self._contains_any(words, rule.require_in_clause):
                return False
        return True

    def _contains_any(self, words: list[str], phrases: list[tuple[str, ...]]) -> bool:
        for p in phrases:
            for i in range(len(words) - len(p) + 1):
                if self._seq_at(words, i, p):
                    return True
        return False

    @staticmethod
    def _resolve(doc: Doc, text: str, cands: list[tuple[int, int, _Rule]]) -> list[tuple[BreakdownMatch, str]]:
        """Per dimension keep the longest non-overlapping matches; dimensions may overlap."""
        cands.sort(key=lambda c: (c[2].dimension, -(c[1] - c[0]), c[0]))
        taken: dict[str, list[tuple[int, int]]] = {}
        out: list[tuple[BreakdownMatch, str]] = []
        for start, end, rule in cands:
            spans = taken.setdefault(rule.dimension, [])
            if any(start < e and s < end for s, e in spans):
                continue
            spans.append((start, end))
            sc = doc[start].idx
            ec = doc[end - 1].idx + len(doc[end - 1])
            out.append((BreakdownMatch(rule.dimension, text[sc:ec], sc, ec, rule.reason), rule.id))
        out.sort(key=lambda x: (x[0].start_char, x[0].end_char, x[0].dimension))
        return out

    # -------------------------------------------------------- serialisation
    def to_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / RULES_FILENAME).write_text(self._rules_text, encoding="utf-8")

    def from_disk(self, path: Union[str, Path], *, exclude: Iterable[str] = ()) -> "BreakdownFinder":
        self._load_text((Path(path) / RULES_FILENAME).read_text(encoding="utf-8"))
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
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
