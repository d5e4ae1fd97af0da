"""The render pipeline: one pass per plan, one Markdown engine for both outputs, and the
library refusing what must not be written.

Markdown cases are checked in both formats: plan.html as a browser reads it, plan.md as a
forge renders it (markdown-it with raw HTML on and no link filtering).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import html5lib
import pytest
from markdown_it import MarkdownIt

import ctgkit
from ctgkit import coverage_model, index, loader
from ctgkit.rendering import DestinationError, PlanHasErrors, render_documents

from .conftest import MINI, PLANS, invoke

FICHE = "fiches/03-bus-services.yaml"


def forge(markdown: str) -> str:
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser.render(markdown)


def with_description(plan: Path, text: str) -> dict[str, str]:
    """Render ``plan`` with fiche 3's description set to ``text`` (a YAML block)."""
    fiche = plan / FICHE
    body = "\n".join("  " + line for line in text.splitlines())
    fiche.write_text(
        fiche.read_text(encoding="utf-8") + f"description: |\n{body}\n", encoding="utf-8"
    )
    loaded = ctgkit.load_plan(plan)
    assert loaded.ok, loaded.diagnostics
    return render_documents(loaded)


def fiche_section(document: str, start: str, end: str) -> str:
    return document[document.index(start) : document.index(end, document.index(start))]


# ----------------------------------------------------------------------------- Markdown


def test_a_code_span_is_kept_byte_for_byte_in_both_formats(mini: Path) -> None:
    documents = with_description(mini, "Étape : comparer `a<b` puis ``x ` y``.")
    assert "`a<b`" in documents["plan.md"]
    assert "``x ` y``" in documents["plan.md"]
    assert "<code>a&lt;b</code>" in documents["plan.html"]
    assert "<code>a&lt;b</code>" in forge(documents["plan.md"])


@pytest.mark.parametrize(
    "text",
    [
        "Voir [x](javascript:alert(1)) ici.",
        "Voir [x](JAVASCRIPT:alert(1)) ici.",
        "Voir [x](data:text/html,hi) ici.",
        "Voir [x](vbscript:msgbox) ici.",
        "Voir [x](file:///etc/passwd) ici.",
        "Voir [x](<java script:alert(1)>) ici.",
        "Voir [x][r] ici.\n\n[r]: javascript:alert(1)",
    ],
)
def test_an_unsafe_link_becomes_its_text_in_both_formats(mini: Path, text: str) -> None:
    documents = with_description(mini, text)
    md, html = documents["plan.md"], documents["plan.html"]
    assert "Voir x ici." in md
    assert "](#)" not in md and "javascript" not in md.lower().replace("java script", "")
    for rendered in (html, forge(md)):
        section = fiche_section(rendered, "Voir", "ici.")
        assert section == "Voir x "
    assert "javascript:" not in html.lower()


def test_a_safe_link_is_kept_in_both_formats(mini: Path) -> None:
    documents = with_description(mini, "Voir [le site](https://caf.fr/a_b) ici.")
    assert "[le site](https://caf.fr/a_b)" in documents["plan.md"]
    assert '<a href="https://caf.fr/a_b">le site</a>' in documents["plan.html"]


def test_setext_and_atx_headings_are_shifted_alike_in_both_formats(mini: Path) -> None:
    text = "Grand titre\n===========\n\nTexte.\n\nSous-titre\n----------\n\n## Autre\n\nFin."
    documents = with_description(mini, text)
    md = documents["plan.md"]
    assert "\n##### Grand titre\n" in md and "\n###### Sous-titre\n" in md
    assert "\n###### Autre\n" in md and "===" not in md
    for rendered in (documents["plan.html"], forge(md)):
        assert ">Grand titre</h5>" in rendered
        assert ">Sous-titre</h6>" in rendered and ">Autre</h6>" in rendered


def test_an_unclosed_code_fence_is_closed(mini: Path) -> None:
    documents = with_description(mini, "Avant.\n\n```\ncode <b>\nsans fin")
    md = documents["plan.md"]
    rendered = forge(md)
    # The rest of the document (the annexes) is not code.
    assert '<h2><a id="annexes"></a>' in rendered
    assert "<pre><code>code &lt;b&gt;\nsans fin\n</code></pre>" in rendered
    html = documents["plan.html"]
    assert "<pre><code>code &lt;b&gt;\nsans fin" in html and '<h2 id="annexes">' in html


def test_plan_text_injects_no_heading_table_row_or_link_into_plan_md(mini: Path) -> None:
    fiche = mini / FICHE
    text = fiche.read_text(encoding="utf-8")
    title = "Faire circuler un bus des services"
    injected = "# Titre | col | [lien](https://evil.example) <b>gras</b>"
    fiche.write_text(text.replace(title, f"'{injected}'"), encoding="utf-8")
    plan = ctgkit.load_plan(mini)
    assert plan.ok, plan.diagnostics
    md = render_documents(plan)["plan.md"]
    baseline = render_documents(ctgkit.load_plan(MINI))["plan.md"]
    rendered, before = forge(md), forge(baseline)
    for tag in ("<h1>", "<h2>", "<h3>", "<h4>", "<tr>", "<td>", "<b>"):
        assert rendered.count(tag) == before.count(tag), tag
    assert "https://evil.example" in rendered  # a link of the title itself is kept…
    assert rendered.count('href="https://evil.example"') == 1  # …in the fiche heading only


