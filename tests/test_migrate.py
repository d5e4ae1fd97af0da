"""`ctg migrate`: format-1 plans written by users become format-2 plans that validate, with
every comment kept and only the keys changed; bad input changes nothing.

The format-1 plans are copies of the bundled plans at the last format-1 commit, shipped as
fixtures (tests/fixtures/format1/) so that the tests also run from an sdist.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from ctgkit.coverage_model import coverage
from ctgkit.migrate import MigrationError, migrate, migrate_data, migrate_text
from ctgkit.source import parse_yaml

from .conftest import BUNDLED, FIXTURES, MINI, invoke, run_ctg

FORMAT1 = FIXTURES / "format1"
#: Lines `ctg migrate` adds at the top of plan.yaml.
HEADER = re.compile(r"^(format: 2|formulaire: [\w-]+)  # ")
#: `key:` at the start of a line, after `- `, `{` or `, ` (block and flow mappings).
KEY = re.compile(r"(^|[\s{,\[-])[^\s{}\[\],:#'\"]+:(?=\s|$)")
#: A comment: `#` at the start of a line or after a space, to the end of the line.
COMMENT = re.compile(r"(?:^|\s)(#.*)$")


def format1_plans(tmp_path: Path, *slugs: str) -> Path:
    """Copies of the format-1 plans ``slugs`` (default: all three) under tmp_path/plans."""
    target = tmp_path / "plans"
    target.mkdir(parents=True)
    for slug in slugs or BUNDLED:
        shutil.copytree(FORMAT1 / slug, target / slug)
    return target


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def yaml_files(root: Path) -> list[str]:
    return [name for name in snapshot(root) if name.endswith(".yaml")]


def comments(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for line in text.splitlines():
        match = COMMENT.search(line)
        if match:
            found[match.group(1)] += 1
    return found


def without_header(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not HEADER.match(line))


def masked(line: str) -> str:
    return KEY.sub(r"\1KEY:", line)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(format-1 originals, the same plans after `ctg migrate`)."""
    base = tmp_path_factory.mktemp("migrate")
    before = format1_plans(base / "before")
    after = shutil.copytree(before, base / "after")
    result = invoke("migrate", str(after))
    assert result.exit_code == 0, result.stdout + result.stderr
    return before, after


def test_fixtures_are_format_1() -> None:
    for slug in BUNDLED:
        data = parse_yaml((FORMAT1 / slug / "plan.yaml").read_text(encoding="utf-8"))
        assert "format" not in data and "title" in data and "strategy" in data


def test_migrated_plans_validate(migrated: tuple[Path, Path]) -> None:
    _, after = migrated
    result = invoke("validate", str(after))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip().endswith("0 errors, 4 warnings in 3 plans")


def test_migrated_plans_keep_their_facts(migrated: tuple[Path, Path]) -> None:
    _, after = migrated
    figures = {slug: coverage(after / slug) for slug in BUNDLED}
    assert {slug: (r.covered, r.total) for slug, r in figures.items()} == {
        "civraisien-2019": (68, 86),
        "civraisien-2024": (5, 5),
        "tarn-agout": (0, 28),
    }


def test_migrate_says_what_it_did_and_picks_the_form(tmp_path: Path) -> None:
    plans = format1_plans(tmp_path)
    result = invoke("migrate", str(plans))
    assert result.exit_code == 0
    said = result.stdout + result.stderr
    assert f"{plans}/civraisien-2019: rewrote 19 file(s) (form: vienne-2019)" in said
    assert f"{plans}/civraisien-2024: rewrote 9 file(s) (form: général)" in said
    assert f"{plans}/tarn-agout: rewrote 1 file(s) (form: général)" in said
    assert "next: ctg validate" in said
    head = (plans / "civraisien-2019" / "plan.yaml").read_text(encoding="utf-8").splitlines()
    assert "format: 2  # format des fichiers de ctgkit (ctg migrate)" in head
    assert any(line.startswith("formulaire: vienne-2019") for line in head)
    later = parse_yaml((plans / "civraisien-2024" / "plan.yaml").read_text(encoding="utf-8"))
    assert later["format"] == 2 and "formulaire" not in later  # général is the default


