"""Plan text (Markdown) parsed once, rendered to HTML and to Markdown from the same tokens.

markdown-it-py parses each text once (raw HTML off: ``<script>`` is text). The tokens are
then vetted — links and images whose scheme is not http, https or mailto (``javascript:``,
``data:``, ``vbscript:``, ``file:``…) become their text, heading levels are shifted — and
both outputs walk them: markdown-it's own HTML renderer, and :func:`to_markdown` here. So a
code span means the same in plan.md and plan.html (`` `a<b` `` stays as written), a setext
heading is shifted like an ATX one, and plan text cannot inject headings, table rows, raw
HTML or live links into the Markdown document: every text token is escaped for Markdown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from markupsafe import Markup, escape

from .model import fold

#: Link schemes plan text may use; any other scheme is dropped to the link's text.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_BLANKS = re.compile(r"[\s\x00-\x1f\x7f]+")
#: ``&`` that would start a character reference in Markdown (applied to plain text).
_ENTITY_START = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
#: Escaped wherever they are in plain text written into Markdown.
_ALWAYS = str.maketrans({"\\": "\\\\", "`": "\\`", "~": "\\~", "|": "\\|", "<": "&lt;"})
#: ``*`` and ``_`` that could open or close emphasis: not between two word characters
#: (``7*7``, ``mot_clé``) nor between two spaces (`` * ``). ``]`` that could close a link
#: (before ``(``, or last). A forge shows ``&lt;`` as ``<``; ``\<`` would still look like a
#: tag to a scanner.
_EMPHASIS = re.compile(r"(?<=\w)[*_](?=\w)|(?<!\S)[*_](?!\S)|([*_])")
_LINK_END = re.compile(r"\](?=\(|$)")
#: Plain text without any of these is written as it is.
_TEXT_SPECIAL = re.compile(r"[\\`~|<&*_\[\]]")


def _emphasis(match: re.Match[str]) -> str:
    return "\\" + match.group(1) if match.group(1) else match.group(0)


def is_dangerous_link(url: str) -> bool:
    """True for a link with a scheme other than http, https or mailto, however it is
    spelled (entities, percent-encoding, backslashes, spaces, control characters, capitals)."""
    plain = html.unescape(unquote(url.strip().strip("<>"))).replace("\\", "")
    plain = _BLANKS.sub("", plain).lower()
    match = _SCHEME.match(plain)
    return match is not None and match.group(1) not in SAFE_SCHEMES


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) or mailto URL, else None (for URL fields)."""
    if not url or not url.strip():
        return None
    match = _SCHEME.match(_BLANKS.sub("", url).lower())
    if match is None or match.group(1) not in SAFE_SCHEMES or is_dangerous_link(url):
        return None
    return url.strip()


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        .enable("table")
        .enable("strikethrough")
    )
    # Every link is parsed; _vet drops the unsafe ones to their text, alike in both outputs.
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


# ----------------------------------------------------------------------------- parsing


def _vet(children: list[Token], links: bool = True) -> list[Token]:
    """Inline tokens with unsafe links (all links unless ``links``) made plain text."""
    out: list[Token] = []
    dropping = False
    for token in children:
        if token.type == "link_open":
            dropping = not links or is_dangerous_link(str(token.attrGet("href") or ""))
            if dropping:
                continue
        elif token.type == "link_close" and dropping:
            dropping = False
            continue
        elif token.type == "image" and (
            not links or is_dangerous_link(str(token.attrGet("src") or ""))
        ):
            out.extend(_vet(token.children or [], links))
            continue
        out.append(token)
    return out


#: Characters markdown-it's inline rules react to: a line without any is plain text, and
#: most titles, names and cells are (skipping the parser for them halves render time).
_INLINE_SYNTAX = re.compile(r"[\\`*_~\[\]!<&]")
#: What can open a block at the start of a line (lists, headings, quotes, fences, tables).
_BLOCK_START = re.compile(r"[#>+\-=|]|\d{1,9}[.)]")


def _markup(html: str) -> Markup:
    """``Markup(html)`` for a plain str, without running Markup's constructor in Python."""
    return str.__new__(Markup, html)


