"""`ctg actors`: « qui fait quoi » — for each actor, the fiches it pilots and those it joins,
grouped through the plan's actors registry."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ctgkit.actors import actors

from .conftest import MINI, PLANS, invoke, run_ctg

CIVRAISIEN = PLANS / "civraisien-2019"
CCCP_PILOTS = ["2", "4", "6", "7", "8", "9", "10", "12", "13", "15", "16", "17"]


def as_json(*paths: Path) -> dict:
    result = invoke("actors", "--format", "json", *map(str, paths))
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def by_name(plan: dict) -> dict[str, dict]:
    return {actor["name"]: actor for actor in plan["actors"]}


def test_json_contract() -> None:
    data = as_json(CIVRAISIEN)
    assert set(data) == {"plans"}
    (plan,) = data["plans"]
    assert plan["slug"] == "civraisien-2019"
    assert {"slug", "actors"} <= set(plan)
    assert plan["actors"]
    for actor in plan["actors"]:
        assert {"name", "short_name", "kind", "pilots", "partners"} <= set(actor), actor
        assert all(isinstance(n, str) for n in actor["pilots"] + actor["partners"]), actor
        assert actor["short_name"] is None or isinstance(actor["short_name"], str)


def test_the_cccp_pilots_12_fiches_of_civraisien_2019() -> None:
    """« CCCP », « Communauté de Communes » and « Communauté de communes » are one actor."""
    (plan,) = as_json(CIVRAISIEN)["plans"]
    (cccp,) = [a for a in plan["actors"] if a["short_name"] == "CCCP"]
    assert cccp["name"] == "Communauté de Communes du Civraisien en Poitou"
    assert cccp["kind"] == "collectivité"
    assert cccp["pilots"] == CCCP_PILOTS
    # Every fiche's pilotes are somebody's: each number appears under some actor.
    pilots = {n for actor in plan["actors"] for n in actor["pilots"]}
    assert pilots == {str(n) for n in range(1, 19)}


def test_registered_actors_come_first_in_registry_order() -> None:
    (plan,) = as_json(CIVRAISIEN)["plans"]
    names = [a["name"] for a in plan["actors"]]
    assert names[:3] == [
        "Communauté de Communes du Civraisien en Poitou",
        "Caisse d'Allocations Familiales de la Vienne",
        "Mutualité Sociale Agricole",
    ]
    # « Mille Bulles » (fiches 1, 4, 7) and « Association Mille Bulles » (18) are one actor.
    assert by_name(plan)["Association Mille Bulles"]["pilots"] == ["1", "4", "7", "18"]


def test_fiche_numbers_are_in_natural_order_and_not_repeated() -> None:
    (plan,) = as_json(CIVRAISIEN)["plans"]
    for actor in plan["actors"]:
        for numbers in (actor["pilots"], actor["partners"]):
            assert numbers == sorted(numbers, key=int), actor
            assert len(numbers) == len(set(numbers)), actor


def test_text_format() -> None:
    result = invoke("actors", str(CIVRAISIEN))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Convention Territoriale Globale du Civraisien en Poitou (civraisien-2019)"
    at = lines.index("  Communauté de Communes du Civraisien en Poitou (CCCP)")
    assert lines[at + 1] == f"    pilote : 12 fiches ({', '.join(CCCP_PILOTS)})"
    assert lines[at + 2].startswith("    partenaire : ")
    assert "[absent du registre des acteurs]" not in result.stdout


def test_csv_format() -> None:
    result = invoke("actors", "--format", "csv", str(CIVRAISIEN))
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["plan", "acteur", "sigle", "type", "pilote", "partenaire"]
    cccp = next(row for row in rows if row[2] == "CCCP")
    assert cccp[:4] == [
        "civraisien-2019",
        "Communauté de Communes du Civraisien en Poitou",
        "CCCP",
        "collectivité",
    ]
    assert cccp[4].split(", ") == CCCP_PILOTS
    assert len(rows) == 1 + len(as_json(CIVRAISIEN)["plans"][0]["actors"])


def test_without_a_registry_names_are_grouped_by_folded_name(mini: Path) -> None:
    """Case, accents, apostrophes and spaces do not make another actor; the first spelling
    met in fiche order is kept as written (« Pôle Emploi » stays accented)."""
    fiche = mini / "fiches" / "03-bus-services.yaml"
    fiche.write_text(
        fiche.read_text(encoding="utf-8").replace(
            "pilotes: [CCAS]",
            "pilotes: [pole  emploi, CCAS]\npartenaires: [POLE EMPLOI, Maison de l’Enfance]",
        ),
        encoding="utf-8",
    )
    second = mini / "fiches" / "02-lieu-parents.yaml"
    second.write_text(
        second.read_text(encoding="utf-8").replace(
            "partenaires: [CAF]", "partenaires: [CAF, Maison de l'enfance, Pôle Emploi]"
        ),
        encoding="utf-8",
    )
    (plan,) = as_json(mini)["plans"]
    actors_by_name = by_name(plan)
    assert actors_by_name["Pôle Emploi"]["pilots"] == ["3"]
    assert actors_by_name["Pôle Emploi"]["partners"] == ["2", "3"]
    assert actors_by_name["CCAS"]["pilots"] == ["3"]
    assert actors_by_name["Maison de l'enfance"]["partners"] == ["2", "3"]
    assert list(actors_by_name) == [
        "Communauté de Communes",
        "CAF",
        "PMI",
        "Centre social",
        "Maison de l'enfance",
        "Pôle Emploi",
        "CCAS",
    ]
    for actor in plan["actors"]:
        assert actor["short_name"] is None and actor["kind"] is None


def test_library_gives_the_same_rows() -> None:
    result = actors(CIVRAISIEN)
    assert result.slug == "civraisien-2019"
    cccp = next(row for row in result.actors if row.short_name == "CCCP")
    assert cccp.pilots == CCCP_PILOTS and cccp.declared


def test_several_plans_and_a_plan_without_fiches() -> None:
    data = as_json(CIVRAISIEN, PLANS / "tarn-agout", MINI)
    assert [p["slug"] for p in data["plans"]] == ["civraisien-2019", "tarn-agout", "mini"]
    tarn = data["plans"][1]
    assert all(a["pilots"] == [] and a["partners"] == [] for a in tarn["actors"])


def test_a_plan_with_errors_gives_its_diagnostics_and_exit_1(mini: Path) -> None:
    fiche = mini / "fiches" / "02-lieu-parents.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace("1.2.a", "7.7.q"), encoding="utf-8")
    result = invoke("actors", "--format", "json", str(mini))
    assert result.exit_code == 1 and result.stdout == ""
    assert "CTG021" in result.stderr


def test_unknown_format_is_a_usage_error() -> None:
    assert invoke("actors", "--format", "xml", str(MINI)).exit_code == 2


def test_actor_names_are_inert_in_csv_and_text(tmp_path: Path) -> None:
    import shutil

    plan = shutil.copytree(PLANS / "civraisien-2019", tmp_path / "p")
    fiche = next((plan / "fiches").glob("03-*.yaml"))
    text = fiche.read_text(encoding="utf-8")
    fiche.write_text(text.replace("  - Cicérone\n", '  - "=HYPERLINK(\\"x\\")\\e[2J"\n'), "utf-8")
    csv_out = run_ctg("actors", str(plan), "--format", "csv").stdout
    assert "'=HYPERLINK" in csv_out and "\x1b" not in csv_out
    text_out = run_ctg("actors", str(plan)).stdout
    assert "\x1b" not in text_out and "\\x1b[2J" in text_out
