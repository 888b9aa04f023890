"""Batch scoring on a Dask cluster gives the same output as the local run."""
from __future__ import annotations

import json

import distributed  # in the [test] extra: CI runs this file, it must not be skipped
import pytest

from triage.batch import run_batch

REQUESTS = [
    {"id": "d1", "text": "How many police vehicles were written off in 2022?", "received": "2024-06-03"},
    {"id": "d2", "text": "   ", "received": "2024-06-03"},
    {"id": "d3", "text": "1. How many officers speak Welsh?\n2. How many staff, by department?"},
    {"id": "d4", "text": "What was spent on the helicopter service in 2021/22 and 2022/23?",
     "received": "2024-06-04"},
    {"id": "d5", "text": "How many firearms incidents were attended in the last five years?",
     "received": "2024-06-05"},
    {"id": "d6", "text": "How many firearms incidents were attended in the last five years, by month?",
     "received": "2024-06-05"},
]


@pytest.fixture(scope="module")
def cluster():
    # one in-process worker, one thread: reliable and quick to start
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as c, distributed.Client(c) as client:
        yield c, client


def test_dask_output_equals_the_local_output(tmp_path, cluster):
    _, client = cluster
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in REQUESTS) + "\n", encoding="utf-8")
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    run_batch(src, local)
    stats = run_batch(src, remote, engine="dask", dask_client=client, chunk_size=2)
    assert remote.read_bytes() == local.read_bytes()
    assert (stats.total, stats.ok, stats.errors) == (6, 5, 1)
    assert [json.loads(x)["id"] for x in remote.read_text(encoding="utf-8").splitlines()] == \
        [r["id"] for r in REQUESTS]


def test_dask_by_scheduler_address_builds_each_worker_pipeline_once(tmp_path, cluster):
    c, _ = cluster
    from triage import dask_engine

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in REQUESTS[:3]) + "\n", encoding="utf-8")
    before = len(dask_engine._CACHE)
    run_batch(src, tmp_path / "a.jsonl", engine="dask", scheduler=c.scheduler_address, chunk_size=1)
    run_batch(src, tmp_path / "b.jsonl", engine="dask", scheduler=c.scheduler_address, chunk_size=1)
    assert len(dask_engine._CACHE) - before <= 1  # one worker thread: at most one new pipeline
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
