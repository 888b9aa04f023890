"""Batch triage: stream requests from JSONL, CSV or Excel, write JSONL or CSV results.

The pieces are plain functions so the CLI, a notebook or a parallel runner
can share them:

- ``decode_bytes`` turns raw bytes into text (UTF-8, else Windows-1252);
- ``iter_requests`` reads an input file lazily and yields, for every input
  record, ``(line_no, TriageRequest | ErrorLine)``;
- ``triage_one`` runs one request and returns the output line as a dict
  (a result, or an error line when the text cannot be triaged);
- ``flatten_row`` turns an output line into the readable CSV columns
  (``CSV_COLUMNS``);
- ``run_batch`` ties them together, streaming: memory does not grow with
  the size of the input (beyond the ids kept for ``resume`` and the small
  signatures kept for round-robin grouping), and output lines come in input
  order whatever the number of workers (``jobs``) or the engine (``local``,
  or ``dask`` in ``triage.dask_engine``).

A bad record never stops the run: it becomes an output line
``{"id": ..., "line": N, "error": "..."}``.
"""
from __future__ import annotations

import csv
import json
import logging
import os
import re
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Union

from pydantic import Field, ValidationError

from .models import ErrorLine, TriageRequest

if TYPE_CHECKING:  # importing the pipeline loads spaCy; only the runner needs it
    from .models import TriageResult
    from .pipeline import Triage

log = logging.getLogger(__name__)

PathLike = Union[str, Path]
Item = Union[TriageRequest, ErrorLine]

CP1252_WARNING = "the input was not valid UTF-8 and was read as Windows-1252 (cp1252)"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class UndecodableError(ValueError):
    """Bytes that are neither UTF-8 nor Windows-1252 text."""


def decode_bytes(data: bytes) -> tuple[str, Optional[str]]:
    """Decode request bytes: UTF-8 (a BOM is dropped), else Windows-1252.

    Returns ``(text, warning)``; the warning is set when the fallback was used,
    because cp1252 decodes almost anything and the result may be mojibake.
    Raises ``UndecodableError`` when neither encoding fits.
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        return data.decode("cp1252"), CP1252_WARNING
    except UnicodeDecodeError:
        pos = utf8_error.start
        raise UndecodableError(
            f"cannot decode the text: byte 0x{data[pos]:02x} at position {pos} is not valid UTF-8, "
            "and the bytes are not Windows-1252 either; save it as UTF-8 text") from None


def parse_received(value: Any) -> Optional[date]:
    """``YYYY-MM-DD`` (or a date, as Excel cells hold) -> date; empty or missing -> None; else ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):  # an Excel date cell; before ``date``, of which it is a subclass
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DAY.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    shown = json.dumps(value) if isinstance(value, (str, int, float, bool)) else repr(value)
    raise ValueError(f"received {shown} is not a date in YYYY-MM-DD form")


def _id_of(value: Any) -> Optional[str]:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():  # Excel stores 17 as 17.0
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


class BatchRequest(TriageRequest):
    """A ``TriageRequest`` plus what reading it from the file had to warn about."""

    read_warning: Optional[str] = Field(None, exclude=True,
                                        description="e.g. the line was read as Windows-1252.")
    requester: Optional[str] = Field(None, exclude=True,
                                     description="Who asked: same-requester requests may be aggregated.")


# Optional per-record fields (JSONL keys or CSV columns) read under these names.
EXTRA_FIELDS = ("clarified", "requester", "regime")


def _request(line_no: int, raw_id: Any, text: Any, received: Any, text_field: str,
             warning: Optional[str] = None, extra: Optional[dict] = None) -> Item:
    """Build a ``TriageRequest`` or the ``ErrorLine`` saying what is wrong with the record."""
    # Missing ids fall back to the line number so every output line can be matched to its input.
    rid = _id_of(raw_id) or str(line_no)
    if text is None:
        return ErrorLine(id=rid, line=line_no, error=f'no "{text_field}" field in this record (or it is null)')
    if not isinstance(text, str):
        return ErrorLine(id=rid, line=line_no,
                         error=f'"{text_field}" must be a string, not {type(text).__name__}')
    try:
        day = parse_received(received)
    except ValueError as e:
        return ErrorLine(id=rid, line=line_no, error=str(e))
    extra = {k: v for k, v in (extra or {}).items() if v not in (None, "")}
    try:
        if "clarified" in extra:
            extra["clarified"] = parse_received(extra["clarified"])
    except ValueError as e:
        return ErrorLine(id=rid, line=line_no, error=str(e).replace("received", "clarified", 1))
    if "requester" in extra and not isinstance(extra["requester"], str):
        extra["requester"] = _id_of(extra["requester"])
    try:
        return BatchRequest(id=rid, text=text, received=day, read_warning=warning, **extra)
    except ValidationError as e:
        msg = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        return ErrorLine(id=rid[:200], line=line_no, error=msg)


def request_warning(req: TriageRequest) -> Optional[str]:
    """A reading warning attached by ``iter_requests`` (e.g. the cp1252 fallback), if any."""
    return getattr(req, "read_warning", None)


# ------------------------------------------------------------------ readers

