"""The shipped Word template, ``templates/plan.docx``, built from this code.

The template is a binary file; this module is its source, so that it can be reviewed and
rebuilt the same, byte for byte (``python -m ctgkit.docx_template [PATH]``; a test checks
that the shipped file is what this code builds). It starts from python-docx's blank
document, sets the page (A4, French), defines the styles the documents use — Word's own
« Heading 1…3 » (« Titre 1…3 » in a French Word), « List Bullet », « toc 1 »… and a few of
ctgkit's (« Texte de tableau », « Note », « Bandeau », « Code », « Matrice ») — and lays
out the document with docxtpl's Jinja tags: ``{{ x }}`` prints text, ``{{r x }}`` rich text
(a run), ``{{p x }}`` paragraphs, ``{%p … %}`` and ``{%tr … %}`` control whole paragraphs
and table rows. What the tags receive is described in :mod:`ctgkit.docx_output`.

A user's template (``--templates DIR`` holding ``plan.docx``) is best made by copying this
one and editing it in Word: styles, fonts, colours, header, footer, logo, the order of the
parts; the tags must stay whole.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from .fsutil import deterministic_archive

#: A4, in twentieths of a point; 2 cm margins.
PAGE_W, PAGE_H, MARGIN = 11906, 16838, 1134
TEXT_W = PAGE_W - 2 * MARGIN  # 9638: the text width of a portrait page
WIDE_W = PAGE_H - 2 * MARGIN  # 14570: of a landscape page (the annexes)
#: ctgkit's own styles: name (shown in Word) -> style id.
OWN_STYLES = {
    "Texte de tableau": "TexteTableau",
    "Note": "Note",
    "Bandeau": "Bandeau",
    "Code": "Code",
    "Matrice": "Matrice",
    "Matrice de couverture": "MatriceCouverture",
}

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def build_template() -> bytes:
    """The bytes of ``templates/plan.docx``."""
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    doc = Document()
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # python-docx's preview picture: not ours
            del package.rels[rid]
    for rid, rel in list(doc.part.rels.items()):
        # Word 2010's copy of the styles (438 kB), which Word does not need: the document
        # is smaller and quicker to write without it.
        if rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[rid]
    _properties(doc)
    _settings(doc)
    _styles(doc)
    _page(doc.sections[0], landscape=False)
    _header(doc)
    _footer(doc, doc.sections[0], TEXT_W)
    _title_page(doc)
    _contents(doc)
    _context(doc)
    _governance(doc)
    _strategy(doc)
    _fiches(doc)
    wide = doc.add_section()
    _page(wide, landscape=True)
    _footer(doc, wide, WIDE_W)
    _annexes(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return deterministic_archive(buffer.getvalue())


# --------------------------------------------------------------------------- package


def _properties(doc: Any) -> None:
    props = doc.core_properties
    props.author = "ctgkit"
    props.comments = ""
    props.last_modified_by = "ctgkit"
    props.revision = 1
    props.title = ""
    props.language = "fr-FR"


def _settings(doc: Any) -> None:
    """French number and list separators; fields (the table of contents) updated when
    Word opens the document."""
    from docx.oxml import parse_xml

    settings = doc.settings.element
    for tag, value in (("decimalSymbol", ","), ("listSeparator", ";")):
        found = settings.find(f"{{{_W}}}{tag}")
        if found is not None:
            found.set(f"{{{_W}}}val", value)
    lang = settings.find(f"{{{_W}}}themeFontLang")
    if lang is not None:
        lang.set(f"{{{_W}}}val", "fr-FR")
    update = parse_xml(f'<w:updateFields xmlns:w="{_W}" w:val="true"/>')
    settings.insert_element_before(
        update,
        "w:hdrShapeDefaults",
        "w:footnotePr",
        "w:endnotePr",
        "w:compat",
        "w:docVars",
        "w:rsids",
        "m:mathPr",
        "w:attachedSchema",
        "w:themeFontLang",
        "w:clrSchemeMapping",
        "w:doNotIncludeSubdocsInStats",
        "w:doNotAutoCompressPictures",
        "w:forceUpgrade",
        "w:captions",
        "w:readModeInkLockDown",
        "w:smartTagType",
        "sl:schemaLibrary",
        "w:shapeDefaults",
        "w:doNotEmbedSmartTags",
        "w:decimalSymbol",
        "w:listSeparator",
    )


def _styles(doc: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml import parse_xml
    from docx.shared import Pt, RGBColor, Twips

    styles = doc.styles
    defaults = styles.element.find(f"{{{_W}}}docDefaults")
    run_defaults = defaults.find(f"{{{_W}}}rPrDefault/{{{_W}}}rPr")
    lang = run_defaults.find(f"{{{_W}}}lang")
    if lang is None:
        lang = parse_xml(f'<w:lang xmlns:w="{_W}"/>')
        run_defaults.append(lang)
    lang.set(f"{{{_W}}}val", "fr-FR")
    lang.set(f"{{{_W}}}eastAsia", "fr-FR")
    lang.set(f"{{{_W}}}bidi", "ar-SA")

    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    for level, size in ((1, 16), (2, 13), (3, 11.5), (4, 11), (5, 10.5)):
        heading = styles[f"Heading {level}"]
        heading.font.size = Pt(size)
        heading.paragraph_format.space_after = Pt(4)
    styles["Title"].font.size = Pt(24)

    def own(name: str, base: str = "Normal") -> Any:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = OWN_STYLES[name]
        style.base_style = styles[base]
        style.quick_style = True
        return style

    table_text = own("Texte de tableau")
    table_text.font.size = Pt(9.5)
    table_text.paragraph_format.space_before = Pt(1)
    table_text.paragraph_format.space_after = Pt(2)
    note = own("Note")
    note.font.italic = True
    note.font.size = Pt(9.5)
    note.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    banner = own("Bandeau")
    banner.font.bold = True
    banner.font.color.rgb = RGBColor(0x9C, 0x1C, 0x1C)
    banner.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    code = own("Code")
    code.font.name = "Courier New"
    code.font.size = Pt(9)
    code.paragraph_format.space_after = Pt(0)
    matrix = own("Matrice", "Texte de tableau")
    matrix.font.size = Pt(8)
    matrix.paragraph_format.space_before = Pt(0)
    matrix.paragraph_format.space_after = Pt(0)
    matrix.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The coverage matrix's table style: a grid of thin lines, its header row shaded.
    grid = styles.add_style("Matrice de couverture", WD_STYLE_TYPE.TABLE)
    grid.style_id = OWN_STYLES["Matrice de couverture"]
    grid.base_style = styles["Table Grid"]
    grid.element.append(
        parse_xml(
            f'<w:tblStylePr xmlns:w="{_W}" w:type="firstRow"><w:rPr><w:b/></w:rPr>'
            '<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/></w:tcPr>'
            "</w:tblStylePr>"
        )
    )
    # Word's own table-of-contents styles (« TM 1 », « TM 2 » in a French Word).
    for level in (1, 2):
        toc = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        toc.style_id = f"TOC{level}"
        toc.base_style = normal
        toc.paragraph_format.space_after = Pt(2 if level == 2 else 4)
        toc.paragraph_format.left_indent = Twips(0 if level == 1 else 360)
        toc.paragraph_format.tab_stops.add_tab_stop(
            Twips(TEXT_W), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        if level == 1:
            toc.font.bold = True
    footer = styles["Footer"]
    footer.font.size = Pt(8.5)
    footer.paragraph_format.tab_stops.clear_all()  # stops for a Letter page: not ours


def _page(section: Any, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Twips

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width = Twips(PAGE_H if landscape else PAGE_W)
    section.page_height = Twips(PAGE_W if landscape else PAGE_H)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Twips(MARGIN))
    section.header_distance = Twips(567)
    section.footer_distance = Twips(567)


def _header(doc: Any) -> None:
    """The banner of a working document on every page."""
    header = doc.sections[0].header.paragraphs[0]
    header.style = doc.styles["Bandeau"]
    header.add_run("{{ banner_text or '' }}")


def _footer(doc: Any, section: Any, width: int) -> None:
    """The title, and the page number at the right margin (``width``: the text width of
    the section's pages)."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Twips

    section.footer.is_linked_to_previous = False
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(Twips(width), WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run("{{ title_text }}\t")
    _field(footer, "PAGE", "1")


def _field(paragraph: Any, code: str, shown: str) -> None:
    """A Word field (PAGE, TOC…) at the end of ``paragraph``."""
    from docx.oxml import parse_xml

    for xml in (
        '<w:r xmlns:w="{w}"><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r xmlns:w="{w}"><w:instrText xml:space="preserve"> {code} </w:instrText></w:r>',
        '<w:r xmlns:w="{w}"><w:fldChar w:fldCharType="separate"/></w:r>',
        '<w:r xmlns:w="{w}"><w:t>{shown}</w:t></w:r>',
        '<w:r xmlns:w="{w}"><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml.format(w=_W, code=code, shown=shown)))


# --------------------------------------------------------------------------- helpers


def _p(doc: Any, text: str = "", style: str | None = None, *, page_break: bool = False) -> Any:
    paragraph = doc.add_paragraph(style=style)
    if text:
        paragraph.add_run(text)
    if page_break:
        paragraph.paragraph_format.page_break_before = True
    return paragraph


def _labelled(doc: Any, label: str, value: str, style: str | None = None) -> Any:
    """« Label : value », the label in bold."""
    paragraph = doc.add_paragraph(style=style)
    paragraph.add_run(label + " : ").bold = True
    paragraph.add_run(value)
    return paragraph


def _table(
    doc: Any,
    header: list[str] | None,
    loop: str,
    cells: list[str],
    widths: list[int],
    shade_first: bool = False,
) -> Any:
    """A table: an optional header row, then one row per item of ``loop`` (a ``for``
    statement) whose cells are ``cells`` (``{{p …}}`` cells hold paragraphs)."""
    from docx.shared import Twips

    rows = (1 if header else 0) + 3
    table = doc.add_table(rows=rows, cols=len(cells))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    first = 0
    if header:
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            _cell(cell, text, bold=True, shade=True)
        _repeat_header(table.rows[0])
        first = 1
    _cell(table.rows[first].cells[0], f"{{%tr for {loop} %}}")
    for index, (cell, text) in enumerate(zip(table.rows[first + 1].cells, cells, strict=True)):
        _cell(cell, text, bold=shade_first and index == 0, shade=shade_first and index == 0)
    _cell(table.rows[first + 2].cells[0], "{%tr endfor %}")
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(width)  # the grid (what LibreOffice reads)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Twips(width)
    return table


def _cell(cell: Any, text: str, bold: bool = False, shade: bool = False) -> None:
    from docx.oxml import parse_xml

    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles["Texte de tableau"]
    if text:
        paragraph.add_run(text).bold = bold or None
    if shade:
        cell._tc.get_or_add_tcPr().append(
            parse_xml(f'<w:shd xmlns:w="{_W}" w:val="clear" w:color="auto" w:fill="D9E2F3"/>')
        )


def _repeat_header(row: Any) -> None:
    from docx.oxml import parse_xml

    row._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader xmlns:w="{_W}"/>'))


# --------------------------------------------------------------------------- the document


def _title_page(doc: Any) -> None:
    _p(doc, "{{r title }}", "Title")
    _p(doc, "{%p if subtitle %}")
    _p(doc, "{{r subtitle }}", "Subtitle")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if banner_text %}")
    _p(doc, "{{ banner_text }}", "Bandeau")
    _p(doc, "{%p endif %}")
    _labelled(doc, "{{ labels.territory }}", "{{ territory }}")
    _labelled(doc, "{{ labels.state }}", "{{ state }}")
    _labelled(doc, "{{ labels.period }}", "{{ period }}")
    _p(doc, "{%p if generation %}")
    _labelled(doc, "{{ labels.generation }}", "{{ generation }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if signatories %}")
    signatories = _p(doc)
    signatories.add_run("{{ signatories_label }}").bold = True
    _p(doc, "{%p for s in signatories %}")
    _p(doc, "{{ s }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if editorial_note %}")
    _p(doc, "* {{ editorial_note }}", "Note")
    _p(doc, "{%p endif %}")


def _contents(doc: Any) -> None:
    """The table of contents: a TOC field of the level 1 and 2 headings. ctgkit fills in
    its entries (linked to their headings); Word rebuilds it, with the page numbers, on
    opening (w:dirty, and updateFields in the settings)."""
    from docx.oxml import parse_xml

    _p(doc, "{{ labels.contents }}", "TOC Heading", page_break=True)
    begin = _p(doc, style="toc 1")
    for xml in (
        '<w:r xmlns:w="{w}"><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>',
        '<w:r xmlns:w="{w}"><w:instrText xml:space="preserve">'
        ' TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>',
        '<w:r xmlns:w="{w}"><w:fldChar w:fldCharType="separate"/></w:r>',
    ):
        begin._p.append(parse_xml(xml.format(w=_W)))
    _p(doc, "{{ labels.contents_update }}", "Note")
    end = _p(doc)
    end._p.append(parse_xml(f'<w:r xmlns:w="{_W}"><w:fldChar w:fldCharType="end"/></w:r>'))


def _context(doc: Any) -> None:
    _p(doc, "{%p if sections or key_figures or swot or timeline %}")
    _p(doc, "{{ labels.context }}", "Heading 1", page_break=True)
    _p(doc, "{%p if key_figures %}")
    _p(doc, "{{ labels.key_figures }}", "Heading 2")
    _p(doc, "{%p for k in key_figures %}")
    figure = _p(doc, style="List Bullet")
    figure.add_run("{{ k.value }}").bold = True
    figure.add_run(" {{ k.label }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p for s in sections %}")
    _p(doc, "{{ s.title }}", "Heading 2")
    _p(doc, "{{p s.body }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if swot %}")
    _p(doc, "{{ labels.swot }}", "Heading 2")
    _p(doc, "{%p for t in swot %}")
    _p(doc, "{{ t.theme }}", "Heading 3")
    _table(doc, None, "c in t.columns", ["{{ c.label }}", "{{p c.entries }}"], [2400, 7238], True)
    _p(doc)
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if timeline %}")
    _p(doc, "{{ labels.timeline }}", "Heading 2")
    _table(
        doc,
        ["{{ labels.when }}", "{{ labels.phase }}", "{{ labels.step }}"],
        "t in timeline",
        ["{{ t.when }}", "{{ t.phase }}", "{{p t.text }}"],
        [1900, 2200, 5538],
    )
    _p(doc)
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endif %}")


