"""HTTP API, versioned under ``/v1`` (run: ``foi-triage serve [--workers N]``).

- ``POST /v1/triage``: one request; ``POST /v1/triage/batch``: up to
  ``MAX_BATCH_ITEMS`` in one call, a result or an error per item, in order;
  ``GET /v1/labels``: the vocabularies; ``GET /v1/disclosures/search``.
- ``GET /healthz``: the process is up (loads nothing). ``GET /readyz``: 200 once
  the pipeline and its models are loaded (a background thread started by the
  lifespan handler loads them), 503 until then or when loading failed.

Errors are JSON ``{"detail": "<what is wrong>"}``:

- 422 when the text cannot be triaged (empty, over ``MAX_TEXT_CHARS``
  characters, binary) or the body is not a valid request;
- 413 when the request body is over ``MAX_BODY_BYTES``;
- 401 when ``FOI_TRIAGE_API_KEYS`` is set and a ``/v1`` call has no valid
  ``Authorization: Bearer <key>``;
- 503 while the models cannot be loaded.

Triage calls run on one thread, in arrival order (``_executor``); the web form
shares ``get_triage()`` and ``_run_lock``. Three pure ASGI middlewares,
outermost first: ``RequestContext`` (the ``X-Request-ID`` on every response,
one JSON log line per request, a 500 for anything unhandled), ``ApiKeyAuth``
and ``BodySizeLimit``. Requests carry
personal data: the text is never logged (nor the query string) unless
``FOI_TRIAGE_LOG_TEXT=1``.
"""
from __future__ import annotations

import asyncio
import copy
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal, Optional, get_args, get_origin

from fastapi import APIRouter, FastAPI, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from . import __version__
from . import artifacts as _artifacts
from . import deadline as _deadline
from . import disclosures as _disclosures
from .models import (
    BREAKDOWN_DIMENSIONS, EXEMPTION_SECTIONS, MAX_BATCH_ITEMS, MAX_TEXT_CHARS, PERIOD_KINDS, TOPIC_LABELS,
    BatchItem, ClarificationQuestion, CostActivity, CostLevel, DisclosureSearch, Labels, RegimeInfo, RequestType,
    SimilarDisclosure, TriageBatchRequest, TriageBatchResult, TriageRequest, TriageResult,
)
from .pipeline import InputError, Triage

log = logging.getLogger(__name__)
access_log = logging.getLogger(__name__ + ".access")

# Large enough that any text within MAX_TEXT_CHARS fits even when every character is
# JSON-escaped (a \\uXXXX\\uXXXX pair is 12 bytes), so a long text gets the precise 422
# about its length rather than a 413; anything bigger is refused before it is read.
MAX_BODY_BYTES = 2 * 1024 * 1024

ENV_API_KEYS = "FOI_TRIAGE_API_KEYS"  # comma-separated; unset or empty = no authentication
ENV_LOG_TEXT = "FOI_TRIAGE_LOG_TEXT"  # "1" = log request texts (personal data: off by default)
ENV_PRELOAD = "FOI_TRIAGE_PRELOAD"  # "0" = do not load the models at startup (first request does)
LOGGED_TEXT_CHARS = 2000  # even when texts are logged, a log line stays readable

# an incoming X-Request-ID is echoed only when it looks like an id (it goes into logs and headers)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:+/=@-]{1,128}$")
INTERNAL_ERROR = "internal error while triaging; it has been logged"

_triage: Optional[Triage] = None
_build_lock = threading.Lock()
# spaCy components are not documented as thread-safe, and a triage takes milliseconds, so
# calls are serialised (the web form takes this lock too).
_run_lock = threading.Lock()
# The API's triage calls run on this one thread, first come first served: under load a
# queue in arrival order keeps the slowest responses near the typical ones, where threads
# contending for the lock would let some calls wait far longer than others.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="foi-triage-run")

# the background load started at startup: "idle" (never started), "loading", "ready" or "failed"
_load: dict[str, Any] = {"state": "idle", "error": None, "seconds": None}
_load_lock = threading.Lock()

# exercises every part once (tokenizer, models, disclosure store, holidays) before readiness
_WARMUP_TEXT = ("Dear FOI team,\n1. How many burglaries were recorded in 2023, by ward?\n"
                "2. What did the force spend on body-worn cameras since April 2021?\nThanks")


