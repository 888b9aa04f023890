"""Read a disclosure log from JSON Lines, CSV or saved HTML pages into the store.

``foi-triage log import FILE...`` is a thin layer over ``import_files``.
Each reader yields, for every entry it finds, a ``Disclosure`` or a
``Problem`` (file, line or URL, what is wrong); a problem never stops the
import, the other entries go in. Entries are upserted by reference, so
importing the same files again changes nothing.

Fields (JSONL keys, CSV header names; ``reference`` and one of ``request`` or
``title`` are required):

- ``reference``: the log's own reference, e.g. ``859A/23`` (unique);
- ``title``, ``url``, ``request``, ``response``: text;
- ``published``: ``YYYY-MM-DD`` (also ``DD/MM/YYYY`` and ``1 March 2024``);
- ``exemptions``: the sections cited, a JSON list or, in CSV, separated by
  ``;`` or ``,`` (``"s40(2); Section 31(3)"``); normalised to ``s40(2)``.
  When the field is missing, they are read from the response text;
- ``ncnd``: true/false (yes/no, 1/0); when missing, read from the response
  ("neither confirm nor deny");
- ``topics``: topic labels from the contract (JSON list, or ``;``-separated).

HTML: pages of a disclosure log in the common WordPress shape: each entry an
``<article>`` (or the whole page), its title ending in the reference in
brackets (``Officer Misconduct (1584A/23)``), then a "Request" and a
"Response" section (headings, or paragraphs starting ``Request:``).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Union

from .disclosures import Disclosure, DisclosureStore, UpsertStats, normalise_exemption
from .models import TOPIC_LABELS

PathLike = Union[str, Path]
MAX_FIELD_CHARS = 1_000_000  # one entry's text; beyond this it is not a disclosure-log page
csv.field_size_limit(MAX_FIELD_CHARS)


@dataclass
class Problem:
    """An entry that could not be imported."""

    file: str
    where: str  # "line 7", "https://.../foi-123/" or "entry 3"
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


Item = Union[Disclosure, Problem]


# ------------------------------------------------------------------ exemptions in text

# "Section 40(5) – Personal information", "s.31(1)(a)", "Sections 23(5), 24(2) and 31(3)", "S40(2)"
_NUM = r"\d{1,3}(?:\s*\(\s*[0-9]{1,2}[A-Za-z]?\s*\))?(?:\s*(?:&|and|or)?\s*\(\s*[a-z]{1,4}\s*\))*"
_CITE = re.compile(
    rf"\b(?:sections?\s*|ss?\.\s?|s(?=\d))({_NUM}(?:\s*(?:,|&|and/or|and|or)\s*(?:s\.?\s?)?{_NUM})*)", re.I)
_ONE = re.compile(r"(\d{1,3})((?:\s*\([^)]{1,4}\))*)")
_OTHER_ACT = re.compile(r"\s*(?:of|under)\s+(?:the\s+)?((?:[A-Z][\w'’&-]*\s+|of\s+|and\s+|the\s+){0,8}Act)\b")
_NCND = re.compile(r"neither\s+(?:to\s+)?confirm(?:s|ing)?\s+nor\s+den(?:y|ies|ying)|\bNCND\b", re.I)


def exemptions_in_text(text: str) -> tuple[list[str], bool]:
    """The FOIA sections cited in a response, normalised (``s40(5)``), and whether it neither confirmed nor denied.

    A section of another Act ("section 23 of the Misuse of Drugs Act",
    "section 43 of the Terrorism Act") is not an exemption and is skipped.
    """
    found: dict[str, None] = {}
    for m in _CITE.finditer(text or ""):
        after = _OTHER_ACT.match(text, m.end())
        act = after.group(1).lower() if after else ""
        if act and act not in ("act", "the act", "this act") and "freedom of information" not in act:
            continue
        for one in _ONE.finditer(m.group(1)):
            sub = re.search(r"\(\s*(\d{1,2})", one.group(2) or "")
            norm = normalise_exemption(f"s{one.group(1)}" + (f"({sub.group(1)})" if sub else ""))
            if norm:
                found[norm] = None
    return tidy_exemptions(found), bool(_NCND.search(text or ""))


def tidy_exemptions(sections: Iterable[str]) -> list[str]:
    """Unique, in order, without a bare base section when a subsection of it is there (s31 + s31(1) -> s31(1))."""
    seen = list(dict.fromkeys(sections))
    with_sub = {s.split("(", 1)[0] for s in seen if "(" in s}
    return [s for s in seen if "(" in s or s not in with_sub]


# ------------------------------------------------------------------ one record

_TRUE = {"true", "yes", "y", "1", "ncnd"}
_FALSE = {"false", "no", "n", "0", ""}
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value: Any) -> Optional[dt.date]:
    """ISO (a time part is ignored), ``DD/MM/YYYY`` (UK), ``1 March 2024`` or ``March 1, 2024``; empty -> None."""
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        pass
    m = _DMY.match(s)
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d %B, %Y"):
        try:
            return dt.datetime.strptime(re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", s), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"published {json.dumps(s)} is not a date (use YYYY-MM-DD)")


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and name == "reference":
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    if len(value) > MAX_FIELD_CHARS:
        raise ValueError(f"{name} is {len(value):,} characters, over the limit of {MAX_FIELD_CHARS:,}")
    return value.strip()


def _list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        s = value.strip()
        if s.startswith("["):
            try:
                value = json.loads(s)
            except json.JSONDecodeError:
                raise ValueError(f"{name} looks like a JSON list but is not valid JSON") from None
        else:
            return [p.strip() for p in re.split(r"[;,|]", s) if p.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{name} must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"{name} must be true or false, not {json.dumps(value)}")


def to_disclosure(row: dict) -> Disclosure:
    """A mapping with the documented fields -> ``Disclosure``; ``ValueError`` says what is wrong."""
    if not isinstance(row, dict):
        raise ValueError(f"an entry must be an object, not {type(row).__name__}")
    reference = _text(row.get("reference"), "reference")
    if not reference:
        raise ValueError("reference is missing")
    if len(reference) > 100:
        raise ValueError("reference is over 100 characters")
    title = _text(row.get("title"), "title")
    request = _text(row.get("request"), "request")
    response = _text(row.get("response"), "response")
    if not request and not title:
        raise ValueError("neither request nor title is given: nothing to search")
    url = _text(row.get("url"), "url") or None
    published = parse_date(row.get("published"))
    found, said_ncnd = (exemptions_in_text(response)
                        if row.get("exemptions") in (None, "") or row.get("ncnd") in (None, "") else ([], False))
    if row.get("exemptions") not in (None, ""):
        exemptions = []
        for e in _list(row.get("exemptions"), "exemptions"):
            norm = normalise_exemption(e)
            if norm is None:
                raise ValueError(f"exemptions: {json.dumps(e)} is not a FOIA section (write e.g. s40(2))")
            exemptions.append(norm)
        exemptions = tidy_exemptions(exemptions)
    else:
        exemptions = found
    ncnd = _bool(row["ncnd"], "ncnd") if row.get("ncnd") not in (None, "") else said_ncnd
    topics = _list(row.get("topics"), "topics")
    unknown = [t for t in topics if t not in TOPIC_LABELS]
    if unknown:
        raise ValueError(f"topics: unknown label(s) {', '.join(unknown)} (see the contract's topic list)")
    return Disclosure(reference=reference, title=title, url=url, published=published, request=request,
                      response=response, exemptions=exemptions, ncnd=ncnd, topics=topics)


# ------------------------------------------------------------------ readers

class _Progress:
    """Bytes read, for a progress bar over the files of one import."""

    def __init__(self, bar):
        self.bar = bar

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)


def _open_text(path: Path):
    # utf-8-sig drops a BOM (Excel's CSV export); cp1252 bytes become U+FFFD rather than stopping the file
    return open(path, encoding="utf-8-sig", errors="replace", newline="")


def read_jsonl(path: PathLike, progress: Optional[_Progress] = None) -> Iterator[Item]:
    path = Path(path)
    with _open_text(path) as f:
        for n, line in enumerate(f, 1):
            if progress:
                progress.update(len(line))
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                yield Problem(str(path), f"line {n}", f"not valid JSON ({e.msg} at column {e.colno})")
                continue
            try:
                yield _located(to_disclosure(row), f"line {n}")
            except ValueError as e:
                yield Problem(str(path), f"line {n}", str(e))


def read_csv(path: PathLike, progress: Optional[_Progress] = None) -> Iterator[Item]:
    path = Path(path)
    with _open_text(path) as f:
        counted = _Counted(f, progress)
        reader = csv.reader(counted, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            yield Problem(str(path), "line 1", f"the header row cannot be read: {e}")
            return
        names = [h.strip().lower() for h in header]
        if "reference" not in names:
            yield Problem(str(path), "line 1", "the header has no 'reference' column (columns: "
                          "reference, title, url, published, request, response, exemptions, ncnd, topics)")
            return
        while True:
            start = counted.line + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                yield Problem(str(path), f"line {start}", f"malformed CSV row: {e}")
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(names):
                yield Problem(str(path), f"line {start}",
                              f"{len(cells)} fields where the header has {len(names)}")
                continue
            try:
                yield _located(to_disclosure(dict(zip(names, cells))), f"line {start}")
            except ValueError as e:
                yield Problem(str(path), f"line {start}", str(e))


class _Counted:
    """A line iterator that counts lines (for the CSV row's line number) and bytes (for progress)."""

    def __init__(self, f, progress: Optional[_Progress]):
        self.f, self.progress, self.line = f, progress, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.f)
        self.line += 1
        if self.progress:
            self.progress.update(len(line))
        return line


