"""Exemptions a case officer is likely to consider (the ``foi_exemptions`` component).

Each suggestion (``Suggestion``: section, subsection, ncnd, score, reason)
combines evidence from three sources, every piece with a reason an officer
can check:

1. the trained multi-label classifier (``models_data/exemptions.*``, trained
   on the exemptions cited for the requests in ``training_data/``), with the
   words that pushed its score up;
2. transparent rules kept as data in ``triage/data/exemptions.yaml`` (named
   people -> s40(5), specific investigations -> s30, tactics -> s31, ...),
   which may use what the pipeline found (breakdowns, periods, questions,
   topics);
3. prior disclosures: the sections cited by the most similar past responses
   (``add_prior_disclosures``, or ``doc._.prior_disclosures`` set by an
   earlier component).

Evidence for a section combines as independent evidence ("noisy OR"), see
the YAML's header. The cost limit (s12) is not suggested here: ``triage.cost``
assesses it for the whole request and ``add_cost_limit`` adds an s12
suggestion from that assessment, so the two always agree.

Doc extensions written: ``doc._.exemptions`` (``list[Suggestion]``, best first),
``doc._.exemption_evidence`` (every ``Evidence`` before combining) and
``doc._.ncnd_score`` (the model's neither-confirm-nor-deny score).

Seam for the disclosures component::

    from triage.exemptions import add_prior_disclosures
    add_prior_disclosures(doc, [("1584A/23", ["s40(5)", "s30(3)"], True), ...])

re-ranks ``doc._.exemptions`` with the evidence "cited in 3 of 5 similar
disclosures: 1584A/23, ...". Setting ``doc._.prior_disclosures`` to the same
list before ``foi_exemptions`` runs has the same effect.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

import numpy as np
import yaml
from spacy.language import Language
from spacy.tokens import Doc

from . import artifacts
from .models import EXEMPTION_SECTIONS, TOPIC_LABELS, BREAKDOWN_DIMENSIONS
from .rules import present_literals, required_literals, screening  # shared with the signal rules' prefilter
from .topics import MIN_QUESTION_TOKENS, doc_text, model_text

log = logging.getLogger(__name__)

MODEL_NAME = "exemptions"
NCND_LABEL = "ncnd"
RULES_FILE = "exemptions.yaml"
DEFAULT_RULES_PATH = Path(__file__).with_name("data") / RULES_FILE
# sections police usually cite in a neither-confirm-nor-deny response (FOI-PRIMER.md)
NCND_SECTIONS = frozenset({"s23", "s24", "s30", "s31", "s38", "s40"})

# (reference, sections cited, ncnd) of one similar past disclosure
PriorDisclosure = tuple[str, Sequence[str], bool]

for _name in ("exemptions", "exemption_evidence", "ncnd_score", "prior_disclosures"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class RulesError(ValueError):
    """The rules file is malformed; the message names the rule and the problem."""


@dataclass(frozen=True)
class Evidence:
    section: str
    weight: float  # 0-1: how strongly this alone suggests the section
    reason: str
    source: str  # "model" | "rule" | "prior" | "cocitation" | "ncnd_bundle"
    ncnd: bool = False
    subsection: Optional[str] = None
    rule_id: Optional[str] = None
    model_score: Optional[float] = None  # the classifier's score, for model evidence


@dataclass
class Suggestion:
    section: str
    subsection: Optional[str]
    ncnd: bool
    score: float
    reason: str
    evidence: list[Evidence] = field(default_factory=list)


# ------------------------------------------------------------------ rules

@dataclass(frozen=True)
class Rule:
    id: str
    section: str
    reason: str
    weight: float
    ncnd: bool = False
    subsection: Optional[str] = None
    any: tuple["_Pattern", ...] = ()
    also: tuple[tuple["_Pattern", ...], ...] = ()
    cased: tuple["_Pattern", ...] = ()
    unless: tuple["_Pattern", ...] = ()
    breakdowns: frozenset = frozenset()
    breakdowns_also: frozenset = frozenset()
    topics: frozenset = frozenset()
    min_years: Optional[float] = None
    min_questions: Optional[int] = None


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    sections: dict[str, dict[str, Any]]
    combine: dict[str, Any]
    combine_cost: dict[str, float] = field(default_factory=dict)  # cost-risk level -> s12 score
    explain: dict[str, Any] = field(default_factory=dict)


_RULE_KEYS = {"id", "section", "reason", "weight", "ncnd", "subsection", "any", "also", "cased", "unless",
              "breakdowns", "breakdowns_also", "topics", "min_years", "min_questions"}


def _lower_pattern(pattern: str) -> str:
    """A case-insensitive pattern for lower-cased text: letters lowered, escapes (\\S, \\B ...) kept.
    Matching lower-cased text without re.IGNORECASE is about twice as fast."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
        else:
            out.append(pattern[i].lower())
            i += 1
    return "".join(out)