def get_triage() -> Triage:
    """The process-wide ``Triage``, built on first use (building it takes a moment)."""
    global _triage
    if _triage is None:
        with _build_lock:
            if _triage is None:
                _triage = Triage()
    return _triage


def _load_models() -> None:
    """Build the pipeline and triage one text, in the background; /readyz reports the outcome."""
    t0 = time.perf_counter()
    try:
        triage = get_triage()
        with _run_lock:
            triage.triage(_WARMUP_TEXT, received=dt.date(2024, 1, 15))
    except Exception as exc:  # the probe reports it; a request would get the same error
        _load.update(state="failed", error=f"{type(exc).__name__}: {exc}")
        _log_json(log, logging.ERROR, event="load_failed", **_exception_fields(exc, always_message=True))
    else:
        _load.update(state="ready", error=None, seconds=round(time.perf_counter() - t0, 3))
        _log_json(log, logging.INFO, event="ready", load_seconds=_load["seconds"])


def start_loading() -> None:
    """Start the background load unless it is running or done (idempotent)."""
    with _load_lock:
        if _load["state"] in ("loading", "ready"):
            return
        _load.update(state="loading", error=None)
    threading.Thread(target=_load_models, name="foi-triage-load", daemon=True).start()


def is_ready() -> bool:
    # "idle": no lifespan ran (the app used bare); ready once a request has built the pipeline
    return _triage is not None and _load["state"] in ("ready", "idle")


# ------------------------------------------------------------------ settings read per request

def api_keys() -> tuple[str, ...]:
    """The accepted API keys, read at request time (so they can change without a code change)."""
    raw = os.environ.get(ENV_API_KEYS, "")
    return tuple(k.strip() for k in raw.split(",") if k.strip())


def log_text_enabled() -> bool:
    return os.environ.get(ENV_LOG_TEXT, "").strip() == "1"


def key_is_valid(token: str, keys: tuple[str, ...]) -> bool:
    """Constant-time comparison against every key (no early exit that would time which one matched)."""
    given = token.encode("utf-8", "surrogatepass")
    ok = False
    for key in keys:
        ok |= hmac.compare_digest(given, key.encode("utf-8"))
    return ok


# ------------------------------------------------------------------ logging

def _log_json(logger: logging.Logger, level: int, **fields: Any) -> None:
    if not logger.isEnabledFor(level):
        return
    record = {"ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
              "level": logging.getLevelName(level), **fields}
    logger.log(level, json.dumps(record, ensure_ascii=False, default=str))


def _exception_fields(exc: BaseException, always_message: bool = False) -> dict[str, Any]:
    """Where an error happened, without its message: messages can quote the request text."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    fields: dict[str, Any] = {"error_type": type(exc).__name__,
                              "where": [f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]}
    if always_message or log_text_enabled():
        fields["error"] = str(exc)[:LOGGED_TEXT_CHARS]
    return fields


def text_log_fields(text: str) -> dict[str, Any]:
    """What the access log says about a text: its size and a hash prefix (to spot repeats), not the words."""
    fields: dict[str, Any] = {"text_chars": len(text),
                              "text_sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]}
    if log_text_enabled():
        fields["text"] = text[:LOGGED_TEXT_CHARS]
    return fields


def _note(request: Request, **fields: Any) -> None:
    """Add fields to this request's access log line."""
    state = request.scope.setdefault("state", {})
    state.setdefault("log_fields", {}).update(fields)


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's logging config plus the ``triage`` loggers, one JSON line a record, on stderr."""
    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg["formatters"]["triage_json"] = {"format": "%(message)s"}
    cfg["handlers"]["triage"] = {"class": "logging.StreamHandler", "formatter": "triage_json",
                                 "stream": "ext://sys.stderr"}
    cfg["loggers"]["triage"] = {"handlers": ["triage"], "level": "INFO", "propagate": False}
    return cfg


# ------------------------------------------------------------------ ASGI middleware