def _iter_jsonl(stream: IO[bytes], text_column: str, id_column: str,
                received_column: str) -> Iterator[tuple[int, Item]]:
    # Each line is decoded on its own so one bad line does not stop the others.
    for line_no, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        try:
            line, warning = decode_bytes(raw.rstrip(b"\r\n"))
        except UndecodableError as e:
            yield line_no, ErrorLine(id=str(line_no), line=line_no, error=str(e))
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield line_no, ErrorLine(id=str(line_no), line=line_no, error=f"not valid JSON: {e}")
            continue
        if not isinstance(obj, dict):
            yield line_no, ErrorLine(id=str(line_no), line=line_no,
                                     error=f"expected a JSON object, got {type(obj).__name__}")
            continue
        yield line_no, _request(line_no, obj.get(id_column), obj.get(text_column),
                                obj.get(received_column), text_column, warning,
                                {k: obj.get(k) for k in EXTRA_FIELDS})


class _DecodedLines:
    """Physical lines of a binary stream, decoded one by one, remembering which failed.

    ``csv.reader`` needs text, and a record may span lines (request texts hold
    newlines), so decoding problems are recorded per physical line and
    charged to the record that contains them.
    """

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self.line_no = 0
        self.problems: dict[int, tuple[str, Optional[str]]] = {}  # line -> (kind, message)
        self.pending: list[str] = []  # lines of the record being parsed (to salvage an id)

    def __iter__(self) -> "_DecodedLines":
        return self

    def __next__(self) -> str:
        raw = self._stream.readline()
        if not raw:
            raise StopIteration
        self.line_no += 1
        try:
            text, warning = decode_bytes(raw)
            if warning:
                self.problems[self.line_no] = ("warning", warning)
        except UndecodableError as e:
            self.problems[self.line_no] = ("error", str(e))
            # keep the parser in step with the file; the record is reported as an error
            text = raw.decode("cp1252", errors="replace")
        if self.line_no == 1:
            text = text.lstrip("\ufeff")
        self.pending.append(text)
        return text

    def take(self, first: int, last: int) -> tuple[Optional[str], Optional[str]]:
        """(error, warning) for the physical lines ``first..last``; forgets them."""
        error = warning = None
        self.pending.clear()
        for n in range(first, last + 1):
            kind, msg = self.problems.pop(n, (None, None))
            if kind == "error" and error is None:
                error = msg
            elif kind == "warning":
                warning = msg
        return error, warning


def _iter_csv(stream: IO[bytes], text_column: str, id_column: str,
              received_column: str) -> Iterator[tuple[int, Item]]:
    lines = _DecodedLines(stream)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as e:
        raise ValueError(f"cannot read the CSV header: {e}") from None
    header = [h.strip() for h in header]
    if text_column not in header:
        raise ValueError(f'the CSV header has no "{text_column}" column (it has: {", ".join(header)}); '
                         "name the text column with --text-column")
    index = {name: i for i, name in enumerate(header)}
    lines.take(1, lines.line_no)
    while True:
        first = lines.line_no + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            rid = _salvage_id(lines.pending, index.get(id_column)) or str(first)
            lines.take(first, lines.line_no)
            yield first, ErrorLine(id=rid, line=first, error=f"malformed CSV row: {e}")
            continue
        error, warning = lines.take(first, lines.line_no)
        if not row:  # a blank line is not a record
            continue

        def cell(name: str) -> Optional[str]:
            i = index.get(name)
            return row[i] if i is not None and i < len(row) else None

        rid = _id_of(cell(id_column)) or str(first)
        if error:
            yield first, ErrorLine(id=rid, line=first, error=error)
        elif len(row) != len(header):
            yield first, ErrorLine(id=rid, line=first,
                                   error=f"malformed CSV row: {len(row)} fields, the header has {len(header)}")
        else:
            yield first, _request(first, cell(id_column), cell(text_column), cell(received_column),
                                  text_column, warning, {k: cell(k) for k in EXTRA_FIELDS})


def _salvage_id(raw_lines: list[str], i: Optional[int]) -> Optional[str]:
    """The id cell of a row the strict parser refused, read leniently (so the error line keeps its id)."""
    if i is None or not raw_lines:
        return None
    try:
        row = next(csv.reader(raw_lines), [])
    except csv.Error:
        return None
    return _id_of(row[i].strip()) if i < len(row) else None


def _iter_xlsx(stream: IO[bytes], text_column: str, id_column: str,
               received_column: str) -> Iterator[tuple[int, Item]]:
    """The first sheet of an Excel workbook, streamed (openpyxl read-only mode); row 1 is the header.

    Line numbers are the sheet's row numbers. Date cells arrive as datetimes
    and are taken as days. A row whose cells cannot be read becomes an error
    line; a workbook whose sheet XML is broken part-way ends with one error
    line for the row where reading stopped.
    """
    import zipfile

    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a declared dependency
        raise ValueError("reading .xlsx needs openpyxl: pip install openpyxl") from None
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise ValueError(f"cannot read the workbook: {e or type(e).__name__} (is it an .xlsx file?)") from None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            return
        header = ["" if h is None else str(h).strip() for h in header_row]
        if text_column not in header:
            shown = ", ".join(h for h in header if h)
            raise ValueError(f'the sheet\'s header row has no "{text_column}" column (it has: {shown}); '
                             "name the text column with --text-column")
        index = {name: i for i, name in enumerate(header) if name}
        row_no = 1
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as e:  # broken sheet XML: nothing after this point can be read
                row_no += 1
                yield row_no, ErrorLine(id=str(row_no), line=row_no,
                                        error=f"malformed xlsx row, reading stopped here: {type(e).__name__}: {e}")
                return
            row_no += 1
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
                continue  # a blank row is not a record

            def cell(name: str) -> Any:
                i = index.get(name)
                return row[i] if i is not None and i < len(row) else None

            try:
                yield row_no, _request(row_no, cell(id_column), cell(text_column), cell(received_column),
                                       text_column, None, {k: cell(k) for k in EXTRA_FIELDS})
            except Exception as e:  # an odd cell type must not stop the run
                yield row_no, ErrorLine(id=_id_of(cell(id_column)) or str(row_no), line=row_no,
                                        error=f"malformed xlsx row: {type(e).__name__}: {e}")
    finally:
        wb.close()