class _Pattern:
    """A compiled pattern and the literals a text must contain for it to match."""

    __slots__ = ("regex", "literals")

    def __init__(self, regex: re.Pattern):
        self.regex = regex
        self.literals = screening(required_literals(regex.pattern) or ())

    def search(self, text: str) -> Optional[re.Match]:
        if self.literals is not None:
            present = present_literals(text)  # one automaton pass per text, shared by every rule
            for options in self.literals:
                if present.isdisjoint(options.wordset):
                    return None
        return self.regex.search(text)


def _compile(patterns: Any, rule_id: str, key: str, cased: bool = False) -> tuple[_Pattern, ...]:
    if patterns is None:
        return ()
    if not isinstance(patterns, list):
        raise RulesError(f"rule {rule_id}: '{key}' must be a list of regular expressions")
    out = []
    for p in patterns:
        try:
            out.append(_Pattern(re.compile(str(p) if cased else _lower_pattern(str(p)))))
        except re.error as e:
            raise RulesError(f"rule {rule_id}: bad regular expression in '{key}': {e}") from None
    return tuple(out)


def load_rules(path: Union[str, Path, None] = None) -> RuleSet:
    # one cache entry per file however it is named (the component passes the default path,
    # the pipeline's later steps None): compiling the rules is a noticeable part of the cold start
    return _load_rules_file(Path(path) if path else DEFAULT_RULES_PATH)


@lru_cache(maxsize=8)
def _load_rules_file(path: Path) -> RuleSet:
    try:
        # libyaml's loader when present: five times faster, and the same safe subset
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as e:
        raise RulesError(f"cannot read exemption rules {path}: {e}") from None
    sections = data.get("sections") or {}
    rules = []
    seen = set()
    for raw in data.get("rules") or []:
        rid = str(raw.get("id", "?"))
        unknown = set(raw) - _RULE_KEYS
        if unknown:
            raise RulesError(f"rule {rid}: unknown field(s) {sorted(unknown)}")
        if rid in seen:
            raise RulesError(f"rule {rid}: duplicate id")
        seen.add(rid)
        section = raw.get("section")
        if section not in EXEMPTION_SECTIONS:
            raise RulesError(f"rule {rid}: section {section!r} is not one of the contract's sections")
        if not raw.get("reason"):
            raise RulesError(f"rule {rid}: every rule needs a reason")
        for key, vocab in (("breakdowns", BREAKDOWN_DIMENSIONS), ("breakdowns_also", BREAKDOWN_DIMENSIONS),
                           ("topics", TOPIC_LABELS)):
            bad = set(raw.get(key) or []) - set(vocab)
            if bad:
                raise RulesError(f"rule {rid}: unknown {key} {sorted(bad)}")
        weight = float(raw.get("weight", 0.5))
        if not 0 < weight < 1:
            raise RulesError(f"rule {rid}: weight must be between 0 and 1")
        rules.append(Rule(
            id=rid, section=section, reason=str(raw["reason"]), weight=weight, ncnd=bool(raw.get("ncnd", False)),
            subsection=raw.get("subsection"),
            any=_compile(raw.get("any"), rid, "any"),
            also=tuple(_compile(group, rid, "also") for group in raw.get("also") or []),
            cased=_compile(raw.get("cased"), rid, "cased", cased=True),
            unless=_compile(raw.get("unless"), rid, "unless"),
            breakdowns=frozenset(raw.get("breakdowns") or []),
            breakdowns_also=frozenset(raw.get("breakdowns_also") or []),
            topics=frozenset(raw.get("topics") or []),
            min_years=raw.get("min_years"), min_questions=raw.get("min_questions")))
    cost = {str(k): float(v) for k, v in (data.get("cost_limit") or {}).items()}
    return RuleSet(tuple(rules), sections, data.get("combine") or {}, cost, data.get("explain") or {})