async def _send_json(send: Any, status: int, content: dict, headers: tuple = ()) -> None:
    body = json.dumps(content).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    """Outermost middleware: a request id on every response, the access log, the last-resort 500.

    An incoming ``X-Request-ID`` is kept when it is 1-128 characters of
    ``A-Z a-z 0-9 . _ : + / = @ -``; otherwise a uuid4 is made. The id is in
    ``request.state.request_id`` for the endpoints. The log line has the method,
    path (never the query string: ``q`` is a request's words), status,
    duration and whatever the endpoint noted (sizes, a hash prefix).
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        header = (b"x-request-id", rid.encode("ascii"))
        status: Optional[int] = None
        t0 = time.perf_counter()

        async def send_with_id(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            _log_json(log, logging.ERROR, event="unhandled_error", request_id=rid,
                      method=scope.get("method"), path=scope.get("path"), **_exception_fields(exc))
            if status is not None:  # the response had started: all that is left is to drop the connection
                raise RuntimeError(f"response failed after it started (request id {rid})") from None
            await _send_json(send_with_id, 500, {"detail": f"{INTERNAL_ERROR} (request id {rid})"})
        finally:
            fields = state.get("log_fields") or {}
            _log_json(access_log, logging.INFO, event="request", request_id=rid, method=scope.get("method"),
                      path=scope.get("path"), status=status,
                      duration_ms=round((time.perf_counter() - t0) * 1000, 2), **fields)


class ApiKeyAuth:
    """401 for ``/v1`` calls without a valid ``Authorization: Bearer <key>`` when keys are configured.

    Checked before the body is read (and before the size limit), for every
    route under ``/v1`` whichever router defines it. ``/healthz``, ``/readyz``,
    the docs and the web form stay open.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and (scope["path"] == "/v1" or scope["path"].startswith("/v1/")):
            keys = api_keys()
            if keys:
                auth = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
                scheme, _, token = auth.strip().partition(" ")
                if scheme.lower() != "bearer" or not token.strip():
                    await self._refuse(send, "missing API key: send the header 'Authorization: Bearer <key>'")
                    return
                if not key_is_valid(token.strip(), keys):
                    await self._refuse(send, "invalid API key")
                    return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(send: Any, detail: str) -> None:
        await _send_json(send, 401, {"detail": detail}, headers=((b"www-authenticate", b"Bearer"),))


class BodySizeLimit:
    """Pure ASGI middleware answering 413 to request bodies over ``max_bytes``.

    Checks Content-Length up front; a chunked body (no Content-Length) is
    counted as it arrives and buffered up to the limit, then replayed.
    """

    def __init__(self, app: Any, max_bytes: int = MAX_BODY_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                await self._reply(send, 400, "Content-Length is not a number")
                return
            if n > self.max_bytes:
                await self._too_large(send, n)
                return
            await self.app(scope, receive, send)
            return

        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._too_large(send, None)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Any, n: Optional[int]) -> None:
        said = f"is {n:,} bytes, over" if n is not None else "is over"
        await self._reply(send, 413, f"request body {said} the limit of {self.max_bytes:,} bytes "
                                     f"(texts may be up to {MAX_TEXT_CHARS:,} characters)")

    @staticmethod
    async def _reply(send: Any, status: int, detail: str) -> None:
        await _send_json(send, status, {"detail": detail}, headers=((b"connection", b"close"),))


# ------------------------------------------------------------------ the app

