"""View model → Word document: ``ctg render --format docx``.

The plan's view (:class:`ctgkit.view_model.PlanView`, the one the HTML and Markdown
documents are made from) is turned into the context of a Word template with Jinja tags
(docxtpl): ``templates/plan.docx``, built by :mod:`ctgkit.docx_template`, or the
``plan.docx`` of a ``--templates`` folder, which replaces it (the rule of the other
templates: the user's file first, file by file).

Plan text stays text. Every value from the plan reaches the template as WordprocessingML
made here: text escaped for XML, control characters XML cannot hold shown as escapes
(``\\x1b``, as ctg prints them), braces written as character references so that nothing
docxtpl does after Jinja (it turns ``{_{`` into ``{{``) can touch them; Jinja never reads
plan text as a template. Plan Markdown (parsed once, :class:`ctgkit.markup.Rich`) becomes
real Word paragraphs: headings, bulleted lists (« List Bullet »), bold, italic, code, tables;
a link is its text followed by its address.

What the template receives (``{{ x }}`` text, ``{{r x }}`` runs inside a paragraph,
``{{p x }}`` whole paragraphs or a table):

- text: ``lang``, ``slug``, ``title_text``, ``banner_text`` (or None), ``state``,
  ``period``, ``generation`` (or None), ``territory``, ``signatories_label``,
  ``signatories`` (a list), ``editorial_note`` (or None), ``strategy_summary``, ``labels``
  (the label catalog), ``key_figures`` (``value``, ``label``), ``governance`` (``name``,
  ``members``, ``role``, ``frequency``), ``timeline`` (``when``, ``phase``; ``text``:
  paragraphs), ``sections`` (``title``; ``body``: paragraphs), ``swot`` (``theme``;
  ``columns``: ``label``, ``entries``: paragraphs), ``programmes`` (``name``; ``body``:
  paragraphs).
- runs: ``title``, ``subtitle`` (or None).
- ``outline``: the strategy tree, one entry per node in document order: ``heading`` (2 for
  an axis, 3 below…; 0 for an objective printed as a list item), ``text`` (runs: level,
  code, title), ``details`` (paragraphs: theme, description, notes, the fiches serving it,
  pistes).
- ``fiches``: ``number``, ``label``, ``title`` (runs), ``heading`` (runs: « Fiche n°4 —
  title »), ``rows`` (``label``: text; ``value``: paragraphs, at least one), ``gaps``
  (paragraphs, may be empty).
- ``gaps``: paragraphs. ``coverage``: ``summary``, ``legend`` (text), ``matrix`` (a table,
  one row per objective, one column per fiche), ``groups`` (``text``: runs; ``total``,
  ``covered``, ``pct``), ``uncovered``, ``not_transcribed``, ``fiches_without_objectives``
  (``text``: runs), ``fiches`` (their numbers) and ``rows`` (the objectives' codes).
- ``actors``: ``text`` (runs), ``leads``, ``joins`` (text). ``fiche_timeline`` (or None):
  ``table`` (a table), ``notes`` (text lines).

After rendering, the table of contents (a TOC field of the template) is filled in with the
document's level 1 and 2 headings, each linked to its heading; Word rebuilds it, with the
page numbers, on opening. The archive is deterministic: the same plan gives the same bytes.
"""

from __future__ import annotations

import io
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .fsutil import deterministic_archive
from .i18n import _
from .markup import Rich
from .render_errors import RenderError
from .templating import default_templates_dir
from .view_model import CoverageView, FicheCard, FicheTimeline, Node, PlanView, Run

#: The Word template's file name, in the default templates and in a ``--templates`` folder.
TEMPLATE = "plan.docx"
#: Text width of a landscape A4 page with 2 cm margins (the annexes), in twentieths of a point.
WIDE_W = 14570
TEXT_W = 9638
#: The most fiches one table of the coverage matrix holds (at 7 points, a landscape page).
MATRIX_FICHES = 40

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, lone surrogates,
#: U+FFFE/U+FFFF); form feed and bell would also be read by docxtpl as page and paragraph
#: breaks.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_TEXT = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;", '"': "&quot;"}
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_attribute(text: str) -> str:
    """``text`` as an XML attribute's value (a style id, a bookmark's name)."""
    return _NOT_XML.sub(_visible, text).translate(_XML_TEXT)


def xml_text(text: str) -> str:
    """``text`` as the content of a ``w:t`` element: escaped for XML, braces as character
    references, characters XML cannot hold shown as escapes; a line end becomes Word's
    line break and a tab Word's tab (the element is closed and reopened around them)."""
    text = _NOT_XML.sub(_visible, text).translate(_XML_TEXT)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in text:
        text = text.replace("\n", _BREAK)
    if "\t" in text:
        text = text.replace("\t", _TAB)
    return text


_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'


def plain_text(text: str) -> str:
    """``text`` as Word's document properties can hold it (no character XML refuses)."""
    return _NOT_XML.sub(_visible, text)


# --------------------------------------------------------------------------- the template


def template_path(templates: Path | None) -> Path:
    """The user's ``plan.docx`` when their folder has one, else the shipped one."""
    if templates is not None and (templates / TEMPLATE).is_file():
        return templates / TEMPLATE
    return default_templates_dir() / TEMPLATE


