"""A self-contained HTML report of a batch: what the backlog holds, at a glance.

``ReportBuilder`` is fed the output lines as a batch streams them (it keeps
counters, never the results), then ``render`` writes one HTML page: counts by
topic, request type and suggested exemption, the years the requests ask
about, cost-limit risks, round-robin clusters and deadlines by week, each as
a bar chart drawn in inline SVG. No JavaScript, no external file, nothing
fetched: the page can be mailed or opened offline. Every text from the data
is escaped.

How things are counted (also said on the page):

- topics: every label a request lists (a request may count under several);
- exemptions: the request's top suggestion only (the section, e.g. s40),
  plus how many requests had an NCND suggestion anywhere in their list;
- years asked about: each calendar year a request's periods cover, once per
  request (a period with no start is not counted; one with no end runs to
  the received date; periods longer than ``MAX_PERIOD_YEARS`` are ignored);
- deadlines: by the week (Monday) they fall in, or by month when the
  deadlines spread over more than ``MAX_WEEKS`` weeks.
"""
from __future__ import annotations

import datetime as dt
import html
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Optional, Union

MAX_PERIOD_YEARS = 30
MAX_WEEKS = 60
MAX_BARS = 25  # per chart; the rest are summed into one "other" bar

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1b1b;
padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#555}.note{color:#555;font-size:.9rem;margin:.2rem 0 .6rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem}
.card b{display:block;font-size:1.4rem}
svg text{font-size:12px;fill:#1b1b1b}
"""


def esc(value: Any) -> str:
    """Text for HTML or SVG: everything from the data goes through here."""
    return html.escape(str(value), quote=True)


def bar_chart(bars: Iterable[tuple[str, int]], *, title: str, colour: str = "#3b6ea5",
              highlight: Optional[set] = None, highlight_colour: str = "#b8860b") -> str:
    """A horizontal bar chart as inline SVG: one labelled bar per ``(label, count)``, in the order given."""
    bars = list(bars)
    if not bars:
        return '<p class="note">None.</p>'
    label_w, bar_w, row_h, count_w = 230, 380, 20, 60
    width = label_w + bar_w + count_w
    height = row_h * len(bars) + 6
    top = max(c for _, c in bars) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title>{esc(title)}</title>']
    for i, (label, count) in enumerate(bars):
        y = i * row_h + 3
        w = max(1, round(bar_w * count / top)) if count else 0
        shown = label if len(label) <= 34 else label[:33] + "\u2026"
        fill = highlight_colour if highlight and label in highlight else colour
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{esc(shown)}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="{row_h - 6}" fill="{fill}">'
                     f'<title>{esc(label)}: {count}</title></rect>'
                     f'<text x="{label_w + w + 5}" y="{y + 13}">{count:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _top(counter: Counter, limit: int = MAX_BARS) -> list[tuple[str, int]]:
    """Most common first; past ``limit``, the rest as one 'other (n labels)' bar."""
    common = counter.most_common()
    if len(common) <= limit:
        return [(str(k), v) for k, v in common]
    head, rest = common[:limit - 1], common[limit - 1:]
    return [(str(k), v) for k, v in head] + [(f"other ({len(rest)} labels)", sum(v for _, v in rest))]


def _day(value: Any) -> Optional[dt.date]:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class ReportBuilder:
    """Counters over a batch's output lines; ``render`` turns them into the HTML page."""

    def __init__(self, today: Optional[dt.date] = None):
        self.today = today or dt.date.today()
        self.ok = 0
        self.errors = 0
        self.uncounted = 0  # lines of an earlier run read back from a CSV output (resume): not in the counts
        self.topics: Counter = Counter()
        self.request_types: Counter = Counter()
        self.exemptions: Counter = Counter()
        self.ncnd = 0
        self.years: Counter = Counter()
        self.cost_levels: Counter = Counter()
        self.cost_drivers: Counter = Counter()
        self.deadlines: Counter = Counter()  # date -> count (few distinct days: working days only)
        self.error_kinds: Counter = Counter()
        self.clusters: list = []

    # -------------------------------------------------------------- feeding
    def add(self, row: dict) -> None:
        """Count one output line (a result dict, or an error line)."""
        if "error" in row and "questions" not in row:
            self.errors += 1
            self.error_kinds[str(row.get("error", ""))[:80]] += 1
            return
        self.ok += 1
        for t in row.get("topics") or []:
            if isinstance(t, dict) and t.get("label"):
                self.topics[t["label"]] += 1
        rt = row.get("request_type")
        if isinstance(rt, dict) and rt.get("type"):
            self.request_types[rt["type"]] += 1
        ex = [e for e in row.get("exemptions") or [] if isinstance(e, dict)]
        if ex:
            self.exemptions[ex[0].get("section") or "?"] += 1
        else:
            self.exemptions["none suggested"] += 1
        if any(e.get("ncnd") for e in ex):
            self.ncnd += 1
        received = _day(row.get("received")) or self.today
        years: set[int] = set()
        for d in row.get("dates") or []:
            if not isinstance(d, dict):
                continue
            start, end = _day(d.get("start")), _day(d.get("end")) or received
            if start is None or end < start or end.year - start.year > MAX_PERIOD_YEARS:
                continue
            years.update(range(start.year, end.year + 1))
        for y in years:
            self.years[y] += 1
        risk = row.get("cost_risk")
        if isinstance(risk, dict) and risk.get("level"):
            self.cost_levels[risk["level"]] += 1
            if risk["level"] != "none":
                for a in risk.get("drivers") or []:
                    self.cost_drivers[a] += 1
        day = _day(row.get("deadline"))
        if day is not None:
            self.deadlines[day] += 1

    def add_uncounted(self, _row: Any = None) -> None:
        """A line of an earlier run that cannot be counted (read back from CSV on resume)."""
        self.uncounted += 1

    def set_clusters(self, clusters: Iterable[Any]) -> None:
        """The round-robin clusters (``triage.roundrobin.Cluster``: ``id``, ``members``)."""
        self.clusters = [(c.id, list(c.members)) for c in clusters]

    # -------------------------------------------------------------- output
    def _deadline_bars(self) -> tuple[list[tuple[str, int]], set, str]:
        if not self.deadlines:
            return [], set(), "week"
        weeks: Counter = Counter()
        for day, n in self.deadlines.items():
            weeks[day - dt.timedelta(days=day.weekday())] += n
        first, last = min(weeks), max(weeks)
        this_week = self.today - dt.timedelta(days=self.today.weekday())
        if (last - first).days // 7 + 1 <= MAX_WEEKS:
            bars = [(f"w/c {w.isoformat()}", weeks[w]) for w in sorted(weeks)]
            past = {f"w/c {w.isoformat()}" for w in weeks if w < this_week}
            return bars, past, "week"
        months: Counter = Counter()
        for day, n in self.deadlines.items():
            months[day.strftime("%Y-%m")] += n
        bars = [(m, months[m]) for m in sorted(months)]
        return bars, {m for m in months if m < self.today.strftime("%Y-%m")}, "month"

    def render(self, stats: Any = None, source: str = "", title: str = "FOI backlog report") -> str:
        total = self.ok + self.errors
        cards = [("requests", total), ("triaged", self.ok), ("could not be triaged", self.errors)]
        if stats is not None and getattr(stats, "skipped", 0):
            cards.append(("resumed from an earlier run", stats.skipped))
        likely = self.cost_levels.get("likely", 0)
        cards += [("likely over the cost limit", likely), ("round-robin clusters", len(self.clusters))]
        out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
               '<meta name="viewport" content="width=device-width, initial-scale=1">',
               f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
               f"<h1>{esc(title)}</h1>",
               f'<p class="meta">{esc(source) + " &middot; " if source else ""}written {esc(self.today.isoformat())}'
               + (f" &middot; {stats.seconds:.1f} s" if stats is not None and getattr(stats, "seconds", 0) else "")
               + "</p>",
               '<div class="cards">' + "".join(f'<div class="card"><b>{n:,}</b>{esc(label)}</div>'
                                               for label, n in cards) + "</div>"]
        if self.uncounted:
            out.append(f'<p class="note">{self.uncounted:,} requests written by an earlier run into a CSV output '
                       "are not in the counts below (resume into a .jsonl output to count them).</p>")

        def section(heading: str, note: str, chart: str) -> None:
            out.append(f"<h2>{esc(heading)}</h2>")
            if note:
                out.append(f'<p class="note">{esc(note)}</p>')
            out.append(chart)

        section("Topics", "Every topic a request lists counts (a request may count under several).",
                bar_chart(_top(self.topics), title="Requests by topic"))
        section("Request types", "", bar_chart(_top(self.request_types), title="Requests by type"))
        section("Suggested exemptions",
                f"The top suggestion of each request, by section. {self.ncnd:,} requests had a neither-confirm-"
                "nor-deny (NCND) suggestion.",
                bar_chart(_top(self.exemptions), title="Top suggested exemption"))
        section("Years asked about",
                "Requests whose periods cover each calendar year (once per request; open-start periods and "
                f"periods over {MAX_PERIOD_YEARS} years are left out).",
                bar_chart([(str(y), self.years[y]) for y in sorted(self.years)], title="Requests by year covered"))
        levels = [(lvl, self.cost_levels.get(lvl, 0)) for lvl in ("likely", "possible", "none")
                  if lvl in self.cost_levels]
        section("Cost-limit risk", "Risk that answering exceeds the cost limit (s12).",
                bar_chart(levels, title="Cost-limit risk"))
        if self.cost_drivers:
            section("What drives the cost risk",
                    "Among requests at possible or likely risk: the activities named (a request may name several).",
                    bar_chart(_top(self.cost_drivers), title="Cost drivers"))
        bars, past, unit = self._deadline_bars()
        section(f"Deadlines by {unit}",
                f"Statutory deadlines falling in each {unit}; gold bars are {unit}s already past on "
                f"{self.today.isoformat()}.",
                bar_chart(bars, title=f"Deadlines by {unit}", highlight=past))
        out.append("<h2>Round-robin clusters</h2>")
        if self.clusters:
            out.append('<p class="note">Near-identical requests (one campaign text sent by many people, or to '
                       "many authorities): answer them once.</p>")
            biggest = sorted(self.clusters, key=lambda c: -len(c[1]))
            out.append(bar_chart([(cid, len(members)) for cid, members in biggest[:MAX_BARS]],
                                 title="Cluster sizes"))
            out.append("<table><tr><th>cluster</th><th>requests</th><th>ids</th></tr>")
            for cid, members in biggest[:50]:
                shown = ", ".join(members[:10]) + (", \u2026" if len(members) > 10 else "")
                out.append(f'<tr><td>{esc(cid)}</td><td class="n">{len(members):,}</td><td>{esc(shown)}</td></tr>')
            out.append("</table>")
            if len(biggest) > 50:
                out.append(f'<p class="note">and {len(biggest) - 50:,} more clusters.</p>')
        else:
            out.append('<p class="note">None found (or grouping was turned off).</p>')
        if self.error_kinds:
            out.append("<h2>Records that could not be triaged</h2><table><tr><th>reason</th><th>records</th></tr>")
            for reason, n in self.error_kinds.most_common(15):
                out.append(f'<tr><td>{esc(reason)}</td><td class="n">{n:,}</td></tr>')
            out.append("</table>")
        out.append("</body></html>")
        return "\n".join(out) + "\n"

    def write(self, path: Union[str, Path], stats: Any = None, source: str = "") -> None:
        Path(path).write_text(self.render(stats=stats, source=source), encoding="utf-8")