def input_format(path: PathLike) -> str:
    """``csv``, ``xlsx`` or ``jsonl`` (anything else, and ``-``), from the file name."""
    name = str(path).lower()
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "jsonl"


def is_csv(path: PathLike) -> bool:
    return input_format(path) == "csv"


def iter_requests(path: PathLike, text_column: str = "text", id_column: str = "id",
                  received_column: str = "received", *, stream: Optional[IO[bytes]] = None
                  ) -> Iterator[tuple[int, Item]]:
    """Yield ``(line_no, TriageRequest | ErrorLine)`` for each record of a JSONL, CSV or xlsx file.

    ``path`` ending in ``.csv`` is read as CSV with a header row, ``.xlsx`` as
    an Excel workbook (first sheet, header in row 1), anything else as JSON
    Lines; ``-`` reads JSON Lines from stdin. Pass ``stream`` (binary) to read
    from an already-open file. Line numbers are 1-based physical lines (for
    CSV, the line where the record starts; the header is line 1; for xlsx,
    the row number). Raises ``OSError`` when the file cannot be opened and
    ``ValueError`` when a CSV or xlsx file has no usable header (or is not a
    workbook); every other problem is an ``ErrorLine``.
    """
    reader = {"csv": _iter_csv, "xlsx": _iter_xlsx}.get(input_format(path), _iter_jsonl)
    if stream is not None:
        yield from reader(stream, text_column, id_column, received_column)
    elif str(path) == "-":
        yield from reader(sys.stdin.buffer, text_column, id_column, received_column)
    else:
        with open(path, "rb") as f:
            yield from reader(f, text_column, id_column, received_column)


# ------------------------------------------------------------------ running

def triage_one(triage: "Triage", line_no: int, item: Item) -> dict:
    """The output line (as a dict) for one item from ``iter_requests``."""
    return _outcome(triage, line_no, item).model_dump(mode="json")


def _outcome(triage: "Triage", line_no: int, item: Item) -> Union["TriageResult", ErrorLine]:
    """The result of one item, or its error line."""
    from .pipeline import InputError

    if isinstance(item, ErrorLine):
        return item
    try:
        result = triage.triage(item.text, received=item.received, id=item.id, clarified=item.clarified,
                               regime=item.regime)
    except InputError as e:
        return ErrorLine(id=item.id, line=line_no, error=str(e))
    except Exception as e:  # a bug on one request must not lose the rest of the batch
        log.exception("triage failed on line %d", line_no)
        return ErrorLine(id=item.id, line=line_no, error=f"internal error while triaging: {type(e).__name__}: {e}")
    warning = request_warning(item)
    if warning:
        result.warnings.append(warning)
    return result


def json_line(row: dict) -> str:
    """An output line as JSON, compact, like pydantic writes the results."""
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def is_error_row(row: dict) -> bool:
    return "error" in row and "questions" not in row


@dataclass(frozen=True)
class Wanted:
    """What the writing process needs back from a scored record, besides its JSON line."""

    row: bool = False  # the line as a dict (CSV output, the HTML report, an on_result callback)
    signature: bool = False  # round-robin signatures (grouping)


@dataclass(slots=True)
class Scored:
    """One scored record as it travels from a worker to the writer: the serialising and the
    round-robin hashing are done where the record was triaged, in parallel, so the one process
    writing the output does little more than write."""

    id: str  # the line's id, as round-robin clusters name it
    line: str  # the output line as JSON (no newline)
    error: bool
    row: Optional[dict] = None
    signed: Any = None  # roundrobin.Signed


def score_one(triage: "Triage", line_no: int, item: Item, wanted: Wanted = Wanted()) -> Scored:
    """``triage_one``, serialised (by pydantic: three times faster than a dict through ``json``),
    with what ``wanted`` asks for."""
    out = _outcome(triage, line_no, item)
    error = isinstance(out, ErrorLine)
    signed = None
    if wanted.signature:
        from .roundrobin import sign_request

        signed = sign_request([] if error else [q.text for q in out.questions], error, item)
    return Scored(str(out.id), out.model_dump_json(), error, out.model_dump(mode="json") if wanted.row else None,
                  signed)


class BatchEngineError(RuntimeError):
    """The parallel workers could not run (a worker failed to start or died); the message says why."""


# ------------------------------------------------------------------ engines
# An engine takes the ``(line_no, item)`` pairs of ``iter_requests`` and yields
# ``(line_no, item, row)`` in INPUT ORDER, whatever order the work finishes in.

def score_local(triage: "Triage", items: Iterable[tuple[int, Item]],
                wanted: Wanted = Wanted()) -> Iterator[tuple[int, Item, Scored]]:
    """In-process, one request after another."""
    for line_no, item in items:
        yield line_no, item, score_one(triage, line_no, item, wanted)