def test_every_comment_survives(migrated: tuple[Path, Path]) -> None:
    before, after = migrated
    names = yaml_files(before)
    assert len(names) == 3 + 18 + 8
    for name in names:
        old = (before / name).read_text(encoding="utf-8")
        new = without_header((after / name).read_text(encoding="utf-8"))
        assert comments(old) == comments(new), name
    assert (
        sum(sum(comments((before / n).read_text(encoding="utf-8")).values()) for n in names) > 100
    )


def test_only_keys_change(migrated: tuple[Path, Path]) -> None:
    """Line for line, the text is the same once keys are masked: values, quotes, folded
    lines, blank lines and order are kept."""
    before, after = migrated
    changed = 0
    for name in yaml_files(before):
        old = (before / name).read_text(encoding="utf-8").splitlines()
        new = without_header((after / name).read_text(encoding="utf-8")).splitlines()
        assert len(old) == len(new), name
        for number, (a, b) in enumerate(zip(old, new, strict=True), start=1):
            assert masked(a) == masked(b), f"{name}:{number}: {a!r} -> {b!r}"
            changed += a != b
    assert changed > 500
    # Files that are not YAML are not touched.
    for name, data in snapshot(before).items():
        if not name.endswith(".yaml"):
            assert (after / name).read_bytes() == data, name


def test_data_is_the_key_table_applied(migrated: tuple[Path, Path]) -> None:
    before, after = migrated
    for name in yaml_files(before):
        kind = "plan" if name.endswith("plan.yaml") else "fiche"
        old = parse_yaml((before / name).read_text(encoding="utf-8"))
        new = parse_yaml((after / name).read_text(encoding="utf-8"))
        if kind == "plan":
            new.pop("formulaire", None)
        assert new == migrate_data(old, kind), name


def test_migrate_text_renames_nested_keys_only() -> None:
    text = (
        "# une fiche\n"
        "number: 3  # le numéro\n"
        "title: 'title: reste'\n"
        "steps:\n"
        "  - label: '1'\n"
        "    text: Étape\n"
        "    steps: [{text: sous-étape}]\n"
        "indicators:\n"
        "  - label: Places\n"
        "    measurements: [{date: 2022, value: 3, note: estimé}]\n"
        "documents: [{programme: CLS, ref: fiche 2, title: Santé}]\n"
    )
    assert migrate_text(text, "fiche") == (
        "# une fiche\n"
        "numéro: 3  # le numéro\n"
        "titre: 'title: reste'\n"
        "étapes:\n"
        "  - numéro: '1'\n"
        "    texte: Étape\n"
        "    étapes: [{texte: sous-étape}]\n"
        "indicateurs:\n"
        "  - libellé: Places\n"
        "    mesures: [{date: 2022, valeur: 3, commentaire: estimé}]\n"
        "documents: [{programme: CLS, référence: fiche 2, titre: Santé}]\n"
    )


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    plans = format1_plans(tmp_path)
    before = snapshot(plans)
    result = invoke("migrate", "--dry-run", str(plans))
    assert result.exit_code == 0
    assert "civraisien-2019: would rewrite 19 file(s)" in result.stdout + result.stderr
    assert snapshot(plans) == before


def test_a_broken_file_changes_nothing_in_any_plan(tmp_path: Path) -> None:
    plans = format1_plans(tmp_path)
    fiche = plans / "civraisien-2024" / "fiches" / "03-commissions-ouvertes.yaml"
    fiche.write_text(
        fiche.read_text(encoding="utf-8").replace("title:", "title: [oups", 1), encoding="utf-8"
    )
    line = fiche.read_text(encoding="utf-8")[: fiche.read_text(encoding="utf-8").index("[oups")]
    line_number = line.count("\n") + 1
    before = snapshot(plans)
    result = run_ctg("migrate", str(plans / "civraisien-2019"), str(plans / "civraisien-2024"))
    assert result.returncode == 1
    assert re.search(
        rf"{re.escape(str(fiche))}:{line_number + 1}:\d+: YAML syntax error", result.stderr
    ), result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(plans) == before  # civraisien-2019, although valid, is untouched too