def render_docx(view: PlanView, labels: dict[str, Any], templates: Path | None = None) -> bytes:
    """The plan's Word document (``plan.docx``), from ``view``. A template that cannot be
    used (not a Word document, a Jinja error, a document it would break) is a
    :class:`RenderError` naming the template and the text near the fault."""
    path = template_path(templates)
    users = path.parent != default_templates_dir()
    document = _load(path, users)
    docx = document.docx  # (docxtpl's get_docx() reloads the template once rendered)
    xml = Xml(_style_ids(docx), docx)
    context = docx_context(view, labels, xml)
    _render(document, context, path, users)
    docx = document.docx
    _fill_contents(docx, xml)
    properties = docx.core_properties
    properties.title = plain_text(view.title_text)
    language = {"fr": "fr-FR", "en": "en-GB"}.get(view.lang, view.lang)
    properties.language = language
    # The language Word checks the spelling in: the plan's (the template says French).
    for lang in docx.styles.element.iterfind(
        f"{{{_W}}}docDefaults/{{{_W}}}rPrDefault//{{{_W}}}lang"
    ):
        lang.set(f"{{{_W}}}val", language)
    buffer = io.BytesIO()
    document.save(buffer)
    return deterministic_archive(buffer.getvalue())


def _load(path: Path, users: bool) -> Any:
    document = _template_class()(str(path))
    try:
        document.init_docx()
    except Exception as exc:  # noqa: BLE001 - any file named plan.docx
        if not users:
            raise
        import zipfile

        if isinstance(exc, OSError) or zipfile.is_zipfile(path):
            message = _(
                "template {name}: not a Word document (.docx) that can be read: {problem}"
            ).format(name=path, problem=_problem(exc))
        else:
            message = _(
                "template {name}: not a Word document (.docx); save it from Word or "
                "LibreOffice as « Document Word (.docx) »"
            ).format(name=path)
        raise RenderError(message) from None
    return document


@cache
def _template_class() -> type:
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):  # type: ignore[misc]
        """docxtpl's template, with three changes (docxtpl 0.20): the Jinja code of a
        template is compiled once per process, not at every render; the source of the
        part being rendered is kept, to say where an error is; and a body that is not
        well-formed XML is refused (docxtpl would mend it silently, losing text). Its
        pass that turns ``\\n`` and ``\\t`` in the text into breaks and tabs is skipped:
        :func:`xml_text` writes them as Word's own, and no other text reaches the
        document."""

        source: str = ""

        def render_xml_part(self, src_xml, part, context, jinja_env=None):  # type: ignore[no-untyped-def]
            src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
            # The part being rendered (body, then headers and footers): the one at fault.
            self.source = src_xml
            self.current_rendering_part = part
            dst_xml = _compiled(src_xml).render(context)
            dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
            # docxtpl's escapes for literal tags in a template ({_{ prints {{)
            return (
                dst_xml.replace("{_{", "{{")
                .replace("}_}", "}}")
                .replace("{_%", "{%")
                .replace("%_}", "%}")
            )

        def fix_tables(self, xml):  # type: ignore[no-untyped-def]
            from lxml import etree

            try:
                etree.fromstring(xml)
            except etree.XMLSyntaxError as exc:
                raise _BrokenDocument(str(exc)) from None
            return super().fix_tables(xml)

    return Template


@cache
def _environment() -> Any:
    from jinja2 import Environment, StrictUndefined

    return Environment(autoescape=True, undefined=StrictUndefined)


@lru_cache(maxsize=8)
def _compiled(source: str) -> Any:
    """A template part's Jinja code, compiled once per process (by its text)."""
    return _environment().from_string(source)


class _BrokenDocument(Exception):
    """The template's tags produce a body that is not well-formed XML."""


