"""Periods asked about: find them and normalise to ISO intervals (CONTRACT.md, Dates).

INTERFACE (the pipeline relies on this; keep it):

    find_periods(text: str, received: date) -> list[Period]

returns every period expression in ``text`` with exact character offsets into
``text``, normalised by UK conventions. The ``foi_periods`` spaCy component
runs it over ``doc.text`` and writes ``doc.spans["periods"]`` with
``span._.period`` set. Deciding whether the sentence around a period is an
ask or context is the pipeline's job, not this module's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from . import extensions


@dataclass(frozen=True)
class Period:
    text: str
    start: Optional[date]
    end: Optional[date]
    start_char: int
    end_char: int
    kind: str = ""


def find_periods(text: str, received: date) -> list[Period]:
    return []


class PeriodFinder:
    def __init__(self, nlp: Language, name: str = "foi_periods"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        received = doc._.received or date.today()
        spans = []
        for p in find_periods(doc.text, received):
            span = extensions.char_span(doc, p.start_char, p.end_char, label="PERIOD")
            span._.period = p
            spans.append(span)
        doc.spans["periods"] = spans
        return doc


@Language.factory("foi_periods")
def make_period_finder(nlp: Language, name: str) -> PeriodFinder:
    return PeriodFinder(nlp, name)
