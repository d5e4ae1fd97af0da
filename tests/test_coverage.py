"""`ctg coverage`: figures, every output format, roll-up, thresholds and errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from ctgkit.coverage_model import coverage

from .conftest import MINI, PLANS, invoke


def test_json_contract_on_the_mini_plan() -> None:
    result = invoke("coverage", "--format", "json", str(MINI))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    (plan,) = data["plans"]
    assert {
        "slug",
        "title",
        "total",
        "covered",
        "ratio",
        "objectives",
        "fiches",
        "uncovered",
    } <= set(plan)
    assert (plan["slug"], plan["total"], plan["covered"], plan["ratio"]) == ("mini", 6, 4, 0.6667)
    assert plan["objectives"][0] == {
        "code": "1.1.a",
        "title": "Augmenter le nombre de places d'accueil",
        "path": ["A.1", "A.1.1"],
        "fiches": ["1"],
    }
    assert plan["fiches"][2] == {
        "number": "3",
        "title": "Faire circuler un bus des services",
        "objectives": ["2.1.a"],
    }
    assert plan["uncovered"] == ["2.1.b", "2.1.c"]


def test_json_codes_are_written_as_the_fiches_cite_them() -> None:
    data = json.loads(invoke("coverage", "-f", "json", str(PLANS / "civraisien-2019")).stdout)
    (plan,) = data["plans"]
    assert [o["code"] for o in plan["objectives"]][:3] == ["1.1.a", "1.1.b", "1.1.c"]
    assert plan["objectives"][0]["path"] == ["A.1", "A.1.1"]
    assert len(plan["uncovered"]) == 18 and "2.1.g" in plan["uncovered"]
    assert plan["covered"] + len(plan["uncovered"]) == plan["total"] == 86


def test_text_report_lists_tree_counts_uncovered_and_many() -> None:
    result = invoke("coverage", str(PLANS / "civraisien-2019"))
    assert result.exit_code == 0
    out = result.stdout
    assert "68 of 86 objectifs spécifiques covered (79 %)" in out
    assert re.search(r"A\.1 Penser l'action sociale.*10/12 \(83 %\)", out)
    assert re.search(r"1\.1\.e Organiser le réseau.*—", out)
    assert "Uncovered objectifs spécifiques (18):" in out
    assert "Fiches citing no objective (0):" in out
    assert "4.3.g (5: 2, 12, 13, 16, 18)" in out


def test_uncovered_only() -> None:
    out = invoke("coverage", "--uncovered", str(MINI)).stdout
    assert "2.1.b Former des aidants numériques" in out
    assert "1.1.a" not in out


def test_tarn_agout_shows_every_objective_uncovered() -> None:
    result = coverage(PLANS / "tarn-agout")
    assert result.covered == 0 and len(result.uncovered) == 28
    out = invoke("coverage", "--uncovered", str(PLANS / "tarn-agout")).stdout
    assert "Uncovered objectifs opérationnels (28):" in out


def test_several_plans_end_with_a_summary() -> None:
    out = invoke("coverage", str(PLANS)).stdout
    summary = out[out.index("Summary") :]
    assert re.search(r"civraisien-2024 .* 5 .* 5 .* 100 %", summary)
    assert re.search(r"all .* 73 .* 119 .* 61 %", summary)


def test_csv_one_row_per_objective() -> None:
    out = invoke("coverage", "--format", "csv", str(MINI)).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["code", "title", "fiche 1", "fiche 2", "fiche 3", "count"]
    assert rows[1] == ["1.1.a", "Augmenter le nombre de places d'accueil", "x", "", "", "1"]
    assert rows[-1] == ["2.1.c", "Réduire les zones blanches", "", "", "", "0"]
    assert len(rows) == 7


def test_level_rolls_up() -> None:
    result = coverage(MINI, level=2)
    assert [(r.code, r.fiches) for r in result.objectives] == [
        ("A.1.1", ["1"]),
        ("A.1.2", ["2"]),
        ("A.2.1", ["3"]),
    ]
    assert (result.covered, result.total) == (3, 3)
    data = json.loads(invoke("coverage", "--level", "1", "-f", "json", str(MINI)).stdout)
    assert data["plans"][0]["uncovered"] == [] and data["plans"][0]["total"] == 2


def test_fail_under(tmp_path: Path) -> None:
    assert invoke("coverage", "--fail-under", "60", str(MINI)).exit_code == 0
    below = invoke("coverage", "--fail-under", "70", str(MINI))
    assert below.exit_code == 1 and "coverage below 70 %: mini 66.7 %" in below.stderr
    assert invoke("coverage", "--fail-under", "101", str(MINI)).exit_code == 2


def test_output_file_and_refusal_inside_a_plan(tmp_path: Path, mini: Path) -> None:
    target = tmp_path / "out" / "coverage.json"
    assert invoke("coverage", "-f", "json", "-o", str(target), str(MINI)).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["plans"][0]["covered"] == 4
    before = (mini / "plan.yaml").read_bytes()
    refused = invoke("coverage", "-f", "json", "-o", str(mini / "plan.yaml"), str(mini))
    assert refused.exit_code == 2 and "refusing to write there" in refused.stderr
    assert (mini / "plan.yaml").read_bytes() == before


def test_plan_with_errors_gives_diagnostics_and_exit_1(mini: Path) -> None:
    fiche = mini / "fiches" / "02-lieu-parents.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace("1.2.a", "7.7.q"), encoding="utf-8")
    result = invoke("coverage", "-f", "json", str(mini))
    assert result.exit_code == 1 and result.stdout == ""
    assert f"{fiche}:4:13: error CTG021" in result.stderr


def test_md_and_html_matrix_are_the_ones_render_embeds() -> None:
    from ctgkit import load_plan
    from ctgkit.rendering import render_documents

    standalone = invoke("coverage", "-f", "html", str(MINI)).stdout
    embedded = render_documents(load_plan(MINI), ("html",))["plan.html"]

    def rows(html: str) -> list[str]:
        table = html[html.index('<table class="matrix">') :]
        table = table[: table.index("</table>")]
        return [re.sub(r"<[^>]+>", "", row) for row in table.split("<tr")[2:]]

    assert rows(standalone) == rows(embedded)
    assert len(rows(standalone)) == 6
    md = invoke("coverage", "-f", "md", str(MINI)).stdout
    assert "| 1.1.a | x |  |  | 1 |" in md
    assert "| 2.1.c **(non couvert)** |  |  |  | 0 |" in md
    embedded_md = render_documents(load_plan(MINI), ("md",))["plan.md"]
    assert "| [1.1.a](#obj-1-1-a) | x |  |  | 1 |" in embedded_md


def test_csv_and_html_take_one_plan() -> None:
    result = invoke("coverage", "-f", "csv", str(PLANS))
    assert result.exit_code == 2 and "one plan at a time" in result.stderr
