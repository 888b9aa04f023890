"""Periods asked about: find them and normalise to ISO intervals (CONTRACT.md, Dates).

INTERFACE (the pipeline relies on this; keep it):

    find_periods(text: str, received: date) -> list[Period]

returns every period expression in ``text`` with exact character offsets into
``text``, normalised by UK conventions. The ``foi_periods`` spaCy component
runs it over ``doc.text`` and writes ``doc.spans["periods"]`` with
``span._.period`` set. Deciding whether the sentence around a period is an
ask or context is the pipeline's job, not this module's.

How it works (vocabulary in ``data/dates.yaml``):

1. One precompiled regex finds date *atoms*: full dates (UK day-first),
   month-years, financial years, quarters, year ranges, bare years and
   yearless days/months. It is only tried where an atom can start (digit
   runs, month-like words), which keeps a 300-word text well under a
   millisecond.
2. Atoms are composed left to right: ranges ("X to Y", "between X and Y"),
   a year with its quarter in brackets, open ends ("X to date"), then lists
   ("2018, 2019 and 2020"). The words just before a unit (its *cue*: "since",
   "before", "for the years", "as of" ...) decide both whether a bare year or
   date is a period asked about and how it is normalised; citations, letter
   dates, references and amounts are dropped.
3. Relative periods ("the last five years", "last financial year") are found
   separately and anchored on ``received``. When the requester spells a
   relative period out ("the last two years (2022 and 2023)"), the explicit
   dates win.
4. Overlaps are resolved in favour of the longest expression.
"""
from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from . import extensions
from .rules import safe_load as _safe_load  # libyaml when installed: a faster cold start


@dataclass(frozen=True)
class Period:
    text: str
    start: Optional[date]
    end: Optional[date]
    start_char: int
    end_char: int
    kind: str = ""


# ---------------------------------------------------------------- vocabulary

_V = _safe_load(Path(__file__).with_name("data").joinpath("dates.yaml").read_text(encoding="utf-8"))

_I = re.IGNORECASE
_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # inside a character class
_Y4 = r"(?:19|20)\d{2}(?!\d)"


def _phrase(p: str) -> str:
    """A vocabulary phrase as a regex: any whitespace between words, hyphen or space inside words."""
    words = str(p).split()
    parts = []
    for w in words:
        parts.append(r"[\s\-]?".join(re.escape(x) for x in w.split("-")) if "-" in w.strip("-") else re.escape(w))
    return r"\s+".join(parts)


def _alt(phrases) -> str:
    return "|".join(_phrase(p) for p in sorted({str(p) for p in phrases}, key=len, reverse=True))


def _norm(s: str) -> str:
    return re.sub(r"[\s\-]+", " ", s.strip().lower())


_MONTHS = {str(k).lower(): int(v) for k, v in _V["months"].items()}
_AMBIG_MONTH = {str(w).lower() for w in _V["ambiguous_month_words"]}
_ORDW = {_norm(str(k)): int(v) for k, v in _V["ordinal_words"].items()}
_NUMW = {_norm(str(k)): int(v) for k, v in _V["number_words"].items()}
_QW = {str(k).lower(): int(v) for k, v in _V["quarter_words"].items()}
_UNITS = {str(k).lower(): str(v) for k, v in _V["relative_units"].items()}
_REL_NEEDS_N = {_norm(w) for w in _V["relative_needs_number"]}
_REL_BARE_CAL = {_norm(w) for w in _V["relative_calendar_when_bare"]}
_REL_MODES = {str(k).lower(): str(v) for k, v in _V["relative_modes"].items()}
_CURRENT = {_norm(k): str(v) for k, v in _V["current_period_phrases"].items()}
_CUES = {_norm(str(k)): str(v) for k, v in _V["cues"].items()}
_NOUN_MODES = {str(k).lower(): str(v) for k, v in _V["period_noun_modes"].items()}
_EDGES = {str(k).lower(): str(v) for k, v in _V["edge_words"].items()}
_SPELL_WINDOW = int(_V.get("spelled_out_window", 220))

_MON_ALT = _alt(_MONTHS)
_ORD_ALT = _alt(_ORDW)
_NUM_ALT = r"\d{1,3}|(?:" + _alt(_NUMW) + r")(?![a-z])"


def _mon(g: str) -> str:
    return rf"(?<![a-z])(?P<{g}>{_MON_ALT})(?![a-z])\.?"


def _day(g: str, words: bool = False) -> str:
    # numeric days ("1", "22nd") and ordinal-word days ("first") go in separate branches (see _ATOM_RE)
    body = _ORD_ALT if words else r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
    return rf"(?<![\w/.,])(?P<{g}>{body})(?![\w])"


# ---------------------------------------------------------------- atom regex

def _day_shapes(sfx: str, words: bool) -> list[tuple[str, str]]:
    d = lambda g: _day(g, words)  # noqa: E731
    return [
        ("drange" + sfx, rf"{d(f'drange{sfx}_d1')}\s*(?:[{_DASH}]|to|and)\s*{_day(f'drange{sfx}_d2')}(?:\s+of)?\s+"
                         rf"{_mon(f'drange{sfx}_m')},?\s+(?P<drange{sfx}_y>{_Y4})"),
        ("dmy" + sfx, rf"{d(f'dmy{sfx}_d')}(?:\s+of)?[\s\-]+{_mon(f'dmy{sfx}_m')}[\s,\-]+(?P<dmy{sfx}_y>{_Y4})"),
        ("dm" + sfx, rf"{d(f'dm{sfx}_d')}(?:\s+of)?\s+{_mon(f'dm{sfx}_m')}"),
    ]


# Alternatives are tried in order at each position, so longer and more
# specific shapes come first ("1 April 2013" before "April 2013"). Shapes that
# start with a digit and shapes that start with a word are in two branches
# behind cheap lookaheads: most positions in a text then fail at once.
_DIGIT_PARTS = [
    ("iso", rf"(?<![\w/.\-])(?P<iso_y>{_Y4})-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>[0-3]\d)(?![\w/\-]|\.\d)"),
    ("num", r"(?<![\w/.\-])(?P<num_d>\d{1,2})(?P<num_s>[/.\-])(?P<num_m>\d{1,2})(?P=num_s)(?P<num_y>\d{4}|\d{2})"
            r"(?![\w/\-]|\.\d)"),
    ("drange", None), ("dmy", None),
    ("q3", rf"(?<![\w£$€])(?P<q3_y>{_Y4})(?:[ \t]*-?[ \t]*)Q(?P<q3_n>[1-4])(?!\d)"),
    ("fy", rf"(?<![\w£$€])(?<!\d[/.\-])(?P<fy_y1>{_Y4})\s*(?P<fy_s>[/{_DASH}])\s*(?P<fy_y2>\d{{4}}|\d{{2}})(?!\d)"
           r"(?![/.\-]\d)"),
    ("mmy", rf"(?<![\w/.\-])(?P<mmy_m>0?[1-9]|1[0-2])/(?P<mmy_y>{_Y4})(?![\w/]|\.\d)"),
    ("dm", None),
    ("year", rf"(?<![\w£$€])(?<!\d[/.{_DASH}])(?P<year_y>{_Y4})(?P<year_dec>s(?![a-z]))?"
             rf"(?![/.{_DASH}]\d)(?!,\d{{3}})"),
]
_WORD_PARTS = [
    ("dranges", None), ("dmys", None),
    ("mdy", rf"{_mon('mdy_m')}\s+{_day('mdy_d')},?\s+(?P<mdy_y>{_Y4})"),
    ("q1", rf"(?<![\w])(?:Q|quarter\s*|qtr\.?\s*)(?P<q1_n>[1-4])(?!\d)\s*(?:of\s+|,\s*|\s+)?(?:the\s+)?(?:year\s+)?"
           rf"(?P<q1_y>{_Y4})(?:\s*/\s*(?P<q1_y2>\d{{2}}(?:\d{{2}})?)(?!\d))?"),
    ("qq", rf"(?<![\w])Q(?P<qq_a>[1-4])\s*(?:[{_DASH}]|to)\s*Q(?P<qq_b>[1-4])\s*(?:of\s+)?(?P<qq_y>{_Y4})"
           r"(?:\s*/\s*(?P<qq_y2>\d{2}(?:\d{2})?)(?!\d))?"),  # "Q1-Q3 2022"
    ("half", rf"(?<![\w])H(?P<half_n>[12])\s*(?P<half_y>{_Y4})"),  # "H1 2022"
    ("q2", rf"(?<![\w])(?P<q2_w>{_alt(_QW)})\s+quarter\s+(?:of\s+)?(?:the\s+)?(?:year\s+)?(?P<q2_y>{_Y4})"
           rf"(?:\s*/\s*(?P<q2_y2>\d{{2}}(?:\d{{2}})?)(?!\d))?"),
    ("fyp", r"(?<![\w])FY\s*'?(?P<fyp_y1>(?:19|20)?\d{2})\s*[/\-]\s*(?P<fyp_y2>\d{2}(?:\d{2})?)(?!\d)"),
    ("fys", rf"(?<![\w])FY\s*'?(?P<fys_y>{_Y4})(?![/\-]\d)"),
    ("my", rf"{_mon('my_m')},?[\s\-]*(?:of\s+)?(?P<my_y>{_Y4})"),
    ("my2", rf"{_mon('my2_m')}(?:\s*['\u2019]|-)(?P<my2_y>\d{{2}})(?![\d/\-])"),  # "Jan '20", "Apr-22"
    ("fyw", r"(?<![\w])(?:financial|fiscal)\s+years?\s+(?P<fyw_y1>\d{2})\s*[/\-]\s*(?P<fyw_y2>\d{2})(?![\d/\-])"),
    ("dms", None),
    ("md", rf"{_mon('md_m')}\s+{_day('md_d')}"),
    ("mo", _mon("mo_m")),
]
_SHAPES = {n: p for n, p in _day_shapes("", False) + _day_shapes("s", True)}