def chunked(items: Iterable[Any], size: int) -> Iterator[list]:
    chunk: list = []
    for x in items:
        chunk.append(x)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ordered_window(chunks: Iterable[list], submit: Callable[[list], Any], result: Callable[[Any], list],
                   max_in_flight: int) -> Iterator[tuple[int, Item, dict]]:
    """Submit chunks of ``(line_no, item)`` with at most ``max_in_flight`` outstanding; yield in submission order.

    Bounding the window keeps memory constant: the input is read only as fast
    as results are written (``Pool.imap`` would read all of it ahead).
    """
    pending: deque = deque()

    def drain_one() -> Iterator[tuple[int, Item, dict]]:
        chunk, handle = pending.popleft()
        rows = result(handle)
        for (line_no, item), row in zip(chunk, rows):
            yield line_no, item, row

    for chunk in chunks:
        pending.append((chunk, submit(chunk)))
        if len(pending) >= max_in_flight:
            yield from drain_one()
    while pending:
        yield from drain_one()


_WORKER_TRIAGE: Optional["Triage"] = None
_INHERITED: list = []  # a forked parent's open disclosure store: kept, never used or closed, in the child


def _init_worker(regime: str) -> None:
    """Process-pool initializer: build the pipeline once per worker process."""
    global _WORKER_TRIAGE
    from . import disclosures

    # A forked child must not share the parent's SQLite connection: open its own on first use.
    if disclosures._default is not None:
        _INHERITED.append(disclosures._default)
        disclosures._default = None
    try:  # one BLAS thread per worker: the workers are the parallelism
        from threadpoolctl import threadpool_limits

        _INHERITED.append(threadpool_limits(1))
    except Exception:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass
    from .pipeline import Triage

    _WORKER_TRIAGE = Triage(regime=regime)


def _work_chunk(chunk: list, wanted: Wanted = Wanted()) -> list[Scored]:
    return [score_one(_WORKER_TRIAGE, line_no, item, wanted) for line_no, item in chunk]