def _problem(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _render(document: Any, context: dict[str, Any], path: Path, users: bool) -> None:
    from jinja2 import TemplateError, TemplateSyntaxError

    try:
        document.render(context, _environment())
    except TemplateSyntaxError as exc:
        near = _near(document.source, exc.lineno)
        raise RenderError(_located(path, exc.message or str(exc), near)) from None
    except TemplateError as exc:
        near = _near(document.source, _template_line(exc))
        raise RenderError(_located(path, exc.message or str(exc), near)) from None
    except _BrokenDocument:
        if not users:
            raise
        raise RenderError(
            _(
                "template {name}: its tags make a document Word cannot read: a tag that "
                "opens a block ({opening}) and the tag that closes it must be in the same "
                "paragraph, or each alone in a paragraph of its own ({paragraph})"
            ).format(name=path, opening="{% if %}, {% for %}", paragraph="{%p if %}, {%p for %}")
        ) from None
    except Exception as exc:  # noqa: BLE001 - code in a user's template
        if not users:
            raise
        near = _near(document.source, _template_line(exc))
        raise RenderError(_located(path, _problem(exc), near)) from None


def _template_line(exc: BaseException) -> int | None:
    """The line of the innermost frame of the template's code (Jinja compiles it under
    the name ``<template>``)."""
    line = getattr(exc, "lineno", None)
    for frame, number in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == "<template>":
            line = number
    return line


def _near(source: str, line: int | None) -> str | None:
    """The text of the paragraph at ``line`` of the template's Jinja source (one
    paragraph a line), or of the nearest paragraph with text."""
    if not line or not source:
        return None
    lines = source.splitlines()
    for offset in (0, -1, 1, -2, 2):
        index = line - 1 + offset
        if 0 <= index < len(lines):
            text = " ".join(re.sub(r"<[^>]+>", "", lines[index]).split())
            if text:
                import html

                text = html.unescape(text)
                return text if len(text) <= 80 else text[:77] + "…"
    return None


def _located(path: Path, problem: str, near: str | None) -> str:
    if near:
        return _("template {name}: {problem} (near « {text} »)").format(
            name=path, problem=problem, text=near
        )
    return _("template {name}: {problem}").format(name=path, problem=problem)


def _style_ids(docx: Any) -> dict[str, str]:
    """The template's paragraph and table styles: lowercased name → style id (a French
    Word names « heading 1 » « Titre1 »)."""
    out: dict[str, str] = {}
    for style in docx.styles.element.iterchildren(f"{{{_W}}}style"):
        name = style.find(f"{{{_W}}}name")
        style_id = style.get(f"{{{_W}}}styleId")
        if name is not None and style_id:
            out.setdefault(str(name.get(f"{{{_W}}}val", "")).lower(), style_id)
    return out


# --------------------------------------------------------------------------- WordprocessingML


class Xml:
    """WordprocessingML for one template: runs, paragraphs and tables, with the template's
    own style ids (a style the template lacks is added, based on Normal)."""

    def __init__(self, styles: dict[str, str], docx: Any) -> None:
        self.styles = styles
        self.docx = docx

    def style(self, name: str) -> str:
        found = self.styles.get(name.lower())
        if found is None:
            from docx.enum.style import WD_STYLE_TYPE

            kind = WD_STYLE_TYPE.TABLE if "table" in name.lower() else WD_STYLE_TYPE.PARAGRAPH
            added = self.docx.styles.add_style(name, kind)
            found = self.styles[name.lower()] = added.style_id
        return found

    # ---- runs

    @staticmethod
    def run(text: str | None, marks: Iterable[str] = (), size: int | None = None) -> str:
        """One run: ``marks`` among b, i, s (struck), code, sup (superscript); ``size`` in
        half-points."""
        if not text:
            return ""
        marks = set(marks)
        props = ""
        if "code" in marks:
            props += '<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>'
        if "b" in marks:
            props += "<w:b/>"
        if "i" in marks:
            props += "<w:i/>"
        if "s" in marks:
            props += "<w:strike/>"
        if size:
            props += f'<w:sz w:val="{size}"/>'
        if "sup" in marks:
            props += '<w:vertAlign w:val="superscript"/>'
        props = f"<w:rPr>{props}</w:rPr>" if props else ""
        return f'<w:r>{props}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'

    def runs(self, value: Any, marks: Iterable[str] = ()) -> str:
        """Runs of a plan value: plain text, or one line of plan Markdown."""
        if value is None:
            return ""
        if isinstance(value, Rich):
            if value.plain is not None:
                return self.run(value.plain, marks)
            if value.mode == "block":  # one line wanted: the paragraphs' runs, spaced
                return self.run(" ", marks).join(
                    self._inline(t.children or [], marks)
                    for t in value.tokens
                    if t.type == "inline"
                )
            return self._inline(value.tokens, marks)
        return self.run(str(value), marks)

    def _inline(self, tokens: list[Any], marks: Iterable[str] = ()) -> str:
        out: list[str] = []
        active = set(marks)
        links: list[tuple[str, list[str]]] = []  # open links: address, text so far

        def emit(text: str, extra: Iterable[str] = ()) -> None:
            out.append(self.run(text, active | set(extra)))
            for _href, seen in links:
                seen.append(text)

        for token in tokens:
            kind = token.type
            if kind == "text":
                emit(token.content)
            elif kind == "code_inline":
                emit(token.content, ("code",))
            elif kind == "softbreak":
                emit(" ")
            elif kind == "hardbreak":
                out.append("<w:r><w:br/></w:r>")
            elif kind in _MARKS:
                mark, opening = _MARKS[kind]
                (active.add if opening else active.discard)(mark)
            elif kind == "link_open":
                links.append((str(token.attrGet("href") or ""), []))
            elif kind == "link_close" and links:
                href, seen = links.pop()
                shown = "".join(seen).strip()
                target = href[7:] if href.lower().startswith("mailto:") else href
                if target and target != shown:
                    emit(f" ({target})")
            elif kind == "image":
                alt = "".join(c.content for c in token.children or [] if c.content)
                src = str(token.attrGet("src") or "")
                emit(alt + (f" ({src})" if src else "") if alt else src)
            elif token.content:
                emit(token.content)
        return "".join(out)

    # ---- paragraphs

    def paragraph(
        self,
        runs: str,
        style: str | None = None,
        *,
        indent: int = 0,
        keep_next: bool = False,
        rule: bool = False,
    ) -> str:
        props = f'<w:pStyle w:val="{xml_attribute(self.style(style))}"/>' if style else ""
        if keep_next:
            props += "<w:keepNext/>"
        if rule:
            props += (
                '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>'
            )
        if indent:
            props += f'<w:ind w:left="{360 * indent}"/>'
        props = f"<w:pPr>{props}</w:pPr>" if props else ""
        return f"<w:p>{props}{runs}</w:p>"

    def blocks(
        self, value: Any, style: str | None = None, heading: int | None = None, indent: int = 0
    ) -> str:
        """Paragraphs of plan Markdown: its headings become Word headings from level
        ``heading`` (bold paragraphs when None: inside a table), its lists bulleted
        paragraphs, its tables Word tables."""
        if value is None or (isinstance(value, Rich) and not value):
            return ""
        if not isinstance(value, Rich) or value.plain is not None or value.mode != "block":
            return self.paragraph(self.runs(value), style, indent=indent)
        return _Blocks(self, value.tokens, style, heading, indent).render()

    def table(
        self,
        rows: list[list[str]],
        widths: list[int],
        style: str = "Table Grid",
        header: bool = True,
        shaded: Iterable[int] = (),
        fixed: bool = True,
        narrow: bool = False,
    ) -> str:
        """A table of ``rows`` of cells (each cell: paragraphs), ``widths`` in twentieths
        of a point; the first row a header repeated on each page; ``shaded`` rows (by
        index) tinted; ``narrow`` cells with small margins (a grid of many columns)."""
        shaded = set(shaded)
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        layout = '<w:tblLayout w:type="fixed"/>' if fixed else ""
        if narrow:
            layout += (
                '<w:tblCellMar><w:left w:w="28" w:type="dxa"/>'
                '<w:right w:w="28" w:type="dxa"/></w:tblCellMar>'
            )
        out = [
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{xml_attribute(self.style(style))}"/>'
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>{layout}'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
            'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>"
        ]
        for index, cells in enumerate(rows):
            props = "<w:trPr><w:tblHeader/></w:trPr>" if header and index == 0 else ""
            out.append(f"<w:tr>{props}")
            for width, cell in zip(widths, cells, strict=False):
                fill = (
                    '<w:shd w:val="clear" w:color="auto" w:fill="FCE4D6"/>'
                    if index in shaded
                    else ""
                )
                out.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{fill}</w:tcPr>'
                    f"{cell or self.paragraph('')}</w:tc>"
                )
            out.append("</w:tr>")
        out.append("</w:tbl>")
        return "".join(out)


