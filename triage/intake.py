"""Request intake: clean an email or web-form paste and mark what is not the request.

Real requests arrive with HTML entities, odd whitespace, bullet glyphs,
greetings, sign-offs, quoted earlier mail and WhatDoTheyKnow footers.
``clean`` normalises the text while keeping a map from every cleaned
character back to the ORIGINAL text, so every span reported later can be
given in original offsets. ``find_zones`` marks (rather than deletes) the
parts that are not the request; the ``foi_zones`` component puts them in
``doc.spans["zones"]``.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from . import extensions
from .rules import safe_load as _safe_load  # libyaml when installed: a faster cold start

DATA = Path(__file__).with_name("data")

# Characters replaced one-for-one (so offsets stay aligned) to make matching simple.
_CHAR_MAP = {
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ", "\t": " ",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    # bullet glyphs from word processors and web forms all become one bullet
    "\u2022": "\u2022", "\u25cf": "\u2022", "\u25aa": "\u2022", "\u25e6": "\u2022", "\u00b7": "\u2022",
    "\u2023": "\u2022", "\u2043": "\u2022", "\u25a0": "\u2022", "\u25a1": "\u2022", "\uf0b7": "\u2022",
    "\uf0a7": "\u2022", "\u27a2": "\u2022", "\u2219": "\u2022",
    "\u2028": "\n", "\u2029": "\n", "\x0b": "\n", "\x0c": "\n",
}
# Characters dropped entirely (zero-width, BOM, soft hyphen, carriage return).
_DROP = set("\u200b\u200c\u200d\u2060\ufeff\u00ad\r")
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"<\s*(/?)\s*(br|p|div|li|ul|ol|tr|td|span|strong|b|i|em|u|font|table|tbody|h\d)\b[^<>]{0,300}>", re.I)
_TRANSLATE = str.maketrans(_CHAR_MAP)
_DROP_CLASS = "[" + "".join(sorted(_DROP)) + "]"
_SPECIAL = re.compile(_ENTITY.pattern + "|" + _DROP_CLASS)
# with markup present, simple tags are special too (a block tag becomes a line break)
_SPECIAL_MARKUP = re.compile(_ENTITY.pattern + "|" + _DROP_CLASS + "|" + _TAG.pattern.replace("(br|", "(?P<tag>br|"), re.I)
_BLOCK_TAGS = {"br", "p", "div", "li", "tr", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class CleanText:
    """Cleaned text plus, for each of its characters, where it came from in the original."""

    original: str
    text: str
    offsets: tuple[int, ...]  # start in the original of each cleaned char; last entry len(original)
    ends: tuple[int, ...] = ()  # end in the original of each cleaned char (an entity spans several)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) range of the cleaned text onto the original text."""
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        if end == start:
            o = self.offsets[start]
            return o, o
        return self.offsets[start], self.ends[end - 1]


def clean(original: str) -> CleanText:
    """Normalise whitespace, quotes, dashes, bullets, HTML entities and simple tags.

    Plain stretches are translated in one call (the character map is
    one-for-one, so offsets there are a range); only entities, tags and
    dropped characters are handled one by one.
    """
    out: list[str] = []
    offs: list[int] = []
    ends: list[int] = []
    special = _SPECIAL_MARKUP if "<" in original and _TAG.search(original) else _SPECIAL
    pos = 0
    for m in special.finditer(original):
        i = m.start()
        if i > pos:
            out.append(original[pos:i].translate(_TRANSLATE))
            offs.extend(range(pos, i))
            ends.extend(range(pos + 1, i + 1))
        token = m.group()
        if token[0] == "&":
            decoded = html.unescape(token)
            if decoded == token:  # not an entity we know: keep it as written
                out.append(token.translate(_TRANSLATE))
                offs.extend(range(i, m.end()))
                ends.extend(range(i + 1, m.end() + 1))
            for d in decoded.translate(_TRANSLATE) if decoded != token else "":
                if d in _DROP:
                    continue
                out.append(d)
                offs.append(i)
                ends.append(m.end())
        elif token[0] == "<":
            if m.group("tag").lower() in _BLOCK_TAGS:
                out.append("\n")
                offs.append(i)
                ends.append(m.end())
        # anything else matched is a dropped character
        pos = m.end()
    n = len(original)
    if pos < n:
        out.append(original[pos:].translate(_TRANSLATE))
        offs.extend(range(pos, n))
        ends.extend(range(pos + 1, n + 1))
    if len(offs) != sum(map(len, out)):  # pragma: no cover - an entity decoded to a char the map drops
        raise AssertionError("offset map out of step")
    offs.append(n)
    return CleanText(original, "".join(out), tuple(offs), tuple(ends))


