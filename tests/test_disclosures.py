"""The disclosure store, its search, and `similar` / exemption evidence in the triage result."""
import datetime as dt
import json
import sqlite3

import pytest
from fastapi.testclient import TestClient

from triage import api
from triage.disclosures import (RANKERS, SAMPLE_LOG, SCHEMA_VERSION, Disclosure, DisclosureStore, StoreError,
                                default_location, open_store, repeat_flag, similar_evidence)
from triage.pipeline import Triage

LOG = [
    Disclosure("101A/22", "Taser Use", published=dt.date(2022, 2, 1),
               request="How many times did officers draw or fire a Taser in 2021? Please give the ethnicity of "
                       "the person it was used on.",
               response="Taser was used 310 times. Section 31(1) applies to the number of trained officers.",
               exemptions=["s31(1)"]),
    Disclosure("102A/22", "Speed Cameras", published=dt.date(2022, 3, 1),
               request="How many fixed speed cameras are there and how many speeding tickets did each issue?",
               response="There are 42 fixed cameras.", exemptions=[]),
    Disclosure("103A/22", "Officers Dismissed for Gross Misconduct", published=dt.date(2022, 4, 1),
               request="How many police officers were dismissed after gross misconduct hearings, and what "
                       "had each officer done?",
               response="Nine officers were dismissed. The details of each case are withheld: Section 40(2).",
               exemptions=["s40(2)"]),
    Disclosure("104A/22", "Covert Surveillance", published=dt.date(2022, 5, 1),
               request="How many directed surveillance authorisations did the force grant under RIPA?",
               response="The force can neither confirm nor deny holding the information: sections 23(5), "
                        "24(2) and 31(3).", exemptions=["s23(5)", "s24(2)", "s31(3)"], ncnd=True),
    Disclosure("105A/23", "Taser Discharges", published=dt.date(2023, 1, 10),
               request="Please tell me how many times Taser was discharged at people in 2022.",
               response="Taser was discharged 41 times. Section 31(1) applies to deployment details.",
               exemptions=["s31(1)"]),
    Disclosure("106A/23", "Missing Children", published=dt.date(2023, 2, 10),
               request="How many children were reported missing from care homes last year?",
               response="There were 512 missing episodes.", exemptions=[]),
]


@pytest.fixture
def store(tmp_path):
    s = DisclosureStore(tmp_path / "log.db")
    s.upsert(LOG)
    yield s
    s.close()


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    s = open_store(tmp_path_factory.mktemp("sample") / "sample.db", seed=True)
    yield s
    s.close()


# ------------------------------------------------------------------ store

def test_a_new_store_records_its_schema_version_and_reopens_without_migrating_again(tmp_path):
    path = tmp_path / "log.db"
    DisclosureStore(path).upsert(LOG[:1])
    again = DisclosureStore(path)
    versions = again.conn.execute("SELECT version FROM schema_version").fetchall()
    assert versions == [(v,) for v in range(1, SCHEMA_VERSION + 1)]
    assert again.count() == 1


def test_a_store_from_a_newer_version_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "log.db"
    DisclosureStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO schema_version VALUES (?, 'later')", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this foi-triage"):
        DisclosureStore(path)


def test_locations_are_paths_or_sqlite_urls(tmp_path):
    s = DisclosureStore(f"sqlite:///{tmp_path}/url.db")
    assert s.location == f"{tmp_path}/url.db"
    with pytest.raises(StoreError, match="unsupported store URL"):
        DisclosureStore("postgresql://foi@localhost/log")


def test_upsert_reports_new_changed_and_unchanged_entries(store):
    changed = Disclosure(**{**LOG[1].__dict__, "title": "Fixed Speed Cameras"})
    stats = store.upsert([LOG[0], changed, Disclosure("107A/23", "Drones", request="How many drones?")])
    assert (stats.inserted, stats.updated, stats.unchanged) == (1, 1, 1)
    assert store.get("102A/22").title == "Fixed Speed Cameras"
    assert store.count() == len(LOG) + 1


