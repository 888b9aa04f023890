"""Breakdowns requested: the dimensions figures should be split by.

INTERFACE (the pipeline relies on this; keep it):

    BreakdownMatch(dimension, text, start_char, end_char, reason)

The ``foi_breakdowns`` spaCy component writes ``doc.spans["breakdowns"]``
with ``span._.breakdown`` set to a ``BreakdownMatch`` (offsets into
``doc.text``).
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from . import extensions


@dataclass(frozen=True)
class BreakdownMatch:
    dimension: str
    text: str
    start_char: int
    end_char: int
    reason: str = ""


class BreakdownFinder:
    def __init__(self, nlp: Language, name: str = "foi_breakdowns"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["breakdowns"] = []
        return doc


@Language.factory("foi_breakdowns")
def make_breakdown_finder(nlp: Language, name: str) -> BreakdownFinder:
    return BreakdownFinder(nlp, name)