# -------------------------------------------------------------- HTML

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = _HEADINGS + ("p", "li", "pre", "blockquote", "td", "th", "dt", "dd")
_REQUEST_HEAD = re.compile(r"^(?:the\s+|your\s+|original\s+)?(?:request|information\s+requested|request\s+details)"
                           r"(?:\s+details)?\s*:?\s*(.*)$", re.I | re.S)
_RESPONSE_HEAD = re.compile(r"^(?:the\s+|our\s+)?(?:response|answer|reply|decision)\s*:?\s*(.*)$", re.I | re.S)
_REF_IN_TITLE = re.compile(r"^(.*?)[\s\-–—:]*[(\[]\s*(?:ref(?:erence)?\.?:?\s*|foi\s+)?([A-Za-z0-9][\w./\- ]{0,40}?)\s*[)\]]\s*$")
_REF_LINE = re.compile(r"\b(?:our\s+)?ref(?:erence)?(?:\s+(?:no|number)\.?)?\s*[:#]\s*([A-Za-z0-9][\w./\-]{0,40})", re.I)
_TEXT_DATE = re.compile(r"\b(?:published|date(?: of response)?|responded)\s*:?\s*"
                        r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}|\d{1,2}(?:st|nd|rd|th)? [A-Z][a-z]+ \d{4})", re.I)