_MARKS = {
    "strong_open": ("b", True),
    "strong_close": ("b", False),
    "em_open": ("i", True),
    "em_close": ("i", False),
    "s_open": ("s", True),
    "s_close": ("s", False),
}


class _Blocks:
    """Block tokens of plan Markdown → Word paragraphs."""

    def __init__(
        self, xml: Xml, tokens: list[Any], style: str | None, heading: int | None, indent: int
    ) -> None:
        self.xml, self.tokens, self.style, self.heading, self.indent = (
            xml,
            tokens,
            style,
            heading,
            indent,
        )
        levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
        self.top = min(levels) if levels else 1

    def render(self) -> str:
        xml, out = self.xml, []
        lists: list[bool] = []  # open lists: ordered?
        prefix: str | None = None  # the marker of the list item whose first paragraph is next
        quote = 0
        tokens, pos = self.tokens, 0
        while pos < len(tokens):
            token = tokens[pos]
            kind = token.type
            if kind in ("heading_open", "paragraph_open"):
                inline = tokens[pos + 1].children or [] if pos + 1 < len(tokens) else []
                pos += 3
                if kind == "heading_open" and self.heading is None:
                    out.append(
                        xml.paragraph(xml._inline(inline, ("b",)), self.style, keep_next=True)
                    )
                    continue
                if kind == "heading_open":
                    assert self.heading is not None
                    level = min(9, self.heading + int(token.tag[1]) - self.top)
                    out.append(xml.paragraph(xml._inline(inline), f"heading {level}"))
                    continue
                runs = xml._inline(inline)
                style, indent = self.style, self.indent
                if lists:
                    depth = min(3, len(lists))
                    suffix = "" if depth == 1 else f" {depth}"
                    if prefix is not None and not lists[-1]:
                        style = f"list bullet{suffix}"
                    else:
                        style = f"list continue{suffix}"
                    if prefix:
                        runs = xml.run(prefix) + runs
                    prefix = None
                elif quote:
                    style = "quote"
                out.append(xml.paragraph(runs, style, indent=indent))
                continue
            if kind in ("bullet_list_open", "ordered_list_open"):
                lists.append(kind == "ordered_list_open")
            elif kind in ("bullet_list_close", "ordered_list_close"):
                if lists:
                    lists.pop()
            elif kind == "list_item_open":
                prefix = f"{token.info}{token.markup} " if lists and lists[-1] else ""
            elif kind == "list_item_close" and prefix is not None:
                depth = min(3, len(lists))  # an empty item
                suffix = "" if depth == 1 else f" {depth}"
                style = f"list continue{suffix}" if lists and lists[-1] else f"list bullet{suffix}"
                out.append(xml.paragraph(xml.run(prefix), style))
                prefix = None
            elif kind == "blockquote_open":
                quote += 1
            elif kind == "blockquote_close":
                quote = max(0, quote - 1)
            elif kind in ("fence", "code_block"):
                out.append(xml.paragraph(xml.run(token.content.rstrip("\n"), ()), "Code"))
            elif kind == "hr":
                out.append(xml.paragraph("", self.style, rule=True))
            elif kind == "table_open":
                end = pos
                while end < len(tokens) and tokens[end].type != "table_close":
                    end += 1
                out.append(self._table(tokens[pos : end + 1]))
                pos = end + 1
                continue
            elif kind == "inline":
                out.append(xml.paragraph(xml._inline(token.children or []), self.style))
            elif token.content and kind not in ("fence", "code_block"):
                out.append(xml.paragraph(xml.run(token.content), self.style))
            pos += 1
        return "".join(out)

    def _table(self, tokens: list[Any]) -> str:
        xml = self.xml
        rows: list[list[str]] = []
        for pos, token in enumerate(tokens):
            if token.type == "tr_open":
                rows.append([])
            elif token.type in ("th_open", "td_open") and rows:
                inline = tokens[pos + 1].children or []
                marks = ("b",) if token.type == "th_open" else ()
                rows[-1].append(xml.paragraph(xml._inline(inline, marks), "Texte de tableau"))
        columns = max((len(r) for r in rows), default=1)
        width = TEXT_W // columns
        table = xml.table(rows, [width] * columns, fixed=False)
        # A cell (or the document) must not end with a table: a paragraph follows it.
        return table + xml.paragraph("", self.style)


