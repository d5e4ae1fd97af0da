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
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError

from . import card, markup
from .actors import actors as plan_actors
from .coverage_model import PlanCoverage, compute, natural_key
from .form import Form
from .index import ActorRegistry, NodeInfo, PlanIndex
from .loader import Plan, load_plan
from .model import Period, PlanFile, fold

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
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _inert(getattr(value, f.name)) for f in fields(value)})
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


#: Ids the templates use for their own headings.
FIXED_IDS = frozenset(
    {
        "toc-title",
        "draft",
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
        "not-transcribed",
        "fiches-without-objectives",
        "actors",
        "fiche-timeline",
    }
)
#: Suffixes of a fiche card's own ids (its title, its gaps); its fields add theirs.
CARD_PARTS = ("-title", "-gaps")


class Anchors:
    """Unique, stable HTML ids for one document: the same key always gets the same id, and
    two keys that slug alike (1.a and 1.A, two sections both titled « Contexte ») get
    different ones. ``parts`` are the suffixes a fiche card adds to its id (one per field
    of the form), kept free for every id."""

    def __init__(self, parts: tuple[str, ...] = CARD_PARTS) -> None:
        self._ids: dict[tuple[str, str], str] = {}
        self._used: set[str] = set(FIXED_IDS)
        self._parts = parts

    def __call__(self, kind: str, key: str, *, fresh: bool = False) -> str:
        """The id for ``key``; with ``fresh``, a new id even if the key was seen (two
        sections may share a title and still need an id each)."""
        found = None if fresh else self._ids.get((kind, key))
        if found is not None:
            return found
        base = f"{kind}-{markup.slug(key)}"
        candidate, number = base, 2
        while candidate in self._used or any(candidate + p in self._used for p in self._parts):
            candidate, number = f"{base}-{number}", number + 1
        self._used.add(candidate)
        self._used.update(candidate + part for part in self._parts)
        self._ids[(kind, key)] = candidate
        return candidate


def card_parts(form: Form | None) -> tuple[str, ...]:
    fields = form.fields if form is not None else []
    return (*CARD_PARTS, *(f"-{markup.slug(f.key)}" for f in fields))


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

    def linkless_cell(self, text: str | None) -> Any:
        """Inline text for a link inside a table cell."""
        if self.fmt == "html":
            return markup.html_linkless(text)
        return markup.md_linkless(text).replace("|", "\\|")

    def cell(self, text: str | None) -> Any:
        if self.fmt == "html":
            return markup.html_inline(text)
        return markup.md_cell(text)


@dataclass(frozen=True)
class Marks:
    """What the coverage pages say beyond the counts when the plan is at hand: codes and
    fiche numbers assigned by the transcriber, notes on nodes the source does not give."""

    editorial_codes: frozenset[str] = frozenset()
    editorial_numbers: frozenset[str] = frozenset()
    notes: dict[str, list[str]] = field(default_factory=dict)  # code -> lacune notes

    @classmethod
    def of(cls, plan: Plan, index: PlanIndex) -> Marks:
        assert plan.meta is not None
        notes: dict[str, list[str]] = {}
        for gap in plan.meta.gaps:
            info = index.get(gap.code) if gap.code else None
            if info is not None:
                notes.setdefault(info.code, []).append(gap.note)
        return cls(
            frozenset(info.code for info in index.order if index.is_editorial(info)),
            frozenset(f.fiche.number for f in plan.fiches if _editorial_number(f.fiche)),
            notes,
        )

    @property
    def any(self) -> bool:
        return bool(self.editorial_codes or self.editorial_numbers)


def _editorial_number(fiche: Any) -> bool:
    return bool(getattr(fiche, "editorial_number", False))


def state_text(meta: PlanFile, labels: dict[str, Any]) -> str:
    """« proposition du 24 janvier 2023 », « signée », « état non précisé »."""
    state = meta.state
    if state is None:
        return labels["state_unknown"]
    if state.date is None:
        return labels["states"].get(state.value, state.value)
    table = "state_on_day" if state.date.day is not None else "state_in"
    written = labels[table][state.value].format(date=card.date(state.date, meta.language))
    if meta.language == "fr":  # « de avril » → « d'avril »
        written = re.sub(r"\bde (?=[aeiouyàâéèêîôûAEIOU])", "d'", written)
    return written


