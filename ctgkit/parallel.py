"""Spread per-plan work over the machine's cores when there are enough plans to pay."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from . import i18n

T = TypeVar("T")
R = TypeVar("R")

#: Below this many plans, starting worker processes costs more than it saves.
MIN_PLANS_FOR_WORKERS = 8


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _call(args: tuple[Callable[..., Any], Any, tuple[Any, ...], str]) -> Any:
    function, item, extra, language = args
    if language != i18n.language():  # a spawned worker starts in the default language
        i18n.set_language(language)
    return function(item, *extra)


def ordered_map(
    function: Callable[..., R],
    items: Sequence[T],
    extra: tuple[Any, ...] = (),
    jobs: int | None = None,
) -> Iterator[tuple[T, R]]:
    """``(item, function(item, *extra))`` for each item, in order."""
    with _batch_gc():
        yield from _ordered_map(function, items, extra, jobs)


@contextmanager
def _batch_gc() -> Iterator[None]:
    """What exists before a run over many plans (modules, models, compiled templates: most
    of the heap) frozen out of the cyclic collector's scans, and thawed after: without this,
    every full collection rescans the whole import-time heap. Also what the ``gc`` docs
    advise before forking workers (fewer copy-on-write pages).

    The collection threshold is left alone: raised to 50,000 it saved 1 % of ``ctg
    render``'s CPU time but let cyclic garbage pile up in each worker (``ctg validate`` on
    1,300 plans peaked at 496 MB instead of 134 MB).

    Left alone when the program manages frozen objects itself."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _ordered_map(
    function: Callable[..., R],
    items: Sequence[T],
    extra: tuple[Any, ...],
    jobs: int | None,
) -> Iterator[tuple[T, R]]:
    jobs = available_cores() if jobs is None or jobs < 1 else jobs
    jobs = min(jobs, len(items))
    if jobs <= 1 or len(items) < MIN_PLANS_FOR_WORKERS:
        for item in items:
            yield item, function(item, *extra)
        return
    # Imported here: a single plan must not pay for the process machinery.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers inherit the already-imported models instead of importing them again.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    chunk = max(1, min(16, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        language = i18n.language()
        work = [(function, item, extra, language) for item in items]
        results = pool.map(_call, work, chunksize=chunk)
        yield from zip(items, results, strict=True)
