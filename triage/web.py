"""The officer web form: ``GET /`` and ``POST /`` (triage a pasted request), ``POST /download``
(the result as a JSON file) and ``POST /feedback`` (mark topics and exemptions wrong, add missing ones).

Server-rendered (Jinja2 templates in ``templates/``, CSS and one small script in
``static/``) and usable without JavaScript. A thin layer: the work is the one
``Triage`` of ``triage.api`` (under its run lock); this module only lays the
result out for reading, e.g. cutting the text into highlighted pieces at the
result's character offsets. All text is escaped by the templates (autoescape):
the request is untrusted input.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from . import feedback as _feedback
from .artifacts import ModelIntegrityError
from .models import MAX_TEXT_CHARS, TOPIC_LABELS, TriageResult

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

# Defence in depth behind the templates' escaping: no inline script, nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _label(value: str) -> str:
    return str(value).replace("_", " ")


templates.env.filters["label"] = _label


def safe_url(url: Optional[str]) -> Optional[str]:
    """The URL when it is http(s) with a host, else None (no javascript:, data: ... links)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


# ------------------------------------------------------------------ highlighting

@dataclass
class Piece:
    text: str
    classes: str = ""  # "hl-period", "hl-breakdown" or both; "" for plain text
    title: str = ""


@dataclass
class Block:
    """A run of the text: a numbered question, or text between questions."""

    pieces: list[Piece] = field(default_factory=list)
    number: Optional[int] = None


def _period_title(d) -> str:
    start = d.start.isoformat() if d.start else "open start"
    end = d.end.isoformat() if d.end else "open end"
    return f"period: {start} to {end}"


def highlight(text: str, result: TriageResult) -> list[Block]:
    """Cut ``text`` into blocks (questions and the text between them) of pieces marked as periods
    and breakdowns, from the result's character offsets (clamped to the text; overlaps allowed)."""
    n = len(text)

    def clamp(s: int, e: int) -> tuple[int, int]:
        return max(0, min(s, n)), max(0, min(e, n))

    questions = []
    last_end = 0
    for q in sorted(result.questions, key=lambda q: q.start):
        s, e = clamp(q.start, q.end)
        s = max(s, last_end)  # questions never overlap on the page
        if s < e:
            questions.append((s, e, q.number))
            last_end = e
    marks = []  # (start, end, class, title)
    for d in result.dates:
        s, e = clamp(d.start_char, d.end_char)
        if s < e:
            marks.append((s, e, "hl-period", _period_title(d)))
    for b in result.breakdowns:
        s, e = clamp(b.start_char, b.end_char)
        if s < e:
            marks.append((s, e, "hl-breakdown", f"breakdown: {_label(b.dimension)}"))

    cuts = sorted({0, n, *(x for q in questions for x in q[:2]), *(x for m in marks for x in m[:2])})
    blocks: list[Block] = []
    for s, e in zip(cuts, cuts[1:]):
        number = next((q[2] for q in questions if q[0] <= s and e <= q[1]), None)
        active = [m for m in marks if m[0] <= s and e <= m[1]]
        classes = " ".join(sorted({m[2] for m in active}))
        title = "; ".join(dict.fromkeys(m[3] for m in active))
        if not blocks or blocks[-1].number != number:
            blocks.append(Block(number=number))
        pieces = blocks[-1].pieces
        if pieces and pieces[-1].classes == classes and pieces[-1].title == title:
            pieces[-1].text += text[s:e]
        else:
            pieces.append(Piece(text[s:e], classes, title))
    return blocks


# ------------------------------------------------------------------ form handling

class FormError(ValueError):
    pass


def _parse_date(value: str) -> Optional[dt.date]:
    from .batch import parse_received

    try:
        return parse_received(value)
    except ValueError:
        raise FormError(f"received date {value!r} is not a date: use the date picker or YYYY-MM-DD") from None


def _normalise(text: str) -> str:
    # browsers send a textarea's line breaks as CRLF (and HTML parsing turns a lone CR into LF):
    # triage the text as it was pasted, so that offsets and the feedback's hash stay the same
    return text.replace("\r\n", "\n").replace("\r", "\n")


def run_triage(text: str, received: Optional[dt.date], regime: str) -> TriageResult:
    """The one pipeline of the API, run as the API runs it (its run lock, its input errors)."""
    from . import api
    from .models import TriageRequest

    return api._run(api.get_triage(), TriageRequest(text=text, received=received, regime=regime or None))


