"""One object from raw request text to the typed triage result.

``Triage`` composes the spaCy pipeline (intake zones, segmentation, periods,
breakdowns and, as they land, trained components) and turns its annotations
into the contract's ``TriageResult`` with offsets into the ORIGINAL text.
The API, the web form and batch scoring are thin layers over this object.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Optional, Union

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import __version__, extensions
from . import breakdowns as _breakdowns  # noqa: F401  (registers the factory)
from . import dates as _dates  # noqa: F401
from . import intake, segment as _segment  # noqa: F401
from . import tokenizer as _tokenizer  # noqa: F401  (registers the tokenizer)
from . import exemptions as _exemptions, topics as _topics  # noqa: F401  (trained components)
from . import signals
from . import disclosures as _disclosures
from .deadline import RegimeError, get_regime
from .models import MAX_TEXT_CHARS, Breakdown, DateSpan, Exemption, Question, TopicScore, TriageResult

# control characters other than line and tab breaks, and lone surrogates: signs of a binary file
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff]")

PIPE_NAMES = ("foi_zones", "foi_segmenter", "foi_periods", "foi_breakdowns", "foi_topics", "foi_exemptions")


class InputError(ValueError):
    """The input cannot be triaged; the message says why in plain words."""


def validate_text(text: object) -> str:
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}")
    if not text.strip():
        raise InputError("text is empty: paste the request itself")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    if "\x00" in text:
        raise InputError("text contains NUL bytes: it looks like a binary file, not a request")
    head = text[:5000]
    if len(_CONTROL.findall(head)) > max(5, len(head) // 20):
        raise InputError("text is mostly control characters: it looks like a binary file, not a request")
    return text


def build_nlp() -> Language:
    """The default pipeline: ``spacy.blank("en")`` plus the triage components."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "foi_triage.line_friendly_tokenizer.v1"}}})
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    return nlp


