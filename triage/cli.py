"""``foi-triage``: triage one request, a batch file, or serve the API.

A thin argparse layer: the reading and writing live in ``triage.batch``,
the work in ``triage.pipeline``. Exit codes: 0 done; 1 the input or output
file cannot be opened; 2 bad input or usage (message on stderr, never a
traceback).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

from . import __version__

EXIT_OK, EXIT_IO, EXIT_INPUT = 0, 1, 2
_REGIMES = ("foia", "foisa", "eir", "eisr")  # triage/data/regimes.yaml
PROG = "foi-triage"


def _err(msg: str) -> None:
    print(f"{PROG}: {msg}", file=sys.stderr)


def _iso_day(value: str) -> date:
    from .batch import parse_received

    try:
        day = parse_received(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if day is None:
        raise argparse.ArgumentTypeError("received date is empty")
    return day


# ------------------------------------------------------------------ text report

def _span(start: Optional[date], end: Optional[date]) -> str:
    if start and end:
        return f"{start} to {end}" if start != end else f"{start}"
    if start:
        return f"from {start} (open end)"
    if end:
        return f"up to {end} (open start)"
    return "(open)"


def render_text(result) -> str:
    """A readable summary of a ``TriageResult`` for a person."""
    lines: list[str] = []
    head = f"Request {result.id}" if result.id else "Request"
    if result.received:
        head += f" (received {result.received})"
    lines.append(head)
    if result.deadline:
        lines.append(f"Response due: {result.deadline}"
                     + (f" ({result.deadline_pit} with a public interest extension)" if result.deadline_pit else "")
                     + (f" [{result.regime.upper()}]" if result.regime != "foia" else ""))
    lines.extend(_signal_lines(result))
    lines.append("")

    n = len(result.questions)
    lines.append(f"Questions ({n}):" if n else "Questions: none found")
    for q in result.questions:
        text = " ".join(q.text.split())
        # "Q1:" rather than "1." since the question text often keeps the requester's own numbering
        lines.append(f"  Q{q.number}: {text}")
        own = [f'"{d.text}" = {_span(d.start, d.end)}' for d in q.dates]
        inherited = [f'"{d.text}" = {_span(d.start, d.end)} (from the introduction)' for d in q.inherited_dates]
        lines.append("     periods: " + ("; ".join(own + inherited) if own or inherited else "none stated"))
        if q.breakdowns:
            lines.append("     breakdowns: " + ", ".join(q.breakdowns))
        if q.topics:
            lines.append("     topics: " + ", ".join(q.topics))
    lines.append("")

    lines.append("Periods asked about:" if result.dates else "Periods asked about: none found")
    for d in result.dates:
        kind = f" [{d.kind}]" if d.kind else ""
        lines.append(f'  - "{d.text}": {_span(d.start, d.end)}{kind}')
    lines.append("Breakdowns:" if result.breakdowns else "Breakdowns: none found")
    for b in result.breakdowns:
        lines.append(f'  - {b.dimension}: "{b.text}"')
    if result.topics:
        lines.append("Topics: " + ", ".join(f"{t.label} ({t.score:.2f})" for t in result.topics))
    if result.exemptions:
        lines.append("Exemptions to consider:")
        for e in result.exemptions:
            name = e.subsection or e.section
            lines.append(f"  - {name}{' (NCND)' if e.ncnd else ''} {e.score:.2f}: {e.reason}"
                         + (f" [cite: {e.cited_as}]" if e.cited_as else ""))
    if result.similar:
        lines.append("Similar disclosures:")
        for s in result.similar:
            lines.append(f"  - {s.reference} {s.title} ({s.score:.2f})".rstrip()
                         + (f" [{', '.join(s.exemptions)}]" if s.exemptions else "")
                         + (f" POSSIBLE REPEAT ({s.repeat_flag})" if s.repeat_flag else ""))
    if result.warnings:
        lines.append("Warnings:")
        for w in result.warnings:
            lines.append(f"  - {w}")
    return "\n".join(lines) + "\n"


def _signal_lines(result) -> list[str]:
    """Request type, cost-limit risk and clarification questions, for the text report."""
    lines = []
    rt = result.request_type
    if rt is not None:
        lines.append(f"Request type: {rt.type.replace('_', ' ')}: {rt.reason}")
    cr = result.cost_risk
    if cr is not None and cr.level != "none":
        lines.append(f"Cost limit risk: {cr.level} (limit £{cr.limit_gbp}, {cr.limit_hours:g} hours; "
                     f"driven by {', '.join(cr.drivers)})")
        for r in cr.reasons:
            where = f"Q{r.question}" if r.question else "request"
            lines.append(f"  - {where}: {r.reason}" + (f' ("{r.text}")' if r.text else ""))
    if result.clarification:
        lines.append("Clarification to consider:")
        for c in result.clarification:
            lines.append(f"  - {c.ask}")
    return lines


# ------------------------------------------------------------------ commands

def cmd_triage(args: argparse.Namespace) -> int:
    from .batch import UndecodableError, decode_bytes

    try:
        if args.file == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as f:
                data = f.read()
    except OSError as e:
        _err(f"cannot read {args.file}: {e.strerror or e}")
        return EXIT_IO
    try:
        text, warning = decode_bytes(data)
    except UndecodableError as e:
        _err(str(e))
        return EXIT_INPUT
    if warning:
        _err(f"warning: {warning}")

    from .pipeline import InputError, Triage

    try:
        result = Triage().triage(text, received=args.received, id=args.id, clarified=args.clarified,
                                 regime=args.regime, similar_per_question=args.similar_per_question)
    except InputError as e:
        _err(str(e))
        return EXIT_INPUT
    if warning:
        result.warnings.append(warning)
    if args.format == "text":
        sys.stdout.write(render_text(result))
    else:
        sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    from .batch import BatchEngineError, run_batch

    if args.jobs < 0 or (args.chunk_size is not None and args.chunk_size < 1):
        _err("--jobs must be 0 (one per core) or more, and --chunk-size at least 1")
        return EXIT_INPUT
    if args.engine == "dask" and not args.scheduler:
        _err("--engine dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
        return EXIT_INPUT
    jobs = args.jobs or os.cpu_count() or 1
    try:
        # run_batch builds the pipeline once for the whole run (once per worker), after the input has opened
        stats = run_batch(args.input, args.output, text_column=args.text_column, id_column=args.id_column,
                          received_column=args.received_column, progress=sys.stderr.isatty(),
                          regime=args.regime, group=not args.no_group, jobs=jobs, resume=args.resume,
                          out_format=args.format, report=args.report, engine=args.engine,
                          scheduler=args.scheduler, chunk_size=args.chunk_size)
    except OSError as e:
        name = getattr(e, "filename", None) or args.input
        _err(f"cannot open {name}: {e.strerror or e}")
        return EXIT_IO
    except ValueError as e:  # an unusable CSV/xlsx header, or --resume into an unusable output
        _err(f"{args.input}: {e}")
        return EXIT_IO
    except (BatchEngineError, ImportError) as e:  # workers or the Dask cluster could not run
        _err(str(e))
        return EXIT_IO
    print(stats.summary(), file=sys.stderr)
    for line in stats.cluster_lines or []:
        print(line, file=sys.stderr)
    return EXIT_OK


def cmd_train(args: argparse.Namespace) -> int:
    from .train import TrainingDataError, format_metrics, train

    extra = None
    if args.with_feedback:  # officers' corrections from the web form (triage/feedback.py)
        exported = _export_feedback(args.feedback_db)
        if exported is None:
            return EXIT_IO
        print(f"feedback: {exported.summary()}", file=sys.stderr)
        extra = exported.rows
    try:
        manifest = train(args.data, args.out, seed=args.seed, log=lambda m: print(m, file=sys.stderr),
                         extra_rows=extra)
    except TrainingDataError as e:
        _err(str(e))
        return EXIT_INPUT
    print(format_metrics(manifest))
    return EXIT_OK


def _export_feedback(db):
    """The officers' feedback in training form, or None (after saying why) when the store cannot be read."""
    from .feedback import FeedbackError, FeedbackStore, export_rows

    try:
        with FeedbackStore(db) as store:
            return export_rows(store)
    except FeedbackError as e:
        _err(str(e))
        return None