class Rich:
    """One piece of plan Markdown, parsed once; ``html()`` and ``md()`` render it.

    ``mode`` is ``block`` (paragraphs, lists, headings shifted so the top one is
    ``heading_base``), ``inline`` (one line), ``cell`` (one line inside a table) or
    ``linkless`` / ``linkless_cell`` (one line inside a link of ours: its own links are
    text). Jinja's autoescape uses ``__html__``; the Markdown templates get ``md()``.
    """

    __slots__ = ("_html", "_md", "mode", "plain", "tokens")

    def __init__(self, tokens: list[Token], mode: str, plain: str | None = None) -> None:
        self.tokens = tokens
        self.mode = mode
        self.plain = plain  # text without any Markdown syntax: no tokens needed
        self._html: Markup | None = None
        self._md: str | None = None

    def __bool__(self) -> bool:
        return bool(self.tokens) or bool(self.plain)

    def __html__(self) -> Markup:
        if self._html is None and self.plain is not None:
            escaped = escapeHtml(self.plain)
            self._html = _markup(f"<p>{escaped}</p>" if self.mode == "block" else escaped)
        if self._html is None:
            parser = _parser()
            if self.mode == "block":
                rendered = parser.renderer.render(self.tokens, parser.options, {}).strip()
            else:
                rendered = parser.renderer.renderInline(self.tokens, parser.options, {})
            self._html = _markup(rendered)
        return self._html

    def md(self) -> str:
        if self._md is None and self.plain is not None:
            self._md = escape_md(self.plain, True, brackets=self.mode.startswith("linkless"))
        if self._md is None:
            if self.mode == "block":
                self._md = to_markdown(self.tokens)
            else:
                self._md = _Inline(
                    cell=self.mode.endswith("cell"), brackets=self.mode.startswith("linkless")
                ).render(self.tokens)
        return self._md

    def __str__(self) -> str:
        # The HTML templates' filters (striptags…) see the HTML; the Markdown templates
        # never get a Rich value (see view_format.for_format).
        return str(self.__html__())

    def __repr__(self) -> str:
        return f"Rich({self.mode}, {self.md()!r})"


def block(text: str | None, heading_base: int = 4) -> Rich:
    """Markdown blocks; headings (ATX or setext) shifted so the top one is ``heading_base``."""
    if not text or not text.strip():
        return Rich([], "block")
    line = text.strip()
    if (
        "\n" not in line
        and text[:1] not in (" ", "\t")  # an indented line is code
        and not _INLINE_SYNTAX.search(line)
        and not _BLOCK_START.match(line)
    ):
        return Rich([], "block", line)
    tokens = _parser().parse(text)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = heading_base - min(levels) if levels else 0
    for token in tokens:
        if token.type in {"heading_open", "heading_close"} and shift:
            token.tag = f"h{max(1, min(6, int(token.tag[1]) + shift))}"
        elif token.type == "inline":
            token.children = _vet(token.children or [])
    return Rich(tokens, "block")


def inline(text: str | None, mode: str = "inline") -> Rich:
    """One line of Markdown (a title, a list item, a cell): no block structure at all."""
    if not text or not text.strip():
        return Rich([], mode)
    line = " ".join(text.split())
    if not _INLINE_SYNTAX.search(line):
        return Rich([], mode, line)
    tokens = _parser().parseInline(line)
    children = tokens[0].children or [] if tokens else []
    return Rich(_vet(children, links=not mode.startswith("linkless")), mode)


def is_one_paragraph(text: str | None) -> bool:
    return bool(text) and "\n\n" not in (text or "").strip()


# ----------------------------------------------------------------------------- Markdown out


