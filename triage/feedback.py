"""Officer feedback on topics and exemptions, and its export as training rows.

A case officer reading a result in the web form can mark a topic or exemption
suggestion wrong and add a missing one. Each submission is one row in SQLite:

- the file is ``$FOI_TRIAGE_FEEDBACK_DB``, else ``feedback.db`` in the same
  directory as the disclosure log (``disclosures.default_location()``). It is a
  separate file so that rebuilding or replacing the disclosure log never touches
  officers' feedback; its schema is versioned and migrated on open like the log's.
- a row holds the request text's sha256, the model version that made the
  prediction, a UTC timestamp, the predicted labels and the corrections. The
  text itself is stored ONLY when the deployment sets
  ``FOI_TRIAGE_FEEDBACK_KEEP_TEXT=1`` (requests carry personal data; without it
  the web form does not even send the text back).

``export_rows`` turns the feedback into rows in the training-data format
(``training_data/README.md``): the predicted labels corrected by the
feedback. Only texts that were kept can be exported; the others are counted
and reported as skipped.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence, Union

from .models import TOPIC_LABELS

ENV_DB = "FOI_TRIAGE_FEEDBACK_DB"
ENV_KEEP_TEXT = "FOI_TRIAGE_FEEDBACK_KEEP_TEXT"
MAX_VERSION_CHARS = 200
# "s40", "s40(5)", "s12(1)": as the suggester and responses write them
_EXEMPTION_FORM = re.compile(r"^s\d{1,2}(\(\d{1,2}\))?$")

# Each migration moves the schema from version n-1 to n; never edit a released one, add the next.
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,                          -- UTC, ISO 8601
        text_sha256 TEXT NOT NULL,                      -- of the request text as triaged
        text TEXT,                                      -- only with FOI_TRIAGE_FEEDBACK_KEEP_TEXT=1
        model_version TEXT NOT NULL DEFAULT '',
        received TEXT,                                  -- ISO date the request arrived, when given
        regime TEXT NOT NULL DEFAULT 'foia',
        predicted_topics TEXT NOT NULL DEFAULT '[]',    -- JSON lists of labels
        predicted_exemptions TEXT NOT NULL DEFAULT '[]',
        wrong_topics TEXT NOT NULL DEFAULT '[]',
        wrong_exemptions TEXT NOT NULL DEFAULT '[]',
        added_topics TEXT NOT NULL DEFAULT '[]',
        added_exemptions TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX feedback_text ON feedback(text_sha256, created);
    """,
}
SCHEMA_VERSION = max(MIGRATIONS)


class FeedbackError(ValueError):
    """Feedback that cannot be stored, or a store that cannot be opened; the message says why."""


def keep_text() -> bool:
    """Whether this deployment keeps request texts with feedback (off unless set)."""
    return os.environ.get(ENV_KEEP_TEXT, "").strip().lower() in ("1", "true", "yes", "on")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_location() -> Path:
    """``$FOI_TRIAGE_FEEDBACK_DB``, else ``feedback.db`` next to the disclosure log."""
    if os.environ.get(ENV_DB):
        return Path(os.environ[ENV_DB]).expanduser()
    from .disclosures import default_location as log_location

    return log_location().with_name("feedback.db")


def current_model_version() -> str:
    """The package version and a short hash of the models' manifest (which pins every model file)."""
    from . import __version__
    from .artifacts import MANIFEST, default_models_dir, sha256_file

    version = f"foi-triage {__version__}"
    try:
        return f"{version}; models {sha256_file(default_models_dir() / MANIFEST)[:12]}"
    except OSError:
        return version


# ------------------------------------------------------------------ vocabularies

@lru_cache(maxsize=1)
def exemption_forms() -> dict[str, dict]:
    """Every exemption form an officer may add: {"s40(5)": {"section": "s40", "name": ..., "ncnd": True}, ...},
    from the sections table of ``data/exemptions.yaml`` (plain and neither-confirm-nor-deny forms)."""
    from .exemptions import load_rules

    out: dict[str, dict] = {}
    for section, info in sorted(load_rules().sections.items(), key=lambda kv: int(kv[0][1:])):
        for kind in ("plain", "ncnd"):
            form = info.get(kind)
            if form:
                out[str(form)] = {"section": section, "name": str(info.get("name", "")), "ncnd": kind == "ncnd"}
    return out


