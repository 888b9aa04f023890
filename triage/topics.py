"""Topics of a request and of each of its questions (the trained ``foi_topics`` component).

The model (``textclf.LinearTextModel``, trained by ``triage.train``) gives
every topic label a calibrated score in [0, 1], for the request and for each
question; the request's score for a label is the larger of its own and
``question_weight`` (0.4, chosen by cross-validation) times its best
question's, since a long request dilutes the words that matter. A label is
predicted when its score reaches the label's own threshold, chosen by
cross-validation at training time on scores combined the same way. There is always at least one label: when none passes, the one
nearest its threshold is kept, so a request is never left without a topic
(``other`` itself is a trained label for requests outside the list).

The component writes ``doc._.topics`` (``[(label, score)]``, the predicted
labels ranked by score) and ``doc._.topic_scores`` (every label's score), and
``span._.topics`` on each ``doc.spans["questions"]`` span.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional, Union

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import artifacts, intake
from .extensions import doc_text  # noqa: F401  (exemptions imports it from here)
from .textclf import LinearTextModel

log = logging.getLogger(__name__)

MODEL_NAME = "topics"
FALLBACK_LABEL = "other"
# a question shorter than this says too little on its own ("2. And for 2021?"): it takes the request's topics
MIN_QUESTION_TOKENS = 4

if not Doc.has_extension("topics"):
    Doc.set_extension("topics", default=None)
if not Doc.has_extension("topic_scores"):
    Doc.set_extension("topic_scores", default=None)
if not Span.has_extension("topics"):
    Span.set_extension("topics", default=None)


def body_text(text: str, zones: list[tuple[int, int]]) -> str:
    """``text`` without the given (start, end) ranges: what the request itself says."""
    if not zones:
        return text
    parts, pos = [], 0
    for s, e in sorted(zones):
        if s > pos:
            parts.append(text[pos:s])
        pos = max(pos, e)
    parts.append(text[pos:])
    return "\n".join(p for p in parts if p.strip())


def model_text_from_raw(text: str) -> str:
    """What the models read for a raw request: the cleaned text minus greeting, sign-off, quotes, footer.
    Training calls this; the component gets the same from the Doc."""
    clean = intake.clean(text).text
    return body_text(clean, [(z.start, z.end) for z in intake.find_zones(clean)])


def model_text(doc: Doc) -> str:
    cached = doc.user_data.get("foi_triage.model_text")
    if cached is None:
        zones = doc.spans.get("zones", [])
        cached = body_text(doc_text(doc), [sp._.char_range or (sp.start_char, sp.end_char) for sp in zones])
        doc.user_data["foi_triage.model_text"] = cached
    return cached


def decide(model: LinearTextModel, scores: np.ndarray) -> list[tuple[str, float]]:
    """Predicted labels ranked by score: those that pass their threshold, else the nearest one."""
    order = np.argsort(-scores, kind="stable")
    passing = [int(j) for j in order if scores[j] >= model.thresholds[j]]
    if not passing:
        ratio = scores / np.maximum(model.thresholds, 1e-6)
        passing = [int(np.argmax(ratio))]
    return [(model.labels[j], float(scores[j])) for j in passing]


class TopicClassifier:
    """spaCy component: topic labels for the request and each question."""

    def __init__(self, name: str = "foi_topics", models_dir: Union[str, Path, None] = None):
        self.name = name
        self.models_dir = artifacts.resolve(models_dir)
        self.model = artifacts.load_model(MODEL_NAME, self.models_dir)

    def predict(self, text: str) -> list[tuple[str, float]]:
        """Predicted labels for a text, ranked, at least one."""
        if not text.strip():
            return [(FALLBACK_LABEL, 0.0)]
        return decide(self.model, self.model.scores(text))

    def __call__(self, doc: Doc) -> Doc:
        body = model_text(doc)
        full = doc_text(doc)
        spans = list(doc.spans.get("questions", []))
        texts = [full[s:e] for s, e in (sp._.char_range or (sp.start_char, sp.end_char) for sp in spans)]
        own = [i for i, t in enumerate(texts) if len(t.split()) >= MIN_QUESTION_TOKENS]
        # the request and its questions in one pass; the exemption model reads the same texts in
        # the same order, so their features are computed once for both (textclf keeps the last)
        S = self.model.scores_many([body] + [texts[i] for i in own])
        scores, Q = (S[0] if body.strip() else np.zeros(len(self.model.labels))), S[1:]
        # a long request dilutes the words that matter; its questions do not (weight set in training)
        weight = float(self.model.meta.get("question_weight", 0.0))
        if weight > 0 and len(Q):
            scores = np.maximum(scores, weight * Q.max(axis=0))
        doc._.topic_scores = dict(zip(self.model.labels, map(float, scores)))
        doc._.topics = decide(self.model, scores) if body.strip() else [(FALLBACK_LABEL, 0.0)]
        request_labels = [label for label, _ in doc._.topics]
        in_request = np.isin(self.model.labels, request_labels)
        for sp in spans:
            sp._.topics = request_labels
        for q, i in zip(Q, own):
            # a question is read in the light of its request: a label the request has is
            # easier to keep (the request's words, e.g. "complaints", often sit in the lead-in)
            boosted = np.where(in_request, np.maximum(q, (q + scores) / 2), q)
            spans[i]._.topics = [label for label, _ in decide(self.model, boosted)]
        return doc

    # models are saved with the pipeline so that ``spacy.load`` of a saved Triage finds them
    def to_disk(self, path, exclude=()) -> None:
        _copy_models(self.models_dir, Path(path), [f"{MODEL_NAME}.json", f"{MODEL_NAME}.npz"])

    def from_disk(self, path, exclude=()):
        self.models_dir = Path(path)
        self.model = artifacts.load_model(MODEL_NAME, self.models_dir)
        return self


def _copy_models(src: Path, dst: Path, files: list[str]) -> None:
    """Copy model files and a manifest listing just them (so the copy is checked on load too)."""
    import json
    import shutil

    manifest = artifacts.verify(src, files)
    dst.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copyfile(src / f, dst / f)
    sub = {k: v for k, v in manifest.items() if k != "artifacts"}
    sub["artifacts"] = {f: manifest["artifacts"][f] for f in files}
    (dst / artifacts.MANIFEST).write_text(json.dumps(sub, indent=2, sort_keys=True) + "\n", encoding="utf-8")


@Language.factory("foi_topics", default_config={"models_dir": None})
def make_topic_classifier(nlp: Language, name: str, models_dir: Optional[str]) -> TopicClassifier:
    return TopicClassifier(name, models_dir)
