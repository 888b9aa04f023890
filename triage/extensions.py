"""spaCy ``Doc``/``Span`` extensions shared by the triage components.

Components communicate through these attributes and through ``doc.spans``
groups rather than ad-hoc dicts, so any later (trained) component can read
what the rule-based ones found.

Span groups written by the pipeline:

- ``doc.spans["zones"]``: greeting, sign-off, quoted mail, footer (not asked)
- ``doc.spans["questions"]``: the separate asks, in order (``Span._.number``)
- ``doc.spans["lead_ins"]``: sentences that introduce a list ("Please provide
  the following for 2019:"); their periods and breakdowns count but they are
  not questions themselves
- ``doc.spans["periods"]``: period expressions (``Span._.period``)
- ``doc.spans["breakdowns"]``: breakdown requests (``Span._.breakdown``)

Character offsets held in the dataclasses (``Period.start_char`` ...) are
exact offsets into ``doc.text`` (the cleaned text); spaCy spans are the
token-aligned cover of them.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

from spacy.attrs import IDX
from spacy.tokens import Doc, Span

_TOKEN_STARTS = "foi_triage.token_starts"

_DOC_ATTRS = {
    "received": None,  # datetime.date anchoring relative periods
    "source": None,  # intake.CleanText: original text and offset map
}
_SPAN_ATTRS = {
    "zone": None,  # str: greeting | signoff | quoted | footer
    "number": None,  # int: question number, 1-based
    "segment": None,  # segment.Segment: role, offsets and why
    "char_range": None,  # (start, end) exact character range in doc.text
    "period": None,  # dates.Period
    "breakdown": None,  # breakdowns.BreakdownMatch
}


def register() -> None:
    """Register the extensions once; safe to call repeatedly."""
    for name, default in _DOC_ATTRS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in _SPAN_ATTRS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)


def char_span(doc: Doc, start: int, end: int, label: str = "") -> Span:
    """Token-aligned span covering ``doc.text[start:end]``, remembering the exact range.

    ``Doc.char_span(alignment_mode="expand")`` walks every token on each call;
    the components make many spans per doc, so the token starts are indexed
    once per doc and searched by bisection.
    """
    starts = doc.user_data.get(_TOKEN_STARTS)
    if starts is None:
        starts = doc.to_array(IDX).tolist() if len(doc) else []  # no Token object per token
        doc.user_data[_TOKEN_STARTS] = starts
    first = max(0, bisect_right(starts, start) - 1)
    last = bisect_left(starts, end) if end > start else first
    span = Span(doc, first, max(first, last), label=label) if len(doc) else doc[0:0]
    span._.char_range = (start, end)
    return span


register()


class RulesComponent:
    """Base of the rule-based components: rules live in one data file that is
    saved with the pipeline (``nlp.to_disk``) and read back (``spacy.load``)."""

    rules_file = ""  # file name under triage/data and in the saved component folder

    def __init__(self, name: str, rules_path: "str | None" = None):
        from pathlib import Path

        self.name = name
        self.rules_path = Path(rules_path) if rules_path else Path(__file__).with_name("data") / self.rules_file
        self.rules = self.load(str(self.rules_path))

    def load(self, path: str):  # pragma: no cover - each component says how it reads its file
        raise NotImplementedError

    def to_disk(self, path, exclude=()) -> None:
        from pathlib import Path

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / self.rules_file).write_text(self.rules_path.read_text(encoding="utf-8"), encoding="utf-8")

    def from_disk(self, path, exclude=()):
        from pathlib import Path

        self.rules_path = Path(path) / self.rules_file
        self.rules = self.load(str(self.rules_path))
        return self


def doc_text(doc: Doc) -> str:
    """``doc.text`` without its cost.

    spaCy rebuilds ``doc.text`` from the tokens on every access (milliseconds
    on a long request); the pipeline made the Doc from the cleaned text it
    keeps in ``doc._.source``, so components read that instead.
    """
    text = getattr(doc._.source, "text", None)
    if text is None:
        return doc.text
    end = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    return text if end == len(text) else doc.text  # a Doc made some other way