def _governance(doc: Any) -> None:
    _p(doc, "{%p if governance or programmes %}")
    _p(doc, "{{ labels.governance }}", "Heading 1", page_break=True)
    _p(doc, "{%p if governance %}")
    _table(
        doc,
        [
            "{{ labels.body }}",
            "{{ labels.members }}",
            "{{ labels.role }}",
            "{{ labels.frequency }}",
        ],
        "g in governance",
        ["{{ g.name }}", "{{ g.members }}", "{{ g.role }}", "{{ g.frequency }}"],
        [2300, 3300, 2600, 1438],
        True,
    )
    _p(doc)
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if programmes %}")
    _p(doc, "{{ labels.programmes }}", "Heading 2")
    _p(doc, "{%p for p in programmes %}")
    _p(doc, "{{ p.name }}", "Heading 3")
    _p(doc, "{{p p.body }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endif %}")


def _strategy(doc: Any) -> None:
    """The tree: one entry per node, a heading for a branch (Heading 2 for an axis, 3
    below…), a bulleted line for an objective; its details follow it."""
    _p(doc, "{{ labels.strategy }}", "Heading 1", page_break=True)
    _p(doc, "{{ strategy_summary }}")
    _p(doc, "{%p if gaps %}")
    note = _p(doc, style="Note")
    note.add_run("{{ labels.gaps }}").bold = True
    _p(doc, "{{p gaps }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p for n in outline %}")
    _p(doc, "{%p if n.heading == 2 %}")
    _p(doc, "{{r n.text }}", "Heading 2")
    _p(doc, "{%p elif n.heading == 3 %}")
    _p(doc, "{{r n.text }}", "Heading 3")
    _p(doc, "{%p elif n.heading == 4 %}")
    _p(doc, "{{r n.text }}", "Heading 4")
    _p(doc, "{%p elif n.heading %}")
    _p(doc, "{{r n.text }}", "Heading 5")
    _p(doc, "{%p else %}")
    _p(doc, "{{r n.text }}", "List Bullet")
    _p(doc, "{%p endif %}")
    _p(doc, "{{p n.details }}")
    _p(doc, "{%p endfor %}")


