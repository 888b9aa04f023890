"""A line-friendly wrapper around spaCy's English tokenizer.

spaCy's tokenizer caches each space-separated chunk, but text with line
breaks or runs of spaces (every email) misses that cache for the whole doc
and costs ten times more. Requests are all line breaks, so this tokenizer
runs spaCy's rules on the text with whitespace runs folded to one space, then
rebuilds the same tokens over the real text (a whitespace run becomes a
whitespace token, as spaCy itself would make it).
"""
from __future__ import annotations

import re

import spacy
from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc

_WS = re.compile(r"\s+")
_SPACES = re.compile(r"\s{2,}|[^\S ]")  # anything other than single spaces


class LineFriendlyTokenizer:
    def __init__(self, inner):
        self.inner = inner
        self.vocab = inner.vocab

    def __call__(self, text: str) -> Doc:
        if not _SPACES.search(text):
            return self.inner(text)
        folded = _WS.sub(" ", text)
        words: list[str] = []
        spaces: list[bool] = []
        pos = 0
        lead = _WS.match(text)
        if lead:
            words.append(lead.group())
            spaces.append(False)
            pos = lead.end()
        inner = self.inner(folded)
        # the token strings by offset and length: no Token object is made for each token
        for start, length in inner.to_array([IDX, LENGTH]).tolist():
            t = folded[start:start + length]
            if t.isspace():
                continue  # only the folded leading space; handled above
            if not text.startswith(t, pos):  # pragma: no cover - tokens never hold whitespace
                return self.inner(text)
            pos += len(t)
            m = _WS.match(text, pos)
            ws = m.group() if m else ""
            pos += len(ws)
            words.append(t)
            spaces.append(ws.startswith(" "))
            rest = ws[1:] if ws.startswith(" ") else ws
            if rest:
                words.append(rest)
                spaces.append(False)
        return Doc(self.vocab, words=words, spaces=spaces)

    # serialisation goes to spaCy's own tokenizer, whose rules this one runs
    def to_disk(self, path, **kwargs):
        self.inner.to_disk(path, **kwargs)

    def from_disk(self, path, **kwargs):
        self.inner.from_disk(path, **kwargs)
        return self

    def to_bytes(self, **kwargs):
        return self.inner.to_bytes(**kwargs)

    def from_bytes(self, data, **kwargs):
        self.inner.from_bytes(data, **kwargs)
        return self


@spacy.registry.tokenizers("foi_triage.line_friendly_tokenizer.v1")
def create_line_friendly_tokenizer():
    spacy_tokenizer = spacy.registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp):
        return LineFriendlyTokenizer(spacy_tokenizer(nlp))

    return make