def is_ncnd(form: str) -> bool:
    info = exemption_forms().get(form)
    return bool(info and info["ncnd"])


def _section_key(form: str) -> tuple[int, str]:
    m = re.match(r"s(\d+)", form)
    return (int(m.group(1)) if m else 999, form)


# ------------------------------------------------------------------ one submission

@dataclass
class Feedback:
    """One officer's corrections to one result."""

    text_sha256: str
    predicted_topics: list[str] = field(default_factory=list)
    predicted_exemptions: list[str] = field(default_factory=list)  # subsection when given, else section
    wrong_topics: list[str] = field(default_factory=list)
    wrong_exemptions: list[str] = field(default_factory=list)
    added_topics: list[str] = field(default_factory=list)
    added_exemptions: list[str] = field(default_factory=list)
    model_version: str = ""
    received: Optional[dt.date] = None
    regime: str = "foia"
    text: Optional[str] = None
    created: Optional[str] = None
    id: Optional[int] = None

    def validate(self) -> "Feedback":
        """Refuse labels outside the vocabularies and a text that does not match its hash."""
        if not re.fullmatch(r"[0-9a-f]{64}", self.text_sha256 or ""):
            raise FeedbackError("the text hash is missing or not a sha256: triage the request again")
        for name in ("predicted_topics", "wrong_topics", "added_topics"):
            bad = [t for t in getattr(self, name) if t not in TOPIC_LABELS]
            if bad:
                raise FeedbackError(f"unknown topic label(s) {', '.join(map(repr, bad))}")
        for name in ("predicted_exemptions", "wrong_exemptions"):
            bad = [e for e in getattr(self, name) if not _EXEMPTION_FORM.match(e)]
            if bad:
                raise FeedbackError(f"unreadable exemption(s) {', '.join(map(repr, bad))}")
        bad = [e for e in self.added_exemptions if e not in exemption_forms()]
        if bad:
            raise FeedbackError(f"unknown exemption(s) {', '.join(map(repr, bad))}; "
                                f"choose from {', '.join(exemption_forms())}")
        if not set(self.wrong_topics) <= set(self.predicted_topics):
            raise FeedbackError("a topic marked wrong was not among the predicted topics")
        if not set(self.wrong_exemptions) <= set(self.predicted_exemptions):
            raise FeedbackError("an exemption marked wrong was not among the suggestions")
        if len(self.model_version) > MAX_VERSION_CHARS:
            raise FeedbackError(f"model version is over {MAX_VERSION_CHARS} characters")
        if self.text is not None and text_sha256(self.text) != self.text_sha256:
            raise FeedbackError("the text does not match its hash: triage the request again")
        return self

    @property
    def empty(self) -> bool:
        return not (self.wrong_topics or self.wrong_exemptions or self.added_topics or self.added_exemptions)


# ------------------------------------------------------------------ store

class FeedbackStore:
    """Feedback rows in SQLite. Thread-safe (one connection behind a lock)."""

    def __init__(self, location: Union[str, Path, None] = None):
        self.location = str(location if location is not None else default_location())
        try:
            if self.location != ":memory:":
                Path(self.location).parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.location, check_same_thread=False, isolation_level=None, timeout=30)
            if self.location != ":memory:":
                self.conn.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except (sqlite3.DatabaseError, OSError) as e:
            raise FeedbackError(f"cannot open the feedback store {self.location}: {e}") from None
        self._lock = threading.Lock()

    def _migrate(self) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")  # two processes opening a new file at once: one migrates
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS feedback_schema_version "
                         "(version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
            found = conn.execute("SELECT max(version) FROM feedback_schema_version").fetchone()[0] or 0
            if found > SCHEMA_VERSION:
                raise FeedbackError(f"the feedback store has schema version {found}, newer than this "
                                    f"foi-triage understands ({SCHEMA_VERSION}): upgrade foi-triage")
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO feedback_schema_version VALUES (?, ?)", (version, _now()))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> "FeedbackStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def add(self, fb: Feedback) -> int:
        """Store one submission (the text only when ``keep_text()``); returns its id."""
        fb.validate()
        text = fb.text if keep_text() else None
        created = fb.created or _now()
        with self._lock:
            cur = self.conn.execute(
                "INSERT INTO feedback (created, text_sha256, text, model_version, received, regime, "
                "predicted_topics, predicted_exemptions, wrong_topics, wrong_exemptions, added_topics, "
                "added_exemptions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (created, fb.text_sha256, text, fb.model_version, fb.received.isoformat() if fb.received else None,
                 fb.regime, *(json.dumps(_unique(getattr(fb, n))) for n in _LISTS)))
            return int(cur.lastrowid)

    def rows(self) -> Iterator[Feedback]:
        """Every submission, oldest first."""
        with self._lock:
            found = self.conn.execute(
                "SELECT id, created, text_sha256, text, model_version, received, regime, " + ", ".join(_LISTS)
                + " FROM feedback ORDER BY created, id").fetchall()
        for r in found:
            yield Feedback(id=r[0], created=r[1], text_sha256=r[2], text=r[3], model_version=r[4],
                           received=dt.date.fromisoformat(r[5]) if r[5] else None, regime=r[6],
                           **{n: json.loads(v) for n, v in zip(_LISTS, r[7:])})

    def count(self) -> int:
        with self._lock:
            return self.conn.execute("SELECT count(*) FROM feedback").fetchone()[0]