# ------------------------------------------------------------------ what the rules look at

@dataclass
class RequestView:
    """What the rules see of a request: its text without greeting/sign-off/quotes/footer
    (offsets kept: set-aside parts are blanked), the questions, breakdowns, periods and topics."""

    text: str
    questions: list[tuple[int, int]] = field(default_factory=list)
    breakdowns: set[str] = field(default_factory=set)
    years: Optional[float] = None  # span of the periods asked about; None when no period is given
    topics: set[str] = field(default_factory=set)

    @classmethod
    def from_doc(cls, doc: Doc) -> "RequestView":
        text = doc_text(doc)
        chars = list(text)
        for sp in doc.spans.get("zones", []):
            s, e = sp._.char_range or (sp.start_char, sp.end_char)
            e = min(e, len(chars))
            chars[s:e] = [c if c == "\n" else " " for c in chars[s:e]]
        questions = [sp._.char_range or (sp.start_char, sp.end_char) for sp in doc.spans.get("questions", [])]
        dims = {sp._.breakdown.dimension for sp in doc.spans.get("breakdowns", []) if sp._.breakdown is not None}
        received = doc._.received or dt.date.today()
        starts, ends = [], []
        for sp in doc.spans.get("periods", []):
            p = sp._.period
            if p is None:
                continue
            end = p.end or received
            start = p.start or (end - dt.timedelta(days=3653))  # "before 2015": open start, treat as ten years
            starts.append(start)
            ends.append(end)
        years = ((max(ends) - min(starts)).days + 1) / 365.25 if starts else None
        topics = {label for label, _ in (doc._.topics or [])}
        return cls("".join(chars), questions, dims, years, topics)

    def __post_init__(self) -> None:
        # the case-insensitive patterns read a lower-cased copy with the same offsets
        self.lower = self.text.lower()
        if len(self.lower) != len(self.text):  # a few characters lower to two ("İ"): keep one each
            self.lower = "".join(c.lower()[:1] or c for c in self.text)


def _first_match(patterns: Iterable["_Pattern"], text: str) -> Optional[re.Match]:
    for p in patterns:
        m = p.search(text)
        if m:
            return m
    return None


def apply_rule(rule: Rule, view: RequestView) -> Optional[Evidence]:
    """The rule's evidence for this request, or None when it does not fire."""
    if rule.breakdowns and not (rule.breakdowns & view.breakdowns):
        return None
    if rule.breakdowns_also and not (rule.breakdowns_also & view.breakdowns):
        return None
    if rule.topics and not (rule.topics & view.topics):
        return None
    if rule.min_questions is not None and len(view.questions) < rule.min_questions:
        return None
    if rule.min_years is not None and view.years is not None and view.years < rule.min_years - 0.05:
        return None
    match = None
    if rule.any or rule.cased:
        match = _first_match(rule.any, view.lower) or _first_match(rule.cased, view.text)
        if match is None:
            return None
    for group in rule.also:
        if _first_match(group, view.lower) is None:
            return None
    if rule.unless and _first_match(rule.unless, view.lower):
        return None
    # quote the words as the requester wrote them (the match may be on the lower-cased copy)
    words = " ".join(view.text[match.start():match.end()].split()) if match else ""
    if len(words) > 70:
        words = words[:67].rstrip() + "..."
    dims = sorted((rule.breakdowns | rule.breakdowns_also) & view.breakdowns)
    years = "an unlimited number of" if view.years is None else f"{view.years:.0f}"
    reason = rule.reason.format(match=words, breakdowns=", ".join(d.replace("_", " ") for d in dims),
                                years=years, questions=len(view.questions))
    if match is not None:
        q = next((i for i, (s, e) in enumerate(view.questions) if s <= match.start() < e), None)
        if q is not None and len(view.questions) > 1:
            reason += f" (question {q + 1})"
    return Evidence(section=rule.section, weight=rule.weight, reason=reason, source="rule", ncnd=rule.ncnd,
                    subsection=rule.subsection, rule_id=rule.id)


