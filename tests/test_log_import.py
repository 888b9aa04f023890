"""Importing a disclosure log: JSONL, CSV and saved HTML pages, broken entries, re-imports."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from triage.disclosures import DisclosureStore
from triage.log_import import Problem, exemptions_in_text, import_files, parse_date, read_csv, read_html

DATA = Path(__file__).parent / "data"


def entry(ref, **kw):
    row = {"reference": ref, "title": f"Entry {ref}", "published": "2023-05-02",
           "request": "How many police dogs does the force have and what do they cost?",
           "response": "The dog unit has 31 dogs."}
    row.update(kw)
    return row


def write_jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    s = DisclosureStore(tmp_path / "log.db")
    yield s
    s.close()


# ------------------------------------------------------------------ exemptions in response text

@pytest.mark.parametrize("text, sections, ncnd", [
    ("Section 40(5) – Personal information applies.", ["s40(5)"], False),
    ("We rely on sections 23(5), 24(2) and 31(3) of the Act.", ["s23(5)", "s24(2)", "s31(3)"], False),
    ("Exempt under s.31(1)(a)&(b) and S40(2).", ["s31(1)", "s40(2)"], False),
    ("The force can neither confirm nor deny holding it (Section 30(3)).", ["s30(3)"], True),
    ("Section 12(1) of the Freedom of Information Act 2000 applies.", ["s12(1)"], False),
    ("Section 31 – Law enforcement. Section 31(1)(a) is engaged.", ["s31(1)"], False),
])
def test_sections_cited_in_a_response_are_normalised(text, sections, ncnd):
    assert exemptions_in_text(text) == (sections, ncnd)


def test_sections_of_other_acts_are_not_exemptions():
    text = ("Officers searched him under section 23 of the Misuse of Drugs Act 1971 and section 43 of the "
            "Terrorism Act 2000; he was detained under section 136 of the Mental Health Act.")
    assert exemptions_in_text(text) == ([], False)


def test_uk_and_written_dates_are_read():
    assert str(parse_date("14/09/2023")) == "2023-09-14"
    assert str(parse_date("2023-09-14T10:12:00+00:00")) == "2023-09-14"
    assert str(parse_date("4th March 2024")) == "2024-03-04"
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("last Tuesday")


# ------------------------------------------------------------------ JSONL

def test_jsonl_imports_good_lines_and_reports_broken_ones_with_their_line(tmp_path, store):
    path = write_jsonl(tmp_path / "log.jsonl", [
        entry("10A/23", exemptions=["Section 40(2)"], topics=["calls_operations"]),
        "{not json",
        entry("", title="no reference"),
        entry("11A/23", published="31/02/2023x"),
        entry("12A/23", topics=["dogs"]),
        "[1, 2]",
        entry("13A/23", ncnd="maybe"),
        "",
        entry("14A/23"),
    ])
    report = import_files(store, [path])
    assert report.stats.inserted == 2
    where = {p.where: p.message for p in report.problems}
    assert set(where) == {"line 2", "line 3", "line 4", "line 5", "line 6", "line 7"}
    assert "not valid JSON" in where["line 2"]
    assert "reference is missing" in where["line 3"]
    assert "not a date" in where["line 4"]
    assert "unknown label" in where["line 5"]
    assert "must be an object" in where["line 6"]
    assert "true or false" in where["line 7"]
    assert all(p.file == str(path) for p in report.problems)
    assert store.get("10A/23").exemptions == ["s40(2)"]


def test_exemptions_and_ncnd_are_read_from_the_response_when_not_given(tmp_path, store):
    path = write_jsonl(tmp_path / "log.jsonl", [entry(
        "20A/23", response="We can neither confirm nor deny that the information is held: Section 24(2) and "
                           "Section 31(3) apply.")])
    import_files(store, [path])
    got = store.get("20A/23")
    assert got.exemptions == ["s24(2)", "s31(3)"]
    assert got.ncnd is True


def test_explicit_exemptions_are_kept_even_when_the_response_says_otherwise(tmp_path, store):
    path = write_jsonl(tmp_path / "log.jsonl", [entry("21A/23", exemptions=[], ncnd=False,
                                                      response="Section 40(2) applies.")])
    import_files(store, [path])
    assert store.get("21A/23").exemptions == []


def test_a_non_foia_section_in_the_exemptions_field_is_a_broken_row(tmp_path, store):
    path = write_jsonl(tmp_path / "log.jsonl", [entry("22A/23", exemptions=["s17"])])
    report = import_files(store, [path])
    assert report.stats.total == 0
    assert "not a FOIA section" in report.problems[0].message


# ------------------------------------------------------------------ CSV

CSV_TEXT = '''reference,title,url,published,request,response,exemptions,ncnd,topics
30A/22,Police Horses,https://foi.example.org/30a-22/,2022-03-01,"How many horses
does the mounted section have?",It has 14 horses.,,no,other
31A/22,ANPR Cameras,,01/04/2022,Where are your ANPR cameras?,Withheld.,"s31(1); Section 24(1)",false,technology_surveillance
32A/22,Too Few Fields,,2022-04-02,Only some cells
33A/22,Broken Quote,,2022-04-03,"How many ""drones"" x,y,,no,
34A/22,Tasers,,2022-05-05,How many Tasers?,We hold 420.,,0,stop_search_force
'''


def test_csv_imports_quoted_multiline_cells_and_reports_bad_rows_by_line(tmp_path, store):
    path = tmp_path / "log.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    items = list(read_csv(path))
    good = [i for i in items if not isinstance(i, Problem)]
    bad = [i for i in items if isinstance(i, Problem)]
    assert [g.reference for g in good] == ["30A/22", "31A/22"]
    assert good[0].request == "How many horses\ndoes the mounted section have?"
    assert good[1].exemptions == ["s31(1)", "s24(1)"]
    assert str(good[1].published) == "2022-04-01"
    assert bad[0].where == "line 5" and "fields" in bad[0].message
    # the unbalanced quote swallows the rest of the file: reported at the row where it starts
    assert bad[1].where == "line 6"


def test_csv_without_a_reference_column_is_reported_not_imported(tmp_path, store):
    path = tmp_path / "log.csv"
    path.write_text("ref,title\n1,A\n", encoding="utf-8")
    report = import_files(store, [path])
    assert report.stats.total == 0
    assert "no 'reference' column" in report.problems[0].message


# ------------------------------------------------------------------ HTML

def test_a_saved_wordpress_entry_page_gives_request_response_and_exemptions():
    [item] = list(read_html(DATA / "disclosure_page.html"))
    assert item.reference == "1203A/23"
    assert item.title == "Use of Spit Guards on Children"
    assert item.url == "https://foi.example.org/disclosure-log/2023/1203a-23-use-of-spit-guards-on-children/"
    assert str(item.published) == "2023-09-14"
    assert item.request.startswith("I would like to know about the use of spit and bite guards")
    assert "1. How many times were spit guards used" in item.request
    assert "2. Please give the age of each child and the outcome" in item.request
    assert "Spit and bite guards were used 41 times" in item.response
    assert "window.dataLayer" not in item.request + item.response
    assert item.exemptions == ["s40(2)", "s40(5)"]  # not "s1": PACE section 1 is not an exemption
    assert item.ncnd is True


def test_an_archive_page_gives_each_article_and_reports_the_broken_ones_by_url():
    items = list(read_html(DATA / "disclosure_archive.html"))
    good = {i.reference: i for i in items if not isinstance(i, Problem)}
    bad = [i for i in items if isinstance(i, Problem)]
    assert set(good) == {"311A/24", "318A/24"}
    drones = good["311A/24"]
    assert drones.request == "How many drones does the force own and how many times were they flown in 2023?"
    assert drones.response.startswith("The force owns 9 drones")
    assert drones.exemptions == ["s31(1)"] and not drones.ncnd
    assert drones.url.endswith("/311a-24-drone-fleet/")
    ct = good["318A/24"]
    assert ct.exemptions == ["s23(5)", "s24(2)", "s31(3)"] and ct.ncnd
    assert str(ct.published) == "2024-03-07"
    assert [b.where for b in bad] == ["https://foi.example.org/disclosure-log/2024/untitled-draft/",
                                      "https://foi.example.org/disclosure-log/2024/325a-24-notes/"]
    assert "no reference" in bad[0].message and "no 'Request' section" in bad[1].message


def test_a_page_that_is_not_a_disclosure_is_reported(tmp_path):
    path = tmp_path / "home.html"
    path.write_text("<html><head><title>Welcome</title></head><body><p>Hello</p></body></html>")
    [problem] = list(read_html(path))
    assert isinstance(problem, Problem) and problem.where == "page"


# ------------------------------------------------------------------ upsert

def test_importing_the_same_files_twice_changes_nothing(tmp_path, store):
    path = write_jsonl(tmp_path / "log.jsonl", [entry(f"{n}A/23") for n in range(40, 45)])
    first = import_files(store, [path, DATA / "disclosure_page.html"])
    assert (first.stats.inserted, first.stats.updated, first.stats.unchanged) == (6, 0, 0)
    before = store.conn.execute("SELECT reference, updated, fingerprint FROM disclosures ORDER BY id").fetchall()
    second = import_files(store, [path, DATA / "disclosure_page.html"])
    assert (second.stats.inserted, second.stats.updated, second.stats.unchanged) == (0, 0, 6)
    assert store.conn.execute("SELECT reference, updated, fingerprint FROM disclosures ORDER BY id").fetchall() == before
    assert store.count() == 6


def test_a_changed_entry_is_updated_in_place_and_found_by_its_new_words(tmp_path, store):
    path = write_jsonl(tmp_path / "log.jsonl", [entry("50A/23")])
    import_files(store, [path])
    write_jsonl(path, [entry("50A/23", request="How many horses does the mounted section have?")])
    report = import_files(store, [path])
    assert report.stats.updated == 1
    assert store.count() == 1
    assert [h.reference for h in store.search("mounted section horses")] == ["50A/23"]
    assert store.search("what do they cost") == []


def test_a_reference_repeated_within_an_import_keeps_the_first_entry(tmp_path, store):
    path = write_jsonl(tmp_path / "log.jsonl", [entry("60A/23", title="First"), entry("60A/23", title="Second")])
    report = import_files(store, [path])
    assert store.get("60A/23").title == "First"
    assert "appeared before" in report.problems[0].message and report.problems[0].where == "line 2"
    again = import_files(store, [path])
    assert again.stats.unchanged == 1 and again.stats.updated == 0


def test_missing_and_unknown_files_are_reported(tmp_path, store):
    report = import_files(store, [tmp_path / "nope.jsonl", tmp_path / "log.xlsx"])
    assert [p.where for p in report.problems] == ["file", "file"]
    assert "no such file" in report.problems[0].message
    assert "unknown file type" in report.problems[1].message


# ------------------------------------------------------------------ command line

def run_cli(capsys, *args):
    """The real command, in process: (exit code, stdout, stderr)."""
    from triage.cli import main

    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_log_import_and_search_commands(tmp_path, capsys):
    db = str(tmp_path / "cli.db")
    path = write_jsonl(tmp_path / "log.jsonl", [entry("70A/23"), "{broken"])
    code, _, err = run_cli(capsys, "log", "import", str(path), str(DATA / "disclosure_page.html"), "--db", db)
    assert code == 0, err
    assert f"{path}: line 2: not valid JSON" in err
    assert "2 entries from 2 files: 2 new" in err
    _, _, err = run_cli(capsys, "log", "import", str(path), "--db", db)
    assert "0 new, 0 updated, 1 unchanged" in err

    code, out, err = run_cli(capsys, "log", "search", "spit guards used on children", "-k", "1", "--db", db)
    assert code == 0, err
    assert out.startswith("1. 1203A/23  Use of Spit Guards on Children  (2023-09-14)")
    assert "exemptions: s40(2), s40(5) (NCND)" in out
    _, out, _ = run_cli(capsys, "log", "search", "spit guards", "--db", db, "--format", "json")
    as_json = json.loads(out)
    assert as_json[0]["reference"] == "1203A/23" and as_json[0]["snippet"]

    assert run_cli(capsys, "log", "search", "  ", "--db", db)[0] == 2
    assert run_cli(capsys, "log", "search", "dogs", "-k", "0", "--db", db)[0] == 2
    code, _, err = run_cli(capsys, "log", "import", str(tmp_path / "none.csv"), "--db", db)
    assert code == 1 and "no such file" in err


def test_log_commands_run_as_a_user_would(tmp_path):
    db = str(tmp_path / "cli.db")
    done = subprocess.run([sys.executable, "-m", "triage.cli", "log", "import", str(DATA / "disclosure_archive.html"),
                           "--db", db], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "2 entries from 1 file: 2 new, 0 updated, 0 unchanged, 2 not imported" in done.stderr
