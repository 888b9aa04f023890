"""The officer web form at ``/``, through FastAPI's TestClient (no JavaScript involved)."""
from __future__ import annotations

import html
import json
import re

import pytest
from fastapi.testclient import TestClient

from triage import web
from triage.api import app
from triage.models import MAX_TEXT_CHARS, TriageResult

REQUEST = """Good afternoon,

Under the Freedom of Information Act please send me:
1. The number of complaints about officers' driving recorded since 01/04/2021, broken down by year and outcome.
2. Whether Sergeant Alan Brierley of the roads policing unit has been investigated for misconduct.
3. The locations of every speed camera in the county.

Many thanks,
Priya"""


@pytest.fixture(scope="module")
def client():
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def page(client) -> str:
    r = client.post("/", data={"text": REQUEST, "received": "2024-05-07", "regime": "foia"})
    assert r.status_code == 200
    return r.text


def _labels_for(page_html: str) -> set[str]:
    return set(re.findall(r'<label for="([^"]+)"', page_html))


def _control_ids(page_html: str) -> set[str]:
    ids = set()
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", page_html):
        if 'type="hidden"' in tag:
            continue
        m = re.search(r'\bid="([^"]+)"', tag)
        assert m, f"a control without an id cannot have a label: {tag}"
        ids.add(m.group(1))
    return ids


def test_the_empty_form_has_a_label_for_every_control(client):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<form class="request" method="post"' in r.text
    assert {"text", "received", "regime"} <= _control_ids(r.text)
    assert _control_ids(r.text) <= _labels_for(r.text)
    assert '<input type="date" id="received"' in r.text
    assert 'id="result"' not in r.text


def test_the_page_forbids_inline_scripts_and_framing(client):
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "<script>" not in client.get("/").text  # the only script is the external file


def test_the_result_numbers_each_question_in_the_text(page):
    for n in (1, 2, 3):
        assert f'<span class="q" id="q{n}"><span class="qnum">Q{n}</span>' in page
    # the text itself is all there, in order, once the markup is taken out
    body = page.split('class="request-text"', 1)[1].split("</div>", 1)[0]
    assert html.unescape(re.sub(r"<[^>]+>|Q\d", "", body.split(">", 1)[1])) == REQUEST


def test_periods_and_breakdowns_are_highlighted_in_place_with_a_legend(page):
    assert '<mark class="hl-period" title="period: 2021-04-01 to open end">since 01/04/2021</mark>' in page
    assert re.search(r'<mark class="hl-breakdown" title="breakdown: year">by year</mark>', page)
    assert 'title="breakdown: outcome">outcome</mark>' in page
    assert 'class="legend"' in page and "period asked about" in page and "breakdown wanted" in page


def test_topics_are_chips_with_scores_and_exemptions_come_with_reasons_and_ncnd(page):
    chips = re.findall(r'<li class="chip">([^<]+) <span class="score"[^>]*>(\d\.\d\d)</span>', page)
    assert chips and all(0 <= float(score) <= 1 for _, score in chips)
    assert "roads vehicles" in [label for label, _ in chips]
    exemptions = page.split('id="exemptions"', 1)[1].split("</ol>", 1)[0]
    assert '<span class="ncnd" title="neither confirm nor deny">NCND</span>' in exemptions
    assert '<p class="reason">' in exemptions and "s40(5)" in exemptions


def test_the_deadline_request_type_and_similar_disclosures_are_shown(page):
    assert '<time datetime="2024-06-05">' in page  # 20 working days after 7 May 2024 (27 May a bank holiday)
    assert 'id="request-type"' in page and 'id="cost-risk"' in page
    similar = page.split('id="similar"', 1)[1].split("</ol>", 1)[0]
    assert re.search(r'<a href="https?://[^"]+" rel="noopener noreferrer">', similar)


def test_html_in_the_request_is_escaped_not_run(client):
    evil = ('How many <script>alert("x")</script> speed cameras <img src=x onerror=alert(1)> are there '
            'since 2020? "><b>bold</b>')
    r = client.post("/", data={"text": evil})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text and "<b>bold</b>" not in r.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in r.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_only_http_links_become_links():
    assert web.safe_url("https://foi.example.org/log/1") == "https://foi.example.org/log/1"
    assert web.safe_url("http://example.org") == "http://example.org"
    for bad in ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>", "ftp://x.org/a", "/relative",
                "https:///nohost", None, ""]:
        assert web.safe_url(bad) is None