def rule_evidence(view: RequestView, rules: RuleSet) -> list[Evidence]:
    out = []
    for rule in rules.rules:
        ev = apply_rule(rule, view)
        if ev is not None:
            out.append(ev)
    return out


# ------------------------------------------------------------------ prior disclosures

def prior_evidence(prior: Sequence[PriorDisclosure], rules: Optional[RuleSet] = None) -> list[Evidence]:
    """Evidence from the sections cited by the most similar past disclosures.

    ``prior`` is ``[(reference, [sections cited], ncnd), ...]`` for the top
    similar disclosures, best first (all of them, including those citing
    nothing: they count in the denominator)."""
    rules = rules or load_rules()
    weight = float(rules.combine.get("prior_weight", 0.7))
    prior = [p for p in prior if p and p[0]]
    if not prior:
        return []
    citing: dict[str, list[tuple[str, bool]]] = {}
    for ref, sections, ncnd in prior:
        bases = []
        for s in sections or []:
            m = re.match(r"\s*s(?:ection)?\.?\s*(\d+)", str(s).lower())
            if m and f"s{m.group(1)}" not in bases:
                bases.append(f"s{m.group(1)}")
        for b in bases:
            if b in EXEMPTION_SECTIONS:
                citing.setdefault(b, []).append((str(ref), bool(ncnd)))
    out = []
    n = len(prior)
    for section, refs in citing.items():
        share = len(refs) / n
        names = ", ".join(r for r, _ in refs[:5]) + (", ..." if len(refs) > 5 else "")
        reason = f"cited in {len(refs)} of {n} similar disclosure{'s' if n != 1 else ''}: {names}"
        ncnd = sum(nc for _, nc in refs) * 2 > len(refs)
        out.append(Evidence(section=section, weight=min(0.95, weight * share), reason=reason, source="prior",
                            ncnd=ncnd))
    return out


# ------------------------------------------------------------------ combining

def _noisy_or(evs: Iterable[Evidence]) -> float:
    keep = 1.0
    for e in evs:
        keep *= 1.0 - e.weight
    return 1.0 - keep


def cocitation_evidence(evidence: Sequence[Evidence], cocitation: dict[str, dict[str, float]],
                        weight: float) -> list[Evidence]:
    """Evidence for the sections usually cited together with the likely ones.

    For each section b, the strongest of score(a) * share(b | a) * weight over
    the sections a with evidence, where share(b | a) is how often training
    requests citing a also cited b."""
    if not cocitation or weight <= 0:
        return []
    by_section: dict[str, list[Evidence]] = {}
    for ev in evidence:
        by_section.setdefault(ev.section, []).append(ev)
    scores = {s: _noisy_or(evs) for s, evs in by_section.items() if s != "s12"}
    best: dict[str, tuple[float, str, float]] = {}
    for a, score_a in scores.items():
        for b, share in cocitation.get(a, {}).items():
            w = weight * score_a * share
            if b != "s12" and w > best.get(b, (0.0, "", 0.0))[0]:
                best[b] = (w, a, share)
    return [Evidence(section=b, weight=round(w, 4), source="cocitation",
                     reason=f"usually cited together with {a} (in {share:.0%} of training requests citing {a})")
            for b, (w, a, share) in sorted(best.items())]


