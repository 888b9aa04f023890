"""Round-robin detection and requester aggregation for batch scoring.

Round robin: the same campaign or journalist text sent by many people or to
many forces. Each request is reduced to a MinHash signature of its word
3-shingles (the text of its questions when any were found, so greetings,
"Dear X Police" and sign-offs do not count; lower-cased words and numbers
only). Two requests are near-identical when the estimated Jaccard similarity
of their shingle sets is at least ``NEAR_DUPLICATE`` (0.6: the same text with
a different force name, a changed year or an added sentence stays above it;
two different requests on one subject fall well below). Candidates are found
by locality-sensitive hashing (21 bands of 3 rows), so a batch is grouped in
one pass; groups are the connected components of near-identical pairs.

Aggregation (FOIA s12(4), Fees Regulations reg 5): requests from the same
requester for the same or similar information within 60 consecutive working
days may have their costs added up. "Similar" is estimated as a Jaccard
similarity of at least ``SIMILAR_INFORMATION`` (0.3) between the sets of
content words.

Only signatures are kept, never texts: memory is about 0.35 KB per request (its id and a
flat buffer of 32-bit shingle signatures; content signatures only for requests with a
requester).
"""
from __future__ import annotations

import datetime as dt
import re
import hashlib
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

import numpy as np

from .deadline import Regime, get_regime, working_days_between

NEAR_DUPLICATE = 0.6
SIMILAR_INFORMATION = 0.3
AGGREGATION_WORKING_DAYS = 60
NUM_PERM = 63  # 21 bands x 3 rows: pairs at Jaccard 0.6 become candidates with probability 0.99
BANDS, ROWS = 21, 3
SHINGLE = 3

_WORD = re.compile(r"[a-z]+|\d+")
_rng = np.random.default_rng(20240601)  # fixed: signatures must not change between runs
_MASKS = _rng.integers(0, np.iinfo(np.uint64).max, size=NUM_PERM, dtype=np.uint64, endpoint=True)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_STOP = frozenset("""a an the and or of to in on for by with from at as is are was were be been being this that these
those it its i you your we our they their he she his her me my please could would can will may might shall should
any all each every which what who whom whose how many much number provide information request requests requested
under freedom act foi foia dear sir madam thank thanks regards yours faithfully sincerely kind also following
held hold do does did have has had if not no so such than then there here about into per between""".split())


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _mix(z: np.ndarray) -> np.ndarray:
    """The splitmix64 finalizer: a fast, well-mixed 64-bit permutation (wrapping arithmetic)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@lru_cache(maxsize=50_000)
def _word_key(word: str) -> int:
    """A stable 64-bit hash of a word (blake2b: the same in every process and run; cached, since
    words repeat across requests)."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


_SHINGLE_SALT = np.uint64(0x2545F4914F6CDD1D)
_LOW32 = np.uint64(0xFFFFFFFF)


def _signature(keys: np.ndarray) -> Optional[np.ndarray]:
    """MinHash signature (``NUM_PERM`` values) of a set of 64-bit keys; None for an empty set.

    Each of the ``NUM_PERM`` hash functions is the key XOR-ed with its own random mask, then mixed."""
    if not len(keys):
        return None
    keys = np.unique(keys)
    with np.errstate(over="ignore"):
        # the low 32 bits of each mixed value: half the memory of a batch's signatures, and two
        # different sets share a slot's minimum by chance once in four billion
        return (_mix(keys[:, None] ^ _MASKS[None, :]) & _LOW32).min(axis=0).astype(np.uint32)


def _keys(words_: list[str]) -> np.ndarray:
    return np.fromiter(map(_word_key, words_), dtype=np.uint64, count=len(words_))


def minhash(items: Iterable[str]) -> Optional[np.ndarray]:
    """MinHash signature of a set of words; None for an empty set."""
    return _signature(_keys(list(items)))


def shingle_signature(text: str) -> Optional[np.ndarray]:
    """Signature of the word 3-shingles (short texts: of their words).

    A shingle's key mixes its three word keys in order, so "a b c" and "c b a" differ; the
    arithmetic runs on whole arrays (a request is one numpy pass, not one hash call a shingle)."""
    w = words(text)
    if len(w) < SHINGLE + 2:
        return minhash(w)
    k = _keys(w)
    with np.errstate(over="ignore"):
        return _signature(_mix(k[:-2] ^ _mix(k[1:-1] ^ _mix(k[2:] ^ _SHINGLE_SALT))))


def content_signature(text: str) -> Optional[np.ndarray]:
    """Signature of the content words (what the request is about)."""
    return minhash(x for x in words(text) if x not in _STOP and len(x) > 2)


@dataclass(slots=True)
class Signed:
    """What grouping keeps of one request: computed where the request is triaged (a batch worker),
    so the process writing the output only files it."""

    shingles: Optional[np.ndarray]
    content: Optional[np.ndarray]  # only when there is a requester (it serves aggregation alone)
    requester: Optional[str]
    day: Optional[dt.date]


