"""Format 2 as a coordinator writes it: dates to the day, an optional period, the plan's
`état`, French keys with suggestions, a plan's own fiche fields, budget lines, « non
transcrit » nodes, trees of any shape, the actors registry; and the layers of the code."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ctgkit import load_plan, validate
from ctgkit.coverage_model import coverage
from ctgkit.dates import PartialDate
from ctgkit.index import ActorRegistry
from ctgkit.model import Actor

from .conftest import PLANS, ROOT, invoke

FICHE = "fiches/03-bus-services.yaml"


def found(plan: Path, relative: str | None = None) -> list[tuple[int, int, str]]:
    """(line, column, code) of the diagnostics of ``relative`` (every file if None)."""
    wanted = f"{plan}/{relative}" if relative else None
    return [(d.line, d.column, d.code) for d in validate(plan) if wanted in (None, d.file)]


def messages(plan: Path) -> list[str]:
    return [f"{d.code} {d.message}" for d in validate(plan)]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write_fiche(plan: Path, body: str, name: str = FICHE) -> Path:
    path = plan / name
    path.write_text(body, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("written", "parsed"),
    [("2024", (2024, None, None)), ("2024-09", (2024, 9, None)), ("2024-09-30", (2024, 9, 30))],
)
def test_dates_to_the_year_month_or_day_are_accepted(
    mini: Path, written: str, parsed: tuple
) -> None:
    edit(mini / FICHE, "début: 2022", f"début: {written}")
    assert found(mini) == []
    fiche = next(f.fiche for f in load_plan(mini).fiches if f.fiche.number == "3")
    assert (fiche.start.year, fiche.start.month, fiche.start.day) == parsed


@pytest.mark.parametrize(
    "written",
    [
        "2024-13",
        "20222",
        "2020/2021",
        "2023-2-30",
        "bientôt",
        "2023-02-30",
    ],
)
def test_impossible_dates_are_located_errors(mini: Path, written: str) -> None:
    edit(mini / FICHE, "début: 2022", f"début: {written}")
    assert found(mini) == [(9, 8, "CTG011")]
    (message,) = messages(mini)
    assert message.startswith("CTG011 début: ")


def test_dates_read_as_a_coordinator_writes_them() -> None:
    assert [
        PartialDate.parse(v).french() for v in (2024, "2024-09", "2024-09-30", "2026-12-01")
    ] == [
        "2024",
        "septembre 2024",
        "30 septembre 2024",
        "1er décembre 2026",
    ]
    assert PartialDate.parse("2024-9").iso() == "2024-09"


def test_a_month_is_compared_by_its_days(mini: Path) -> None:
    # Same year, later month: fine; same month written as a day before it: an error.
    edit(mini / FICHE, "début: 2022\nfin: 2024", "début: 2024-03\nfin: 2024-09-30")
    assert found(mini) == []
    edit(mini / FICHE, "fin: 2024-09-30", "fin: 2024-02-28")
    assert [code for _, _, code in found(mini)] == ["CTG040"]


# --------------------------------------------------------------------------- période, état


def test_a_plan_without_period_validates_and_dates_are_not_checked_against_it(
    mini: Path,
) -> None:
    edit(mini / "plan.yaml", "période: {début: 2020, fin: 2024}\n", "")
    edit(mini / FICHE, "début: 2022\nfin: 2024", "début: 2010\nfin: 2040")
    assert found(mini) == []
    assert load_plan(mini).meta.period is None


def test_etat_shorthand_and_mapping(mini: Path) -> None:
    plan = mini / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert load_plan(mini).meta.state is None  # absent: not said
    plan.write_text(text.replace("génération: 1\n", "génération: 1\nétat: signée\n"), "utf-8")
    meta = load_plan(mini).meta
    assert (meta.state.value, meta.state.date, meta.signed) == ("signée", None, True)
    plan.write_text(
        text.replace(
            "génération: 1\n", "génération: 1\nétat: {valeur: proposition, date: 2024-06}\n"
        ),
        "utf-8",
    )
    assert found(mini) == []
    meta = load_plan(mini).meta
    assert (meta.state.value, meta.state.date, meta.signed) == (
        "proposition",
        PartialDate(2024, 6),
        False,
    )
    plan.write_text(text.replace("génération: 1\n", "génération: 1\nétat: Adoptee\n"), "utf-8")
    assert load_plan(mini).meta.state.value == "adoptée"  # case and accents forgiven


def test_an_unknown_etat_is_located(mini: Path) -> None:
    edit(mini / "plan.yaml", "génération: 1\n", "génération: 1\nétat: rêvée\n")
    assert found(mini, "plan.yaml") == [(14, 7, "CTG011")]
    assert "signée" in messages(mini)[0]
    edit(mini / "plan.yaml", "état: rêvée", "état: {valeur: signée, date: 2019-13}")
    assert [code for _, _, code in found(mini, "plan.yaml")] == ["CTG011"]


# --------------------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("debut: 2022", "début"),
        ("partners: [CAF]", "partenaires"),
        ("etapes: [Un bus]", "étapes"),
        ("steps: [Un bus]", "étapes"),
        ("Titre_court: x", None),
        ("Evaluation: [Bilan]", "évaluation"),
        ("status: nouvelle", "cette_action_est"),
    ],
)
def test_unknown_fiche_keys_get_the_french_key(
    mini: Path, typed: str, suggested: str | None
) -> None:
    edit(mini / FICHE, "pilotes: [CCAS]\n", f"pilotes: [CCAS]\n{typed}\n")
    assert found(mini) == [(9, 1, "CTG012")]
    (message,) = messages(mini)
    if suggested:
        assert message.endswith(f"(did you mean '{suggested}'?)"), message
    else:
        assert "did you mean" not in message, message


def test_etapes_never_suggests_axes(mini: Path) -> None:
    # In plan.yaml, where there are no étapes, `étapes` is not a misspelt `axes`.
    edit(mini / "plan.yaml", "génération: 1\n", "génération: 1\nétapes: [Diagnostic]\n")
    (message,) = messages(mini)
    assert message.startswith("CTG012 unknown field 'étapes'")
    assert "axes" not in message
    # In a node of the tree either.
    edit(mini / "plan.yaml", "étapes: [Diagnostic]\n", "")
    edit(
        mini / "plan.yaml",
        "            pistes: [Un bus des services]",
        "            étapes: [Un bus]",
    )
    (message,) = messages(mini)
    assert "axes" not in message


def test_old_english_plan_keys_are_answered_in_french(mini: Path) -> None:
    edit(mini / "plan.yaml", "sous_titre:", "subtitle:")
    edit(mini / "plan.yaml", "  département: Vienne", "  department: Vienne")
    assert sorted(messages(mini)) == [
        "CTG012 unknown field 'department' (did you mean 'département'?)",
        "CTG012 unknown field 'subtitle' (did you mean 'sous_titre'?)",
    ]


# --------------------------------------------------------------------------- a plan's own form

OWN_FORM = """formulaire:
  base: général
  champs:
    - nom: gratuit
      libellé: Action gratuite
      type: oui/non
    - nom: public_prioritaire
      type: choix
      choix: [familles, jeunes, seniors]
      obligatoire: true
    - nom: coût_total
      type: montant
    - nom: date_du_bilan
      type: date
    - nom: thèmes
      type: choix multiples
      groupes:
        Enfance: [Accueil du jeune enfant, Loisirs]
        Jeunesse: [Insertion, Loisirs des jeunes]