def combine(evidence: Sequence[Evidence], rules: RuleSet, model_ncnd: bool = False,
            cocitation: Optional[dict[str, dict[str, float]]] = None) -> list[Suggestion]:
    """Suggestions, best first, from all the evidence for a request."""
    cfg = rules.combine
    evidence = list(evidence) + cocitation_evidence(evidence, cocitation or {},
                                                    float(cfg.get("cocitation_weight", 0.0)))
    bundle = cfg.get("ncnd_bundle") or {}
    ncnd_min = float(cfg.get("ncnd_rule_min_weight", 0.5))
    if bundle.get("weight") and (model_ncnd or any(e.ncnd and e.weight >= ncnd_min and e.source == "rule"
                                                   for e in evidence)):
        names = ", ".join(rules.sections.get(x, {}).get("ncnd", x) for x in bundle["sections"])
        evidence += [Evidence(section=x, weight=float(bundle["weight"]), source="ncnd_bundle", ncnd=True,
                              reason=f"neither-confirm-nor-deny answers usually cite {names} together")
                     for x in bundle["sections"]]
    excluded = set(cfg.get("model_alone_excluded", ["s12"]))
    min_score = float(cfg.get("min_score", 0.1))
    max_n = int(cfg.get("max_suggestions", 5))
    ncnd_min = float(cfg.get("ncnd_rule_min_weight", 0.5))
    by_section: dict[str, list[Evidence]] = {}
    for ev in evidence:
        by_section.setdefault(ev.section, []).append(ev)
    out = []
    for section, evs in by_section.items():
        if section == "s12" or (section in excluded and all(e.source in ("model", "cocitation", "ncnd_bundle")
                                                            for e in evs)):
            continue  # s12 comes from the cost assessment only (add_cost_limit)
        evs = sorted(evs, key=lambda e: -e.weight)
        score = _noisy_or(evs)
        if score < min_score:
            continue
        forms = rules.sections.get(section, {})
        # a section the model barely suggests is not worth an NCND answer of its own
        ncnd = bool(forms.get("ncnd")) and score >= float(cfg.get("ncnd_min_score", 0.2)) and (
            any(e.ncnd and e.weight >= ncnd_min and e.source in ("rule", "prior") for e in evs)
            or any(e.source == "ncnd_bundle" for e in evs)
            or (model_ncnd and section in NCND_SECTIONS))
        override = next((e.subsection for e in evs if e.subsection), None)
        if override and not ncnd:
            subsection = override
        else:
            subsection = forms.get("ncnd") if ncnd else forms.get("plain")
        name = forms.get("name", section)
        reason = f"{name}: " + "; ".join(_dedupe(e.reason for e in evs))
        out.append(Suggestion(section, subsection, ncnd, round(min(1.0, score), 4), reason, list(evs)))
    out.sort(key=lambda s: (-s.score, int(s.section[1:])))
    return out[:max_n]


def _dedupe(items: Iterable[str]) -> list[str]:
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


# set in ``doc.user_data`` by the pipeline: the component leaves the model's words to ``finish_explanations``
DEFER_EXPLAIN = "foi_triage.defer_explain"
_EXPLAIN_PENDING = "foi_triage.explain_pending"  # the suggestions still to be explained
_EXPLAINER = "foi_triage.explainer"  # adds the request's words behind the model's scores


def finish_explanations(doc: Doc) -> None:
    """Look up the words behind the model's scores for ``doc._.exemptions`` when the component deferred it."""
    pending = doc.user_data.pop(_EXPLAIN_PENDING, None)
    explain = doc.user_data.get(_EXPLAINER)
    if pending is not None and explain is not None:
        explain(pending)