# --------------------------------------------------------------------------- the context


@dataclass(frozen=True)
class OutlineEntry:
    heading: int  # 2 for an axis, 3 below…; 0: an objective printed as a list item
    text: Markup
    details: Markup


@dataclass(frozen=True)
class CardRow:
    label: Markup
    value: Markup


@dataclass(frozen=True)
class FicheEntry:
    number: Markup
    label: Markup
    title: Markup
    heading: Markup
    rows: list[CardRow]
    gaps: Markup


@dataclass(frozen=True)
class Line:
    """A line of runs (an objective, a group of the coverage table, an actor…)."""

    text: Markup
    total: Any = None
    covered: Any = None
    pct: Any = None
    leads: Markup = Markup("")
    joins: Markup = Markup("")


def docx_context(view: PlanView, labels: dict[str, Any], xml: Xml) -> dict[str, Any]:
    """The template's context (see the module's documentation)."""
    context = _Context(xml, labels)
    return context.build(view)


class _Context:
    def __init__(self, xml: Xml, labels: dict[str, Any]) -> None:
        self.xml = xml
        self.labels = labels

    # text for {{ }}, runs for {{r }}, paragraphs for {{p }}
    @staticmethod
    def text(value: Any) -> Markup:
        return Markup(xml_text(str(value))) if value is not None else Markup("")

    def ed(self, editorial: bool) -> str:
        return self.xml.run("*", ("sup",)) if editorial else ""

    def build(self, view: PlanView) -> dict[str, Any]:
        text, xml, labels = self.text, self.xml, self.labels
        territory = view.territory
        where = territory.name + (f" ({territory.short_name})" if territory.short_name else "")
        if territory.department:
            where += f" — {territory.department}"
        coverage = view.coverage
        return {
            "lang": text(view.lang),
            "slug": text(view.slug),
            "labels": _escaped(labels),
            "title": Markup(xml.runs(view.title)),
            "title_text": text(view.title_text),
            "subtitle": Markup(xml.runs(view.subtitle)) if view.subtitle else None,
            "banner_text": text(view.banner_text) if view.banner_text else None,
            "state": text(view.state),
            "period": text(view.period),
            "generation": text(view.generation) if view.generation else None,
            "territory": text(where),
            "signatories_label": text(view.signatories_label),
            "signatories": [
                text(s["name"] + (f" ({s['short_name']})" if s.get("short_name") else ""))
                for s in view.signatories
            ],
            "editorial_note": text(view.editorial_note) if view.editorial_note else None,
            "key_figures": [
                {"value": text(k["value"]), "label": text(k["label"])} for k in view.key_figures
            ],
            "sections": [
                {"title": text(s.title), "body": Markup(xml.blocks(s.body, heading=3))}
                for s in view.sections
            ],
            "swot": [
                {
                    "theme": text(t.theme),
                    "columns": [
                        {
                            "label": text(c.label),
                            "entries": Markup(
                                "".join(
                                    xml.paragraph(xml.runs(e), "List Bullet") for e in c.entries
                                )
                                or xml.paragraph(xml.run("—"), "Texte de tableau")
                            ),
                        }
                        for c in t.columns
                    ],
                }
                for t in view.swot
            ],
            "timeline": [
                {
                    "when": text(t.when or ""),
                    "phase": text(t.phase or ""),
                    "text": Markup(xml.paragraph(xml.runs(t.text), "Texte de tableau")),
                }
                for t in view.timeline
            ],
            "governance": [
                {key: text(g.get(key) or "") for key in ("name", "members", "role", "frequency")}
                for g in view.governance
            ],
            "programmes": [
                {
                    "name": text(p.name + (f" ({p.short_name})" if p.short_name else "")),
                    "body": Markup(self._programme(p)),
                }
                for p in view.programmes
            ],
            "strategy_summary": text(coverage.summary if view.fiches else labels["no_fiches"]),
            "gaps": Markup(
                "".join(
                    xml.paragraph(
                        (xml.run(g.code, ("b",)) + xml.run(" — ") if g.code else "")
                        + xml.runs(g.note),
                        "List Bullet",
                    )
                    for g in view.gaps
                )
            ),
            "outline": self._outline(view.tree, []),
            "fiches": [self._fiche(f) for f in view.fiches],
            "coverage": self._coverage(coverage),
            "actors": [
                Line(
                    Markup(
                        xml.runs(a.name)
                        + xml.run(f" ({a.short_name})" if a.short_name else "")
                        + xml.run(f" — {a.kind}" if a.kind and view.actor_kinds else "")
                    ),
                    leads=text(self._refs(a.leads)),
                    joins=text(self._refs(a.joins)),
                )
                for a in view.actors
            ],
            "fiche_timeline": self._timeline(view.fiche_timeline),
        }

    # ---- pieces

    def _programme(self, p: Any) -> str:
        xml, labels = self.xml, self.labels
        out = xml.blocks(p.description, heading=4)
        if p.axes:
            out += xml.paragraph(xml.run(f"{labels['programme_axes']} :"), keep_next=True)
            out += "".join(xml.paragraph(xml.runs(a), "List Bullet") for a in p.axes)
        if p.url:
            out += xml.paragraph(xml.run(p.url))
        return out

    @staticmethod
    def _refs(refs: list[Any]) -> str:
        return ", ".join(r.label + ("*" if r.editorial else "") for r in refs)

    def _outline(self, runs: list[Run], out: list[OutlineEntry]) -> list[OutlineEntry]:
        xml = self.xml
        for run in runs:
            nodes = [run.section] if run.section is not None else run.leaves
            for node in nodes:
                if run.section is not None:
                    heading = min(9, node.level + 1)
                    line = (
                        xml.run(node.level_name[:1].upper() + node.level_name[1:] + " ")
                        + self._code(node)
                        + xml.run(" — ")
                        + self._title(node)
                    )
                    details = self._details(node, None, heading + 1)
                else:
                    heading = 0
                    line = self._code(node, bold=True) + xml.run(" ") + self._title(node)
                    details = self._details(node, "List Continue", None)
                out.append(OutlineEntry(heading, Markup(line), Markup(details)))
                if run.section is not None:
                    self._outline(node.children, out)
        return out

    def _code(self, node: Node, bold: bool = False) -> str:
        return self.xml.run(node.code, ("b",) if bold else ()) + self.ed(node.editorial)

    def _title(self, node: Node) -> str:
        if node.untranscribed:
            return self.xml.run(self.labels["not_transcribed"], ("i",))
        return self.xml.runs(node.title)

    def _details(self, node: Node, style: str | None, heading: int | None) -> str:
        xml, labels = self.xml, self.labels
        out = ""
        if node.theme:
            out += xml.paragraph(xml.run(node.theme, ("i",)), style)
        out += xml.blocks(node.description, style, heading if heading else None)
        out += "".join(xml.paragraph(xml.runs(n), "Note") for n in node.notes)
        if node.is_leaf and not node.untranscribed:
            if node.fiches:
                served = xml.run(f"{labels['served_by']} : ")
                served += xml.run(", ").join(
                    xml.run(f.label) + self.ed(f.editorial) for f in node.fiches
                )
                out += xml.paragraph(served, style)
            elif node.uncovered:
                out += xml.paragraph(xml.run(f"⚠ {labels['not_served']}", ("b",)), style)
        if node.pistes:
            out += xml.paragraph(xml.run(f"{labels['pistes']} :"), style, keep_next=True)
            depth = "list bullet 2" if style else "list bullet"
            out += "".join(xml.paragraph(xml.runs(p), depth) for p in node.pistes)
        return out

    def _fiche(self, f: FicheCard) -> FicheEntry:
        xml = self.xml
        title = xml.runs(f.title)
        rows = [CardRow(self.text(item.label), Markup(self._value(item))) for item in f.items]
        return FicheEntry(
            number=self.text(f.number),
            label=self.text(f.label),
            title=Markup(title),
            heading=Markup(xml.run(f.label) + self.ed(f.editorial) + xml.run(" — ") + title),
            rows=rows,
            gaps=Markup("".join(xml.blocks(g, "Note") for g in f.gaps)),
        )

    def _value(self, item: Any) -> str:
        """A card field's value as paragraphs of its table cell; lists one item a line."""
        xml, labels = self.xml, self.labels
        cell = "Texte de tableau"
        out: list[str] = []

        def line(runs: str, indent: int = 0) -> None:
            out.append(xml.paragraph(runs, cell, indent=indent))

        value, shape = item.value, item.shape
        if value is None:
            pass
        elif shape in ("text", "markdown"):
            out.append(xml.blocks(value, cell))
        elif shape == "list":
            for entry in value:
                if isinstance(entry, Rich) and entry.mode == "block" and entry.plain is None:
                    out.append(xml.blocks(entry, cell))
                else:
                    line(xml.runs(entry))
        elif shape == "objectives":
            for ref in value:
                line(
                    xml.run(ref.code, ("b",))
                    + self.ed(ref.editorial)
                    + xml.run(" ")
                    + xml.runs(ref.title)
                )
        elif shape == "actors":
            for actor in value:
                line(xml.runs(actor.name))
        elif shape == "fiches":
            for ref in value:
                line(
                    xml.run(ref.label)
                    + self.ed(ref.editorial)
                    + xml.run(" — ")
                    + xml.runs(ref.title)
                )
        elif shape == "documents":
            for doc in value:
                line(
                    xml.run(
                        doc.label + (f" ({doc.url})" if doc.url and doc.url != doc.label else "")
                    )
                )
        elif shape == "choices":
            for group in value:
                if group.group:
                    line(xml.run(f"{group.group} : ", ("b",)) + xml.run(", ".join(group.ticked)))
                else:
                    for choice in group.ticked:
                        line(xml.run(choice))
        elif shape == "grid":
            for grid_line in value:
                line(xml.run(f"{grid_line.label} : ") + xml.run(grid_line.value, ("b",)))
        elif shape == "steps":
            self._steps(value, out)
        elif shape == "indicators":
            for row in value.rows:
                line(xml.runs(row.label, ("b",) if value.has_figures else ()))
                figures = []
                if row.unit:
                    figures.append(f"{labels['unit']} : {row.unit}")
                if row.baseline:
                    dated = f" ({row.baseline_date})" if row.baseline_date else ""
                    figures.append(f"{labels['baseline']} : {row.baseline}{dated}")
                if row.target:
                    figures.append(f"{labels['target']} : {row.target}")
                if figures:
                    line(xml.run(" ; ".join(figures)), 1)
                for m in row.measurements:
                    note = f" ({m.note})" if m.note else ""
                    line(xml.run(f"{labels['measurements']} — {m.date} : {m.value}{note}"), 1)
        elif shape == "budget":
            for budget_line in value.lines:
                runs = xml.runs(budget_line.funder) + xml.run(f" : {budget_line.amount}")
                if budget_line.nature:
                    runs += xml.run(" — ") + xml.runs(budget_line.nature)
                line(runs)
            if value.total:
                line(xml.run(f"{labels['budget_total']} : {value.total}", ("b",)))
        else:
            out.append(xml.blocks(value, cell))
        for gap in item.gaps:
            prefix = xml.run(f"{labels['gap_prefix']} ", ("i", "b"))
            if isinstance(gap, Rich) and gap.mode == "block" and gap.plain is None:
                out.append(xml.paragraph(prefix, "Note") + xml.blocks(gap, "Note"))
            else:
                out.append(xml.paragraph(prefix + xml.runs(gap, ("i",)), "Note"))
        return "".join(out) or xml.paragraph("", cell)

    def _steps(self, steps: list[Any], out: list[str]) -> None:
        xml = self.xml
        for step in steps:
            marker = xml.run(f"{step.marker} ", ("b",)) if step.marker else ""
            text = step.text
            if isinstance(text, Rich) and text.mode == "block" and text.plain is None:
                if marker:
                    out.append(xml.paragraph(marker, "Texte de tableau", indent=step.depth))
                out.append(xml.blocks(text, "Texte de tableau", indent=step.depth))
            else:
                bullet = "" if marker else xml.run("– ")
                out.append(
                    xml.paragraph(
                        bullet + marker + xml.runs(text), "Texte de tableau", indent=step.depth
                    )
                )
            self._steps(step.steps, out)

    def _coverage(self, cov: CoverageView) -> dict[str, Any]:
        xml, labels, text = self.xml, self.labels, self.text
        return {
            "summary": text(cov.summary),
            "legend": text(labels["matrix_legend"]),
            "matrix": Markup(self._matrix(cov)) if cov.fiches and cov.rows else Markup(""),
            "fiches": [text(f.number) for f in cov.fiches],
            "rows": [text(r.code) for r in cov.rows],
            "groups": [
                Line(
                    self._titled(g.code, g.editorial, g.title),
                    total=g.total,
                    covered=g.covered,
                    pct=text(g.pct),
                )
                for g in cov.groups
            ],
            "uncovered": [Line(self._titled(r.code, r.editorial, r.title)) for r in cov.uncovered],
            "not_transcribed": [
                Line(
                    Markup(
                        xml.run(r.code, ("b",))
                        + self.ed(r.editorial)
                        + xml.run(f" — {labels['not_transcribed']}")
                        + "".join(xml.run(" : ") + xml.runs(n) for n in r.notes)
                    )
                )
                for r in cov.not_transcribed
            ],
            "fiches_without_objectives": [
                Line(self._titled(labels["fiche_number"].format(n=f.number), f.editorial, f.title))
                for f in cov.fiches_without_objectives
            ],
        }

    def _titled(self, name: str, editorial: Any, title: Any) -> Markup:
        """``name`` in bold, its editorial mark, then its title: a line of the annexes."""
        xml = self.xml
        return Markup(xml.run(name, ("b",)) + self.ed(editorial) + xml.run(" ") + xml.runs(title))

    def _matrix(self, cov: CoverageView) -> str:
        """Objectives × fiches, an X where the fiche serves the objective. To stay within
        a landscape page, the font shrinks past 24 fiches, and past 40 the matrix is cut
        into tables of 40 fiches each (the objectives repeated in each)."""
        xml, labels = self.xml, self.labels
        count = len(cov.fiches)
        chunks = [
            range(start, min(count, start + MATRIX_FICHES))
            for start in range(0, count, MATRIX_FICHES)
        ]
        size = None if count <= 24 else 14  # half-points
        code_w, count_w = 1500, 1000

        def cell(runs: str, left: bool = False) -> str:
            return xml.paragraph(runs, "Texte de tableau" if left else "Matrice")

        out = []
        for chunk in chunks:
            fiches = [cov.fiches[i] for i in chunk]
            if len(chunks) > 1:
                span = f"{labels['fiches']} : {fiches[0].number} – {fiches[-1].number}"
                out.append(xml.paragraph(xml.run(span, ("b",)), keep_next=True))
            header = [cell(xml.run(labels["objective"], ("b",)), left=True)]
            header += [cell(xml.run(f.number, ("b",), size) + self.ed(f.editorial)) for f in fiches]
            header.append(cell(xml.run(labels["count"], ("b",), size)))
            rows = [header]
            shaded = []
            for index, row in enumerate(cov.rows, start=1):
                cells = [cell(xml.run(row.code, (), size) + self.ed(row.editorial), left=True)]
                cells += [cell(xml.run("X" if row.cells[i] else "", (), size)) for i in chunk]
                cells.append(cell(xml.run(str(row.count), (), size)))
                rows.append(cells)
                if row.uncovered:
                    shaded.append(index)
            fiche_w = (WIDE_W - code_w - count_w) // max(1, len(fiches))
            widths = [code_w] + [fiche_w] * len(fiches) + [count_w]
            out.append(
                xml.table(rows, widths, style="Matrice de couverture", shaded=shaded, narrow=True)
            )
            out.append(xml.paragraph(""))
        return "".join(out)

    def _timeline(self, timeline: FicheTimeline | None) -> dict[str, Any] | None:
        if timeline is None:
            return None
        xml, labels = self.xml, self.labels
        years = timeline.years
        label_w, dates_w = 1500, 3000
        year_w = max(300, (WIDE_W - label_w - dates_w) // max(1, len(years)))
        header = [
            xml.paragraph(xml.run(labels["fiche"], ("b",)), "Texte de tableau"),
            xml.paragraph(xml.run(labels["dates"], ("b",)), "Texte de tableau"),
        ]
        header += [
            xml.paragraph(xml.run(str(y.year) + ("" if y.in_period else " *"), ("b",)), "Matrice")
            for y in years
        ]
        rows = [header]
        for row in timeline.rows:
            cells = [
                xml.paragraph(xml.run(row.label) + self.ed(row.editorial), "Texte de tableau"),
                xml.paragraph(xml.run(row.dates), "Texte de tableau"),
            ]
            cells += [xml.paragraph(xml.run("■" if c.active else ""), "Matrice") for c in row.cells]
            rows.append(cells)
        notes = []
        if timeline.has_out:
            notes.append(self.text(f"* {labels['outside_period']}"))
        if timeline.undated:
            notes.append(self.text(f"{labels['undated_fiches']} : {self._refs(timeline.undated)}"))
        widths = [label_w, dates_w] + [year_w] * len(years)
        return {
            "table": Markup(xml.table(rows, widths, style="Matrice de couverture", narrow=True)),
            "notes": notes,
        }


def _escaped(labels: Any) -> Any:
    """The label catalog as text for the template (tables of labels kept as tables)."""
    if isinstance(labels, dict):
        return {key: _escaped(value) for key, value in labels.items()}
    if isinstance(labels, str):
        return Markup(xml_text(labels))
    return labels


# --------------------------------------------------------------------------- contents


def _fill_contents(docx: Any, xml: Xml) -> None:
    """Fill the template's TOC field with the document's level 1 and 2 headings: each
    heading gets a bookmark, each entry links to it. The page numbers need the layout:
    Word rebuilds the table, with them, when it opens the document; LibreOffice shows the
    entries as they are (it does not compute page references inside a table of
    contents)."""
    from docx.oxml import parse_xml

    body = docx.element.body
    w = f"{{{_W}}}"
    begin = end = None
    for paragraph in body.iterchildren(f"{w}p"):
        for instr in paragraph.iter(f"{w}instrText"):
            if (instr.text or "").strip().upper().startswith("TOC") and begin is None:
                begin = paragraph
        if begin is not None and paragraph is not begin:
            if any(f.get(f"{w}fldCharType") == "end" for f in paragraph.iter(f"{w}fldChar")):
                end = paragraph
                break
    if begin is None or end is None:
        return
    levels = {xml.styles.get("heading 1"): 1, xml.styles.get("heading 2"): 2}
    levels.pop(None, None)
    # Bookmarks of a table of contents Word once built in the template (repeated by the
    # loops, they would clash) give way to ours; ours are numbered above any other.
    ids = {start.get(f"{w}id") for start in body.iter(f"{w}bookmarkStart")}
    for start in list(body.iter(f"{w}bookmarkStart")):
        if str(start.get(f"{w}name", "")).startswith("_Toc"):
            ids.discard(start.get(f"{w}id"))
            start.getparent().remove(start)
    for finish in list(body.iter(f"{w}bookmarkEnd")):
        if finish.get(f"{w}id") not in ids:
            finish.getparent().remove(finish)
    number = max((int(i) for i in ids if i and i.isdigit()), default=0)
    entries: list[str] = []
    for paragraph in body.iterchildren(f"{w}p"):
        style = paragraph.find(f"{w}pPr/{w}pStyle")
        level = levels.get(style.get(f"{w}val")) if style is not None else None
        if level is None:
            continue
        words = "".join(
            (t.text or "") if t.tag == f"{w}t" else " "
            for t in paragraph.iter(f"{w}t", f"{w}tab", f"{w}br")
        )
        words = " ".join(words.split())
        if not words:
            continue
        number += 1
        name = f"_Toc{len(entries) + 1:08d}"
        props = paragraph.find(f"{w}pPr")
        start = parse_xml(f'<w:bookmarkStart xmlns:w="{_W}" w:id="{number}" w:name="{name}"/>')
        props.addnext(start)
        paragraph.append(parse_xml(f'<w:bookmarkEnd xmlns:w="{_W}" w:id="{number}"/>'))
        toc_style = xml_attribute(xml.style(f"toc {level}"))
        entries.append(
            f'<w:p xmlns:w="{_W}"><w:pPr><w:pStyle w:val="{toc_style}"/></w:pPr>'
            f'<w:hyperlink w:anchor="{name}" w:history="1">'
            f'<w:r><w:t xml:space="preserve">{xml_text(words)}</w:t></w:r>'
            "</w:hyperlink></w:p>"
        )
    if not entries:
        return
    # The entries replace what lies between the field's start and its end.
    node = begin.getnext()
    while node is not None and node is not end:
        following = node.getnext()
        body.remove(node)
        node = following
    anchor = begin
    for entry in entries:
        element = parse_xml(entry)
        anchor.addnext(element)
        anchor = element
    # The field starts in the first entry and ends in the last, as Word writes it, when
    # its start and end paragraphs hold nothing else (no blank line above or below).
    first, last = begin.getnext(), anchor
    for holder, target, at_start in ((begin, first, True), (end, last, False)):
        if holder.find(f".//{w}t") is not None:
            continue
        runs = list(holder.iterchildren(f"{w}r"))
        if at_start:
            props = target.find(f"{w}pPr")
            for run in reversed(runs):
                props.addnext(run)
        else:
            for run in runs:
                target.append(run)
        body.remove(holder)
