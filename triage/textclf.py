"""Linear multi-label text classifiers, run without scikit-learn.

Training (``triage.train``) fits a scikit-learn ``Pipeline`` — word and
character n-gram TF-IDF into one-vs-rest linear classifiers with sigmoid
calibration — and *compiles* it into the arrays this module needs: each
feature block's vocabulary and idf, the weight matrix, intercepts, the
calibration slope/offset and the per-label thresholds chosen by
cross-validation. Predicting is then a few numpy operations per text, and
importing this module costs nothing (scikit-learn alone takes about two
seconds to import, more than the whole cold-start budget).

The analyzers below are the SAME functions the training pipeline's
vectorizers call, so the features cannot drift between training and use;
``tests/test_train.py`` checks the compiled scores equal the pipeline's.

A compiled model is two files: ``NAME.json`` (labels, thresholds, analyzer
names and vocabularies, all plain data) and ``NAME.npz`` (float arrays, read
with ``allow_pickle=False`` so loading cannot run code). Their sha256 sums are
checked against ``manifest.json`` before reading (``triage.artifacts``).
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Lower-cased alphanumeric runs: the unit both analyzers start from."""
    return _WORD.findall(text.lower())


def word_features(text: str) -> list[str]:
    """Word unigrams and bigrams."""
    toks = tokens(text)
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]


def _char_grams(tok: str) -> tuple[str, ...]:
    # the word padded with spaces, as scikit-learn's char_wb does: prefixes and suffixes are features
    w = f" {tok} "
    return tuple(w[i:i + n] for n in (3, 4, 5) for i in range(len(w) - n + 1))


# Training reads every text many times (cross-validation), so its analyzer caches each word's n-grams;
# prediction keeps each word's columns instead (``FeatureBlock``), and leaves this cache empty.
_cached_char_grams = lru_cache(maxsize=100_000)(_char_grams)


def char_features(text: str) -> list[str]:
    """Character 3- to 5-grams inside words (robust to plurals, misspellings and compounds)."""
    out: list[str] = []
    for t in tokens(text):
        out.extend(_cached_char_grams(t))
    return out


ANALYZERS: dict[str, Callable[[str], list[str]]] = {"words": word_features, "chars": char_features}
# identical feature blocks of different models (same vocabulary and idf) are one object, vectorised once
_SHARED_BLOCKS: dict[str, "FeatureBlock"] = {}
_LAST_SPARSE: dict[str, Any] = {}