def test_reference_definitions_in_plan_text_stay_in_their_own_text(mini: Path) -> None:
    documents = with_description(mini, "[fiches]: https://evil.example\n\nTexte.")
    md = documents["plan.md"]
    assert "evil.example" not in md
    assert "evil.example" not in forge(md)


# ----------------------------------------------------------------------------- safety


def test_render_into_the_plan_itself_raises_and_writes_nothing(mini: Path) -> None:
    before = sorted(p.as_posix() for p in mini.rglob("*"))
    with pytest.raises(DestinationError, match="inside the plan directory"):
        ctgkit.render(mini, mini)
    with pytest.raises(DestinationError, match="inside the plan directory"):
        ctgkit.render(mini, mini.parent)  # <parent>/<slug> is the plan
    with pytest.raises(DestinationError):
        ctgkit.render(mini, mini / "fiches" / "site")
    assert sorted(p.as_posix() for p in mini.rglob("*")) == before


def test_render_through_a_link_into_the_plan_raises(mini: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(mini)
    with pytest.raises(DestinationError):
        ctgkit.render(mini, link / "site")
    assert not (mini / "site").exists()


def _break(plan: Path) -> None:
    fiche = plan / FICHE
    fiche.write_text(fiche.read_text("utf-8").replace("début: 2022", "début: soon"), "utf-8")


def test_the_library_refuses_a_plan_with_errors(mini: Path, tmp_path: Path) -> None:
    _break(mini)
    with pytest.raises(PlanHasErrors, match="1 error") as caught:
        ctgkit.render(mini, tmp_path / "site")
    assert [d.code for d in caught.value.diagnostics] == ["CTG011"]
    assert not (tmp_path / "site").exists()


def test_force_renders_a_plan_with_errors_marked_not_validated(mini: Path, tmp_path: Path):
    _break(mini)
    written = ctgkit.render(mini, tmp_path / "site", force=True)
    assert sorted(p.name for p in written) == [
        "coverage.html",
        "coverage.md",
        "plan.html",
        "plan.md",
    ]
    for path in written:
        assert "Document non validé : 1 erreur" in path.read_text(encoding="utf-8"), path.name


def test_cli_force_renders_and_marks(mini: Path, tmp_path: Path) -> None:
    _break(mini)
    assert invoke("render", str(mini), "-o", str(tmp_path / "a")).exit_code == 1
    assert not (tmp_path / "a").exists()
    result = invoke("render", str(mini), "-o", str(tmp_path / "b"), "--force")
    assert result.exit_code == 0, result.stderr
    assert "non validé" in (tmp_path / "b" / "mini" / "plan.md").read_text(encoding="utf-8")


def test_cli_force_prints_the_errors_it_renders_anyway(mini: Path, tmp_path: Path) -> None:
    _break(mini)
    other = tmp_path / "plans" / "other"
    shutil.copytree(MINI, other)
    result = invoke("render", str(mini), str(other), "-o", str(tmp_path / "site"), "--force")
    assert result.exit_code == 0, result.stderr  # rendered, as asked
    lines = result.stderr.splitlines()
    # validate's text form (file:line:col: severity CODE message), then its summary line,
    # before the files are written
    diagnostic = f"{mini}/{FICHE}:9:8: error CTG011 "
    assert [line for line in lines if ": error " in line] == [
        line for line in lines if line.startswith(diagnostic)
    ]
    assert len([line for line in lines if line.startswith(diagnostic)]) == 1
    at = next(i for i, line in enumerate(lines) if line.startswith(diagnostic))
    assert lines[at + 1] == "1 error, 0 warnings in 2 plans"
    assert lines[-1].startswith("wrote 8 files for 2 plans")
    assert "non validé" in (tmp_path / "site" / "mini" / "plan.md").read_text(encoding="utf-8")
    assert "non validé" not in (tmp_path / "site" / "other" / "plan.md").read_text("utf-8")


def test_cli_force_prints_nothing_more_for_valid_plans(tmp_path: Path) -> None:
    result = invoke("render", str(MINI), "-o", str(tmp_path / "site"), "--force")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [f"wrote 4 files for 1 plan in {tmp_path / 'site'}"]


def test_a_valid_plan_is_not_marked(tmp_path: Path) -> None:
    documents = ctgkit.render(MINI)
    assert all("non validé" not in text for text in documents.values())


# ----------------------------------------------------------------------------- one pass


def test_render_loads_indexes_and_measures_each_plan_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = {"load": 0, "index": 0, "coverage": 0}
    real_load, real_index, real_compute = loader.load_plan, index.PlanIndex, coverage_model.compute

    def counting(name, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapper

    import ctgkit.api
    import ctgkit.rendering

    monkeypatch.setattr(ctgkit.api, "load_plan", counting("load", real_load))
    monkeypatch.setattr(ctgkit.rendering, "PlanIndex", counting("index", real_index))
    monkeypatch.setattr(ctgkit.rendering, "compute", counting("coverage", real_compute))
    result = invoke("render", str(PLANS / "civraisien-2019"), "-o", str(tmp_path), "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert len(list((tmp_path / "civraisien-2019").iterdir())) == 4
    assert counts == {"load": 1, "index": 1, "coverage": 1}


def test_coverage_page_carries_the_plan_banner(tmp_path: Path) -> None:
    for fmt in ("md", "html"):
        result = invoke("coverage", str(MINI), "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert "Document de travail" in result.stdout, fmt


def test_html_documents_parse(tmp_path: Path) -> None:
    for name, text in ctgkit.render(PLANS / "civraisien-2019").items():
        if name.endswith(".html"):
            html5lib.HTMLParser(strict=False).parse(text)
