"""`ctg render --format docx`: the Word document, read back with python-docx, converted to
PDF by headless LibreOffice, and the Word template's overrides and failures.

The LibreOffice test needs `soffice` (Debian package libreoffice-writer-nogui): skipped
with a reason when it is missing, except in CI (CI=true), where .ci/run installs it and a
missing soffice is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from ctgkit import load_plan
from ctgkit.coverage_model import coverage

from .conftest import BUNDLED, MINI, PLANS, ROOT, copy_plan, invoke, run_ctg

CIVRAISIEN = PLANS / "civraisien-2019"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def render_docx(plan: Path, out: Path, *extra: str) -> Path:
    result = invoke("render", str(plan), "-o", str(out), "--format", "docx", *extra)
    assert result.exit_code == 0, result.stderr
    return out / plan.name / "plan.docx"


@pytest.fixture(scope="module")
def civraisien(tmp_path_factory) -> Path:
    return render_docx(CIVRAISIEN, tmp_path_factory.mktemp("docx"))


@pytest.fixture(scope="module")
def document(civraisien: Path):
    return docx.Document(str(civraisien))


def titles(plan: Path) -> list[str]:
    return [" ".join(f.fiche.title.split()) for f in load_plan(plan).fiches]


def headings(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def table_starting_with(document, text: str):
    return [t for t in document.tables if t.rows and t.rows[0].cells[0].text == text]


# --------------------------------------------------------------------------- the document


def test_only_plan_docx_is_written_and_python_docx_opens_it(civraisien: Path, document) -> None:
    assert sorted(p.name for p in civraisien.parent.iterdir()) == ["plan.docx"]
    assert zipfile.is_zipfile(civraisien)
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == "Convention Territoriale Globale du Civraisien en Poitou"
    assert document.core_properties.title == document.paragraphs[0].text
    assert document.core_properties.language == "fr-FR"


def test_every_fiche_has_a_heading_2_and_a_card(document) -> None:
    expected = titles(CIVRAISIEN)
    assert len(expected) == 18
    fiche_headings = [h for h in headings(document, 2) if h.startswith("Fiche n°")]
    assert fiche_headings == [f"Fiche n°{n} — {t}" for n, t in enumerate(expected, start=1)]
    # Each card is a two-column table: field label | value; lists one item a line.
    cards = [
        t for t in document.tables if "Pilote(s) / porteur(s)" in [r.cells[0].text for r in t.rows]
    ]
    assert len(cards) == 18
    card = {row.cells[0].text: row.cells[1] for row in cards[1].rows}
    assert list(card)[:6] == [
        "Axes",
        "Objectifs stratégiques",
        "Objectifs",
        "Pilote(s) / porteur(s)",
        "Partenaires associés",
        "Début",
    ]
    assert all(len(row.cells) == 2 for row in cards[1].rows)
    partners = [p.text for p in card["Partenaires associés"].paragraphs]
    assert len(partners) > 1 and all(partners), partners
    assert "Participation habitante" in card


def test_parts_are_heading_1_and_axes_heading_2(document) -> None:
    assert headings(document, 1) == [
        "Contexte et diagnostic",
        "Gouvernance",
        "Stratégie",
        "Fiches actions",
        "Annexes",
    ]
    axes = [h for h in headings(document, 2) if h.startswith("Axe ")]
    assert [a.split(" — ")[0] for a in axes] == [
        "Axe A.1",
        "Axe A.2",
        "Axe A.3",
        "Axe A.4",
        "Axe A.5",
    ]
    assert axes[0] == "Axe A.1 — Penser l'action sociale de façon concertée sur le territoire"
    assert any(h.startswith("Objectif stratégique A.1.1 — ") for h in headings(document, 3))
    # Leaf objectives are bulleted list items, each followed by the fiches serving it.
    items = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert any(i.startswith("1.1.a Développer des lieux ressources") for i in items)
    texts = [p.text for p in document.paragraphs]
    at = next(i for i, t in enumerate(texts) if t.startswith("1.1.a "))
    assert texts[at + 1] == "Fiches qui y répondent : Fiche n°4, Fiche n°18"
    at = next(i for i, t in enumerate(texts) if t.startswith("1.1.e"))
    assert texts[at + 2] == "⚠ Aucune fiche ne répond à cet objectif"


def test_the_matrix_has_one_row_per_objective_and_an_x_per_link(document) -> None:
    cov = coverage(load_plan(CIVRAISIEN))
    (matrix,) = [
        t for t in table_starting_with(document, "Objectif") if t.rows[0].cells[-1].text == "Nombre"
    ]
    header = [c.text for c in matrix.rows[0].cells]
    assert header == ["Objectif", *[f.number for f in cov.fiches], "Nombre"]
    assert len(matrix.rows) == 1 + len(cov.objectives) == 87
    numbers = header[1:-1]
    for row, objective in zip(matrix.rows[1:], cov.objectives, strict=True):
        cells = [c.text for c in row.cells]
        assert cells[0].rstrip("*") == objective.code
        marked = [n for n, cell in zip(numbers, cells[1:-1], strict=True) if cell == "X"]
        assert marked == objective.fiches, objective.code
        assert all(cell in ("X", "") for cell in cells[1:-1])
        assert cells[-1] == str(len(objective.fiches))


def test_past_40_fiches_the_matrix_is_cut_into_tables_of_40(tmp_path: Path) -> None:
    plan = copy_plan(MINI, tmp_path / "mini")
    model = (plan / "fiches" / "01-places-accueil.yaml").read_text(encoding="utf-8")
    for number in range(4, 49):
        text = model.replace("numéro: 1\n", f"numéro: {number}\n", 1)
        (plan / "fiches" / f"{number:02d}-copie.yaml").write_text(text, encoding="utf-8")
    document = docx.Document(str(render_docx(plan, tmp_path / "out")))
    matrices = [
        t for t in table_starting_with(document, "Objectif") if t.rows[0].cells[-1].text == "Nombre"
    ]
    headers = [[c.text for c in t.rows[0].cells][1:-1] for t in matrices]
    assert [len(h) for h in headers] == [40, 8]
    assert sum(headers, []) == [str(n) for n in range(1, 49)]
    cov = coverage(load_plan(plan))
    for table in matrices:
        assert [r.cells[0].text.rstrip("*") for r in table.rows[1:]] == [
            o.code for o in cov.objectives
        ]


def test_the_uncovered_objectives_are_listed(document) -> None:
    cov = coverage(load_plan(CIVRAISIEN))
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    at = texts.index(("Heading 3", "Objectifs non couverts"))
    listed = [t for _, t in texts[at + 1 : at + 1 + len(cov.uncovered)]]
    assert [t.split(" ")[0].rstrip("*") for t in listed] == [o.code for o in cov.uncovered]
    assert len(cov.uncovered) == 18


def test_a_table_of_contents_field_that_word_updates_on_opening(civraisien: Path, document) -> None:
    body = document.element.body
    instructions = [i.text for i in body.iter(f"{W}instrText")]
    assert ' TOC \\o "1-2" \\h \\z \\u ' in instructions
    begin = next(f for f in body.iter(f"{W}fldChar") if f.get(f"{W}fldCharType") == "begin")
    assert begin.get(f"{W}dirty") == "true"
    settings = zipfile.ZipFile(civraisien).read("word/settings.xml").decode()
    assert '<w:updateFields w:val="true"/>' in settings
    # Its entries are filled in (LibreOffice shows them as they are), each linked to a
    # bookmark on its heading.
    entries = [p for p in document.paragraphs if p.style.name in ("toc 1", "toc 2")]
    shown = [(int(p.style.name[-1]), p.text) for p in entries]
    expected = [
        (int(p.style.name[-1]), p.text)
        for p in document.paragraphs
        if p.style.name in ("Heading 1", "Heading 2")
    ]
    assert shown == expected and len(shown) > 40
    marks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    anchors = [h.get(f"{W}anchor") for p in entries for h in p._p.iter(f"{W}hyperlink")]
    assert len(anchors) == len(entries) and set(anchors) <= marks


def test_narrative_markdown_becomes_word_paragraphs(tmp_path: Path) -> None:
    plan = copy_plan(MINI, tmp_path / "mini")
    (plan / "narrative" / "territoire.md").write_text(
        "# Le territoire\n\nDu **gras**, de l'*italique* et un [lien](https://www.caf.fr).\n\n"
        "## Les chiffres\n\n- premier\n- second\n  - dessous\n\n1. un\n2. deux\n\n"
        "```\n{{ code }}\n\tindenté\n```\n\n"
        "| Commune | Habitants |\n|---|---|\n| Civray | 2 500 |\n",
        encoding="utf-8",
    )
    document = docx.Document(str(render_docx(plan, tmp_path / "out")))
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    at = texts.index(("Heading 2", "Le territoire"))
    assert texts[at + 1 : at + 10] == [
        ("Heading 3", "Le territoire"),
        ("Normal", "Du gras, de l'italique et un lien (https://www.caf.fr)."),
        ("Heading 4", "Les chiffres"),
        ("List Bullet", "premier"),
        ("List Bullet", "second"),
        ("List Bullet 2", "dessous"),
        ("List Continue", "1. un"),
        ("List Continue", "2. deux"),
        ("Code", "{{ code }}\n\tindenté"),  # a line break and a tab of Word's
    ]
    paragraph = document.paragraphs[at + 2]
    assert [(r.text, r.bold, r.italic) for r in paragraph.runs][:4] == [
        ("Du ", None, None),
        ("gras", True, None),
        (", de l'", None, None),
        ("italique", None, True),
    ]
    (table,) = [t for t in document.tables if t.rows[0].cells[0].text == "Commune"]
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Commune", "Habitants"],
        ["Civray", "2 500"],
    ]
    assert not any("**" in t or "](" in t for _, t in texts)


def test_plan_text_stays_text(tmp_path: Path) -> None:
    """Jinja tags, docxtpl's own tags, XML and control characters in plan text are
    printed as written (control characters as escapes, as ctg prints them)."""
    plan = copy_plan(CIVRAISIEN, tmp_path / "hostile")
    fiche = next((plan / "fiches").glob("04-*.yaml"))
    hostile = (
        "{{ 7*7 }} {%p if x %} {%tr endfor %} </w:t></w:r><w:r><w:t>& < > \" ' "
        "`{_{ a }_}` \x07bell\x1b[31m"
    )
    text = fiche.read_text(encoding="utf-8")
    # (JSON's escapes are YAML's: the control characters reach the plan as written)
    text = re.sub(r"(?m)^titre: .*$", lambda _: f"titre: {json.dumps(hostile)}", text, count=1)
    fiche.write_text(text, encoding="utf-8")
    meta = plan / "plan.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace(
            "titre: Convention Territoriale Globale du Civraisien en Poitou",
            'titre: "CTG {{ title }} {%p endif %} & <b>\\x01"',
            1,
        ),
        encoding="utf-8",
    )
    output = render_docx(plan, tmp_path / "out")
    document = docx.Document(str(output))
    shown = (
        "{{ 7*7 }} {%p if x %} {%tr endfor %} </w:t></w:r><w:r><w:t>& < > \" ' "
        "{_{ a }_} \\x07bell\\x1b[31m"
    )
    assert f"Fiche n°4 — {shown}" in headings(document, 2)
    assert document.paragraphs[0].text == "CTG {{ title }} {%p endif %} & <b>\\x01"
    assert document.core_properties.title == "CTG {{ title }} {%p endif %} & <b>\\x01"
    body = zipfile.ZipFile(output).read("word/document.xml").decode()
    assert "49" not in " ".join(p.text for p in document.paragraphs if "bell" in p.text)
    assert "\x07" not in body and "\x1b" not in body and "\x01" not in body
    assert len(headings(document, 2)) == len(
        headings(docx.Document(str(render_docx(CIVRAISIEN, tmp_path / "plain"))), 2)
    )


def test_two_renders_are_the_same_bytes(tmp_path: Path, civraisien: Path) -> None:
    again = render_docx(CIVRAISIEN, tmp_path)
    assert again.read_bytes() == civraisien.read_bytes()
    archive = zipfile.ZipFile(again)
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert "dcterms:created" not in core and "dcterms:modified" not in core


def test_every_bundled_plan_renders_to_docx(tmp_path: Path) -> None:
    result = invoke("render", str(PLANS), "-o", str(tmp_path), "--format", "md,html,docx")
    assert result.exit_code == 0, result.stderr
    for slug in BUNDLED:
        assert {p.name for p in (tmp_path / slug).iterdir()} == {
            "plan.md",
            "plan.html",
            "plan.docx",
            "coverage.md",
            "coverage.html",
        }
        document = docx.Document(str(tmp_path / slug / "plan.docx"))
        shown = set(headings(document, 2))
        for number, title in zip(
            [f.fiche.number for f in load_plan(PLANS / slug).fiches],
            titles(PLANS / slug),
            strict=True,
        ):
            assert f"Fiche n°{number} — {title}" in shown or any(
                h.startswith(f"Fiche n°{number}*") for h in shown
            )
        assert "Stratégie" in headings(document, 1)
        assert all(table.rows for table in document.tables)  # Word refuses a table without rows
    tarn = docx.Document(str(tmp_path / "tarn-agout" / "plan.docx"))
    texts = [p.text for p in tarn.paragraphs]
    assert "Ce plan ne comporte pas encore de fiches actions." in texts
    assert texts[0].startswith("Convention Territoriale Globale") and any(
        p.text.startswith("Document de travail") for p in tarn.sections[0].header.paragraphs
    )


def test_a_fiche_with_no_field_filled_in_prints_no_empty_table(tmp_path: Path) -> None:
    plan = copy_plan(MINI, tmp_path / "mini")
    (plan / "fiches" / "04-vide.yaml").write_text(
        "numéro: 4\ntitre: Une fiche à écrire\n", encoding="utf-8"
    )
    document = docx.Document(str(render_docx(plan, tmp_path / "out")))
    assert "Fiche n°4 — Une fiche à écrire" in headings(document, 2)
    assert all(table.rows for table in document.tables)


# --------------------------------------------------------------------------- the template


def test_the_shipped_template_is_what_its_builder_makes() -> None:
    from ctgkit.docx_template import build_template

    shipped = zipfile.ZipFile(ROOT / "templates" / "plan.docx")
    built = zipfile.ZipFile(__import__("io").BytesIO(build_template()))
    parts = ("word/document.xml", "word/header1.xml", "word/footer1.xml", "word/footer2.xml")
    for part in (*parts, "word/settings.xml", "word/styles.xml"):
        assert shipped.read(part) == built.read(part), (
            f"{part} differs: rebuild it with `python -m ctgkit.docx_template`"
        )
    assert "word/media/" not in " ".join(shipped.namelist())  # no thumbnail from python-docx


def test_a_plan_docx_in_templates_replaces_the_shipped_one(tmp_path: Path) -> None:
    custom = tmp_path / "custom"
    (custom / "labels").mkdir(parents=True)
    template = docx.Document()
    template.add_paragraph("Modèle maison : {{ title_text }}")
    template.add_paragraph("{%p for f in fiches %}")
    template.add_paragraph("{{ f.label }} : {{r f.title }}", style="Heading 1")
    template.add_paragraph("{%p endfor %}")
    template.add_paragraph("{{ labels.contents }}")
    template.save(str(custom / "plan.docx"))
    (custom / "labels" / "fr.toml").write_text(
        'contents = "Table des matières"\n', encoding="utf-8"
    )
    result = invoke(
        "render", str(CIVRAISIEN), "-o", str(tmp_path / "out"), "--format", "docx,html",
        "--templates", str(custom),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    document = docx.Document(str(tmp_path / "out" / "civraisien-2019" / "plan.docx"))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Modèle maison : Convention Territoriale Globale du Civraisien en Poitou"
    assert texts[1:19] == [f"Fiche n°{n} : {t}" for n, t in enumerate(titles(CIVRAISIEN), 1)]
    assert texts[-1] == "Table des matières"
    html = (tmp_path / "out" / "civraisien-2019" / "plan.html").read_text(encoding="utf-8")
    assert "Pilote(s) / porteur(s)" in html  # the HTML templates were not overridden


def _word_file(path: Path, paragraphs: list[str], cell: str | None = None) -> None:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if cell is not None:
        document.add_table(rows=1, cols=1).cell(0, 0).text = cell
    document.save(str(path))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda p: p.write_text("pas un document Word", encoding="utf-8"),
            "plan.docx: not a Word document (.docx); save it from Word or LibreOffice",
        ),
        (
            lambda p: p.write_bytes(
                zipfile.ZipFile(ROOT / "templates" / "plan.docx").read("word/document.xml")[:100]
            ),
            "plan.docx: not a Word document (.docx)",
        ),
        (
            lambda p: _word_file(p, ["Titre", "{% for x in %}", "fin"]),
            "plan.docx: Expected an expression, got 'end of statement block' "
            "(near « {% for x in %} »)",
        ),
        (
            lambda p: _word_file(p, ["Titre", "Bonjour {{ nothing_here }}"]),
            "plan.docx: 'nothing_here' is undefined (near « Bonjour {{ nothing_here }} »)",
        ),
        (
            lambda p: _word_file(p, ["{% if false %}avant"], cell="après{% endif %}"),
            "plan.docx: its tags make a document Word cannot read: a tag that opens a block",
        ),
        (
            lambda p: _word_file(p, ["{{ fiches[0].number / 0 }}"]),
            "plan.docx: TypeError:",
        ),
    ],
    ids=["text-file", "not-docx-bytes", "syntax", "undefined", "unbalanced-block", "type-error"],
)
def test_a_broken_template_is_a_located_usage_error_and_nothing_is_written(
    make, expected: str, tmp_path: Path
) -> None:
    custom = tmp_path / "custom"
    custom.mkdir()
    make(custom / "plan.docx")
    out = tmp_path / "out"
    result = run_ctg(
        "render", str(CIVRAISIEN), str(PLANS / "tarn-agout"), "-o", str(out),
        "--format", "md,html,docx", "--templates", str(custom),
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"ctg: error: template {custom}"), result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert not out.exists()


def test_a_broken_template_is_explained_in_french(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CTG_LANG", "fr")
    custom = tmp_path / "custom"
    custom.mkdir()
    _word_file(custom / "plan.docx", ["Bonjour {{ personne }}"])
    result = invoke(
        "render", str(MINI), "-o", str(tmp_path / "out"), "--format", "docx",
        "--templates", str(custom),
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        f"ctg : erreur : modèle {custom / 'plan.docx'} : 'personne' is undefined "
        "(près de « Bonjour {{ personne }} »)\n"
    )
    assert not (tmp_path / "out").exists()


def test_help_lists_docx_and_a_wrong_format_is_refused() -> None:
    result = invoke("render", "--help")
    assert "md, html, docx" in result.stdout
    wrong = invoke("render", str(MINI), "--format", "odt")
    assert wrong.exit_code == 2
    assert "--format takes md, html or docx" in wrong.stderr


# --------------------------------------------------------------------------- LibreOffice


@pytest.fixture(scope="module")
def soffice() -> str:
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed; .ci/run must install libreoffice-writer")
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"
        )
    return SOFFICE


def test_libreoffice_converts_the_document_to_pdf(
    soffice: str, civraisien: Path, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"  # a profile of its own: no clash with a running LibreOffice
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(civraisien),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = tmp_path / "plan.pdf"
    assert result.returncode == 0 and pdf.is_file(), (result.stdout, result.stderr)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 50_000
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages > 40, pages  # title, contents, context, strategy, 18 fiches, annexes
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        flat = " ".join(text.split())
        assert "Fiche n°4 — Développer une ludothèque de territoire" in flat
        assert "Matrice de couverture" in flat and "Sommaire" in flat