DESCRIPTION = f"""
The first read of a UK Freedom of Information request: the separate questions, the periods
asked about, the breakdowns wanted, topics, likely exemptions, case-officer signals and
similar past disclosures.

**Limits.** Texts up to {MAX_TEXT_CHARS:,} characters (422 over it); request bodies up to
{MAX_BODY_BYTES:,} bytes (413 over it, with Content-Length or chunked, before the body is read);
up to {MAX_BATCH_ITEMS} requests per `POST /v1/triage/batch` (422 over it). In a batch a request
that cannot be triaged (empty text, say) gets an error entry; a body that does not match the
schema is refused whole with 422 naming the item (`requests.3.received`).

**Authentication.** When the server has `{ENV_API_KEYS}` set (comma-separated keys), every
`/v1` call needs `Authorization: Bearer <key>` (401 with `WWW-Authenticate: Bearer` otherwise).
`/healthz`, `/readyz`, `/docs`, `/openapi.json` and the web form stay open. With no keys set,
no authentication.

**Request ids.** Every response, errors included, carries `X-Request-ID`: the caller's own when
it is 1-128 characters of letters, digits and `._:+/=@-`, else a new uuid4. Quote it when
reporting a problem.

**Logging.** One JSON line per request (method, path, status, duration_ms, request_id, text
size and a sha256 prefix). Requests contain personal data: the text and the query string are
never logged unless the server sets `{ENV_LOG_TEXT}=1`; error logs give the error type and where
it happened, not its message.

**Health.** `GET /healthz` answers while the process is up; `GET /readyz` answers 200 (with the
model version and manifest) once the models are loaded, 503 before.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI):
    # Load in a thread: the server accepts connections (and /healthz answers) at once,
    # /readyz says 503 until the models are in.
    if os.environ.get(ENV_PRELOAD, "1").strip() != "0":
        start_loading()
    yield


app = FastAPI(title="foi-triage", version=__version__, description=DESCRIPTION, lifespan=_lifespan)
# add_middleware puts each new one outside the previous: the request passes RequestContext,
# then ApiKeyAuth, then BodySizeLimit.
app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
app.add_middleware(ApiKeyAuth)
app.add_middleware(RequestContext)


class ErrorDetail(BaseModel):
    detail: str


@app.exception_handler(InputError)
async def _input_error(request: Request, exc: InputError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": str(exc)})


@app.exception_handler(_artifacts.ModelIntegrityError)
async def _models_missing(request: Request, exc: _artifacts.ModelIntegrityError) -> JSONResponse:
    _log_json(log, logging.ERROR, event="models_unavailable", error=str(exc))
    return JSONResponse(status_code=503, content={"detail": f"the trained models cannot be loaded: {exc}"})


@app.exception_handler(RequestValidationError)
async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # One readable sentence in "detail" (same shape as every other error), the parts in
    # "errors"; the offending input is not echoed back (it can be 100,000 characters).
    errors = []
    for e in exc.errors():
        loc, msg = list(e.get("loc", ())), e.get("msg", "")
        if e.get("type") == "too_long" and loc == ["body", "requests"]:
            got = (e.get("ctx") or {}).get("actual_length")
            msg = f"at most {MAX_BATCH_ITEMS} requests per call" + (f", not {got}" if got is not None else "") \
                  + ": split the batch"
        errors.append({"loc": loc, "msg": msg, "type": e.get("type", "")})
    parts = []
    for e in errors:
        loc = ".".join(str(p) for p in e["loc"] if p != "body")
        parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
    detail = "invalid request: " + "; ".join(parts) if parts else "invalid request"
    return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})


@app.exception_handler(Exception)
async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    # Normally RequestContext answers first; this is the fallback. The message is not logged
    # (it may quote the request), only the error type and where it happened.
    _log_json(log, logging.ERROR, event="unhandled_error", path=request.url.path, **_exception_fields(exc))
    return JSONResponse(status_code=500, content={"detail": INTERNAL_ERROR})


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorDetail, "description": "The body cannot be parsed (not UTF-8) or Content-Length is not a number."},
    401: {"model": ErrorDetail, "description": f"API keys are configured ({ENV_API_KEYS}) and the call has none "
                                               "or a wrong one."},
    413: {"model": ErrorDetail, "description": f"Request body over {MAX_BODY_BYTES:,} bytes."},
    422: {"model": ErrorDetail,
          "description": f"Text empty, over {MAX_TEXT_CHARS:,} characters or binary, or the body is "
                         "not a valid request; `detail` says which."},
    503: {"model": ErrorDetail, "description": "The trained models cannot be loaded."},
}

# Documents the bearer scheme in OpenAPI; ApiKeyAuth enforces it (before the body is read,
# for any route under /v1), so this dependency only declares it.
bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description=f"An API key from the server's {ENV_API_KEYS}; needed only when it is set.")
v1 = APIRouter(prefix="/v1", dependencies=[Security(bearer)], responses={401: _ERRORS[401]})


def _run(triage: Triage, req: TriageRequest) -> TriageResult:
    # Triage.triage turns every problem with the input (dates included) into InputError
    with _run_lock:
        return triage.triage(req.text, received=req.received, id=req.id, clarified=req.clarified,
                             regime=req.regime, similar_per_question=req.similar_per_question)


async def _in_turn(fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` on the triage thread, after the calls already waiting."""
    return await asyncio.get_running_loop().run_in_executor(_executor, fn, *args)


def _run_one(req: TriageRequest) -> TriageResult:
    return _run(get_triage(), req)