def score_pool(items: Iterable[tuple[int, Item]], jobs: int, regime: str = "foia", chunk_size: int = 8,
               start_method: Optional[str] = None, wanted: Wanted = Wanted()) -> Iterator[tuple[int, Item, Scored]]:
    """``jobs`` worker processes, each building the pipeline once; chunks of ``chunk_size`` records.

    Workers are forked where the platform can (else spawned; spawned workers
    need the caller's script to have an ``if __name__ == "__main__"`` guard).
    The parent does not import the pipeline for them: each worker imports
    spaCy and builds the pipeline itself, in parallel, so the process that
    reads and writes stays small (about 50 MB instead of 130) and memory is
    not counted twice for pages a fork would share. The initializer gives a
    forked worker its own disclosure-store connection.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if start_method is None:
        start_method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    ex = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context(start_method),
                             initializer=_init_worker, initargs=(regime,))

    def result(fut):
        try:
            return fut.result()
        except BrokenProcessPool as e:
            raise BatchEngineError(f"a worker process failed (it could not build the pipeline, or it died): {e} "
                                   "Run with --jobs 1 to see the error.") from None

    try:
        yield from ordered_window(chunked(items, chunk_size), lambda c: ex.submit(_work_chunk, c, wanted), result,
                                  max_in_flight=jobs * 4)
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


# ------------------------------------------------------------------ CSV output

# (column, what it holds): the flattened, spreadsheet-friendly form of one output line.
CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "the record's id (its line or row number when it has none)"),
    ("line", "error rows only: the input line (CSV line, xlsx row) of the record"),
    ("error", "why the record could not be triaged; empty when it was"),
    ("received", "the day received, YYYY-MM-DD (today when the record had none)"),
    ("regime", "foia, foisa, eir or eisr"),
    ("deadline", "the 20th working day, YYYY-MM-DD"),
    ("deadline_pit", "the deadline with the public interest extension, if the regime has one"),
    ("request_type", "foi, eir, subject_access, not_a_request or mixed"),
    ("cost_risk", "none, possible or likely (cost limit)"),
    ("cost_drivers", "the activities driving the cost risk, '; '-separated"),
    ("n_questions", "how many questions were found"),
    ("questions", "the questions, in order, joined with ' | '"),
    ("topics", "topic labels with scores, best first: 'custody (0.93); workforce_hr (0.41)'"),
    ("exemptions", "suggested exemptions, best first: 's40(5) NCND (0.81); s30 (0.44)'"),
    ("periods", "periods asked about: 'as written [start..end]', '; '-separated (empty end = open)"),
    ("breakdowns", "dimensions wanted, '; '-separated"),
    ("clarification", "questions to send back to the requester, joined with ' | '"),
    ("similar", "similar past disclosures: 'reference (score)', '; '-separated"),
    ("cluster", "round-robin cluster id of near-identical requests, if any"),
    ("aggregated_with", "ids of the same requester's similar requests (costs may be aggregated), '; '-separated"),
    ("warnings", "warnings, joined with ' | '"),
)
CSV_HEADER: tuple[str, ...] = tuple(name for name, _ in CSV_COLUMNS)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets: request texts come from the
    # public, so such cells are quoted with a leading apostrophe (CSV injection).
    return "'" + value if value.startswith(_FORMULA_START) else value


def _score(x: Any) -> str:
    return f"{x:.2f}" if isinstance(x, (int, float)) else ""


def _exemption_text(e: dict) -> str:
    name = e.get("subsection") or e.get("section") or "?"
    return f"{name}{' NCND' if e.get('ncnd') else ''} ({_score(e.get('score'))})"


def _period_text(d: dict) -> str:
    return f"{d.get('text', '')} [{d.get('start') or ''}..{d.get('end') or ''}]"


def flatten_row(row: dict) -> dict[str, str]:
    """One output line (a result or an error line) as the ``CSV_HEADER`` columns, all strings."""
    g = row.get
    risk = g("cost_risk") or {}
    rt = g("request_type") or {}
    questions = g("questions") or []
    flat = {
        "id": g("id") or "",
        "line": str(g("line")) if is_error_row(row) and g("line") is not None else "",
        "error": (g("error") or "") if is_error_row(row) else "",
        "received": g("received") or "",
        "regime": "" if is_error_row(row) else (g("regime") or ""),
        "deadline": g("deadline") or "",
        "deadline_pit": g("deadline_pit") or "",
        "request_type": rt.get("type", "") if isinstance(rt, dict) else "",
        "cost_risk": risk.get("level", "") if isinstance(risk, dict) else "",
        "cost_drivers": "; ".join(risk.get("drivers") or []) if isinstance(risk, dict) else "",
        "n_questions": "" if is_error_row(row) else str(len(questions)),
        "questions": " | ".join(q.get("text", "") for q in questions),
        "topics": "; ".join(f"{t.get('label')} ({_score(t.get('score'))})" for t in g("topics") or []),
        "exemptions": "; ".join(_exemption_text(e) for e in g("exemptions") or []),
        "periods": "; ".join(_period_text(d) for d in g("dates") or []),
        "breakdowns": "; ".join(dict.fromkeys(b.get("dimension", "") for b in g("breakdowns") or [])),
        "clarification": " | ".join(c.get("ask", "") for c in g("clarification") or []),
        "similar": "; ".join(f"{s.get('reference')} ({_score(s.get('score'))})" for s in g("similar") or []),
        "cluster": g("cluster") or "",
        "aggregated_with": "; ".join(risk.get("aggregated_with") or []) if isinstance(risk, dict) else "",
        "warnings": " | ".join(g("warnings") or []),
    }
    return {k: _csv_safe(str(v)) for k, v in flat.items()}


def unflatten_for_grouping(flat: dict[str, str]) -> dict:
    """What round-robin grouping reads from a row (id, question texts, error), rebuilt from CSV columns."""
    rid = flat.get("id", "")
    rid = rid[1:] if rid.startswith("'") and rid[1:].startswith(_FORMULA_START) else rid
    if flat.get("error"):
        return {"id": rid, "error": flat["error"]}
    return {"id": rid, "questions": [{"text": flat.get("questions", "")}]}


class _JsonlWriter:
    def __init__(self, stream: IO[str]):
        self.stream = stream

    def write(self, row: dict) -> None:
        self.stream.write(json_line(row) + "\n")

    def write_scored(self, sc: Scored) -> None:
        self.stream.write(sc.line + "\n")


class _CsvWriter:
    def __init__(self, stream: IO[str], header: bool = True):
        self.stream = stream
        self._w = csv.writer(stream, lineterminator="\n")
        if header:
            self._w.writerow(CSV_HEADER)

    def write(self, row: dict) -> None:
        flat = flatten_row(row)
        self._w.writerow([flat[c] for c in CSV_HEADER])

    def write_scored(self, sc: Scored) -> None:
        self.write(sc.row if sc.row is not None else json.loads(sc.line))


def output_format(out: Union[PathLike, IO[str]], fmt: Optional[str] = None) -> str:
    """``csv`` or ``jsonl``: ``fmt`` when given, else from the output file's name."""
    if fmt:
        if fmt not in ("csv", "jsonl"):
            raise ValueError(f"unknown output format {fmt!r}: use jsonl or csv")
        return fmt
    return "csv" if isinstance(out, (str, Path)) and str(out).lower().endswith(".csv") else "jsonl"


# ------------------------------------------------------------------ resume

def row_key(row: dict) -> str:
    """The resume key of an output line: its id (the line number when the record had none)."""
    return str(row.get("id"))


def item_key(line_no: int, item: Item) -> str:
    """The resume key of an input record, the same as ``row_key`` of its output line."""
    return str(item.id) if item.id is not None else str(line_no)


def _complete_jsonl(f: IO[bytes]) -> Iterator[tuple[int, dict]]:
    """``(end_offset, row)`` for each complete, parseable line; stops at the first that is not."""
    offset = 0
    for raw, row in _complete_jsonl_lines(f):
        offset += len(raw)
        yield offset, row


def _complete_jsonl_lines(f: IO[bytes]) -> Iterator[tuple[bytes, dict]]:
    """``(raw line, row)`` for each complete, parseable line; stops at the first that is not."""
    for raw in f:
        if not raw.endswith(b"\n"):
            return  # cut off mid-line by the interruption
        try:
            row = json.loads(raw)
        except ValueError:
            return
        if not isinstance(row, dict):
            return
        yield raw, row