def sign(text: str, requester: Optional[str] = None, day: Optional[dt.date] = None) -> Signed:
    requester = _norm_requester(requester)
    return Signed(shingle_signature(text), content_signature(text) if requester else None, requester, day)


_BAND_SALT = (np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))


_EMPTY_SIG = bytes(NUM_PERM * 4)


def band_keys_many(signatures: np.ndarray) -> np.ndarray:
    """One 64-bit LSH bucket key per band of ``ROWS`` signature values, for each row of
    ``signatures`` (n x NUM_PERM): n x BANDS. A collision only adds a candidate, which is checked."""
    s = signatures.astype(np.uint64).reshape(len(signatures), BANDS, ROWS)
    with np.errstate(over="ignore"):
        return _mix(s[:, :, 0] ^ _mix(s[:, :, 1] ^ _mix(s[:, :, 2] ^ _BAND_SALT)))


def similarity(a: Optional[np.ndarray], b: Optional[np.ndarray]) -> float:
    """Estimated Jaccard similarity of the two sets behind the signatures."""
    if a is None or b is None:
        return 0.0
    return float(np.mean(a == b))


@dataclass
class Cluster:
    id: str
    members: list[str]  # request ids, in input order

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(slots=True)
class _Seen:
    index: int
    id: str
    shingles: Optional[np.ndarray]
    content: Optional[np.ndarray]
    requester: Optional[str]
    day: Optional[dt.date]