@pytest.mark.parametrize("text, message", [
    ("", "text is empty"),
    ("   \n  ", "text is empty"),
    ("a" * (MAX_TEXT_CHARS + 1), "the limit is 100,000"),
    ("\x00\x01\x02 binary", "binary"),
])
def test_bad_text_is_422_with_the_message_and_the_form_refilled(client, text, message):
    r = client.post("/", data={"text": text, "received": "2024-01-02"})
    assert r.status_code == 422
    assert '<div class="error" role="alert" id="form-error">' in r.text
    assert message in r.text
    assert 'aria-invalid="true"' in r.text
    assert 'value="2024-01-02"' in r.text  # what was typed stays in the form
    if text.strip() and len(text) < 1000 and "\x00" not in text:
        assert html.escape(text, quote=False) in r.text


def test_a_bad_received_date_is_422_and_keeps_the_text(client):
    r = client.post("/", data={"text": "How many speed cameras are there?", "received": "31/02/2024"})
    assert r.status_code == 422
    assert "is not a date" in r.text and "How many speed cameras are there?" in r.text


def test_a_missing_text_field_is_the_empty_text_error_not_a_crash(client):
    r = client.post("/", data={"received": ""})
    assert r.status_code == 422 and "text is empty" in r.text


def test_download_returns_the_result_as_an_attachment(client):
    r = client.post("/download", data={"text": REQUEST, "received": "2024-05-07", "regime": "foia"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert re.match(r'attachment; filename="triage-[0-9a-f]{12}\.json"', r.headers["content-disposition"])
    result = TriageResult.model_validate(r.json())
    assert len(result.questions) == 3 and str(result.received) == "2024-05-07"


def test_the_page_carries_the_same_json_and_a_download_form_without_javascript(page):
    pre = page.split('<pre id="result-json">', 1)[1].split("</pre>", 1)[0]
    data = json.loads(html.unescape(pre))
    assert [q["number"] for q in data["questions"]] == [1, 2, 3]
    assert '<form method="post" action="/download">' in page
    assert '<button type="button" id="copy-json" hidden>' in page  # shown by the script only


def test_crlf_line_breaks_from_a_browser_give_the_same_offsets_as_the_pasted_text(client):
    r = client.post("/download", data={"text": REQUEST.replace("\n", "\r\n"), "received": "2024-05-07"})
    q = r.json()["questions"][0]
    assert REQUEST[q["start"]:q["end"]] == q["text"]


def test_highlight_keeps_every_character_and_allows_overlapping_marks():
    text = "Please give figures by year since 2019 for each year."
    result = TriageResult.model_validate({
        "questions": [{"number": 1, "text": text, "start": 0, "end": len(text)}],
        "dates": [{"text": "since 2019", "start": "2019-01-01", "end": None, "start_char": 28, "end_char": 38}],
        "breakdowns": [{"dimension": "year", "text": "by year since", "start_char": 20, "end_char": 33},
                       {"dimension": "year", "text": "beyond the end", "start_char": 40, "end_char": 999}],
    })
    blocks = web.highlight(text, result)
    assert [b.number for b in blocks] == [1]
    assert "".join(p.text for p in blocks[0].pieces) == text
    both = [p for p in blocks[0].pieces if p.classes == "hl-breakdown hl-period"]
    assert [p.text for p in both] == ["since"]
    assert blocks[0].pieces[-1].text.endswith("year.") and blocks[0].pieces[-1].classes == "hl-breakdown"


def test_the_stylesheet_and_script_are_served(client):
    assert client.get("/static/style.css").status_code == 200
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "copy-json" in js.text


def test_a_received_date_at_the_end_of_the_calendar_is_a_clear_error_not_a_crash(client):
    r = client.post("/", data={"text": "How many speed cameras are there?", "received": "9999-12-30"})
    assert r.status_code == 422 and "out of range" in r.text
