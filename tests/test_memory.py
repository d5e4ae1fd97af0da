"""Validating many plans in one process keeps none of ctgkit's objects alive."""

from __future__ import annotations

import gc
import shutil
from collections import Counter
from pathlib import Path

from .conftest import PLANS


def ctgkit_objects() -> Counter[str]:
    """Live objects whose class is ctgkit's, by class (whatever the classes are called)."""
    gc.collect()
    return live_ctgkit_objects()


def _is_ctgkit(kind: type) -> bool:
    # Some classes (lxml's, loaded by the Word output) have a descriptor as ``__module__``.
    module = kind.__dict__.get("__module__", "") if hasattr(kind, "__dict__") else ""
    return isinstance(module, str) and module.startswith("ctgkit.")


def test_validating_many_plans_keeps_no_memory(tmp_path: Path) -> None:
    # A reused exception instance once kept every traceback (and every plan) alive, and
    # ruamel.yaml's constructor and YAML object keep a record of what they read. Counted as
    # ctgkit's own objects, not bytes: the interpreter's caches (interned strings) may grow.
    from ctgkit import validate

    plans = [shutil.copytree(PLANS / "civraisien-2019", tmp_path / f"p{i}") for i in range(3)]
    validate(plans[0])  # the first run fills what is built once (the rule registry, forms)
    before = ctgkit_objects()
    for _ in range(5):
        for plan in plans:  # several paths: a cache keyed by plan would grow too
            validate(plan)
    kept = ctgkit_objects() - before
    assert not kept, f"ctgkit objects kept after 15 plans: {dict(kept)}"


def live_ctgkit_objects() -> Counter[str]:
    """Like :func:`ctgkit_objects`, without collecting first: what reference counting alone
    has not freed."""
    return Counter(
        f"{type(o).__module__}.{type(o).__qualname__}"
        for o in gc.get_objects()
        if _is_ctgkit(type(o))
    )


def test_a_rendered_plan_is_freed_without_the_cycle_collector() -> None:
    # Jinja's contexts and macros refer to each other, and each context held the whole view
    # of the plan: every plan's view waited for a full collection, which then scanned
    # several plans' objects (a tenth of render's CPU time). Nothing of a plan may be left
    # in reference cycles once its documents are rendered.
    from ctgkit import render

    plan = PLANS / "civraisien-2019"
    render(plan)  # the first run fills what is built once (templates, labels, forms)
    gc.collect()
    gc.disable()
    try:
        before = live_ctgkit_objects()
        render(plan)
        kept = live_ctgkit_objects() - before
    finally:
        gc.enable()
    assert not kept, f"ctgkit objects only the cycle collector would free: {dict(kept)}"