class _CountingLines:
    """Decoded lines of a binary file, remembering the byte offset after the last line handed out."""

    def __init__(self, f: IO[bytes]):
        self._f = f
        self.offset = 0
        self.last_complete = True

    def __iter__(self) -> "_CountingLines":
        return self

    def __next__(self) -> str:
        raw = self._f.readline()
        if not raw:
            raise StopIteration
        self.offset += len(raw)
        self.last_complete = raw.endswith(b"\n")
        text = raw.decode("utf-8", errors="replace")
        return text.lstrip("\ufeff") if self.offset == len(raw) else text


def _complete_csv(f: IO[bytes]) -> Iterator[tuple[int, dict]]:
    """``(end_offset, flat_row)`` for each complete row of a CSV this module wrote (header first)."""
    lines = _CountingLines(f)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return
    if not lines.last_complete:
        return
    if tuple(header) != CSV_HEADER:
        raise ValueError("the output CSV was not written by this version of foi-triage batch (its columns differ): "
                         "cannot resume into it; write to a new file")
    yield lines.offset, {}  # the header
    while True:
        try:
            row = next(reader)
        except (StopIteration, csv.Error):
            return
        if not lines.last_complete or len(row) != len(CSV_HEADER):
            return
        yield lines.offset, dict(zip(CSV_HEADER, row))


def read_done(path: PathLike, fmt: str, on_row: Optional[Callable[[dict], None]] = None) -> tuple[Counter, bool]:
    """The ids already in the output file ``path`` (a multiset), for ``resume``.

    Only complete lines count: the file is cut back to the end of the last
    complete line (an interrupted write leaves half a line). ``on_row`` sees
    each kept row (a result dict for JSONL, the flat columns for CSV).
    Returns ``(ids, has_header)``; ``has_header`` tells a CSV that its header
    is already there.
    """
    done: Counter = Counter()
    has_header = False
    with open(path, "r+b") as f:
        end = 0
        rows = _complete_csv(f) if fmt == "csv" else _complete_jsonl(f)
        for end, row in rows:
            if fmt == "csv" and not row:
                has_header = True
                continue
            done[row_key(unflatten_for_grouping(row) if fmt == "csv" else row)] += 1
            if on_row is not None:
                on_row(row)
        f.seek(0, os.SEEK_END)
        if f.tell() != end:
            log.info("resume: cutting %s back to %d bytes (an incomplete last line)", path, end)
            f.truncate(end)
    return done, has_header


# ------------------------------------------------------------------ grouping after the run

def _old_rows(path: PathLike, fmt: str, end: int) -> Iterator[dict]:
    """The lines an earlier run left in the output (up to byte ``end``), as grouping reads them."""
    with open(path, "rb") as f:
        for offset, row in (_complete_csv(f) if fmt == "csv" else _complete_jsonl(f)):
            if offset > end:
                return
            if fmt == "csv":
                if not row:
                    continue
                row = unflatten_for_grouping(row)
            yield row


def _group_pass(out_path: Path, fmt: str, in_path: PathLike, columns: tuple[str, str, str],
                regime: Any, grouper: Any = None, n: int = 0) -> Any:
    """Round-robin grouping of a finished output file; rewrites it with the annotations.

    ``grouper`` is one filled during the run, in the order of the file's lines.
    Without it, the signatures come from the output lines (their questions)
    and, for the requester and dates, the input records read again (cheap: no
    triage), matched in step by id (both files are in input order).
    """
    if grouper is None:
        grouper, n = _regroup(out_path, fmt, in_path, columns, regime)
    if not grouper.clusters() and not any(grouper.aggregated_with(i) for i in range(n)):
        return grouper  # nothing to annotate: leave the file as written
    _rewrite(out_path, fmt, grouper)
    return grouper


def _regroup(out_path: Path, fmt: str, in_path: PathLike, columns: tuple[str, str, str],
             regime: Any) -> tuple[Any, int]:
    from .roundrobin import BatchGrouper, add_result

    grouper = BatchGrouper(regime=regime)
    items = iter_requests(in_path, *columns)
    pending: Optional[tuple[int, Item]] = None
    n = 0
    with open(out_path, "rb") as f:
        rows = _complete_csv(f) if fmt == "csv" else _complete_jsonl(f)
        for _, row in rows:
            if fmt == "csv":
                if not row:
                    continue
                row = unflatten_for_grouping(row)
            if pending is None:
                pending = next(items, None)
            item = None
            if pending is not None and item_key(*pending) == row_key(row):
                item, pending = pending[1], None
            add_result(grouper, row, item)  # an unmatched line (input changed since) keeps no requester
            n += 1
    return grouper, n


def _rewrite(out_path: Path, fmt: str, grouper: Any) -> None:
    """Rewrite the output file with each line's cluster and aggregation note (line i = grouper index i)."""
    tmp = out_path.with_name(out_path.name + ".grouping.tmp")
    with open(out_path, "rb") as src, open(tmp, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8",
                                           newline="") as dst:
        if fmt == "csv":
            w = csv.writer(dst, lineterminator="\n")
            w.writerow(CSV_HEADER)
            i = 0
            for _, flat in _complete_csv(src):
                if not flat:
                    continue
                if not flat.get("error"):
                    flat["cluster"] = grouper.cluster_of(i) or ""
                    flat["aggregated_with"] = "; ".join(grouper.aggregated_with(i))
                w.writerow([flat[c] for c in CSV_HEADER])
                i += 1
        else:
            for i, (raw, row) in enumerate(_complete_jsonl_lines(src)):
                if _annotation_unchanged(grouper, i, row):
                    dst.write(raw.decode("utf-8"))  # most lines: copied as they are, not re-encoded
                    continue
                _strip_annotations(row)  # lines from an earlier, finished run (resume) were annotated already
                dst.write(json_line(grouper.annotate(i, row)) + "\n")
    os.replace(tmp, out_path)