@dataclass(eq=False)
class FeatureBlock:
    """One TF-IDF vectorizer: sublinear tf, smooth idf, l2 norm (the scikit-learn settings used)."""

    analyzer: str
    vocab: dict[str, int]
    idf: np.ndarray
    offset: int  # first row of this block in the weight matrix
    sublinear_tf: bool = True
    terms: Optional[list[str]] = None  # vocab inverted (column -> term), for explanations

    def __post_init__(self) -> None:
        self._token_lock = threading.Lock()  # API threads share the block: a view stops the buffers growing
        self._reset_tokens()
        self._recent: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._recent_cols: dict[str, np.ndarray] = {}

    def _reset_tokens(self) -> None:
        # every word seen, with the columns of its character n-grams in one flat buffer (words
        # repeat across requests): a text's columns are then one gather, not an array per word
        self._token_id: dict[str, int] = {}
        self._starts = array("q")
        self._lens = array("q")
        self._flat = array("q")

    def term(self, col: int) -> str:
        if self.terms is None:
            self.terms = sorted(self.vocab, key=self.vocab.__getitem__)
        return self.terms[col]

    def _add_token(self, tok: str) -> int:
        """Give a new word its id and put the columns of its character n-grams in the flat buffer."""
        vocab = self.vocab
        cols = [j for j in map(vocab.get, _char_grams(tok)) if j is not None]
        self._starts.append(len(self._flat))
        self._lens.append(len(cols))
        self._flat.extend(cols)
        tid = self._token_id[tok] = len(self._token_id)
        return tid

    def _char_columns(self, text: str) -> np.ndarray:
        """The columns of every character n-gram of ``text``'s words, word by word, in order."""
        toks = tokens(text)
        if len(self._token_id) > 200_000:  # a bound for long runs over odd vocabularies
            self._reset_tokens()
        ids = list(map(self._token_id.get, toks))
        if None in ids:
            for i, tid in enumerate(ids):
                if tid is None:
                    ids[i] = self._token_id.get(toks[i])
                    if ids[i] is None:
                        ids[i] = self._add_token(toks[i])
        if not ids:
            return np.zeros(0, dtype=np.int64)
        sel = np.array(ids, dtype=np.int64)
        # views of the buffers, dropped before any word is added again (a view stops them growing)
        starts = np.frombuffer(self._starts, dtype=np.int64)[sel]
        lens = np.frombuffer(self._lens, dtype=np.int64)[sel]
        ends = np.cumsum(lens)
        if not len(ends) or not ends[-1]:
            return np.zeros(0, dtype=np.int64)
        # the ragged gather: for word k, positions starts[k] .. starts[k] + lens[k] - 1
        idx = np.arange(ends[-1]) + np.repeat(starts - (ends - lens), lens)
        return np.frombuffer(self._flat, dtype=np.int64)[idx]

    def columns(self, text: str) -> np.ndarray:
        """Vocabulary column of every feature occurrence in ``text`` (features outside the vocabulary dropped).
        Recent results are kept: the topic and exemption models read the same questions."""
        hit = self._recent_cols.get(text)
        if hit is not None:
            return hit
        if len(self._recent_cols) >= 64:
            self._recent_cols.clear()
        out = self._columns(text)
        self._recent_cols[text] = out
        return out

    def _columns(self, text: str) -> np.ndarray:
        if self.analyzer == "chars":
            with self._token_lock:
                return self._char_columns(text)
        # every feature's column, -1 when outside the vocabulary, mapped and filtered in C
        cols = np.fromiter(map(self.vocab.get, ANALYZERS[self.analyzer](text), repeat(-1)), dtype=np.int64)
        return cols[cols >= 0]

    def vectorize(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns offset into the weight matrix, l2-normalised tf-idf values) for ``text``.

        The last few results are kept: the topic and exemption models share their blocks when
        trained on the same texts, and the request text is read by both."""
        hit = self._recent.get(text)
        if hit is not None:
            return hit
        idx, counts = np.unique(self.columns(text), return_counts=True)
        if not len(idx):
            out = (idx + self.offset, np.zeros(0))
        else:
            tf = 1.0 + np.log(counts) if self.sublinear_tf else counts.astype(np.float64)
            vals = tf * self.idf[idx]
            vals /= np.sqrt(vals @ vals)
            out = (idx + self.offset, vals)
        if len(self._recent) >= 8:
            self._recent.clear()
        self._recent[text] = out
        return out


class LinearTextModel:
    """Scores in [0, 1] per label for a text, plus the thresholds that turn them into labels."""

    def __init__(self, labels: Sequence[str], blocks: list[FeatureBlock], weights: np.ndarray,
                 intercept: np.ndarray, calib_a: np.ndarray, calib_b: np.ndarray,
                 thresholds: np.ndarray, meta: Optional[dict] = None):
        self.labels = list(labels)
        self.blocks = blocks
        self.weights = weights  # (n_features, n_labels)
        self.intercept = intercept
        self.calib_a = calib_a
        self.calib_b = calib_b
        self.thresholds = thresholds
        self.meta = meta or {}
        self.index = {label: i for i, label in enumerate(self.labels)}

    # ---------------------------------------------------------------- predicting

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        parts = [b.vectorize(text) for b in self.blocks]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    def decision(self, text: str) -> np.ndarray:
        idx, vals = self.features(text)
        return vals @ self.weights[idx] + self.intercept

    def scores(self, text: str) -> np.ndarray:
        """Calibrated probability of each label (same order as ``labels``)."""
        d = self.decision(text)
        return 1.0 / (1.0 + np.exp(self.calib_a * d + self.calib_b))

    def scores_many(self, texts: Sequence[str]) -> np.ndarray:
        """``scores`` for several texts at once, shape (len(texts), len(labels)): the same numbers
        with one round of array operations instead of one per text (a request's questions)."""
        n, n_labels = len(texts), len(self.labels)
        if n == 0:
            return np.zeros((0, n_labels))
        D = np.tile(self.intercept, (n, 1)).astype(np.float64)
        sparse = self._sparse_many(texts)
        if sparse is not None:
            r, c, vals = sparse
            contrib = self.weights.take(c, axis=0) * vals[:, None]
            row_starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
            D[r[row_starts]] += np.add.reduceat(contrib, row_starts, axis=0)
        return 1.0 / (1.0 + np.exp(self.calib_a * D + self.calib_b))

    def _sparse_many(self, texts: Sequence[str]) -> Optional[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(row, column, tf-idf value) of every feature of ``texts``, rows and columns sorted.
        The last result is kept for models sharing these feature blocks (topics, then exemptions)."""
        cache_key = (tuple(id(b) for b in self.blocks), tuple(texts))
        entry = _LAST_SPARSE.get("entry")  # one read: another thread may replace it
        if entry is not None and entry[0] == cache_key:
            return entry[1]
        n = len(texts)
        cols = [b.columns(t) + b.offset for b in self.blocks for t in texts]
        lengths = [len(c) for c in cols]
        value = None
        if any(lengths):
            width = self.weights.shape[0]
            rows = np.repeat(np.tile(np.arange(n, dtype=np.int64), len(self.blocks)), lengths)
            key = np.sort(rows * width + np.concatenate(cols))
            first = np.empty(len(key), dtype=bool)
            first[0] = True
            np.not_equal(key[1:], key[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            counts = np.diff(starts, append=len(key))
            key = key[starts]
            r, c = key // width, key % width
            offsets = np.array([b.offset for b in self.blocks])
            blk = np.searchsorted(offsets, c, side="right") - 1
            sub = np.array([b.sublinear_tf for b in self.blocks])[blk]
            tf = np.where(sub, 1.0 + np.log(counts), counts.astype(np.float64))
            vals = tf * self._idf_all()[c]
            grp = r * len(self.blocks) + blk
            norm = np.sqrt(np.bincount(grp, weights=vals * vals, minlength=n * len(self.blocks)))
            value = (r, c, vals / norm[grp])
        _LAST_SPARSE["entry"] = (cache_key, value)
        return value

    def _idf_all(self) -> np.ndarray:
        idf = getattr(self, "_idf_cache", None)
        if idf is None:
            idf = np.concatenate([b.idf for b in sorted(self.blocks, key=lambda b: b.offset)])
            self._idf_cache = idf
        return idf

    def ranked(self, text: str) -> list[tuple[str, float]]:
        s = self.scores(text)
        return [(self.labels[i], float(s[i])) for i in np.argsort(-s, kind="stable")]

    def explain(self, text: str, label: str, k: int = 3, analyzer: str = "words",
                skip: frozenset = frozenset()) -> list[str]:
        """The ``k`` word n-grams of ``text`` that push ``label`` up the most (for reasons).
        N-grams made only of words in ``skip`` (e.g. "of the") or of digits are passed over."""
        return self.explain_many(text, [label], k, analyzer, skip)[label]

    def explain_many(self, text: str, labels: Sequence[str], k: int = 3, analyzer: str = "words",
                     skip: frozenset = frozenset()) -> dict[str, list[str]]:
        """``explain`` for several labels, with one gather and one sort of the contributions."""
        js = [self.index[label] for label in labels]
        best: list[list[tuple[float, str]]] = [[] for _ in js]
        for b in self.blocks:
            if b.analyzer != analyzer:
                continue
            idx, vals = b.vectorize(text)
            if not len(idx) or not js:
                continue
            contribs = vals[:, None] * self.weights[idx][:, js]
            tops = np.argsort(-contribs, axis=0)[: k * 6]
            # the candidates as plain Python numbers, label by label (no numpy scalar per look-up)
            top_values = np.take_along_axis(contribs, tops, axis=0).T.tolist()
            top_columns = (idx[tops] - b.offset).T.tolist()
            for col in range(len(js)):
                for value, column in zip(top_values[col], top_columns[col]):
                    if value <= 0:
                        break
                    term = b.term(column)
                    if all(w in skip or w.isdigit() for w in term.split(" ")):
                        continue
                    best[col].append((value, term))
        return {label: self._pick(found, k) for label, found in zip(labels, best)}

    @staticmethod
    def _pick(best: list[tuple[float, str]], k: int) -> list[str]:
        best.sort(reverse=True)
        out: list[str] = []
        for _, term in best:
            # a bigram already covers its words; a word already shown makes its bigram redundant
            if any(term in t.split(" ") or t in term.split(" ") for t in out if t != term):
                continue
            out.append(term)
            if len(out) == k:
                break
        return out

    # ---------------------------------------------------------------- files

    def save(self, directory: Path, name: str) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "labels": self.labels,
            "blocks": [{"analyzer": b.analyzer, "offset": b.offset, "sublinear_tf": b.sublinear_tf,
                        "vocab": sorted(b.vocab, key=b.vocab.__getitem__)} for b in self.blocks],
            "meta": self.meta,
        }
        js = directory / f"{name}.json"
        js.write_text(json.dumps(meta, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
        arrays = {"weights": self.weights.astype(np.float32), "intercept": self.intercept,
                  "calib_a": self.calib_a, "calib_b": self.calib_b, "thresholds": self.thresholds}
        for i, b in enumerate(self.blocks):
            arrays[f"idf_{i}"] = b.idf
        npz = directory / f"{name}.npz"
        # np.savez writes zip entries with the current time; a fixed layout keeps rebuilds byte-identical
        _savez_deterministic(npz, arrays)
        return [js, npz]

    @classmethod
    def load(cls, directory: Path, name: str) -> "LinearTextModel":
        """Read a compiled model. Call through ``artifacts.load_model`` so the sha256 sums are checked."""
        meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        with np.load(directory / f"{name}.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        blocks = []
        for i, b in enumerate(meta["blocks"]):
            if b["analyzer"] not in ANALYZERS:
                raise ValueError(f"{name}: unknown analyzer {b['analyzer']!r}")
            idf = arrays[f"idf_{i}"]
            key = hashlib.sha256("\n".join(b["vocab"]).encode("utf-8") + idf.tobytes()).hexdigest()
            key += f":{b['analyzer']}:{b['offset']}:{b['sublinear_tf']}"
            block = _SHARED_BLOCKS.get(key)
            if block is None:
                block = FeatureBlock(analyzer=b["analyzer"], vocab={t: i for i, t in enumerate(b["vocab"])},
                                     idf=idf, offset=b["offset"], sublinear_tf=b["sublinear_tf"], terms=b["vocab"])
                _SHARED_BLOCKS[key] = block
            blocks.append(block)
        return cls(meta["labels"], blocks, arrays["weights"].astype(np.float64), arrays["intercept"],
                   arrays["calib_a"], arrays["calib_b"], arrays["thresholds"], meta.get("meta"))


def _savez_deterministic(path: Path, arrays: dict[str, np.ndarray]) -> None:
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