_LABELLED = re.compile(r"^(request|response)\s*:\s*(.*)$", re.I | re.S)


def read_html(path: PathLike, progress: Optional[_Progress] = None) -> Iterator[Item]:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        yield Problem(str(path), "file", f"cannot read: {e.strerror or e}")
        return
    if progress:
        progress.update(len(raw))
    yield from parse_html(raw.decode("utf-8", errors="replace"), str(path))


def parse_html(html: str, name: str = "<html>") -> Iterator[Item]:
    """Entries of one saved disclosure-log page (one ``<article>`` each, or the page as one entry)."""
    from bs4 import BeautifulSoup  # only HTML imports need it

    soup = BeautifulSoup(html, "html.parser")
    for junk in soup(["script", "style", "noscript", "template"]):
        junk.decompose()
    page_url = _page_url(soup)
    articles = soup.find_all("article") or [soup]
    many = len(articles) > 1
    for i, art in enumerate(articles, 1):
        url = _entry_url(art, page_url if not many else None)
        where = url or (f"entry {i}" if many else "page")
        try:
            yield _located(_html_entry(art, soup if not many else None, url), where)
        except ValueError as e:
            yield Problem(name, where, str(e))


def _page_url(soup) -> Optional[str]:
    link = soup.find("link", rel="canonical")
    if link and link.get("href"):
        return link["href"].strip()
    og = soup.find("meta", property="og:url")
    if og and og.get("content"):
        return og["content"].strip()
    return None


def _entry_url(art, page_url: Optional[str]) -> Optional[str]:
    head = art.find(class_=re.compile(r"entry-title|post-title")) or art.find(_HEADINGS)
    a = head.find("a", href=True) if head else None
    if a and a["href"].startswith("http"):
        return a["href"].strip()
    return page_url


def _html_entry(art, page, url: Optional[str]) -> Disclosure:
    head = art.find(class_=re.compile(r"entry-title|post-title")) or art.find("h1") or art.find(_HEADINGS)
    heading = " ".join(head.get_text(" ", strip=True).split()) if head else ""
    if not heading and page is not None and page.title:
        heading = " ".join(page.title.get_text(" ", strip=True).split())
    content = art.find(class_=re.compile(r"entry-content|post-content|the-content")) or art
    blocks = _blocks(content, skip=head)

    title, reference = heading, None
    m = _REF_IN_TITLE.match(heading)
    if m and re.search(r"\d", m.group(2)):
        title, reference = m.group(1).strip(" -–—:"), m.group(2).strip()
    if reference is None:
        for b in blocks[:6]:
            mm = _REF_LINE.search(b)
            if mm:
                reference = mm.group(1)
                break
    if reference is None:
        raise ValueError(f"no reference: the title {json.dumps(heading[:80])} does not end in one in brackets, "
                         "e.g. 'Officer Misconduct (1584A/23)'")

    request, response, part = [], [], None
    for b in blocks:
        low = b.strip()
        m_req, m_resp = _REQUEST_HEAD.match(low), _RESPONSE_HEAD.match(low)
        if m_req and len(low) <= 40:
            part = request
            if m_req.group(1):
                part.append(m_req.group(1))
            continue
        if m_resp and len(low) <= 40:
            part = response
            if m_resp.group(1):
                part.append(m_resp.group(1))
            continue
        lab = _LABELLED.match(low)
        if lab:  # "Request: Please provide ..." in one paragraph
            part = request if lab.group(1).lower() == "request" else response
            part.append(lab.group(2))
            continue
        if part is not None:
            part.append(b)
    if not request:
        raise ValueError("no 'Request' section found on the page")
    response_text = "\n".join(response)
    exemptions, ncnd = exemptions_in_text(response_text)
    return Disclosure(reference=reference, title=title, url=url, published=_published(art, page),
                      request="\n".join(request), response=response_text, exemptions=exemptions, ncnd=ncnd)


