"""The loader's fast path (no pydantic) builds exactly what the pydantic models build, and
leaves to the models everything it is not sure of."""

from __future__ import annotations

import datetime as dt
import gc
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from ctgkit.fastpath import build
from ctgkit.model import Fiche, PlanFile
from ctgkit.schema import generate, schema_dict

from .conftest import MINI, PLANS

YAML_LOADER = YAML(typ="safe", pure=False)
FILES = (
    sorted(PLANS.glob("*/plan.yaml"))
    + sorted(PLANS.glob("*/fiches/*.yaml"))
    + sorted(MINI.rglob("*.yaml"))
)


@pytest.mark.parametrize("kind", ["plan", "fiche"])
def test_stored_schemas_are_what_the_models_generate(kind: str) -> None:
    # After changing ctgkit/model.py: python -m ctgkit.schema
    assert schema_dict(kind) == generate(kind)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.parent.name + "/" + p.name)
def test_bundled_files_build_the_same(path) -> None:
    data = YAML_LOADER.load(path.read_text(encoding="utf-8"))
    kind, model = ("plan", PlanFile) if path.name == "plan.yaml" else ("fiche", Fiche)
    record = build(kind, data)
    expected = model.model_validate(data).model_dump()
    if record is None:  # the mini fiche 1 has a date measurement: the models handle it
        assert path.name == "01-places-accueil.yaml"
        return
    assert record.model_dump() == expected


def field(valid: st.SearchStrategy, odd: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly valid values, sometimes odd ones the models would coerce or refuse."""
    # (st.one_of would flatten and weigh each of odd's alternatives like valid.)
    return st.integers(0, 9).flatmap(lambda n: odd if n == 0 else valid)


odd = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 2500),
    st.floats(allow_nan=False),
    st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.sampled_from(["", "Nouvelle", "Oui", "2020/2021", "x"]),
    st.lists(st.just("x"), max_size=1),
)
text = st.text(max_size=8)
code = st.sampled_from(["1.1.a", "A.1", "3.1.c", ""])
year = field(st.integers(2015, 2030), odd)
step = st.recursive(
    field(text, odd),
    lambda inner: st.fixed_dictionaries(
        {"text": field(text, odd)},
        optional={"label": field(text, odd), "steps": st.lists(inner, max_size=2)},
    ),
    max_leaves=4,
)
fiches = st.fixed_dictionaries(
    {"number": field(st.one_of(st.integers(1, 30), text), odd), "title": field(text, odd)},
    optional={
        "axes": field(st.lists(field(code, odd), max_size=2), odd),
        "objectives": st.lists(
            field(
                st.one_of(
                    code,
                    st.fixed_dictionaries(
                        {"code": field(code, odd)}, optional={"text": field(text, odd)}
                    ),
                ),
                odd,
            ),
            max_size=3,
        ),
        "pilotes": field(st.lists(field(text, odd), max_size=2), odd),
        "start": year,
        "end": year,
        "status": field(
            st.sampled_from(["nouvelle", "en cours d'élaboration", "déjà engagée"]), odd
        ),
        "duration": field(st.sampled_from(["annuelle", "pluriannuelle"]), odd),
        "impacts": st.dictionaries(
            st.sampled_from(["Conditions de vie", "x"]),
            field(st.lists(field(text, odd), max_size=2), odd),
            max_size=2,
        ),
        "steps": st.lists(step, max_size=3),
        "indicators": st.lists(
            field(
                st.one_of(
                    text,
                    st.fixed_dictionaries(
                        {"label": field(text, odd)},
                        optional={
                            "target": field(
                                st.one_of(st.integers(0, 9), st.floats(allow_nan=False), text), odd
                            ),
                            "measurements": st.lists(
                                st.fixed_dictionaries(
                                    {
                                        "date": field(
                                            st.one_of(text, st.integers(2019, 2030)), odd
                                        ),
                                        "value": field(st.one_of(st.integers(0, 9), text), odd),
                                    }
                                ),
                                max_size=2,
                            ),
                        },
                    ),
                ),
                odd,
            ),
            max_size=2,
        ),
        "participation": st.fixed_dictionaries(
            {},
            optional={
                k: field(st.sampled_from([True, False, None, "oui", "NON"]), odd)
                for k in ("needs_analysis", "organisation", "direction", "management", "resources")
            },
        ),
        "linked_fiches": st.lists(field(st.one_of(st.integers(1, 9), text), odd), max_size=2),
        "documents": st.lists(
            st.fixed_dictionaries(
                {}, optional={"programme": field(text, odd), "ref": field(text, odd)}
            ),
            max_size=2,
        ),
        "bogus": odd,
    },
)


ACCEPTED: list[int] = []


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fiches)
def test_fast_path_never_accepts_what_the_models_would_change_or_refuse(data) -> None:
    record = build("fiche", data)
    if record is None:
        return
    ACCEPTED.append(1)
    assert record.model_dump() == Fiche.model_validate(data).model_dump()


def test_the_property_above_exercised_the_fast_path() -> None:
    # Runs after the property (file order): enough generated fiches took the fast path.
    assert len(ACCEPTED) >= 50


def ctgkit_objects() -> Counter[str]:
    """Live objects whose class is ctgkit's, by class (whatever the classes are called)."""
    gc.collect()
    return Counter(
        f"{type(o).__module__}.{type(o).__qualname__}"
        for o in gc.get_objects()
        if type(o).__module__.startswith("ctgkit.")
    )


def test_validating_many_plans_keeps_no_memory(tmp_path: Path) -> None:
    # A reused exception instance once kept every traceback (and every plan) alive, and
    # ruamel.yaml's constructor and YAML object keep a record of what they read. Counted as
    # ctgkit's own objects, not bytes: the interpreter's caches (interned strings) may grow.
    from ctgkit import validate

    plans = [shutil.copytree(PLANS / "civraisien-2019", tmp_path / f"p{i}") for i in range(3)]
    validate(plans[0])  # the first run fills what is built once (the rule registry)
    before = ctgkit_objects()
    for _ in range(5):
        for plan in plans:  # several paths: a cache keyed by plan would grow too
            validate(plan)
    kept = ctgkit_objects() - before
    assert not kept, f"ctgkit objects kept after 15 plans: {dict(kept)}"