def _annotation_unchanged(grouper: Any, index: int, row: dict) -> bool:
    """Whether annotating line ``index`` would leave ``row`` as it is (no cluster, no aggregation,
    and none from an earlier run either)."""
    if is_error_row(row):
        return True
    risk = row.get("cost_risk")
    return (row.get("cluster") == grouper.cluster_of(index) and not grouper.aggregated_with(index)
            and not (isinstance(risk, dict) and risk.get("aggregated_with")))


def _strip_annotations(row: dict) -> None:
    """Undo ``BatchGrouper.annotate``'s aggregation note, so that annotating again does not repeat it."""
    risk = row.get("cost_risk")
    if isinstance(risk, dict) and risk.get("aggregated_with"):
        risk["aggregated_with"] = []
        risk["reasons"] = [r for r in risk.get("reasons") or []
                           if not (isinstance(r, dict) and r.get("rule") == "same_requester_similar_information")]


# ------------------------------------------------------------------ the run

@dataclass
class BatchStats:
    total: int = 0  # records triaged (or found bad) in this run
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    skipped: int = 0  # records already in the output (resume)
    cluster_lines: Optional[list] = None  # round-robin clusters, for the report after the summary
    clusters: Optional[list] = field(default=None, repr=False)

    def summary(self) -> str:
        rate = self.total / self.seconds if self.seconds > 0 else 0.0
        s = (f"{self.total} requests, {self.ok} ok, {self.errors} errors "
             f"in {self.seconds:.1f} s ({rate:.1f}/s)")
        if self.skipped:
            s += f"; {self.skipped} skipped (already in the output)"
        return s


def count_records(path: PathLike) -> Optional[int]:
    """Records in an input file (for a progress total); None when unknown (stdin, CSV)."""
    fmt = input_format(path)
    if str(path) == "-" or fmt == "csv":
        return None
    if fmt == "xlsx":
        try:
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            try:
                rows = wb.worksheets[0].max_row
            finally:
                wb.close()
            return rows - 1 if rows else None
        except Exception:
            return None
    n = 0
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                n += 1
    return n