def _regimes() -> list[tuple[str, str]]:
    from .deadline import get_regime, regime_names

    return [(key, get_regime(key).name) for key in regime_names()]


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    base = {"max_chars": MAX_TEXT_CHARS, "regimes": _regimes(), "text": "", "received": "", "regime": "foia",
            "error": None, "result": None}
    response = templates.TemplateResponse(request, "index.html", {**base, **context}, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _feedback_context(text: str, result: TriageResult) -> dict[str, Any]:
    predicted_ex = [e.subsection or e.section for e in result.exemptions]
    return {
        "sha256": _feedback.text_sha256(text),
        "keep_text": _feedback.keep_text(),
        "model_version": _feedback.current_model_version(),
        "predicted_topics": [t.label for t in result.topics],
        "predicted_exemptions": predicted_ex,
        "topic_choices": [t for t in TOPIC_LABELS if t not in {x.label for x in result.topics}],
        "exemption_choices": [(form, info) for form, info in _feedback.exemption_forms().items()
                              if form not in predicted_ex],
    }


@router.get("/", response_class=HTMLResponse)
def form_page(request: Request) -> HTMLResponse:
    return _page(request, {})


@router.post("/", response_class=HTMLResponse)
def triage_page(request: Request, text: str = Form(""), received: str = Form(""),
                regime: str = Form("foia")) -> HTMLResponse:
    from .pipeline import InputError

    text = _normalise(text)
    context: dict[str, Any] = {"text": text, "received": received, "regime": regime}
    try:
        day = _parse_date(received)
        result = run_triage(text, day, regime)
    except (InputError, FormError) as e:
        return _page(request, {**context, "error": str(e)}, status_code=422)
    except ModelIntegrityError as e:  # the deployment's fault, not the officer's: say what is wrong
        return _page(request, {**context, "error": f"the trained models cannot be loaded: {e}"}, status_code=503)
    payload = result.model_dump(mode="json")
    return _page(request, {
        **context,
        "result": result,
        "blocks": highlight(text, result),
        "json_text": json.dumps(payload, ensure_ascii=False, indent=2),
        "similar": [(s, safe_url(s.url)) for s in result.similar],
        "feedback": _feedback_context(text, result),
    })


@router.post("/download")
def download(request: Request, text: str = Form(""), received: str = Form(""),
             regime: str = Form("foia")) -> Response:
    """The result as a JSON file (triaged again from the posted text: works without JavaScript)."""
    from .pipeline import InputError

    text = _normalise(text)
    context = {"text": text, "received": received, "regime": regime}
    try:
        result = run_triage(text, _parse_date(received), regime)
    except (InputError, FormError) as e:
        return _page(request, {**context, "error": str(e)}, status_code=422)
    except ModelIntegrityError as e:
        return _page(request, {**context, "error": f"the trained models cannot be loaded: {e}"}, status_code=503)
    name = f"triage-{_feedback.text_sha256(text)[:12]}.json"
    body = json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff"})


@router.post("/feedback", response_class=HTMLResponse)
async def submit_feedback(request: Request) -> HTMLResponse:
    form = await request.form()

    def many(name: str) -> list[str]:
        return [str(v) for v in form.getlist(name) if str(v).strip()]

    text = form.get("text")
    try:
        fb = _feedback.Feedback(
            text_sha256=str(form.get("text_sha256", "")),
            predicted_topics=many("predicted_topic"), predicted_exemptions=many("predicted_exemption"),
            wrong_topics=many("wrong_topic"), wrong_exemptions=many("wrong_exemption"),
            added_topics=many("add_topic"), added_exemptions=many("add_exemption"),
            model_version=str(form.get("model_version", "")), received=_parse_date(str(form.get("received", ""))),
            regime=str(form.get("regime", "foia"))[:20],
            text=_normalise(str(text)) if text and _feedback.keep_text() else None)
        fb.validate()
        if fb.empty:
            raise _feedback.FeedbackError("nothing to record: tick a suggestion that is wrong or choose a missing one")
        fid = _store().add(fb)
    except (_feedback.FeedbackError, FormError) as e:
        return _thanks(request, error=str(e), status_code=422)
    return _thanks(request, fb=fb, fid=fid)


def _thanks(request: Request, fb: Optional[_feedback.Feedback] = None, fid: Optional[int] = None,
            error: Optional[str] = None, status_code: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, "feedback.html", {"fb": fb, "fid": fid, "error": error},
                                          status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


_feedback_store: Optional[_feedback.FeedbackStore] = None  # opened on first use; tests may set it
_store_lock = threading.Lock()


def _store() -> _feedback.FeedbackStore:
    global _feedback_store
    with _store_lock:
        if _feedback_store is None:
            _feedback_store = _feedback.FeedbackStore()
        return _feedback_store
