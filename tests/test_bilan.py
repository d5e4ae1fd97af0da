"""``ctg bilan``: the JSON contract, the documents (SVG charts, links into the published
plan), the errors of malformed follow-up, the bundled plans without follow-up."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import BUNDLED, PLANS, invoke, run_ctg
from .test_suivi import FICHE_RUNNING, fictitious_plan

CONTRACT_PLAN = {"slug", "year", "by_status", "fiches", "indicators", "stale"}
CONTRACT_FICHE = {"number", "title", "status", "updated", "progress"}
CONTRACT_INDICATOR = {"fiche", "label", "unit", "target", "latest", "attainment"}


def test_bundled_plan_without_follow_up_json() -> None:
    result = run_ctg("bilan", "plans/civraisien-2019", "--format", "json")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)["plans"][0]
    assert set(plan) == CONTRACT_PLAN
    assert plan["slug"] == "civraisien-2019"
    assert len(plan["fiches"]) == 18
    assert all(f["status"] is None and f["updated"] is None for f in plan["fiches"])
    assert plan["by_status"]["none"] == 18
    assert sum(plan["by_status"].values()) == 18
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", BUNDLED)
def test_every_bundled_plan_gets_a_first_bilan(name: str) -> None:
    result = invoke("bilan", str(PLANS / name))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["plans"][0]["by_status"]["réalisée"] == 0


def test_json_contract_on_fictitious_follow_up(tmp_path: Path) -> None:
    plan = fictitious_plan(tmp_path)
    result = invoke("bilan", str(plan), "--year", "2022", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)["plans"][0]
    assert set(data) == CONTRACT_PLAN and data["year"] == 2022
    assert all(set(f) == CONTRACT_FICHE for f in data["fiches"])
    assert all(set(i) == CONTRACT_INDICATOR for i in data["indicators"])
    fiches = {f["number"]: f for f in data["fiches"]}
    assert fiches["4"] == {
        "number": "4",
        "title": "Développer une ludothèque de territoire",
        "status": "réalisée",
        "updated": "2022-12",
        "progress": 100,
    }
    assert (fiches["9"]["status"], fiches["9"]["progress"]) == ("en cours", 50)
    measured = [i for i in data["indicators"] if i["target"] is not None]
    assert measured == [
        {
            "fiche": "9",
            "label": "Jeunes accueillis au PIJ (FICTIF)",
            "unit": "jeunes",
            "target": 200,
            "latest": 210,
            "attainment": 1.125,
        }
    ]
    assert data["stale"] == [n for n in map(str, range(1, 19)) if n not in ("4", "9")]
    final = json.loads(invoke("bilan", str(plan), "--annee", "2023").stdout)["plans"][0]
    assert [i["attainment"] for i in final["indicators"] if i["target"]] == [0.5]


def test_html_bilan_holds_svg_charts_and_links_into_the_plan(tmp_path: Path) -> None:
    plan = fictitious_plan(tmp_path)
    site = tmp_path / "site"
    assert invoke("render", str(plan), "-o", str(site)).exit_code == 0
    result = invoke("bilan", str(plan), "--year", "2023", "-o", str(site))
    assert result.exit_code == 0, result.stderr
    folder = site / plan.name
    assert sorted(p.name for p in folder.glob("bilan.*")) == [
        "bilan.html",
        "bilan.json",
        "bilan.md",
    ]
    html = (folder / "bilan.html").read_text("utf-8")
    assert html.count("<svg") == 2  # statuses by axis, the indicator's series
    assert "<script" not in html
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        assert re.search(r'role="img" aria-labelledby="[^"]+-title">\s*<title id=', svg)
    assert "<caption>Série : Jeunes accueillis au PIJ (FICTIF)</caption>" in html
    ids = set(re.findall(r'id="([^"]+)"', (folder / "plan.html").read_text("utf-8")))
    links = re.findall(r'href="plan\.html#([^"]+)"', html)
    assert links and not [link for link in links if link not in ids]
    assert "Évaluation de la convention 2019–2023" in html
    assert "partiellement atteint" in html
    markdown = (folder / "bilan.md").read_text("utf-8")
    assert "[n°4](plan.md#fiche-4)" in markdown and "<svg" not in markdown
    import html5lib

    html5lib.HTMLParser(strict=True).parse(html)


def test_documents_say_aucun_suivi_for_a_plan_without_follow_up(tmp_path: Path) -> None:
    for fmt in ("md", "html"):
        result = invoke("bilan", str(PLANS / "civraisien-2019"), "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.count("aucun suivi") >= 18
        assert "Aucun suivi n'est encore consigné dans ce plan" in result.stdout


def test_text_output_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTG_LANG", "fr")
    result = invoke("bilan", str(PLANS / "civraisien-2019"), "--format", "text", "--year", "2021")
    assert result.exit_code == 0, result.stderr
    assert "Bilan 2021 — Convention Territoriale Globale du Civraisien en Poitou" in result.stdout
    assert "chaque fiche figure comme « aucun suivi »" in result.stdout
    assert result.stdout.count("— aucun suivi") == 18
    assert "À relancer (aucun point en 2021) : 18 fiches" in result.stdout


def test_malformed_follow_up_gives_located_errors_and_exit_1(tmp_path: Path) -> None:
    plan = fictitious_plan(tmp_path)
    running = plan / FICHE_RUNNING
    text = running.read_text("utf-8")
    text = text.replace("valeur: 210,", "valeur: deux cents,").replace(
        "  - date: 2022-06\n", "  - date: 2029-06\n"
    )
    running.write_text(text, "utf-8")
    lines = text.splitlines()
    value_line = next(i for i, line in enumerate(lines, 1) if "deux cents" in line)
    date_line = next(i for i, line in enumerate(lines, 1) if "2029-06" in line)
    result = run_ctg("bilan", str(plan), "--format", "json", "-j", "1")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    relative = f"{plan}/{FICHE_RUNNING}"
    assert f"{relative}:{value_line}:" in result.stderr and "CTG061" in result.stderr
    assert f"{relative}:{date_line}:11: error CTG060" in result.stderr


def test_output_inside_a_plan_is_refused(tmp_path: Path) -> None:
    plan = fictitious_plan(tmp_path)
    result = invoke("bilan", str(plan), "-o", str(plan / "site"))
    assert result.exit_code == 2
    assert "inside the plan directory" in result.stderr
    assert not (plan / "site").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "pdf"],
        ["--format", "md,html"],  # one format at a time without -o
        ["-o", "OUT", "--format", "text"],
        ["--year", "1200"],
        ["--today", "2024-02-30"],
    ],
)
def test_usage_errors(args: list[str], tmp_path: Path) -> None:
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = invoke("bilan", str(PLANS / "civraisien-2019"), *args)
    assert result.exit_code == 2, result.stdout


def test_md_to_stdout_takes_one_plan() -> None:
    result = invoke("bilan", str(PLANS), "--format", "md")
    assert result.exit_code == 2
    assert "one plan at a time" in result.stderr


def test_templates_are_overridable(tmp_path: Path) -> None:
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "bilan.md.j2").write_text(
        "BILAN {{ year }} {% for f in fiches %}[{{ f.number }}:{{ f.status }}]{% endfor %}\n",
        "utf-8",
    )
    result = invoke(
        "bilan",
        str(PLANS / "civraisien-2019"),
        "--format",
        "md",
        "--year",
        "2020",
        "--templates",
        str(custom),
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("BILAN 2020 [1:aucun suivi][2:aucun suivi]")
    (custom / "bilan.md.j2").write_text("{{ nothing.here }}", "utf-8")
    broken = invoke(
        "bilan", str(PLANS / "civraisien-2019"), "--format", "md", "--templates", str(custom)
    )
    assert broken.exit_code == 2 and "bilan.md.j2" in broken.stderr


def test_library(tmp_path: Path) -> None:
    from ctgkit.api import bilan, bilan_documents

    plan = fictitious_plan(tmp_path)
    result = bilan(plan, 2022)
    assert result.to_json()["by_status"]["réalisée"] == 1
    documents = bilan_documents(plan, 2022, ("html", "json"))
    assert sorted(documents) == ["bilan.html", "bilan.json"]