"""


@pytest.fixture
def own_form(mini: Path) -> Path:
    """The mini plan on the general form plus five fields of its own, one required."""
    edit(mini / "plan.yaml", "formulaire: vienne-2019", OWN_FORM + "#")
    for fiche in ("01-places-accueil.yaml", "02-lieu-parents.yaml"):
        (mini / "fiches" / fiche).unlink()
    return mini


OWN_FICHE = """numéro: 3
titre: Faire circuler un bus des services
objectifs: [2.1.a]
pilotes: [CCAS]
gratuit: oui
public_prioritaire: Jeunes
coût_total: 12000.50
date_du_bilan: 2024-06
thèmes:
  Jeunesse: [Insertion]
"""


def test_a_plans_own_fields_are_accepted(own_form: Path) -> None:
    write_fiche(own_form, OWN_FICHE)
    assert found(own_form) == []
    fiche = load_plan(own_form).fiches[0].fiche
    assert fiche.value("gratuit") is True
    assert fiche.value("public_prioritaire") == "jeunes"  # the form's spelling
    assert fiche.value("coût_total") == 12000.5
    assert fiche.value("date_du_bilan") == PartialDate(2024, 6)
    assert fiche.value("thèmes") == {"Jeunesse": ["Insertion"]}


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("gratuit: oui", "gratuit: peut-être", (5, 10, "CTG011")),
        ("public_prioritaire: Jeunes", "public_prioritaire: tous", (6, 21, "CTG011")),
        ("coût_total: 12000.50", "coût_total: beaucoup", (7, 13, "CTG011")),
        ("date_du_bilan: 2024-06", "date_du_bilan: demain", (8, 16, "CTG011")),
        ("public_prioritaire: Jeunes\n", "", (1, 1, "CTG010")),
        ("  Jeunesse: [Insertion]", "  Jeunesse: [Accueil du jeune enfant]", (10, 14, "CTG050")),
        ("gratuit: oui", "gratuite: oui", (5, 1, "CTG012")),
    ],
)
def test_a_plans_own_fields_are_checked(
    own_form: Path, old: str, new: str, where: tuple[int, int, str]
) -> None:
    write_fiche(own_form, OWN_FICHE.replace(old, new))
    assert found(own_form) == [where], messages(own_form)
    if where[2] == "CTG010":
        assert "missing required field 'public_prioritaire'" in messages(own_form)[0]
    if where[2] == "CTG012":
        assert messages(own_form)[0].endswith("(did you mean 'gratuit'?)")


def test_a_general_form_fiche_refuses_the_vienne_fields(own_form: Path) -> None:
    write_fiche(own_form, OWN_FICHE + "cette_action_est: nouvelle\n")
    assert found(own_form) == [(11, 1, "CTG012")]


@pytest.mark.parametrize(
    "champ",
    [
        "{nom: Public Cible, type: texte}",  # not lowercase words joined by _
        "{nom: statut_local, type: choix}",  # choix without its choices
        "{nom: grille, type: grille oui/non}",  # a grid without lines
        "{nom: titre, type: texte}",  # a standard field redefined
        "{nom: couleur, type: couleur}",  # an unknown type
    ],
)
def test_a_bad_own_field_is_a_located_form_error(mini: Path, champ: str) -> None:
    edit(
        mini / "plan.yaml",
        "formulaire: vienne-2019",
        f"formulaire: {{base: vienne-2019, champs: [{champ}]}}\n#",
    )
    result = found(mini)
    assert len(result) == 1 and result[0][0] == 3, messages(mini)
    assert result[0][2] in {"CTG008", "CTG011"}


def test_an_unknown_field_type_is_one_form_error(mini: Path) -> None:
    edit(
        mini / "plan.yaml",
        "formulaire: vienne-2019",
        "formulaire: {base: vienne-2019, champs: [{nom: couleur, type: couleur}]}\n#",
    )
    edit(mini / FICHE, "pilotes: [CCAS]\n", "pilotes: [CCAS]\ncouleur: rouge\n")
    assert found(mini) == [(3, 63, "CTG008")]


def test_a_standard_field_can_be_made_required(mini: Path) -> None:
    edit(
        mini / "plan.yaml",
        "formulaire: vienne-2019",
        "formulaire: {base: vienne-2019, champs: [{nom: description, obligatoire: true}]}\n#",
    )
    diagnostics = validate(mini)
    assert [(d.file.rsplit("/", 1)[-1], d.line, d.column, d.code) for d in diagnostics] == [
        ("01-places-accueil.yaml", 1, 1, "CTG010"),
        ("02-lieu-parents.yaml", 1, 1, "CTG010"),
        ("03-bus-services.yaml", 1, 1, "CTG010"),
    ]
    assert all("missing required field 'description'" in d.message for d in diagnostics)


# --------------------------------------------------------------------------- budget


def test_budget_lines(mini: Path) -> None:
    edit(mini / "plan.yaml", "formulaire: vienne-2019", "formulaire: général")
    for fiche in ("01-places-accueil.yaml", "02-lieu-parents.yaml"):
        (mini / "fiches" / fiche).unlink()
    body = (
        "numéro: 3\ntitre: Un bus\nobjectifs: [2.1.a]\n"
        "budget:\n"
        "  - {financeur: CAF, montant: 12000, nature: prestation de service}\n"
        "  - {financeur: Communauté de communes, montant: 3500.5}\n"
        "  - financeur: MSA\n"
    )
    write_fiche(mini, body)
    assert found(mini) == []
    lines = load_plan(mini).fiches[0].fiche.budget
    assert [(b.funder, b.amount, b.nature) for b in lines] == [
        ("CAF", 12000, "prestation de service"),
        ("Communauté de communes", 3500.5, None),
        ("MSA", None, None),
    ]
    write_fiche(mini, body.replace("montant: 3500.5", "montant: 3 500 €"))
    assert found(mini) == [(6, 50, "CTG011")]
    write_fiche(mini, body.replace("  - financeur: MSA\n", "  - montant: 100\n"))
    assert [code for _, _, code in found(mini)] == ["CTG010"]


# --------------------------------------------------------------------------- tree shapes

UNTRANSCRIBED = """          - code: 2.1.c
            titre: Réduire les zones blanches
          - code: 2.1.d
