"""The fast loader (ruamel.yaml's C parser events, our constructor) reads YAML exactly as
ruamel.yaml's safe loader does, and refuses what plan files must not contain."""

from __future__ import annotations

import io
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from ctgkit.form import FORMS_DIR
from ctgkit.source import SourceError, parse_yaml
from ctgkit.yaml_errors import INVISIBLE_RE

from .conftest import MINI, PLANS, run_ctg

RUAMEL = YAML(typ="safe", pure=False)

tricky_text = st.sampled_from(
    [
        "no",
        "yes",
        "on",
        "off",
        "true",
        "False",
        "null",
        "~",
        "",
        "1_000",
        "0x1F",
        "0o17",
        "017",
        "1e3",
        "1.5",
        ".inf",
        "-.nan",
        "2020-01-01",
        "2020-01-01 10:00:00",
        "12:30",
        "A.3.1",
        "3.1.c",
        "1.d.",
        "<<",
        "=",
        "é à ç « »",
        "a: b",
        "- x",
        "# pas un commentaire",
        "{{ 7*7 }}",
        "l'accès",
        "x\ny",
        "  espaces  ",
    ]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=True),
    tricky_text,
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
)
keys = st.one_of(
    tricky_text,
    st.text(string.ascii_letters + "éà_- ", min_size=1, max_size=12),
    st.integers(0, 99),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=25,
)


def dump(data: object, flow: bool | None) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = flow
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from([None, False, True]))
def test_same_data_as_ruamel_safe_loader(data: object, flow: bool | None) -> None:
    text = dump(data, flow)
    try:
        expected = RUAMEL.load(text)
    except Exception:  # ruamel.yaml cannot read back what it wrote (e.g. 12:30 in a flow)
        with pytest.raises(SourceError):
            parse_yaml(text)
        return
    if expected is None:
        with pytest.raises(SourceError):
            parse_yaml(text)
        return
    try:
        data = parse_yaml(text)
    except SourceError as error:
        # Refused on purpose: an invisible character (a non-breaking space…) in a field's key
        # or hiding a key or a list dash in an unquoted value; YAML keeps it, no reader sees it.
        assert error.code == "CTG001" and "(U+" in error.message, error.message
        assert INVISIBLE_RE.search(text)
        return
    assert data == expected


@pytest.mark.parametrize(
    "path",
    sorted(PLANS.glob("*/plan.yaml"))
    + sorted(PLANS.glob("*/fiches/*.yaml"))
    + sorted(MINI.rglob("*.yaml"))
    + sorted(FORMS_DIR.glob("*.yaml")),
    ids=lambda p: p.parent.name + "/" + p.name,
)
def test_bundled_files_read_the_same(path) -> None:
    text = path.read_text(encoding="utf-8")
    assert parse_yaml(text) == RUAMEL.load(text)


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("a: 1\nb:\n  c: 1\n  c: 2\n", "CTG005", 4, 3),
        ("a: &x [1]\nb: *x\n", "CTG006", 2, 4),
        ("<<: {a: 1}\n", "CTG006", 1, 1),
        ("a: !!python/object:os.system x\n", "CTG001", 1, 4),
        ("a: !!int douze\n", "CTG001", 1, 4),
        ("? [a, b]\n: 1\n", "CTG001", 1, 3),
        ("a: 1\n---\nb: 2\n", "CTG001", 2, 1),
        ("# rien\n", "CTG003", 1, 1),
    ],
)
def test_refusals_are_located(text: str, code: str, line: int, column: int) -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml(text)
    assert (caught.value.code, caught.value.line, caught.value.column) == (code, line, column)


def test_duplicate_key_names_the_first_line() -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml("titre: a\nfin: 2021\nfin: 2022\n")
    assert caught.value.message == "duplicate key 'fin' (first defined on line 2); keep only one"


def test_deep_nesting_is_refused_at_once() -> None:
    depth = 50_000
    with pytest.raises(SourceError) as caught:
        parse_yaml("[" * depth + "]" * depth)
    assert (caught.value.code, caught.value.line, caught.value.column) == ("CTG006", 1, 41)


def test_a_float_keeps_the_text_its_author_typed() -> None:
    """``1.10`` cited as a code must stay 1.10 (Python would spell the float 1.1)."""
    data = parse_yaml("codes: [1.10, 3.1, 2.50, 1e3]\nn: 7\n")
    assert [str(code) for code in data["codes"]] == ["1.10", "3.1", "2.50", "1e3"]
    assert data["codes"] == [1.1, 3.1, 2.5, 1000.0]  # still numbers where numbers are meant
    assert str(data["n"]) == "7"


@pytest.mark.parametrize("tagged", ['!!int ""', "!!bool maybe", "!!float x"])
def test_a_tagged_value_that_does_not_fit_its_tag_is_a_located_error(
    mini: Path, tagged: str
) -> None:
    text = (mini / "plan.yaml").read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("titre:"))
    (mini / "plan.yaml").write_text(text.replace(title, f"titre: {tagged}"), encoding="utf-8")
    line = text.splitlines().index(title) + 1
    result = run_ctg("validate", str(mini))
    assert result.returncode == 1, result.stderr
    assert f"plan.yaml:{line}:8: error CTG001 invalid " in result.stdout


@pytest.mark.parametrize(
    ("text", "data"),
    [
        # A label typed as a key (a group of a grid) may hold a soft hyphen or a BOM.
        (
            "groupes:\n  Condi\u00adtions de vie: [a]\n",
            {"groupes": {"Condi\u00adtions de vie": ["a"]}},
        ),
        ("groupes:\n  \ufeffJeunesse: [a]\n", {"groupes": {"\ufeffJeunesse": ["a"]}}),
        # Quoted, a key holds what its author typed.
        ('"titre\u00a0": x\n', {"titre\u00a0": "x"}),
        # Inside a value's text, after `key: `, nothing is hidden.
        ("titre: Objet:\u00a0suite\n", {"titre": "Objet:\u00a0suite"}),
        ("titre: a\n  \ufeffb\n", {"titre": "a \ufeffb"}),
    ],
)
def test_invisible_characters_that_hide_nothing_are_accepted(text: str, data: object) -> None:
    """Found by the long property run: valid plans refused as CTG001."""
    assert parse_yaml(text) == data


def test_an_invisible_character_in_a_field_key_is_still_refused() -> None:
    with pytest.raises(SourceError) as raised:
        parse_yaml("titre\u00a0: x\n")
    assert raised.value.code == "CTG001"


@pytest.mark.parametrize(
    "text",
    [
        "- #a{\"\u2029- \u2028x y",
        "\u2029- #\n\u2029{\x85",
        "\x85\u2029- \x85#\"\x85[",
        "- a: a\u2029\u2029x y",
    ],
)
def test_line_separators_the_parser_counts_as_breaks_are_explained(text: str) -> None:
    # The parser counts U+2028, U+2029 and U+0085 as line breaks, the explanations do not: a
    # position past the end of a line was an internal error (found by the long property run).
    with pytest.raises(SourceError) as caught:
        parse_yaml(text)
    assert caught.value.code == "CTG001"
    assert caught.value.line >= 1 and caught.value.column >= 1
