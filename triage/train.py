"""Train the topic and exemption classifiers from ``training_data/`` (``foi-triage train``).

For each task (topics; exemption sections plus neither-confirm-nor-deny):

1. The text a model sees is the request with greetings, sign-offs, quoted mail
   and footers taken out (``topics.model_text``), exactly as at run time.
2. A scikit-learn ``Pipeline``: word 1-2-gram and character 3-5-gram TF-IDF
   (``textclf`` analyzers) joined by a ``FeatureUnion``, into one-vs-rest
   linear classifiers whose scores are calibrated to probabilities (logistic
   regression, or a linear SVM with sigmoid calibration).
3. K-fold cross-validation gives out-of-fold scores for every training row,
   combined with the scores of the row's questions as at run time
   (``question_weight``; the questions come from the rule-based segmenter).
   Each label's decision threshold is the one that maximises its F1 on them.
   The reported metrics use, for each fold, thresholds chosen on the OTHER
   folds only, so they are not flattered by the choice.
4. The pipeline is refitted on all rows, saved with joblib (the model of
   record) and compiled into plain arrays for the fast runtime
   (``textclf.LinearTextModel``).
5. ``manifest.json`` records the sha256 of every file, library versions, a
   hash of the training data, the seed, the settings and the CV metrics
   (for exemptions also with the rules applied, as the suggester runs).

Same data and seed give the same models and metrics (all fitting is
single-threaded and seeded).
"""
from __future__ import annotations

import json
import platform
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import numpy as np

from . import __version__
from .artifacts import MANIFEST, sha256_file
from .jsonl import read_lines
from .models import TOPIC_LABELS
from .textclf import ANALYZERS, FeatureBlock, LinearTextModel

DEFAULT_DATA = Path("training_data/requests.jsonl")
DEFAULT_SEED = 20240601
NCND_LABEL = "ncnd"
# a label with fewer positive rows than this is not modelled (its scores would be noise)
MIN_POSITIVES = 4


class TrainingDataError(ValueError):
    """The training file cannot be used; the message says which line and why."""


@dataclass(frozen=True)
class ModelConfig:
    classifier: str = "logreg"  # "logreg" or "svm" (LinearSVC + sigmoid calibration)
    C: float = 10.0
    analyzers: tuple[str, ...] = ("words", "chars")
    min_df: int = 2
    max_features: tuple[int, ...] = (30_000, 60_000)  # per analyzer
    class_weight: Optional[str] = None
    folds: int = 5
    # a request's score for a label is max(score of the request, question_weight * best score of
    # its questions): long requests dilute the words that matter, their questions do not
    question_weight: float = 0.0


# Chosen by 5-fold cross-validation on training_data/ (triage.train.tune; 1,838 rows, 2026-11-26):
# topics micro F1 0.858 (hand-written rows 0.782) for the calibrated linear SVM, C=1, against
# 0.837-0.839 for logistic regression at C=10-30 and 0.842 with word n-grams alone;
# exemptions recall@3 0.946 for logistic regression at C=30 (0.938 at C=10, 0.939-0.942 for the SVM).
# Reading the questions too (question_weight 0.6, chosen from 0.5-0.9 the same way) raised topics
# micro F1 to 0.880 (hand-written 0.789; requests of 100 words or more 0.820 -> 0.859).
# Re-chosen (0.4) when generated rows stopped being labelled with every topic their questions touch
# (training_data/generate.py, label_topics): with fewer union labels to reproduce, 0.4 gave the best
# hand-written-row F1 over two fold seeds (0.816 against 0.811 at 0.6; 2,549 rows, 2026-11-26).
TOPICS_CONFIG = ModelConfig(classifier="svm", C=1.0, question_weight=0.4)
# The same reading of the questions lifts exemptions recall@3 0.946 -> 0.955 (weight 0.8; 0.4-1.0 tried).
EXEMPTIONS_CONFIG = ModelConfig(classifier="logreg", C=30.0, question_weight=0.8)