class BatchGrouper:
    """Collects signatures as a batch streams by; says afterwards which requests go together.

    ``add`` each request (in input order), then ``cluster_of`` / ``aggregated_with``
    for each index, or ``annotate`` a result row.
    """

    def __init__(self, threshold: float = NEAR_DUPLICATE, similar: float = SIMILAR_INFORMATION,
                 regime: Optional[Regime] = None):
        self.threshold = threshold
        self.similar = similar
        self.regime = regime or get_regime()
        self._ids: list[str] = []  # per request, in input order
        self._people: dict[int, _Seen] = {}  # the requests that name a requester (aggregation)
        self._sigs = bytearray()  # NUM_PERM uint32 per request, in input order
        self._has_sig = bytearray()  # 1 where the request had words to sign
        self._linked = 0  # requests already looked at for near-identical pairs
        self._parent = array("q")  # union-find parents, without an int object per request
        self._by_requester: dict[str, list[int]] = {}
        self._aggregated: dict[int, list[int]] = {}
        self._cluster_ids: Optional[dict[int, str]] = None

    # -------------------------------------------------------------- union-find
    def _find(self, i: int) -> int:
        while self._parent[i] != i:
            self._parent[i] = self._parent[self._parent[i]]
            i = self._parent[i]
        return i

    def _union(self, i: int, j: int) -> None:
        a, b = self._find(i), self._find(j)
        if a != b:
            self._parent[max(a, b)] = min(a, b)  # the earliest request names the group

    # -------------------------------------------------------------- adding
    def add(self, id: str, text: str, requester: Optional[str] = None, day: Optional[dt.date] = None) -> int:
        """Record one request; returns its index."""
        return self.add_signed(id, sign(text, requester, day))

    def add_signed(self, id: str, signed: Signed) -> int:
        """Record one request from its signatures (``sign``); returns its index.

        The shingle signature goes into one flat buffer (252 bytes a request, no per-request
        objects but the id); near-identical pairs are looked for when the groups are first read."""
        i = len(self._ids)
        sh, requester = signed.shingles, signed.requester
        self._ids.append(id)
        self._parent.append(i)
        self._sigs += _EMPTY_SIG if sh is None else sh.tobytes()
        self._has_sig.append(sh is not None)
        self._cluster_ids = None
        if requester:
            # the content signature only serves same-requester aggregation
            seen = self._people[i] = _Seen(i, id, sh, signed.content, requester, signed.day)
            for j in self._by_requester.get(requester, []):
                if self._may_aggregate(seen, self._people[j]):
                    self._aggregated.setdefault(i, []).append(j)
                    self._aggregated.setdefault(j, []).append(i)
            self._by_requester.setdefault(requester, []).append(i)
        return i

    def _link(self) -> None:
        """Union the near-identical pairs among the requests added since the last call.

        Locality-sensitive hashing over the whole batch at once: for each band, requests whose
        band values are equal are candidates, and a candidate pair is joined when its estimated
        Jaccard similarity reaches the threshold."""
        n = len(self._ids)
        if self._linked == n:
            return
        # views of the buffers, not copies (50 MB for 100,000 requests); released before returning
        sigs = np.frombuffer(self._sigs, dtype=np.uint32).reshape(n, NUM_PERM)
        try:
            self._link_pairs(sigs, np.flatnonzero(np.frombuffer(self._has_sig, dtype=np.bool_)))
        finally:
            del sigs  # a live view would stop the buffer growing
        self._linked = n

    def _link_pairs(self, sigs: np.ndarray, rows: np.ndarray) -> None:
        if len(rows) > 1:
            chunk = 8192  # the key arithmetic's temporaries stay small
            keys = np.concatenate([band_keys_many(sigs[rows[k:k + chunk]]) for k in range(0, len(rows), chunk)])
            for band in range(BANDS):
                order = np.argsort(keys[:, band], kind="stable")
                ranked = keys[order, band]
                starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
                ends = np.r_[starts[1:], len(ranked)]
                for a, b in zip(starts, ends):
                    if b - a < 2:
                        continue
                    members = np.sort(rows[order[a:b]])
                    if members[-1] < self._linked:
                        continue  # every pair here was looked at before
                    for x in range(1, len(members)):
                        i = int(members[x])
                        for y in range(x):
                            j = int(members[y])
                            if max(i, j) >= self._linked and self._find(i) != self._find(j) \
                                    and similarity(sigs[i], sigs[j]) >= self.threshold:
                                self._union(i, j)

    def _may_aggregate(self, a: _Seen, b: _Seen) -> bool:
        if a.day is not None and b.day is not None:
            first, last = sorted((a.day, b.day))
            if working_days_between(first, last, self.regime) > AGGREGATION_WORKING_DAYS:
                return False
        return (similarity(a.content, b.content) >= self.similar
                or similarity(a.shingles, b.shingles) >= self.threshold)

    # -------------------------------------------------------------- reading
    def clusters(self) -> list[Cluster]:
        """Groups of two or more near-identical requests, in order of their first member."""
        self._link()
        groups: dict[int, list[int]] = {}
        for i in range(len(self._ids)):
            groups.setdefault(self._find(i), []).append(i)
        out = []
        ids: dict[int, str] = {}
        for root in sorted(groups):
            members = groups[root]
            if len(members) < 2:
                continue
            cid = f"rr{len(out) + 1}"
            for m in members:
                ids[m] = cid
            out.append(Cluster(cid, [self._ids[m] for m in members]))
        self._cluster_ids = ids
        return out

    def cluster_of(self, index: int) -> Optional[str]:
        if self._cluster_ids is None:
            self.clusters()
        return self._cluster_ids.get(index)

    def aggregated_with(self, index: int) -> list[str]:
        return [self._ids[j] for j in sorted(set(self._aggregated.get(index, [])))]

    def annotate(self, index: int, row: dict) -> dict:
        """Add ``cluster`` and the cost-risk aggregation note to a result row (a dict)."""
        if "error" in row and "questions" not in row:
            return row
        row["cluster"] = self.cluster_of(index)
        others = self.aggregated_with(index)
        if others and isinstance(row.get("cost_risk"), dict):
            risk = row["cost_risk"]
            risk["aggregated_with"] = others
            risk.setdefault("reasons", []).append({
                "rule": "same_requester_similar_information", "level": "possible", "activity": "determining",
                "question": None, "text": ", ".join(others),
                "reason": (f"the same requester asked for similar information within {AGGREGATION_WORKING_DAYS} "
                           "working days: the costs of these requests may be aggregated (FOIA s12(4); "
                           "Fees Regulations 2004, reg 5)")})
        return row

    def summary_lines(self, limit: int = 20) -> list[str]:
        clusters = self.clusters()
        if not clusters:
            return []
        lines = [f"{len(clusters)} round-robin cluster{'s' if len(clusters) != 1 else ''} "
                 f"(near-identical requests, estimated Jaccard >= {self.threshold}):"]
        for c in sorted(clusters, key=lambda c: -c.size)[:limit]:
            shown = ", ".join(c.members[:8]) + (", ..." if c.size > 8 else "")
            lines.append(f"  {c.id}: {c.size} requests ({shown})")
        if len(clusters) > limit:
            lines.append(f"  ... and {len(clusters) - limit} more")
        return lines


def _norm_requester(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    v = " ".join(str(value).split()).lower()
    return v or None


def sign_result(row: dict, item: object) -> Signed:
    """The signatures of one batch output row (and the request it came from)."""
    questions = [q.get("text", "") for q in row.get("questions") or [] if isinstance(q, dict)]
    return sign_request(questions, "error" in row and "questions" not in row, item)


def sign_request(questions: list[str], error: bool, item: object) -> Signed:
    """The signatures of one request from the questions found in it.

    The text compared is the request's questions when any were found (so
    greetings, addresses and sign-offs do not count), else the whole text;
    error lines are signed empty so that indexes follow the output lines.
    """
    text = " ".join(questions)
    if not text and not error:
        text = getattr(item, "text", "") or ""
    day = getattr(item, "clarified", None) or getattr(item, "received", None)
    return sign(text, getattr(item, "requester", None), day)


def add_result(grouper: BatchGrouper, row: dict, item: object) -> int:
    """Record one batch output row (and the request it came from) in ``grouper``."""
    return grouper.add_signed(str(row.get("id")), sign_result(row, item))
