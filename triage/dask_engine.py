"""Batch scoring on a Dask cluster: the same output as a local run, from many machines.

``score_dask`` is an engine for ``triage.batch.run_batch`` (``--engine dask
--scheduler ADDRESS``): it sends chunks of records to the cluster's workers
and yields the results in input order. At most ``max_in_flight`` chunks are
out at once, so the input is read only as fast as results come back and
memory stays flat on both sides.

Each worker builds the triage pipeline once (about 2-3 s) and keeps it in a
module-level cache keyed by process, thread and regime: a worker process
with several threads gets one pipeline per thread (spaCy components are not
meant to be shared between threads), and a re-used process never builds it
twice. The workers need ``foi-triage`` installed (the same version: results
carry ``model_version``); nothing else travels but the records and results.

Needs the optional extra: ``pip install 'foi-triage[dask]'``.
"""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional

from .batch import BatchEngineError, Item, Scored, Wanted, chunked, ordered_window, score_one

if TYPE_CHECKING:
    from .pipeline import Triage

_CACHE: dict[tuple[int, int, str], "Triage"] = {}
_CACHE_LOCK = threading.Lock()


def worker_triage(regime: str = "foia") -> "Triage":
    """The pipeline of this worker process and thread, built on first use."""
    key = (os.getpid(), threading.get_ident(), regime)
    t = _CACHE.get(key)
    if t is None:
        from .pipeline import Triage

        t = Triage(regime=regime)
        with _CACHE_LOCK:
            _CACHE[key] = t
    return t


def score_chunk(chunk: list, regime: str = "foia", wanted: Wanted = Wanted()) -> list[Scored]:
    """Run on a worker: the scored output lines of a chunk of ``(line_no, item)`` pairs."""
    t = worker_triage(regime)
    return [score_one(t, line_no, item, wanted) for line_no, item in chunk]


def _client(scheduler: Optional[str]) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise ImportError("--engine dask needs Dask: pip install 'foi-triage[dask]'") from None
    if not scheduler:
        raise ValueError("--engine dask needs a scheduler address (--scheduler tcp://host:8786)")
    try:
        return Client(scheduler, timeout="30s")
    except OSError as e:  # includes the connection time-out
        raise BatchEngineError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None


def score_dask(items: Iterable[tuple[int, Item]], scheduler: Optional[str] = None, client: Any = None,
               regime: str = "foia", chunk_size: int = 16,
               max_in_flight: Optional[int] = None,
               wanted: Wanted = Wanted()) -> Iterator[tuple[int, Item, Scored]]:
    """Yield ``(line_no, item, scored)`` in input order, scored on the cluster at ``scheduler`` (or ``client``).

    ``max_in_flight`` defaults to twice the cluster's worker threads (at least
    4): enough to keep every worker busy while the next chunk travels.
    """
    own = client is None
    if own:
        client = _client(scheduler)
    try:
        if max_in_flight is None:
            threads = sum((client.nthreads() or {}).values())
            max_in_flight = max(4, 2 * threads)

        def submit(chunk: list) -> Any:
            # pure=False: two identical chunks (a repeated campaign text) are still two tasks
            return client.submit(score_chunk, chunk, regime, wanted, pure=False)

        def result(fut: Any) -> list:
            try:
                return fut.result()
            except Exception as e:  # triage_one catches per-record problems: this is the cluster's
                raise BatchEngineError(f"a task failed on the Dask cluster ({type(e).__name__}: {e}); "
                                       "is the same foi-triage installed on every worker?") from e

        yield from ordered_window(chunked(items, chunk_size), submit, result, max_in_flight)
    finally:
        if own:
            client.close()