def _branch(parts) -> str:
    return "|".join(f"(?P<A_{n}>{p if p is not None else _SHAPES[n]})" for n, p in parts)


def _word_heads() -> set[str]:
    words = list(_MONTHS) + list(_ORDW) + list(_QW) + ["quarter", "qtr", "fy", "financial", "fiscal"]
    return {w[:3].lower() for w in words if w[:1].isalpha()} | {"q1", "q2", "q3", "q4", "h1", "h2"}


def _word_starts() -> str:
    """A lookahead for the first letters of every word an atom can start with, factored by first letter
    (a trie), so that most words in a text are rejected after one or two character tests."""
    heads = _word_heads()
    by_first: dict[str, set[str]] = {}
    for h in heads:
        by_first.setdefault(h[0], set()).add(re.escape(h[1:]))
    return "|".join(f"{c}(?:{'|'.join(sorted(rest, key=len, reverse=True))})" for c, rest in sorted(by_first.items()))


_ATOM_RE = re.compile(rf"(?=\d)(?:{_branch(_DIGIT_PARTS)})"
                      rf"|(?<![a-z])(?=(?:{_word_starts()}))(?:{_branch(_WORD_PARTS)})", _I)
# the word-day shapes ("first of April 2020") are the digit shapes under another name
_SHAPE_BASE = {"dranges": "drange", "dmys": "dmy", "dms": "dm"}
_WORD_HEADS = sorted(_word_heads())
_DIGIT_RUN_RE = re.compile(r"\d+")


def _atom_matches(text: str) -> list[re.Match]:
    """What ``_ATOM_RE.finditer(text)`` returns, found faster.

    An atom starts at the start of a digit run or of a word whose first letters are in
    ``_WORD_HEADS``; those places are found with C-speed ``str.find`` and the regex is only
    tried there (a regex scan tests every position of the text).
    """
    low = text.lower()
    if len(low) != len(text):  # lower() changed the length (rare Unicode): plain scan
        return list(_ATOM_RE.finditer(text))
    cands = {m.start() for m in _DIGIT_RUN_RE.finditer(text)}
    for h in _WORD_HEADS:
        i = low.find(h)
        while i != -1:
            if i == 0 or not ("a" <= low[i - 1] <= "z"):
                cands.add(i)
            i = low.find(h, i + 1)
    out = []
    last = 0
    for p in sorted(cands):
        if p < last:
            continue
        m = _ATOM_RE.match(text, p)
        if m:
            out.append(m)
            last = m.end()
    return out

# ---------------------------------------------------------------- context regexes

# list labels and bullets: "i)", "(b)", "2.", "1a", "\u2022", "o", "-"
_MARKER = (r"(?:(?<![\w])\(?(?:[ivx]{1,5}|[a-h]|\d{1,2}[a-z]?)[).:]|(?<![\w])\d{1,2}[a-z](?=\s)"
           r"|[\u2022o*\u00b7" + _DASH + r"](?=\s))")

# The words right before a unit are read backwards as tokens (see _prefix).
_TOK_RE = re.compile(r"[^\W\d_]+(?:[.'\-][^\W\d_]+)*\.?|\d+[a-z]?|[^\w\s]", _I)
_LABEL_RE = re.compile(r"(?:[ivx]{1,5}|[a-h]|\d{1,2}[a-z]?)", _I)
_PUNCT_SKIP = set(":,;*\"'\u201c\u201d(" + "\u2022\u00b7" + _DASH.replace("\\", ""))


def _tok_key(t: str) -> str:
    t = t.lower()
    return t[:-1] if len(t) > 2 and t[-1] == "." else t


def _key(s: str) -> str:
    """A vocabulary phrase as the space-joined token keys the backward reader compares."""
    return " ".join(_tok_key(m.group(0)) for m in _TOK_RE.finditer(str(s)))


_CUE_KEYS = {_key(k): v for k, v in _CUES.items()}
_CUE_MAX = max(len(k.split()) for k in _CUE_KEYS)
_CUE2 = {"of": "plain", "for": "plain", "in": "plain", "from": "from", "since": "since", "between": "between",
         "ending": "ending", "commencing": "since", "starting": "since", "beginning": "since"}
_NOUNS = {_key(n) for n in _V["period_nouns"]}
_SKIP_WORDS = {"following", "same", "relevant", "specific", "respective", "separate", "individual"}
_EACH = {"each", "every", "any", "all", "one"}
_ANCHOR_TRIGGER = {"to", "including", "ending", "before", "preceding", "until", "of", "on"}
_LEGIS = {_key(w) for w in _V["legislation_words"] + _V["document_words"]}
_ACRO = {str(w) for w in _V["legislation_acronyms"]}
_CORR = {_key(w) for w in _V["correspondence_words"]}
_REFS = {_key(w) for w in _V["reference_words"]}
_CURRENCY = set("".join(_V["currency_symbols"]))
_TEMPORAL_CUES = {_key(w) for w in _V["temporal_cues"]}
_KEEP_SNAPSHOTS = bool(_V.get("keep_snapshot_dates", True))
_LINE_START_RE = re.compile(rf"^[ \t]*(?:(?:{_MARKER}|\d{{1,2}}[.)])[ \t]*){{0,3}}$", _I)
_ANCHOR_RE = re.compile(
    rf"(?<![\w])(?=\w)(?:(?:the|a)\s+)?(?:(?P<n>{_NUM_ALT})[\s\-]+)?"
    r"(?P<unit>day|week|fortnight|month|year)s?\s+(?:period\s+)?"
    r"(?P<rel>prior\s+to(?:\s+and\s+including)?|leading\s+(?:up\s+)?to|up\s+to(?:\s+and\s+including)?"
    r"|to(?:\s+the\s+end\s+of)?|ending(?:\s+on)?|before|preceding|until)\s+(?:the\s+)?$",
    _I,
)
_RANGE_GAP_RE = re.compile(
    rf"^\s*,?\s*(?:(?P<dash>[{_DASH}]+)|(?P<word>to|till|until|through(?:\s+to)?|thru|up\s+to(?:\s+and\s+including)?"
    r"|up\s+until|and))\s*(?:(?:the\s+)?(?P<edge>end|start|beginning|close)\s+of\s+(?:the\s+)?"
    r"(?:(?:calendar\s+|financial\s+)?year\s+|month\s+of\s+)?|the\s+)?$",
    _I,
)
_LIST_GAP_RE = re.compile(
    # a short aside may sit between items: "2020 (pre-pandemic) and 2021"
    r"^[\s,;&*\"'\u201c\u201d]*(?:\([^()\n]{1,30}\)[\s,;]*)?"
    r"(?:(?:and|or|plus|as\s+well\s+as|vs\.?|versus|compared\s+(?:to|with))(?![\w])[\s,*]*)?"
    r"(?:(?:the\s+)?(?:(?:calendar|financial)\s+)?(?:year|FY)\s+)?"
    rf"(?:{_MARKER}[\s*]*){{0,3}}$",
    _I,
)
_INCL_RE = re.compile(r"^\s*,?\s*\(?\s*(?:both\s+)?inclusive\s*\)?", _I)
_OPEN_RE = re.compile(
    # "2017 to date", "2016 - present day", "2022 (to date)", "2019 onwards"
    rf"^\s*,?\s*(?P<paren>\(\s*)?(?:(?:[{_DASH}]+\s*(?:(?:to|until|till|up\s+to|up\s+until|through|thru)\s+)?"
    r"|(?:to|until|till|up\s+to|up\s+until|through|thru|and)\s+)(?:the\s+)?"
    rf"(?:{_alt(_V['open_end_phrases'])})|(?:[{_DASH}]\s*)?(?:{_alt(_V['onward_words'])}))(?![\w])",
    _I,
)
_MODE_SUFFIX_RE = re.compile(r"^\s*(?P<mode>calendar|financial|fiscal|tax)\s+years?(?![\w])", _I)
_DATA_NOUN_RE = re.compile(rf"^\s*(?:{_alt(_V['data_nouns'])})(?![\w])", _I)
_PAREN_OPEN_RE = re.compile(r"^\s*\(\s*$")
_COMPOSITE_OPEN_RE = re.compile(rf"^\s*\(\s*(?:Q(?P<q>[1-4])\s*(?:[{_DASH}:,]\s*)?)?$", _I)
_QUARTER_PAREN_RE = re.compile(r"^\s*\(\s*Q(?P<q>[1-4])\s*\)", _I)
_CLOSE_PAREN_RE = re.compile(r"^\s*\)")