def banner(meta: PlanFile, labels: dict[str, Any]) -> str | None:
    """The « document de travail » banner of a plan that is not signed."""
    if meta.signed:
        return None
    return labels["draft_banner"].format(state=state_text(meta, labels))


def build_context(
    plan: Plan, fmt: str, labels: dict[str, Any], cov: PlanCoverage | None = None
) -> dict[str, Any]:
    """Everything the templates show, computed, ordered and rendered for ``fmt``."""
    meta = plan.meta
    if meta is None:
        raise RenderError(f"{plan.display_root}: plan.yaml could not be loaded")
    index = PlanIndex(meta)
    cov = cov or compute(plan, index)
    marks = Marks.of(plan, index)
    text = _Text(fmt)
    language = meta.language
    anchors = Anchors(card_parts(plan.form))
    fiches = sorted(plan.fiches, key=lambda loaded: natural_key(loaded.fiche.number))
    fiche_titles = {f.fiche.number: f.fiche.title for f in fiches}
    registry = ActorRegistry(meta.actors)

    def fiche_ref(number: str) -> dict[str, Any]:
        return {
            "number": number,
            "title": text.linkless(fiche_titles.get(number, "")),
            "anchor": anchors("fiche", number),
            "label": labels["fiche_number"].format(n=number),
            "editorial": number in marks.editorial_numbers,
        }

    def objective_ref(code: str) -> dict[str, Any]:
        info = index.get(code)
        title = info.node.title if info else ""
        shown = info.code if info else code
        return {
            "code": shown,
            "title": text.linkless(title),
            "anchor": anchors("obj", shown),
            "editorial": info is not None and index.is_editorial(info),
        }

    def actor_ref(name: str) -> dict[str, Any]:
        actor = registry.find(name)
        shown = actor.name if actor is not None else " ".join(name.split())
        return {"name": text.linkless_cell(shown), "anchor": anchors("actor", fold(shown))}

    served = {row.code: row.fiches for row in compute(plan, index).objectives}

    def node_context(info: NodeInfo) -> dict[str, Any]:
        node, level = info.node, info.level
        untranscribed = index.untranscribed(info)
        numbers = served.get(node.code, []) if info.is_leaf and not untranscribed else []
        return {
            "code": node.code,
            "editorial": index.is_editorial(info),
            "title": text.inline(node.title),
            "anchor": anchors("obj", node.code),
            "level": level + 1,
            "heading": min(6, level + 3),
            "level_name": index.level_name(level),
            "theme": node.theme,
            "description": text.block(node.description, heading_base=min(6, level + 4)),
            "pistes": [text.inline(p) for p in node.pistes],
            "notes": [text.inline(n) for n in marks.notes.get(node.code, [])],
            "is_leaf": info.is_leaf,
            "untranscribed": untranscribed,
            "fiches": [fiche_ref(n) for n in numbers],
            # Before any fiche is written, no objective is « not served » yet.
            "uncovered": bool(fiches) and info.is_leaf and not untranscribed and not numbers,
            "children": runs(node.children, info),
        }

    infos = {id(info.node): info for info in index.order}

    def runs(nodes: list[Any], parent: NodeInfo | None) -> list[dict[str, Any]]:
        """Sibling nodes in plan order: consecutive leaves below the top level make one list
        (``leaves``); a branch, or a leaf at the top level, is a section of its own."""
        out: list[dict[str, Any]] = []
        for node in nodes:
            context = node_context(infos[id(node)])
            if context["is_leaf"] and parent is not None:
                if out and out[-1]["leaves"]:
                    out[-1]["leaves"].append(context)
                else:
                    out.append({"leaves": [context], "section": None})
            else:
                out.append({"leaves": [], "section": context})
        return out

    helpers = card.Helpers(text, labels, language, fiche_ref, objective_ref, actor_ref, _safe_url)
    fiche_cards = [_fiche_card(loaded, plan, text, labels, anchors, helpers) for loaded in fiches]
    actor_rows = _actors(plan, fiche_ref, anchors, text)
    period = meta.period
    signed = meta.signed
    context: dict[str, Any] = {
        "lang": language,
        "labels": labels,
        "format": fmt,
        "slug": plan.slug,
        "title": text.inline(meta.title),
        "title_text": " ".join(meta.title.split()),
        "subtitle": text.inline(meta.subtitle),
        "banner_text": banner(meta, labels),
        "state": capitalised(state_text(meta, labels)) if meta.state else labels["state_not_given"],
        "editorial_note": labels["editorial_note"] if marks.any else None,
        "territory": {
            "name": meta.territory.name,
            "short_name": meta.territory.short_name,
            "department": meta.territory.department,
            "towns": meta.territory.towns,
            "population": meta.territory.population,
        },
        "period": f"{period.start} – {period.end}" if period else labels["period_unknown"],
        "generation": (
            None
            if meta.generation is None
            else labels["generation_first"]
            if meta.generation == 1
            else labels["generation_value"].format(n=meta.generation)
        ),
        "previous": meta.previous,
        "signatories_label": labels["signatories" if signed else "signatories_unsigned"],
        "signatories": [s.model_dump(by_alias=False) for s in meta.signatories],
        "key_figures": [k.model_dump(by_alias=False) for k in meta.key_figures],
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
        "governance": [g.model_dump(by_alias=False) for g in meta.governance],
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
        "tree": runs(meta.strategy, None),
        # Gaps about a node are printed on it; the others here.
        "gaps": [
            {"code": g.code, "note": text.inline(g.note)}
            for g in meta.gaps
            if not (g.code and index.get(g.code) is not None)
        ],
        "fiches": fiche_cards,
        "coverage": coverage_context(cov, labels, text, anchors=anchors, marks=marks),
        "coverage_page": coverage_context(
            cov, labels, text, link_base=f"plan.{fmt}", anchors=anchors, marks=marks
        ),
        "actors": actor_rows,
        "actor_kinds": any(row["kind"] for row in actor_rows),
        "fiche_timeline": _timeline(fiches, period, fiche_ref, labels, language),
    }
    return _inert(context) if fmt == "md" else context