@v1.post("/triage", response_model=TriageResult, responses=_ERRORS, summary="Triage one request")
async def triage_request(req: TriageRequest, request: Request) -> TriageResult:
    """Split the request into questions and read its periods, breakdowns and more (see CONTRACT.md)."""
    _note(request, **text_log_fields(req.text))
    return await _in_turn(_run_one, req)


@v1.post("/triage/batch", response_model=TriageBatchResult, responses=_ERRORS,
         summary=f"Triage up to {MAX_BATCH_ITEMS} requests")
async def triage_batch(body: TriageBatchRequest, request: Request) -> TriageBatchResult:
    """One entry per request, in order: `ok` with the `result`, or not `ok` with the `error`
    (empty, too long or binary text, unknown regime...). One bad request does not fail the call."""
    triage = await _in_turn(get_triage)
    rid = request.scope.get("state", {}).get("request_id", "")
    items: list[BatchItem] = []
    for i, req in enumerate(body.requests):
        try:
            # queued one at a time, so single calls take their turn between a batch's requests
            items.append(BatchItem(index=i, id=req.id, ok=True, result=await _in_turn(_run, triage, req)))
        except InputError as e:
            items.append(BatchItem(index=i, id=req.id, ok=False, error=str(e)))
        except _artifacts.ModelIntegrityError:
            raise
        except Exception as exc:  # a bug on one request must not lose the rest of the batch
            _log_json(log, logging.ERROR, event="batch_item_error", request_id=rid, index=i,
                      **_exception_fields(exc))
            items.append(BatchItem(index=i, id=req.id, ok=False, error=f"{INTERNAL_ERROR} (request id {rid})"))
    errors = sum(not it.ok for it in items)
    _note(request, items=len(items), item_errors=errors, text_chars=sum(len(r.text) for r in body.requests),
          **({"texts": [r.text[:LOGGED_TEXT_CHARS] for r in body.requests]} if log_text_enabled() else {}))
    return TriageBatchResult(results=items, ok=len(items) - errors, errors=errors)


def _literal_values(tp: Any) -> list[str]:
    """The values of a ``Literal`` type (also inside ``Optional[...]``), in order."""
    if get_origin(tp) is Literal:
        return [str(v) for v in get_args(tp)]
    return [v for arg in get_args(tp) for v in _literal_values(arg)]


def _section_order(subsection: str) -> tuple[int, str]:
    m = re.match(r"s(\d+)", subsection)
    return (int(m.group(1)) if m else 0, subsection)


def labels() -> Labels:
    """Every vocabulary, from where the code defines it: the models' Literals, the data files, the manifest."""
    try:
        manifest = _artifacts.read_manifest()
        trained = {name: list(m.get("labels", [])) for name, m in (manifest.get("models") or {}).items()}
    except _artifacts.ModelIntegrityError:
        trained = {}
    return Labels(
        topics=list(TOPIC_LABELS),
        breakdown_dimensions=list(BREAKDOWN_DIMENSIONS),
        period_kinds=list(PERIOD_KINDS),
        exemption_sections=list(EXEMPTION_SECTIONS),
        ncnd_forms=sorted(_disclosures.NCND_FORMS, key=_section_order),
        request_types=_literal_values(RequestType.model_fields["type"].annotation),
        cost_risk_levels=_literal_values(CostLevel),
        cost_activities=_literal_values(CostActivity),
        clarification_kinds=_literal_values(ClarificationQuestion.model_fields["kind"].annotation),
        repeat_flags=_literal_values(SimilarDisclosure.model_fields["repeat_flag"].annotation),
        regimes=[RegimeInfo(key=r.key, name=r.name, short=r.short)
                 for r in map(_deadline.get_regime, _deadline.regime_names())],
        disclosure_rankers=["default", *_disclosures.RANKERS],
        trained_labels=trained,
    )


@v1.get("/labels", response_model=Labels, summary="The label vocabularies")
def get_labels() -> Labels:
    """Topics, breakdown dimensions, period kinds, exemption sections, request types, cost-risk
    levels, clarification kinds, regimes and the labels each trained model predicts."""
    return labels()


_store: Optional[Any] = None  # the disclosure log searched; the default store unless set (tests)


def get_store() -> Any:
    global _store
    if _store is None:
        _store = _disclosures.default_store()
    return _store


@v1.get("/disclosures/search", response_model=DisclosureSearch, summary="Search the disclosure log",
        responses={422: {"model": ErrorDetail, "description": "q empty or too long, k out of 1-100, unknown ranker."}})