_EXCL_AFTER_LEGIS_RE = re.compile(r"^\s*\)?\s*(?:Act|Acts|Regulations?|Order|Bill|Rules)\b")
_EXCL_COUNT_RE = re.compile(rf"^(?:\s*(?:{_alt(_V['count_nouns'])})(?![\w])|\s*%|(?:st|nd|rd|th)\b)", _I)
_PRESENT_RE = re.compile(rf"(?<![\w])(?:{_alt(_V['present_tense_words'])})(?![\w])", _I)
_AVAILABLE_RE = re.compile(rf"(?<![\w])(?:{_alt(_V['available_data_cues'])})\s*(?:the\s+)?$", _I)

_REL_RE = re.compile(
    rf"(?<![\w])(?P<dir>{_alt(_V['relative_directions'])})\s+"
    rf"(?:(?P<n1>{_NUM_ALT})(?:\s*\(\d{{1,3}}\))?(?:\s*(?:[{_DASH}]|to|or)\s*(?P<n2>{_NUM_ALT}))?[\s\-]*)?"
    rf"(?P<adj>(?:(?:{_alt(_REL_MODES)})\s+){{0,2}})(?P<unit>{_alt(_UNITS)})(?![\w])"
    r"(?:[\s\-]+(?:period|time\s*frame|timeframe|span))?",
    _I,
)
_REL_THE_RE = re.compile(r"(?<![\w])the\s+$", _I)
_REL_TRIGGERS = sorted({str(w).split()[0].lower() for w in _V["relative_directions"]})
_CURRENT_TRIGGERS = ["this", "current", "so far", "to date", "to-date"]
_REL_LEFT_RE = re.compile(
    r"(?<![\w])(?:(?:in|over|during|for|within|throughout|covering|from|across)\s+)?"
    r"(?:(?:each|every|any)\s+(?:one\s+)?of\s+)?(?:the\s+)?$",
    _I,
)
_REL_NOT_AFTER_RE = re.compile(r"^\s+of\b|^'s?\s+(?:report|meeting)", _I)
# "the last year for which you have data" is not a period; "the last three years for which ..." is
_REL_NOT_AFTER_BARE_RE = re.compile(r"^\s+(?:for\s+which|in\s+which|that|when|available)\b", _I)
_CURRENT_RE = re.compile(rf"(?<![\w])(?:{_alt(_CURRENT)})(?P<ytd>\s+(?:to[\s\-]+date|so\s+far))?(?![\w])", _I)
_SINCE_START_RE = re.compile(r"(?<![\w])(?:since|from)\s+(?:the\s+)?(?:start|beginning)\s+of\s+(?:the\s+)?$", _I)
_REL_REQUEST_RE = re.compile(
    rf"(?<![\w])(?:(?:the|a)\s+)?(?:(?P<n>{_NUM_ALT})[\s\-]*)?(?P<unit>{_alt(_UNITS)})\s+(?:period\s+)?"
    r"(?:(?:immediately\s+)?(?:prior\s+to|before|preceding)|up\s+to|leading\s+up\s+to|ending\s+(?:on|with)|to)\s+"
    r"(?:the\s+)?(?:date\s+of\s+|receipt\s+of\s+|time\s+of\s+|day\s+of\s+|submission\s+of\s+)?"
    r"(?:this|my|the|your\s+receipt\s+of\s+(?:this|my))\s+(?:foi\s+|freedom\s+of\s+information\s+)?"
    r"(?:request|e-?mail|letter|application|enquiry)",
    _I,
)
_REQUEST_TRIGGERS = ["request", "email", "e-mail", "letter", "application", "enquiry"]
_CURRENT_NOT_BEFORE_RE = re.compile(r"(?<![\w])(?:earlier|later|since|until|by)\s+$", _I)
_GLOSS_RE = re.compile(
    rf"^\s*(?:[:(\[{_DASH}]|,?\s*(?:{_alt(_V['gloss_words'])})(?![\w])[,:]?|,)?\s*[(\[]?\s*$", _I)
# "the first six months of 2023", "the second half of 2021", "the last quarter of the financial year 2022/23"
_PART_RE = re.compile(
    rf"(?<![\w])(?P<which>first|last|final|second|latter|opening|closing)\s+(?:(?P<n>{_NUM_ALT})[\s\-]*)?"
    r"(?P<unit>months?|weeks?|days?|quarters?|half)\s+of\s+(?:the\s+)?(?:(?:calendar|financial)\s+)?(?:year\s+)?$",
    _I,
)


# ---------------------------------------------------------------- date arithmetic

def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _safe_day(y: int, m: int, d: int) -> date:
    # "31st November" means the last day of November: clamp to the month end
    return date(y, m, min(d, calendar.monthrange(y, m)[1]))


