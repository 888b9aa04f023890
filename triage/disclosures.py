"""The authority's own disclosure log: store, search, and evidence for triage.

- ``DisclosureStore`` keeps the log in SQLite (a single file, standard
  library only): one row per disclosure, unique by ``reference``, with a
  full-text index (FTS5) over title, request and response. The schema is
  versioned (``schema_version`` table) and migrated on open. A location is a
  path, ``:memory:`` or a ``sqlite:///path`` URL; the SQL kept here is plain
  enough that another backend (PostgreSQL with ``tsvector``) can implement the
  same three calls (``upsert``, ``search``, ``count``) later.
- Text is analysed once, in Python: lower-cased words, minus stopwords
  (``data/disclosure_search.yaml``), Snowball-stemmed. The index holds those
  stems, so query and index always agree, and the same stems feed the
  TF-IDF re-rank.
- ``search`` is two-stage: BM25 with field weights (FTS5) picks candidates,
  a TF-IDF cosine re-ranks them (see ``RANKERS``; ``bench/similar_eval.py``
  measures each).
- ``similar_evidence`` turns the exemptions cited by the top similar
  disclosures into suggestions with a reason naming the references.

The default store (``default_store``) is a file at ``$FOI_TRIAGE_DB`` or in
the user's data directory, seeded on first use from the sample log shipped in
``data/sample_disclosures.jsonl`` (a store at an explicit path never is).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
import os
import re
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

from .rules import safe_load  # libyaml when installed

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
SAMPLE_LOG = DATA_DIR / "sample_disclosures.jsonl"
SETTINGS_FILE = DATA_DIR / "disclosure_search.yaml"
ENV_DB = "FOI_TRIAGE_DB"

PathLike = Union[str, Path]


@lru_cache(maxsize=1)
def settings() -> dict:
    with open(SETTINGS_FILE, encoding="utf-8") as f:
        return safe_load(f.read())


# ------------------------------------------------------------------ exemptions

# Base sections a disclosure can cite (CONTRACT.md): the cost limit, repeated
# requests and the Part II exemptions.
EXEMPTION_BASES = frozenset({12, 14, 21, 22, 23, 24, 26, 27, 30, 31, 32, 36, 38, 40, 41, 42, 43, 44})
# The subsection that is the neither-confirm-nor-deny form of each section.
NCND_FORMS = frozenset({"s22(2)", "s23(5)", "s24(2)", "s26(3)", "s27(4)", "s30(3)", "s31(3)", "s38(2)",
                        "s40(5)", "s41(2)", "s42(2)", "s43(3)", "s44(2)"})
_SECTION = re.compile(r"^\s*(?:s(?:ection)?\.?\s*)?(\d{1,2})\s*(?:\(\s*(\d{1,2})\s*[a-z]?\s*\))?", re.I)


def normalise_exemption(value: str) -> Optional[str]:
    """``"Section 40(5B)(a)"`` / ``"s.31(1)"`` / ``"43"`` -> ``"s40(5)"`` / ``"s31(1)"`` / ``"s43"``.

    As in the contract: the base section and its first numbered subsection
    (letters and paragraphs dropped). ``None`` when it is not a section that
    a disclosure can cite (s1, s17, a typo).
    """
    m = _SECTION.match(str(value))
    if not m or int(m.group(1)) not in EXEMPTION_BASES:
        return None
    base = f"s{int(m.group(1))}"
    return f"{base}({int(m.group(2))})" if m.group(2) else base


def base_section(subsection: str) -> str:
    return subsection.split("(", 1)[0]


# ------------------------------------------------------------------ records

@dataclass
class Disclosure:
    """One entry of a disclosure log (``exemptions`` normalised, e.g. ``["s40(5)", "s31(3)"]``)."""

    reference: str
    title: str = ""
    url: Optional[str] = None
    published: Optional[dt.date] = None
    request: str = ""
    response: str = ""
    exemptions: list[str] = field(default_factory=list)
    ncnd: bool = False
    topics: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        # unit separators between fields: cheaper than JSON on a 100,000-entry import, and unambiguous
        body = "\x1f".join((self.title, self.url or "", self.published.isoformat() if self.published else "",
                            self.request, self.response, "\x1e".join(self.exemptions), "1" if self.ncnd else "0",
                            "\x1e".join(self.topics)))
        return hashlib.sha1(body.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Hit:
    """A prior disclosure found by ``search``."""

    reference: str
    title: str
    url: Optional[str]
    published: Optional[dt.date]
    exemptions: list[str]
    ncnd: bool
    topics: list[str]
    score: float  # the ranker's score in [0, 1], best first
    similarity: float  # TF-IDF cosine over title + request, in [0, 1]: the near-duplicate measure
    snippet: str = ""


@dataclass
class UpsertStats:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


# ------------------------------------------------------------------ text analysis

_WORD = re.compile(r"[^\W_]+")


class Analyzer:
    """Text -> index terms: lower-cased words, stopwords and years out, Snowball stems."""

    def __init__(self, stopwords: Iterable[str]):
        import Stemmer  # PyStemmer: the Snowball stemmers in C

        self._stem = Stemmer.Stemmer("english").stemWord
        self._stop = frozenset(stopwords)
        self._cache: dict[str, str] = {}

    def _term(self, word: str) -> str:
        if word in self._stop or len(word) < 2:
            return ""
        if word.isdigit():  # years and small counts match anything; 999, 101, 136 mean something
            return word if len(word) == 3 else ""
        return self._stem(word)

    def terms(self, text: str) -> list[str]:
        cache = self._cache
        if len(cache) > 500_000:  # a bound for long imports of odd vocabularies
            cache.clear()
        words = _WORD.findall(text.lower())
        terms = list(map(cache.get, words))  # the common case, at C speed: every word seen before
        if None in terms:
            for i, t in enumerate(terms):
                if t is None:
                    w = words[i]
                    terms[i] = cache[w] = self._term(w)
        return list(filter(None, terms))


@lru_cache(maxsize=1)
def analyzer() -> Analyzer:
    return Analyzer(settings()["stopwords"].split())


# ------------------------------------------------------------------ schema

# Each migration moves the schema from version n-1 to n; never edit a released one, add the next.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE disclosures (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        url TEXT,
        published TEXT,                       -- ISO date
        request TEXT NOT NULL DEFAULT '',
        response TEXT NOT NULL DEFAULT '',
        exemptions TEXT NOT NULL DEFAULT '[]', -- JSON list, normalised: ["s40(5)", "s31(3)"]
        ncnd INTEGER NOT NULL DEFAULT 0,
        topics TEXT NOT NULL DEFAULT '[]',     -- JSON list of topic labels
        source TEXT,                          -- the file it was imported from ('sample' for the shipped log)
        fingerprint TEXT NOT NULL,            -- of the fields above: re-importing the same entry is a no-op
        updated TEXT NOT NULL,
        t_title TEXT NOT NULL DEFAULT '',     -- index terms (stems), space-separated
        t_request TEXT NOT NULL DEFAULT '',
        t_response TEXT NOT NULL DEFAULT '',
        norm_tr REAL NOT NULL DEFAULT 1.0,    -- TF-IDF vector lengths (title+request; all three)
        norm_all REAL NOT NULL DEFAULT 1.0
    );
    CREATE INDEX disclosures_published ON disclosures(published);
    CREATE VIRTUAL TABLE disclosures_fts USING fts5(
        t_title, t_request, t_response, content='disclosures', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0');
    CREATE VIRTUAL TABLE disclosures_vocab USING fts5vocab(disclosures_fts, row);
    CREATE TRIGGER disclosures_ai AFTER INSERT ON disclosures BEGIN
        INSERT INTO disclosures_fts(rowid, t_title, t_request, t_response)
        VALUES (new.id, new.t_title, new.t_request, new.t_response);
    END;
    CREATE TRIGGER disclosures_ad AFTER DELETE ON disclosures BEGIN
        INSERT INTO disclosures_fts(disclosures_fts, rowid, t_title, t_request, t_response)
        VALUES ('delete', old.id, old.t_title, old.t_request, old.t_response);
    END;
    CREATE TRIGGER disclosures_au AFTER UPDATE OF t_title, t_request, t_response ON disclosures BEGIN
        INSERT INTO disclosures_fts(disclosures_fts, rowid, t_title, t_request, t_response)
        VALUES ('delete', old.id, old.t_title, old.t_request, old.t_response);
        INSERT INTO disclosures_fts(rowid, t_title, t_request, t_response)
        VALUES (new.id, new.t_title, new.t_request, new.t_response);
    END;
    """,
}
SCHEMA_VERSION = max(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return row[0] or 0


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to ``SCHEMA_VERSION``; returns the version found before."""
    conn.execute("BEGIN IMMEDIATE")  # two processes opening a new file at once: one migrates
    try:
        found = schema_version(conn)
        if found > SCHEMA_VERSION:
            raise StoreError(f"the disclosure store has schema version {found}, newer than this "
                             f"foi-triage understands ({SCHEMA_VERSION}): upgrade foi-triage")
        for version in range(found + 1, SCHEMA_VERSION + 1):
            for statement in _statements(MIGRATIONS[version]):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (?, ?)",
                         (version, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (triggers hold ';' inside BEGIN ... END)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf.strip()
            buf = ""
    if buf.strip():
        yield buf.strip()


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message says why."""


def resolve_location(location: Optional[PathLike]) -> str:
    """A path, ``:memory:`` or ``sqlite:///path`` -> what ``sqlite3.connect`` takes."""
    loc = str(location)
    if loc.startswith("sqlite:///"):
        loc = loc[len("sqlite:///"):] or ":memory:"
        # sqlite:////abs/path keeps its leading slash; sqlite:///rel/path is relative
    elif "://" in loc:
        scheme = loc.split("://", 1)[0]
        raise StoreError(f"unsupported store URL scheme {scheme!r}: use a file path or sqlite:///path")
    return loc


def default_location() -> Path:
    """``$FOI_TRIAGE_DB``, else ``disclosures.db`` in the user's data directory."""
    if os.environ.get(ENV_DB):
        return Path(resolve_location(os.environ[ENV_DB])).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "foi-triage" / "disclosures.db"


# ------------------------------------------------------------------ store

class DisclosureStore:
    """A disclosure log in SQLite. Thread-safe (one connection behind a lock)."""

    def __init__(self, location: PathLike = ":memory:"):
        self.location = resolve_location(location)
        if self.location != ":memory:":
            Path(self.location).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            # autocommit mode: transactions are opened explicitly, BEGIN IMMEDIATE for writes
            self.conn = sqlite3.connect(self.location, check_same_thread=False, isolation_level=None,
                                        timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL" if self.location != ":memory:" else "PRAGMA journal_mode=MEMORY")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: building the index of a large import
            migrate(self.conn)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot open the disclosure store {self.location}: {e}") from None
        self._lock = threading.RLock()
        self.analyzer = analyzer()
        self.settings = settings()
        self._stats_key: Optional[int] = None
        self._n = 0
        self._df: dict[str, int] = {}
        # id -> ({term: 1 + log tf} over title + request, the same over all three fields): the re-rank's
        # input, kept so that repeated searches (batch triage) do not re-read and re-count the same entries
        self._tf: dict[int, tuple[dict[str, float], dict[str, float]]] = {}
        self._sentences: dict[str, list] = {}  # reference -> [request, response, title], analysed lazily for snippets
        self._memory: dict[tuple, _MemoryBM25] = {}  # field weights -> in-memory BM25 (small logs)

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> "DisclosureStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -------------------------------------------------------------- statistics

    def _fresh(self) -> None:
        """Drop cached counts when the file changed (another process imported)."""
        key = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if key != self._stats_key:
            self._stats_key = key
            self._n = self.conn.execute("SELECT count(*) FROM disclosures").fetchone()[0]
            self._df = {}
            self._tf = {}
            self._sentences = {}
            self._row_cache = {}
            self._memory = {}

    def _changed(self) -> None:
        self._stats_key = None

    def count(self) -> int:
        with self._lock:
            self._fresh()
            return self._n

    def doc_freq(self, terms: Iterable[str]) -> dict[str, int]:
        """Documents containing each term (cached until the store changes)."""
        missing = [t for t in set(terms) if t not in self._df]
        for i in range(0, len(missing), 500):
            part = missing[i:i + 500]
            for t in part:
                self._df[t] = 0
            rows = self.conn.execute(
                f"SELECT term, doc FROM disclosures_vocab WHERE term IN ({','.join('?' * len(part))})", part)
            for term, doc in rows:
                self._df[term] = doc
        return {t: self._df.get(t, 0) for t in terms}

    def idf(self, df: int) -> float:
        return math.log((self._n + 1) / (df + 1)) + 1.0

    # -------------------------------------------------------------- meta

    def meta(self, key: str) -> Optional[str]:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # -------------------------------------------------------------- writing

    def upsert(self, records: Iterable[Disclosure], source: Optional[str] = None,
               on_record: Optional[Callable[[Disclosure, str], None]] = None, batch: int = 1000) -> UpsertStats:
        """Insert or update entries by reference, in one transaction.

        An entry whose fields are unchanged is left as it is (not even its
        ``updated`` time moves), so importing the same file twice changes
        nothing. ``on_record(record, outcome)`` is called for each entry with
        ``"inserted"``, ``"updated"`` or ``"unchanged"``.
        """
        stats = UpsertStats()
        touched: list[str] = []
        with self._write():
            chunk: list[Disclosure] = []
            for rec in records:
                chunk.append(rec)
                if len(chunk) >= batch:
                    self._upsert_chunk(chunk, source, stats, touched, on_record)
                    chunk = []
            if chunk:
                self._upsert_chunk(chunk, source, stats, touched, on_record)
            if touched:
                self._refresh_norms(touched)
        return stats

    @contextlib.contextmanager
    def _write(self):
        """One write transaction under the store's lock; the search caches are refreshed afterwards."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            finally:
                self._changed()

    def _upsert_chunk(self, chunk: list[Disclosure], source: Optional[str], stats: UpsertStats,
                      touched: list[str], on_record) -> None:
        refs = [r.reference for r in chunk]
        known = dict(self.conn.execute(
            f"SELECT reference, fingerprint FROM disclosures WHERE reference IN ({','.join('?' * len(refs))})", refs))
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        terms = self.analyzer.terms
        rows = []
        for rec in chunk:
            fp = rec.fingerprint()
            old = known.get(rec.reference)
            if old == fp:
                stats.unchanged += 1
                outcome = "unchanged"
            else:
                if old is None:
                    stats.inserted += 1
                    outcome = "inserted"
                else:
                    stats.updated += 1
                    outcome = "updated"
                known[rec.reference] = fp
                touched.append(rec.reference)
                rows.append((rec.reference, rec.title, rec.url, rec.published.isoformat() if rec.published else None,
                             rec.request, rec.response, json.dumps(rec.exemptions), int(rec.ncnd),
                             json.dumps(rec.topics), source, fp, now, " ".join(terms(rec.title)),
                             " ".join(terms(rec.request)), " ".join(terms(rec.response))))
            if on_record:
                on_record(rec, outcome)
        self.conn.executemany(
            """INSERT INTO disclosures (reference, title, url, published, request, response, exemptions, ncnd,
                                        topics, source, fingerprint, updated, t_title, t_request, t_response)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(reference) DO UPDATE SET
                 title = excluded.title, url = excluded.url, published = excluded.published,
                 request = excluded.request, response = excluded.response, exemptions = excluded.exemptions,
                 ncnd = excluded.ncnd, topics = excluded.topics, source = excluded.source,
                 fingerprint = excluded.fingerprint, updated = excluded.updated, t_title = excluded.t_title,
                 t_request = excluded.t_request, t_response = excluded.t_response""", rows)

    def delete(self, references: Iterable[str]) -> int:
        refs = list(references)
        n = 0
        with self._write():
            for i in range(0, len(refs), 500):
                part = refs[i:i + 500]
                n += self.conn.execute(
                    f"DELETE FROM disclosures WHERE reference IN ({','.join('?' * len(part))})", part).rowcount
        return n

    def _refresh_norms(self, touched: list[str]) -> None:
        """Recompute TF-IDF vector lengths.

        All of them when the log has grown by a fifth since they were last all
        computed (idf moves with the log), else only the entries just written.
        """
        n = self.conn.execute("SELECT count(*) FROM disclosures").fetchone()[0]
        last = int(self.meta("norms_n") or 0)
        full = n < 5000 or n > last * 1.2 or len(touched) * 5 >= n
        df = dict(self.conn.execute("SELECT term, doc FROM disclosures_vocab"))
        idf = {t: math.log((n + 1) / (d + 1)) + 1.0 for t, d in df.items()}
        if full:
            rows = self.conn.execute("SELECT id, t_title, t_request, t_response FROM disclosures")
        else:
            rows = (r for i in range(0, len(touched), 500) for r in self.conn.execute(
                f"SELECT id, t_title, t_request, t_response FROM disclosures WHERE reference IN "
                f"({','.join('?' * len(touched[i:i + 500]))})", touched[i:i + 500]).fetchall())
        idf2 = {t: x * x for t, x in idf.items()}
        logtf2 = [x * x for x in _LOGTF]

        def sq(counts: Counter) -> float:
            return sum([(logtf2[c] if c < 256 else _logtf(c) ** 2) * idf2[t] for t, c in counts.items()])

        updates = []
        for id_, tt, tr, tp in rows.fetchall() if full else rows:
            counts = Counter(tt.split())
            counts.update(tr.split())
            n_tr = sq(counts)
            counts.update(tp.split())
            updates.append((math.sqrt(n_tr) or 1.0, math.sqrt(sq(counts)) or 1.0, id_))
        self.conn.executemany("UPDATE disclosures SET norm_tr = ?, norm_all = ? WHERE id = ?", updates)
        if full:
            self._set_meta("norms_n", str(n))

    # -------------------------------------------------------------- the shipped sample

    def ensure_sample(self, path: Path = SAMPLE_LOG) -> bool:
        """Seed the store from the shipped sample log unless done (or dropped). True when it wrote."""
        digest = hashlib.sha1(path.read_bytes()).hexdigest()[:16]
        state = self.meta("sample_state")
        if state == "dropped" or state == f"seeded:{digest}":
            return False
        from .log_import import read_jsonl  # the import module is only needed to seed

        records = [item for item in read_jsonl(path) if isinstance(item, Disclosure)]
        with self._lock:
            if self.meta("sample_state") in ("dropped", f"seeded:{digest}"):  # another process did it
                return False
            self.upsert(records, source="sample")
            keep = {r.reference for r in records}
            stale = [ref for (ref,) in self.conn.execute("SELECT reference FROM disclosures WHERE source = 'sample'")
                     if ref not in keep]
            if stale:
                self.delete(stale)
            self._set_meta("sample_state", f"seeded:{digest}")
        return True

    def drop_sample(self) -> int:
        """Remove the shipped sample entries for good (an authority's own log replaces them)."""
        with self._lock:
            refs = [ref for (ref,) in self.conn.execute("SELECT reference FROM disclosures WHERE source = 'sample'")]
            n = self.delete(refs)
            self._set_meta("sample_state", "dropped")
            return n

    def sample_count(self) -> int:
        with self._lock:
            return self.conn.execute("SELECT count(*) FROM disclosures WHERE source = 'sample'").fetchone()[0]

    # -------------------------------------------------------------- reading

    def get(self, reference: str) -> Optional[Disclosure]:
        with self._lock:
            row = self.conn.execute(
                "SELECT reference, title, url, published, request, response, exemptions, ncnd, topics "
                "FROM disclosures WHERE reference = ?", (reference,)).fetchone()
        if row is None:
            return None
        return Disclosure(reference=row[0], title=row[1], url=row[2], published=_date(row[3]), request=row[4],
                          response=row[5], exemptions=json.loads(row[6]), ncnd=bool(row[7]),
                          topics=json.loads(row[8]))

    def search(self, text: str, k: int = 5, ranker: str = "default", exclude: Iterable[str] = (),
               snippets: bool = True) -> list[Hit]:
        """The ``k`` prior disclosures most like ``text``, best first (see ``RANKERS``)."""
        if ranker == "default":
            ranker = DEFAULT_RANKER
        if ranker not in RANKERS:
            raise ValueError(f"unknown ranker {ranker!r}; choose from {', '.join(RANKERS)}")
        if k <= 0:
            return []
        exclude = set(exclude)
        with self._lock:
            self._fresh()
            if self._n == 0:
                return []
            query = _Query.build(self, text)
            if query is None:
                return []
            hits = RANKERS[ranker](self, query, k + len(exclude))
            hits = [h for h in hits if h.reference not in exclude][:k]
            if snippets:
                for h in hits:
                    h.snippet = self._snippet(h.reference, query)
        return hits

    # -------------------------------------------------------------- search internals

    def _candidates(self, query: "_Query", weights: Sequence[float], limit: int) -> list[tuple[int, float]]:
        """``(id, bm25)`` of the best ``limit`` entries by FTS5's BM25 (higher = better)."""
        if self._n <= self.settings.get("memory_bm25_max_docs", 0):
            memory = self._memory.get(tuple(weights))
            if memory is None:
                rows = self.conn.execute("SELECT id, t_title, t_request, t_response FROM disclosures")
                memory = self._memory[tuple(weights)] = _MemoryBM25(rows, tuple(weights))
            return memory.top(query.chosen, limit)
        # bm25() called in the query, not through `rank MATCH`: the same scores and order, a third faster
        rank = "bm25(disclosures_fts, " + ", ".join(f"{w:g}" for w in weights) + ")"
        rows = self.conn.execute(
            f"SELECT rowid, {rank} AS r FROM disclosures_fts WHERE disclosures_fts MATCH ? "
            "ORDER BY r LIMIT ?", (query.match, limit)).fetchall()
        return [(r[0], -r[1]) for r in rows]  # FTS5's bm25 is negative: lower is better

    def _rerank_candidates(self, query: "_Query", limit: int) -> list[tuple[int, float]]:
        """Candidates for the TF-IDF re-rank.

        Up to ``bm25_max_docs`` entries: FTS5's BM25 with field weights. On a
        larger log BM25 over a long OR query costs tens of milliseconds (FTS5
        scores every entry matching any term), so there the candidates are
        the entries sharing the most query weight (sum of the matched terms'
        TF-IDF query weights), read term by term from the index.
        """
        if self._n <= self.settings["bm25_max_docs"]:
            return self._candidates(query, _weights(self), limit)
        # one statement, summed in SQLite: a Python loop over the postings would cost more than the search
        parts, params = [], []
        for t in query.chosen:
            parts.append("SELECT rowid AS id, ? AS w FROM disclosures_fts WHERE disclosures_fts MATCH ?")
            params += [query.vector.get(t, 0.0), f'"{t}"']
        sql = (f"SELECT id, sum(w) AS s FROM ({' UNION ALL '.join(parts)}) "
               "GROUP BY id ORDER BY s DESC LIMIT ?")
        return self.conn.execute(sql, params + [limit]).fetchall()

    def _rows(self, ids: list[int]) -> dict[int, tuple]:
        """id -> (id, reference, title, url, published, exemptions, ncnd, topics, norm_tr, norm_all)."""
        if not ids:
            return {}
        cache = self.__dict__.setdefault("_row_cache", {})  # emptied by _fresh when the store changes
        missing = [i for i in ids if i not in cache]
        if missing:
            if len(cache) + len(missing) > self._TF_CACHE_MAX:
                cache.clear()
            rows = self.conn.execute(
                "SELECT id, reference, title, url, published, exemptions, ncnd, topics, norm_tr, norm_all "
                f"FROM disclosures WHERE id IN ({','.join('?' * len(missing))})", missing)
            cache.update((r[0], r) for r in rows)
        return {i: cache[i] for i in ids if i in cache}

    _TF_CACHE_MAX = 50_000

    def _term_weights(self, ids: list[int]) -> dict[int, tuple[dict[str, float], dict[str, float]]]:
        """id -> ({term: 1 + log tf} over title + request, over title + request + response)."""
        missing = [i for i in ids if i not in self._tf]
        if missing:
            if len(self._tf) + len(missing) > self._TF_CACHE_MAX:
                self._tf = {}
            rows = self.conn.execute(
                "SELECT id, t_title, t_request, t_response FROM disclosures "
                f"WHERE id IN ({','.join('?' * len(missing))})", missing)
            for id_, tt, tr, tp in rows:
                counts = Counter(tt.split())
                counts.update(tr.split())
                w_tr = {t: _logtf(c) for t, c in counts.items()}
                counts.update(tp.split())
                self._tf[id_] = (w_tr, {t: _logtf(c) for t, c in counts.items()})
        return {i: self._tf[i] for i in ids if i in self._tf}

    def _cosines_many(self, query: "_Query", ids: list[int], rows: dict[int, tuple]) -> dict[int, tuple[float, float]]:
        """id -> (cosine over title + request, over all three fields) for each of ``ids``: from the
        in-memory postings when the log is small (one numpy pass per query term), else entry by entry."""
        # any in-memory index will do: the term weights do not depend on the BM25 field weights
        memory = next(iter(self._memory.values()), None)
        if memory is None:
            tfs = self._term_weights(ids)
            return {i: _cosines(query, rows[i], tfs[i]) for i in ids}
        dot_tr, dot_all = memory.dots(query.vector)
        out = {}
        for i in ids:
            pos, row = memory.position[i], rows[i]
            out[i] = (float(dot_tr[pos]) / (query.norm * row[8]), float(dot_all[pos]) / (query.norm * row[9]))
        return out

    def _snippet(self, reference: str, query: "_Query", width: int = 220) -> str:
        """The sentence of the request (else the response) that shares most query weight."""
        cached = self._sentences.get(reference)
        if cached is None:
            row = self.conn.execute("SELECT request, response, title FROM disclosures WHERE reference = ?",
                                    (reference,)).fetchone()
            if not row:
                return ""
            if len(self._sentences) > 5000:
                self._sentences = {}
            cached = self._sentences[reference] = [row[0] or "", row[1] or "", row[2] or ""]
        best = ""
        # the request's own words beat a response's boilerplate: the response only when the request shares nothing
        for part in (0, 1):
            if isinstance(cached[part], str):  # split and analysed on first use only
                cached[part] = [(sent, frozenset(self.analyzer.terms(sent)))
                                for sent in (" ".join(x.split()) for x in _SENTENCE.split(cached[part])) if sent]
            best_w = 0.0
            for sent, terms in cached[part]:
                # fsum: exact, so the same whatever order the set gives (hash seeds vary between runs);
                # a plain sum made ties between sentences come out differently from run to run
                w = math.fsum(query.weights.get(t, 0.0) for t in terms)
                if w > best_w:
                    best, best_w = sent, w
            if best:
                break
        if not best:
            first = cached[0][0][0] if cached[0] else " ".join(cached[2].split())
            best = first
        return best if len(best) <= width else best[: width - 1].rsplit(" ", 1)[0] + "…"


_SENTENCE = re.compile(r"(?<=[.?!])\s+|\n+")


def _date(value: Optional[str]) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# ------------------------------------------------------------------ rankers

@dataclass
class _Query:
    tf: Counter
    weights: dict[str, float]  # (1 + log tf) * idf, for every query term
    vector: dict[str, float]  # weights x idf of the terms found in the log: the dot product's factor
    norm: float
    chosen: list[str]  # the most telling terms, best first
    match: str  # the FTS5 query: those terms, OR-ed

    @classmethod
    def build(cls, store: DisclosureStore, text: str) -> Optional["_Query"]:
        tf = Counter(store.analyzer.terms(text or ""))
        if not tf:
            return None
        cfg = store.settings
        df = store.doc_freq(tf)
        weights = {t: (1.0 + math.log(c)) * store.idf(df[t]) for t, c in tf.items()}
        vector = {t: w * store.idf(df[t]) for t, w in weights.items() if df[t] > 0}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        n = store._n
        usable = [t for t in tf if df[t] > 0]
        if n >= cfg["max_df_min_docs"]:
            # very common stems: slow to score over a large log and they rank nothing
            usable = [t for t in usable if df[t] <= cfg["max_df"] * n] or usable
        usable.sort(key=lambda t: -weights[t])
        # the most telling terms first, until their posting lists reach the budget: FTS5 scores every entry
        # matching any term, so this bounds the search's cost on a large log (small logs never reach it)
        chosen, postings = [], 0
        for t in usable[: cfg["query_terms"]]:
            if len(chosen) >= cfg["min_query_terms"] and postings + df[t] > cfg["posting_budget"]:
                continue
            chosen.append(t)
            postings += df[t]
        if not chosen:
            return None
        return cls(tf=tf, weights=weights, vector=vector, norm=norm, chosen=chosen,
                   match=" OR ".join(f'"{t}"' for t in chosen))


class _MemoryBM25:
    """FTS5's ``bm25()`` over a small log, in memory.

    The same formula as SQLite's fts5_aux.c (k1 1.2, b 0.75; a term's frequency is the sum of
    its column weights, one per occurrence, in column order; the row length counts the tokens of
    all columns; idf = log((N - n + 0.5) / (n + 0.5)), 1e-6 when not positive) with the float
    operations in the same order, so the scores and the order are FTS5's own (checked in
    tests/test_disclosures.py); ties go to the earlier entry. Four times faster than the FTS5
    query on a log of a few hundred entries, where every query matches half the log.
    """

    K1, B = 1.2, 0.75

    def __init__(self, rows: Iterable[tuple[int, str, str, str]], weights: tuple[float, float, float]):
        import numpy as np

        ids: list[int] = []
        lengths: list[int] = []
        postings: dict[str, tuple[list[int], list[float]]] = {}
        # per posting, the re-rank's term weights: 1 + log tf over title + request, and over all fields
        weights_tr: dict[str, list[float]] = {}
        weights_all: dict[str, list[float]] = {}
        for id_, *columns in rows:
            pos = len(ids)
            ids.append(id_)
            counts: dict[str, list[int]] = {}  # term -> occurrences per column, in first-seen order
            n_tokens = 0
            for c, text in enumerate(columns):
                tokens = (text or "").split()
                n_tokens += len(tokens)
                for t in tokens:
                    counts.setdefault(t, [0, 0, 0])[c] += 1
            lengths.append(n_tokens)
            for t, per_column in counts.items():
                f = 0.0
                for c, n in enumerate(per_column):
                    for _ in range(n):  # added one occurrence at a time, as FTS5 does
                        f += weights[c]
                entry = postings.setdefault(t, ([], []))
                entry[0].append(pos)
                entry[1].append(f)
                n_tr = per_column[0] + per_column[1]
                weights_tr.setdefault(t, []).append(_logtf(n_tr) if n_tr else 0.0)
                weights_all.setdefault(t, []).append(_logtf(n_tr + per_column[2]))
        self._np = np
        self.ids = np.array(ids, dtype=np.int64)
        self.n = len(ids)
        avgdl = float(sum(lengths)) / float(self.n) if self.n else 1.0
        self.norm = self.K1 * (1 - self.B + self.B * np.array(lengths, dtype=np.float64) / avgdl)
        self.postings = {t: (np.array(p, dtype=np.int64), np.array(f, dtype=np.float64))
                         for t, (p, f) in postings.items()}
        self.term_weights = {t: (np.array(weights_tr[t]), np.array(weights_all[t])) for t in postings}
        self.position = {id_: pos for pos, id_ in enumerate(ids)}

    def dots(self, vector: dict[str, float]) -> tuple[Any, Any]:
        """The dot products of a query's TF-IDF ``vector`` with every entry (title + request; all)."""
        np = self._np
        dot_tr, dot_all = np.zeros(self.n), np.zeros(self.n)
        for t, w in vector.items():
            found = self.postings.get(t)
            if found is None:
                continue
            w_tr, w_all = self.term_weights[t]
            dot_tr[found[0]] += w * w_tr
            dot_all[found[0]] += w * w_all
        return dot_tr, dot_all

    def top(self, terms: Sequence[str], limit: int) -> list[tuple[int, float]]:
        """``(id, score)`` of the best ``limit`` entries matching any of ``terms``, best first."""
        np = self._np
        score = np.zeros(self.n)
        matched = np.zeros(self.n, dtype=bool)
        for t in terms:  # in query order: each row's sum is built in the order FTS5 builds it
            found = self.postings.get(t)
            if found is None:
                continue
            pos, f = found
            idf = math.log((self.n - len(pos) + 0.5) / (len(pos) + 0.5))
            if idf <= 0.0:
                idf = 1e-6
            score[pos] += idf * ((f * (self.K1 + 1.0)) / (f + self.norm[pos]))
            matched[pos] = True
        hit = np.flatnonzero(matched)
        order = np.lexsort((self.ids[hit], -score[hit]))[:limit]
        return [(int(self.ids[hit[i]]), float(score[hit[i]])) for i in order]


def _weights(store: DisclosureStore) -> tuple[float, float, float]:
    w = store.settings["field_weights"]
    return (w["title"], w["request"], w["response"])


_LOGTF = [0.0] + [1.0 + math.log(c) for c in range(1, 256)]


def _logtf(c: int) -> float:
    return _LOGTF[c] if c < 256 else 1.0 + math.log(c)


def _hit(row: tuple, score: float, similarity: float) -> Hit:
    return Hit(reference=row[1], title=row[2], url=row[3], published=_date(row[4]),
               exemptions=json.loads(row[5]), ncnd=bool(row[6]), topics=json.loads(row[7]),
               score=max(0.0, min(1.0, score)), similarity=max(0.0, min(1.0, similarity)))


def _cosines(query: _Query, row: tuple, weights: tuple[dict[str, float], dict[str, float]]) -> tuple[float, float]:
    """TF-IDF cosine of the query with (title + request, title + request + response).

    Only the query's terms matter for the dot product; the document's vector
    lengths were computed at import (``norm_tr``, ``norm_all``).
    """
    w_tr, w_all = weights
    qv = query.vector
    dot_tr = dot_all = 0.0
    for t in qv.keys() & w_all.keys():  # the shared terms only (a set operation in C)
        w = qv[t]
        dot_all += w * w_all[t]
        y = w_tr.get(t)
        if y:
            dot_tr += w * y
    return dot_tr / (query.norm * row[8]), dot_all / (query.norm * row[9])


def _bm25_ranker(weights: Optional[tuple[float, float, float]]):
    """Plain BM25 (FTS5): ``weights`` None = the configured field weights."""

    def rank(store: DisclosureStore, query: _Query, k: int) -> list[Hit]:
        cands = store._candidates(query, weights or _weights(store), k)
        ids = [i for i, _ in cands]
        rows, tfs = store._rows(ids), store._term_weights(ids)
        top = cands[0][1] if cands else 1.0
        return [_hit(rows[i], s / top if top > 0 else 0.0, _cosines(query, rows[i], tfs[i])[0]) for i, s in cands]

    return rank


def _tfidf_ranker(blend: Optional[float]):
    """BM25F candidates re-ranked by TF-IDF cosine (+ ``blend`` x the cosine with the response too)."""

    def rank(store: DisclosureStore, query: _Query, k: int) -> list[Hit]:
        b = store.settings["response_blend"] if blend is None else blend
        cands = store._rerank_candidates(query, max(k, store.settings["candidates"]))
        ids = [i for i, _ in cands]
        rows = store._rows(ids)
        cosines = store._cosines_many(query, ids, rows)
        scored = []
        for id_, _ in cands:
            cos_tr, cos_all = cosines[id_]
            scored.append(((cos_tr + b * cos_all) / (1.0 + b), cos_tr, id_))
        scored.sort(key=lambda x: -x[0])
        return [_hit(rows[i], s, sim) for s, sim, i in scored[:k]]

    return rank


def _char_ranker(store: DisclosureStore, query: _Query, k: int) -> list[Hit]:
    """BM25F candidates re-ranked by word cosine + character 3-5-gram cosine (idf over the candidates).

    The n-grams match word forms the stemmer keeps apart (taser/tasered,
    stalker/stalking) and compounds (bodycam / body camera).
    """
    cands = store._rerank_candidates(query, max(k, store.settings["candidates"]))
    ids = [i for i, _ in cands]
    rows, tfs = store._rows(ids), store._term_weights(ids)
    if not rows:
        return []

    def grams(terms: Iterable[str]) -> Counter:
        out: Counter = Counter()
        for t in terms:
            w = f" {t} "
            for n in (3, 4, 5):
                out.update(w[i:i + n] for i in range(max(1, len(w) - n + 1)))
        return out

    q = grams(query.tf.elements())
    docs = {i: grams(tfs[i][0]) for i in rows}
    df: Counter = Counter()
    for g in docs.values():
        df.update(g.keys())
    n = len(docs)

    def vec(g: Counter) -> dict[str, float]:
        v = {t: (1 + math.log(c)) * (math.log((n + 1) / (df.get(t, 0) + 1)) + 1) for t, c in g.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    qv = vec(q)
    scored = []
    for id_, _ in cands:
        dv = vec(docs[id_])
        cos_char = sum(x * dv.get(t, 0.0) for t, x in qv.items())
        cos_tr, _ = _cosines(query, rows[id_], tfs[id_])
        scored.append(((cos_tr + cos_char) / 2, cos_tr, id_))
    scored.sort(key=lambda x: -x[0])
    return [_hit(rows[i], s, sim) for s, sim, i in scored[:k]]


RANKERS: dict[str, Callable[[DisclosureStore, _Query, int], list[Hit]]] = {
    "bm25": _bm25_ranker((1.0, 1.0, 0.0)),  # BM25 over title and request, the starting point
    "bm25f": _bm25_ranker(None),  # + field weights, the response too
    "bm25f+tfidf_tr": _tfidf_ranker(0.0),  # re-ranked by TF-IDF cosine over title + request
    "bm25f+tfidf": _tfidf_ranker(None),  # ... + half the cosine with the response as well
    "bm25f+char": _char_ranker,  # ... word cosine + character n-gram cosine
}
# The best measured on both sets of judgments (README, "Similar disclosures").
DEFAULT_RANKER = "bm25f+tfidf"


# ------------------------------------------------------------------ triage evidence

@dataclass
class Evidence:
    """An exemption cited by similar disclosures, with the references that cited it."""

    section: str
    subsection: Optional[str]
    ncnd: bool
    score: float
    references: list[str]
    of: int
    reason: str


def similar_evidence(similar: Sequence, top: Optional[int] = None) -> list[Evidence]:
    """What the top similar disclosures cited, one ``Evidence`` per base section, strongest first.

    ``similar`` items need ``reference``, ``score``, ``exemptions`` (normalised,
    e.g. ``["s40(5)", "s31(3)"]``) and ``ncnd``: ``Hit`` and the result
    model's ``SimilarDisclosure`` both do. The score is the share of the top
    disclosures' similarity held by those citing the section.
    """
    cfg = settings()
    top_items = list(similar)[: top or cfg["evidence_top"]]
    if not top_items:
        return []
    total = sum(max(s.score, 1e-6) for s in top_items)
    by_base: dict[str, list] = {}
    for s in top_items:
        for sub in dict.fromkeys(base_section(e) for e in s.exemptions or []):
            by_base.setdefault(sub, []).append(s)
    out = []
    for base, items in by_base.items():
        if len(items) < cfg["evidence_min"]:
            continue
        subs = Counter(e for s in items for e in s.exemptions if base_section(e) == base and e != base)
        subsection = subs.most_common(1)[0][0] if subs else None
        # NCND when the form most cited is the section's NCND form (s40(5), s31(3) ...), or, with no
        # subsection cited, when most citing responses neither confirmed nor denied
        ncnd = subsection in NCND_FORMS if subsection else sum(s.ncnd for s in items) * 2 > len(items)
        refs = [s.reference for s in items]
        score = sum(max(s.score, 1e-6) for s in items) / total
        shown = ", ".join(refs)
        name = subsection or base
        reason = (f"{name}{' (neither confirm nor deny)' if ncnd else ''} cited in {len(items)} of "
                  f"{len(top_items)} similar disclosures: {shown}")
        out.append(Evidence(section=base, subsection=subsection, ncnd=ncnd, score=round(score, 4),
                            references=refs, of=len(top_items), reason=reason))
    out.sort(key=lambda e: (-e.score, e.section))
    return out


def repeat_flag(similarity: float, published: Optional[dt.date], received: Optional[dt.date]
                ) -> tuple[Optional[str], Optional[str]]:
    """``("s14(2)" | "s21" | None, reason)`` for a near-duplicate of the request (thresholds in the YAML)."""
    cfg = settings()
    if similarity < cfg["near_duplicate"]:
        return None, None
    days = (received - published).days if (received and published) else None
    if days is not None and 0 <= days <= cfg["repeat_interval_days"]:
        return "s14(2)", (f"near-duplicate (similarity {similarity:.2f}) of a disclosure published {days} days "
                          "before this request: a possible repeat request (s14(2) if from the same requester)")
    when = f"published {published.isoformat()}" if published else "in the disclosure log"
    return "s21", (f"near-duplicate (similarity {similarity:.2f}) of a request already answered ({when}): "
                   "the answer may be reasonably accessible (s21), though figures may need updating")


# ------------------------------------------------------------------ the default store

_default: Optional[DisclosureStore] = None
_default_lock = threading.Lock()


def open_store(location: Optional[PathLike] = None, seed: Optional[bool] = None) -> DisclosureStore:
    """The store at ``location``; without one, the default (``$FOI_TRIAGE_DB`` or the user data dir).

    Only the default location in the user data directory is seeded with the
    sample log (and only once, unless the sample was dropped); a store named
    by ``location`` or ``$FOI_TRIAGE_DB`` holds what was imported into it.
    """
    if location is None:
        path = default_location()
        if seed is None:
            seed = not os.environ.get(ENV_DB)
        try:
            store = DisclosureStore(path)
        except (OSError, StoreError) as e:
            # a read-only home directory must not stop triage: keep the sample in memory
            log.warning("cannot use the disclosure store at %s (%s); using an in-memory copy of the sample", path, e)
            store = DisclosureStore(":memory:")
            seed = True
    else:
        store = DisclosureStore(location)
    if seed:
        store.ensure_sample()
    return store


def default_store() -> DisclosureStore:
    """One default store per process (opened, and seeded if new, on first use)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = open_store()
    return _default


# ------------------------------------------------------------------ the pipeline's `similar` step

def query_text(doc) -> str:
    """The request's own words: the cleaned text without greeting, sign-off, quoted mail and footer
    (the same text the topic and exemption models read, computed once per Doc)."""
    from .topics import model_text

    return model_text(doc)


def similar_for_doc(store, doc, k: Optional[int] = None) -> list[Hit]:
    """The top similar disclosures for an annotated request (``[]`` without a store or on a store error)."""
    if store is None:
        return []
    try:
        return store.search(query_text(doc), k=k or settings()["evidence_top"])
    except (sqlite3.Error, StoreError) as e:  # a broken log must not stop the triage itself
        log.warning("disclosure search failed: %s", e)
        return []


def prior_for_exemptions(hits: Sequence[Hit]) -> list[tuple[str, list[str], bool]]:
    """``[(reference, [sections cited], ncnd)]`` of the top hits, for ``exemptions.add_prior_disclosures``.

    Only hits at least ``evidence_min_score`` alike count: what a barely
    related response cited says little about this request.
    """
    cfg = settings()
    return [(h.reference, list(h.exemptions), h.ncnd) for h in hits[: cfg["evidence_top"]]
            if h.score >= cfg["evidence_min_score"]]


def to_similar(hits: Sequence[Hit], received: Optional[dt.date]) -> list:
    from .models import SimilarDisclosure

    out = []
    for h in hits:
        flag, why = repeat_flag(h.similarity, h.published, received)
        out.append(SimilarDisclosure(reference=h.reference, title=h.title, score=round(h.score, 4), url=h.url,
                                     published=h.published, snippet=h.snippet, exemptions=list(h.exemptions),
                                     ncnd=h.ncnd, similarity=round(h.similarity, 4), repeat_flag=flag,
                                     repeat_reason=why))
    return out


def fill_similar(result, hits: Sequence[Hit], store, per_question: bool = False) -> None:
    """Put the similar disclosures (and, when asked, each question's) into a ``TriageResult``."""
    result.similar = to_similar(hits, result.received)
    repeats = [s for s in result.similar if s.repeat_flag]
    if repeats:
        s = repeats[0]
        result.warnings.append(f"possible repeat of {s.reference} ({s.title}): {s.repeat_reason}")
    if per_question and store is not None:
        k = settings()["evidence_top"]
        for q in result.questions:
            try:
                q.similar = to_similar(store.search(q.text, k=k), result.received)
            except (sqlite3.Error, StoreError) as e:
                log.warning("disclosure search failed: %s", e)
