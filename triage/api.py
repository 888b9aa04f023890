"""HTTP API: ``POST /v1/triage`` and ``GET /healthz`` (run: ``foi-triage serve``).

Errors are JSON ``{"detail": "<what is wrong>"}``:

- 422 when the text cannot be triaged (empty, over ``MAX_TEXT_CHARS``
  characters, binary) or the body is not a valid ``TriageRequest``;
- 413 when the request body is over ``MAX_BODY_BYTES``.
"""
from __future__ import annotations

import json
import logging
import threading
from typing import Any, Optional

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import __version__
from . import disclosures as _disclosures
from .models import MAX_TEXT_CHARS, DisclosureSearch, TriageRequest, TriageResult
from .pipeline import InputError, Triage

log = logging.getLogger(__name__)

# Large enough that any text within MAX_TEXT_CHARS fits even when every character is
# JSON-escaped (a \\uXXXX\\uXXXX pair is 12 bytes), so a long text gets the precise 422
# about its length rather than a 413; anything bigger is refused before it is read.
MAX_BODY_BYTES = 2 * 1024 * 1024

_triage: Optional[Triage] = None
_build_lock = threading.Lock()
# The endpoint runs in FastAPI's thread pool; spaCy components are not documented as
# thread-safe, and a triage takes milliseconds, so calls are serialised.
_run_lock = threading.Lock()


def get_triage() -> Triage:
    """The process-wide ``Triage``, built on first use (building it takes a moment)."""
    global _triage
    if _triage is None:
        with _build_lock:
            if _triage is None:
                _triage = Triage()
    return _triage


class ErrorDetail(BaseModel):
    detail: str


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
        body = json.dumps({"detail": detail}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


app = FastAPI(
    title="foi-triage",
    version=__version__,
    description="The first read of a UK Freedom of Information request: the separate questions, "
                "the periods asked about, the breakdowns wanted, topics, likely exemptions and "
                f"similar past disclosures. Texts up to {MAX_TEXT_CHARS:,} characters; request "
                f"bodies up to {MAX_BODY_BYTES:,} bytes.",
)
app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)


@app.exception_handler(InputError)
async def _input_error(request: Request, exc: InputError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": str(exc)})


@app.exception_handler(RequestValidationError)
async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # One readable sentence in "detail" (same shape as every other error), the parts in
    # "errors"; the offending input is not echoed back (it can be 100,000 characters).
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    parts = []
    for e in errors:
        loc = ".".join(str(p) for p in e["loc"] if p != "body")
        parts.append(f"{loc}: {e['msg']}" if loc else e["msg"])
    detail = "invalid request: " + "; ".join(parts) if parts else "invalid request"
    return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})


@app.exception_handler(Exception)
async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path)
    return JSONResponse(status_code=500, content={"detail": "internal error while triaging; it has been logged"})


_ERRORS = {
    413: {"model": ErrorDetail, "description": f"Request body over {MAX_BODY_BYTES:,} bytes."},
    422: {"model": ErrorDetail,
          "description": f"Text empty, over {MAX_TEXT_CHARS:,} characters or binary, or the body is "
                         "not a valid request; `detail` says which."},
}


@app.post("/v1/triage", response_model=TriageResult, responses=_ERRORS, summary="Triage one request")
def triage_request(req: TriageRequest) -> TriageResult:
    """Split the request into questions and read its periods, breakdowns and more (see CONTRACT.md)."""
    triage = get_triage()
    with _run_lock:
        return triage.triage(req.text, received=req.received, id=req.id, clarified=req.clarified,
                             regime=req.regime, similar_per_question=req.similar_per_question)


_store: Optional[Any] = None  # the disclosure log searched; the default store unless set (tests)


def get_store() -> Any:
    global _store
    if _store is None:
        _store = _disclosures.default_store()
    return _store


@app.get("/v1/disclosures/search", response_model=DisclosureSearch, summary="Search the disclosure log",
         responses={422: {"model": ErrorDetail, "description": "q empty or too long, k out of 1-100, unknown ranker."}})
def search_disclosures(q: str = Query(..., max_length=MAX_TEXT_CHARS, description="A request or a few words."),
                       k: int = Query(5, ge=1, le=100, description="How many to return."),
                       ranker: str = Query("default", description="default, or one of the measured variants "
                                                                  "(bm25, bm25f, bm25f+tfidf_tr, bm25f+tfidf, bm25f+char).")
                       ) -> DisclosureSearch:
    """Prior disclosures most like `q`: score, reference, title, date, url, exemptions cited and a snippet."""
    if not q.strip():
        raise InputError("q is empty: give a request or a few words to search for")
    if ranker != "default" and ranker not in _disclosures.RANKERS:
        raise InputError(f"unknown ranker {ranker!r}; choose from default, {', '.join(_disclosures.RANKERS)}")
    hits = get_store().search(q, k=k, ranker=ranker)
    return DisclosureSearch(query=q, k=k, ranker=_disclosures.DEFAULT_RANKER if ranker == "default" else ranker,
                            results=_disclosures.to_similar(hits, None))


@app.get("/healthz", summary="Liveness check")
def healthz() -> dict:
    return {"status": "ok"}