def _add_months(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 + n
    y, m = divmod(k, 12)
    return _safe_day(y, m + 1, d.day)


def _add_years(d: date, n: int) -> date:
    return _safe_day(d.year + n, d.month, d.day)


def _fy(y: int) -> tuple[date, date]:
    return date(y, 4, 1), date(y + 1, 3, 31)


def _last_complete_fy_start(received: date) -> int:
    """Start year of the last financial year wholly before ``received``."""
    return received.year - 1 if received.month >= 4 else received.year - 2


def _two_digit_year(v: int, received: date) -> int:
    y = 2000 + v
    return y - 100 if y > received.year + 5 else y


def _num(s: Optional[str]) -> Optional[int]:
    if s is None:
        return None
    s = _norm(s)
    if s.isdigit():
        return int(s)
    return _NUMW.get(s)


_DIGITS_RE = re.compile(r"\d+")
_NUM_LABEL_RE = re.compile(r"\d{1,2}[a-z]")


def _day_num(s: str) -> int:
    s = _norm(s)
    digits = _DIGITS_RE.match(s)
    return int(digits.group(0)) if digits else _ORDW.get(s, 0)


# ---------------------------------------------------------------- atoms

class _Atom:
    __slots__ = ("kind", "s", "e", "start", "end", "y", "m", "d", "fy_possible")

    def __init__(self, kind, s, e, start=None, end=None, y=None, m=None, d=None, fy_possible=False):
        self.kind, self.s, self.e = kind, s, e
        self.start, self.end = start, end
        self.y, self.m, self.d = y, m, d
        self.fy_possible = fy_possible

    @property
    def yearless(self) -> bool:
        return self.start is None


def _quarter(y: int, q: int, fy_second: Optional[str]) -> tuple[date, date]:
    if fy_second:  # "Q1 2019/20": quarters of the financial year, Q1 = April to June
        s = _add_months(date(y, 4, 1), 3 * (q - 1))
    else:
        s = date(y, 3 * (q - 1) + 1, 1)
    return s, _add_months(s, 3) - timedelta(days=1)


class _Groups:
    """Named groups of a match, read one at a time (groupdict() would build ~100 entries per atom)."""
    __slots__ = ("m",)

    def __init__(self, m: re.Match):
        self.m = m

    def __getitem__(self, name: str):
        return self.m.group(name)

    def get(self, name: str):
        return self.m.group(name)


def _make_atom(m: re.Match, received: date) -> Optional[_Atom]:
    g = _Groups(m)
    k = m.lastgroup[2:]
    base = _SHAPE_BASE.get(k, k)
    s, e = m.start(), m.end()
    mon = lambda name: _MONTHS.get(g[name].lower().rstrip("."))  # noqa: E731
    if k == "iso":
        d = _safe_day(int(g["iso_y"]), int(g["iso_m"]), max(1, int(g["iso_d"])))
        return _Atom("day", s, e, d, d)
    if k == "num":
        dd, mm, yy = int(g["num_d"]), int(g["num_m"]), g["num_y"]
        if mm > 12 and dd <= 12:  # only month-first reading is possible (12/25/2020)
            dd, mm = mm, dd
        if not (1 <= mm <= 12 and 1 <= dd <= 31):
            return None
        y = int(yy) if len(yy) == 4 else _two_digit_year(int(yy), received)
        if not 1900 <= y <= 2099:
            return None
        d = _safe_day(y, mm, dd)
        return _Atom("day", s, e, d, d)
    if base == "drange":
        y, mm = int(g[k + "_y"]), mon(k + "_m")
        d1, d2 = _day_num(g[k + "_d1"]), _day_num(g[k + "_d2"])
        if not (1 <= d1 <= d2 <= 31):
            return None
        return _Atom("range", s, e, _safe_day(y, mm, d1), _safe_day(y, mm, d2))
    if base == "dmy" or k == "mdy":
        y, mm, dd = int(g[k + "_y"]), mon(k + "_m"), _day_num(g[k + "_d"])
        if not 1 <= dd <= 31:
            return None
        d = _safe_day(y, mm, dd)
        return _Atom("day", s, e, d, d, y=y, m=mm, d=dd)
    if k in ("q1", "q2", "q3"):
        if k == "q2":
            q = _QW[g["q2_w"].lower()]
        else:
            q = int(g[k + "_n"])
        y = int(g[k + "_y"])
        a, b = _quarter(y, q, g.get(k + "_y2") if k != "q3" else None)
        return _Atom("quarter", s, e, a, b, y=y)
    if k == "qq":
        y = int(g["qq_y"])
        qa, qb = int(g["qq_a"]), int(g["qq_b"])
        if qa > qb:
            return None
        a, _ = _quarter(y, qa, g["qq_y2"])
        _, b = _quarter(y, qb, g["qq_y2"])
        return _Atom("range", s, e, a, b, y=y)
    if k == "half":
        y, h = int(g["half_y"]), int(g["half_n"])
        return _Atom("range", s, e, date(y, 1 + 6 * (h - 1), 1), _month_end(y, 6 * h), y=y)
    if k == "fyp":
        y1 = g["fyp_y1"]
        y1 = int(y1) if len(y1) == 4 else _two_digit_year(int(y1), received)
        a, b = _fy(y1)
        return _Atom("fy", s, e, a, b, y=y1)
    if k == "fyw":
        y1, v = _two_digit_year(int(g["fyw_y1"]), received), int(g["fyw_y2"])
        if v != (y1 + 1) % 100:
            return None
        a, b = _fy(y1)
        return _Atom("fy", s, e, a, b, y=y1)
    if k == "fys":
        a, b = _fy(int(g["fys_y"]))
        return _Atom("fy", s, e, a, b, y=int(g["fys_y"]))
    if k == "fy":
        y1, sep, p2 = int(g["fy_y1"]), g["fy_s"], g["fy_y2"]
        if len(p2) == 4:
            y2 = int(p2)
            if y2 == y1 + 1 and sep == "/":
                a, b = _fy(y1)
                return _Atom("fy", s, e, a, b, y=y1)
            if y1 < y2 <= y1 + 60 and 1900 <= y2 <= 2099:
                # "2019-2020" reads as two calendar years unless a financial-year word says otherwise
                return _Atom("yrange", s, e, date(y1, 1, 1), date(y2, 12, 31), y=y1, fy_possible=(y2 == y1 + 1))
            return None
        v = int(p2)
        if v == (y1 + 1) % 100:  # "2019/20", "2019-20": a financial year
            a, b = _fy(y1)
            return _Atom("fy", s, e, a, b, y=y1)
        if sep != "/" and v > y1 % 100:  # "the years 2018-20": calendar years 2018 to 2020
            return _Atom("yrange", s, e, date(y1, 1, 1), date(y1 - y1 % 100 + v, 12, 31), y=y1)
        if sep == "-" and 1 <= v <= 12:  # ISO year-month "2019-05"
            return _Atom("month", s, e, date(y1, v, 1), _month_end(y1, v), y=y1, m=v)
        return None
    if k in ("my", "my2"):
        mm = mon(k + "_m")
        yv = g[k + "_y"]
        y = int(yv) if len(yv) == 4 else _two_digit_year(int(yv), received)
        return _Atom("month", s, e, date(y, mm, 1), _month_end(y, mm), y=y, m=mm)
    if k == "mmy":
        y, mm = int(g["mmy_y"]), int(g["mmy_m"])
        return _Atom("month", s, e, date(y, mm, 1), _month_end(y, mm), y=y, m=mm)
    if base == "dm" or k == "md":
        dd = _day_num(g[k + "_d"])
        if not 1 <= dd <= 31:
            return None
        return _Atom("dm", s, e, m=mon(k + "_m"), d=dd)
    if k == "mo":
        w = g["mo_m"]
        if w.lower().rstrip(".") in _AMBIG_MONTH and not w[:1].isupper():
            return None
        return _Atom("mon", s, e, m=mon("mo_m"))
    if k == "year":
        y = int(g["year_y"])
        if y > received.year + 30:
            return None
        if g["year_dec"]:  # "the 2010s": the decade
            if y % 10:
                return None
            return _Atom("yrange", s, e, date(y, 1, 1), date(y + 9, 12, 31), y=y)
        return _Atom("year", s, e, date(y, 1, 1), date(y, 12, 31), y=y)
    return None


def _materialise(a: _Atom, y: int) -> tuple[date, date]:
    """A yearless day or month placed in year ``y``."""
    if a.kind == "dm":
        d = _safe_day(y, a.m, a.d)
        return d, d
    return date(y, a.m, 1), _month_end(y, a.m)


def _ref_year(a: _Atom) -> Optional[int]:
    return a.start.year if a.start is not None and a.kind in ("day", "month", "year", "quarter") else None


def _join(a: _Atom, b: _Atom, edge: Optional[str]) -> Optional[tuple[date, date]]:
    """The interval from atom ``a`` to atom ``b``, lending a year to a yearless side."""
    if a.yearless and b.yearless:
        return None
    if a.yearless:
        y = _ref_year(b)
        if y is None:
            return None
        a_s, _ = _materialise(a, y)
        if a_s > b.end:  # "1 December to 31 January 2020": December of the year before
            a_s, _ = _materialise(a, y - 1)
    else:
        a_s = a.start
    if b.yearless:
        y = _ref_year(a)
        if y is None:
            return None
        b_s, b_e = _materialise(b, a_s.year)
        if b_e < a_s:
            b_s, b_e = _materialise(b, a_s.year + 1)
    else:
        b_s, b_e = b.start, b.end
    end = b_s - timedelta(days=1) if edge in ("start", "beginning") else b_e
    if a_s > end:
        return None
    return a_s, end


# ---------------------------------------------------------------- units (atoms composed)

class _Unit:
    __slots__ = ("s", "e", "start", "end", "kind", "first", "open_end", "mode", "n_atoms")

    def __init__(self, s, e, start, end, kind, first, n_atoms=1):
        self.s, self.e, self.start, self.end, self.kind = s, e, start, end, kind
        self.first = first  # the first atom (for cue checks)
        self.open_end = False
        self.mode = None
        self.n_atoms = n_atoms


class _Prefix:
    __slots__ = ("cue", "cue2", "cue_type", "edge", "mode", "noun", "s", "ok", "line_start", "anchor", "excluded",
                 "available", "present", "part")

    def __init__(self):
        self.cue = self.cue2 = self.cue_type = self.edge = self.mode = self.noun = None
        self.s = None
        self.ok = self.line_start = self.excluded = self.available = self.present = False
        self.anchor = self.part = None


def _prefix(text: str, at: int) -> _Prefix:
    """Read the words before ``at`` backwards.

    The shape read is: [cue] [each of] [the] [edge of the] [mode] [noun [cue2]] [the] [labels], as in
    "for each of the following calendar years: i)", "since the beginning of", "as of the date".
    """
    p = _Prefix()
    w0 = max(0, at - 64)
    win = text[w0:at]
    ms = list(_TOK_RE.finditer(win))
    toks = [m.group(0) for m in ms]
    low = [(x[:-1] if len(x) > 2 and x[-1] == "." else x) for x in (t.lower() for t in toks)]
    n = len(toks)

    # exclusions look at the last words as written: "Act 2000", "dated 14 June", "ref 2019/20", "£2020"
    j = n - 1
    while j >= 0 and low[j] in ("(", ",", ":", "#", "-", "\u2013", "\u2014") and n - j <= 2:
        j -= 1
    if j >= 0 and low[j] == "the":
        j -= 1
    if j >= 0:
        if toks[j] in _ACRO or toks[j].rstrip(".") in _ACRO:
            p.excluded = True
        for k in (1, 2, 3):
            if j - k + 1 < 0:
                break
            ph = " ".join(low[j - k + 1:j + 1])
            if ph in _LEGIS or ph in _CORR or ph in _REFS:
                p.excluded = True
                break
    tail = win.rstrip()
    if tail and tail[-1] in _CURRENCY:
        p.excluded = True

    # labels and punctuation between the cue and the date: "for i) 2013", "years:\n\na. 2016"
    i = n - 1
    steps = 0
    while i >= 0 and steps < 8:
        t = low[i]
        if t in (")", "."):
            if i >= 1 and _LABEL_RE.fullmatch(low[i - 1]):
                i -= 2
                if i >= 0 and low[i] == "(":
                    i -= 1
            elif t == ")":
                i -= 1
            else:
                break  # a full stop: the sentence before is not this date's cue
        elif t in _PUNCT_SKIP or (t == "o" and i == n - 1) or _NUM_LABEL_RE.fullmatch(t):
            i -= 1
        else:
            break
        steps += 1
    first = None  # index of the first token that belongs to the cue
    if i >= 0 and low[i] == "the":
        i -= 1
    if i >= 1 and low[i] in _CUE2 and (low[i - 1] in _NOUNS or " ".join(low[i - 2:i]) in _NOUNS):
        p.cue2 = low[i]
        i -= 1
    for k in (2, 1):
        if i - k + 1 >= 0 and " ".join(low[i - k + 1:i + 1]) in _NOUNS:
            p.noun = " ".join(low[i - k + 1:i + 1])
            i -= k
            first = i + 1
            if p.noun in ("fy", "fys"):
                p.mode = "fy"
            if i >= 0 and low[i] in _NOUN_MODES:
                p.mode = _NOUN_MODES[low[i]]
                first = i
                i -= 1
            if i >= 0 and (low[i].isdigit() or low[i] in _NUMW or low[i] == "working"):
                p.noun = p.mode = p.cue2 = first = None  # "20 working days 2019": a count, not a cue
            break
    jj = i - 1 if i >= 0 and low[i] == "the" else i
    if jj >= 1 and low[jj] == "of" and low[jj - 1] in _EDGES:
        p.edge = _EDGES[low[jj - 1]]
        i = jj - 2
        first = i + 1
    while i >= 0 and low[i] in _SKIP_WORDS:
        i -= 1
    if i >= 0 and low[i] == "the":
        i -= 1
    if i >= 1 and low[i] == "of" and low[i - 1] in _EACH:
        i -= 2
        if i >= 0 and low[i] in _EACH:
            i -= 1
    elif i >= 0 and low[i] in _EACH:
        i -= 1
    for k in range(min(_CUE_MAX, i + 1), 0, -1):
        ph = " ".join(low[i - k + 1:i + 1])
        if ph in _CUE_KEYS:
            p.cue = ph
            p.cue_type = _CUE_KEYS[ph]
            first = i - k + 1
            break
    if p.cue2 in ("from", "since", "between", "ending") or (p.cue2 and not p.cue):
        p.cue_type = _CUE2[p.cue2]
    if p.cue_type == "deadline" and p.noun and p.edge != "end":
        p.cue_type = "plain"  # "broken down by year 2019" is not a deadline
    p.ok = bool(p.cue or p.edge or p.noun or p.cue2)
    if first is not None and first < n:
        p.s = w0 + ms[first].start()

    line = win[win.rfind("\n") + 1:]
    p.line_start = ("\n" in win or w0 == 0) and bool(_LINE_START_RE.match(line))
    if n and (low[-1] in _ANCHOR_TRIGGER or (n > 1 and low[-1] == "the" and low[-2] in _ANCHOR_TRIGGER)):
        a = _ANCHOR_RE.search(win)
        if a:
            p.anchor = (a, w0 + a.start())
    if "of" in low[-5:]:
        pm = _PART_RE.search(win)
        if pm:
            p.part = (pm, w0 + pm.start())
    if p.cue_type == "snapshot":
        # "currently (as of 22 Dec 2022)", "still serving as of ...": a restatement of now
        before = text[max(0, at - 120):(p.s if p.s is not None else at)]
        cut = max(before.rfind(c) for c in ".?!\n")
        if _PRESENT_RE.search(before[cut + 1:]):
            p.present = True
    if "for" in low[-4:] and _AVAILABLE_RE.search(win):
        p.available = True
    return p


def _suffix_excluded(text: str, u: _Unit, cue: Optional[str] = None) -> bool:
    after = text[u.e:u.e + 30]
    if _EXCL_AFTER_LEGIS_RE.match(after):
        return True  # "the 2018 Act"
    # "over 2000 officers", "2019 vehicles": a count; but "in 2019 officers were ..." is still a year
    if u.kind in ("year", "yrange") and cue not in _TEMPORAL_CUES and _EXCL_COUNT_RE.match(after):
        return True
    return False


class _Composer:
    """Turns the atom list into candidate periods."""

    def __init__(self, text: str, atoms: list[_Atom], received: date):
        self.text, self.atoms, self.received = text, atoms, received
        self.out: list[dict] = []
        self.group = 0

    def gap(self, i: int, j: int) -> str:
        return self.text[self.atoms[i].e:self.atoms[j].s]

    def unit(self, i: int, pre: Optional[_Prefix] = None) -> tuple[Optional[_Unit], int]:
        """The unit starting at atom i (a range, a composite or one atom) and the next atom index."""
        atoms, text, n = self.atoms, self.text, len(self.atoms)
        a = atoms[i]
        u = None
        j = i + 1
        # "2010 (Q1 - 1st Jan - 31st March)": a year with its part spelled out in brackets
        if a.kind == "year" and i + 2 < n:
            m = _COMPOSITE_OPEN_RE.match(self.gap(i, i + 1))
            b, c = atoms[i + 1], atoms[i + 2]
            if m and b.yearless and c.yearless:
                g = _RANGE_GAP_RE.match(self.gap(i + 1, i + 2))
                close = _CLOSE_PAREN_RE.match(text[c.e:c.e + 5])
                if g and close and g.group("word") != "and":
                    y = a.start.year
                    bs, _ = _materialise(b, y)
                    _, ce = _materialise(c, y)
                    if bs <= ce:
                        u = _Unit(a.s, c.e + close.end(), bs, ce, "range", a, 3)
                        j = i + 3
        if u is None and a.kind == "year":
            m = _QUARTER_PAREN_RE.match(text[a.e:a.e + 12])
            if m:
                qs, qe = _quarter(a.start.year, int(m.group("q")), None)
                u = _Unit(a.s, a.e + m.end(), qs, qe, "quarter", a)
        # a range "X to Y", "X - Y", "between X and Y"
        if u is None and i + 1 < n:
            gap = self.gap(i, i + 1)
            if len(gap) <= 40:
                g = _RANGE_GAP_RE.match(gap)
                if g and (g.group("word") or "").lower() == "and":
                    pre = pre or _prefix(text, a.s)
                    if pre.cue_type != "between":
                        g = None
                if g:
                    b = atoms[i + 1]
                    iv = _join(a, b, (g.group("edge") or "").lower() or None)
                    if iv:
                        u = _Unit(a.s, b.e, iv[0], iv[1], "range", a, 2)
                        j = i + 2
        if u is None:
            u = _Unit(a.s, a.e, a.start, a.end, a.kind, a)
        # what follows: "inclusive", "to date", "calendar year", "financial year"
        rest = text[u.e:u.e + 80]
        m = _INCL_RE.match(rest)
        if m:
            u.e += m.end()
            rest = text[u.e:u.e + 80]
        m = _OPEN_RE.match(rest)
        if m and u.start is not None:
            u.e += m.end()
            if m.group("paren"):
                close = _CLOSE_PAREN_RE.match(text[u.e:u.e + 5])
                u.e += close.end() if close else 0
            u.open_end = True
            # "from 01/01/16 - present day (12/02/17)": the bracketed date is the end
            if j < n:
                b = atoms[j]
                if b.kind == "day" and _PAREN_OPEN_RE.match(text[u.e:b.s]):
                    close = _CLOSE_PAREN_RE.match(text[b.e:b.e + 5])
                    if close and b.start >= u.start:
                        u.e = b.e + close.end()
                        u.end = b.end
                        u.open_end = False
                        u.kind = "range"
                        j += 1
            if u.open_end:
                u.end = None
        m = _MODE_SUFFIX_RE.match(text[u.e:u.e + 30])
        if m:
            u.e += m.end()
            u.mode = "fy" if m.group("mode").lower() != "calendar" else "calendar"
        return u, j

    def run(self) -> list[dict]:
        atoms, text = self.atoms, self.text
        i, n = 0, len(atoms)
        while i < n:
            a = atoms[i]
            pre = _prefix(text, a.s)
            head, j = self.unit(i, pre)
            items = [head]
            gaps = []
            # a list: "2018, 2019 and 2020", "a. 2016\nb. 2017", "i) 2016/17, ii) 2017/18"
            if pre.cue_type not in ("since", "after", "before", "until", "from") or head.kind == "range":
                while j < n:
                    gap = text[items[-1].e:atoms[j].s]
                    if len(gap) > 40 or not _LIST_GAP_RE.match(gap) or not gap:
                        break
                    nxt, k = self.unit(j)
                    # "June, July and August 2022": yearless months take the year of the last
                    if nxt.start is None and not (head.start is None and nxt.kind == head.kind):
                        break
                    items.append(nxt)
                    gaps.append(gap)
                    j = k
                if head.start is None and len(items) > 1:
                    self.lend_year(items)
            self.emit(items, gaps, pre)
            i = max(j, i + 1)
        return self.out

    @staticmethod
    def lend_year(items: list[_Unit]) -> None:
        last = items[-1]
        if last.start is None or last.kind not in ("month", "day"):
            return
        y = last.start.year
        for u in items[:-1]:
            if u.start is None and u.first.kind in ("mon", "dm"):
                u.start, u.end = _materialise(u.first, y)
                u.kind = "month" if u.first.kind == "mon" else "day"
                if u.start > last.end:
                    u.start, u.end = _materialise(u.first, y - 1)

    def emit(self, items: list[_Unit], gaps: list[str], pre: _Prefix) -> None:
        text, received = self.text, self.received
        head = items[0]
        if pre.excluded or _suffix_excluded(text, head, pre.cue):
            return
        # two weeks prior to and including 25th Oct: a span counted back from a date
        if pre.anchor is not None and head.kind in ("day", "dm", "month", "year") and len(items) == 1:
            am, astart = pre.anchor
            n = _num(am.group("n")) or 1
            unit = am.group("unit").lower()
            if head.start is None:  # a yearless day: its last occurrence up to the request
                y = received.year
                d = _safe_day(y, head.first.m, head.first.d)
                if d > received:
                    d = _safe_day(y - 1, head.first.m, head.first.d)
                hs = he = d
            else:
                hs, he = head.start, head.end
            rel = _norm(am.group("rel"))
            end = hs - timedelta(days=1) if rel in ("before", "preceding", "prior to") else he
            self.add(astart, head.e, _count_back(end, n, unit), end, "range", core=head.s)
            return
        if head.start is None:
            return
        if pre.part is not None and len(items) == 1 and head.end is not None:
            pm, pstart = pre.part
            iv = _part_of(head.start, head.end, pm)
            if iv:
                self.add(pstart, head.e, iv[0], iv[1], "range", core=head.s)
                return
        kind = head.kind
        cue = pre.cue_type
        if cue == "deadline":
            return  # "by the end of 2020": a target date, not a period asked about
        ranged = kind in ("range", "yrange")
        strong = ranged or kind in ("fy", "quarter") or any(u.open_end or u.mode for u in items)
        # "the 2019 figures", "2020 stats on burglary": a year naming the data asked for
        last = items[-1]
        if not strong and kind in ("year", "month") and _DATA_NOUN_RE.match(text[last.e:last.e + 20]):
            strong = True
        cue_ok = pre.ok and not (cue == "on" and kind not in ("day", "month"))
        emit = strong or cue_ok
        if not emit and pre.line_start and kind in ("year", "month"):
            emit = True
        if not emit and len(items) >= 3 and all(u.kind in ("year", "fy", "yrange") for u in items):
            emit = True
        if not emit:
            return
        if cue == "snapshot" and (pre.present or not _KEEP_SNAPSHOTS):
            return
        # the span takes in its cue ("since", "for the year") when it is on the same line
        span_s = head.s
        if pre.ok and pre.s is not None and pre.s < head.s and "\n" not in text[pre.s:head.s]:
            span_s = pre.s
        fy_ctx = pre.mode == "fy" or any(u.mode == "fy" for u in items)
        s, e = head.start, head.end
        # open ends from the cue: since / from / after / before / until ("since the 2010s" too,
        # but "from 2000-2014" is a range)
        decade = kind == "yrange" and head.n_atoms == 1 and cue in ("since", "after", "before", "until")
        if len(items) == 1 and (not ranged or decade) and not head.open_end:
            if cue in ("since", "from"):
                if fy_ctx and kind == "year":  # "each financial year since 2011": from April 2011
                    s = date(s.year, 4, 1)
                self.add(span_s, head.e, e if pre.edge == "end" else s, None, "since", core=head.s)
                return
            if cue == "after":
                self.add(span_s, head.e, e + timedelta(days=1), None, "after", core=head.s)
                return
            if cue == "before":
                self.add(span_s, head.e, None, e if pre.edge == "end" else s - timedelta(days=1), "before",
                         core=head.s)
                return
            if cue == "until":
                self.add(span_s, head.e, None, s - timedelta(days=1) if pre.edge == "start" else e, "before",
                         core=head.s)
                return
            if cue == "snapshot":
                if pre.edge == "end":
                    s = e
                elif pre.edge == "start":
                    e = s
                self.add(span_s, head.e, s, e, "snapshot", core=head.s)
                return
        # "from X to date" and "X to date"
        if len(items) == 1 and head.open_end:
            self.add(span_s, head.e, s, None, "since", core=head.s)
            return
        # data "available for 2017/18" while that year is still running: open end
        if len(items) == 1 and pre.available and e is not None and s <= received <= e:
            self.add(span_s, head.e, s, None, "since", core=head.s)
            return
        inline = not any("\n" in g for g in gaps)
        if len(items) > 1 and inline and items[-1].open_end and all(u.n_atoms == 1 for u in items):
            # "2011-12, 2012-13 ... and 2016-17 to date": one period open at the end
            self.add(span_s, items[-1].e, min(u.start for u in items), None, "since", core=head.s)
            return
        # "the years ending 31st March 2019, 2020 and 2021": twelve months to that day in each year
        ending = cue == "ending" and kind in ("day", "month") and pre.noun is not None
        # "the financial years ending 2020, 2021 and 2022": each year's financial year ends in March of it
        fy_ending = cue == "ending" and kind == "year" and fy_ctx
        academic = pre.mode == "academic"
        self.group += 1
        for k, u in enumerate(items):
            if u.start is None:
                continue
            if k > 0 and _suffix_excluded(text, u):
                continue
            s, e, kd = u.start, u.end, u.kind
            if ending and kd in ("day", "month", "year"):
                day = head.first.start if kind == "day" else head.end
                e = _safe_day(e.year, day.month, day.day)
                s = _count_back(e, 1, "year")
                kd = "financial_year" if (e.month, e.day) == (3, 31) else "range"
            if fy_ending and kd == "year":
                s, e = _fy(s.year - 1)
                kd = "fy"
            if (fy_ctx or u.mode == "fy" or academic) and u.first.fy_possible and kd == "yrange":
                s, e = _fy(s.year)
                kd = "fy"
            if academic and kd == "fy":  # the academic year runs September to August
                s, e = date(s.year, 9, 1), date(s.year + 1, 8, 31)
                kd = "academic_year"
            if u.open_end:
                e, kd = None, "since"
            self.add(span_s if k == 0 else u.s, u.e, s, e, _KIND_NAMES.get(kd, kd), group=self.group, core=u.s)

    def add(self, s: int, e: int, start, end, kind: str, group: int = 0, core: Optional[int] = None) -> None:
        self.out.append({"s": s, "e": e, "start": start, "end": end, "kind": kind, "group": group, "rel": None,
                         "core": s if core is None else core})


def _part_of(start: date, end: date, pm: re.Match) -> Optional[tuple[date, date]]:
    """The first or last part of [start, end] named by ``pm`` ("the first six months of")."""
    which = pm.group("which").lower()
    unit = pm.group("unit").lower().rstrip("s")
    n = _num(pm.group("n")) if pm.group("n") else 1
    if n is None:
        return None
    months = {"half": 6 * n, "quarter": 3 * n, "month": n}.get(unit)
    first = which in ("first", "opening")
    if months is not None:
        if first:
            return start, min(end, _add_months(start, months) - timedelta(days=1))
        return max(start, _add_months(end + timedelta(days=1), -months)), end
    days = 7 * n if unit == "week" else n
    if first:
        return start, min(end, start + timedelta(days=days - 1))
    return max(start, end - timedelta(days=days - 1)), end


def _count_back(end: date, n: int, unit: str) -> date:
    """The first day of the ``n`` ``unit``s that end on ``end``."""
    if unit == "day":
        return end - timedelta(days=n - 1)
    if unit in ("week", "fortnight"):
        return end - timedelta(days=(7 if unit == "week" else 14) * n - 1)
    if unit == "month":
        return _add_months(end, -n) + timedelta(days=1)
    return _add_years(end, -n) + timedelta(days=1)


_KIND_NAMES = {"fy": "financial_year", "yrange": "range", "dm": "day", "mon": "month"}


# ---------------------------------------------------------------- relative periods

def _word_hits(text: str, low: str, words, rx: re.Pattern, back: int, ahead: int):
    """Matches of ``rx`` around each occurrence of a trigger word (str.find is much faster than a regex scan)."""
    seen = set()
    for w in words:
        i = low.find(w)
        while i != -1:
            if i == 0 or not low[i - 1].isalnum():
                m = rx.match(text, i) if back == 0 else rx.search(text, max(0, i - back), i + ahead)
                if m and m.span() not in seen:
                    seen.add(m.span())
                    yield m
            i = low.find(w, i + 1)


def _relative_interval(unit: str, k: int, mode: Optional[str], bare: bool, received: date):
    """The interval of "the last ``k`` ``unit``s" as of ``received``.

    Financial mode counts complete financial years; calendar mode (and a bare "last year" /
    "last month") counts complete calendar units; otherwise the span rolls back from ``received``.
    """
    if unit == "year":
        if mode == "fy":
            y0 = _last_complete_fy_start(received)
            return date(y0 - k + 1, 4, 1), date(y0 + 1, 3, 31)
        if mode == "calendar" or bare:
            return date(received.year - k, 1, 1), date(received.year - 1, 12, 31)
        return _add_years(received, -k), received
    if unit == "decade":
        return _add_years(received, -10 * k), received
    if unit == "month":
        if bare or mode == "calendar":
            first = date(received.year, received.month, 1)
            return _add_months(first, -k), first - timedelta(days=1)
        return _add_months(received, -k), received
    if unit == "week":
        return received - timedelta(days=7 * k), received
    if unit == "day":
        return received - timedelta(days=k), received
    if unit == "quarter":
        q0 = date(received.year, 3 * ((received.month - 1) // 3) + 1, 1)
        return _add_months(q0, -3 * k), q0 - timedelta(days=1)
    return None


def _relative(text: str, received: date) -> list[dict]:
    out = []
    low = text.lower()
    if len(low) == len(text):
        rel_hits = _word_hits(text, low, _REL_TRIGGERS, _REL_RE, 0, 0)
        cur_hits = _word_hits(text, low, _CURRENT_TRIGGERS, _CURRENT_RE, 30, 40)
        req_hits = _word_hits(text, low, _REQUEST_TRIGGERS, _REL_REQUEST_RE, 110, 25)
    else:  # lower() changed the length (rare Unicode): scan with the regexes
        rel_hits, cur_hits = _REL_RE.finditer(text), _CURRENT_RE.finditer(text)
        req_hits = _REL_REQUEST_RE.finditer(text)
    # "the 12 months prior to the date of this request": counted back from the request
    for m in req_hits:
        n = _num(m.group("n")) if m.group("n") else 1
        if n is None:
            continue
        unit = _UNITS[m.group("unit").lower()]
        back = {"year": ("year", n), "decade": ("year", 10 * n), "month": ("month", n), "quarter": ("month", 3 * n),
                "week": ("week", n), "day": ("day", n)}[unit]
        try:
            start = _count_back(received, back[1], back[0]) - timedelta(days=1)
        except (ValueError, OverflowError):
            continue
        out.append({"s": m.start(), "e": m.end(), "start": start, "end": received, "kind": "relative", "group": 0,
                    "rel": {"n": n, "unit": unit, "mode": None, "flag": None, "core": m.start()}})
    rels = sorted(rel_hits, key=lambda m: m.start())
    ends = set()
    for m in rels:
        if m.end() in ends:
            continue  # "most recent" and "recent" end at the same place: keep the longer
        ends.add(m.end())
        dirw = _norm(m.group("dir"))
        n1, n2 = _num(m.group("n1")), _num(m.group("n2"))
        if m.group("n1") and n1 is None:
            continue
        n = max(n1 or 0, n2 or 0) or None  # "the past 5-10 years": the longer span
        if dirw in _REL_NEEDS_N and n is None:
            continue
        after = text[m.end():m.end() + 20]
        if _REL_NOT_AFTER_RE.match(after) or (n is None and _REL_NOT_AFTER_BARE_RE.match(after)):
            continue  # "the last day of ...", "the last year for which you have data"
        unit = _UNITS[m.group("unit").lower()]
        adj = [w.lower() for w in m.group("adj").split()]
        modes = {_REL_MODES[w] for w in adj if w in _REL_MODES}
        mode = "fy" if "fy" in modes else ("calendar" if "calendar" in modes else None)
        the = bool(_REL_THE_RE.search(text, max(0, m.start() - 8), m.start()))
        bare = n is None and not the and dirw in _REL_BARE_CAL
        if n is None and dirw in ("previous", "preceding", "prior"):
            bare = True
        flag = "bare_year" if unit == "year" and bare and mode is None else None
        try:
            iv = _relative_interval(unit, n or 1, mode, bare, received)
        except (ValueError, OverflowError):  # "the last 900 decades": before the calendar starts
            iv = None
        if iv is None:
            continue
        left = _REL_LEFT_RE.search(text[max(0, m.start() - 40):m.start()])
        s = m.start() - (len(left.group(0)) if left and left.group(0).strip() else 0)
        out.append({"s": s, "e": m.end(), "start": iv[0], "end": iv[1], "kind": "relative", "group": 0,
                    "rel": {"n": n, "unit": unit, "mode": mode, "flag": flag, "core": m.start()}})
    for m in sorted(cur_hits, key=lambda m: m.start()):
        if _CURRENT_NOT_BEFORE_RE.search(text[max(0, m.start() - 12):m.start()]):
            continue  # "earlier this year": context, not a period asked about
        what = _CURRENT.get(_norm(m.group(0)[:len(m.group(0)) - len(m.group("ytd") or "")]))
        if m.group("ytd"):  # "this financial year to date", "the current year so far"
            what = {"year": "ytd", "fy": "fytd"}.get(what, what)
        s0 = m.start()
        since = _SINCE_START_RE.search(text, max(0, s0 - 30), s0)
        if since and what in ("year", "fy"):  # "since the start of this year": the year to date
            what = "ytd" if what == "year" else "fytd"
            s0 = since.start()
        y = received.year
        fy0 = y if received.month >= 4 else y - 1
        if what == "year":
            iv = (date(y, 1, 1), date(y, 12, 31))
        elif what == "ytd":
            iv = (date(y, 1, 1), None)
        elif what == "fy":
            iv = _fy(fy0)
        elif what == "fytd":
            iv = (date(fy0, 4, 1), None)
        else:
            continue
        out.append({"s": s0, "e": m.end(), "start": iv[0], "end": iv[1], "kind": "relative", "group": 0,
                    "rel": {"n": None, "unit": "current", "mode": what, "flag": None, "core": m.start()}})
    return out


# ---------------------------------------------------------------- putting it together

def _resolve(text: str, explicit: list[dict], relative: list[dict], received: date) -> list[dict]:
    groups: dict[int, list[dict]] = {}
    for c in explicit:
        if c["group"]:
            groups.setdefault(c["group"], []).append(c)
    by_core = sorted(explicit, key=lambda c: c["core"])
    cores = [c["core"] for c in by_core]
    by_end = sorted(explicit, key=lambda c: c["e"])
    ends = [c["e"] for c in by_end]
    group_starts = sorted((min(x["s"] for x in ms), len(ms), all(x["kind"] in ("year", "financial_year") for x in ms))
                          for ms in groups.values())
    group_firsts = [g[0] for g in group_starts]
    keep_rel = []
    merged = []
    for r in relative:
        # "the last two years (2022 and 2023)", "the last financial year 2020/21": the explicit dates win
        follow = None
        k = bisect.bisect_left(cores, r["e"])
        if k < len(by_core):
            c = by_core[k]
            # the explicit cue may have borrowed the relative's last word ("years (January 2022 ...")
            cs = c["s"] if c["s"] >= r["e"] else c["core"]
            if cs - r["e"] <= 30 and _GLOSS_RE.match(text[r["e"]:cs]):
                follow = c
        if follow is not None and "\n" in text[r["e"]:cs]:
            continue  # spelled out on the lines below: keep the explicit items as they are
        if follow is not None:
            members = groups.get(follow["group"], [follow]) if follow["group"] else [follow]
            starts = [x["start"] for x in members]
            fins = [x["end"] for x in members]
            e = max(x["e"] for x in members)
            close = _CLOSE_PAREN_RE.match(text[e:e + 3])
            if close and "(" in text[r["e"]:cs]:
                e += close.end()
            st = None if any(x is None for x in starts) else min(starts)
            en = None if any(x is None for x in fins) else max(fins)
            merged.append({"s": r["s"], "e": e, "start": st, "end": en, "kind": members[0]["kind"], "group": 0,
                           "rel": None, "core": r["s"]})
            continue
        # "2023/24 financial year (year-to-date if necessary)": a gloss on the explicit period
        k = bisect.bisect_right(ends, r["s"]) - 1
        if k >= 0 and r["s"] - ends[k] <= 4 and _PAREN_OPEN_RE.match(text[ends[k]:r["s"]]):
            continue
        # "over the previous five years ... for 2015, 2016, 2017, 2018 and 2019": spelled out just after
        info = r["rel"]
        if info["n"] and info["unit"] == "year":
            k = bisect.bisect_left(group_firsts, r["e"])
            spelled = False
            while k < len(group_starts) and group_starts[k][0] <= r["e"] + _SPELL_WINDOW:
                if group_starts[k][1] == info["n"] and group_starts[k][2]:
                    spelled = True
                    break
                k += 1
            if spelled:
                continue
        keep_rel.append(r)
    # "last year" in a request that counts in financial years means the last financial year
    fy_request = any(c["kind"] == "financial_year" for c in explicit) or \
        any(r["rel"]["mode"] == "fy" for r in relative)
    if fy_request:
        for r in keep_rel:
            if r["rel"]["flag"] == "bare_year" and (r["rel"]["n"] or 1) == 1:
                y0 = _last_complete_fy_start(received)
                r["start"], r["end"] = _fy(y0)
    # an explicit period whose cue words overlap a relative one ("the past three force years ending
    # 31st March 2019"): the relative keeps its words, the explicit one starts at its date
    rel_ends = sorted((r["e"], r["s"]) for r in keep_rel)
    re_ends = [x[0] for x in rel_ends]
    for c in explicit:
        if c["s"] < c["core"]:
            k = bisect.bisect_right(re_ends, c["core"]) - 1
            if k >= 0 and rel_ends[k][1] < c["s"] < rel_ends[k][0]:
                c["s"] = rel_ends[k][0]
    # the longest expression wins an overlap; kept spans are disjoint, so a sorted list and bisect suffice
    cands = [c for c in explicit + keep_rel + merged if c["e"] > c["s"]]
    cands.sort(key=lambda c: (-(c["e"] - c["s"]), c["s"]))
    t_starts: list[int] = []
    t_ends: list[int] = []
    final = []
    for c in cands:
        k = bisect.bisect_left(t_starts, c["s"])
        if k < len(t_starts) and t_starts[k] < c["e"]:
            continue
        if k > 0 and t_ends[k - 1] > c["s"]:
            continue
        t_starts.insert(k, c["s"])
        t_ends.insert(k, c["e"])
        final.append(c)
    final.sort(key=lambda c: c["s"])
    return final


def _find(text: str, received: date) -> list[Period]:
    atoms = []
    for m in _atom_matches(text):
        a = _make_atom(m, received)
        if a is not None:
            atoms.append(a)
    explicit = _Composer(text, atoms, received).run() if atoms else []
    relative = _relative(text, received)
    out = []
    for c in _resolve(text, explicit, relative, received):
        s, e = c["s"], c["e"]
        # trim whitespace and stray punctuation so the span reads cleanly
        while s < e and text[s] in " \t\n,;:*(\"'":
            s += 1
        while e > s and text[e - 1] in " \t\n,;:*\"'":
            e -= 1
        if e <= s:
            continue
        out.append(Period(text=text[s:e], start=c["start"], end=c["end"], start_char=s, end_char=e, kind=c["kind"]))
    return out


def find_periods(text: str, received: date) -> list[Period]:
    """Every period expression in ``text``, normalised (see module docstring). Never raises."""
    if not isinstance(text, str) or not text:
        return []
    if not isinstance(received, date):
        received = date.today()
    try:
        return _find(text, received)
    except Exception:  # a malformed input must not take the pipeline down
        return []


class PeriodFinder:
    def __init__(self, nlp: Language, name: str = "foi_periods"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        received = doc._.received or date.today()
        spans = []
        for p in find_periods(extensions.doc_text(doc), received):
            span = extensions.char_span(doc, p.start_char, p.end_char, label="PERIOD")
            span._.period = p
            spans.append(span)
        doc.spans["periods"] = spans
        return doc


@Language.factory("foi_periods")
def make_period_finder(nlp: Language, name: str) -> PeriodFinder:
    return PeriodFinder(nlp, name)
