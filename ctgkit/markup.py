"""Plan text (Markdown) made safe for the two output formats.

HTML: markdown-it-py with raw HTML disabled (any ``<script>`` comes out escaped) and its
link validation (``javascript:``, ``vbscript:``, ``file:`` and ``data:`` links are not
turned into links). Markdown: the text stays Markdown but cannot smuggle HTML or
dangerous links into a forge's renderer.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .model import fold

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})(\s)")
#: Link destinations: inline `](dest)` and reference definitions `[ref]: dest`.
_INLINE_DEST = re.compile(r"(\]\(\s*)(<[^>\n]*>|[^\s)]*)")
_REFERENCE_DEST = re.compile(r"^( {0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)", re.M)
_BAD_SCHEME = re.compile(r"(?:javascript|vbscript|data|file):")
_INLINE_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
_ANCHOR_TAG = re.compile(r"</?a\b[^>]*>")


def is_dangerous_link(url: str) -> bool:
    """True for javascript:, vbscript:, data: and file: links, however they are spelled
    (entities, backslash escapes, spaces, control characters, capitals)."""
    plain = html.unescape(url.strip().strip("<>")).replace("\\", "")
    plain = re.sub(r"[\s\x00-\x1f]+", "", plain).lower()
    return _BAD_SCHEME.match(plain) is not None


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        .enable("table")
        .enable("strikethrough")
    )
    # markdown-it lets data:image/… through; plan text never needs any of these schemes.
    parser.validateLink = lambda url: not is_dangerous_link(url)
    return parser


def html_block(text: str | None, heading_base: int = 4) -> Markup:
    """Markdown → HTML, headings shifted so the text's top heading is ``h{heading_base}``."""
    if not text:
        return Markup("")
    parser = _parser()
    tokens = parser.parse(text)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    if levels:
        shift = heading_base - min(levels)
        for token in tokens:
            if token.type in {"heading_open", "heading_close"}:
                token.tag = f"h{max(1, min(6, int(token.tag[1]) + shift))}"
    return Markup(parser.renderer.render(tokens, parser.options, {}).strip())


def html_inline(text: str | None) -> Markup:
    """Markdown → inline HTML (no paragraph), for titles and short items."""
    if not text:
        return Markup("")
    return Markup(_parser().renderInline(" ".join(text.split())))


def _safe_destination(match: re.Match[str]) -> str:
    return match.group(1) + ("#" if is_dangerous_link(match.group(2)) else match.group(2))


def neutralise(text: str) -> str:
    """Markdown that stays Markdown but cannot carry raw HTML or dangerous links."""
    text = _INLINE_DEST.sub(_safe_destination, text)
    text = _REFERENCE_DEST.sub(_safe_destination, text)
    return text.replace("<", "&lt;")


def html_linkless(text: str | None) -> Markup:
    """Inline HTML without links, for text shown inside a link of ours."""
    return Markup(_ANCHOR_TAG.sub("", str(html_inline(text))))


def md_linkless(text: str | None) -> str:
    return _INLINE_LINK.sub(r"\1", md_inline(text))


def md_block(text: str | None, heading_base: int = 4) -> str:
    """Markdown → Markdown that cannot inject HTML or dangerous links; headings shifted."""
    if not text:
        return ""
    lines = neutralise(text.strip()).splitlines()
    in_fence = False
    levels = []
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (match := _HEADING.match(line)):
            levels.append(len(match.group(1)))
    if levels:
        shift = heading_base - min(levels)
        in_fence = False
        for number, line in enumerate(lines):
            if _FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and (match := _HEADING.match(line)):
                level = max(1, min(6, len(match.group(1)) + shift))
                lines[number] = "#" * level + line[len(match.group(1)) :]
    return "\n".join(lines)


def md_inline(text: str | None) -> str:
    """Markdown for one line (a title, a list item)."""
    if not text:
        return ""
    return neutralise(" ".join(text.split()))


def md_cell(text: str | None) -> str:
    """Markdown safe inside a table cell: one line, pipes escaped."""
    return md_inline(text).replace("|", "\\|")


def text_escape(text: str | None) -> Markup:
    return escape(text or "")


def slug(text: str) -> str:
    """An id fragment: lowercase ASCII letters and digits joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "x"