def add_prior_disclosures(doc: Doc, prior: Sequence[PriorDisclosure],
                          rules_path: Union[str, Path, None] = None) -> list:
    """Re-rank ``doc._.exemptions`` with evidence from similar past disclosures; returns the new list.

    The seam for the disclosures component: call it after ``foi_exemptions``
    has run with ``[(reference, [sections cited], ncnd), ...]`` for the top
    similar disclosures, best first."""
    rules = load_rules(rules_path)
    deferred = doc.user_data.pop(_EXPLAIN_PENDING, None) is not None
    doc._.prior_disclosures = list(prior)
    base = [e for e in (doc._.exemption_evidence or []) if e.source in ("model", "rule")]
    evidence = base + prior_evidence(prior, rules)
    doc._.exemption_evidence = evidence
    doc._.exemptions = combine(evidence, rules, model_ncnd=bool(doc.user_data.get("foi_triage.model_ncnd")),
                               cocitation=doc.user_data.get("foi_triage.cocitation"))
    # the new list is built from the evidence as first found: its model reasons need their words again
    if deferred:
        doc.user_data[_EXPLAIN_PENDING] = doc._.exemptions
    elif doc.user_data.get(_EXPLAINER) is not None:
        doc.user_data[_EXPLAINER](doc._.exemptions)
    return doc._.exemptions


# ------------------------------------------------------------------ the cost limit

def add_cost_limit(result, rules_path: Union[str, Path, None] = None) -> None:
    """Put an s12 suggestion into ``result.exemptions`` when ``result.cost_risk`` is possible or likely.

    The cost limit is assessed once, by ``triage.cost`` over the whole
    request; the suggestion repeats its reasons so that the exemptions and the
    cost risk never disagree. Call after the signals are added (the regime's
    citation is filled the way ``signals.cite_exemptions`` does it)."""
    from types import SimpleNamespace

    from .models import Exemption

    risk = getattr(result, "cost_risk", None)
    level = getattr(risk, "level", None)
    scores = load_rules(rules_path).combine_cost
    if level not in scores or any(e.section == "s12" for e in result.exemptions):
        return
    why = _dedupe(r.reason for r in risk.reasons) or [f"the cost-limit risk is {level}"]
    hours = f" (about {risk.hours_estimate:.0f} hours against a limit of {risk.limit_hours:.0f})" \
        if getattr(risk, "hours_estimate", None) else ""
    ex = Exemption(section="s12", subsection="s12(1)", ncnd=False, score=float(scores[level]),
                   reason=f"cost limit{hours}: " + "; ".join(why))
    regime = getattr(result, "regime", None)
    if regime and regime != "foia":
        try:
            from .deadline import get_regime
            from .signals import cite_exemptions

            cite_exemptions(SimpleNamespace(exemptions=[ex]), get_regime(regime))
        except Exception:  # pragma: no cover - a regime without a citation for s12 keeps the FOIA one
            log.debug("no %s citation for s12", regime, exc_info=True)
    result.exemptions.append(ex)
    result.exemptions.sort(key=lambda e: -e.score)


# ------------------------------------------------------------------ the component

def _model_reason(p: float, words: Sequence[str] = ()) -> str:
    cue = f" (words such as {', '.join(repr(w) for w in words)})" if words else ""
    return f"the trained model gives {p:.2f} for requests worded like this{cue}"