def cmd_feedback_export(args: argparse.Namespace) -> int:
    from .feedback import write_jsonl

    exported = _export_feedback(args.db)
    if exported is None:
        return EXIT_IO
    try:
        if args.output == "-":
            write_jsonl(exported.rows, sys.stdout)
        else:
            with open(args.output, "w", encoding="utf-8") as f:
                write_jsonl(exported.rows, f)
    except OSError as e:
        _err(f"cannot write {args.output}: {e.strerror or e}")
        return EXIT_IO
    print(exported.summary(), file=sys.stderr)
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import EvaluationError, format_report, predict, read_jsonl, score

    try:
        gold = read_jsonl(args.gold)
        pred = ({str(r.get("id")): r for r in read_jsonl(args.predictions)} if args.predictions
                else predict(gold))
    except EvaluationError as e:
        _err(str(e))
        return EXIT_INPUT
    metrics = score(gold, pred)
    if args.json:
        print(json.dumps(metrics, indent=2))
    else:
        sys.stdout.write(format_report(metrics))
    return EXIT_OK


def _log_store(args: argparse.Namespace):
    from .disclosures import open_store

    return open_store(args.db)


def cmd_log_import(args: argparse.Namespace) -> int:
    from .disclosures import StoreError
    from .log_import import import_files

    try:
        store = _log_store(args)
        if args.drop_sample:
            print(f"removed {store.drop_sample():,} sample entries", file=sys.stderr)
        report = import_files(store, args.files, progress=sys.stderr.isatty())
    except (StoreError, OSError) as e:
        _err(str(e))
        return EXIT_IO
    for p in report.problems[:50]:
        _err(str(p))
    if len(report.problems) > 50:
        _err(f"... and {len(report.problems) - 50:,} more entries not imported")
    print(report.summary() + f"; the log now holds {store.count():,} entries ({store.location})", file=sys.stderr)
    if store.sample_count() and not args.drop_sample:
        print(f"note: {store.sample_count():,} of them are the shipped sample; --drop-sample removes them",
              file=sys.stderr)
    return EXIT_IO if any(p.where == "file" for p in report.problems) else EXIT_OK


