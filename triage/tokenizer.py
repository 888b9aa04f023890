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
from spacy.attrs import IDX, LENGTH, SPACY
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
        # the k-th space of the folded text stands for the k-th whitespace run of the real one
        runs = _WS.findall(text)
        words: list[str] = []
        spaces: list[bool] = []
        k = 0
        if text[:1].isspace():
            words.append(runs[0])
            spaces.append(False)
            k = 1
        inner = self.inner(folded)
        # the token strings by offset and length: no Token object is made for each token
        for start, length, space in inner.to_array([IDX, LENGTH, SPACY]).tolist():
            t = folded[start:start + length]
            if t.isspace():
                continue  # only the folded leading space; handled above
            words.append(t)
            if not space:
                spaces.append(False)
                continue
            ws = runs[k]
            k += 1
            if ws[0] == " ":
                spaces.append(True)
                if len(ws) > 1:
                    words.append(ws[1:])
                    spaces.append(False)
            else:
                spaces.append(False)
                words.append(ws)
                spaces.append(False)
        if k != len(runs):  # pragma: no cover - the folded text's tokens never hold whitespace
            return self.inner(text)
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