def run_batch(in_path: PathLike, out: Union[PathLike, IO[str]], *, text_column: str = "text",
              id_column: str = "id", received_column: str = "received",
              triage: Optional["Triage"] = None, progress: bool = False,
              on_result: Optional[Callable[[dict], None]] = None, regime: Optional[str] = None,
              group: bool = True, jobs: int = 1, resume: bool = False, out_format: Optional[str] = None,
              report: Optional[PathLike] = None, engine: str = "local", scheduler: Optional[str] = None,
              chunk_size: Optional[int] = None, dask_client: Any = None) -> BatchStats:
    """Triage every record of ``in_path`` and write one line per record to ``out``, in input order.

    ``out`` is a path (``-`` for stdout) or an open text stream; ``out_format``
    (``jsonl`` or ``csv``; default from the name) picks JSON Lines or the
    flattened ``CSV_COLUMNS``. ``progress`` shows a tqdm bar on stderr.
    Opening errors propagate (``OSError``; ``ValueError`` for an unusable
    CSV/xlsx header); per-record problems become error lines.

    ``regime`` (foia, foisa, eir, eisr) applies to records without their own.

    ``jobs`` > 1 triages in that many worker processes (each builds the
    pipeline once), ``engine="dask"`` on the Dask cluster at ``scheduler``
    (or ``dask_client``); the output is the same as with one job.

    ``resume`` continues an interrupted run into the existing output file:
    records whose id is already there (once per occurrence, so repeated ids
    are counted) are skipped, an incomplete last line is cut off, and new
    lines are appended. A record without an id has its line number as id.

    With ``group`` (the default) near-identical requests get a round-robin
    ``cluster`` and same-requester requests a cost aggregation note
    (``triage.roundrobin``). When both input and output are files, results
    are streamed to the output as they come and the annotations are written
    by a second pass at the end (rewriting the file); otherwise (stdin or an
    open stream) lines are spooled to a temporary file and written annotated
    at the end. Memory holds only signatures either way.

    ``report`` writes a self-contained HTML report of the batch (``triage.report``).
    """
    fmt = output_format(out, out_format)
    out_is_file = isinstance(out, (str, Path)) and str(out) != "-"
    if resume and not (out_is_file and str(in_path) != "-"):
        raise ValueError("--resume needs the input and the output to be files (not '-')")
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}: use local or dask")
    items = iter_requests(in_path, text_column, id_column, received_column)
    # Pull the first item now so an unopenable input fails before the output file is
    # created and before the pipeline is built (which takes a moment).
    first = next(items, None)
    regime_key = regime or (triage.regime.key if triage is not None else "foia")

    builder = None
    if report is not None:
        from .report import ReportBuilder

        builder = ReportBuilder()

    done: Counter = Counter()
    has_header = False
    resuming = resume and Path(out).exists()  # type: ignore[arg-type]
    if resuming:
        old_row = None
        if builder is not None:
            old_row = builder.add if fmt == "jsonl" else builder.add_uncounted
        done, has_header = read_done(out, fmt, on_row=old_row)  # type: ignore[arg-type]
        prefix_end = os.path.getsize(out)  # type: ignore[arg-type]

    # grouping: "pass" = stream to the file, annotate in a second pass; "spool" = as lines are made
    mode = None
    if group:
        mode = "pass" if out_is_file and str(in_path) != "-" else "spool"

    stats = BatchStats()
    start = time.perf_counter()
    close = False
    if out_is_file:
        encoding = "utf-8-sig" if fmt == "csv" and not resuming else "utf-8"  # a BOM so Excel reads UTF-8
        stream: IO[str] = open(out, "a" if resuming else "w", encoding=encoding, newline="")  # type: ignore[arg-type]
        close = True
    elif isinstance(out, (str, Path)):
        stream = sys.stdout
    else:
        stream = out  # type: ignore[assignment]

    grouper = spool = old_rows = None
    # The grouper is filled as lines are written, in the order of the output's lines; when resuming,
    # the earlier run's lines (a prefix of the file) are replayed as their records are skipped.
    # Should that order not hold (the input changed), the pass at the end regroups from the files.
    in_step = {"ok": True, "new": False}
    if mode is not None:
        from .roundrobin import BatchGrouper, add_result

        grouper = BatchGrouper(regime=triage.regime if triage is not None else _regime_rules(regime_key))
        if resuming:
            old_rows = _old_rows(out, fmt, prefix_end)  # type: ignore[arg-type]
    if mode == "spool":
        import tempfile

        spool = tempfile.TemporaryFile("w+", encoding="utf-8")
        writer: Any = _JsonlWriter(spool)
    else:
        writer = _CsvWriter(stream, header=not has_header) if fmt == "csv" else _JsonlWriter(stream)

    bar = None
    if progress:
        from tqdm import tqdm

        total = None
        try:
            total = count_records(in_path)
        except OSError:
            pass
        tqdm.monitor_interval = 0  # no monitor thread: worker processes may be forked after this
        bar = tqdm(total=total, unit="req", file=sys.stderr, dynamic_ncols=True)

    def todo() -> Iterator[tuple[int, Item]]:
        for line_no, item in _chain(first, items):
            key = item_key(line_no, item)
            if done[key] > 0:
                done[key] -= 1
                stats.skipped += 1
                if old_rows is not None and in_step["ok"]:
                    old = next(old_rows, None)
                    if old is not None and not in_step["new"] and row_key(old) == key:
                        add_result(grouper, old, item)
                    else:
                        in_step["ok"] = False
                if bar is not None:
                    bar.update(1)
                continue
            in_step["new"] = True
            yield line_no, item

    try:
        wanted = Wanted(row=fmt == "csv" and mode != "spool" or builder is not None or on_result is not None,
                        signature=grouper is not None)
        if engine == "dask":
            from .dask_engine import score_dask

            scored = score_dask(todo(), scheduler=scheduler, client=dask_client, regime=regime_key,
                                chunk_size=chunk_size or 16, wanted=wanted)
        elif jobs > 1:
            scored = score_pool(todo(), jobs, regime=regime_key, chunk_size=chunk_size or 8, wanted=wanted)
        else:
            if triage is None:
                from .pipeline import Triage

                triage = Triage(regime=regime_key)
            scored = score_local(triage, todo(), wanted)
        for line_no, item, sc in scored:
            if grouper is not None:
                grouper.add_signed(sc.id, sc.signed)
            writer.write_scored(sc)
            stats.total += 1
            if sc.error:
                stats.errors += 1
            else:
                stats.ok += 1
            if builder is not None:
                builder.add(sc.row)
            if on_result is not None:
                on_result(sc.row)
            if bar is not None:
                bar.update(1)
        if mode == "spool":
            out_writer = _CsvWriter(stream, header=not has_header) if fmt == "csv" else _JsonlWriter(stream)
            spool.seek(0)
            for index, line in enumerate(spool):
                out_writer.write(grouper.annotate(index, json.loads(line)))
        if old_rows is not None:
            if next(old_rows, None) is not None:  # earlier lines whose records were not met
                in_step["ok"] = False
            old_rows.close()
    finally:
        if spool is not None:
            spool.close()
        if bar is not None:
            bar.close()
        if close:
            stream.close()
        else:
            stream.flush()
    if mode == "pass":
        grouper = _group_pass(Path(out), fmt, in_path, (text_column, id_column, received_column),  # type: ignore[arg-type]
                              triage.regime if triage is not None else _regime_rules(regime_key),
                              grouper=grouper if in_step["ok"] else None, n=stats.skipped + stats.total)
    if grouper is not None:
        stats.cluster_lines = grouper.summary_lines()
        stats.clusters = grouper.clusters()
    stats.seconds = time.perf_counter() - start
    if builder is not None:
        builder.set_clusters(stats.clusters or [])
        builder.write(report, stats=stats, source=str(in_path))
    return stats


def _regime_rules(key: str) -> Any:
    from .deadline import get_regime

    return get_regime(key)


def _chain(first: Optional[tuple[int, Item]], rest: Iterable[tuple[int, Item]]) -> Iterator[tuple[int, Item]]:
    if first is not None:
        yield first
        yield from rest
