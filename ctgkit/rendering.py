"""Analyses → templates → files: publish a plan as Markdown, self-contained HTML and Word.

The orchestration of the render pipeline, one pass per plan: the plan is indexed and its
coverage computed once here, turned once into a typed view model
(:func:`ctgkit.view_builder.build_view`), and every document (plan, coverage) of every
format (md, html; docx, :mod:`ctgkit.docx_output`) is rendered from that same view with
the templates (:mod:`ctgkit.templating`) and the label catalog (:mod:`ctgkit.labels`) of
the plan's language. Writing the files is :mod:`ctgkit.publishing`'s job.

The pieces are in their own modules; the names other modules and users import from here
are re-exported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .coverage_model import PlanCoverage, compute
from .i18n import _
from .index import PlanIndex
from .labels import banner, capitalised, load_labels, state_text
from .loader import Plan
from .publishing import Staging, check_destination, stage, write_documents
from .render_errors import DestinationError, PlanHasErrors, RenderError
from .templating import default_templates_dir, environment, render_template, tidy_markdown
from .view_builder import Anchors, Marks, build_view, coverage_view
from .view_format import build_context, context, for_format
from .view_model import CoverageView, MatrixPage, PlanView

__all__ = [
    "DEFAULT_FORMATS",
    "DOCUMENTS",
    "FORMATS",
    "Anchors",
    "CoverageView",
    "DestinationError",
    "Marks",
    "MatrixPage",
    "PlanHasErrors",
    "PlanView",
    "RenderError",
    "Staging",
    "banner",
    "build_context",
    "build_view",
    "capitalised",
    "check_destination",
    "context",
    "coverage_view",
    "default_templates_dir",
    "for_format",
    "load_labels",
    "render_documents",
    "render_matrix",
    "stage",
    "state_text",
    "tidy_markdown",
    "write_documents",
]

FORMATS = ("md", "html", "docx")
#: What ``ctg render`` writes when no format is given.
DEFAULT_FORMATS = ("md", "html")
#: output file name -> template name, per format (the Word document is the plan alone: its
#: annexes hold the coverage matrix)
DOCUMENTS = {
    "plan": {"md": "plan.md.j2", "html": "plan.html.j2", "docx": "plan.docx"},
    "coverage": {"md": "coverage.md.j2", "html": "coverage.html.j2"},
}


def render_documents(
    plan: Plan,
    formats: Sequence[str] = DEFAULT_FORMATS,
    templates: Path | None = None,
    cov: PlanCoverage | None = None,
    errors: int = 0,
) -> dict[str, str | bytes]:
    """``{file name: content}`` for each document (plan, coverage) in each format, all
    from one view of the plan (text; bytes for the Word document). ``errors``: see
    :func:`build_view`."""
    meta = plan.meta
    if meta is None:
        raise RenderError(
            _("{plan}: plan.yaml could not be loaded").format(plan=plan.display_root)
        )
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown:
        raise RenderError(
            _("unknown format '{format}' (use md, html or docx)").format(format=unknown[0])
        )
    labels = load_labels(meta.language, templates)
    index = PlanIndex(meta)  # the one index and the one coverage of this render
    cov = cov or compute(plan, index)
    view = build_view(plan, labels, cov, errors, index=index)
    outputs: dict[str, str | bytes] = {}
    for fmt in formats:
        if fmt == "docx":
            from .docx_output import render_docx

            outputs["plan.docx"] = render_docx(view, labels, templates)
            continue
        page = context(view, fmt, labels)
        env = environment(templates, fmt)
        for document, names in DOCUMENTS.items():
            if document == "coverage":
                # The coverage page is its own file: its links go to the plan document.
                page = {**page, "coverage": page["coverage_page"]}
            rendered = render_template(env, names[fmt], page, templates)
            outputs[f"{document}.{fmt}"] = tidy_markdown(rendered) if fmt == "md" else rendered
    return outputs


def render_matrix(
    cov: PlanCoverage,
    fmt: str,
    language: str = "fr",
    templates: Path | None = None,
    plan: Plan | None = None,
) -> str:
    """The coverage matrix alone (``ctg coverage --format md|html``). With ``plan``, the
    page also carries the « document de travail » banner and the editorial marks."""
    labels = load_labels(language, templates)
    env = environment(templates, fmt)
    marks = None
    banner_text = None
    if plan is not None and plan.meta is not None:
        marks = Marks.of(plan, PlanIndex(plan.meta))
        banner_text = banner(plan.meta, labels)
    page = MatrixPage(
        language,
        cov.title,
        banner_text,
        coverage_view(cov, labels, link_base=None, marks=marks),
    )
    rendered = render_template(
        env, DOCUMENTS["coverage"][fmt], context(page, fmt, labels), templates
    )
    return tidy_markdown(rendered) if fmt == "md" else rendered
