"""The HTML report of a batch: counts as charts, self-contained, escaped."""
from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

from triage.report import ReportBuilder, bar_chart


def _result(id, topics, rtype, exemptions, dates, level, deadline, drivers=()):
    return {"id": id, "questions": [{"text": "q"}], "received": "2024-03-01",
            "topics": [{"label": t, "score": 0.9} for t in topics],
            "request_type": {"type": rtype},
            "exemptions": [{"section": s, "ncnd": n, "score": 0.7} for s, n in exemptions],
            "dates": [{"text": "x", "start": a, "end": b} for a, b in dates],
            "cost_risk": {"level": level, "drivers": list(drivers)}, "deadline": deadline}


ROWS = [
    _result("a", ["custody", "workforce_hr"], "foi", [("s40", True), ("s31", False)],
            [("2021-01-01", "2022-12-31")], "likely", "2024-03-28", ["extracting"]),
    _result("b", ["custody"], "foi", [("s31", False)], [("2022-04-01", "2023-03-31"), ("2022-01-01", None)],
            "none", "2024-03-29"),
    _result("c", ["roads_vehicles"], "subject_access", [], [(None, "2020-01-01"), ("1900-01-01", "2020-01-01")],
            "possible", "2024-04-08", ["locating"]),
    {"id": "d", "line": 9, "error": "text is empty: <script>alert(1)</script>"},
]


def _report(**kw) -> tuple[ReportBuilder, str]:
    b = ReportBuilder(today=dt.date(2024, 4, 1))
    for r in ROWS:
        b.add(r)
    b.set_clusters([SimpleNamespace(id="rr1", members=["a", "b"])])
    return b, b.render(stats=SimpleNamespace(skipped=0, seconds=1.5), source="backlog.jsonl", **kw)


def test_the_counters_hold_what_the_rows_say():
    b, _ = _report()
    assert (b.ok, b.errors) == (3, 1)
    assert b.topics == {"custody": 2, "workforce_hr": 1, "roads_vehicles": 1}
    assert b.request_types == {"foi": 2, "subject_access": 1}
    assert b.exemptions == {"s40": 1, "s31": 1, "none suggested": 1} and b.ncnd == 1
    # each year once per request; the open-start and the 120-year periods are left out
    assert b.years == {2021: 1, 2022: 2, 2023: 1, 2024: 1}
    assert b.cost_levels == {"likely": 1, "none": 1, "possible": 1}
    assert b.cost_drivers == {"extracting": 1, "locating": 1}


def _bars(page: str, title: str) -> dict[str, int]:
    """The bars of the chart titled ``title``: {label: count}, read back from the SVG."""
    svg = page.split(f"<title>{title}</title>", 1)[1].split("</svg>", 1)[0]
    return {m[0]: int(m[1].replace(",", "")) for m in re.findall(r"<title>([^<:]+): ([\d,]+)</title>", svg)}


def test_the_page_draws_each_count_as_an_svg_bar():
    _, page = _report()
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") >= 7
    assert _bars(page, "Requests by topic") == {"custody": 2, "workforce_hr": 1, "roads_vehicles": 1}
    assert _bars(page, "Top suggested exemption") == {"s40": 1, "s31": 1, "none suggested": 1}
    assert _bars(page, "Requests by year covered") == {"2021": 1, "2022": 2, "2023": 1, "2024": 1}
    assert _bars(page, "Cost-limit risk") == {"likely": 1, "possible": 1, "none": 1}
    # two deadlines in the week of 25 March (already past on 1 April), one the week after
    assert _bars(page, "Deadlines by week") == {"w/c 2024-03-25": 2, "w/c 2024-04-08": 1}
    assert _bars(page, "Cluster sizes") == {"rr1": 2}
    assert "<b>4</b>requests" in page and "<b>1</b>could not be triaged" in page


def test_the_page_is_self_contained_and_escapes_the_data():
    _, page = _report()
    assert "<script" not in page and "&lt;script&gt;" in page
    assert not re.search(r"(src|href)=", page)  # nothing loaded from elsewhere
    assert "http://www.w3.org/2000/svg" in page  # the only URL: the SVG namespace


def test_labels_are_escaped_inside_svg_and_long_lists_are_capped():
    svg = bar_chart([(f'<b>"x{i}"&', i + 1) for i in range(3)], title="T & <t>")
    assert "<b>" not in svg and "&lt;b&gt;&quot;x0&quot;&amp;" in svg and "T &amp; &lt;t&gt;" in svg
    from collections import Counter

    from triage.report import MAX_BARS, _top

    bars = _top(Counter({f"l{i}": i for i in range(1, 40)}))
    assert len(bars) == MAX_BARS and bars[-1][0].startswith("other (")
    assert sum(n for _, n in bars) == sum(range(1, 40))


def test_a_batch_writes_the_report_from_its_results(tmp_path):
    from triage.batch import run_batch

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"id": "x1", "text": "How many officers were dismissed in 2022?", "received": "2024-05-01"},
        {"id": "x2", "text": "", "received": "2024-05-01"},
        {"id": "x3", "text": "How much did the force spend on taxis in 2023?", "received": "2024-05-02"},
    ]) + "\n", encoding="utf-8")
    out, report = tmp_path / "out.jsonl", tmp_path / "report.html"
    stats = run_batch(src, out, report=report)
    page = report.read_text(encoding="utf-8")
    assert "<b>3</b>requests" in page and "<b>1</b>could not be triaged" in page
    assert sum(_bars(page, "Requests by type").values()) == stats.ok == 2
    assert sum(_bars(page, "Top suggested exemption").values()) == 2
    assert set(_bars(page, "Requests by year covered")) >= {"2022", "2023"}