def test_the_shipped_sample_covers_every_topic_with_at_least_200_entries():
    from triage.models import TOPIC_LABELS

    rows = [json.loads(line) for line in SAMPLE_LOG.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 200
    assert {t for r in rows for t in r["topics"]} == set(TOPIC_LABELS)
    assert len({r["reference"] for r in rows}) == len(rows)
    assert all(r["url"].startswith("https://foi.example.org/") for r in rows)


def test_the_default_store_is_seeded_once_and_stays_dropped_when_dropped(tmp_path, monkeypatch):
    monkeypatch.delenv("FOI_TRIAGE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_location() == tmp_path / "foi-triage" / "disclosures.db"
    s = open_store()
    n = s.count()
    assert n >= 200 and s.sample_count() == n
    assert s.ensure_sample() is False  # already there
    s.drop_sample()
    s.close()
    assert open_store().count() == 0


def test_a_store_named_by_the_environment_is_not_seeded(tmp_path, monkeypatch):
    monkeypatch.setenv("FOI_TRIAGE_DB", str(tmp_path / "own.db"))
    s = open_store()
    assert s.location == str(tmp_path / "own.db") and s.count() == 0


# ------------------------------------------------------------------ search

def test_search_ranks_a_paraphrased_request_first_with_its_details(store):
    hits = store.search("Could you say how often your officers used their Tasers last year, and on people of "
                        "which ethnic groups?", k=3)
    assert hits[0].reference == "101A/22"
    top = hits[0]
    assert top.title == "Taser Use" and top.published == dt.date(2022, 2, 1)
    assert top.exemptions == ["s31(1)"] and 0 < top.score <= 1
    assert top.snippet and top.snippet in LOG[0].request  # a sentence of the earlier request
    assert {h.reference for h in hits[:2]} == {"101A/22", "105A/23"}


def test_every_ranker_finds_the_original_of_a_paraphrase(store):
    query = "number of police officers sacked following gross misconduct hearings and what they did"
    for name in RANKERS:
        assert store.search(query, k=1, ranker=name)[0].reference == "103A/22", name


def test_search_in_the_sample_log_finds_the_original_of_a_paraphrase(sample_store):
    hits = sample_store.search("How many of your officers are suspended from duty at the moment, and what "
                               "has their pay cost while suspended?", k=5)
    assert hits[0].title.startswith(("Officers Suspended on Full Pay", "Suspended Officers"))


@pytest.mark.parametrize("request_text", [
    "How many Taser discharges were recorded in each of the last three years, by ethnicity?",
    "Please send me your contracts for custody healthcare and the annual cost of each.",
    "Number of drink driving arrests over Christmas, and how many officers were on duty",
    "What is your policy on retaining body worn video footage? A copy of the retention schedule please.",
])
def test_small_logs_score_bm25_in_memory_exactly_as_fts5_does(sample_store, request_text):
    # the in-memory scorer replaces FTS5's bm25() on small logs: same candidates, same order, same scores
    from triage.disclosures import _Query, _weights

    sample_store._fresh()
    query = _Query.build(sample_store, request_text)
    in_memory = sample_store._candidates(query, _weights(sample_store), 50)
    limit = sample_store.settings["memory_bm25_max_docs"]
    sample_store.settings = {**sample_store.settings, "memory_bm25_max_docs": 0}
    try:
        by_fts5 = sample_store._candidates(query, _weights(sample_store), 50)
    finally:
        sample_store.settings = {**sample_store.settings, "memory_bm25_max_docs": limit}
    assert len(in_memory) >= 5
    assert in_memory == by_fts5


def test_the_in_memory_scores_follow_the_log_when_it_changes(store):
    before = [h.reference for h in store.search("stolen bicycles recorded by month", k=3)]
    store.upsert([Disclosure(reference="NEW-1", title="Bicycle thefts by month",
                             request="How many bicycles were reported stolen each month, and how many recovered?",
                             response="Figures attached.")])
    after = [h.reference for h in store.search("stolen bicycles recorded by month", k=3)]
    assert "NEW-1" not in before and after[0] == "NEW-1"


def test_search_with_nothing_in_common_or_no_words_finds_nothing(store):
    assert store.search("the and of please provide") == []
    assert store.search("zebra crossings xylophone") == []
    assert store.search("") == []


def test_search_can_leave_references_out(store):
    hits = store.search("Taser discharged", k=5, exclude=["105A/23"])
    assert "105A/23" not in [h.reference for h in hits]


def test_an_unknown_ranker_is_refused(store):
    with pytest.raises(ValueError, match="unknown ranker"):
        store.search("Taser", ranker="magic")


def test_the_same_request_again_is_a_near_duplicate(store):
    hit = store.search(LOG[2].title + "\n" + LOG[2].request, k=1)[0]
    assert hit.reference == "103A/22" and hit.similarity > 0.95


def test_a_near_duplicate_published_recently_is_a_possible_repeat_and_an_older_one_already_answered():
    flag, why = repeat_flag(0.9, dt.date(2024, 1, 10), dt.date(2024, 3, 1))
    assert flag == "s14(2)" and "51 days" in why
    flag, why = repeat_flag(0.9, dt.date(2021, 1, 10), dt.date(2024, 3, 1))
    assert flag == "s21" and "already answered" in why
    assert repeat_flag(0.3, dt.date(2024, 1, 10), dt.date(2024, 3, 1)) == (None, None)


# ------------------------------------------------------------------ exemption evidence

def test_evidence_names_the_similar_disclosures_that_cited_each_section(store):
    hits = store.search("How many times was Taser fired or drawn, and how many directed surveillance "
                        "authorisations were granted?", k=5)
    evidence = {e.section: e for e in similar_evidence(hits)}
    s31 = evidence["s31"]
    citing = [h.reference for h in hits if any(x.startswith("s31") for x in h.exemptions)]
    assert s31.references == citing and len(citing) >= 2
    assert s31.reason.startswith(f"s31(1) cited in {len(citing)} of {len(hits)} similar disclosures: ")
    assert all(ref in s31.reason for ref in citing)
    assert evidence["s23"].ncnd and evidence["s23"].subsection == "s23(5)"


# ------------------------------------------------------------------ the triage result

@pytest.fixture(scope="module")
def triage_sample(sample_store):
    return Triage(store=sample_store)


REQUEST = """Dear FOI team,

Please tell me how many times your officers fired a Taser at someone in 2023, and the ethnicity of each
person it was fired at. How many officers are trained to carry one?

Kind regards,
Jo"""


def test_triage_fills_similar_and_adds_what_they_cited_to_the_exemptions(triage_sample):
    result = triage_sample.triage(REQUEST, received=dt.date(2024, 6, 1))
    assert 1 <= len(result.similar) <= 5
    titles = [s.title for s in result.similar[:2]]
    assert all("Taser" in t for t in titles), titles
    top = result.similar[0]
    assert top.url and top.snippet and top.published
    citing = [s.reference for s in result.similar if any(e.startswith("s31") for e in s.exemptions)]
    assert citing
    s31 = next(e for e in result.exemptions if e.section == "s31")
    assert "similar disclosures: " in s31.reason and citing[0] in s31.reason


def test_similar_for_each_question_when_asked(triage_sample):
    text = ("1. How many speeding drivers were caught by your cameras in 2023?\n"
            "2. How many children were reported missing from care in 2023?")
    plain = triage_sample.triage(text, received=dt.date(2024, 6, 1))
    assert all(q.similar == [] for q in plain.questions)
    result = triage_sample.triage(text, received=dt.date(2024, 6, 1), similar_per_question=True)
    q1, q2 = result.questions
    assert "Speed" in q1.similar[0].title
    assert "Missing" in q2.similar[0].title


def test_a_repeat_of_a_logged_request_is_flagged(store):
    triage = Triage(store=store)
    result = triage.triage(LOG[3].request, received=dt.date(2022, 6, 1))
    top = result.similar[0]
    assert top.reference == "104A/22" and top.repeat_flag == "s14(2)"
    assert any("possible repeat of 104A/22" in w for w in result.warnings)
    later = triage.triage(LOG[3].request, received=dt.date(2024, 6, 1))
    assert later.similar[0].repeat_flag == "s21"


def test_triage_without_a_store_has_no_similar():
    result = Triage(store=None).triage("How many police dogs does the force have?", received=dt.date(2024, 6, 1))
    assert result.similar == []


# ------------------------------------------------------------------ HTTP API

@pytest.fixture
def client(store, monkeypatch):
    monkeypatch.setattr(api, "_store", store)
    return TestClient(api.app)


def test_the_search_endpoint_returns_ranked_disclosures_with_details(client):
    r = client.get("/v1/disclosures/search", params={"q": "surveillance authorisations under RIPA", "k": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["k"] == 2 and body["ranker"] == "bm25f+tfidf"
    first = body["results"][0]
    assert first["reference"] == "104A/22" and first["title"] == "Covert Surveillance"
    assert first["published"] == "2022-05-01"
    assert first["exemptions"] == ["s23(5)", "s24(2)", "s31(3)"] and first["ncnd"] is True
    assert "surveillance" in first["snippet"].lower()
    assert 0 < first["score"] <= 1
    assert len(body["results"]) <= 2


@pytest.mark.parametrize("params", [{"q": "   "}, {"q": "Taser", "k": 0}, {"q": "Taser", "k": 101},
                                    {"q": "Taser", "ranker": "magic"}, {}])
def test_the_search_endpoint_refuses_bad_parameters_with_a_reason(client, params):
    r = client.get("/v1/disclosures/search", params=params)
    assert r.status_code == 422
    assert r.json()["detail"]
