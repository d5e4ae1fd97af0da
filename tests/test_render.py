"""`ctg render`: the published documents, their structure, links, and how files are written.

Snapshots of the mini plan live in tests/snapshots/; after a deliberate change, refresh
them with `CTG_UPDATE_SNAPSHOTS=1 pytest tests/test_render.py` and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import html5lib
import pytest

from ctgkit import load_plan
from ctgkit.index import PlanIndex
from ctgkit.rendering import render_documents

from .conftest import BUNDLED, MINI, PLANS, invoke, run_ctg

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
NS = "{http://www.w3.org/1999/xhtml}"


def parse(html: str):
    return html5lib.parse(html, namespaceHTMLElements=True)


@pytest.mark.parametrize("name", ["plan.md", "plan.html", "coverage.md", "coverage.html"])
def test_snapshot_of_the_mini_plan(name: str) -> None:
    rendered = render_documents(load_plan(MINI))[name]
    snapshot = SNAPSHOTS / "mini" / name
    if os.environ.get("CTG_UPDATE_SNAPSHOTS"):
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(rendered, encoding="utf-8")
    assert rendered == snapshot.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bundled() -> dict[str, dict[str, str]]:
    return {slug: render_documents(load_plan(PLANS / slug)) for slug in BUNDLED}


@pytest.mark.parametrize("slug", BUNDLED)
def test_every_fiche_title_and_objective_code_is_published(slug: str, bundled) -> None:
    plan = load_plan(PLANS / slug)
    html = bundled[slug]["plan.html"]
    md = bundled[slug]["plan.md"]
    text = "".join(parse(html).itertext())
    for loaded in plan.fiches:
        title = " ".join(loaded.fiche.title.split())
        assert title in text, title
        assert title in md, title
    for info in PlanIndex(plan.meta).order:
        assert 'id="obj-' in html
        assert info.code in text and info.code in md, info.code


@pytest.mark.parametrize("slug", BUNDLED)
def test_every_in_page_link_has_its_anchor(slug: str, bundled) -> None:
    html = bundled[slug]["plan.html"]
    tree = parse(html)
    ids = {el.get("id") for el in tree.iter() if el.get("id")}
    targets = {
        el.get("href")[1:] for el in tree.iter(f"{NS}a") if (el.get("href") or "").startswith("#")
    }
    assert targets and targets <= ids, targets - ids
    md = bundled[slug]["plan.md"]
    md_ids = set(re.findall(r'<a id="([^"]+)"></a>', md))
    md_targets = set(re.findall(r"\]\(#([^)]+)\)", md))
    assert md_targets and md_targets <= md_ids, md_targets - md_ids
    coverage_page = bundled[slug]["coverage.html"]
    for href in re.findall(r'href="([^"]+)"', coverage_page):
        assert href.startswith("plan.html#") and href.split("#")[1] in ids


@pytest.mark.parametrize("slug", BUNDLED)
def test_html_is_accessible_and_self_contained(slug: str, bundled) -> None:
    html = bundled[slug]["plan.html"]
    tree = parse(html)
    assert tree.get("lang") == "fr"
    headings = [
        int(el.tag[-1]) for el in tree.iter() if re.fullmatch(rf"{re.escape(NS)}h[1-6]", el.tag)
    ]
    assert headings.count(1) == 1 and headings[0] == 1
    assert all(b <= a + 1 for a, b in zip(headings, headings[1:], strict=False)), (
        "a heading level is skipped"
    )
    for table in tree.iter(f"{NS}table"):
        assert list(table.iter(f"{NS}th")), "every table has header cells"
    assert "<script" not in html and "http://" not in html.split("<body>")[0]
    assert "<link" not in html and "@media print" in html and "size: A4" in html
    for link in tree.iter(f"{NS}a"):
        assert "".join(link.itertext()).strip(), "links have text"


def test_strategy_marks_uncovered_objectives_and_links_fiches(bundled) -> None:
    html = bundled["civraisien-2019"]["plan.html"]
    item = html[html.index('<li id="obj-1-1-e"') :]
    item = item[: item.index("</li>")]
    assert 'class="uncovered"' in item and "Aucune fiche ne répond à cet objectif" in item
    served = html[html.index('<li id="obj-1-1-a"') :]
    served = served[: served.index("</li>")]
    assert '<a href="#fiche-4">Fiche n°4</a>, <a href="#fiche-18">Fiche n°18</a>' in served


def test_fiche_card_mirrors_the_form(bundled) -> None:
    html = bundled["civraisien-2019"]["plan.html"]
    import html as html_module

    card = html[html.index('<article class="fiche" id="fiche-2"') :]
    card = html_module.unescape(card[: card.index("</article>")])
    for label in (
        "Objectifs",
        "Pilote(s) / porteur(s)",
        "Partenaires associés",
        "Impacts potentiels de l'action",
        "Participation habitante",
        "Étapes chronologiques",
        "Indicateurs de réussite",
        "Méthodes d'évaluation",
        "Documents",
    ):
        assert label in card, label
    # In form order: the impact grid before the steps, the steps before the participation.
    impacts, steps = card.index("Impacts potentiels"), card.index("Étapes")
    assert impacts < steps < card.index("Participation habitante")
    assert '<a href="#obj-4-3-f">' in card
    assert "CLS fiche action n°10 « Faire évoluer le regard sur le vieillissement »" in card
    assert '<th scope="row">Environnement social</th>' in card


def test_annexes_matrix_actors_and_timeline(bundled) -> None:
    html = bundled["civraisien-2019"]["plan.html"]
    assert "68 objectifs couverts sur 86 (79 %)" in html
    actors = html[html.index('id="actors"') :]
    row = re.search(r"<tr id=\"actor-association-mille-bulles\">(.*?)</tr>", actors).group(1)
    assert "Fiche n°1" in row and "Fiche n°4" in row and "Fiche n°7" in row
    timeline = html[html.index('id="fiche-timeline"') :]
    assert '<th scope="col" class="out" title="hors période de la convention">2026</th>' in timeline


def test_indicator_figures_and_languages(tmp_path: Path) -> None:
    outputs = render_documents(load_plan(MINI))
    assert "<td>%</td><td>0</td><td>80</td><td>30 juin 2022 : 65</td>" in outputs["plan.html"]
    english = tmp_path / "mini"
    import shutil

    shutil.copytree(MINI, english)
    plan_file = english / "plan.yaml"
    plan_file.write_text(plan_file.read_text(encoding="utf-8").replace("langue: fr", "langue: en"))
    html = render_documents(load_plan(english))["plan.html"]
    assert '<html lang="en">' in html and "Contents" in html and "Sommaire" not in html


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    first = invoke("render", str(MINI), "-o", str(tmp_path / "a"))
    second = invoke("render", str(MINI), "-o", str(tmp_path / "b"))
    assert first.exit_code == second.exit_code == 0
    for name in ("plan.md", "plan.html", "coverage.md", "coverage.html"):
        assert (tmp_path / "a" / "mini" / name).read_bytes() == (
            tmp_path / "b" / "mini" / name
        ).read_bytes()


def test_render_command_layout_and_formats(tmp_path: Path) -> None:
    result = invoke("render", str(PLANS), "-o", str(tmp_path), "--format", "html")
    assert result.exit_code == 0
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == [
        f"{slug}/{name}" for slug in BUNDLED for name in ("coverage.html", "plan.html")
    ]
    assert invoke("render", str(MINI), "--format", "pdf").exit_code == 2


def test_plan_with_errors_stops_before_writing(tmp_path: Path, mini: Path) -> None:
    fiche = mini / "fiches" / "03-bus-services.yaml"
    fiche.write_text(fiche.read_text(encoding="utf-8").replace("début: 2022", "début: soon"))
    result = invoke(
        "render", str(PLANS / "civraisien-2024"), str(mini), "-o", str(tmp_path / "site")
    )
    assert result.exit_code == 1
    assert f"{fiche}:9:8: error CTG011" in result.stderr
    assert not (tmp_path / "site").exists()


def test_refuses_to_write_into_a_plan(mini: Path) -> None:
    before = sorted(p.name for p in mini.rglob("*"))
    result = invoke("render", str(mini), "-o", str(mini / "fiches"))
    assert result.exit_code == 2 and "refusing" in result.stderr
    assert sorted(p.name for p in mini.rglob("*")) == before


def test_user_templates_override_by_file_name(tmp_path: Path) -> None:
    custom = tmp_path / "custom"
    (custom / "labels").mkdir(parents=True)
    (custom / "_fiche.md.j2").write_text("FICHE {{ f.number }}: {{ f.title }}\n", encoding="utf-8")
    (custom / "labels" / "fr.toml").write_text(
        'contents = "Table des matières"\n', encoding="utf-8"
    )
    result = invoke("render", str(MINI), "-o", str(tmp_path / "out"), "--templates", str(custom))
    assert result.exit_code == 0
    md = (tmp_path / "out" / "mini" / "plan.md").read_text(encoding="utf-8")
    assert "FICHE 1: Ouvrir une micro-crèche" in md and "## Table des matières" in md
    assert "| Pilote(s) / porteur(s) |" not in md
    html = (tmp_path / "out" / "mini" / "plan.html").read_text(encoding="utf-8")
    assert "Pilote(s) / porteur(s)" in html  # the HTML card was not overridden


def test_broken_user_template_is_a_located_usage_error(tmp_path: Path) -> None:
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "plan.md.j2").write_text("{% for x in %}\n", encoding="utf-8")
    result = invoke("render", str(MINI), "-o", str(tmp_path / "out"), "--templates", str(custom))
    assert result.exit_code == 2
    assert f"template {custom / 'plan.md.j2'}:1: Expected an expression" in result.stderr


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"plan.md.j2": "titre\n{{ 1 / 0 }}\n"}, "plan.md.j2:2: ZeroDivisionError"),
        (
            {"plan.md.j2": '{% include "_x.j2" %}', "_x.j2": "a\n{{ 'a' + 1 }}"},
            "_x.j2:2: TypeError",
        ),
        ({"plan.md.j2": b"\xff\xfe titre"}, "plan.md.j2: cannot read: 'utf-8' codec"),
        ({"plan.md.j2": '{% include "plan.md.j2" %}'}, "plan.md.j2:1: RecursionError"),
        ({"_matrix.md.j2": "{{ labels.nothing_here }}"}, "has no attribute 'nothing_here'"),
    ],
    ids=["division", "include-type-error", "not-utf8", "self-include", "undefined-label"],
)
def test_a_failing_user_template_is_a_plain_error_and_writes_nothing(
    files: dict[str, str | bytes], expected: str, tmp_path: Path
) -> None:
    custom = tmp_path / "custom"
    custom.mkdir()
    for name, content in files.items():
        target = custom / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    result = run_ctg("render", str(MINI), "-o", str(tmp_path / "out"), "--templates", str(custom))
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.startswith(f"ctg: error: template {custom}"), result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_templates_are_shipped_in_the_wheel() -> None:
    import tomllib

    from .conftest import ROOT

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    force = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force == {"templates": "ctgkit/templates"}
    assert {"plan.html.j2", "plan.md.j2", "_style.css", "labels"} <= {
        p.name for p in (ROOT / "templates").iterdir()
    }


# --------------------------------------------------------------------------- format 2

NBSP = "\u00a0"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rendered(root: Path) -> dict[str, str]:
    plan = load_plan(root)
    assert plan.ok, [str(d) for d in plan.diagnostics]
    return render_documents(plan)


def card_of(html: str, number: str) -> str:
    import html as html_module

    card = html[html.index(f'<article class="fiche" id="fiche-{number}"') :]
    return html_module.unescape(card[: card.index("</article>")])


def test_a_plan_s_own_fields_are_printed_on_the_card_with_their_labels(mini: Path) -> None:
    edit(
        mini / "plan.yaml",
        "formulaire: vienne-2019",
        "formulaire:\n  base: vienne-2019\n  champs:\n"
        "    - {nom: quartier_prioritaire, libellé: Quartier prioritaire, type: oui/non}\n"
        "    - {nom: coût_total, libellé: Coût total, type: montant}\n"
        "    - {nom: budget}\n",
    )
    edit(
        mini / "fiches" / "01-places-accueil.yaml",
        "fiches_liées: [2]",
        "fiches_liées: [2]\nquartier_prioritaire: oui\ncoût_total: 12500\nbudget:\n"
        "  - {financeur: CAF, montant: 1500, nature: prestation de service}\n"
        "  - {financeur: Commune, montant: 250.5}\n",
    )
    outputs = rendered(mini)
    card = card_of(outputs["plan.html"], "1")
    assert '<th scope="row">Quartier prioritaire</th><td>OUI</td>' in card
    assert f'<th scope="row">Coût total</th><td>12{NBSP}500{NBSP}€</td>' in card
    assert f'<th scope="row">CAF</th><td class="num">1{NBSP}500{NBSP}€</td>' in card
    assert f"<strong>1{NBSP}750,50{NBSP}€</strong>" in card  # the total
    md = outputs["plan.md"]
    assert "| Quartier prioritaire | OUI |" in md
    assert f"| Commune | 250,50{NBSP}€ |" in md
    # The other fiches do not answer the new fields: nothing is printed for them.
    assert "Quartier prioritaire" not in card_of(outputs["plan.html"], "2")


def test_dates_print_as_the_source_wrote_them(mini: Path) -> None:
    fiche = mini / "fiches" / "03-bus-services.yaml"
    edit(fiche, "début: 2022", "début: 2022-09")
    edit(fiche, "fin: 2024", "fin: 2024-06-30")
    outputs = rendered(mini)
    card = card_of(outputs["plan.html"], "3")
    assert '<th scope="row">Début</th><td>septembre 2022</td>' in card
    assert '<th scope="row">Fin</th><td>30 juin 2024</td>' in card
    assert "| [3](#fiche-3) | septembre 2022 – 30 juin 2024 |" in outputs["plan.md"]


def test_an_empty_field_prints_nothing(bundled) -> None:
    html = rendered(MINI)["plan.html"]
    second = card_of(html, "2")  # no durée, no « cette action est », no impacts
    assert "Durée de l'action" not in second and "Cette action est" not in second
    assert "Impacts potentiels" not in second
    assert "Durée de l'action" in card_of(html, "1")
    for outputs in bundled.values():
        for content in outputs.values():
            assert "non renseigné" not in content


def test_a_fiche_s_gaps_are_printed(mini: Path) -> None:
    edit(
        mini / "fiches" / "03-bus-services.yaml",
        "pilotes: [CCAS]",
        "pilotes: [CCAS]\nlacunes:\n"
        "  - {champ: partenaires, note: La fiche ne nomme aucun partenaire.}\n"
        "  - {champ: pilotes, note: Le pilote est nommé sans son service.}\n"
        "  - note: Le budget n'est pas donné.\n",
    )
    outputs = rendered(mini)
    card = card_of(outputs["plan.html"], "3")
    partners = card[card.index('<tr id="fiche-3-partenaires">') :]
    partners = partners[: partners.index("</tr>")]
    assert "Partenaires associés" in partners and "La fiche ne nomme aucun partenaire." in partners
    pilotes = card[card.index('<tr id="fiche-3-pilotes">') :]
    assert "CCAS" in pilotes[: pilotes.index("</tr>")]
    assert "Le pilote est nommé sans son service." in pilotes[: pilotes.index("</tr>")]
    assert "Ce que la source ne donne pas" in card and "Le budget n'est pas donné." in card
    md = outputs["plan.md"]
    assert (
        "| Partenaires associés | *Absent de la source :* La fiche ne nomme aucun partenaire. |"
        in md
    )
    assert "**Ce que la source ne donne pas**\n\n- Le budget n'est pas donné." in md


def test_a_working_document_carries_a_banner_in_every_output(bundled) -> None:
    banner = "Document de travail — proposition du 24 janvier 2023"
    for name, content in bundled["tarn-agout"].items():
        assert banner in content, name
    html = bundled["tarn-agout"]["plan.html"]
    assert html.index('class="draft-banner"') < html.index("<h1>")
    assert "<dt>État du document</dt><dd>Proposition du 24 janvier 2023</dd>" in html
    assert "<dt>Partenaires de la démarche</dt>" in html and "<dt>Signataires</dt>" not in html
    assert "@media print" in html and ".draft-banner { print-color-adjust: exact;" in html
    for name, content in bundled["civraisien-2019"].items():
        assert "Document de travail" not in content, name


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        ("état: signée", "Signée"),
        ("état: {valeur: signée, date: 2019-12-17}", "Signée le 17 décembre 2019"),
        ("état: {valeur: adoptée, date: 2019-12}", "Adoptée en décembre 2019"),
        ("état: {valeur: projet, date: 2019-04}", "Projet d'avril 2019"),
    ],
)
def test_the_state_is_on_the_title_page(mini: Path, state: str, shown: str) -> None:
    edit(mini / "plan.yaml", "génération: 1", f"génération: 1\n{state}")
    outputs = rendered(mini)
    import html as html_module

    html = html_module.unescape(outputs["plan.html"])
    assert f"<dt>État du document</dt><dd>{shown}</dd>" in html
    assert f"- **État du document** : {shown}" in outputs["plan.md"]
    signed = shown.startswith("Signée")
    for name, content in outputs.items():
        assert ("Document de travail" in content) is not signed, name
    assert ("<dt>Signataires</dt>" in outputs["plan.html"]) is signed


def test_a_plan_without_period_or_dates(mini: Path) -> None:
    edit(mini / "plan.yaml", "période: {début: 2020, fin: 2024}\n", "")
    outputs = rendered(mini)
    assert "<dt>Période de la convention</dt><dd>non précisée</dd>" in outputs["plan.html"]
    timeline = outputs["plan.html"][outputs["plan.html"].index('id="fiche-timeline"') :]
    assert 'class="out"' not in timeline  # no period: no year is outside it
    for fiche in (mini / "fiches").glob("*.yaml"):
        text = fiche.read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if not line.startswith(("début:", "fin:"))]
        fiche.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = rendered(mini)
    assert 'id="fiche-timeline"' not in outputs["plan.html"]
    assert "fiche-timeline" not in outputs["plan.md"]


def test_a_node_not_transcribed_is_shown_as_such_and_not_counted(bundled) -> None:
    html = bundled["civraisien-2024"]["plan.html"]
    heading = re.search(r'<h3 id="obj-2">(.*?)</h3>', html).group(1)
    assert "Impact" in heading and "non transcrit" in heading
    section = html[html.index('<h3 id="obj-2">') :]
    section = section[: section.index("</section>")]
    assert "uniquement sous forme d'image" in section  # the lacune's note
    assert "Aucune fiche ne répond" not in section
    assert (
        '### <a id="obj-2"></a>Impact 2 — *non transcrit*' in bundled["civraisien-2024"]["plan.md"]
    )
    for name in ("coverage.html", "coverage.md"):
        page = bundled["civraisien-2024"][name]
        assert "5 objectifs couverts sur 5 (100 %) ; 1 élément non transcrit" in page
        assert "Non transcrits (exclus du décompte)" in page
        listed = page[page.index("Non transcrits") :]
        assert "non transcrit" in listed and "uniquement sous forme d'image" in listed


def test_editorial_codes_and_numbers_are_marked(bundled) -> None:
    mark = '<sup class="editorial" title="code ou numéro attribué lors de la transcription'
    outputs = bundled["civraisien-2024"]
    html = outputs["plan.html"]
    assert f'<span class="code">1.1</span>{mark}' in html
    assert f'<span class="fiche-number">Fiche n°1{mark}' in html
    assert html.count('<p class="editorial-note">') == 1
    assert "**1.1**\\* Organiser" in outputs["plan.md"]
    assert outputs["plan.md"].count("\\* code ou numéro attribué lors de la transcription") == 1
    assert "[1.1](plan.md#obj-1-1)\\*" in outputs["coverage.md"]
    assert f"{mark}" in outputs["coverage.html"]
    # Codes printed in the source are not marked.
    y2019 = bundled["civraisien-2019"]["plan.html"]
    assert f'<span class="code">4.1.d</span>{mark}' in y2019
    assert '<span class="code">4.1.c</span> ' in y2019


def test_the_general_form_prints_no_impact_grid(bundled) -> None:
    general = bundled["civraisien-2024"]["plan.html"]
    assert "Impacts potentiels" not in general and "Participation habitante" not in general
    assert "Impacts potentiels" in bundled["civraisien-2019"]["plan.html"]


def test_a_childless_top_level_node_is_an_objective_in_its_place(mini: Path) -> None:
    edit(
        mini / "plan.yaml",
        "  - code: A.2\n",
        "  - code: A.3\n    titre: Un axe dont les objectifs ne sont pas écrits\n  - code: A.2\n",
    )
    outputs = rendered(mini)
    html = outputs["plan.html"]
    strategy = html[html.index('id="strategy"') :]
    assert strategy.index('id="obj-a-1-2"') < strategy.index('id="obj-a-3"')
    assert strategy.index('id="obj-a-3"') < strategy.index('id="obj-a-2"')
    axis = re.search(r'<h3 id="obj-a-3">(.*?)</h3>', html).group(1)
    assert "Axe" in axis and "Un axe dont les objectifs ne sont pas écrits" in axis
    assert "4 objectifs couverts sur 7" in html
    assert '### <a id="obj-a-3"></a>Axe A.3 — Un axe dont' in outputs["plan.md"]


def test_fiche_cards_link_actors_to_the_index_by_registry_name(bundled) -> None:
    html = bundled["civraisien-2019"]["plan.html"]
    actors = html[html.index('<h3 id="actors">') :]
    row = re.search(
        r'<tr id="actor-communaute-de-communes-du-civraisien-en-poitou">(.*?)</tr>', actors
    )
    assert row and "(CCCP)" in row.group(1) and "collectivité" in row.group(1)
    assert row.group(1).count("Fiche n°") >= 12
    card = card_of(html, "2")
    assert (
        '<a href="#actor-communaute-de-communes-du-civraisien-en-poitou">'
        "Communauté de Communes du Civraisien en Poitou</a>"
    ) in card


def test_a_plan_without_fiches_flags_no_objective_as_unserved(bundled) -> None:
    outputs = bundled["tarn-agout"]
    assert "Aucune fiche ne répond" not in outputs["plan.html"]
    assert "Ce plan ne comporte pas encore de fiches actions." in outputs["plan.md"]
    for name in ("coverage.html", "coverage.md"):
        assert "Ce plan ne comporte pas encore de fiches actions." in outputs[name]
        assert "non couvert" not in outputs[name]


def test_an_english_plan_labels_the_form_s_fields_in_english(mini: Path) -> None:
    edit(mini / "plan.yaml", "langue: fr", "langue: en")
    edit(
        mini / "plan.yaml",
        "génération: 1",
        "génération: 1\nétat: {valeur: signée, date: 2019-12-17}",
    )
    html = rendered(mini)["plan.html"]
    card = card_of(html, "1")
    assert '<th scope="row">Partners</th>' in card and "Multi-year" in card
    assert '<th scope="row">Start</th><td>2021</td>' in card
    assert "<dd>Signed on 17 December 2019</dd>" in html


def test_a_label_catalog_with_an_unknown_placeholder_is_a_usage_error(tmp_path: Path) -> None:
    templates = tmp_path / "t"
    (templates / "labels").mkdir(parents=True)
    (templates / "labels" / "fr.toml").write_text('fiche_number = "Fiche {x}"\n', "utf-8")
    result = run_ctg(
        "render", str(MINI), "-o", str(tmp_path / "site"), "--templates", str(templates)
    )
    assert result.returncode == 2, result.stderr
    assert (
        "'fiche_number' uses the unknown placeholder {x} (this label offers: {n})" in result.stderr
    )
    assert "internal error" not in result.stderr
    assert not (tmp_path / "site").exists()