# ------------------------------------------------------------------ data

def base_section(s: str) -> Optional[str]:
    """"s40(5)" -> "s40"; Scottish ("foisa-...") and unreadable citations -> None."""
    m = re.match(r"\s*s(?:ection)?\.?\s*(\d+)", str(s).lower())
    return f"s{m.group(1)}" if m else None


def load_rows(path: Path) -> list[dict[str, Any]]:
    rows = [check_row(row, where) for where, row in read_lines(path, TrainingDataError)]
    if not rows:
        raise TrainingDataError(f"{path} has no training rows")
    return rows


def check_row(row: Any, where: str) -> dict[str, Any]:
    """``row`` when it is a usable training row, else ``TrainingDataError`` naming ``where``."""
    if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
        raise TrainingDataError(f"{where}: needs an object with a non-empty 'text'")
    bad = [t for t in row.get("topics", []) if t not in TOPIC_LABELS]
    if bad:
        raise TrainingDataError(f"{where}: unknown topic label(s) {bad}")
    return row


def data_hash(path: Path) -> str:
    return sha256_file(Path(path))


def label_matrix(rows: Sequence[dict], labels: Sequence[str], key) -> np.ndarray:
    return np.array([[lab in key(r) for lab in labels] for r in rows], dtype=np.int64)


def topic_labels_of(row: dict) -> set[str]:
    return set(row.get("topics") or []) or {"other"}


def exemption_labels_of(row: dict) -> set[str]:
    out = {b for b in (base_section(s) for s in row.get("exemptions") or []) if b}
    if row.get("ncnd"):
        out.add(NCND_LABEL)
    return out


# ------------------------------------------------------------------ model

def build_pipeline(cfg: ModelConfig, seed: int):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    vecs = [(name, TfidfVectorizer(analyzer=ANALYZERS[name], sublinear_tf=True, min_df=cfg.min_df,
                                   max_features=mf, dtype=np.float64))
            for name, mf in zip(cfg.analyzers, cfg.max_features)]
    if cfg.classifier == "logreg":
        clf = LogisticRegression(C=cfg.C, solver="liblinear", class_weight=cfg.class_weight, max_iter=1000,
                                 random_state=seed)
    elif cfg.classifier == "svm":
        clf = CalibratedClassifierCV(LinearSVC(C=cfg.C, class_weight=cfg.class_weight, random_state=seed),
                                     method="sigmoid", cv=3, ensemble=False)
    else:
        raise ValueError(f"unknown classifier {cfg.classifier!r}")
    return Pipeline([("features", FeatureUnion(vecs)), ("clf", OneVsRestClassifier(clf))])


def compile_pipeline(pipe, labels: Sequence[str], thresholds: np.ndarray, meta: dict) -> LinearTextModel:
    """The fitted pipeline as plain arrays for ``textclf.LinearTextModel``."""
    blocks, offset = [], 0
    for name, vec in pipe.named_steps["features"].transformer_list:
        vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
        blocks.append(FeatureBlock(analyzer=name, vocab=vocab, idf=np.asarray(vec.idf_, dtype=np.float64),
                                   offset=offset, sublinear_tf=bool(vec.sublinear_tf)))
        offset += len(vocab)
    ws, bs, ca, cb = [], [], [], []
    for est in pipe.named_steps["clf"].estimators_:
        if hasattr(est, "calibrated_classifiers_"):  # LinearSVC + sigmoid: p = expit(-(a*d + b))
            cc = est.calibrated_classifiers_[0]
            lin, cal = cc.estimator, cc.calibrators[0]
            a, b = float(cal.a_), float(cal.b_)
        else:  # logistic regression: p = expit(d)
            lin, a, b = est, -1.0, 0.0
        ws.append(np.asarray(lin.coef_, dtype=np.float64).ravel())
        bs.append(float(np.ravel(lin.intercept_)[0]))
        ca.append(a)
        cb.append(b)
    return LinearTextModel(labels, blocks, np.stack(ws, axis=1), np.array(bs), np.array(ca), np.array(cb),
                           np.asarray(thresholds, dtype=np.float64), meta)