def _fiche_card(
    loaded: Any,
    plan: Plan,
    text: _Text,
    labels: dict[str, Any],
    anchors: Anchors,
    helpers: card.Helpers,
) -> dict[str, Any]:
    fiche = loaded.fiche
    form = plan.form if plan.form is not None else fiche.form
    anchor = anchors("fiche", fiche.number)
    items = card.card_items(fiche, form, helpers, anchor)
    return {
        "number": fiche.number,
        "editorial": _editorial_number(fiche),
        "label": labels["fiche_number"].format(n=fiche.number),
        "title": text.inline(fiche.title),
        "title_plain": text.linkless(fiche.title),  # for the table of contents (a link)
        "anchor": anchor,
        "items": items,
        "blocks": card.blocks(items),
        "gaps": card.other_gaps(fiche, form, helpers),
    }


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    return url if re.match(r"^(https?://|mailto:)", url.strip(), re.I) else None


def coverage_context(
    cov: PlanCoverage,
    labels: dict[str, Any],
    text: _Text,
    link_base: str | None = "",
    anchors: Anchors | None = None,
    marks: Marks | None = None,
) -> dict[str, Any]:
    """The matrix as ``ctg render`` and ``ctg coverage --format md|html`` both show it.

    Links point into the plan document: in-page (``link_base=""``), into another file
    (``"plan.html"``), or nowhere (``None``, a matrix printed on its own). ``marks`` (when
    the plan is at hand) adds the editorial marks and the notes on nodes not transcribed.
    """
    pct = f"{100 * cov.ratio:.0f}"
    anchors = anchors or Anchors()
    marks = marks or Marks()

    def href(anchor: str) -> str | None:
        return None if link_base is None else f"{link_base}#{anchor}"

    summary = labels["coverage_summary"].format(covered=cov.covered, total=cov.total, pct=pct)
    if cov.not_transcribed:
        count = len(cov.not_transcribed)
        key = "not_transcribed_summary_one" if count == 1 else "not_transcribed_summary_many"
        summary += labels[key].format(n=count)
    return {
        "slug": cov.slug,
        "title": text.inline(cov.title),
        "level_name": cov.level_name,
        "total": cov.total,
        "covered": cov.covered,
        "pct": pct,
        "summary": summary,
        "editorial_note": labels["editorial_note"] if marks.any else None,
        "fiches": [
            {
                "number": f.number,
                "editorial": f.number in marks.editorial_numbers,
                "href": href(anchors("fiche", f.number)),
                "title": text.cell(f.title),
            }
            for f in cov.fiches
        ],
        "rows": [
            {
                "code": row.code,
                "editorial": row.code in marks.editorial_codes,
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
                "editorial": g.code in marks.editorial_codes,
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
            {
                "code": r.code,
                "editorial": r.code in marks.editorial_codes,
                "href": href(anchors("obj", r.code)),
                "title": text.cell(r.title),
            }
            for r in cov.uncovered
        ],
        "not_transcribed": [
            {
                "code": r.code,
                "editorial": r.code in marks.editorial_codes,
                "href": href(anchors("obj", r.code)),
                "notes": [text.cell(n) for n in marks.notes.get(r.code, [])],
            }
            for r in cov.not_transcribed
        ],
        "fiches_without_objectives": [
            {
                "number": f.number,
                "editorial": f.number in marks.editorial_numbers,
                "href": href(anchors("fiche", f.number)),
                "title": text.cell(f.title),
            }
            for f in cov.fiches_without_objectives
        ],
    }


def _actors(plan: Plan, fiche_ref: Any, anchors: Anchors, text: _Text) -> list[dict[str, Any]]:
    """« Qui fait quoi »: the actors that pilot or join a fiche, by registry actor."""
    return [
        {
            "name": text.cell(row.name),
            "short_name": row.short_name,
            "kind": row.kind,
            "anchor": anchors("actor", fold(row.name)),
            "leads": [fiche_ref(n) for n in row.pilots],
            "joins": [fiche_ref(n) for n in row.partners],
        }
        for row in plan_actors(plan).actors
        if row.pilots or row.partners
    ]


def _timeline(
    fiches: list[Any], period: Period | None, fiche_ref: Any, labels: dict[str, Any], language: str
) -> dict[str, Any] | None:
    """Years the fiches run, from their dates (to the year, month or day) and the period;
    ``None`` when no fiche is dated."""
    dated = [
        loaded.fiche
        for loaded in fiches
        if getattr(loaded.fiche, "start", None) or getattr(loaded.fiche, "end", None)
    ]
    if not dated:
        return None
    years_seen = [d.year for f in dated for d in (f.start, f.end) if d is not None]
    bounds = [period.start, period.end] if period else []
    years = list(range(min(years_seen + bounds), max(years_seen + bounds) + 1))

    def in_period(year: int) -> bool:
        return period is None or period.start <= year <= period.end

    rows = []
    for fiche in dated:
        begin = (fiche.start or fiche.end).year
        finish = (fiche.end or fiche.start).year
        start, end = card.date(fiche.start, language), card.date(fiche.end, language)
        if start and end:
            dates = f"{start} – {end}"
        else:
            dates = f"{labels['start'] if start else labels['end']} : {start or end}"
        rows.append(
            {
                **fiche_ref(fiche.number),
                "dates": dates,
                "cells": [
                    {"year": y, "active": begin <= y <= finish, "in_period": in_period(y)}
                    for y in years
                ],
            }
        )
    undated = [fiche_ref(f.fiche.number) for f in fiches if f.fiche not in dated]
    return {
        "years": [{"year": y, "in_period": in_period(y)} for y in years],
        "rows": rows,
        "undated": undated,
        "has_out": any(not in_period(y) for y in years),
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
    cov: PlanCoverage,
    fmt: str,
    language: str = "fr",
    templates: Path | None = None,
    plan: Plan | None = None,
) -> str:
    """The coverage matrix alone (``ctg coverage --format md|html``). With ``plan``, the
    page also carries the « document de travail » banner and the editorial marks."""
    labels = load_labels(language, templates)
    env = _environment(templates, fmt)
    marks = None
    banner_text = None
    if plan is not None and plan.meta is not None:
        marks = Marks.of(plan, PlanIndex(plan.meta))
        banner_text = banner(plan.meta, labels)
    context = {
        "lang": language,
        "labels": labels,
        "format": fmt,
        "title_text": cov.title,
        "banner_text": banner_text,
        "coverage": coverage_context(cov, labels, _Text(fmt), link_base=None, marks=marks),
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
        if not fenced and not line.strip() and (not out or not out[-1].strip()):
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