def cmd_log_search(args: argparse.Namespace) -> int:
    from .disclosures import StoreError

    if not args.query.strip():
        _err("the search text is empty")
        return EXIT_INPUT
    if not 1 <= args.k <= 100:
        _err("-k must be between 1 and 100")
        return EXIT_INPUT
    try:
        hits = _log_store(args).search(args.query, k=args.k, ranker=args.ranker)
    except (StoreError, ValueError) as e:
        _err(str(e))
        return EXIT_INPUT if isinstance(e, ValueError) else EXIT_IO
    if args.format == "json":
        out = [{"score": round(h.score, 4), "reference": h.reference, "title": h.title,
                "published": h.published.isoformat() if h.published else None, "url": h.url,
                "exemptions": h.exemptions, "ncnd": h.ncnd, "snippet": h.snippet} for h in hits]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if not hits:
        print("no similar disclosures found")
    for i, h in enumerate(hits, 1):
        cited = ", ".join(h.exemptions) + (" (NCND)" if h.ncnd else "") if h.exemptions or h.ncnd else "none cited"
        print(f"{i}. {h.reference}  {h.title}  ({h.published or 'no date'})  score {h.score:.2f}")
        print(f"   exemptions: {cited}")
        print(f"   {h.snippet}")
        if h.url:
            print(f"   {h.url}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .api import uvicorn_log_config

    if args.workers < 1:
        _err(f"--workers must be 1 or more, not {args.workers}")
        return EXIT_INPUT
    # An import string lets uvicorn start worker processes. Its access log is off: it would log
    # query strings (a search's words); the API logs each request itself, without the text.
    uvicorn.run("triage.api:app", host=args.host, port=args.port, workers=args.workers,
                log_config=uvicorn_log_config(), access_log=False)
    return EXIT_OK


# ------------------------------------------------------------------ parser

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description="Triage UK Freedom of Information requests.")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser("triage", help="triage one request from a file or stdin",
                       description="Triage one request. The text is read from FILE (or stdin with '-' or no "
                                   "FILE) as UTF-8, falling back to Windows-1252 with a warning.")
    t.add_argument("file", nargs="?", default="-", metavar="FILE", help="request text file; '-' for stdin (default)")
    t.add_argument("--received", type=_iso_day, metavar="YYYY-MM-DD",
                   help="day the request arrived; anchors 'the last five years' (default: today)")
    t.add_argument("--id", help="an id to carry into the result")
    t.add_argument("--clarified", type=_iso_day, metavar="YYYY-MM-DD",
                   help="day the answer to a request for clarification arrived; restarts the 20 working days")
    t.add_argument("--regime", choices=_REGIMES, default="foia",
                   help="foia (default), foisa (Scotland), eir or eisr: deadlines, cost limit, exemption numbers")
    t.add_argument("--format", choices=("json", "text"), default="json",
                   help="json (the contract, default) or text (a readable summary)")
    t.add_argument("--similar-per-question", action="store_true",
                   help="also list similar past disclosures for each question")
    t.set_defaults(func=cmd_triage)

    b = sub.add_parser("batch", help="triage a JSONL, CSV or Excel file, writing JSONL or CSV",
                       description="Triage every request in IN (.csv with a header row, .xlsx with a header row, "
                                   "otherwise JSON Lines; '-' reads JSON Lines from stdin) and write one result per "
                                   "record to OUT (JSON Lines, or CSV columns when OUT ends in .csv), in input "
                                   "order. Bad records become {\"id\", \"line\", \"error\"} lines.")
    b.add_argument("input", metavar="IN", help="input .jsonl, .csv or .xlsx file, or '-' for JSON Lines on stdin")
    b.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output .jsonl or .csv file, or '-' for stdout")
    b.add_argument("--format", choices=("jsonl", "csv"), default=None,
                   help="output format (default: csv when OUT ends in .csv, else jsonl)")
    b.add_argument("--text-column", default="text", help="field/column holding the request text (default: text)")
    b.add_argument("--id-column", default="id", help="field/column holding the id (default: id)")
    b.add_argument("--received-column", default="received",
                   help="field/column holding the received date, YYYY-MM-DD (default: received)")
    b.add_argument("--regime", choices=_REGIMES, default="foia",
                   help="regime for records without a 'regime' field: foia (default), foisa, eir or eisr")
    b.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="worker processes, each loading the pipeline once (default 1: in this process; "
                        "0: one per core)")
    b.add_argument("--chunk-size", type=int, default=None, metavar="N",
                   help="records sent to a worker at a time (default 8 with --jobs, 16 with dask)")
    b.add_argument("--resume", action="store_true",
                   help="continue an interrupted run: skip records whose id is already in OUT, append the rest")
    b.add_argument("--no-group", action="store_true",
                   help="skip round-robin grouping (no second pass over OUT)")
    b.add_argument("--report", metavar="REPORT.html", default=None,
                   help="also write a self-contained HTML report of the batch (counts and charts)")
    b.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local (default) or dask: score on the Dask cluster at --scheduler")
    b.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="Dask scheduler address for --engine dask, e.g. tcp://10.0.0.5:8786")
    b.set_defaults(func=cmd_batch)

    tr = sub.add_parser("train", help="retrain the topic and exemption models from training data",
                        description="Cross-validate and fit the topic and exemption classifiers on DATA and write "
                                    "the artifacts with manifest.json (sha256 sums, versions, data hash, seed, "
                                    "cross-validated metrics) to OUT. Same data and seed give the same models.")
    tr.add_argument("--data", type=Path, default=Path("training_data/requests.jsonl"),
                    help="training JSONL (default: training_data/requests.jsonl)")
    tr.add_argument("--out", type=Path, default=None,
                    help="models directory (default: the package's triage/models_data)")
    tr.add_argument("--seed", type=int, default=None, help="random seed (default: the one in triage/train.py)")
    tr.add_argument("--with-feedback", action="store_true",
                    help="also train on officers' corrections (as `foi-triage feedback export` writes them)")
    tr.add_argument("--feedback-db", default=None, metavar="PATH",
                    help="feedback store for --with-feedback (default: $FOI_TRIAGE_FEEDBACK_DB or feedback.db "
                         "next to the disclosure log)")
    tr.set_defaults(func=cmd_train)

    fb = sub.add_parser("feedback", help="officers' feedback from the web form",
                        description="Corrections officers made to topics and exemptions in the web form.")
    fb_sub = fb.add_subparsers(dest="feedback_command", required=True, metavar="ACTION")
    fe = fb_sub.add_parser("export", help="write the feedback as training rows (JSONL)",
                           description="Write one training row per request with feedback (training_data/README.md "
                                       "format): the predicted topics and exemptions corrected by the feedback. "
                                       "Only requests whose text was kept (FOI_TRIAGE_FEEDBACK_KEEP_TEXT=1) can be "
                                       "exported; the others are counted on stderr.")
    fe.add_argument("-o", "--output", default="-", metavar="FILE", help="output .jsonl file, '-' for stdout (default)")
    fe.add_argument("--db", default=None, metavar="PATH",
                    help="feedback store (default: $FOI_TRIAGE_FEEDBACK_DB or feedback.db next to the disclosure log)")
    fe.set_defaults(func=cmd_feedback_export)

    ev = sub.add_parser("evaluate", help="score the pipeline on hand-labelled requests",
                        description="Triage each request of GOLD (JSONL in the evaluation's gold format) and "
                                    "print per-label precision, recall and F1 for topics, exemption sections "
                                    "and breakdowns, and questions, dates, cost limit and NCND figures.")
    ev.add_argument("gold", type=Path, metavar="GOLD.jsonl", help="hand-labelled requests")
    ev.add_argument("--predictions", type=Path, metavar="PRED.jsonl",
                    help="score this batch output instead of triaging the texts")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ev.set_defaults(func=cmd_evaluate)

    lg = sub.add_parser("log", help="the disclosure log: import entries, search them",
                        description="The authority's disclosure log, used for `similar`. The store is "
                                    "$FOI_TRIAGE_DB, else disclosures.db in the user data directory (seeded with "
                                    "the shipped sample), unless --db names one.")
    log_sub = lg.add_subparsers(dest="log_command", required=True, metavar="ACTION")
    li = log_sub.add_parser("import", help="import JSONL, CSV or saved HTML pages (upsert by reference)",
                            description="Import disclosure-log entries from .jsonl, .csv (columns: reference, title, "
                                        "url, published, request, response, exemptions, ncnd, topics) or saved .html "
                                        "pages. Entries are upserted by reference: importing twice changes nothing. "
                                        "Entries that cannot be read are listed on stderr; the rest are imported.")
    li.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".jsonl, .csv or .html files")
    li.add_argument("--db", help="store path or sqlite:///path (default: $FOI_TRIAGE_DB or the user data dir)")
    li.add_argument("--drop-sample", action="store_true",
                    help="remove the shipped sample entries for good (your log replaces them)")
    li.set_defaults(func=cmd_log_import)
    ls = log_sub.add_parser("search", help="the prior disclosures most like a text",
                            description="Ranked prior disclosures with score, reference, title, date, url, "
                                        "exemptions cited and a matching snippet.")
    ls.add_argument("query", metavar="TEXT", help="a request or a few words")
    ls.add_argument("-k", type=int, default=5, help="how many (default 5)")
    ls.add_argument("--db", help="store path or sqlite:///path (default: $FOI_TRIAGE_DB or the user data dir)")
    ls.add_argument("--ranker", default="default", help="default, bm25, bm25f, bm25f+tfidf_tr, bm25f+tfidf, bm25f+char")
    ls.add_argument("--format", choices=("text", "json"), default="text")
    ls.set_defaults(func=cmd_log_search)

    s = sub.add_parser("serve", help="run the HTTP API (uvicorn)")
    s.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    s.add_argument("--workers", type=int, default=1,
                   help="worker processes, each with its own pipeline (default: 1; about one per core)")
    s.set_defaults(func=cmd_serve)
    return p


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    # JSON output is UTF-8 whatever the locale says (texts are full of £, “quotes” and names)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    from .artifacts import ModelIntegrityError

    try:
        return args.func(args)
    except ModelIntegrityError as e:  # missing or tampered model files: say which, never a traceback
        _err(str(e))
        return EXIT_IO
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:  # e.g. `foi-triage batch ... -o - | head`: the reader left, not an error
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