def escape_md(
    text: str, line_start: bool = False, plain: bool = False, brackets: bool = False
) -> str:
    """Plain text written so that Markdown reads it back as the same plain text.

    ``line_start``: the text opens a line of a paragraph. ``plain``: a name or value the
    templates may put anywhere, even first on a line (``1.a`` keeps its dot: a line
    never starts with a code). ``brackets``: inside a link of ours, every bracket."""
    if not _TEXT_SPECIAL.search(text):  # the usual case, made quick
        if line_start:
            return _escape_line_start(text) if text else text
        if not plain or text[:1] not in ("#", ">", "+", "=", "-"):
            return text
    out = _EMPHASIS.sub(_emphasis, _ENTITY_START.sub("&amp;", text).translate(_ALWAYS))
    if brackets:
        out = out.replace("[", "\\[").replace("]", "\\]")
    else:
        out = _LINK_END.sub("\\]", out)
    if line_start and out:
        out = _escape_line_start(out)
    elif plain and out[:1] in ("#", ">", "+", "=", "-", "["):
        out = "\\" + out
    return out


def _escape_line_start(text: str) -> str:
    """Escape what would open a block at the start of a line (heading, list, quote,
    setext underline, thematic break, ordered list)."""
    if text[0] in "#>+-=[":
        return "\\" + text
    number = _ORDERED.match(text)
    if number:
        return text[: number.end()] + "\\" + text[number.end() :]
    return text


_ORDERED = re.compile(r"\d{1,9}(?=[.)])")


class _Inline:
    """Inline tokens back to Markdown."""

    def __init__(self, cell: bool = False, breaks: bool = False, brackets: bool = False) -> None:
        self.cell = cell  # inside a table: one line, pipes escaped even in code
        self.breaks = breaks  # keep soft and hard line breaks (in a paragraph)
        self.brackets = brackets  # inside a link of ours: every bracket escaped

    def render(self, tokens: Sequence[Token]) -> str:
        parts: list[str] = []
        links: list[str] = []  # destinations of the open links
        line_start = True
        for token in tokens:
            kind = token.type
            if kind == "text":
                parts.append(escape_md(token.content, line_start, brackets=self.brackets))
            elif kind == "code_inline":
                parts.append(self._code(token))
            elif kind in ("softbreak", "hardbreak"):
                if self.breaks:
                    parts.append("\\\n" if kind == "hardbreak" else "\n")
                    line_start = True
                    continue
                parts.append(" ")
            elif kind == "link_open":
                links.append(_destination(str(token.attrGet("href") or ""), token))
                parts.append("[")
            elif kind == "link_close":
                parts.append("](" + links.pop() + ")")
            elif kind == "image":
                alt = _Inline(self.cell).render(token.children or [])
                parts.append(f"![{alt}]({_destination(str(token.attrGet('src') or ''), token)})")
            elif kind.endswith(("_open", "_close")):  # em, strong, s
                parts.append(token.markup)
            else:  # html_inline is not produced (html off); anything else as plain text
                parts.append(escape_md(token.content))
            line_start = False
        return "".join(parts)

    def _code(self, token: Token) -> str:
        content = token.content
        if self.cell:
            content = content.replace("|", "\\|")
        longest = _longest_run(content, "`")
        fence = token.markup if len(token.markup) != longest else "`" * (longest + 1)
        if (
            not content.strip(" ")
            or content[0] == "`"
            or content[-1] == "`"
            or (content[0] == " " and content[-1] == " ")
        ):
            content = f" {content} "
        return f"{fence}{content}{fence}"


def _longest_run(text: str, char: str) -> int:
    longest = current = 0
    for c in text:
        current = current + 1 if c == char else 0
        longest = max(longest, current)
    return longest


def _destination(url: str, token: Token) -> str:
    if not url or any(c in url for c in " <>()\\\n"):
        url = "<" + url.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>") + ">"
    title = token.attrGet("title")
    if title:
        url += ' "' + str(title).replace("\\", "\\\\").replace('"', '\\"') + '"'
    return url


def to_markdown(tokens: list[Token]) -> str:
    """Block tokens back to Markdown: ATX headings, fenced code (always closed), inline
    links, tables; plan text comes out as the same document, made inert."""
    return _Blocks(tokens).render().strip("\n")