def fit(texts: Sequence[str], Y: np.ndarray, cfg: ModelConfig, seed: int, sample_weight=None):
    pipe = build_pipeline(cfg, seed)
    if sample_weight is not None:
        pipe.fit(list(texts), Y, clf__sample_weight=sample_weight)
    else:
        pipe.fit(list(texts), Y)
    return pipe


def with_questions(P: np.ndarray, Q: Optional[np.ndarray], weight: float) -> np.ndarray:
    """The request scores ``P`` raised to ``weight`` times its best question's (``Q``, None: no question)."""
    return P if Q is None or weight <= 0 or not len(Q) else np.maximum(P, weight * Q.max(axis=0))


def oof_scores(texts: Sequence[str], Y: np.ndarray, cfg: ModelConfig, seed: int,
               questions: Optional[Sequence[Sequence[str]]] = None) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities for every row, and the fold each row was held out in.
    With ``questions`` (each row's question texts) and ``cfg.question_weight``, they are
    combined as at run time (``with_questions``)."""
    from sklearn.model_selection import KFold

    texts = list(texts)
    P = np.zeros(Y.shape, dtype=np.float64)
    fold_of = np.zeros(len(texts), dtype=np.int64)
    kf = KFold(n_splits=cfg.folds, shuffle=True, random_state=seed)
    for k, (tr, te) in enumerate(kf.split(texts)):
        keep = Y[tr].sum(axis=0)
        trainable = (keep > 0) & (keep < len(tr))
        pipe = fit([texts[i] for i in tr], Y[tr][:, trainable], cfg, seed)
        P[np.ix_(te, np.flatnonzero(trainable))] = pipe.predict_proba([texts[i] for i in te])
        if questions is not None and cfg.question_weight > 0:
            for i in te:
                qs = asked_questions(questions[i])
                if qs:
                    row = P[i, np.flatnonzero(trainable)]
                    P[i, np.flatnonzero(trainable)] = with_questions(row, pipe.predict_proba(qs), cfg.question_weight)
        fold_of[te] = k
    return P, fold_of


def asked_questions(questions: Sequence[str]) -> list[str]:
    """The questions long enough to be read on their own (the rest take the request's topics)."""
    from .topics import MIN_QUESTION_TOKENS

    return [q for q in questions if len(q.split()) >= MIN_QUESTION_TOKENS]


# ------------------------------------------------------------------ thresholds and metrics

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def choose_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The threshold maximising F1 (the middle of the best plateau, which is steadier than its edge)."""
    if y.sum() == 0:
        return 0.5
    pred = p[:, None] >= THRESHOLD_GRID[None, :]
    tp = (pred & (y[:, None] == 1)).sum(axis=0)
    fp = (pred & (y[:, None] == 0)).sum(axis=0)
    fn = y.sum() - tp
    f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    best = np.flatnonzero(f1 >= f1.max() - 1e-9)
    return float(THRESHOLD_GRID[best[len(best) // 2]])


def choose_thresholds(P: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return np.array([choose_threshold(P[:, j], Y[:, j]) for j in range(Y.shape[1])])


def decide_topics(p: np.ndarray, thresholds: np.ndarray, labels: Sequence[str]) -> list[int]:
    """Indices of the labels predicted from one row of scores: those that pass, ranked by score;
    when none passes, the one closest to its threshold (so there is always at least one)."""
    passing = [j for j in np.argsort(-p, kind="stable") if p[j] >= thresholds[j]]
    if passing:
        return [int(j) for j in passing]
    return [int(np.argmax(p / np.maximum(thresholds, 1e-6)))]


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def set_metrics(pred: Sequence[set], gold: Sequence[set], labels: Iterable[str]) -> dict[str, Any]:
    """Per-label and micro/macro precision, recall, F1 over predicted label sets."""
    per, TP, FP, FN = {}, 0, 0, 0
    for lab in labels:
        tp = sum(lab in p and lab in g for p, g in zip(pred, gold))
        fp = sum(lab in p and lab not in g for p, g in zip(pred, gold))
        fn = sum(lab not in p and lab in g for p, g in zip(pred, gold))
        if tp + fp + fn == 0:
            continue
        per[lab] = {**prf(tp, fp, fn), "support": tp + fn}
        TP, FP, FN = TP + tp, FP + fp, FN + fn
    supported = [v["f1"] for v in per.values() if v["support"] > 0]
    return {"micro": prf(TP, FP, FN), "macro_f1": round(float(np.mean(supported)) if supported else 0.0, 4),
            "per_label": per}


def cross_fitted_thresholds(P: np.ndarray, Y: np.ndarray, fold_of: np.ndarray) -> np.ndarray:
    """For each row, thresholds chosen on the out-of-fold scores of the other folds."""
    T = np.zeros(Y.shape)
    for k in np.unique(fold_of):
        rest = fold_of != k
        T[fold_of == k] = choose_thresholds(P[rest], Y[rest])
    return T


# ------------------------------------------------------------------ the two tasks

@dataclass
class TaskResult:
    name: str
    labels: list[str]
    pipeline: Any
    thresholds: np.ndarray
    oof: np.ndarray
    fold_of: np.ndarray
    cv: dict[str, Any] = field(default_factory=dict)
    config: ModelConfig = TOPICS_CONFIG
    dropped: list[str] = field(default_factory=list)


def _trainable_labels(Y: np.ndarray, labels: Sequence[str]) -> list[int]:
    return [j for j, _ in enumerate(labels) if MIN_POSITIVES <= Y[:, j].sum() < len(Y)]


def train_task(name: str, texts: Sequence[str], rows: Sequence[dict], labels: Sequence[str], key,
               cfg: ModelConfig, seed: int, questions: Optional[Sequence[Sequence[str]]] = None) -> TaskResult:
    Y_all = label_matrix(rows, labels, key)
    keep = _trainable_labels(Y_all, labels)
    if not keep:
        raise TrainingDataError(f"{name}: no label has {MIN_POSITIVES} or more examples")
    labs = [labels[j] for j in keep]
    Y = Y_all[:, keep]
    # a label rarer than the folds is simply absent from some training folds (oof_scores allows for it)
    folds = max(2, min(cfg.folds, len(texts) // 4))
    cfg = replace(cfg, folds=folds)
    P, fold_of = oof_scores(texts, Y, cfg, seed, questions)
    thresholds = choose_thresholds(P, Y)
    pipe = fit(texts, Y, cfg, seed)
    res = TaskResult(name, labs, pipe, thresholds, P, fold_of, config=cfg,
                     dropped=[lab for j, lab in enumerate(labels) if j not in keep and Y_all[:, j].sum() > 0])
    return res


def topic_cv_metrics(res: TaskResult, rows: Sequence[dict]) -> dict[str, Any]:
    Y = label_matrix(rows, res.labels, topic_labels_of)
    T = cross_fitted_thresholds(res.oof, Y, res.fold_of)
    pred = [{res.labels[j] for j in decide_topics(res.oof[i], T[i], res.labels)} for i in range(len(rows))]
    gold = [topic_labels_of(r) for r in rows]
    out = {"all": set_metrics(pred, gold, res.labels)}
    core = [i for i, r in enumerate(rows) if r.get("source") == "core"]
    if core and len(core) < len(rows):
        out["core_only"] = {k: v for k, v in set_metrics([pred[i] for i in core], [gold[i] for i in core],
                                                         res.labels).items() if k != "per_label"}
    return out


def exemption_cv_metrics(res: TaskResult, rows: Sequence[dict]) -> dict[str, Any]:
    """Model-only figures: per-section P/R/F1 at the thresholds, recall@3 of the ranking, NCND accuracy."""
    Y = label_matrix(rows, res.labels, exemption_labels_of)
    T = cross_fitted_thresholds(res.oof, Y, res.fold_of)
    sections = [lab for lab in res.labels if lab != NCND_LABEL]
    sec_idx = [res.labels.index(s) for s in sections]
    pred = [{res.labels[j] for j in sec_idx if res.oof[i, j] >= T[i, j]} for i in range(len(rows))]
    gold = [exemption_labels_of(r) - {NCND_LABEL} for r in rows]
    out = {"sections": set_metrics(pred, gold, sections)}
    rec, n = 0.0, 0
    for i, g in enumerate(gold):
        g2 = g - {"s12"}
        if not g2:
            continue
        ranked = [sections[k] for k in np.argsort(-res.oof[i, sec_idx], kind="stable") if sections[k] != "s12"][:3]
        rec += len(g2 & set(ranked)) / len(g2)
        n += 1
    out["recall_at_3"] = round(rec / n, 4) if n else 0.0
    if NCND_LABEL in res.labels:
        j = res.labels.index(NCND_LABEL)
        with_ex = [i for i, r in enumerate(rows) if r.get("exemptions")]
        ok = sum((res.oof[i, j] >= T[i, j]) == bool(rows[i].get("ncnd")) for i in with_ex)
        out["ncnd_accuracy"] = round(ok / len(with_ex), 4) if with_ex else 0.0
    return out


def cocitation_table(rows: Sequence[dict], min_count: int = MIN_POSITIVES, min_share: float = 0.1) -> dict:
    """For each section, the share of training requests citing it that also cite each other section.

    Police responses cite sections in company (s31 with s24, s30 with s40, NCND
    answers with s23, s24, s30 and s31 together); the suggester uses this to
    propose the usual companions of a likely section."""
    sets = [exemption_labels_of(r) - {NCND_LABEL, "s12"} for r in rows]
    out: dict[str, dict[str, float]] = {}
    for a in sorted({x for s in sets for x in s}, key=lambda x: int(x[1:])):
        with_a = [s for s in sets if a in s]
        if len(with_a) < min_count:
            continue
        shares = {b: round(sum(b in s for s in with_a) / len(with_a), 3)
                  for b in sorted({x for s in with_a for x in s} - {a}, key=lambda x: int(x[1:]))}
        shares = {b: v for b, v in shares.items() if v >= min_share}
        if shares:
            out[a] = shares
    return out


def annotate_rows(rows: Sequence[dict]) -> tuple[list, list[list[str]]]:
    """Each training request as the rule-based components read it: what the exemption rules
    see (``RequestView``) and its question texts."""
    import datetime as _dt

    import spacy

    from . import intake, pipeline
    from .exemptions import RequestView

    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "foi_triage.line_friendly_tokenizer.v1"}}})
    for name in pipeline.PIPE_NAMES:
        if name not in ("foi_topics", "foi_exemptions"):
            nlp.add_pipe(name)
    views, questions = [], []
    for r in rows:
        clean = intake.clean(r["text"])
        doc = nlp.make_doc(clean.text)
        try:
            doc._.received = _dt.date.fromisoformat(str(r.get("received"))[:10])
        except ValueError:
            doc._.received = _dt.date(2024, 1, 1)
        doc._.source = clean
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        doc._.topics = [(t, 1.0) for t in topic_labels_of(r)]
        views.append(RequestView.from_doc(doc))
        questions.append([clean.text[s:e] for s, e in (sp._.char_range or (sp.start_char, sp.end_char)
                                                        for sp in doc.spans.get("questions", []))])
    return views, questions


def combined_cv_metrics(res: TaskResult, rows: Sequence[dict], views: Sequence, rules=None,
                        cocitation: Optional[dict] = None) -> dict[str, Any]:
    """The suggester as it runs (model + rules + companions), with the model's out-of-fold scores:
    recall@3 and NCND accuracy comparable with the evaluation's."""
    from .exemptions import Evidence, combine, load_rules, rule_evidence

    rules = rules or load_rules()
    cfg = rules.combine
    floor, mw = float(cfg.get("model_min", 0.03)), float(cfg.get("model_weight", 1.0))
    T = cross_fitted_thresholds(res.oof, label_matrix(rows, res.labels, exemption_labels_of), res.fold_of)
    j_ncnd = res.labels.index(NCND_LABEL) if NCND_LABEL in res.labels else None
    rec = n = ncnd_ok = ncnd_n = 0
    for i, r in enumerate(rows):
        ev = [Evidence(section=lab, weight=min(0.99, mw * res.oof[i, j]), reason="", source="model")
              for j, lab in enumerate(res.labels) if lab != NCND_LABEL and res.oof[i, j] >= floor]
        ev += rule_evidence(views[i], rules)
        model_ncnd = j_ncnd is not None and res.oof[i, j_ncnd] >= T[i, j_ncnd]
        sugg = combine(ev, rules, model_ncnd=model_ncnd, cocitation=cocitation)
        gold = exemption_labels_of(r) - {NCND_LABEL, "s12"}
        if gold:
            top = [s.section for s in sugg if s.section != "s12"][:3]
            rec += len(gold & set(top)) / len(gold)
            n += 1
        if r.get("exemptions"):
            ncnd_n += 1
            ncnd_ok += any(s.ncnd for s in sugg) == bool(r.get("ncnd"))
    return {"recall_at_3": round(rec / n, 4) if n else 0.0,
            "ncnd_accuracy": round(ncnd_ok / ncnd_n, 4) if ncnd_n else 0.0}


# ------------------------------------------------------------------ train and save

def _versions() -> dict[str, str]:
    import joblib
    import scipy
    import sklearn
    import spacy

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "joblib": joblib.__version__,
            "numpy": np.__version__, "scipy": scipy.__version__, "spacy": spacy.__version__,
            "foi-triage": __version__}


def train(data: Path = DEFAULT_DATA, out: Optional[Path] = None, seed: Optional[int] = DEFAULT_SEED,
          topics_cfg: ModelConfig = TOPICS_CONFIG, exemptions_cfg: ModelConfig = EXEMPTIONS_CONFIG,
          log=None, extra_rows: Optional[Sequence[dict]] = None) -> dict[str, Any]:
    """Train both models from ``data`` and write them, with ``manifest.json``, to ``out``.

    ``extra_rows`` (e.g. officers' corrections, ``foi-triage feedback export``) are added to the
    rows of ``data``; the manifest counts them and records their hash."""
    import joblib

    from .artifacts import PACKAGE_MODELS
    from .topics import model_text_from_raw

    out = Path(out) if out else PACKAGE_MODELS
    seed = DEFAULT_SEED if seed is None else int(seed)
    say = log or (lambda msg: None)
    rows = load_rows(Path(data))
    say(f"{len(rows)} training rows from {data}")
    extra = [check_row(r, f"extra row {i}") for i, r in enumerate(extra_rows or [], 1)]
    if extra:
        rows = rows + extra
        say(f"{len(extra)} extra training rows (feedback)")
    texts = [model_text_from_raw(r["text"]) for r in rows]
    views, questions = annotate_rows(rows)

    say("topics: cross-validating and fitting")
    topics = train_task("topics", texts, rows, list(TOPIC_LABELS), topic_labels_of, topics_cfg, seed, questions)
    topics.cv = topic_cv_metrics(topics, rows)
    say(f"topics: CV micro F1 {topics.cv['all']['micro']['f1']:.3f}, macro F1 {topics.cv['all']['macro_f1']:.3f}")

    ex_labels = sorted({b for r in rows for b in exemption_labels_of(r) if b != NCND_LABEL},
                       key=lambda s: int(s[1:])) + [NCND_LABEL]
    say("exemptions: cross-validating and fitting")
    ex = train_task("exemptions", texts, rows, ex_labels, exemption_labels_of, exemptions_cfg, seed, questions)
    ex.cv = exemption_cv_metrics(ex, rows)
    say(f"exemptions: CV recall@3 {ex.cv['recall_at_3']:.3f} (model alone)")
    cocitation = cocitation_table(rows)
    ex.cv["with_rules"] = combined_cv_metrics(ex, rows, views, cocitation=cocitation)
    say(f"exemptions: CV recall@3 {ex.cv['with_rules']['recall_at_3']:.3f} (model, rules and companions)")

    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for res in (topics, ex):
        meta = {"task": res.name, "config": asdict(res.config), "seed": seed,
                "question_weight": res.config.question_weight}
        if res is ex:
            meta["cocitation"] = cocitation
        model = compile_pipeline(res.pipeline, res.labels, res.thresholds, meta)
        files += model.save(out, res.name)
        jl = out / f"{res.name}.joblib"
        _strip_for_pickle(res.pipeline)
        joblib.dump({"pipeline": res.pipeline, "labels": res.labels, "thresholds": res.thresholds.tolist()},
                    jl, compress=3)
        files.append(jl)

    manifest = {
        "format": 1,
        "created_by": f"foi-triage {__version__} train",
        "training_data": {"path": str(data), "sha256": data_hash(Path(data)), "rows": len(rows),
                          "core_rows": sum(r.get("source") == "core" for r in rows),
                          **({"extra_rows": len(extra), "extra_sha256": _rows_hash(extra)} if extra else {})},
        "seed": seed,
        "versions": _versions(),
        "artifacts": {f.name: {"sha256": sha256_file(f), "bytes": f.stat().st_size} for f in sorted(files)},
        "models": {
            res.name: {"labels": res.labels, "thresholds": dict(zip(res.labels, map(float, res.thresholds))),
                       "config": asdict(res.config), "not_modelled": res.dropped, "cv": res.cv}
            for res in (topics, ex)
        },
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    say(f"wrote {len(files)} artifacts and {MANIFEST} to {out}")
    return manifest


def _rows_hash(rows: Sequence[dict]) -> str:
    import hashlib

    return hashlib.sha256("".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n"
                                  for r in rows).encode("utf-8")).hexdigest()


def _strip_for_pickle(pipe) -> None:
    """Drop the vectorizers' ``stop_words_`` (every pruned term; large and not needed to predict)."""
    for _, vec in pipe.named_steps["features"].transformer_list:
        if hasattr(vec, "stop_words_"):
            vec.stop_words_ = None


def format_metrics(manifest: dict[str, Any]) -> str:
    """The manifest's cross-validated metrics as a table for a person."""
    lines = []
    t = manifest["models"]["topics"]["cv"]["all"]
    lines.append(f"topics (cross-validated): micro P {t['micro']['precision']:.3f} R {t['micro']['recall']:.3f} "
                 f"F1 {t['micro']['f1']:.3f}; macro F1 {t['macro_f1']:.3f}")
    core = manifest["models"]["topics"]["cv"].get("core_only")
    if core:
        lines.append(f"  hand-written rows only: micro F1 {core['micro']['f1']:.3f}, macro F1 {core['macro_f1']:.3f}")
    lines += _per_label_lines(t["per_label"])
    e = manifest["models"]["exemptions"]["cv"]
    lines.append(f"exemptions (cross-validated, model alone): recall@3 {e['recall_at_3']:.3f}, "
                 f"NCND accuracy {e.get('ncnd_accuracy', 0):.3f}, section micro F1 {e['sections']['micro']['f1']:.3f}")
    lines += _per_label_lines(e["sections"]["per_label"])
    if "with_rules" in e:
        w = e["with_rules"]
        lines.append(f"exemptions (cross-validated model with the rules and companions, as run): recall@3 "
                     f"{w['recall_at_3']:.3f}, NCND accuracy {w['ncnd_accuracy']:.3f}")
    return "\n".join(lines)


def _per_label_lines(per: dict[str, dict]) -> list[str]:
    out = [f"  {'label':28s} {'P':>6s} {'R':>6s} {'F1':>6s} {'n':>5s}"]
    for lab, m in per.items():
        out.append(f"  {lab:28s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:5d}")
    return out


# ------------------------------------------------------------------ tuning (by cross-validation on the training data)

def tune(data: Path = DEFAULT_DATA, seed: int = DEFAULT_SEED, task: str = "topics",
         grid: Optional[list[ModelConfig]] = None, log=print) -> list[tuple[ModelConfig, dict]]:
    """Cross-validated figures for each setting in ``grid`` (never the evaluation data).

    The features are fitted once per fold and shared by the classifiers, so a
    grid over the classifier settings costs little more than one run. The
    request's own text only: ``question_weight`` is not applied here."""
    from sklearn.model_selection import KFold

    from .topics import model_text_from_raw

    rows = load_rows(Path(data))
    texts = [model_text_from_raw(r["text"]) for r in rows]
    if task == "topics":
        labels, key = list(TOPIC_LABELS), topic_labels_of
    else:
        labels = sorted({b for r in rows for b in exemption_labels_of(r) if b != NCND_LABEL},
                        key=lambda s: int(s[1:])) + [NCND_LABEL]
        key = exemption_labels_of
    Y_all = label_matrix(rows, labels, key)
    keep = _trainable_labels(Y_all, labels)
    labels, Y = [labels[j] for j in keep], Y_all[:, keep]
    grid = grid or [TOPICS_CONFIG]
    core = np.array([r.get("source") == "core" for r in rows])
    results = []
    by_features: dict[tuple, list[ModelConfig]] = {}
    for cfg in grid:
        by_features.setdefault((cfg.analyzers, cfg.min_df, cfg.max_features), []).append(cfg)
    kf = KFold(n_splits=TOPICS_CONFIG.folds, shuffle=True, random_state=seed)
    splits = list(kf.split(texts))
    for feats, cfgs in by_features.items():
        P = {cfg: np.zeros(Y.shape) for cfg in cfgs}
        fold_of = np.zeros(len(texts), dtype=np.int64)
        for k, (tr, te) in enumerate(splits):
            union = build_pipeline(cfgs[0], seed).named_steps["features"]
            Xtr = union.fit_transform([texts[i] for i in tr])
            Xte = union.transform([texts[i] for i in te])
            fold_of[te] = k
            for cfg in cfgs:
                clf = build_pipeline(cfg, seed).named_steps["clf"]
                ok = (Y[tr].sum(axis=0) > 0) & (Y[tr].sum(axis=0) < len(tr))
                clf.fit(Xtr, Y[tr][:, ok])
                P[cfg][np.ix_(te, np.flatnonzero(ok))] = clf.predict_proba(Xte)
        for cfg in cfgs:
            T = cross_fitted_thresholds(P[cfg], Y, fold_of)
            if task == "topics":
                pred = [{labels[j] for j in decide_topics(P[cfg][i], T[i], labels)} for i in range(len(rows))]
                gold = [topic_labels_of(r) for r in rows]
            else:
                pred = [{labels[j] for j in range(len(labels)) if P[cfg][i, j] >= T[i, j]} for i in range(len(rows))]
                gold = [key(r) & set(labels) for r in rows]
            m_all = set_metrics(pred, gold, labels)
            m_core = set_metrics([p for p, c in zip(pred, core) if c], [g for g, c in zip(gold, core) if c], labels)
            out = {"micro_f1": m_all["micro"]["f1"], "macro_f1": m_all["macro_f1"],
                   "core_micro_f1": m_core["micro"]["f1"], "core_macro_f1": m_core["macro_f1"]}
            if task != "topics":
                res = TaskResult(task, labels, None, np.zeros(len(labels)), P[cfg], fold_of)
                out["recall_at_3"] = exemption_cv_metrics(res, rows)["recall_at_3"]
            log(f"{cfg}: {out}")
            results.append((cfg, out))
    return results
