"""The speed-ups give the same answers as the plain way of working them out."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from triage import clarify, cost, exemptions, request_type
from triage.cost import QuestionView
from triage.rules import DATA, Screen, make_rule, normalise, required_literals, safe_load

REQUEST = """Dear FOI team,

I am researching noise complaints about late-night venues in the city centre.

1. How many noise complaints about licensed premises were received in each of the last three years?
2. For each complaint, please give the reasons for the delay in responding and the name of the officer.
3. Please search all emails between the licensing team and the council that mention the word 'curfew'.
4. Why did the force stop attending these complaints?

Thank you,
Robin"""
QUESTIONS = [line.split(". ", 1)[1] for line in REQUEST.splitlines() if line[:2] in ("1.", "2.", "3.", "4.")]


def _all_signal_rules():
    types = request_type.default_rules()
    return (cost.default_rules().rules + types.rules + types.context_rules + list(types.refers_back.values())
            + clarify.default_rules().rules + [types.asks])


def test_the_fast_yaml_loader_reads_every_data_file_as_the_safe_loader_does():
    for path in sorted(Path(DATA).glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert safe_load(text) == yaml.safe_load(text), path.name


def test_a_pattern_never_matches_a_text_missing_its_required_literals():
    rule = make_rule({"id": "x", "reason": "r", "patterns": [r"\b(?:the )?(?:reasons?|grounds) for (?:the )?delay"]}, {})
    (needs,) = rule.prefixes
    assert needs is not None
    text = "please give the reasons for the delay in each case"
    assert rule.search(text) and all(n.search(text) for n in needs)
    assert rule.search("please give the reasons for refusal") is None
    assert required_literals(r"\b(?:the )?(?:reasons?|grounds) for (?:the )?delay")


def test_the_request_screen_never_changes_which_rule_matches_a_question():
    screen = Screen(normalise(REQUEST))
    for q in QUESTIONS:
        text = normalise(q)
        assert screen.for_text(text) is screen  # every question is part of its request
        for rule in _all_signal_rules():
            plain, screened = rule.search(text), rule.search(text, screen)
            assert (plain and plain.span()) == (screened and screened.span()), (rule.id, q)


def test_a_screen_is_not_used_for_a_text_outside_its_request():
    screen = Screen(normalise("How many speeding fines were issued?"))
    assert screen.for_text(normalise("Please send me my own custody record.")) is None


def test_signals_read_the_same_with_and_without_the_whole_request():
    received = dt.date(2024, 5, 1)
    views = [QuestionView(i + 1, q, periods=[(dt.date(2021, 5, 1), received)] if i == 0 else [])
             for i, q in enumerate(QUESTIONS)]
    kind = request_type.classify([(v.number, v.text) for v in views], REQUEST)
    screen = Screen(normalise(REQUEST))
    rules = request_type.default_rules()
    for q in QUESTIONS:
        assert request_type.classify_part(q, rules, screen=screen) == request_type.classify_part(q, rules)
    with_text = cost.assess(views, received, full_text=REQUEST)
    without = cost.assess(views, received)
    assert [r.rule for r in with_text.reasons if r.question] == [r.rule for r in without.reasons if r.question]
    assert clarify.suggest(views, kind, full_text=REQUEST) == clarify.suggest(views, kind)


def test_exemption_rules_are_compiled_once_however_the_file_is_named():
    assert exemptions.load_rules() is exemptions.load_rules(exemptions.DEFAULT_RULES_PATH)
    assert exemptions.load_rules() is exemptions.load_rules(str(exemptions.DEFAULT_RULES_PATH))


def test_the_model_words_are_still_explained_when_no_similar_disclosure_is_found():
    from triage import Triage

    plain = Triage(store=None)
    text = ("Please tell me how many covert surveillance authorisations were granted under RIPA to "
            "monitor informants and undercover officers in each of the last three years.")
    result = plain.triage(text, received=dt.date(2024, 5, 1))
    doc = plain.annotate(text, dt.date(2024, 5, 1))  # the component explaining straight away
    reasons = [e.reason for e in result.exemptions if e.section != "s12"]
    assert reasons == [s.reason for s in doc._.exemptions]
    assert any("words such as" in r for r in reasons)


def _char_columns_one_by_one(block, text):
    import numpy as np

    from triage import textclf

    cols = [block.vocab[g] for tok in textclf.tokens(text) for g in textclf._char_grams(tok) if g in block.vocab]
    return np.array(cols, dtype=np.int64)


def test_character_features_gathered_from_the_word_buffer_equal_those_read_word_by_word():
    import numpy as np

    from triage import artifacts, textclf

    model = artifacts.load_model("topics", artifacts.resolve(None))
    block = next(b for b in model.blocks if b.analyzer == "chars")
    texts = ["How many Taser discharges in 2023?", "", "!!!", "a", "Taser taser TASER, tasered and re-tasered",
             "Custody images: how many were deleted under the review?"]
    for text in texts * 2:  # the second time every word is already in the buffer
        assert np.array_equal(block._columns(text), _char_columns_one_by_one(block, text)), text


def test_character_features_are_safe_to_compute_from_several_threads():
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from triage import artifacts

    model = artifacts.load_model("topics", artifacts.resolve(None))
    block = next(b for b in model.blocks if b.analyzer == "chars")
    # new words keep arriving, so the buffers grow while other threads read them
    texts = [f"request {i} about word{i}x and zz{i * 7}q for the years {i} to {i + 3}" for i in range(400)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(block._columns, texts))
    assert all(np.array_equal(g, _char_columns_one_by_one(block, t)) for g, t in zip(got, texts))


def test_literal_sets_met_by_almost_any_text_are_not_used_to_screen():
    from triage.rules import present_literals, screening

    kept = screening([{"e", "email"}, {"police", "constabulary"}, {"of"}])
    assert [sorted(lit.words) for lit in kept] == [["constabulary", "police"]]
    assert screening([{"e"}, {"of", "to"}]) is None
    assert "constabulary" in present_literals("the constabulary of kent")


def test_a_rule_whose_only_literals_are_short_still_matches():
    rule = make_rule({"id": "email_format", "reason": "wants it by email", "patterns": [r"\be-?mail\b"]}, {})
    assert rule.search("please send it by e-mail") is not None
    assert rule.search("please send it by email") is not None
    assert rule.search("please post it") is None