def test_a_file_with_old_and_new_key_is_refused(tmp_path: Path) -> None:
    plans = format1_plans(tmp_path, "tarn-agout")
    plan = plans / "tarn-agout" / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("title:", "titre: Doublon\ntitle:", 1),
        encoding="utf-8",
    )
    before = snapshot(plans)
    with pytest.raises(MigrationError) as caught:
        migrate([plans / "tarn-agout"])
    assert "both 'title' and 'titre'" in caught.value.message
    assert snapshot(plans) == before
    assert invoke("migrate", str(plans)).exit_code == 1


def test_a_plan_already_in_format_2_has_nothing_to_do(tmp_path: Path) -> None:
    mini = shutil.copytree(MINI, tmp_path / "mini")
    before = snapshot(mini)
    result = invoke("migrate", str(mini))
    assert result.exit_code == 0
    assert f"{mini}: already in format 2, nothing to do" in result.stdout + result.stderr
    assert snapshot(mini) == before


def test_migrating_twice_changes_nothing_more(tmp_path: Path) -> None:
    plans = format1_plans(tmp_path)
    assert invoke("migrate", str(plans)).exit_code == 0
    once = snapshot(plans)
    again = invoke("migrate", str(plans))
    assert again.exit_code == 0
    assert (again.stdout + again.stderr).count("already in format 2, nothing to do") == 3
    assert snapshot(plans) == once


def test_an_old_plan_gives_one_error_per_plan(tmp_path: Path) -> None:
    plans = format1_plans(tmp_path)
    result = invoke("validate", "--format", "json", str(plans))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    found = [(d["file"], d["line"], d["column"], d["code"]) for d in data["diagnostics"]]
    assert found == [(f"{plans}/{slug}/plan.yaml", 1, 1, "CTG007") for slug in BUNDLED]
    assert all(
        f"run `ctg migrate {plans}/{slug}`" in d["message"]
        for slug, d in zip(BUNDLED, data["diagnostics"], strict=True)
    )
    text = invoke("validate", str(plans / "tarn-agout"))
    assert text.exit_code == 1
    assert "error CTG007 old format" in text.stdout and "ctg migrate" in text.stdout
    assert text.stdout.strip().endswith("1 error, 0 warnings in 1 plan")


@pytest.mark.parametrize("command", [["coverage"], ["actors"]])
def test_other_commands_on_an_old_plan_say_migrate(tmp_path: Path, command: list[str]) -> None:
    plans = format1_plans(tmp_path, "tarn-agout")
    result = invoke(*command, str(plans / "tarn-agout"))
    assert result.exit_code == 1
    assert "CTG007" in result.stdout + result.stderr


def test_a_syntax_error_is_explained_like_validate_does(tmp_path: Path) -> None:
    """A broken file stops the migration with the same plain explanation as `ctg validate`,
    at the cause (the unclosed quote), and nothing is written."""
    plan = tmp_path / "civraisien-2019"
    shutil.copytree(FIXTURES / "format1" / "civraisien-2019", plan)
    fiche = plan / "fiches" / "01-creation-reseau-acteurs-sociaux.yaml"
    text = fiche.read_text(encoding="utf-8")
    fiche.write_text(text + 'titlex: "abc\n  x: [1\n', encoding="utf-8")
    before = {p: p.read_bytes() for p in plan.rglob("*") if p.is_file()}
    line = text.count("\n") + 1
    result = invoke("migrate", str(plan))
    assert result.exit_code == 1
    assert f"01-creation-reseau-acteurs-sociaux.yaml:{line}:9: the quote \" opened here" in (
        result.stderr
    )
    assert {p: p.read_bytes() for p in plan.rglob("*") if p.is_file()} == before
