"""Question segmentation: split a request into the separate things it asks.

Works line by line on the cleaned text with the intake zones (greeting,
sign-off, quoted mail, footer) blanked out:

1. list items in all their shapes (``1.``, ``1)``, ``(1)``, ``Q1``, ``i.``,
   ``a)``, bullets, "Question 1" headings, inline "1) ... 2) ...") become
   questions; lettered, roman or bulleted sub-items under an open numbered
   item stay inside it;
2. text outside lists is split into sentences, each read as an ask, a
   follow-up of the previous ask, a lead-in ("Please provide the following:"),
   a qualifier (a period or breakdown for the whole request), courtesy, or
   context; asks become questions.

All rules are in ``data/segment.yaml``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from spacy.language import Language
from spacy.tokens import Doc

from . import extensions
from .rules import pattern_prefixes, present_literals, required_literals, screening
from .rules import safe_load as _safe_load  # libyaml when installed: a faster cold start

DATA = Path(__file__).with_name("data")
_ABBREV = {"e.g", "i.e", "etc", "no", "nos", "mr", "mrs", "ms", "dr", "st", "vs", "approx", "incl",
           "ref", "para", "sec", "s", "cf", "viz", "fig", "jan", "feb", "mar", "apr", "jun", "jul",
           "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd", "co", "u.k", "a.m", "p.m"}
# a sentence ends at . ? ! before a capital; text scraped from web pages often
# lost its line breaks ("Act 2000.Please provide"), so no space is needed there
_SENT_END = re.compile(r"(?<=[.?!])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9\u2022])|(?<=[a-z0-9)][.?!:])(?=[A-Z][a-z])")
_TERMINAL = (".", "?", "!", ":", ";")
_CONDITION = re.compile(r"^\W*if (so|yes|not|applicable)\b[,;:]?\s*", re.I)
_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}


@dataclass
class Segment:
    """A span of the cleaned text with the role it plays in the request."""

    role: str  # question | lead_in | qualifier
    start: int
    end: int
    number: int = 0
    lead_in: Optional[int] = None  # index into the lead-ins list, for list questions
    why: str = ""
    absorbs: bool = False  # an ask that takes the label lines after it ("Time periods: 2006 ...")


@dataclass
class _Line:
    start: int
    end: int
    text: str
    family: Optional[str] = None  # list-marker family, None for a plain line
    key: str = ""  # the item's number or letter, lower-cased
    style: str = ""  # the marker's punctuation, e.g. "." or "()" - lists differ by it
    body_start: int = 0  # offset in ``text`` where the words after the marker begin
    sub: bool = False  # the marker carries a sub-item letter too: "2. a."
    blank_before: bool = False
    top: bool = False  # starts a top-level list item

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def body(self) -> str:
        return self.text[self.body_start:]

    def ends_sentence(self) -> bool:
        return self.text.rstrip().endswith(_TERMINAL)


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    para: int
    new_line: bool


@dataclass(frozen=True)
class Rules:
    markers: tuple[tuple[str, re.Pattern, str], ...]  # family, pattern, fixed style
    inline: re.Pattern
    asks_start: tuple[re.Pattern, ...]
    asks_any: tuple[re.Pattern, ...]
    follow_up: re.Pattern
    qualifier: re.Pattern
    lead_in: re.Pattern
    courtesy: re.Pattern
    refers_back: re.Pattern
    generic_intro: re.Pattern
    elaborating_intro: re.Pattern
    context_intro: re.Pattern


_CAPITAL = re.compile(r"(?<!\\)[A-Z]")  # a capital letter that is not an escape (\b, \W ...)


class _Folded:
    """A compiled pattern that lower-cases the text it is given (for yes/no tests only: the match
    positions are those of the lower-cased text). The pattern only runs when the text holds the
    literals any match needs (one automaton pass per sentence, shared by all the tests on it)."""

    __slots__ = ("rx", "literals")

    def __init__(self, rx: re.Pattern):
        self.rx = rx
        heads = pattern_prefixes(rx.pattern)
        self.literals = screening(list(required_literals(rx.pattern) or ()) + ([heads] if heads else []))

    @property
    def pattern(self) -> str:
        return self.rx.pattern

    def _possible(self, text: str) -> bool:
        if self.literals is None:
            return True
        present = present_literals(text)
        return not any(present.isdisjoint(lit.wordset) for lit in self.literals)

    def search(self, text: str) -> Optional[re.Match]:
        text = text.lower()
        return self.rx.search(text) if self._possible(text) else None

    def match(self, text: str) -> Optional[re.Match]:
        text = text.lower()
        return self.rx.match(text) if self._possible(text) else None


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> Rules:
    d = _safe_load(Path(path or DATA / "segment.yaml").read_text(encoding="utf-8"))

    def rx(p: str, case: str = "insensitive", anchor: bool = False) -> re.Pattern:
        flags = 0 if case == "sensitive" else re.I
        return re.compile(("(?:" + p + ")") if not anchor else r"^[ ]*(?:" + p + ")", flags)

    def folded(p: str, anchor: bool = False) -> "re.Pattern | _Folded":
        """A case-blind test: the text lower-cased, then a case-exact pattern (twice as fast as re.I
        on the long courtesy and intro patterns). Only for patterns written without capitals."""
        if _CAPITAL.search(p):
            return rx(p, anchor=anchor)
        return _Folded(rx(p, case="sensitive", anchor=anchor))

    return Rules(
        markers=tuple((m["family"], rx(m["pattern"], m.get("case", "insensitive"), anchor=True), m.get("style", ""))
                      for m in d["markers"]),
        inline=re.compile(d["inline_marker"]),
        asks_start=tuple(folded(a["pattern"], anchor=True) for a in d["asks"] if a["where"] == "start"),
        asks_any=tuple(folded(a["pattern"]) for a in d["asks"] if a["where"] == "any"),
        follow_up=folded(d["follow_ups"]["pattern"], anchor=True),
        qualifier=folded(d["qualifiers"]["pattern"]),
        lead_in=folded(d["lead_in"]["pattern"]),
        courtesy=folded(d["courtesy"]["pattern"]),
        refers_back=folded(d["refers_back"]["pattern"]),
        generic_intro=folded(d["generic_intro"]["pattern"]),
        elaborating_intro=folded(d["elaborating_intro"]["pattern"]),
        context_intro=folded(d["context_intro"]["pattern"]),
    )


# ---------------------------------------------------------------- lines

def _lines(text: str, zones: Iterable[tuple[int, int]]) -> list[_Line]:
    """Lines of ``text`` with zoned parts blanked (their characters are not the request)."""
    masked = list(text)
    for s, e in zones:
        for i in range(s, min(e, len(text))):
            if masked[i] != "\n":
                masked[i] = " "
    m = "".join(masked)
    out, pos = [], 0
    for raw in m.split("\n"):
        end = pos + len(raw)
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw.rstrip())
        if trail > lead:
            out.append(_Line(pos + lead, pos + trail, raw[lead:trail]))
        else:
            out.append(_Line(pos, pos, ""))
        pos = end + 1
    return out


def _split_inline(lines: list[_Line], rules: Rules) -> list[_Line]:
    """Split "1) ... 2) ... 3) ..." written in one line into one line per item."""
    out = []
    for ln in lines:
        hits = [m for m in rules.inline.finditer(ln.text)]
        nums = [int(m.group(1)) for m in hits]
        # only a real run 1, 2, 3 ... counts: "aged 18) and" or a lone "2)" does not
        run = []
        for m, n in zip(hits, nums):
            if n == len(run) + 1:
                run.append(m)
        if len(run) < 2:
            out.append(ln)
            continue
        cuts = [0] + [m.start() for m in run] + [len(ln.text)]
        for a, b in zip(cuts, cuts[1:]):
            piece = ln.text[a:b]
            lead = len(piece) - len(piece.lstrip())
            piece_s = piece.strip()
            if piece_s:
                out.append(_Line(ln.start + a + lead, ln.start + a + lead + len(piece_s), piece_s))
    return out


def _mark(line: _Line, rules: Rules) -> None:
    for family, rx, style in rules.markers:
        m = rx.match(line.text)
        if m:
            g = m.groupdict()
            line.family, line.body_start = family, m.end()
            line.key = re.sub(r"\s", "", (g.get("key") or "")).lower()
            line.style = style or ("(" if g.get("open") else "") + (g.get("punct") or "")
            line.sub = bool(g.get("sub"))
            return


# ---------------------------------------------------------------- sentences

def _sentences(text: str, lines: list[_Line], para: int) -> list[_Sentence]:
    """Sentences of a paragraph; hard-wrapped lines of an email are joined first."""
    out: list[_Sentence] = []
    chunks: list[tuple[int, int]] = []
    for i, ln in enumerate(lines):
        joined = (chunks and i > 0 and not lines[i - 1].text.rstrip().endswith(_TERMINAL)
                  and (ln.text[:1].islower() or len(lines[i - 1].text) >= 55))
        if joined:
            chunks[-1] = (chunks[-1][0], ln.end)
        else:
            chunks.append((ln.start, ln.end))
    for cs, ce in chunks:
        chunk = text[cs:ce]
        starts = [0]
        for m in _SENT_END.finditer(chunk):
            before = re.search(r"([\w.]+)[.?!][\"')\]]*$", chunk[: m.start()])
            word = before.group(1).lower() if before else ""
            if word in _ABBREV or (len(word) == 1 and word.isalpha()):
                continue
            starts.append(m.end())
        for k, s in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else len(chunk)
            piece = chunk[s:e]
            lead = len(piece) - len(piece.lstrip())
            body = piece.strip()
            if body:
                out.append(_Sentence(cs + s + lead, cs + s + lead + len(body), body, para, k == 0))
    return out


# ---------------------------------------------------------------- classification

def is_ask(text: str, rules: Rules) -> bool:
    body = re.sub(r"^[\W_]*", "", text)
    return any(r.match(body) for r in rules.asks_start) or any(r.search(body) for r in rules.asks_any)


def _role(s: str, rules: Rules) -> str:
    body = re.sub(r"^[\W_]*", "", s)
    if rules.courtesy.search(body):
        return "courtesy"
    qualifier = rules.qualifier.search(body) is not None
    if qualifier and rules.refers_back.search(body) and "?" not in body:
        return "qualifier"  # "I would like this information broken down by year"
    ask = is_ask(body, rules)
    if ask and rules.lead_in.search(body):
        return "lead_in"
    if ask:
        return "ask"
    if qualifier:
        return "qualifier"
    return "context"


# ---------------------------------------------------------------- main

def segment(text: str, zones: Iterable[tuple[int, int]] = (), rules: Rules | None = None) -> list[Segment]:
    """Questions, lead-ins and qualifiers of ``text``, in order of appearance."""
    rules = rules or load_rules()
    lines: list[_Line] = []
    blank = False
    for ln in _split_inline(_lines(text, zones), rules):
        if ln.blank:
            blank = True
            continue
        ln.blank_before = blank
        blank = False
        _mark(ln, rules)
        lines.append(ln)
    bare = [ln for ln in lines if ln.style == "bare"]
    if not {"1", "2"} <= {ln.key for ln in bare}:
        for ln in bare:  # "18 officers were ..." is not a list unless 1, 2 ... follow
            ln.family, ln.key, ln.style, ln.body_start = None, "", "", 0
    _mark_top_items(lines, rules)
    return _assemble(text, lines, rules)


def _mark_top_items(lines: list[_Line], rules: Rules) -> None:
    """Decide which marked lines start a question and which are sub-items of one."""
    cur: Optional[_Line] = None
    child_styles: set[tuple[str, str]] = set()
    takes_children = False
    for ln in lines:
        if not ln.family:
            continue
        if cur is not None and ln.family == "roman" and ln.key in ("i", "v", "x") and (
                cur.family == "letter" or any(f == "letter" for f, _ in child_styles)):
            ln.family = "letter"  # in a lettered list "i." follows "h."
        if cur is not None and _is_child(cur, ln, child_styles, takes_children, rules):
            if not (ln.family == cur.family == "num" and ln.key == cur.key):
                child_styles.add((ln.family, ln.style))  # "2. b." under "2. a." is no new sub-list style
            continue
        ln.top = True
        cur, child_styles = ln, set()
        takes_children = ln.text.rstrip().endswith((":", "-"))


def _is_child(cur: _Line, ln: _Line, child_styles: set, takes_children: bool, rules: Rules) -> bool:
    if ln.family in ("qhead", "q"):
        return False
    if ln.family == "num":
        if cur.family in ("qhead", "q"):
            return True  # "Question 1" or "Q1", then its numbered details
        if cur.family != "num":
            return False  # numbers outrank letters and bullets
        if (ln.key == cur.key and ln.sub) or (ln.family, ln.style) in child_styles:
            return True  # "2. a." / "2. b." share their parent's number
        if ln.style != cur.style and ln.key in ("1", "1a", "i"):
            return True  # a differently punctuated list restarting at 1 is a sub-list
        # "5. For each contract give:" then short labels "6. Fixed cameras"
        return (takes_children and len(ln.body.split()) <= 6 and "?" not in ln.text
                and not is_ask(ln.body, rules))
    return ln.family != cur.family or (ln.family, ln.style) in child_styles


def _region_end(lines: list[_Line], first: int, stop: int, last: bool, rules: Rules) -> int:
    """Index after the last line belonging to the item starting at ``first``.

    Between two items everything belongs to the earlier one (clarifications,
    breakdown notes), except a closing "For the last five years:" that
    introduces the next items. After the final item, lines stop belonging to
    it at the first new sentence that is not a follow-up or a qualifier.
    """
    if not last:
        end = stop
        tail = lines[end - 1]
        if (end - 1 > first and not tail.family and tail.text.rstrip().endswith(":")
                and (tail.blank_before or lines[end - 2].ends_sentence())):
            end -= 1
        return end
    for j in range(first + 1, stop):
        ln, prev = lines[j], lines[j - 1]
        if ln.family or (j == first + 1 and lines[first].family == "qhead"):
            continue  # sub-items, and the ask under a "Question 6" heading
        heading = ln.text.isupper() and len(ln.text) < 60
        if not heading and not ln.blank_before and not prev.ends_sentence():
            continue  # the sentence goes on
        if prev.text.rstrip().endswith(":") and not heading:
            continue  # details of "... the following:"
        role = _role(ln.text, rules)
        if role == "qualifier" or (role != "courtesy" and not heading and rules.follow_up.match(_strip(ln.text))):
            continue
        return j
    return stop


def _strip(text: str) -> str:
    return re.sub(r"^[\W_]*", "", text)


def _assemble(text: str, lines: list[_Line], rules: Rules) -> list[Segment]:
    marked = [i for i, ln in enumerate(lines) if ln.top]
    # a short heading such as "3. Policy and training" above "3.1 ..." is not a question
    headings = {i for k, i in enumerate(marked)
                if k + 1 < len(marked) and i + 1 == marked[k + 1]
                and lines[marked[k + 1]].key.startswith(lines[i].key + ".")
                and len(lines[i].body.split()) <= 6 and "?" not in lines[i].text}
    tops = [i for i in marked if i not in headings]
    # an item's text stops at the next item or heading
    next_boundary = {i: next((j for j in marked if j > i), len(lines)) for i in tops}
    segs: list[Segment] = []
    if not tops:
        segs = _prose(text, lines, rules, intro=False)
    else:
        before = _prose(text, lines[: tops[0]], rules, intro=True)
        merge = _children_of_intro(text, before, lines, tops, rules)
        if merge:
            # "Please give a breakdown for each year including:" + "i) the month ..."
            owner = before.pop()
            stop = tops[merge] if merge < len(tops) else len(lines)
            end = _region_end(lines, tops[merge - 1], stop, merge == len(tops), rules)
            before.append(Segment("question", owner.start, lines[end - 1].end, why="an ask with its listed points"))
        lead = next((g for g in reversed(before) if g.role == "lead_in"), None)
        segs.extend(before)
        after: list[_Line] = [] if merge < len(tops) else lines[end:]
        for k, i in enumerate(tops):
            if k < merge:
                continue
            last = k + 1 == len(tops)
            stop = next_boundary[i]
            end = _region_end(lines, i, stop, last, rules)
            body = lines[i].body
            if rules.courtesy.match(_strip(body)) and not is_ask(body, rules):
                continue  # "- Please reply by email" is not a question
            q = Segment("question", lines[i].start, lines[end - 1].end, why="a list item")
            if lead is not None:
                q.lead_in = sum(1 for g in segs if g.role == "lead_in") - 1
            segs.append(q)
            if end < stop and not last:
                lead = Segment("lead_in", lines[end].start, lines[end].end, why="introduces the questions that follow")
                segs.append(lead)
            if last:
                after = lines[end:]
        segs.extend(_prose(text, after, rules, intro=False))
    if not any(g.role == "question" for g in segs):
        fb = _fallback(text, lines, rules)
        if fb is not None:
            segs.append(fb)
    segs.sort(key=lambda g: g.start)
    n = 0
    for g in segs:
        if g.role == "question":
            n += 1
            g.number = n
    return segs


def _children_of_intro(text: str, before: list[Segment], lines: list[_Line], tops: list[int], rules: Rules) -> int:
    """How many leading list items are points of the ask just before them (0: none)."""
    if not before or before[-1].role not in ("lead_in", "question"):
        return 0
    intro = text[before[-1].start:before[-1].end].rstrip()
    if not intro.endswith(":") or before[-1].end < lines[tops[0]].start - 400:
        return 0
    if len(tops) == 1:
        return 1  # one listed point completes the sentence that introduced it
    family = lines[tops[0]].family
    if family not in ("letter", "roman", "bullet") or not rules.elaborating_intro.search(intro):
        return 0  # "I would like to know the following:" then separate questions
    run = 0
    while run < len(tops) and lines[tops[run]].family == family:
        run += 1
    return run


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    paras: list[list[_Line]] = []
    for ln in lines:
        if not paras or ln.blank_before:
            paras.append([])
        paras[-1].append(ln)
    return paras


def _prose(text: str, lines: list[_Line], rules: Rules, intro: bool) -> list[Segment]:
    """Segments of text outside a list. ``intro``: the text introduces a list,
    so its asks are lead-ins ("I would like to know the following")."""
    sents: list[_Sentence] = []
    for p, para in enumerate(_paragraphs(lines)):
        sents.extend(_sentences(text, para, p))
    roles = [_role(s.text, rules) for s in sents]
    segs: list[Segment] = []
    last_q: Optional[Segment] = None
    last_para = -1
    for idx, s in enumerate(sents):
        role = roles[idx]
        same_para = s.para == last_para
        last_para = s.para
        if role == "courtesy":
            last_q = None
            continue
        if intro:
            if rules.context_intro.match(_strip(s.text)):
                continue  # "I am aware that since 2020 the IOPC has published ..., but I would like ..."
            prev = segs[-1] if segs else None
            if (role in ("context", "qualifier") and prev is not None and same_para
                    and (prev.absorbs or text[prev.start:prev.end].rstrip().endswith(":"))):
                prev.end, prev.absorbs = s.end, True  # "... for each of these years:" then "2018", "2019"
                continue
            if role == "ask" and not rules.generic_intro.search(s.text) and s.text.rstrip().endswith((".", "?", "!", ")")):
                # a specific ask before the list ("Please provide the number of X in 2022.")
                segs.append(Segment("question", s.start, s.end, why="a sentence asking for information"))
            elif role in ("ask", "lead_in"):
                segs.append(Segment("lead_in", s.start, s.end, why="introduces the questions that follow"))
            elif role == "qualifier":
                segs.append(Segment("qualifier", s.start, s.end, why="sets the period or breakdown for the request"))
            continue
        follow = same_para and last_q is not None and bool(rules.follow_up.match(_strip(s.text)))
        if follow and _CONDITION.match(s.text) and rules.asks_start[0].match(_CONDITION.sub("", s.text, count=1)):
            follow = False  # "If so, how many were charged?" is a question of its own
        if last_q is not None and follow:
            last_q.end = s.end
            continue
        if last_q is not None and last_q.absorbs and role in ("context", "qualifier"):
            last_q.end = s.end  # the labels and values listed under "... as follows:"
            continue
        if role == "lead_in":
            nxt = next((r for r in roles[idx + 1:] if r != "courtesy"), "end")
            if nxt in ("ask", "lead_in"):
                segs.append(Segment("lead_in", s.start, s.end, why="introduces the questions that follow"))
                last_q = None
                continue
            # an ask followed by labels or fragments: the ask with its details
            last_q = Segment("question", s.start, s.end, why="an ask with its listed details", absorbs=True)
            segs.append(last_q)
            continue
        if role == "ask" and rules.generic_intro.search(s.text) and \
                next((r for r in roles[idx + 1:] if r != "courtesy"), "end") in ("ask", "lead_in"):
            # "Please provide information on agency staff." before the specific asks
            segs.append(Segment("lead_in", s.start, s.end, why="introduces the questions that follow"))
            last_q = None
            continue
        if role == "ask":
            last_q = Segment("question", s.start, s.end, why="a sentence asking for information")
            segs.append(last_q)
            continue
        if role == "qualifier":
            if same_para and last_q is not None:
                last_q.end = s.end
            else:
                segs.append(Segment("qualifier", s.start, s.end, why="sets the period or breakdown for the request"))
            continue
        last_q = None  # context ends a run of follow-ups
    return segs


def _fallback(text: str, lines: list[_Line], rules: Rules) -> Optional[Segment]:
    """No ask was recognised: the non-courtesy body is the one question."""
    keep = [s for p, para in enumerate(_paragraphs(lines)) for s in _sentences(text, para, p)
            if _role(s.text, rules) != "courtesy"]
    if not keep:
        return None
    return Segment("question", keep[0].start, keep[-1].end, why="the whole request, read as one ask")


class Segmenter(extensions.RulesComponent):
    """spaCy component: ``doc.spans["questions"]``, ``["lead_ins"]`` and ``["qualifiers"]``."""

    rules_file = "segment.yaml"

    def __init__(self, nlp: Language, name: str, rules_path: str | None = None):
        super().__init__(name, rules_path)

    def load(self, path: str):
        return load_rules(path)

    def __call__(self, doc: Doc) -> Doc:
        zones = [sp._.char_range for sp in doc.spans.get("zones", [])]
        groups: dict[str, list] = {"questions": [], "lead_ins": [], "qualifiers": []}
        for g in segment(extensions.doc_text(doc), zones, self.rules):
            span = extensions.char_span(doc, g.start, g.end, label=g.role)
            span._.number = g.number or None
            span._.segment = g
            groups[{"question": "questions", "lead_in": "lead_ins", "qualifier": "qualifiers"}[g.role]].append(span)
        for k, v in groups.items():
            doc.spans[k] = v
        return doc


@Language.factory("foi_segmenter", default_config={"rules_path": None})
def make_segmenter(nlp: Language, name: str, rules_path: str | None) -> Segmenter:
    return Segmenter(nlp, name, rules_path)