class Triage:
    """Compose intake, segmentation, periods and breakdowns into one call."""

    def __init__(self, nlp: Optional[Language] = None, regime: str = "foia", store: Any = "default"):
        # foia (default), foisa, eir or eisr: deadlines, cost limit and exemption numbering follow it
        self.regime = get_regime(regime)
        self.nlp = nlp or build_nlp()
        self.version = f"foi-triage {__version__}"
        # the disclosure log for `similar`: "default" (the embedded store, opened on first use), a
        # DisclosureStore, a path, or None for none; kept open for the life of this object
        self._store_arg = store
        self._store: Any = None

    @property
    def store(self) -> Any:
        if self._store is None and self._store_arg is not None:
            arg = self._store_arg
            self._store = (_disclosures.default_store() if arg == "default"
                           else _disclosures.open_store(arg) if isinstance(arg, (str, Path)) else arg)
        return self._store

    @classmethod
    def from_disk(cls, path: Union[str, Path]) -> "Triage":
        return cls(spacy.load(path))

    def to_disk(self, path: Union[str, Path]) -> None:
        self.nlp.to_disk(path)

    # -------------------------------------------------------------- running

    def annotate(self, text: str, received: Optional[dt.date] = None, _defer_explain: bool = False) -> Doc:
        """The annotated spaCy ``Doc`` of the cleaned text (for components and debugging)."""
        validate_text(text)
        clean = intake.clean(text)
        doc = self.nlp.make_doc(clean.text)
        doc._.received = received or dt.date.today()
        doc._.source = clean
        if _defer_explain:
            doc.user_data[_exemptions.DEFER_EXPLAIN] = True
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        return doc

    def triage(self, text: str, received: Optional[dt.date] = None, id: Optional[str] = None,
               clarified: Optional[dt.date] = None, regime: Optional[str] = None,
               similar_per_question: bool = False) -> TriageResult:
        try:
            rules = get_regime(regime) if regime else self.regime
        except RegimeError as e:
            raise InputError(str(e)) from None
        if clarified is not None and received is not None and clarified < received:
            raise InputError(f"clarified ({clarified}) is before received ({received}): "
                             "the answer to a clarification cannot come before the request")
        warnings = []
        if received is None:
            warnings.append("no received date given: relative periods are counted back from today")
        doc = self.annotate(text, received, _defer_explain=True)
        hits = _disclosures.similar_for_doc(self.store, doc)
        if hits:  # what the most similar earlier responses cited is evidence for the exemptions
            _exemptions.add_prior_disclosures(doc, _disclosures.prior_for_exemptions(hits))
        _exemptions.finish_explanations(doc)  # only for the suggestions kept
        result = self._result(doc, id, warnings)
        _disclosures.fill_similar(result, hits, self.store, per_question=similar_per_question)
        try:
            signals.add_signals(result, text, rules, clarified)
        except RegimeError as e:  # e.g. clarified before today when no received date was given
            raise InputError(str(e)) from None
        except OverflowError:  # a deadline past 9999-12-31
            raise InputError("a date is out of range: received and clarified must leave room for the "
                             "deadline before 9999-12-31") from None
        _exemptions.add_cost_limit(result)  # s12 from the cost-risk assessment, with its reasons
        signals.cite_exemptions(result)  # FOISA / EIR numbering of the suggestions, when that is the regime
        return result

    # -------------------------------------------------------------- result

    def _result(self, doc: Doc, id: Optional[str], warnings: list[str]) -> TriageResult:
        clean: intake.CleanText = doc._.source
        original = clean.original

        def orig(rng: tuple[int, int]) -> tuple[int, int]:
            return clean.to_original(*rng)

        questions = list(doc.spans.get("questions", []))
        q_ranges = [sp._.char_range for sp in questions]
        lead_ins = list(doc.spans.get("lead_ins", []))
        lead_ranges = [sp._.char_range for sp in lead_ins]
        asked = q_ranges + lead_ranges + [sp._.char_range for sp in doc.spans.get("qualifiers", [])]

        def container(rng: tuple[int, int], ranges: list[tuple[int, int]]) -> Optional[int]:
            for i, (s, e) in enumerate(ranges):
                if s <= rng[0] and rng[1] <= e:
                    return i
            return None

        def date_model(p: _dates.Period) -> DateSpan:
            s, e = orig((p.start_char, p.end_char))
            return DateSpan(text=original[s:e], start=p.start, end=p.end, start_char=s, end_char=e, kind=p.kind)

        q_dates: dict[int, list[DateSpan]] = {}
        lead_dates: dict[int, list[DateSpan]] = {}
        all_dates: list[DateSpan] = []
        seen_periods: set = set()
        for sp in doc.spans.get("periods", []):
            p = sp._.period
            rng = (p.start_char, p.end_char)
            if container(rng, asked) is None:
                continue  # a date in context, a greeting or a sign-off is not a period asked about
            d = date_model(p)
            if (d.start, d.end) not in seen_periods:
                # the same period asked in several questions is one period of the request
                seen_periods.add((d.start, d.end))
                all_dates.append(d)
            qi = container(rng, q_ranges)
            if qi is not None:
                q_dates.setdefault(qi, []).append(d)
            li = container(rng, lead_ranges)
            if li is not None:
                lead_dates.setdefault(li, []).append(d)

        q_dims: dict[int, list[str]] = {}
        all_breakdowns: list[Breakdown] = []
        seen = set()
        for sp in doc.spans.get("breakdowns", []):
            b = sp._.breakdown
            rng = (b.start_char, b.end_char)
            if container(rng, asked) is None:
                continue
            qi = container(rng, q_ranges)
            if qi is not None and b.dimension not in q_dims.setdefault(qi, []):
                q_dims[qi].append(b.dimension)
            s, e = orig(rng)
            key = (b.dimension, s, e)
            if key not in seen:
                seen.add(key)
                all_breakdowns.append(Breakdown(dimension=b.dimension, text=original[s:e], start_char=s,
                                                end_char=e, reason=b.reason))

        out_q = []
        for i, sp in enumerate(questions):
            s, e = orig(q_ranges[i])
            seg = sp._.segment
            inherited = lead_dates.get(seg.lead_in, []) if seg is not None and seg.lead_in is not None else []
            out_q.append(Question(number=i + 1, text=original[s:e], start=s, end=e,
                                  dates=q_dates.get(i, []), breakdowns=q_dims.get(i, []),
                                  inherited_dates=inherited, topics=sp._.topics or []))
        if not out_q:
            warnings.append("no question found in the text")
        topics = [TopicScore(label=label, score=round(score, 4)) for label, score in doc._.topics or []]
        exemptions = [Exemption(section=x.section, subsection=x.subsection, ncnd=x.ncnd, score=x.score,
                                reason=x.reason) for x in doc._.exemptions or []]
        return TriageResult(id=id, received=doc._.received, questions=out_q, dates=all_dates,
                            breakdowns=all_breakdowns, topics=topics, exemptions=exemptions,
                            warnings=warnings, model_version=self.version)
