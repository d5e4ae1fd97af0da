"""Analyses → templates → files: publish a plan as Markdown and self-contained HTML.

The templates receive plain, already-computed data (see :func:`build_context`); every
Markdown field arrives already rendered for the target format and made safe. A user's
template directory overrides the default templates file by file.
"""

from __future__ import annotations

import os
import re
import tomllib
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError

from . import markup
from .coverage_model import PlanCoverage, compute, natural_key
from .index import PlanIndex
from .loader import Plan, load_plan
from .vocab import IMPACT_GROUPS, PARTICIPATION_STAGES, find_group, find_item, fold

FORMATS = ("md", "html")
#: output file name -> template name, per format
DOCUMENTS = {
    "plan": {"md": "plan.md.j2", "html": "plan.html.j2"},
    "coverage": {"md": "coverage.md.j2", "html": "coverage.html.j2"},
}


class RenderError(Exception):
    """A template or label catalog that cannot be used."""


def default_templates_dir() -> Path:
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"  # a source checkout


@lru_cache(maxsize=8)
def _environment(templates: Path | None, fmt: str) -> Environment:
    # Cached: compiling the templates costs more than rendering one plan.
    search = [FileSystemLoader(str(templates))] if templates else []
    search.append(FileSystemLoader(str(default_templates_dir())))
    return Environment(
        loader=ChoiceLoader(search),
        autoescape=fmt == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _inert(value: Any) -> Any:
    """For Markdown output: every text in the context made inert (no raw HTML, no dangerous
    links), plain names as much as Markdown fields; the HTML output is autoescaped."""
    if isinstance(value, str):
        return markup.neutralise(value)
    if isinstance(value, dict):
        return {key: _inert(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_inert(item) for item in value]
    return value


def load_labels(language: str, templates: Path | None = None) -> dict[str, Any]:
    """The label catalog for ``language``; a user's catalog overrides key by key."""
    labels: dict[str, Any] = {}
    for directory in (default_templates_dir(), templates):
        if directory is None:
            continue
        path = directory / "labels" / f"{language}.toml"
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RenderError(f"{path}: cannot read label catalog: {exc}") from None
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(labels.get(key), dict):
                labels[key] = {**labels[key], **value}
            else:
                labels[key] = value
    if not labels:
        raise RenderError(f"no label catalog for language '{language}'")
    return labels


# ------------------------------------------------------------------------- context


def _slug(text: str) -> str:
    folded = fold(text)
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "x"


#: Ids the templates use for their own headings and a fiche card's parts.
FIXED_IDS = frozenset(
    {
        "toc-title",
        "context",
        "key-figures",
        "swot",
        "timeline",
        "governance",
        "programmes",
        "strategy",
        "fiches",
        "annexes",
        "coverage",
        "uncovered",
        "fiches-without-objectives",
        "actors",
        "fiche-timeline",
    }
)
CARD_PARTS = (
    "-title",
    "-description",
    "-impacts",
    "-steps",
    "-indicators",
    "-evaluation",
    "-participation",
    "-links",
)


class Anchors:
    """Unique, stable HTML ids for one document: the same key always gets the same id, and
    two keys that slug alike (1.a and 1.A, two sections both titled « Contexte ») get
    different ones."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], str] = {}
        self._used: set[str] = set(FIXED_IDS)

    def __call__(self, kind: str, key: str, *, fresh: bool = False) -> str:
        """The id for ``key``; with ``fresh``, a new id even if the key was seen (two
        sections may share a title and still need an id each)."""
        found = None if fresh else self._ids.get((kind, key))
        if found is not None:
            return found
        base = f"{kind}-{_slug(key)}"
        candidate, number = base, 2
        while candidate in self._used or any(candidate + part in self._used for part in CARD_PARTS):
            candidate, number = f"{base}-{number}", number + 1
        self._used.add(candidate)
        self._used.update(candidate + part for part in CARD_PARTS)
        self._ids[(kind, key)] = candidate
        return candidate


@dataclass
class _Text:
    """Renders plan Markdown for one output format."""

    fmt: str

    def block(self, text: str | None, heading_base: int = 4) -> Any:
        if self.fmt == "html":
            return markup.html_block(text, heading_base)
        return markup.md_block(text, heading_base)

    def inline(self, text: str | None) -> Any:
        if self.fmt == "html":
            return markup.html_inline(text)
        return markup.md_inline(text)

    def flow(self, text: str | None, heading_base: int = 6) -> Any:
        """Inline when the text is one paragraph (list items stay compact), else blocks."""
        if text and "\n\n" not in text.strip():
            return self.inline(text)
        return self.block(text, heading_base)

    def linkless(self, text: str | None) -> Any:
        """Inline text for use inside a link: its own links become plain text."""
        if self.fmt == "html":
            return markup.html_linkless(text)
        return markup.md_linkless(text)

    def cell(self, text: str | None) -> Any:
        if self.fmt == "html":
            return markup.html_inline(text)
        return markup.md_cell(text)


def build_context(
    plan: Plan, fmt: str, labels: dict[str, Any], cov: PlanCoverage | None = None
) -> dict[str, Any]:
    """Everything the templates show, computed, ordered and rendered for ``fmt``."""
    meta = plan.meta
    if meta is None:
        raise RenderError(f"{plan.display_root}: plan.yaml could not be loaded")
    index = PlanIndex(meta)
    cov = cov or compute(plan, index)
    text = _Text(fmt)
    anchors = Anchors()
    fiches = sorted(plan.fiches, key=lambda loaded: natural_key(loaded.fiche.number))
    fiche_titles = {f.fiche.number: f.fiche.title for f in fiches}

    def fiche_ref(number: str) -> dict[str, Any]:
        return {
            "number": number,
            "title": text.linkless(fiche_titles.get(number, "")),
            "anchor": anchors("fiche", number),
            "label": labels["fiche_number"].format(n=number),
        }

    def objective_ref(code: str) -> dict[str, Any]:
        info = index.get(code)
        title = info.node.title if info else ""
        shown = info.code if info else code
        return {"code": shown, "title": text.linkless(title), "anchor": anchors("obj", shown)}

    served = {row.code: row.fiches for row in compute(plan, index).objectives}

    def tree(nodes: list[Any], level: int) -> list[dict[str, Any]]:
        out = []
        for node in nodes:
            is_leaf = not node.children
            numbers = served.get(node.code, []) if is_leaf else []
            out.append(
                {
                    "code": node.code,
                    "title": text.inline(node.title),
                    "anchor": anchors("obj", node.code),
                    "level": level + 1,
                    "heading": min(6, level + 3),
                    "level_name": index.level_name(level),
                    "theme": node.theme,
                    "description": text.block(node.description, heading_base=min(6, level + 4)),
                    "pistes": [text.inline(p) for p in node.pistes],
                    "is_leaf": is_leaf,
                    "fiches": [fiche_ref(n) for n in numbers],
                    "uncovered": is_leaf and not numbers,
                    "children": tree(node.children, level + 1),
                }
            )
        return out

    fiche_cards = [
        _fiche_card(loaded.fiche, text, labels, fiche_ref, objective_ref, anchors)
        for loaded in fiches
    ]
    period = meta.period
    context: dict[str, Any] = {
        "lang": meta.language,
        "labels": labels,
        "format": fmt,
        "slug": plan.slug,
        "title": text.inline(meta.title),
        "title_text": " ".join(meta.title.split()),
        "subtitle": text.inline(meta.subtitle),
        "territory": {
            "name": meta.territory.name,
            "short_name": meta.territory.short_name,
            "department": meta.territory.department,
            "towns": meta.territory.towns,
            "population": meta.territory.population,
        },
        "period": f"{period.start} – {period.end}",
        "generation": (
            None
            if meta.generation is None
            else labels["generation_first"]
            if meta.generation == 1
            else labels["generation_value"].format(n=meta.generation)
        ),
        "previous": meta.previous,
        "signatories": [s.model_dump() for s in meta.signatories],
        "key_figures": [k.model_dump() for k in meta.key_figures],
        "sections": [
            {
                "title": section.title,
                "anchor": anchors("section", section.title, fresh=True),
                "body": text.block(
                    plan.texts.get((section.file or "").strip(), "")
                    if section.file
                    else section.text
                ),
            }
            for section in meta.sections
        ],
        "swot": [
            {
                "theme": theme.theme,
                "anchor": anchors("swot", theme.theme, fresh=True),
                "columns": [
                    {"label": labels[key], "entries": [text.inline(i) for i in getattr(theme, key)]}
                    for key in ("strengths", "weaknesses", "opportunities", "threats")
                ],
            }
            for theme in meta.swot
        ],
        "timeline": [
            {"when": t.when, "phase": t.phase, "text": text.cell(t.text)} for t in meta.timeline
        ],
        "governance": [g.model_dump() for g in meta.governance],
        "programmes": [
            {
                "name": p.name,
                "short_name": p.short_name,
                "description": text.block(p.description),
                "axes": [text.inline(a) for a in p.axes],
                "url": _safe_url(p.url),
            }
            for p in meta.programmes
        ],
        "levels": [{"name": lv.name, "plural": lv.plural or lv.name} for lv in meta.levels],
        "tree": tree(meta.strategy, 0),
        "gaps": [{"code": g.code, "note": text.inline(g.note)} for g in meta.gaps],
        "fiches": fiche_cards,
        "coverage": coverage_context(cov, labels, text, anchors=anchors),
        "coverage_page": coverage_context(
            cov, labels, text, link_base=f"plan.{fmt}", anchors=anchors
        ),
        "actors": _actors(fiches, fiche_ref, anchors),
        "fiche_timeline": _timeline(fiches, period.start, period.end, fiche_ref),
    }
    return _inert(context) if fmt == "md" else context


def _fiche_card(
    fiche: Any,
    text: _Text,
    labels: dict[str, Any],
    fiche_ref: Any,
    objective_ref: Any,
    anchors: Anchors,
) -> dict[str, Any]:
    impacts = []
    for group in IMPACT_GROUPS:
        ticked: list[str] = []
        for label, items in fiche.impacts.items():
            if find_group(label) != group:
                continue
            for item in items:
                found = find_item(item)
                ticked.append(found[1] if found else item)
        if ticked:
            impacts.append({"group": group, "ticked": ticked})

    def steps(items: list[Any], depth: int) -> list[dict[str, Any]]:
        return [
            {
                "label": step.label,
                "marker": _step_marker(step.label),
                "text": text.flow(step.text),
                "depth": depth,
                "steps": steps(step.steps, depth + 1),
            }
            for step in items
        ]

    participation = []
    if fiche.participation is not None:
        for stage in PARTICIPATION_STAGES:
            value = getattr(fiche.participation, stage)
            participation.append(
                {
                    "stage": labels["stages"][stage],
                    "value": labels["not_given"]
                    if value is None
                    else labels["yes" if value else "no"],
                    "given": value is not None,
                }
            )
    documents = []
    for doc in fiche.documents:
        parts = [p for p in (doc.programme, doc.ref) if p]
        label = " ".join(parts)
        if doc.title:
            label = f"{label} « {doc.title} »" if label else doc.title
        documents.append({"label": label or (doc.url or ""), "url": _safe_url(doc.url)})
    return {
        "number": fiche.number,
        "label": labels["fiche_number"].format(n=fiche.number),
        "title": text.inline(fiche.title),
        "title_plain": text.linkless(fiche.title),  # for the table of contents (a link)
        "anchor": anchors("fiche", fiche.number),
        "description": text.block(fiche.description, heading_base=5),
        "axes": [objective_ref(code) for code in fiche.axes],
        "strategic_objectives": [objective_ref(code) for code in fiche.strategic_objectives],
        "objectives": [objective_ref(ref.code) for ref in fiche.objectives],
        "pilotes": [text.cell(p) for p in fiche.pilotes],
        "partners": [text.cell(p) for p in fiche.partners],
        "duration": labels["durations"].get(fiche.duration) if fiche.duration else None,
        "start": fiche.start,
        "end": fiche.end,
        "status": labels["statuses"].get(fiche.status) if fiche.status else None,
        "impacts": impacts,
        "steps": steps(fiche.steps, 0),
        "indicators": [
            {
                "label": text.cell(i.label),
                "unit": i.unit,
                "baseline": _number(i.baseline),
                "target": _number(i.target),
                "measurements": [
                    {"date": str(m.date), "value": _number(m.value), "note": m.note}
                    for m in i.measurements
                ],
            }
            for i in fiche.indicators
        ],
        "has_figures": any(
            i.unit or i.baseline is not None or i.target is not None or i.measurements
            for i in fiche.indicators
        ),
        "evaluation": [text.cell(e) for e in fiche.evaluation],
        "participation": participation,
        "linked_fiches": [fiche_ref(n.strip()) for n in fiche.linked_fiches],
        "documents": documents,
    }


def _step_marker(label: str | None) -> str | None:
    label = " ".join((label or "").split())
    if not label:
        return None
    return f"{label}." if label[-1].isdigit() else f"{label} :"


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    return url if re.match(r"^(https?://|mailto:)", url.strip(), re.I) else None


def _number(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def coverage_context(
    cov: PlanCoverage,
    labels: dict[str, Any],
    text: _Text,
    link_base: str | None = "",
    anchors: Anchors | None = None,
) -> dict[str, Any]:
    """The matrix as ``ctg render`` and ``ctg coverage --format md|html`` both show it.

    Links point into the plan document: in-page (``link_base=""``), into another file
    (``"plan.html"``), or nowhere (``None``, a matrix printed on its own).
    """
    pct = f"{100 * cov.ratio:.0f}"
    anchors = anchors or Anchors()

    def href(anchor: str) -> str | None:
        return None if link_base is None else f"{link_base}#{anchor}"

    return {
        "slug": cov.slug,
        "title": text.inline(cov.title),
        "level_name": cov.level_name,
        "total": cov.total,
        "covered": cov.covered,
        "pct": pct,
        "summary": labels["coverage_summary"].format(covered=cov.covered, total=cov.total, pct=pct),
        "fiches": [
            {
                "number": f.number,
                "href": href(anchors("fiche", f.number)),
                "title": text.cell(f.title),
            }
            for f in cov.fiches
        ],
        "rows": [
            {
                "code": row.code,
                "href": href(anchors("obj", row.code)),
                "title": text.cell(row.title),
                "cells": [number in row.fiches for number in (f.number for f in cov.fiches)],
                "count": len(row.fiches),
                "uncovered": not row.fiches,
            }
            for row in cov.objectives
        ],
        "groups": [
            {
                "code": g.code,
                "href": href(anchors("obj", g.code)),
                "title": text.cell(g.title),
                "level": g.level,
                "total": g.total,
                "covered": g.covered,
                "pct": f"{100 * g.ratio:.0f}",
            }
            for g in cov.groups
        ],
        "uncovered": [
            {"code": r.code, "href": href(anchors("obj", r.code)), "title": text.cell(r.title)}
            for r in cov.uncovered
        ],
        "fiches_without_objectives": [
            {
                "number": f.number,
                "href": href(anchors("fiche", f.number)),
                "title": text.cell(f.title),
            }
            for f in cov.fiches_without_objectives
        ],
    }


def _actors(fiches: list[Any], fiche_ref: Any, anchors: Anchors) -> list[dict[str, Any]]:
    actors: dict[str, dict[str, Any]] = {}
    for loaded in fiches:
        fiche = loaded.fiche
        for role, names in (("leads", fiche.pilotes), ("joins", fiche.partners)):
            for name in names:
                key = fold(name).strip(" .")
                entry = actors.setdefault(
                    key, {"name": " ".join(name.split()), "leads": [], "joins": []}
                )
                if fiche.number not in [r["number"] for r in entry[role]]:
                    entry[role].append(fiche_ref(fiche.number))
    ordered = sorted(actors.items(), key=lambda item: item[0])
    return [
        {
            "name": entry["name"],
            "anchor": anchors("actor", key),
            "leads": entry["leads"],
            "joins": entry["joins"],
        }
        for key, entry in ordered
    ]


def _timeline(fiches: list[Any], start: int, end: int, fiche_ref: Any) -> dict[str, Any]:
    years_seen = [y for f in fiches for y in (f.fiche.start, f.fiche.end) if y is not None]
    first = min([start, *years_seen])
    last = max([end, *years_seen])
    years = list(range(first, last + 1))
    rows = []
    for loaded in fiches:
        fiche = loaded.fiche
        begin = fiche.start if fiche.start is not None else fiche.end
        finish = fiche.end if fiche.end is not None else fiche.start
        cells = [
            {
                "year": year,
                "active": begin is not None and finish is not None and begin <= year <= finish,
                "in_period": start <= year <= end,
            }
            for year in years
        ]
        rows.append(
            {
                **fiche_ref(fiche.number),
                "start": fiche.start,
                "end": fiche.end,
                "dated": begin is not None,
                "cells": cells,
            }
        )
    return {
        "years": [{"year": y, "in_period": start <= y <= end} for y in years],
        "rows": rows,
    }


# ------------------------------------------------------------------------- rendering


def render_documents(
    plan: Plan,
    formats: Sequence[str] = FORMATS,
    templates: Path | None = None,
    cov: PlanCoverage | None = None,
) -> dict[str, str]:
    """``{file name: content}`` for each document (plan, coverage) in each format."""
    meta = plan.meta
    if meta is None:
        raise RenderError(f"{plan.display_root}: plan.yaml could not be loaded")
    labels = load_labels(meta.language, templates)
    outputs: dict[str, str] = {}
    for fmt in formats:
        if fmt not in FORMATS:
            raise RenderError(f"unknown format '{fmt}' (use md or html)")
        context = build_context(plan, fmt, labels, cov)
        env = _environment(templates, fmt)
        for document, names in DOCUMENTS.items():
            if document == "coverage":
                # The coverage page is its own file: its links go to the plan document.
                context = {**context, "coverage": context["coverage_page"]}
            rendered = _render_template(env, names[fmt], context, templates)
            outputs[f"{document}.{fmt}"] = tidy_markdown(rendered) if fmt == "md" else rendered
    return outputs


def render_matrix(
    cov: PlanCoverage, fmt: str, language: str = "fr", templates: Path | None = None
) -> str:
    """The coverage matrix alone (``ctg coverage --format md|html``)."""
    labels = load_labels(language, templates)
    env = _environment(templates, fmt)
    context = {
        "lang": language,
        "labels": labels,
        "format": fmt,
        "title_text": cov.title,
        "coverage": coverage_context(cov, labels, _Text(fmt), link_base=None),
    }
    if fmt == "md":
        context = _inert(context)
    rendered = _render_template(env, DOCUMENTS["coverage"][fmt], context, templates)
    return tidy_markdown(rendered) if fmt == "md" else rendered


def _render_template(
    env: Environment, name: str, context: dict[str, Any], templates: Path | None
) -> str:
    """Render ``name``; a broken template becomes a located ``RenderError``.

    Jinja's own errors (syntax, undefined names, missing includes) are the user's whatever
    template they come from. Other exceptions raised while a template runs (``{{ 1/0 }}``,
    a template file that is not UTF-8) are the user's only when they have overridden
    templates; with the packaged ones they are our bug and propagate."""
    try:
        return env.get_template(name).render(context)
    except TemplateError as exc:
        raise RenderError(_template_error(name, exc)) from None
    except (UnicodeDecodeError, OSError) as exc:
        if templates is None:
            raise
        raise RenderError(f"template {_culprit(exc) or name}: cannot read: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - code in a user's template
        if templates is None:
            raise
        where = _culprit(exc) or name
        raise RenderError(f"template {where}: {type(exc).__name__}: {exc}") from None


def _culprit(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame of ``exc`` (Jinja rewrites tracebacks
    so that template code shows as its own file and line)."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        code = frame.f_code
        if code.co_filename.endswith(".j2"):
            found = f"{code.co_filename}:{line}"
        elif code.co_name == "get_source" and isinstance(frame.f_locals.get("filename"), str):
            found = frame.f_locals["filename"]  # a template file that could not be read
    return found


def tidy_markdown(text: str) -> str:
    """One blank line before each heading and between blocks, never more (outside fences)."""
    lines = text.splitlines()
    out: list[str] = []
    fenced = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.startswith("#") and out and out[-1].strip():
            out.append("")
        if not fenced and not line.strip() and out and not out[-1].strip():
            continue
        out.append(line.rstrip() if not fenced else line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


def _template_error(name: str, exc: TemplateError) -> str:
    """'file:line: message' for a broken (user) template."""
    where = getattr(exc, "filename", None) or getattr(exc, "name", None) or name
    line = getattr(exc, "lineno", None)
    # Errors raised while a template runs (undefined names) carry no position of their own.
    location = f"{where}:{line}" if line else _culprit(exc) or where
    return f"template {location}: {exc.message or exc}"


def render(
    plan: str | os.PathLike[str] | Plan,
    outdir: str | os.PathLike[str] | None = None,
    formats: Sequence[str] = FORMATS,
    templates: str | os.PathLike[str] | None = None,
) -> dict[str, str] | list[Path]:
    """Render a plan. Without ``outdir``, return ``{file name: content}``; with it, write
    ``<outdir>/<slug>/<name>`` atomically and return the paths written."""
    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    outputs = render_documents(plan, formats, Path(templates) if templates else None)
    if outdir is None:
        return outputs
    from .fsutil import atomic_write

    target = Path(outdir) / plan.slug
    written = []
    for name, content in outputs.items():
        path = target / name
        atomic_write(path, content)
        written.append(path)
    return written