class _Blocks:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def render(self) -> str:
        return self._until(None)

    def _until(self, closing: str | None, tight: bool = False) -> str:
        """Blocks up to the token of type ``closing`` (consumed), joined by blank lines
        (by single line breaks in a tight list item)."""
        blocks: list[str] = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if token.type == closing:
                break
            blocks.append(self._block(token))
        return ("\n" if tight else "\n\n").join(b for b in blocks if b != "")

    def _block(self, token: Token) -> str:
        kind = token.type
        if kind == "paragraph_open":
            text = self._inline(self.tokens[self.pos])
            self.pos += 2  # inline, paragraph_close
            return text
        if kind == "heading_open":
            text = self._inline(self.tokens[self.pos])
            self.pos += 2
            return "#" * int(token.tag[1]) + " " + text.replace("\n", " ")
        if kind in ("fence", "code_block"):
            return _fence(token)
        if kind == "hr":
            return "---"
        if kind == "blockquote_open":
            inner = self._until("blockquote_close")
            return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self._list(token)
        if kind == "table_open":
            return self._table()
        if kind == "inline":
            return self._inline(token)
        return escape_md(token.content, line_start=True) if token.content else ""

    def _inline(self, token: Token) -> str:
        return _Inline(breaks=True).render(token.children or [])

    def _list(self, opening: Token) -> str:
        ordered = opening.type == "ordered_list_open"
        closing = "ordered_list_close" if ordered else "bullet_list_close"
        number = int(opening.attrGet("start") or 1) if ordered else 0
        tight = self.pos < len(self.tokens) and self.tokens[self.pos + 1].hidden
        items: list[str] = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if token.type == closing:
                break
            if token.type != "list_item_open":
                continue
            marker = f"{number}{opening.markup}" if ordered else opening.markup
            number += 1
            body = self._until("list_item_close", tight=tight)
            pad = " " * (len(marker) + 1)
            lines = body.split("\n") if body else [""]
            items.append(
                "\n".join(
                    [f"{marker} {lines[0]}".rstrip()]
                    + [f"{pad}{line}" if line else "" for line in lines[1:]]
                )
            )
        return ("\n" if tight else "\n\n").join(items)

    def _table(self) -> str:
        rows: list[list[str]] = []
        aligns: list[str] = []
        row: list[str] = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if token.type == "table_close":
                break
            if token.type == "tr_open":
                row = []
            elif token.type == "tr_close":
                rows.append(row)
            elif token.type in ("th_open", "td_open"):
                if token.type == "th_open":
                    aligns.append(str(token.attrGet("style") or ""))
                cell = self.tokens[self.pos]
                row.append(_Inline(cell=True).render(cell.children or []))
                self.pos += 2  # inline, th/td_close
        if not rows:
            return ""
        rule = {"text-align:left": ":--", "text-align:right": "--:", "text-align:center": ":-:"}
        lines = ["| " + " | ".join(cells) + " |" for cells in rows]
        lines.insert(1, "| " + " | ".join(rule.get(a, "---") for a in aligns) + " |")
        return "\n".join(lines)


def _fence(token: Token) -> str:
    """A code block, fenced and closed, its content byte for byte."""
    content = (
        token.content
        if token.content.endswith("\n") or not token.content
        else (token.content + "\n")
    )
    char = token.markup[:1] if token.type == "fence" and token.markup else "`"
    longest = _longest_run(content, char)
    fence = char * max(3, len(token.markup) if token.type == "fence" else 3, longest + 1)
    info = token.info.strip() if token.type == "fence" else ""
    if char == "`" and "`" in info:
        info = ""  # a backtick fence's info string may not hold backticks
    return f"{fence}{info}\n{content}{fence}"


# ----------------------------------------------------------------------------- helpers


def text_escape(text: str | None) -> Markup:
    return escape(text or "")


@lru_cache(maxsize=16384)
def slug(text: str) -> str:
    """An id fragment: lowercase ASCII letters and digits joined by dashes (memoised:
    each code, number and field key is slugged for every id that contains it)."""
    folded = text.lower() if text.isascii() else fold(text)  # codes and numbers: ASCII
    return _NOT_SLUG.sub("-", folded).strip("-") or "x"


_NOT_SLUG = re.compile(r"[^a-z0-9]+")