def search_disclosures(request: Request,
                       q: str = Query(..., max_length=MAX_TEXT_CHARS, description="A request or a few words."),
                       k: int = Query(5, ge=1, le=100, description="How many to return."),
                       ranker: str = Query("default", description="default, or one of the measured variants "
                                                                  "(bm25, bm25f, bm25f+tfidf_tr, bm25f+tfidf, bm25f+char).")
                       ) -> DisclosureSearch:
    """Prior disclosures most like `q`: score, reference, title, date, url, exemptions cited and a snippet."""
    _note(request, **{f"query_{name}": value for name, value in text_log_fields(q).items()})
    if not q.strip():
        raise InputError("q is empty: give a request or a few words to search for")
    if ranker != "default" and ranker not in _disclosures.RANKERS:
        raise InputError(f"unknown ranker {ranker!r}; choose from default, {', '.join(_disclosures.RANKERS)}")
    hits = get_store().search(q, k=k, ranker=ranker)
    return DisclosureSearch(query=q, k=k, ranker=_disclosures.DEFAULT_RANKER if ranker == "default" else ranker,
                            results=_disclosures.to_similar(hits, None))


app.include_router(v1)
# the officer web form (GET/POST /, /download, /feedback) and its CSS/JS: triage/web.py
from . import web as _web  # noqa: E402  (imported here: it calls back into get_triage)
from fastapi.staticfiles import StaticFiles  # noqa: E402

app.include_router(_web.router)
app.mount("/static", StaticFiles(directory=_web.STATIC_DIR), name="static")


# ------------------------------------------------------------------ health

class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    version: str = Field(description="The foi-triage package version.")
    model_version: str = Field(description="`model_version` in every result.")
    load_seconds: Optional[float] = Field(None, description="How long the startup load took.")
    manifest: dict[str, Any] = Field(default_factory=dict,
                                     description="The trained models' manifest: who made it, the seed, the training "
                                                 "data hash, library versions, labels per model, its own sha256.")


class NotReady(BaseModel):
    status: Literal["loading", "failed", "idle"]
    detail: str


@app.get("/healthz", response_model=Health, summary="Liveness check")
async def healthz() -> Health:
    """The process is up. Loads nothing."""
    return Health()


def _manifest_summary(triage: Triage) -> dict[str, Any]:
    try:
        models_dir = getattr(triage.nlp.get_pipe("foi_topics"), "models_dir", None)
    except KeyError:
        models_dir = None
    try:
        manifest = _artifacts.read_manifest(models_dir)
        sha = _artifacts.sha256_file(_artifacts.resolve(models_dir) / _artifacts.MANIFEST)
    except _artifacts.ModelIntegrityError as e:
        return {"error": str(e)}
    return {
        "sha256": sha,
        "created_by": manifest.get("created_by"),
        "format": manifest.get("format"),
        "seed": manifest.get("seed"),
        "training_data": {k: v for k, v in (manifest.get("training_data") or {}).items() if k != "path"},
        "versions": manifest.get("versions"),
        "models": {name: {"labels": len(m.get("labels", []))} for name, m in (manifest.get("models") or {}).items()},
    }


@app.get("/readyz", response_model=Readiness, summary="Readiness check",
         responses={503: {"model": NotReady, "description": "The models are loading, or loading failed."}})
async def readyz() -> Any:
    """200 once the pipeline and models are loaded; 503 (with `Retry-After` while loading) before. Never loads them itself."""
    if not is_ready():
        state = _load["state"]
        if state == "failed":
            return JSONResponse(status_code=503, content={"status": "failed",
                                                          "detail": f"loading the models failed: {_load['error']}"})
        detail = "loading the pipeline and models" if state == "loading" else \
            "the models are loaded at startup or by the first request; neither has happened yet"
        return JSONResponse(status_code=503, headers={"Retry-After": "1"},
                            content={"status": "loading" if state == "loading" else "idle", "detail": detail})
    triage = _triage
    assert triage is not None
    if _load.get("manifest") is None:  # read once: probes come every few seconds
        _load["manifest"] = _manifest_summary(triage)
    return Readiness(version=__version__, model_version=triage.version, load_seconds=_load["seconds"],
                     manifest=_load["manifest"])
