"""Hostile plan text comes out inert, and no path in a plan reaches outside it.

Payloads (script tags, event handlers, javascript:/vbscript:/data: links in every Markdown
spelling, raw HTML, Jinja syntax) are put in every text field of the mini plan at once, each
field tagged with a marker (``QXAH``) so that a failure names the field it came from. The
HTML is checked on the tree html5lib builds (as a browser would), not by string search.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import html5lib
import pytest
from markdown_it import MarkdownIt
from ruamel.yaml import YAML

import ctgkit
from ctgkit.loader import load_plan
from ctgkit.rendering import render_documents

from .conftest import MINI, run_ctg
from .strategies import dump_yaml

# ----------------------------------------------------------------------------- payloads

#: ``{m}`` is replaced by the field's marker.
PAYLOADS: dict[str, str] = {
    "script": '<script>alert("{m}")</script>',
    "script-upper": "<SCRIPT SRC=//evil.example/x.js></SCRIPT> {m}",
    "img-onerror": "<img src=x onerror=alert('{m}')>",
    "svg-onload": "<svg/onload=alert('{m}')>",
    "iframe": '<iframe src="javascript:alert(1)"></iframe> {m}',
    "html-link": '<a href="javascript:alert(1)">clic {m}</a>',
    "html-block": "<div onclick=alert(1)>\n\n{m}\n\n</div>",
    "style": "<style>body{display:none}</style> {m}",
    "close-tags": '</td></tr></table></article></main><script>alert("{m}")</script>',
    "attribute-break": '" onmouseover="alert(1)" x="{m}',
    "comment": "<!-- {m} --><script>alert(1)</script>",
    "md-javascript": "[clic {m}](javascript:alert(1))",
    "md-javascript-case": "[clic {m}](JaVaScRiPt:alert(1))",
    "md-javascript-angle": "[clic {m}](<javascript:alert(1)>)",
    "md-javascript-entity": "[clic {m}](jav&#x61;script:alert(1))",
    "md-javascript-entity-2": "[clic {m}](&#106;avascript&#58;alert(1))",
    "md-javascript-escaped": "[clic {m}](javascript\\:alert(1))",
    "md-vbscript": "[clic {m}](vbscript:msgbox(1))",
    "md-data-html": "[clic {m}](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-data-image": "[clic {m}](data:image/png;base64,iVBORw0KGgo=)",
    "md-image-javascript": "![image {m}](javascript:alert(1))",
    "autolink": "<javascript:alert(1)> {m}",
    "autolink-entity": "<jav&#x61;script:alert(1)> {m}",
    "reference-link": "[clic {m}][r]\n\n[r]: javascript:alert(1)",
    "reference-link-entity": "[clic {m}][r]\n\n[r]: jav&#x61;script:alert(1)",
    "jinja-expression": "{{ 7*7 }} {m}",
    "jinja-statement": "{% set x = 7*7 %}{% for y in [x] %}{{ y }}{% endfor %} {m}",
    "jinja-config": "{{ config }} {{ self.__init__.__globals__ }} {{ lipsum }} {m}",
}


def payload(name: str, marker: str) -> str:
    return PAYLOADS[name].replace("{m}", marker)


JINJA_LITERALS = {
    "jinja-expression": "{{ 7*7 }}",
    "jinja-statement": "{% set x = 7*7 %}{% for y in [x] %}{{ y }}{% endfor %}",
    "jinja-config": "{{ config }}",
}

# ----------------------------------------------------------------------------- fields

_yaml = YAML(typ="safe", pure=True)


def _load(path: Path) -> Any:
    return _yaml.load(path.read_text(encoding="utf-8"))


Setter = Callable[[dict[str, Any], str], None]


def _at(document: str, *path: Any) -> Setter:
    """Set ``value`` at ``path`` in ``document`` (plan.yaml or a fiche file name)."""

    def set_value(files: dict[str, Any], value: str) -> None:
        container = files[document]
        for step in path[:-1]:
            container = container[step]
        container[path[-1]] = value

    set_value.__name__ = f"{document}:{'.'.join(map(str, path))}"
    return set_value


def _quoted_title(files: dict[str, Any], value: str) -> None:
    # 2.1.a's titre is quoted by fiche 3: both change together, or the plan has an error.
    files["plan.yaml"]["stratégie"][1]["enfants"][0]["enfants"][0]["titre"] = value
    files["03-bus-services.yaml"]["objectifs"][0]["texte"] = value


def _programme_short_name(files: dict[str, Any], value: str) -> None:
    files["plan.yaml"]["programmes"][0]["sigle"] = value
    files["02-lieu-parents.yaml"]["documents"][0]["programme"] = value


def _narrative(files: dict[str, Any], value: str) -> None:
    files["narrative/territoire.md"] += "\n\n" + value + "\n"


def _fiche_number(files: dict[str, Any], value: str) -> None:
    files["03-bus-services.yaml"]["numéro"] = "3 " + value


def _actor_name(files: dict[str, Any], value: str) -> None:
    # Fiche 3's pilote names the actor: the registry and the fiche change together.
    files["plan.yaml"]["acteurs"][2]["nom"] = value
    files["03-bus-services.yaml"]["pilotes"][0] = value


def _choice(files: dict[str, Any], value: str) -> None:
    # A choice of the plan's own `priorité` field, ticked by fiche 1.
    files["plan.yaml"]["formulaire"]["champs"][OWN["priorité"]]["choix"][0] = value
    files["01-places-accueil.yaml"]["priorité"] = value


def _group(files: dict[str, Any], value: str) -> None:
    # The group of the plan's own `thématiques` grid, as the form and fiche 1 write it.
    field = files["plan.yaml"]["formulaire"]["champs"][OWN["thématiques"]]
    ((name, items),) = field["groupes"].items()
    field["groupes"] = {value: items}
    fiche = files["01-places-accueil.yaml"]
    fiche["thématiques"] = {value: fiche["thématiques"][name]}


def _group_item(files: dict[str, Any], value: str) -> None:
    field = files["plan.yaml"]["formulaire"]["champs"][OWN["thématiques"]]
    ((name, items),) = field["groupes"].items()
    items[0] = value
    files["01-places-accueil.yaml"]["thématiques"] = {name: [value]}


_quoted_title.__name__ = "plan.yaml:stratégie 2.1.a titre (quoted by fiche 3)"
_programme_short_name.__name__ = "plan.yaml:programmes.0.sigle"
_narrative.__name__ = "narrative/territoire.md"
_fiche_number.__name__ = "03-bus-services.yaml:numéro"
_actor_name.__name__ = "plan.yaml:acteurs.2.nom (pilote of fiche 3)"
_choice.__name__ = "plan.yaml:formulaire priorité choix.0 (ticked by fiche 1)"
_group.__name__ = "plan.yaml:formulaire thématiques groupe (ticked by fiche 1)"
_group_item.__name__ = "plan.yaml:formulaire thématiques item (ticked by fiche 1)"

P, F1, F2, F3 = (
    "plan.yaml",
    "01-places-accueil.yaml",
    "02-lieu-parents.yaml",
    "03-bus-services.yaml",
)
A1 = ("stratégie", 0)
A11 = (*A1, "enfants", 0)
L11A = (*A11, "enfants", 0)

#: What the mini plan gets on top of its files so that every kind of text format 2 can
#: hold is injected: an actors registry, the plan's own form fields (labels, help, choices,
#: groups, grid lines) and the general form's fields added to the Vienne form.
EXTRA_FIELDS: list[dict[str, Any]] = [
    {"nom": "public"},
    {"nom": "communes"},
    {"nom": "périmètre"},
    {"nom": "budget"},
    {"nom": "moyens"},
    {"nom": "public_cible", "type": "texte", "libellé": "Public cible", "aide": "Qui ?"},
    {"nom": "calendrier_détaillé", "type": "markdown", "libellé": "Calendrier détaillé"},
    {"nom": "lieux", "type": "liste", "libellé": "Lieux"},
    {"nom": "priorité", "type": "choix", "libellé": "Priorité", "choix": ["haute", "basse"]},
    {
        "nom": "thématiques",
        "type": "choix multiples",
        "libellé": "Thématiques",
        "groupes": {"Familles": ["Parentalité", "Petite enfance"]},
    },
    {
        "nom": "grille_partenariale",
        "type": "grille oui/non",
        "libellé": "Grille partenariale",
        "lignes": [{"nom": "caf", "libellé": "La CAF"}, {"nom": "communes"}],
    },
]
#: Position of each own field in `formulaire.champs`.
OWN = {field["nom"]: index for index, field in enumerate(EXTRA_FIELDS)}
ACTORS: list[dict[str, Any]] = [
    {"nom": "Communauté de Communes du Val d'Essai", "sigle": "CCVE", "type": "collectivité",
     "autres_noms": ["Communauté de Communes"]},
    {"nom": "Caisse d'Allocations Familiales de la Vienne", "sigle": "CAF", "type": "CAF"},
    {"nom": "CCAS", "type": "établissement"},
    {"nom": "Protection maternelle et infantile", "sigle": "PMI", "type": "département"},
    {"nom": "Centre social", "type": "association"},
]  # fmt: skip
F1_EXTRA: dict[str, Any] = {
    "public": "Les familles",
    "communes": ["Civray"],
    "périmètre": "Tout le territoire",
    "budget": [{"financeur": "CAF", "montant": 1200, "nature": "prestation de service"}],
    "moyens": "Une animatrice",
    "notes": "Une note",
    "lacunes": [{"champ": "impacts", "note": "La grille n'est pas cochée"}],
    "public_cible": "Les parents",
    "calendrier_détaillé": "Printemps",
    "lieux": ["Civray"],
    "priorité": "haute",
    "thématiques": {"Familles": ["Parentalité"]},
    "grille_partenariale": {"caf": True, "communes": False},
}

C = ("formulaire", "champs")
FIELDS: list[Setter] = [
    _at(P, "titre"),
    _at(P, "sous_titre"),
    _at(P, "territoire", "nom"),
    _at(P, "territoire", "sigle"),
    _at(P, "territoire", "département"),
    _at(P, "territoire", "population"),
    _at(P, "signataires", 0, "nom"),
    _at(P, "signataires", 0, "sigle"),
    _at(P, "signataires", 0, "rôle"),
    _at(P, "gouvernance", 0, "nom"),
    _at(P, "gouvernance", 0, "membres"),
    _at(P, "gouvernance", 0, "rôle"),
    _at(P, "gouvernance", 0, "fréquence"),
    _at(P, "programmes", 0, "nom"),
    _programme_short_name,
    _at(P, "programmes", 0, "description"),
    _at(P, "programmes", 0, "axes", 0),
    _at(P, "chiffres_clés", 0, "valeur"),
    _at(P, "chiffres_clés", 0, "libellé"),
    _at(P, "sections", 0, "titre"),
    _at(P, "sections", 1, "titre"),
    _at(P, "sections", 1, "texte"),
    _narrative,
    _at(P, "swot", 0, "thème"),
    _at(P, "swot", 0, "forces", 0),
    _at(P, "swot", 0, "faiblesses", 0),
    _at(P, "swot", 0, "menaces", 0),
    _at(P, "chronologie", 0, "quand"),
    _at(P, "chronologie", 0, "phase"),
    _at(P, "chronologie", 0, "texte"),
    _at(P, "niveaux", 0, "nom"),
    _at(P, "niveaux", 0, "pluriel"),
    _at(P, "niveaux", 2, "nom"),
    _at(P, *A1, "titre"),
    _at(P, *A1, "thème"),
    _at(P, *A1, "description"),
    _at(P, *A11, "titre"),
    _at(P, *A11, "description"),
    _at(P, *L11A, "titre"),
    _at(P, *L11A, "thème"),
    _at(P, *L11A, "description"),
    _at(P, *L11A, "pistes"),
    _quoted_title,
    _at(P, "lacunes"),
    _actor_name,
    _at(P, "acteurs", 0, "sigle"),
    _at(P, "acteurs", 0, "autres_noms", 0),
    _at(P, *C, OWN["public_cible"], "libellé"),
    _at(P, *C, OWN["public_cible"], "aide"),
    _at(P, *C, OWN["calendrier_détaillé"], "libellé"),
    _at(P, *C, OWN["lieux"], "libellé"),
    _at(P, *C, OWN["priorité"], "libellé"),
    _choice,
    _at(P, *C, OWN["thématiques"], "libellé"),
    _group,
    _group_item,
    _at(P, *C, OWN["grille_partenariale"], "libellé"),
    _at(P, *C, OWN["grille_partenariale"], "lignes", 0, "libellé"),
    _at(P, *C, OWN["public"], "libellé"),
    _at(F1, "titre"),
    _at(F1, "description"),
    _at(F1, "pilotes", 0),
    _at(F1, "partenaires", 0),
    _at(F1, "étapes", 0, "texte"),
    _at(F1, "étapes", 0, "numéro"),
    _at(F1, "étapes", 0, "étapes", 0),
    _at(F1, "indicateurs", 0),
    _at(F1, "indicateurs", 1, "libellé"),
    _at(F1, "indicateurs", 1, "unité"),
    _at(F1, "indicateurs", 1, "valeur_référence"),
    _at(F1, "indicateurs", 1, "cible"),
    _at(F1, "indicateurs", 1, "mesures", 0, "valeur"),
    _at(F1, "indicateurs", 1, "mesures", 0, "commentaire"),
    _at(F1, "évaluation", 0),
    _at(F1, "public"),
    _at(F1, "communes", 0),
    _at(F1, "périmètre"),
    _at(F1, "budget", 0, "financeur"),
    _at(F1, "budget", 0, "nature"),
    _at(F1, "moyens"),
    _at(F1, "notes"),
    _at(F1, "lacunes", 0, "note"),
    _at(F1, "public_cible"),
    _at(F1, "calendrier_détaillé"),
    _at(F1, "lieux", 0),
    _at(F2, "titre"),
    _at(F2, "pilotes", 0),
    _at(F2, "partenaires", 0),
    _at(F2, "documents", 0, "référence"),
    _at(F2, "documents", 0, "titre"),
    _fiche_number,
]


#: Fields the default templates do not show (a leak there cannot happen).
NOT_SHOWN = {
    "plan.yaml:territoire.population",
    "plan.yaml:signataires.0.rôle",
    "plan.yaml:niveaux.0.pluriel",
    # Names an actor also goes by: for matching pilotes and partenaires (and `ctg actors`).
    "plan.yaml:acteurs.0.sigle",
    "plan.yaml:acteurs.0.autres_noms.0",
    # Help text is for editors (the JSON Schema), not printed.
    f"plan.yaml:formulaire.champs.{OWN['public_cible']}.aide",
}


def _mini_files() -> dict[str, Any]:
    files: dict[str, Any] = {P: _load(MINI / P)}
    for path in sorted((MINI / "fiches").glob("*.yaml")):
        files[path.name] = _load(path)
    files["narrative/territoire.md"] = (MINI / "narrative" / "territoire.md").read_text("utf-8")
    plan = files[P]
    assert plan["formulaire"] == "vienne-2019"
    plan["formulaire"] = {"base": "vienne-2019", "champs": copy.deepcopy(EXTRA_FIELDS)}
    plan["acteurs"] = copy.deepcopy(ACTORS)
    plan["état"] = {"valeur": "signée", "date": "2019-12-17"}
    files[F1].update(copy.deepcopy(F1_EXTRA))
    return files


_MINI = _mini_files()


def marker_for(index: int) -> str:
    """QXAA, QXAB…: letters only, so that no marker reads as a number such as 49."""
    return "QX" + chr(65 + index // 26) + chr(65 + index % 26)


def write_injected(root: Path, value_for: Callable[[str], str]) -> dict[str, str]:
    """The mini plan with every field of FIELDS set to ``value_for(marker)``; returns
    marker -> field name."""
    files = copy.deepcopy(_MINI)
    markers = {}
    for index, setter in enumerate(FIELDS):
        marker = marker_for(index)
        markers[marker] = setter.__name__
        value = value_for(marker)
        if setter.__name__.endswith(("pistes", ":lacunes")):
            # Lists of Markdown, and the lacunes list of mappings.
            value = [{"code": "x", "note": value}] if "lacunes" in setter.__name__ else [value]
        setter(files, value)  # type: ignore[arg-type]
    (root / "fiches").mkdir(parents=True)
    (root / "narrative").mkdir()
    (root / P).write_text(dump_yaml(files[P]), encoding="utf-8")
    for name, data in files.items():
        if name.endswith(".yaml") and name != P:
            (root / "fiches" / name).write_text(dump_yaml(data), encoding="utf-8")
    (root / "narrative" / "territoire.md").write_text(files["narrative/territoire.md"], "utf-8")
    return markers


def render_injected(
    root: Path, value_for: Callable[[str], str]
) -> tuple[dict[str, str], dict[str, str]]:
    markers = write_injected(root, value_for)
    diagnostics = ctgkit.validate(root)
    assert not [d for d in diagnostics if d.is_error], "\n".join(map(str, diagnostics))
    return render_documents(load_plan(root)), markers


# ----------------------------------------------------------------------------- DOM checks

#: Every element the templates and markdown-it produce for benign text.
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "nav",
    "main",
    "section",
    "article",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "a",
    "span",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "hr",
    "br",
    "div",
    "img",
    "del",
    "s",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "srcset",
    "poster",
    "background",
    "data",
    "ping",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
_MARKER = re.compile(r"\bQX[A-Z]{2}\b", re.I)


def _normalise_url(value: str) -> str:
    # What browsers ignore when they read a scheme: surrounding C0 controls and spaces,
    # and tabs and newlines anywhere.
    value = value.strip("".join(map(chr, range(0x21))))
    return re.sub(r"[\t\n\r]", "", value).lower()


def _where(element: Any, parents: dict[Any, Any], markers: dict[str, str]) -> str:
    node: Any = element
    while node is not None:
        found = _MARKER.findall(
            " ".join(node.itertext()) + " ".join(map(str, node.attrib.values()))
        )
        if found:
            return ", ".join(sorted({markers.get(m.upper(), m) for m in found}))
        node = parents.get(node)
    return "?"


def dom_problems(
    html: str, markers: dict[str, str], baseline: dict[str, int] | None = None
) -> list[str]:
    """What in ``html`` (parsed as a browser would) could run script or leave the page."""
    root = html5lib.parse(html, namespaceHTMLElements=False)
    parents = {child: parent for parent in root.iter() for child in parent}
    problems = []
    counts: dict[str, int] = {}
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else "#comment"
        counts[tag] = counts.get(tag, 0) + 1
        if tag not in ALLOWED_TAGS and tag != "#comment":
            problems.append(f"<{tag}> element (from {_where(element, parents, markers)})")
        for name, value in element.attrib.items():
            lowered = str(name).lower()
            if lowered.startswith("on"):
                problems.append(
                    f"{lowered}= attribute on <{tag}> (from {_where(element, parents, markers)})"
                )
            if lowered in URL_ATTRIBUTES and _normalise_url(value).startswith(DANGEROUS_SCHEMES):
                where = _where(element, parents, markers)
                problems.append(f'{lowered}="{value[:40]}" on <{tag}> (from {where})')
    if baseline is not None:
        for tag in ("style", "meta", "title", "script", "#comment"):
            if counts.get(tag, 0) != baseline.get(tag, 0):
                problems.append(
                    f"{counts.get(tag, 0)} <{tag}> elements, expected {baseline.get(tag, 0)}"
                )
    return problems


def _tag_counts(html: str) -> dict[str, int]:
    root = html5lib.parse(html, namespaceHTMLElements=False)
    counts: dict[str, int] = {}
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else "#comment"
        counts[tag] = counts.get(tag, 0) + 1
    return counts


#: Raw HTML the Markdown templates write themselves.
_TEMPLATE_HTML = re.compile(r'<a id="[a-z0-9-]+"></a>|<br>')
_RAW_TAG = re.compile(r"<[A-Za-z!?/][^\n>]{0,60}>?")


def markdown_problems(text: str, markers: dict[str, str]) -> list[str]:
    """Raw HTML in Markdown output (a forge would render it)."""
    problems = []
    stripped = _TEMPLATE_HTML.sub("", text)
    for match in _RAW_TAG.finditer(stripped):
        before = stripped[max(0, match.start() - 400) : match.start()]
        found = _MARKER.findall(before)
        where = markers.get(found[-1].upper(), "?") if found else "?"
        problems.append(f"raw HTML {match.group(0)!r} (from {where})")
    return problems


def _forge(text: str) -> str:
    """Markdown rendered like a permissive forge: raw HTML kept, every link kept."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser.render(text)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The same plan with a harmless value in every field."""
    root = tmp_path_factory.mktemp("baseline") / "plan"
    documents, _ = render_injected(root, lambda marker: f"Texte {marker} sans danger")
    return {
        "documents": documents,
        "counts": {name: _tag_counts(documents[name]) for name in ("plan.html", "coverage.html")},
    }


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every payload, rendered once (module scope: each test reads it)."""
    out = {}
    for name in PAYLOADS:
        root = tmp_path_factory.mktemp(name) / "plan"
        documents, markers = render_injected(
            root, lambda m, name=name: f"Texte {m} " + payload(name, m)
        )
        out[name] = (documents, markers)
    return out


def _report(problems: list[str]) -> str:
    unique = sorted(set(problems))
    return f"{len(unique)} problem(s):\n" + "\n".join(unique[:60])


# ----------------------------------------------------------------------------- tests


def test_checkers_accept_the_harmless_baseline(baseline: dict[str, Any]) -> None:
    """The checks below flag nothing in the plan rendered with harmless text, so that what
    they flag comes from the payloads."""
    documents = baseline["documents"]
    for document in ("plan.html", "coverage.html"):
        assert dom_problems(documents[document], {}, baseline["counts"][document]) == []
    for document in ("plan.md", "coverage.md"):
        assert markdown_problems(documents[document], {}) == []
        assert dom_problems(_forge(documents[document]), {}) == []


def test_checkers_catch_what_they_look_for() -> None:
    html = (
        "<!DOCTYPE html><html><head><title>t</title></head><body><p>QXAB x</p>"
        '<script>1</script><img src=x onerror=alert(1)><a href=" jav&#x61;script:1">QXAC</a>'
        "</body></html>"
    )
    problems = dom_problems(html, {"QXAB": "one", "QXAC": "two"})
    assert any("<script>" in p and "one" in p for p in problems), problems
    assert any("onerror=" in p for p in problems), problems
    assert any('href="' in p and "two" in p for p in problems), problems
    assert markdown_problems("QXAD <img src=x>", {"QXAD": "three"}) == [
        "raw HTML '<img src=x>' (from three)"
    ]


def test_every_field_is_injected_and_rendered(baseline: dict[str, Any]) -> None:
    """The harness itself: every marked field reaches some output (else a leak there would
    go unnoticed)."""
    text = "\n".join(baseline["documents"].values()).upper()  # `capitalize` lowers markers
    missing = [f.__name__ for i, f in enumerate(FIELDS) if marker_for(i) not in text]
    assert sorted(missing) == sorted(NOT_SHOWN), missing


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_html_output_is_inert(
    name: str, rendered: dict[str, Any], baseline: dict[str, Any]
) -> None:
    documents, markers = rendered[name]
    problems = []
    for document in ("plan.html", "coverage.html"):
        problems += [
            f"{document}: {p}"
            for p in dom_problems(documents[document], markers, baseline["counts"][document])
        ]
    assert not problems, _report(problems)


def _by_field(problems: list[tuple[str, str]]) -> str:
    """``(payload, problem)`` pairs as one line per field: what leaked, for which payloads."""
    fields: dict[str, dict[str, set[str]]] = {}
    for name, problem in problems:
        match = re.search(r"^(.*) \(from (.*)\)$", problem)
        what, field = (match.group(1), match.group(2)) if match else (problem, "?")
        what = re.sub(r"'.*'|\".*\"", "", what).strip()  # the kind, not the exact text
        fields.setdefault(field, {}).setdefault(what, set()).add(name)
    lines = [
        f"{field}: "
        + "; ".join(f"{what} [{', '.join(sorted(names))}]" for what, names in kinds.items())
        for field, kinds in sorted(fields.items())
    ]
    return f"{len(fields)} field(s) leak:\n" + "\n".join(lines)


def test_markdown_output_holds_no_raw_html(rendered: dict[str, Any]) -> None:
    """No payload comes out of plan.md or coverage.md as raw HTML (`<script>` included): a
    forge renders the Markdown, raw HTML and all."""
    problems = [
        (name, f"{document}: {problem}")
        for name, (documents, markers) in rendered.items()
        for document in ("plan.md", "coverage.md")
        for problem in markdown_problems(documents[document], markers)
    ]
    scripts = [
        f"{name}: {document}"
        for name, (documents, _) in rendered.items()
        for document in ("plan.md", "coverage.md")
        if re.search(r"<script", documents[document], re.I)
    ]
    assert not problems and not scripts, f"<script> in {scripts}\n" + _by_field(problems)


def test_markdown_output_stays_inert_when_a_forge_renders_it(rendered: dict[str, Any]) -> None:
    """markup.py promises that the Markdown output 'cannot smuggle HTML or dangerous links
    into a forge's renderer': render it with raw HTML on and no link filtering, and check
    the tree as for the HTML output."""
    problems = [
        (name, f"{document}: {problem}")
        for name, (documents, markers) in rendered.items()
        for document in ("plan.md", "coverage.md")
        for problem in dom_problems(_forge(documents[document]), markers)
    ]
    assert not problems, _by_field(problems)


@pytest.mark.parametrize("name", list(JINJA_LITERALS))
def test_plan_data_is_never_evaluated_as_a_template(
    name: str, rendered: dict[str, Any], baseline: dict[str, Any]
) -> None:
    documents, _ = rendered[name]
    literal = JINJA_LITERALS[name]
    for document in ("plan.md", "coverage.md"):
        assert "49" not in baseline["documents"][document]
        assert "49" not in documents[document].replace(literal, ""), document
    assert literal in documents["plan.md"]
    # In HTML: the literal is in the text the reader sees (the stylesheet aside).
    for document in ("plan.html", "coverage.html"):
        visible = _body_text(documents[document])
        assert "49" not in _body_text(baseline["documents"][document])
        assert "49" not in visible.replace(literal, ""), document
    plan_text = _body_text(documents["plan.html"])
    assert literal in plan_text
    assert "Undefined" not in plan_text and "<Config" not in plan_text


def _body_text(html: str) -> str:
    root = html5lib.parse(html, namespaceHTMLElements=False)
    return "".join(root.find("body").itertext())


DANGEROUS_URLS = [
    "javascript:alert(1)",
    " javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "\x01javascript:alert(1)",
]


@pytest.mark.parametrize("where", ["programmes[].url", "documents[].url"])
def test_urls_in_plan_data_never_become_dangerous_links(where: str, tmp_path: Path) -> None:
    """A URL field holding a javascript:/vbscript:/data: URL is refused (an error) or
    rendered without a link; never an active link in plan.html or in plan.md."""
    leaks = []
    for index, url in enumerate(DANGEROUS_URLS):
        root = shutil.copytree(MINI, tmp_path / f"plan{index}")
        if where.startswith("programmes"):
            plan = _load(root / P)
            plan["programmes"][0]["url"] = url
            (root / P).write_text(dump_yaml(plan), encoding="utf-8")
        else:
            fiche = _load(root / "fiches" / F2)
            fiche["documents"][0]["url"] = url
            (root / "fiches" / F2).write_text(dump_yaml(fiche), encoding="utf-8")
        if any(d.is_error for d in ctgkit.validate(root)):
            continue  # refusing the URL is fine too
        documents = render_documents(load_plan(root))
        for document, html in (
            ("plan.html", documents["plan.html"]),
            ("plan.md", _forge(documents["plan.md"])),
        ):
            leaks += [f"{url!r} -> {document}: {p}" for p in dom_problems(html, {})]
    assert not leaks, "\n".join(leaks)


# ----------------------------------------------------------------------------- paths

SECRET = "SECRET-7f3a9c-do-not-leak"


def _outputs(root: Path, tmp_path: Path) -> str:
    """Everything ctg prints or writes for ``root``: validate (text and json), coverage,
    render (into a fresh directory), and what the library renders."""
    texts = []
    for args in (
        ["validate", str(root)],
        ["validate", "--format", "json", str(root)],
        ["coverage", "--format", "json", str(root)],
        ["render", str(root), "-o", str(tmp_path / "site")],
    ):
        result = run_ctg(*args)
        assert "Traceback" not in result.stdout + result.stderr
        assert result.returncode == 1, (args, result.returncode, result.stdout, result.stderr)
        texts += [result.stdout, result.stderr]
    site = tmp_path / "site"
    assert not site.exists() or not any(site.rglob("*")), (
        "render wrote files for a plan with errors"
    )
    plan = load_plan(root)
    if plan.meta is not None:
        texts += list(render_documents(plan).values())
        texts += list(plan.texts.values())
    return "\n".join(texts)


@pytest.fixture
def secret_dir(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(f"{SECRET}\n", encoding="utf-8")
    (outside / "secret.yaml").write_text(f"numéro: 42\ntitre: {SECRET}\n", encoding="utf-8")
    return outside


def _set_section_file(root: Path, reference: str) -> None:
    text = (root / P).read_text(encoding="utf-8")
    assert "fichier: narrative/territoire.md" in text
    (root / P).write_text(
        text.replace("fichier: narrative/territoire.md", f"fichier: {reference}"),
        encoding="utf-8",
    )


#: The line of the first section's `fichier:` in the mini plan, and the column of its value.
SECTION_FILE_LINE, SECTION_FILE_COLUMN = next(
    (number, line.index("narrative/") + 1)
    for number, line in enumerate((MINI / P).read_text("utf-8").splitlines(), start=1)
    if "fichier: narrative/territoire.md" in line
)


@pytest.mark.parametrize(
    "reference",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "narrative/../../outside/secret.md",
        "../outside/secret.md",
        "'{outside}/secret.md'",
        "'..\\outside\\secret.md'",
        "'C:\\Windows\\win.ini'",
        "'\\\\server\\share\\secret.md'",
        "/proc/self/environ",
        "narrative/../../../../../../../../etc/passwd",
    ],
)
def test_section_paths_cannot_leave_the_plan(
    reference: str, mini: Path, secret_dir: Path, tmp_path: Path
) -> None:
    _set_section_file(mini, reference.replace("{outside}", str(secret_dir)))
    diagnostics = ctgkit.validate(mini)
    located = [(Path(d.file).name, d.line, d.column, d.code) for d in diagnostics]
    assert located == [("plan.yaml", SECTION_FILE_LINE, SECTION_FILE_COLUMN, "CTG013")], located
    output = _outputs(mini, tmp_path)
    assert SECRET not in output
    assert "root:x:0:0" not in output


@pytest.mark.parametrize(
    "reference",
    [".", "./", "narrative", "'" + "x" * 300 + "'", "'narrative/" + "y" * 300 + ".md'"],
    ids=["dot", "dot-slash", "directory", "name-too-long", "nested-name-too-long"],
)
def test_unusual_section_paths_give_a_located_error(reference: str, mini: Path) -> None:
    """The plan directory itself, a directory, a name longer than the system allows: a
    located error, never a crash."""
    _set_section_file(mini, reference)
    diagnostics = ctgkit.validate(mini)  # must not raise
    assert [d.code for d in diagnostics if d.is_error], diagnostics
    assert all(d.code in {"CTG004", "CTG013", "CTG014"} for d in diagnostics), diagnostics
    result = run_ctg("validate", str(mini))
    assert result.returncode == 1, (result.returncode, result.stderr[-500:])
    assert "internal error" not in result.stderr


def test_narrative_symlink_to_the_outside(mini: Path, secret_dir: Path, tmp_path: Path) -> None:
    target = mini / "narrative" / "territoire.md"
    target.unlink()
    target.symlink_to(secret_dir / "secret.md")
    located = [(Path(d.file).name, d.line, d.code) for d in ctgkit.validate(mini)]
    assert located == [("plan.yaml", SECTION_FILE_LINE, "CTG013")]
    assert SECRET not in _outputs(mini, tmp_path)


def test_narrative_directory_symlinked_outside(
    mini: Path, secret_dir: Path, tmp_path: Path
) -> None:
    shutil.copy(mini / "narrative" / "territoire.md", secret_dir / "territoire.md")
    (secret_dir / "territoire.md").write_text(SECRET, encoding="utf-8")
    shutil.rmtree(mini / "narrative")
    (mini / "narrative").symlink_to(secret_dir)
    located = [(Path(d.file).name, d.line, d.code) for d in ctgkit.validate(mini)]
    assert located == [("plan.yaml", SECTION_FILE_LINE, "CTG013")]
    assert SECRET not in _outputs(mini, tmp_path)


def test_fiche_symlink_to_etc_passwd(mini: Path, tmp_path: Path) -> None:
    assert Path("/etc/passwd").is_file()  # the systems ctgkit supports (Linux, CI) have it
    (mini / "fiches" / "04-passwd.yaml").symlink_to("/etc/passwd")
    located = [(Path(d.file).name, d.line, d.column, d.code) for d in ctgkit.validate(mini)]
    assert located == [("04-passwd.yaml", 1, 1, "CTG004")]
    output = _outputs(mini, tmp_path)
    first = Path("/etc/passwd").read_text(errors="replace").splitlines()[0]
    assert first not in output


def test_fiches_directory_symlinked_outside(mini: Path, secret_dir: Path, tmp_path: Path) -> None:
    shutil.rmtree(mini / "fiches")
    (mini / "fiches").symlink_to(secret_dir)
    (secret_dir / "secret.md").unlink()
    located = [(Path(d.file).name, d.line, d.column, d.code) for d in ctgkit.validate(mini)]
    assert located == [("secret.yaml", 1, 1, "CTG004")]
    assert SECRET not in _outputs(mini, tmp_path)


def test_relative_symlink_climbing_out(mini: Path, secret_dir: Path, tmp_path: Path) -> None:
    (mini / "fiches" / "04-up.yaml").symlink_to(Path("..") / ".." / "outside" / "secret.yaml")
    assert (mini / "fiches" / "04-up.yaml").read_text().startswith("numéro: 42")
    located = [(Path(d.file).name, d.line, d.column, d.code) for d in ctgkit.validate(mini)]
    assert located == [("04-up.yaml", 1, 1, "CTG004")]
    assert SECRET not in _outputs(mini, tmp_path)


def test_plan_yaml_symlinked_outside(mini: Path, secret_dir: Path, tmp_path: Path) -> None:
    outside_plan = secret_dir / "plan.yaml"
    shutil.copy(mini / P, outside_plan)
    outside_plan.write_text(
        outside_plan.read_text("utf-8").replace(
            "titre: Convention Territoriale Globale de test", f"titre: {SECRET}"
        ),
        "utf-8",
    )
    (mini / P).unlink()
    (mini / P).symlink_to(outside_plan)
    located = [(Path(d.file).name, d.line, d.column, d.code) for d in ctgkit.validate(mini)]
    assert located == [("plan.yaml", 1, 1, "CTG004")]
    result = run_ctg("validate", str(mini))
    assert result.returncode == 1 and SECRET not in result.stdout + result.stderr


def test_yaml_tags_are_never_constructed(mini: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    fiche = mini / "fiches" / F2
    fiche.write_text(
        f"numéro: 2\ntitre: !!python/object/apply:os.system ['touch {marker}']\n"
        f"objectifs: !!python/name:os.system\n",
        encoding="utf-8",
    )
    located = [(d.line, d.code) for d in ctgkit.validate(mini) if d.file.endswith(F2)]
    assert located and all(code == "CTG001" for _, code in located), located
    assert not marker.exists()
