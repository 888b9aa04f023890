"""The line-friendly tokenizer gives exactly the tokens spaCy's own tokenizer gives on the real
text (it only runs spaCy's rules on a whitespace-folded copy, which spaCy caches far better)."""
import random

import pytest

from triage.pipeline import build_nlp


@pytest.fixture(scope="module")
def tokenizer():
    return build_nlp().tokenizer


EDGES = [
    "  leading spaces", "trailing spaces  ", "a\n\nb", "x \n y", "\n", "  ", "a  b", "tab\there",
    "non\u00a0breaking space", "end.\n", "(1)\n(2) how many?\r\n\r\nThanks ", "line\u2028separator",
    " \u00a0x", "\n\nDear Sir,\n\n1. How many?\n2. Why?  \n", "a \u00a0 b",
    "e-mail:\tfoi@example.police.uk\n\nRef: 2024/01 \n",
]


@pytest.mark.parametrize("text", EDGES)
def test_whitespace_runs_become_the_tokens_spacy_makes(tokenizer, text):
    ours = [(t.text, t.whitespace_) for t in tokenizer(text)]
    spacys = [(t.text, t.whitespace_) for t in tokenizer.inner(text)]
    assert ours == spacys
    assert tokenizer(text).text == text


def test_random_whitespace_between_request_words_tokenizes_as_spacy_does(tokenizer):
    words = ["How", "many", "officers", "(2019/20)", "were", "dismissed?", "Dear", "Sir,", "1.", "e.g.",
             "£1,200", "don't", "Q3:", "-", "A&E", "N/A", "St.", "Helens", "24/7", "'quoted'"]
    gaps = [" ", "  ", "\n", "\n\n", " \n", "\t", "\u00a0", " \u00a0", "\r\n", "\n   "]
    rng = random.Random(20241126)
    for _ in range(300):
        text = "".join(rng.choice(words) + rng.choice(gaps) for _ in range(rng.randint(1, 25)))
        if rng.random() < 0.3:
            text = rng.choice(gaps) + text
        assert [(t.text, t.whitespace_) for t in tokenizer(text)] == \
            [(t.text, t.whitespace_) for t in tokenizer.inner(text)], repr(text)