"""
GAPS = """lacunes:
  - code: 2.1.d
    note: L'intitulé de cet objectif est illisible dans la source.
  - code: 2.1.a
    note: Une note sur un objectif transcrit.
"""


def test_a_non_transcrit_node_is_listed_apart_and_not_counted(mini: Path) -> None:
    plan = mini / "plan.yaml"
    edit(
        plan,
        "          - code: 2.1.c\n            titre: Réduire les zones blanches\n",
        UNTRANSCRIBED,
    )
    plan.write_text(plan.read_text(encoding="utf-8") + GAPS, encoding="utf-8")
    assert found(mini) == []
    result = invoke("coverage", "--format", "json", str(mini))
    assert result.exit_code == 0
    (data,) = json.loads(result.stdout)["plans"]
    assert data["not_transcribed"] == ["2.1.d"]
    assert (data["total"], data["covered"]) == (6, 4)  # 2.1.d is not an objective
    assert "2.1.d" not in [o["code"] for o in data["objectives"]] + data["uncovered"]
    assert "2.1.a" in [o["code"] for o in data["objectives"]]  # titled: still counted
    assert data["ratio"] == 0.6667


def test_without_its_lacune_an_untitled_node_is_an_error(mini: Path) -> None:
    edit(
        mini / "plan.yaml",
        "          - code: 2.1.c\n            titre: Réduire les zones blanches\n",
        UNTRANSCRIBED,
    )
    assert [code for _, _, code in found(mini)] == ["CTG016"]


def test_the_bundled_2024_plan_lists_impact_2_as_not_transcribed() -> None:
    result = invoke("coverage", "--format", "json", str(PLANS / "civraisien-2024"))
    (data,) = json.loads(result.stdout)["plans"]
    assert data["not_transcribed"] == ["2"] and data["total"] == 5


def test_a_childless_top_level_node_is_an_objective_in_tree_order(mini: Path) -> None:
    plan = mini / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8")
        + "  - code: A.3\n    titre: Un axe sans objectifs écrits\n",
        encoding="utf-8",
    )
    assert found(mini) == []
    result = coverage(mini)
    assert [row.code for row in result.objectives] == [
        "1.1.a",
        "1.1.b",
        "1.2.a",
        "2.1.a",
        "2.1.b",
        "2.1.c",
        "A.3",
    ]
    assert (result.covered, result.total) == (4, 7)
    assert result.objectives[-1].path == []


def test_leaves_at_any_depth_can_be_cited(mini: Path) -> None:
    edit(
        mini / "plan.yaml",
        "      - code: A.1.2\n        titre: Soutenir la parentalité\n        enfants:\n"
        "          - code: 1.2.a\n            titre: Créer des lieux d'échange entre parents\n",
        "      - code: A.1.2\n        titre: Soutenir la parentalité\n",
    )
    edit(mini / "fiches/02-lieu-parents.yaml", "objectifs: [1.2.a]", "objectifs: [A.1.2]")
    assert found(mini) == []
    result = coverage(mini)
    assert [row.code for row in result.objectives][:3] == ["1.1.a", "1.1.b", "A.1.2"]
    assert result.objectives[2].fiches == ["2"]


# --------------------------------------------------------------------------- actors


def test_actor_names_match_whatever_the_case_accents_and_apostrophes() -> None:
    registry = ActorRegistry(
        [
            Actor.model_validate({"nom": "Pôle Emploi", "type": "État"}),
            Actor.model_validate(
                {
                    "nom": "Communauté de Communes du Civraisien en Poitou",
                    "sigle": "CCCP",
                    "autres_noms": ["Communauté de Communes"],
                }
            ),
            Actor.model_validate({"nom": "Maison de l'Enfance"}),
        ]
    )
    assert registry.find("pole emploi").name == "Pôle Emploi"
    assert registry.find("POLE  EMPLOI").name == "Pôle Emploi"
    for name in ("cccp", "Communauté de communes", "communaute de communes"):
        assert registry.find(name).short_name == "CCCP", name
    assert registry.find("Maison de l’Enfance").name == "Maison de l'Enfance"
    assert registry.find("Pôle Emploi Vienne") is None
    assert registry.suggest("Pole Emplois") == "Pôle Emploi"
    assert registry.suggest("Mairie") is None


def test_without_a_registry_no_actor_is_unknown(mini: Path) -> None:
    edit(mini / FICHE, "pilotes: [CCAS]", "pilotes: [Un acteur que personne ne connaît]")
    assert found(mini) == []


# --------------------------------------------------------------------------- layers

#: Lower layers first; a module may import its own layer and the layers below it only.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "files",
        {
            "i18n",
            "diagnostics",
            "source",
            "yaml_errors",
            "fsutil",
            "dates",
            "keys",
            "parallel",
            "safe_text",
        },
    ),
    ("model", {"model", "form"}),
    ("loader", {"loader", "index"}),
    (
        "rules",
        {
            "checking",
            "rules",
            "rules.context",
            "rules.registry",
            "rules.files",
            "rules.tree",
            "rules.fiches",
            "rules.suivi",
        },
    ),
    ("analyses", {"coverage_model", "actors", "suivi"}),
    (
        "outputs",
        {
            "markup",
            "card",
            "render_errors",
            "templating",
            "labels",
            "view_model",
            "view_builder",
            "view_format",
            "publishing",
            "rendering",
            "coverage_output",
            "bilan_output",
            "output",
            "schema",
            "migrate",
            "scaffold",
            "export",
            "workbook_read",
            "yaml_edit",
            "campaign_layout",
            "docx_template",
            "docx_output",
        },
    ),
    ("api", {"api", "plan_changes", "campaign", "campaign_merge", "spreadsheet_import"}),
    ("cli", {"cli", "config"}),
    ("tools", {"locale", "locale.__main__"}),
]
LAYER_OF = {module: rank for rank, (_, modules) in enumerate(LAYERS) for module in modules}
#: Explicit prohibitions of the issue, checked on top of the ranks (clearer failures).
FORBIDDEN = {
    "loader": {"rules", "checking", "coverage_model", "rendering", "api", "cli"},
    "model": {"loader"},
    "form": {"loader"},
    "rules": {"rendering", "api", "cli"},
}


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT / "ctgkit").with_suffix("")
    parts = [p for p in relative.parts if p != "__init__"]
    return ".".join(parts)


def imported(path: Path) -> set[str]:
    """ctgkit modules ``path`` imports anywhere (module level or in a function), except
    under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = [*base, *(node.module.split(".") if node.module else [])]
                if node.module:
                    names.add(".".join(target))
                else:
                    names |= {".".join([*target, alias.name]) for alias in node.names}
            elif node.module and node.module.startswith("ctgkit."):
                names.add(node.module.removeprefix("ctgkit."))
        elif isinstance(node, ast.Import):
            names |= {
                a.name.removeprefix("ctgkit.") for a in node.names if a.name.startswith("ctgkit.")
            }
    return {n for n in names if n and n != "__version__"}


def modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for p in sorted((ROOT / "ctgkit").rglob("*.py"))
        if module_name(p) not in ("", "__main__")
    }


def test_every_module_has_a_layer() -> None:
    assert sorted(set(modules()) - set(LAYER_OF)) == []


def test_no_module_imports_a_higher_layer() -> None:
    wrong = []
    for name, path in modules().items():
        for target in imported(path):
            target_layer = LAYER_OF.get(target, LAYER_OF.get(target.split(".")[0]))
            if target_layer is not None and target_layer > LAYER_OF[name]:
                wrong.append(f"{name} ({LAYERS[LAYER_OF[name]][0]}) imports {target}")
            if target.split(".")[0] in FORBIDDEN.get(name.split(".")[0], set()):
                wrong.append(f"{name} must not import {target}")
    assert sorted(set(wrong)) == []


def test_no_import_circle() -> None:
    graph = {
        name: {t for t in imported(path) if t in modules()} for name, path in modules().items()
    }
    graph["rules"] = graph.get("rules", set())
    circles: set[tuple[str, ...]] = set()

    def visit(node: str, trail: list[str]) -> None:
        for nxt in graph.get(node, ()):
            if nxt in trail:
                circle = trail[trail.index(nxt) :]
                start = circle.index(min(circle))
                circles.add(tuple(circle[start:] + circle[:start]))
            elif len(trail) < 12:
                visit(nxt, [*trail, nxt])

    for name in graph:
        visit(name, [name])
    assert sorted(circles) == []