@dataclass(frozen=True)
class Zone:
    kind: str  # greeting | quoted | footer | signoff
    start: int
    end: int
    why: str


@dataclass(frozen=True)
class _Rule:
    kind: str
    regex: re.Pattern
    extent: str
    why: str


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> tuple[_Rule, ...]:
    data = _safe_load(Path(path or DATA / "intake.yaml").read_text(encoding="utf-8"))
    rules = []
    for kind in ("quoted", "footer", "signoff", "greeting"):
        for r in data.get(kind, []):
            rules.append(_Rule(kind, re.compile(r["pattern"], re.I | re.M), r["extent"], r["why"]))
    return tuple(rules)


def find_zones(text: str, rules: tuple[_Rule, ...] | None = None) -> list[Zone]:
    """Zones of ``text`` that are not the request, in order and non-overlapping."""
    rules = rules or load_rules()
    # Zones that run to the end (sign-off, quoted mail, footer): each one stops
    # where the next begins, so an officer sees which is which.
    starts: dict[int, _Rule] = {}
    for rule in rules:
        if rule.extent != "to_end":
            continue
        m = rule.regex.search(text)
        # a sign-off on the first line is a one-line message, not a closing
        if m and not (rule.kind == "signoff" and not text[: m.start()].strip()):
            starts.setdefault(m.start(), rule)
    # one zone per run of the same kind ("-----Original Message-----" then "From:")
    order = [s for i, s in enumerate(sorted(starts)) if i == 0 or starts[s].kind != starts[sorted(starts)[i - 1]].kind]
    zones = [Zone(starts[s].kind, s, order[i + 1] if i + 1 < len(order) else len(text), starts[s].why)
             for i, s in enumerate(order)]
    head = text[: order[0]] if order else text
    for rule in rules:
        if rule.extent == "to_end":
            continue
        for m in rule.regex.finditer(head):
            if rule.kind == "greeting" and head[: m.start()].strip():
                continue  # a greeting only opens a message
            if rule.extent == "line":
                s = head.rfind("\n", 0, m.start()) + 1
                e = head.find("\n", m.start())
                e = len(head) if e < 0 else e
            else:
                s, e = m.start(), m.end()
            if text[s:e].strip():
                zones.append(Zone(rule.kind, s, e, rule.why))
    zones.sort(key=lambda z: (z.start, -z.end))
    merged: list[Zone] = []
    for z in zones:
        if merged and z.start < merged[-1].end:
            continue
        merged.append(z)
    return merged


class ZoneMarker(extensions.RulesComponent):
    """spaCy component: marks greeting, sign-off, quoted mail and footers."""

    rules_file = "intake.yaml"

    def __init__(self, nlp: Language, name: str, rules_path: str | None = None):
        super().__init__(name, rules_path)

    def load(self, path: str):
        return load_rules(path)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for z in find_zones(extensions.doc_text(doc), self.rules):
            span = extensions.char_span(doc, z.start, z.end, label=z.kind)
            span._.zone = z.kind
            spans.append(span)
        doc.spans["zones"] = spans
        return doc


@Language.factory("foi_zones", default_config={"rules_path": None})
def make_zone_marker(nlp: Language, name: str, rules_path: str | None) -> ZoneMarker:
    return ZoneMarker(nlp, name, rules_path)
