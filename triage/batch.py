"""Batch triage: stream requests from JSONL or CSV, write one JSON result a line.

The pieces are plain functions so the CLI, a notebook or a parallel runner
can share them:

- ``decode_bytes`` turns raw bytes into text (UTF-8, else Windows-1252);
- ``iter_requests`` reads an input file lazily and yields, for every input
  record, ``(line_no, TriageRequest | ErrorLine)``;
- ``triage_one`` runs one request and returns the output line as a dict
  (a result, or an error line when the text cannot be triaged);
- ``run_batch`` ties them together, streaming: memory does not grow with
  the size of the input, and output lines come in input order.

A bad record never stops the run: it becomes an output line
``{"id": ..., "line": N, "error": "..."}``.
"""
from __future__ import annotations

import csv
import json
import logging
import re
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Union

from pydantic import Field, ValidationError

from .models import ErrorLine, TriageRequest

if TYPE_CHECKING:  # importing the pipeline loads spaCy; only the runner needs it
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
    """``YYYY-MM-DD`` -> date; empty or missing -> None; anything else -> ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str) and _ISO_DAY.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"received {json.dumps(value)} is not a date in YYYY-MM-DD form")


def _id_of(value: Any) -> Optional[str]:
    if value is None or value == "":
        return None
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


def is_csv(path: PathLike) -> bool:
    return str(path).lower().endswith(".csv")


def iter_requests(path: PathLike, text_column: str = "text", id_column: str = "id",
                  received_column: str = "received", *, stream: Optional[IO[bytes]] = None
                  ) -> Iterator[tuple[int, Item]]:
    """Yield ``(line_no, TriageRequest | ErrorLine)`` for each record of a JSONL or CSV file.

    ``path`` ending in ``.csv`` is read as CSV with a header row, anything else
    as JSON Lines; ``-`` reads JSON Lines from stdin. Pass ``stream`` (binary)
    to read from an already-open file. Line numbers are 1-based physical lines
    (for CSV, the line where the record starts; the header is line 1).
    Raises ``OSError`` when the file cannot be opened and ``ValueError`` when
    a CSV file has no usable header; every other problem is an ``ErrorLine``.
    """
    reader = _iter_csv if is_csv(path) else _iter_jsonl
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
    from .pipeline import InputError

    if isinstance(item, ErrorLine):
        return item.model_dump(mode="json")
    try:
        result = triage.triage(item.text, received=item.received, id=item.id, clarified=item.clarified,
                               regime=item.regime)
    except InputError as e:
        return ErrorLine(id=item.id, line=line_no, error=str(e)).model_dump(mode="json")
    except Exception as e:  # a bug on one request must not lose the rest of the batch
        log.exception("triage failed on line %d", line_no)
        return ErrorLine(id=item.id, line=line_no,
                         error=f"internal error while triaging: {type(e).__name__}: {e}").model_dump(mode="json")
    warning = request_warning(item)
    if warning:
        result.warnings.append(warning)
    return result.model_dump(mode="json")


@dataclass
class BatchStats:
    total: int = 0
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    cluster_lines: Optional[list] = None  # round-robin clusters, for the report after the summary

    def summary(self) -> str:
        rate = self.total / self.seconds if self.seconds > 0 else 0.0
        return (f"{self.total} requests, {self.ok} ok, {self.errors} errors "
                f"in {self.seconds:.1f} s ({rate:.1f}/s)")


def count_records(path: PathLike) -> Optional[int]:
    """Non-blank lines of a JSONL file (for a progress total); None when unknown (stdin, CSV)."""
    if str(path) == "-" or is_csv(path):
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
              group: bool = True) -> BatchStats:
    """Triage every record of ``in_path`` and write one JSON line per record to ``out``.

    ``out`` is a path (``-`` for stdout) or an open text stream. ``progress``
    shows a tqdm bar on stderr. Opening errors propagate (``OSError``,
    ``ValueError`` for an unusable CSV header); per-record problems become
    error lines.

    ``regime`` (foia, foisa, eir, eisr) applies to records without their own.
    With ``group`` (the default) near-identical requests get a round-robin
    ``cluster`` and same-requester requests a cost aggregation note
    (``triage.roundrobin``): lines are then spooled to a temporary file and
    written, annotated, at the end; memory still holds only signatures.
    """
    items = iter_requests(in_path, text_column, id_column, received_column)
    # Pull the first item now so an unopenable input fails before the output file is
    # created and before the pipeline is built (which takes a moment).
    first = next(items, None)
    if triage is None:
        from .pipeline import Triage

        triage = Triage(regime=regime or "foia")
    grouper = None
    if group:
        import tempfile

        from .roundrobin import BatchGrouper, add_result

        grouper = BatchGrouper(regime=getattr(triage, "regime", None))
        spool = tempfile.TemporaryFile("w+", encoding="utf-8")

    stats = BatchStats()
    start = time.perf_counter()
    close = False
    if isinstance(out, (str, Path)):
        if str(out) == "-":
            stream: IO[str] = sys.stdout
        else:
            stream = open(out, "w", encoding="utf-8", newline="\n")
            close = True
    else:
        stream = out
    bar = None
    if progress:
        from tqdm import tqdm

        total = None
        try:
            total = count_records(in_path)
        except OSError:
            pass
        bar = tqdm(total=total, unit="req", file=sys.stderr, dynamic_ncols=True)
    try:
        for line_no, item in _chain(first, items):
            row = triage_one(triage, line_no, item)
            if grouper is not None:
                add_result(grouper, row, item)
            (spool if grouper is not None else stream).write(json.dumps(row, ensure_ascii=False) + "\n")
            stats.total += 1
            if "error" in row and "questions" not in row:
                stats.errors += 1
            else:
                stats.ok += 1
            if on_result is not None:
                on_result(row)
            if bar is not None:
                bar.update(1)
        if grouper is not None:
            grouper.rewrite(spool, stream)
            stats.cluster_lines = grouper.summary_lines()
    finally:
        if grouper is not None:
            spool.close()
        if bar is not None:
            bar.close()
        if close:
            stream.close()
        else:
            stream.flush()
        stats.seconds = time.perf_counter() - start
    return stats


def _chain(first: Optional[tuple[int, Item]], rest: Iterable[tuple[int, Item]]) -> Iterator[tuple[int, Item]]:
    if first is not None:
        yield first
        yield from rest