def test_each_module_imports_first_in_a_fresh_interpreter() -> None:
    ordered = sorted(modules(), key=lambda m: (LAYER_OF[m], m))
    script = (
        "import importlib, subprocess, sys\n"
        f"for name in {ordered!r}:\n"
        "    run = subprocess.run([sys.executable, '-c', 'import ctgkit.' + name],"
        " capture_output=True, text=True)\n"
        "    if run.returncode:\n"
        "        print(name, run.stderr.strip().splitlines()[-1])\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert run.returncode == 0 and run.stdout == "", run.stdout + run.stderr


def test_flags_take_oui_non_as_coordinators_write_them(mini: Path) -> None:
    edit(mini / FICHE, "numéro: 3\n", "numéro: 3\nnuméro_éditorial: OUI\n")
    assert found(mini) == []
    fiche = next(f.fiche for f in load_plan(mini).fiches if f.fiche.number == "3")
    assert fiche.editorial_number is True


def test_a_field_of_the_base_form_can_be_relabelled(mini: Path) -> None:
    from ctgkit.form import resolve
    from ctgkit.model import FormSpec

    spec = FormSpec.model_validate(
        {
            "base": "vienne-2019",
            "champs": [
                {"nom": "participation", "libellé": "Participation des habitants"},
                {"nom": "duree", "type": "texte"},
                {"nom": "budget"},
            ],
        }
    )
    form = resolve(spec)
    assert form.by_key["participation"].label == "Participation des habitants"
    assert form.by_key["participation"].kind == "grille oui/non"
    # `duree` (no accent) is a field of its own beside the form's `durée`
    assert form.by_key["duree"].attr != form.by_key["durée"].attr
    assert "budget" in form.by_key
    assert form.model().model_validate(
        {"numéro": 1, "titre": "T", "durée": "annuelle", "duree": "deux ans"}
    ).value("duree") == "deux ans"


def test_a_type_given_to_a_field_the_form_has_is_one_form_error(mini: Path) -> None:
    edit(
        mini / "plan.yaml",
        "formulaire: vienne-2019",
        "formulaire: {base: vienne-2019, champs: [{nom: durée, type: texte}]}\n#",
    )
    assert [code for _, _, code in found(mini, "plan.yaml")] == ["CTG008"]