def _blocks(content, skip=None) -> list[str]:
    """The text of each block element in document order, each once (a <p> inside an <li> is the <li>'s)."""
    out: list[str] = []
    taken: set[int] = set()
    for el in content.find_all(_BLOCKS):
        if el is skip or any(id(p) in taken for p in el.parents):
            continue
        if el.name not in ("li", "td", "th") and el.find(_BLOCKS):
            continue  # a wrapper (a blockquote of paragraphs): its blocks come next
        taken.add(id(el))
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        if el.name == "li" and el.parent is not None and el.parent.name == "ol":
            n = len(el.find_previous_siblings("li")) + 1
            text = f"{n}. {text}"
        out.append(text)
    return out


def _published(art, page) -> Optional[dt.date]:
    t = art.find("time")
    if t is not None:
        for value in (t.get("datetime"), t.get_text(strip=True)):
            try:
                d = parse_date(value)
                if d:
                    return d
            except ValueError:
                pass
    if page is not None:
        meta = page.find("meta", property="article:published_time")
        if meta and meta.get("content"):
            try:
                return parse_date(meta["content"])
            except ValueError:
                pass
    m = _TEXT_DATE.search(art.get_text(" ", strip=True))
    if m:
        try:
            return parse_date(m.group(1))
        except ValueError:
            pass
    return None


def _located(rec: Disclosure, where: str) -> Disclosure:
    rec.__dict__["_where"] = where  # for the duplicate-reference report; not stored
    return rec


# ------------------------------------------------------------------ importing

READERS = {".jsonl": read_jsonl, ".ndjson": read_jsonl, ".json": read_jsonl, ".csv": read_csv,
           ".html": read_html, ".htm": read_html}


def reader_for(path: PathLike):
    ext = Path(path).suffix.lower()
    if ext not in READERS:
        raise ValueError(f"{path}: unknown file type {ext or '(none)'}; use .jsonl, .csv or .html")
    return READERS[ext]


@dataclass
class ImportReport:
    files: int = 0
    stats: UpsertStats = field(default_factory=UpsertStats)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        s = self.stats
        return (f"{s.total:,} entries from {self.files} file{'s' if self.files != 1 else ''}: "
                f"{s.inserted:,} new, {s.updated:,} updated, {s.unchanged:,} unchanged, "
                f"{len(self.problems):,} not imported, in {self.seconds:.1f} s")


def import_files(store: DisclosureStore, paths: Iterable[PathLike], progress: bool = False) -> ImportReport:
    """Import every entry of ``paths`` into ``store`` (one transaction); problems are collected, not raised."""
    paths = [Path(p) for p in paths]
    report = ImportReport()
    t0 = time.perf_counter()
    readers = []
    for p in paths:
        try:
            readers.append((p, reader_for(p)))
        except ValueError as e:
            report.problems.append(Problem(str(p), "file", str(e).split(": ", 1)[1]))
            continue
        if not p.is_file():
            readers.pop()
            report.problems.append(Problem(str(p), "file", "no such file" if not p.exists() else "not a file"))
    bar = None
    if progress and readers:
        from tqdm import tqdm

        bar = tqdm(total=sum(p.stat().st_size for p, _ in readers), unit="B", unit_scale=True,
                   desc="importing", file=sys.stderr, leave=False)
    prog = _Progress(bar)
    seen: dict[str, str] = {}

    def entries() -> Iterator[Disclosure]:
        for p, read in readers:
            report.files += 1
            for item in read(p, prog):
                if isinstance(item, Problem):
                    report.problems.append(item)
                    continue
                where = item.__dict__.pop("_where", "")
                first = seen.get(item.reference)
                if first is not None:
                    # the first entry is kept so that importing the same files again stays a no-op
                    report.problems.append(Problem(str(p), where, f"reference {item.reference} appeared "
                                                                  f"before ({first}); this entry was skipped"))
                    continue
                seen[item.reference] = f"{p.name} {where}".strip()
                yield item

    try:
        report.stats = store.upsert(entries(), source=",".join(p.name for p, _ in readers)[:500] or None)
    finally:
        if bar is not None:
            bar.close()
    report.seconds = time.perf_counter() - t0
    return report