def _fiches(doc: Any) -> None:
    """Each fiche on a new page: its heading (Heading 2), then its card, a table of its
    form's fields."""
    _p(doc, "{%p for f in fiches %}")
    _p(doc, "{%p if loop.first %}")
    _p(doc, "{{ labels.fiches }}", "Heading 1", page_break=True)
    _p(doc, "{{r f.heading }}", "Heading 2")
    _p(doc, "{%p else %}")
    _p(doc, "{{r f.heading }}", "Heading 2", page_break=True)
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if f.rows %}")  # (a table without rows is a document Word refuses)
    _table(doc, None, "i in f.rows", ["{{ i.label }}", "{{p i.value }}"], [2700, 6938], True)
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if f.gaps %}")
    gaps = _p(doc, style="Note")
    gaps.add_run("{{ labels.fiche_gaps }}").bold = True
    _p(doc, "{{p f.gaps }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p else %}")
    _p(doc, "{{ labels.fiches }}", "Heading 1", page_break=True)
    _p(doc, "{{ labels.no_fiches }}")
    _p(doc, "{%p endfor %}")


def _annexes(doc: Any) -> None:
    """The annexes, on landscape pages: the coverage matrix (a table made to the number
    of fiches), the objectives not covered, the index of the actors, the fiches' years."""
    _p(doc, "{{ labels.annexes }}", "Heading 1")
    _p(doc, "{{ labels.coverage }}", "Heading 2")
    _p(doc, "{{ coverage.summary }}")
    _p(doc, "{%p if coverage.groups %}")
    _table(
        doc,
        [
            "{{ labels.objective }}",
            "{{ labels.total }}",
            "{{ labels.covered }}",
            "{{ labels.rate }}",
        ],
        "g in coverage.groups",
        ["{{r g.text }}", "{{ g.total }}", "{{ g.covered }}", "{{ g.pct }} %"],
        [9770, 1600, 1600, 1600],
    )
    _p(doc)
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if coverage.fiches %}")
    _p(doc, "{%p if coverage.rows %}")
    _p(doc, "{{ coverage.legend }}", "Note")
    _p(doc, "{{p coverage.matrix }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{{ labels.uncovered_list }}", "Heading 3")
    _p(doc, "{%p for r in coverage.uncovered %}")
    _p(doc, "{{r r.text }}", "List Bullet")
    _p(doc, "{%p else %}")
    _p(doc, "{{ labels.all_covered }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p else %}")
    _p(doc, "{{ labels.no_fiches }}")
    _p(doc, "{%p endif %}")
    _bulleted(doc, "coverage.not_transcribed", "labels.not_transcribed_list")
    _bulleted(doc, "coverage.fiches_without_objectives", "labels.fiches_without_objectives")
    _p(doc, "{%p if actors %}")
    _p(doc, "{{ labels.actors }}", "Heading 2")
    _table(
        doc,
        ["{{ labels.actor }}", "{{ labels.leads }}", "{{ labels.joins }}"],
        "a in actors",
        ["{{r a.text }}", "{{ a.leads }}", "{{ a.joins }}"],
        [6570, 4000, 4000],
        True,
    )
    _p(doc)
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if fiche_timeline %}")
    _p(doc, "{{ labels.fiche_timeline }}", "Heading 2")
    _p(doc, "{{p fiche_timeline.table }}")
    _p(doc, "{%p for line in fiche_timeline.notes %}")
    _p(doc, "{{ line }}", "Note")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")


def _bulleted(doc: Any, items: str, heading: str) -> None:
    """If the list ``items`` has any: the ``heading`` (Heading 3), then each item's
    ``text`` on a bulleted line."""
    _p(doc, "{%p if " + items + " %}")
    _p(doc, "{{ " + heading + " }}", "Heading 3")
    _p(doc, "{%p for r in " + items + " %}")
    _p(doc, "{{r r.text }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")


def main(argv: list[str] | None = None) -> int:
    """``python -m ctgkit.docx_template [PATH]``: write the template (default: the
    shipped ``templates/plan.docx`` of this source checkout)."""
    args = sys.argv[1:] if argv is None else argv
    target = (
        Path(args[0]) if args else Path(__file__).resolve().parent.parent / "templates/plan.docx"
    )
    target.write_bytes(build_template())
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
