"""`ctg validate` as users and CI see it: output formats, exit codes, configuration."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import MINI, PLANS, ROOT, invoke, run_ctg


def break_mini(mini: Path) -> None:
    """Two errors and a warning in the mini plan."""
    fiche = mini / "fiches" / "03-bus-services.yaml"
    fiche.write_text(
        fiche.read_text(encoding="utf-8")
        .replace("objectifs:\n  - code: 2.1.a", "objectifs:\n  - code: 9.9.z")
        .replace("fin: 2024", "fin: 2030")
        .replace("pilotes: [CCAS]", "pilotes: [CCAS]\npilote: [Mairie]"),
        encoding="utf-8",
    )


def test_clean_plan_exits_0_with_a_count() -> None:
    result = invoke("validate", str(MINI))
    assert result.exit_code == 0
    assert result.stdout.strip() == "0 errors, 0 warnings in 1 plan"


def test_bundled_plans_validate_without_errors() -> None:
    result = invoke("validate", str(PLANS))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip().endswith("0 errors, 4 warnings in 3 plans")


def test_errors_are_located_sorted_and_counted(mini: Path) -> None:
    break_mini(mini)
    result = invoke("validate", str(mini))
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    fiche = f"{mini}/fiches/03-bus-services.yaml"
    assert lines == [
        f"{fiche}:6:11: error CTG021 code '9.9.z' does not exist in the plan",
        f"{fiche}:9:1: error CTG012 unknown field 'pilote' (did you mean 'pilotes'?)",
        f"{fiche}:11:6: warning CTG041 ends in 2030, after the convention period 2020-2024",
        "2 errors, 1 warning in 1 plan",
    ]


def test_warnings_fail_only_with_strict(mini: Path) -> None:
    fiche = mini / "fiches" / "03-bus-services.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace("fin: 2024", "fin: 2030"))
    assert invoke("validate", str(mini)).exit_code == 0
    assert invoke("validate", "--strict", str(mini)).exit_code == 1


def test_json_format_is_the_documented_contract(mini: Path) -> None:
    break_mini(mini)
    result = invoke("validate", "--format", "json", str(mini))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["errors"] == 2 and data["warnings"] == 1
    first = data["diagnostics"][0]
    assert set(first) == {"file", "line", "column", "code", "severity", "message"}
    assert (first["line"], first["column"], first["code"], first["severity"]) == (
        6,
        11,
        "CTG021",
        "error",
    )


def test_github_format_prints_annotations(mini: Path) -> None:
    break_mini(mini)
    result = invoke("validate", "--format", "github", str(mini))
    assert result.exit_code == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations[0] == (
        f"::error file={mini}/fiches/03-bus-services.yaml,line=6,col=11,title=CTG021::"
        "CTG021 code '9.9.z' does not exist in the plan"
    )
    assert annotations[2].startswith("::warning file=")


def test_ignore_option_and_config_file(mini: Path, tmp_path: Path) -> None:
    break_mini(mini)
    result = invoke("validate", "--ignore", "CTG012", "--ignore", "outside-period", str(mini))
    assert "CTG012" not in result.stdout and "CTG041" not in result.stdout
    assert "CTG021" in result.stdout
    (tmp_path / "ctg.toml").write_text('ignore = ["CTG021"]\n', encoding="utf-8")
    result = invoke("validate", str(mini), cwd=tmp_path)
    assert "CTG021" not in result.stdout and "CTG012" in result.stdout


def test_pyproject_tool_ctg_section_is_read(mini: Path, tmp_path: Path) -> None:
    break_mini(mini)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ctg]\nignore = ["unknown-field"]\n', encoding="utf-8"
    )
    result = invoke("validate", str(mini), cwd=tmp_path)
    assert "CTG012" not in result.stdout and result.exit_code == 1


def test_bad_configuration_is_a_usage_error(mini: Path, tmp_path: Path) -> None:
    (tmp_path / "ctg.toml").write_text('ignore = ["CTG999"]\n', encoding="utf-8")
    result = invoke("validate", str(mini), cwd=tmp_path)
    assert result.exit_code == 2
    assert "unknown rule 'CTG999'" in result.stderr
    (tmp_path / "ctg.toml").write_text("ignore = [\n", encoding="utf-8")
    assert invoke("validate", str(mini), cwd=tmp_path).exit_code == 2
    (tmp_path / "ctg.toml").write_text("colour = true\n", encoding="utf-8")
    assert "unknown setting" in invoke("validate", str(mini), cwd=tmp_path).stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = invoke("validate", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "no such file or directory" in missing.stderr
    empty = invoke("validate", str(tmp_path))
    assert empty.exit_code == 2 and "holds no plan" in empty.stderr
    assert invoke("validate", "--format", "xml", str(MINI)).exit_code == 2
    assert invoke("validate").exit_code == 2


def test_a_folder_of_plans_and_a_plan_yaml_path_are_accepted(tmp_path: Path) -> None:
    result = invoke("validate", str(MINI / "plan.yaml"))
    assert result.exit_code == 0 and "in 1 plan" in result.stdout


def test_many_plans_use_worker_processes_and_keep_order(tmp_path: Path) -> None:
    import shutil

    for number in range(10):
        shutil.copytree(MINI, tmp_path / f"plan-{number:02d}")
    broken = tmp_path / "plan-07" / "fiches" / "02-lieu-parents.yaml"
    broken.write_text("numéro: 2\ntitre: [\n", encoding="utf-8")
    result = run_ctg("validate", "--jobs", "2", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(
        f"{tmp_path}/plan-07/fiches/02-lieu-parents.yaml:3:1: error CTG001"
    )
    assert result.stdout.strip().endswith("1 error, 0 warnings in 10 plans")
    assert "Traceback" not in result.stderr


def test_rules_lists_the_registry() -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    codes = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert codes[0] == "CTG001" and "CTG024" in codes and codes == sorted(codes)
    one = invoke("rules", "CTG024")
    assert "inconsistent-declaration" in one.stdout and "fiche 2 of Civraisien 2019" in one.stdout
    assert invoke("rules", "CTG999").exit_code == 2


def test_version_and_help_show_examples() -> None:
    assert run_ctg("--version").stdout.startswith("ctg ")
    help_text = invoke("validate", "--help").stdout
    assert "ctg validate plans/civraisien-2019" in help_text


def test_pre_commit_hook_is_declared() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "id: ctg-validate" in hooks and "entry: ctg validate" in hooks


def test_unquoted_decimal_codes_and_numbers_keep_their_spelling(mini: Path) -> None:
    """``objectifs_stratégiques: [1.10]`` is objective 1.10, not 1.1; fiches 1.10 and 1.1 are
    two fiches, not a duplicate."""
    fiche = mini / "fiches" / "01-places-accueil.yaml"
    text = fiche.read_text(encoding="utf-8")
    fiche.write_text(
        text.replace("numéro: 1\n", "numéro: 1.10\n").replace(
            "objectifs_stratégiques: [A.1.1]", "objectifs_stratégiques: [1.10]"
        ),
        encoding="utf-8",
    )
    second = mini / "fiches" / "02-lieu-parents.yaml"
    second.write_text(
        second.read_text(encoding="utf-8").replace("numéro: 2\n", "numéro: 1.1\n"),
        encoding="utf-8",
    )
    result = invoke("validate", "--format", "json", str(mini))
    found = [(d["code"], d["line"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]
    assert ("CTG021", 4, "code '1.10' does not exist in the plan") in [
        (code, line, message.split(" (")[0]) for code, line, message in found
    ], found
    assert not any(code == "CTG030" for code, _, _ in found), found