class ExemptionSuggester:
    """spaCy component: ranked exemption suggestions with reasons."""

    def __init__(self, name: str = "foi_exemptions", models_dir: Union[str, Path, None] = None,
                 rules_path: Union[str, Path, None] = None):
        self.name = name
        self.models_dir = artifacts.resolve(models_dir)
        self.model = artifacts.load_model(MODEL_NAME, self.models_dir)
        self.rules_path = Path(rules_path) if rules_path else DEFAULT_RULES_PATH
        self.rules = load_rules(self.rules_path)
        self._stopwords = frozenset(self.rules.explain.get("stopwords") or [])

    @property
    def cocitation(self) -> dict[str, dict[str, float]]:
        return self.model.meta.get("cocitation") or {}

    def model_evidence(self, text: str, questions: Sequence[str] = ()) -> tuple[list[Evidence], float, bool]:
        """Evidence from the classifier, its NCND score and whether that passes the NCND threshold.

        As for topics, a section's score is the larger of the request's and ``question_weight``
        (set in training) times its best question's."""
        if not text.strip():
            return [], 0.0, False
        weight_q = float(self.model.meta.get("question_weight", 0.0))
        asked = [q for q in questions if len(q.split()) >= MIN_QUESTION_TOKENS]
        # one pass over the request and its questions, the same texts the topic model just read
        S = self.model.scores_many([text] + asked)
        scores = S[0]
        if weight_q > 0 and asked:
            scores = np.maximum(scores, weight_q * S[1:].max(axis=0))
        floor = float(self.rules.combine.get("model_min", 0.12))
        weight = float(self.rules.combine.get("model_weight", 1.0))
        out = []
        ncnd_score, ncnd = 0.0, False
        for j, label in enumerate(self.model.labels):
            p = float(scores[j])
            if label == NCND_LABEL:
                ncnd_score, ncnd = p, p >= float(self.model.thresholds[j])
                continue
            if p < floor:
                continue
            # the words behind the score are looked up only for the suggestions shown (explain_model)
            out.append(Evidence(section=label, weight=min(0.99, weight * p), reason=_model_reason(p),
                                source="model", model_score=p))
        return out, ncnd_score, ncnd

    def explain_model(self, suggestions: list[Suggestion], text: str) -> None:
        """Add to each suggestion's model evidence the words of the request that raised the score."""
        sections = list(dict.fromkeys(e.section for sug in suggestions for e in sug.evidence if e.source == "model"))
        found = self.model.explain_many(text, sections, k=3, skip=self._stopwords) if sections else {}
        for sug in suggestions:
            for i, e in enumerate(sug.evidence):
                if e.source != "model":
                    continue
                words = found[e.section]
                if words:
                    new = replace(e, reason=_model_reason(e.model_score or e.weight, words))
                    sug.evidence[i] = new
                    sug.reason = sug.reason.replace(e.reason, new.reason, 1)

    def suggest(self, doc: Doc, prior: Optional[Sequence[PriorDisclosure]] = None) -> list[Suggestion]:
        text = model_text(doc)
        view = RequestView.from_doc(doc)
        full = doc_text(doc)
        model_ev, ncnd_score, model_ncnd = self.model_evidence(text, [full[s:e] for s, e in view.questions])
        evidence = model_ev + rule_evidence(view, self.rules)
        if prior:
            evidence += prior_evidence(prior, self.rules)
        doc._.exemption_evidence = evidence
        doc._.ncnd_score = ncnd_score
        doc.user_data["foi_triage.model_ncnd"] = model_ncnd
        doc.user_data["foi_triage.cocitation"] = self.cocitation
        suggestions = combine(evidence, self.rules, model_ncnd=model_ncnd, cocitation=self.cocitation)
        doc.user_data[_EXPLAINER] = lambda sugs: self.explain_model(sugs, text)
        if doc.user_data.get(DEFER_EXPLAIN):
            # the pipeline re-combines these when similar disclosures are found, and the words are
            # only looked up for the list it keeps (``finish_explanations``)
            doc.user_data[_EXPLAIN_PENDING] = suggestions
        else:
            self.explain_model(suggestions, text)
        return suggestions

    def __call__(self, doc: Doc) -> Doc:
        doc._.exemptions = self.suggest(doc, doc._.prior_disclosures)
        return doc

    def to_disk(self, path, exclude=()) -> None:
        from .topics import _copy_models

        path = Path(path)
        _copy_models(self.models_dir, path, [f"{MODEL_NAME}.json", f"{MODEL_NAME}.npz"])
        (path / RULES_FILE).write_text(self.rules_path.read_text(encoding="utf-8"), encoding="utf-8")

    def from_disk(self, path, exclude=()):
        path = Path(path)
        self.models_dir = path
        self.model = artifacts.load_model(MODEL_NAME, path)
        self.rules_path = path / RULES_FILE
        self.rules = load_rules(self.rules_path)
        self._stopwords = frozenset(self.rules.explain.get("stopwords") or [])
        return self


@Language.factory("foi_exemptions", default_config={"models_dir": None, "rules_path": None})
def make_exemption_suggester(nlp: Language, name: str, models_dir: Optional[str],
                             rules_path: Optional[str]) -> ExemptionSuggester:
    return ExemptionSuggester(name, models_dir, rules_path)