_LISTS = ("predicted_topics", "predicted_exemptions", "wrong_topics", "wrong_exemptions", "added_topics",
          "added_exemptions")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# ------------------------------------------------------------------ export

@dataclass
class Export:
    rows: list[dict]
    submissions: int
    skipped_texts: int  # distinct texts with feedback but no stored text
    skipped_submissions: int

    def summary(self) -> str:
        line = f"{len(self.rows):,} training rows from {self.submissions:,} feedback submissions"
        if self.skipped_texts:
            line += (f"; {self.skipped_texts:,} requests ({self.skipped_submissions:,} submissions) skipped: "
                     f"stored without their text (set {ENV_KEEP_TEXT}=1 to keep texts with feedback)")
        return line


def corrected_labels(group: Sequence[Feedback]) -> tuple[list[str], list[str]]:
    """The topics and exemptions of one request after all its feedback (oldest first).

    Start from the latest prediction; then each submission in turn removes what it
    marked wrong and adds what it added, so a later correction wins over an earlier one."""
    latest = group[-1]
    topics = {t: True for t in latest.predicted_topics}
    exemptions = {e: True for e in latest.predicted_exemptions}
    for fb in group:
        for t in fb.wrong_topics:
            topics[t] = False
        for t in fb.added_topics:
            topics[t] = True
        for e in fb.wrong_exemptions:
            exemptions[e] = False
        for e in fb.added_exemptions:
            exemptions[e] = True
    kept_topics = [t for t in TOPIC_LABELS if topics.get(t)]
    # `other` only alone, when nothing else fits (training_data/README.md)
    if len(kept_topics) > 1:
        kept_topics = [t for t in kept_topics if t != "other"]
    kept_exemptions = sorted((e for e, on in exemptions.items() if on), key=_section_key)
    return kept_topics or ["other"], kept_exemptions


def export_rows(store: FeedbackStore) -> Export:
    """Feedback as training rows (``training_data/README.md``), one per request text, in first-seen order."""
    groups: dict[str, list[Feedback]] = {}
    n = 0
    for fb in store.rows():
        groups.setdefault(fb.text_sha256, []).append(fb)
        n += 1
    out, skipped, skipped_subs = [], 0, 0
    for sha, group in groups.items():
        text = next((fb.text for fb in reversed(group) if fb.text), None)
        if not text:
            skipped += 1
            skipped_subs += len(group)
            continue
        topics, exemptions = corrected_labels(group)
        latest = group[-1]
        out.append({"id": f"fb-{sha[:12]}", "text": text, "topics": topics, "exemptions": exemptions,
                    "ncnd": any(is_ncnd(e) for e in exemptions),
                    "received": latest.received.isoformat() if latest.received else latest.created[:10],
                    "source": "feedback", "model_version": latest.model_version,
                    "feedback_submissions": len(group)})
    return Export(out, n, skipped, skipped_subs)


def write_jsonl(rows: Iterable[dict], f) -> int:
    n = 0
    for row in rows:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n
