"""Why a plan file cannot be read, said plainly: YAML syntax errors, invisible characters and
text encodings, each at the position of its cause and with the fix.

The YAML parser (libyaml) reports where it gave up and in its own words (« did not find
expected key while parsing a block mapping »); the cause is often elsewhere: a line above
that is indented too far, a quote opened two lines earlier, an invisible non-breaking space
pasted from a word processor after ``titre:``. This module looks at the parser's report and at
the lines around it, recognises the usual causes and says what is wrong, where, and what the
line should look like. Invisible characters are confirmed by re-parsing the text with the
character replaced: the one whose replacement makes the error go away (or move further down)
is the cause.

Imported only when a file is broken: reading a valid plan never loads it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .i18n import N_, _

#: Invisible or look-alike characters that break YAML's structure when they stand where YAML
#: expects an ordinary space (or nothing): their name, and whether the fix is an ordinary
#: space (True) or deleting them (False).
INVISIBLE: dict[str, tuple[str, bool]] = {
    "\u00a0": (N_("non-breaking space"), True),
    "\u202f": (N_("narrow non-breaking space"), True),
    "\u2009": (N_("thin space"), True),
    **{
        chr(code): (N_("typographic space"), True)
        for code in range(0x2000, 0x200B)
        if code != 0x2009
    },
    "\u3000": (N_("typographic space"), True),
    "\u200b": (N_("zero-width space"), False),
    "\u200c": (N_("invisible joiner"), False),
    "\u200d": (N_("invisible joiner"), False),
    "\u2060": (N_("invisible joiner"), False),
    "\ufeff": (N_("invisible BOM character"), False),
    "\u00ad": (N_("soft hyphen"), False),
}
INVISIBLE_RE = re.compile("[" + "".join(INVISIBLE) + "]")
_INV = "".join(INVISIBLE)

#: At most this many re-parses to confirm a suspected cause (the error path only).
MAX_PROBES = 8


@dataclass(frozen=True)
class Explanation:
    """A cause: 1-based position and message."""

    line: int
    column: int
    message: str


def describe_char(char: str) -> tuple[str, str]:
    """``(name, code point)`` of an invisible character, e.g. (« espace insécable », U+00A0)."""
    if char == "\t":
        return _("tab"), "U+0009"
    name = INVISIBLE.get(char, (N_("invisible character"), True))[0]
    return _(name), f"U+{ord(char):04X}"


# ----------------------------------------------------------------------------- lines


_BREAK = re.compile(r"\r\n|\r|\n")


_last_lines: list[Any] = [None, []]


def lines_of(text: str) -> list[str]:
    """The lines as YAML counts them (LF, CRLF or CR); the last text's are kept, for the
    many scalars of one file that may ask."""
    if _last_lines[0] is not text:
        _last_lines[:] = [text, _BREAK.split(text)]
    return _last_lines[1]


def show(text: str, limit: int = 72) -> str:
    """A line shown in a message: without its indentation, cut when long."""
    text = text.strip(" \t")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content(line: str) -> str:
    """The line without indentation, or '' for a blank or comment-only line."""
    stripped = line.strip(" \t")
    return "" if not stripped or stripped.startswith("#") else stripped


_LEAD = re.compile(r"[ \t]*((?:-(?:[ \t]+|$))*)")
_KEY = re.compile(r"(?P<key>[^ \t#'\"\[\]{},&*!|>%@`][^#]*?)[ \t]*:(?=[ \t]|$)")


@dataclass(frozen=True)
class Head:
    """How a block line starts: indentation, list dashes, key, where its value starts."""

    indent: int  # column of the first character after the indentation (0-based)
    item: int  # column after the list dashes (== indent when none)
    key: str | None
    key_column: int  # column of the key (0-based), or of the content when no key
    colon: int  # column of the key's ':', or -1
    value: int  # column where the value starts (== len(line) when none)


def head(line: str) -> Head:
    lead = _LEAD.match(line)
    assert lead is not None
    indent = _indent(line)
    item = lead.end()
    key_match = _KEY.match(line, item)
    if key_match is None:
        return Head(indent, item, None, item, -1, item)
    colon = line.index(":", key_match.end("key"))
    value = colon + 1
    while value < len(line) and line[value] in " \t":
        value += 1
    return Head(indent, item, key_match.group("key").rstrip(), item, colon, value)


def _comment_start(line: str, start: int) -> int:
    """Where a trailing ``#`` comment starts in a plain value (or the line's end)."""
    found = re.compile(r"[ \t]#").search(line, start)
    return found.start() if found else len(line)


def quote(value: str) -> str:
    """``value`` as a YAML quoted scalar, the way a person would write it."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return "'" + value.replace("'", "''") + "'"


def quoted_line(line: str, start: int) -> str:
    """``line`` with its value (from ``start``, without a trailing comment) in quotes."""
    end = _comment_start(line, start)
    value = line[start:end].rstrip()
    return line[:start] + quote(value) + line[start + len(value) :]


def _closing_quote(line: str, start: int) -> int | None:
    """Column of the quote closing the quoted scalar opened at ``start`` on the same line
    (None when ``start`` is past the end of the line: the parser counts U+2028, U+2029 and
    U+0085 as line breaks, these lines do not)."""
    if not 0 <= start < len(line):
        return None
    mark = line[start]
    index = start + 1
    while index < len(line):
        char = line[index]
        if mark == '"' and char == "\\":
            index += 2
            continue
        if char == mark:
            if mark == "'" and line[index + 1 : index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return None


# ----------------------------------------------------------------------------- probing


_parser: list[Any] = []


def first_error(text: str) -> tuple[int, int] | None:
    """0-based position of the first YAML syntax error in ``text``, or None if it parses."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    if not _parser:
        _parser.append(YAML(typ="safe", pure=False))
    yaml = _parser[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _event in yaml.parse(text):
                pass
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return (mark.line, mark.column) if mark is not None else (0, 0)
    except (YAMLError, RecursionError):
        return (0, 0)
    finally:
        infos = getattr(yaml, "doc_infos", None)
        if isinstance(infos, list):
            infos.clear()
    return None


def _improves(lines: list[str], number: int, new_line: str, error: tuple[int, int]) -> bool:
    """Whether writing ``new_line`` as line ``number`` removes the error or moves it on."""
    changed = [*lines[:number], new_line, *lines[number + 1 :]]
    after = first_error("\n".join(changed))
    return after is None or after > error


# ----------------------------------------------------------------------------- invisible


def _fix_char(line: str, column: int, delete: bool = False) -> tuple[str, str]:
    """The line with the invisible character at ``column`` fixed, and the fix (a hint): a
    space-like character replaced with an ordinary space, unless ``delete`` or at the end of
    the line or before a ':'; any other deleted."""
    char = line[column]
    rest = line[column + 1 :]
    spacing = INVISIBLE.get(char, ("", True))[1] or char == "\t"
    if spacing and not delete and rest.strip(" \t" + _INV) and not rest.startswith(":"):
        fixed = line[:column] + " " + line[column + 1 :]
        return fixed, _("replace it with an ordinary space: '{line}'").format(line=show(fixed))
    fixed = line[:column] + line[column + 1 :]
    return fixed, _("delete this invisible character: '{line}'").format(line=show(fixed))


def _invisible_where(line: str, column: int) -> str | None:
    """Where an invisible character stands, if it is a place that shapes the YAML."""
    start = len(line) - len(line.lstrip(" \t" + _INV))
    if column < start:
        return "indent" if INVISIBLE[line[column]][1] else "start"
    dash = _DASH.match(line)
    if dash is not None and dash.end() == column:
        return "dash"
    lead = _LEAD.match(line)
    assert lead is not None
    before = line[lead.end() : column]
    if ": " in before or "#" in before or before[:1] in ("'", '"', "[", "{"):
        return None
    if len(before) > 1 and before.endswith(":"):
        return "colon"
    if _KEY_AHEAD.match(line, column) or (before and _KEY_AHEAD.match(line, lead.end())):
        return "key"
    return None


_DASH = re.compile(r"[ \t]*(?:-[ \t]+)*-")
_KEY_AHEAD = re.compile(r"[^:#'\"\[\]{}]*:(?:[ \t]|$)")


def invisible_message(where: str, char: str, key: str, fix: str) -> str:
    name, code = describe_char(char)
    if where == "indent":
        what = _("{name} ({code}) in the indentation: YAML counts only ordinary spaces")
    elif where == "start":
        what = _("{name} ({code}) at the start of the line")
    elif where == "dash":
        what = _("{name} ({code}) after the list dash '-': YAML needs an ordinary space there")
    elif where == "colon":
        what = _("{name} ({code}) after '{key}:': YAML needs an ordinary space after the ':'")
    elif where == "key":
        what = _("{name} ({code}) in the key '{key}'")
    else:
        what = _("{name} ({code}) where YAML expects an ordinary space or nothing")
    problem = what.format(name=name, code=code, key=key)
    return _("{problem}; {fix}").format(problem=problem, fix=fix)


def _key_text(line: str, column: int, where: str) -> str:
    """The key (or value) an invisible character belongs to, shown without it."""
    start = len(line) - len(line.lstrip(" \t-" + _INV))
    if where == "colon":
        return show(line[start : column - 1].replace("\t", " "))
    rest = line[start:]
    colon = re.search(r":(?:[ \t]|$)", rest)
    text = rest[: colon.start()] if colon else rest
    return show(INVISIBLE_RE.sub("", text).strip())


def _invisible_cause(lines: list[str], last: int, error: tuple[int, int]) -> Explanation | None:
    probes = 0
    for number in range(min(last, len(lines) - 1) + 1):
        line = lines[number]
        if not INVISIBLE_RE.search(line):
            continue
        for found in INVISIBLE_RE.finditer(line):
            column = found.start()
            where = _invisible_where(line, column)
            if where is None:
                continue
            tried = set()
            for delete in (False, True):
                fixed, fix = _fix_char(line, column, delete)
                if fixed in tried:
                    continue
                tried.add(fixed)
                probes += 1
                if probes > MAX_PROBES:
                    return None
                if _improves(lines, number, fixed, error):
                    key = _key_text(line, column, where)
                    message = invisible_message(where, line[column], key, fix)
                    return Explanation(number + 1, column + 1, message)
    return None


_DASH_INVISIBLE = re.compile(f"-[{_INV}]")
_COLON_INVISIBLE = re.compile(f"[^\\s:{_INV}]+:[{_INV}]")


def invisible_in_scalar(value: str, text: str, mark: Any, *, key: bool) -> Explanation | None:
    """An invisible character where it changes what YAML reads, though the file parses: in
    the indentation before a key, in a key that names a field (`titre\u00a0:` matches no
    field), or where it hides a key or a list dash inside an unquoted value (`titre:\u00a0x`
    read as one text). A label typed as a key (a group of a grid, `Conditions de vie`) may hold
    non-breaking spaces: labels are compared with spaces folded. Called for every scalar
    that holds such a character: cheap when it does no harm."""
    found = INVISIBLE_RE.search(value)
    if found is None:
        return None
    char = found.group()
    shown = ""
    if key:
        where = "key"
        shown = show(INVISIBLE_RE.sub("", value))
    elif _DASH_INVISIBLE.match(value):
        where = "dash"
    elif _COLON_INVISIBLE.match(value):
        where, shown = "colon", value[: value.index(":")]
    else:
        return None
    lines = lines_of(text)
    line_number, column = mark.line, -1
    if 0 <= mark.line < len(lines):
        column = lines[mark.line].find(char, mark.column)
    if column >= 0:
        place = _invisible_where(lines[line_number], column)
        if not key and place not in ("dash", "colon", "key"):
            return None  # inside a value's text (or a continuation line): it hides nothing
        where = place or where
        if where == "colon":
            shown = _key_text(lines[line_number], column, where)
    if key and not _field_like(value):
        return None
    if column < 0:
        line_number, column = mark.line, mark.column
        fix = (
            _("replace it with an ordinary space")
            if INVISIBLE.get(char, ("", True))[1]
            else _("delete this invisible character")
        )
    else:
        _fixed, fix = _fix_char(lines[line_number], column)
    message = invisible_message(where, char, shown, fix)
    return Explanation(line_number + 1, column + 1, message)


def _field_like(key: str) -> bool:
    """Whether a key holding invisible characters names a field (lowercase, no space once
    they are removed): then it matches no field. A label typed as a key (a group of a grid)
    may hold them, as any text may."""
    cleaned = INVISIBLE_RE.sub("", key)
    return bool(re.fullmatch(r"\w+", cleaned)) and cleaned == cleaned.lower()


# ----------------------------------------------------------------------------- syntax


@dataclass
class _Context:
    text: str
    lines: list[str]
    problem: str
    context: str
    at: tuple[int, int]  # problem position, 0-based
    opened: tuple[int, int] | None  # context position (where the construct started)

    def line(self, number: int) -> str:
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def char(self, position: tuple[int, int]) -> str:
        line = self.line(position[0])
        return line[position[1]] if 0 <= position[1] < len(line) else ""

    def previous(self, number: int) -> int | None:
        """The closest line above ``number`` with content (not blank, not a comment)."""
        for candidate in range(number - 1, -1, -1):
            if _content(self.line(candidate)):
                return candidate
        return None


def explain(exc: Any, text: str) -> Explanation:
    """The cause of a YAML syntax error (a ruamel.yaml MarkedYAMLError), in plain words."""
    problem_mark = exc.problem_mark or exc.context_mark
    at = (problem_mark.line, problem_mark.column) if problem_mark is not None else (0, 0)
    opened = (exc.context_mark.line, exc.context_mark.column) if exc.context_mark else None
    ctx = _Context(
        text, lines_of(text), (exc.problem or "").strip(), (exc.context or "").strip(), at, opened
    )
    last = max(at[0], opened[0] if opened else 0)
    found = _invisible_cause(ctx.lines, last, at)
    if found is None:
        for finder in _FINDERS:
            found = finder(ctx)
            if found is not None:
                break
    if found is None:
        found = _fallback(ctx)
    return found


def _fallback(ctx: _Context) -> Explanation:
    detail = ctx.problem or ctx.context or "?"
    message = _(
        "YAML syntax error ({detail}); check the indentation, the quotes and the brackets "
        "of this line and of the line above"
    ).format(detail=detail)
    return Explanation(ctx.at[0] + 1, ctx.at[1] + 1, message)


def _tab(ctx: _Context) -> Explanation | None:
    line = ctx.line(ctx.at[0])
    if "tab" not in ctx.problem and ctx.char(ctx.at) != "\t":
        return None
    column = ctx.at[1] if ctx.char(ctx.at) == "\t" else line.find("\t")
    if column < 0:
        return None
    if not line[:column].strip(" \t"):
        message = _("tab in the indentation: YAML indents with spaces only; replace it with spaces")
    else:
        message = _("tab where YAML expects a space; replace it with an ordinary space")
    return Explanation(ctx.at[0] + 1, column + 1, message)


def _quote_end(lines: list[str], number: int, start: int) -> tuple[int, int] | None:
    """Where the quoted scalar opened at ``(number, start)`` ends, across lines."""
    mark = lines[number][start]
    column = start + 1
    for current in range(number, min(len(lines), number + 2000)):
        line = lines[current]
        while column < len(line):
            char = line[column]
            if mark == '"' and char == "\\":
                column += 2
                continue
            if char == mark:
                if mark == "'" and line[column + 1 : column + 2] == "'":
                    column += 2
                    continue
                return current, column
            column += 1
        column = 0
    return None


def _unclosed_quote(ctx: _Context) -> Explanation | None:
    number, column = -1, -1
    opened = ctx.opened
    if opened is not None and ctx.context.startswith(
        ("while scanning a quoted scalar", "while scanning a simple key")
    ):
        line = ctx.line(opened[0])
        if ctx.char(opened) in ('"', "'") and (
            ctx.context.startswith("while scanning a quoted scalar")
            or _closing_quote(line, opened[1]) is None
        ):
            number, column = opened
    if number < 0:
        # A quote left open on an earlier line, closed by the next quote further down,
        # just before where the parser stopped.
        for candidate in range(min(ctx.at[0], len(ctx.lines) - 1) - 1, -1, -1):
            line = ctx.line(candidate)
            start = head(line).value
            if start >= len(line) or line[start] not in "\"'":
                continue
            if _closing_quote(line, start) is not None:
                continue
            end = _quote_end(ctx.lines, candidate, start)
            if end is None or end[0] != ctx.at[0]:
                break  # the nearest open quote is not the one that ends on the error line
            if not ctx.line(end[0])[end[1] + 1 : ctx.at[1]].strip(" \t"):
                number, column = candidate, start
            break
    if number < 0:
        return None
    line = ctx.line(number)
    mark = line[column] if column < len(line) else '"'
    fixed = line.rstrip() + mark
    message = _(
        "the quote {quote} opened here is never closed; add the closing {quote} at the end of "
        "the value: '{line}'"
    ).format(quote=mark, line=show(fixed))
    return Explanation(number + 1, column + 1, message)


def _after_quote(ctx: _Context) -> Explanation | None:
    """Text after the closing quote of a value, or an apostrophe closing a 'value'."""
    number, column = ctx.at
    line = ctx.line(number)
    start = head(line).value
    if start >= len(line) or line[start] not in "\"'" or column <= start:
        return None
    close = _closing_quote(line, start)
    if close is None or close >= column or line[close + 1 : column].strip(" \t"):
        return None
    mark = line[start]
    value_end = _comment_start(line, start)
    whole = line[start:value_end].rstrip()
    if mark == "'" and close + 1 == column and line[close - 1 : close].isalpha():
        words = re.match(r"\w*", line[column:])
        word = line[start + 1 : close].split(" ")[-1] + "'" + (words.group() if words else "")
        fixed = line[:start] + quote(whole[1:-1] if whole.endswith("'") else whole[1:])
        message = _(
            "the apostrophe of '{word}' ends the value in single quotes opened at column "
            "{column}; put the value in double quotes: '{line}'"
        ).format(word=word, column=start + 1, line=show(fixed + line[value_end:]))
        return Explanation(number + 1, close + 1, message)
    fixed = quoted_line(line, start)
    message = _(
        "text after the closing quote: a value in quotes must end with its quote; put the "
        "whole value in quotes: '{line}'"
    ).format(line=show(fixed))
    return Explanation(number + 1, column + 1, message)


_BRACKETS = {"[": "]", "{": "}"}


def _depth_after(line: str, start: int) -> int:
    """Brackets still open at the end of ``line`` counting from ``start`` (quotes skipped)."""
    depth = 0
    index = start
    while index < len(line):
        char = line[index]
        if char in "\"'":
            close = _closing_quote(line, index)
            if close is None:
                return depth
            index = close + 1
            continue
        if char == "#" and index > 0 and line[index - 1] in " \t":
            break
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        index += 1
    return depth


def _flow(ctx: _Context) -> Explanation | None:
    if not ctx.context.startswith(("while parsing a flow", "while scanning a flow")):
        return None
    if ctx.opened is None:
        return None
    number, column = ctx.opened
    line = ctx.line(number)
    if line[column : column + 1] not in _BRACKETS:
        column = max(line.rfind("[", 0, column + 1), line.rfind("{", 0, column + 1))
        if column < 0:
            return None
    opening = line[column]
    closing = _BRACKETS[opening]
    if ctx.at[0] > number and _depth_after(line, column) > 0:
        following = [n for n in range(number + 1, ctx.at[0]) if _content(ctx.line(n))]
        if following:
            message = _(
                "the '{opening}' opened here is not closed before line {line}; close it with "
                "'{closing}'"
            ).format(opening=opening, closing=closing, line=ctx.at[0] + 1)
        else:
            end = _comment_start(line, column)
            fixed = line[:end].rstrip().rstrip(",") + closing + line[end:]
            message = _(
                "the '{opening}' opened here is never closed; close it with '{closing}' on "
                "the same line: '{line}'"
            ).format(opening=opening, closing=closing, line=show(fixed))
        return Explanation(number + 1, column + 1, message)
    message = _(
        "in the list between '{opening}' and '{closing}', a ',' or '{closing}' is expected "
        "here; separate the items with commas, and put an item that holds ':' in quotes"
    ).format(opening=opening, closing=closing)
    return Explanation(ctx.at[0] + 1, ctx.at[1] + 1, message)


def _candidates(ctx: _Context, number: int) -> list[tuple[int, int, str]]:
    """``(column, line, key)`` of the blocks open above line ``number``, innermost first:
    the columns a line there may line up with (0-based)."""
    found: list[tuple[int, int, str]] = []
    limit = 10**9
    for candidate in range(number - 1, -1, -1):
        line = ctx.line(candidate)
        if not _content(line):
            continue
        info = head(line)
        if info.key is None and info.item == info.indent:
            continue  # a line of text, not a key nor a list item
        if info.item > info.indent and info.item < limit and info.key is not None:
            found.append((info.item, candidate, info.key))
            limit = info.item
        if info.indent < limit:
            label = info.key if info.item == info.indent and info.key else show(line, 30)
            found.append((info.indent, candidate, label))
            limit = info.indent
        if limit == 0:
            break
    return found


_BLOCK_INDICATOR = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?$")


def _block_text(ctx: _Context, number: int) -> Explanation | None:
    """A line of a ``|`` or ``>`` text less indented than the text's first line."""
    column = _indent(ctx.line(number))
    for candidate in range(number - 1, -1, -1):
        line = ctx.line(candidate)
        if not line.strip(" \t"):
            continue
        indent = _indent(line)
        info = head(line)
        if indent >= column and not (
            info.key is not None and _BLOCK_INDICATOR.match(line, info.value)
        ):
            continue  # a line of the text (or deeper)
        if info.key is None or not _BLOCK_INDICATOR.match(line, info.value):
            return None
        if indent >= column:
            return None
        first = next((n for n in range(candidate + 1, number) if ctx.line(n).strip(" \t")), None)
        if first is None or _indent(ctx.line(first)) <= column:
            return None
        message = _(
            "text of '{key}' not lined up: its first line (line {first}) starts at column "
            "{expected}, and its other lines must start there too; this line starts at column "
            "{column}"
        ).format(
            key=info.key, first=first + 1, expected=_indent(ctx.line(first)) + 1, column=column + 1
        )
        return Explanation(number + 1, column + 1, message)
    return None


def _misaligned(ctx: _Context, number: int) -> Explanation:
    line = ctx.line(number)
    column = _indent(line)
    found = _block_text(ctx, number)
    if found is not None:
        return found
    options = [c for c in _candidates(ctx, number) if c[0] != column]
    below = [c for c in options if c[0] < column][:1]
    above = [c for c in options if c[0] > column][-1:]
    chosen = sorted(below + above, key=lambda c: (abs(c[0] - column), -c[0]))
    if len(chosen) == 2:
        (c1, l1, k1), (c2, l2, k2) = chosen
        message = _(
            "indentation that does not line up: this line starts at column {column}; line it "
            "up with '{first}' (column {first_column}, line {first_line}) or with '{second}' "
            "(column {second_column}, line {second_line})"
        ).format(
            column=column + 1,
            first=k1,
            first_column=c1 + 1,
            first_line=l1 + 1,
            second=k2,
            second_column=c2 + 1,
            second_line=l2 + 1,
        )
    elif chosen:
        (c1, l1, k1) = chosen[0]
        message = _(
            "indentation that does not line up: this line starts at column {column}; line it "
            "up with '{first}' (column {first_column}, line {first_line})"
        ).format(column=column + 1, first=k1, first_column=c1 + 1, first_line=l1 + 1)
    else:
        message = _(
            "indentation that does not line up: this line starts at column {column}, but the "
            "keys of the first level start at column 1"
        ).format(column=column + 1)
    return Explanation(number + 1, column + 1, message)


def _mapping_values(ctx: _Context) -> Explanation | None:
    """« mapping values are not allowed here »: a ':' where the parser reads a value."""
    if not ctx.problem.startswith("mapping values are not allowed"):
        return None
    number, column = ctx.at
    line = ctx.line(number)
    info = head(line)
    key = info.key or ""
    if info.colon >= 0 and column > info.colon:
        fixed = quoted_line(line, info.value)
        message = _(
            "':' followed by a space inside the value of '{key}': YAML takes it for a new key; "
            "put the value in quotes: '{line}'"
        ).format(key=key, line=show(fixed))
        return Explanation(number + 1, column + 1, message)
    previous = ctx.previous(number)
    if previous is None:
        return None
    found = _text_start(ctx, number, info.indent) or _block_text(ctx, number)
    if found is not None:
        return found
    above = ctx.line(previous)
    above_head = head(above)
    if key.endswith(" ") or " :" in line[: column + 1] or len(key.split()) > 3:
        # A ':' in the second line of a long text (« … pour les enfants : accueil »).
        owner = above_head.key or show(above, 30)
        message = _(
            "':' followed by a space inside the text of '{key}': YAML takes it for a new key; "
            "put the whole text in quotes"
        ).format(key=owner)
        return Explanation(number + 1, column + 1, message)
    if info.indent > above_head.indent and above_head.value < len(above.rstrip()):
        sibling = above_head.key or show(above, 30)
        expected = above_head.key_column
        if expected == info.indent:
            expected = above_head.indent
        message = _(
            "indentation too deep: this line (column {column}) is indented further than "
            "'{previous}' above, which already has a value, so YAML reads it as the rest of "
            "that value; line it up with its siblings, at column {expected}"
        ).format(column=info.indent + 1, previous=sibling, expected=expected + 1)
        return Explanation(number + 1, info.indent + 1, message)
    return None


_STRAY_START = re.compile(r" *(?:-(?P<after_dash>[^ \t\w])|(?P<first>[^\w \t#'\"-]))")


def _stray_start(line: str, number: int) -> Explanation | None:
    """A stray character at the start of a line that is otherwise a key or a list item
    (``[- item``, ``-" item``, ``]étapes:``)."""
    found = _STRAY_START.match(line)
    if found is None:
        return None
    group = "after_dash" if found.group("after_dash") else "first"
    column = found.start(group)
    fixed = line[:column] + line[column + 1 :]
    info = head(fixed)
    if info.key is None and info.item == info.indent:
        return None
    message = _("unexpected character '{char}' here; delete it, or put the value in quotes")
    return Explanation(number + 1, column + 1, message.format(char=line[column]))


def _text_start(ctx: _Context, number: int, indent: int) -> Explanation | None:
    """The line above ``number`` that made YAML read the following lines as one long text:
    a key without a space after its ':', or a line without ':' where a key belongs."""
    candidate: int | None = number
    for _step in range(12):
        candidate = ctx.previous(candidate) if candidate is not None else None
        if candidate is None:
            return None
        line = ctx.line(candidate)
        missing = _missing_space(line)
        if missing is not None:
            return Explanation(candidate + 1, missing.column, missing.message)
        info = head(line)
        if info.key is not None or info.item != info.indent:
            return None  # a proper key or a list item: the text does not start above it
        if info.indent == indent and ":" not in line:
            stray = _stray_start(line, candidate)
            if stray is not None:
                return stray
            message = _("no ':' on this line: a field is written 'key: value'")
            return Explanation(candidate + 1, info.indent + 1, message)
    return None


_NO_SPACE = re.compile(r"(?P<key>[^ \t:#'\"\[\]{}][^:#'\"]*?):(?P<after>[^ \t:/\\])")


def _missing_space(line: str) -> Explanation | None:
    """``titre:Valeur``: the ':' of a key not followed by a space."""
    lead = _LEAD.match(line)
    assert lead is not None
    found = _NO_SPACE.match(line, lead.end())
    if found is None or INVISIBLE_RE.match(found.group("after")):
        return None
    colon = found.end("key")
    fixed = line[: colon + 1] + " " + line[colon + 1 :]
    text = show(line[lead.end() :], 40)
    message = _(
        "missing space after ':' in '{text}': YAML reads the whole line as one text; write '{line}'"
    ).format(text=text, line=show(fixed))
    return Explanation(0, colon + 1, message)


def _colon_without_space(ctx: _Context) -> Explanation | None:
    """« found unexpected ':' »: ``{libellé:x}``, a ':' not followed by a space in a list."""
    if not ctx.problem.startswith("found unexpected ':'") or ctx.char(ctx.at) != ":":
        return None
    number, column = ctx.at
    line = ctx.line(number)
    start = max(line.rfind(mark, 0, column) for mark in "{[,") + 1
    ends = [i for i in (line.find(mark, column) for mark in ",]}") if i >= 0]
    text = show(line[start : min(ends) if ends else len(line)], 40)
    fixed = line[: column + 1] + " " + line[column + 1 :]
    message = _(
        "missing space after ':' in '{text}': YAML reads the whole line as one text; write '{line}'"
    ).format(text=text, line=show(fixed))
    return Explanation(number + 1, column + 1, message)


def _simple_key(ctx: _Context) -> Explanation | None:
    """« could not find expected ':' »: a line that should be ``key: value`` is not."""
    if not ctx.problem.startswith("could not find expected ':'") or ctx.opened is None:
        return None
    number = ctx.opened[0]
    line = ctx.line(number)
    missing = _missing_space(line)
    if missing is not None:
        return Explanation(number + 1, missing.column, missing.message)
    info = head(line)
    stray = _stray_start(line, number)
    if stray is not None:
        return stray
    if info.key is not None or ":" in line[info.item :]:
        return None
    previous = ctx.previous(number)
    above = head(ctx.line(previous)) if previous is not None else None
    plain = above is not None and ctx.line(previous)[above.value : above.value + 1] not in (
        "",
        *"[{\"'|>&*!",
    )
    if above is not None and above.key is not None and plain:
        message = _(
            "no ':' on this line: if it continues the text of '{key}' above, indent it (column "
            "{column} or further); if it is a field, write it 'key: value'"
        ).format(key=above.key, column=above.key_column + 3)
    else:
        message = _("no ':' on this line: a field is written 'key: value'")
    return Explanation(number + 1, info.item + 1, message)


def _node_content(ctx: _Context) -> Explanation | None:
    """« did not find expected node content »: a value that starts with ',' or a bracket."""
    if not ctx.problem.startswith("did not find expected node content"):
        return None
    return _stray(ctx)


def _block_mapping(ctx: _Context) -> Explanation | None:
    """« did not find expected key »: a line inside a block of keys that is not a key."""
    if not ctx.problem.startswith("did not find expected key"):
        return None
    number, column = ctx.at
    line = ctx.line(number)
    char = ctx.char(ctx.at)
    at_start = column == _indent(line)
    if at_start and char == "-":
        return _dash_among_keys(ctx, number)
    if at_start:
        return _misaligned(ctx, number)
    return _stray(ctx)


def _dash_among_keys(ctx: _Context, number: int) -> Explanation:
    line = ctx.line(number)
    column = _indent(line)
    # A list above, whose items are deeper: the item probably belongs to it.
    for candidate in range(number - 1, -1, -1):
        above = ctx.line(candidate)
        if not _content(above):
            continue
        if _indent(above) < column:
            break
        if above.lstrip(" ").startswith("-") and _indent(above) > column:
            owner = _owner(ctx, candidate, _indent(above))
            if owner is not None:
                message = _(
                    "list item '-' among keys, at column {column}: if it belongs to the list "
                    "'{key}' (line {line}), indent it like the other items, at column {expected}"
                ).format(
                    column=column + 1, key=owner[1], line=owner[0] + 1, expected=_indent(above) + 1
                )
                return Explanation(number + 1, column + 1, message)
            break
    message = _(
        "list item '-' among keys, at column {column}: a block holds either keys or list "
        "items; put the item under a key, or write it 'key: value'"
    ).format(column=column + 1)
    return Explanation(number + 1, column + 1, message)


def _owner(ctx: _Context, number: int, column: int) -> tuple[int, str] | None:
    """The key whose list has its items at ``column``, searching up from ``number``."""
    for candidate in range(number, -1, -1):
        line = ctx.line(candidate)
        if not _content(line):
            continue
        info = head(line)
        if info.indent < column and info.key is not None:
            return candidate, info.key
        if info.indent < column:
            return None
    return None


def _block_sequence(ctx: _Context) -> Explanation | None:
    """« did not find expected '-' indicator »: a line among list items that is not one."""
    if not ctx.problem.startswith("did not find expected '-'") or ctx.opened is None:
        return None
    number, column = ctx.at
    line = ctx.line(number)
    if column != _indent(line):
        return _stray(ctx)
    list_column = ctx.opened[1]
    info = head(line)
    if column == list_column and info.key is not None:
        owner = _owner(ctx, ctx.opened[0], list_column)
        if owner is not None:
            expected = _indent(ctx.line(owner[0]))
            message = _(
                "key '{key}' among the items of the list '{owner}', at column {column}: a new "
                "field goes at column {expected}, like '{owner}'; an item starts with '- '"
            ).format(key=info.key, owner=owner[1], column=column + 1, expected=expected + 1)
            return Explanation(number + 1, column + 1, message)
    return _misaligned(ctx, number)


def _document_start(ctx: _Context) -> Explanation | None:
    if not ctx.problem.startswith("did not find expected <document start>"):
        return None
    first = next((n for n, line in enumerate(ctx.lines) if _content(line)), None)
    if first is not None and _indent(ctx.line(first)) > 0 and first < ctx.at[0]:
        column = _indent(ctx.line(first))
        message = _(
            "the first line is indented (column {column}); the keys of the first level start "
            "at column 1"
        ).format(column=column + 1)
        return Explanation(first + 1, column + 1, message)
    found = _text_start(ctx, ctx.at[0], _indent(ctx.line(ctx.at[0])))
    if found is not None:
        return found
    for number in range(ctx.at[0], -1, -1):
        if ctx.line(number).rstrip() == "...":
            message = _("'...' ends the YAML document, and text follows; delete this line")
            return Explanation(number + 1, 1, message)
    return None


def _value_indicator(ctx: _Context) -> Explanation | None:
    """A value starting with a character YAML reserves: ``@``, a backquote, ``*``, ``&``,
    ``|``, ``>``, or ``- `` on the line of its key."""
    if ctx.problem.startswith("block sequence entries are not allowed"):
        number, column = ctx.at
        line = ctx.line(number)
        key = head(line).key or ""
        message = _(
            "a list cannot start on the line of its key '{key}': put each item on its own "
            "line below, indented; or, if it is text, put it in quotes: '{line}'"
        ).format(key=key, line=show(quoted_line(line, column)))
        return Explanation(number + 1, column + 1, message)
    if (
        ctx.context.startswith(
            (
                "while scanning an alias",
                "while scanning an anchor",
                "while scanning a block scalar",
                "while scanning a directive",
                "while scanning a tag",
            )
        )
        and ctx.opened is not None
    ):
        number, column = ctx.opened
    elif ctx.problem.startswith("found character that cannot start any token"):
        number, column = ctx.at
    else:
        return None
    line = ctx.line(number)
    char = line[column] if column < len(line) else ""
    if not char or char in " \t":
        return None
    info = head(line)
    if column not in (info.value, info.item):
        message = _("unexpected character '{char}' here; delete it, or put the value in quotes")
        return Explanation(number + 1, column + 1, message.format(char=char))
    key = _RESERVED_KEY.match(line, column) if column == info.item else None
    if key is not None:
        end = key.end(1)
        fixed = line[:column] + quote(line[column:end]) + line[end:]
    else:
        fixed = quoted_line(line, column)
    message = _(
        "a key or a value cannot start with '{char}' (YAML reserves it); put it in quotes: '{line}'"
    ).format(char=char, line=show(fixed))
    return Explanation(number + 1, column + 1, message)


_RESERVED_KEY = re.compile(r"([^:#'\"]+?)[ \t]*:(?:[ \t]|$)")


def _stray(ctx: _Context) -> Explanation | None:
    """Something after a complete value on the same line."""
    number, column = ctx.at
    line = ctx.line(number)
    char = ctx.char(ctx.at)
    found = _after_quote(ctx)
    if found is not None:
        return found
    if char in "]}":
        info = head(line)
        if _depth_after(line[: column + 1], info.value) < 0:
            opening = "[" if char == "]" else "{"
            message = _("'{char}' with no '{opening}' to close; delete it").format(
                char=char, opening=opening
            )
            return Explanation(number + 1, column + 1, message)
    before = line[:column].rstrip(" \t")
    if before.endswith(("]", "}")):
        info = head(line)
        closing = before[-1]
        opening = "[" if closing == "]" else "{"
        message = _(
            "text after the '{closing}' that closes a list: a value that starts with "
            "'{opening}' is a list; if it is text, put it in quotes: '{line}'"
        ).format(closing=closing, opening=opening, line=show(quoted_line(line, info.value)))
        return Explanation(number + 1, column + 1, message)
    if char:
        message = _("unexpected character '{char}' here; delete it, or put the value in quotes")
        return Explanation(number + 1, column + 1, message.format(char=char))
    return None


_FINDERS = (
    _tab,
    _unclosed_quote,
    _flow,
    _value_indicator,
    _mapping_values,
    _simple_key,
    _colon_without_space,
    _block_mapping,
    _block_sequence,
    _node_content,
    _document_start,
)


def position_of(text: str, index: int) -> tuple[int, int]:
    """1-based ``(line, column)`` of character ``index`` of ``text``."""
    before = text[:index]
    starts = [m.end() for m in _BREAK.finditer(before)]
    line = len(starts) + 1
    return line, index - (starts[-1] if starts else 0) + 1


# ----------------------------------------------------------------------------- encodings


def resave_hint(encoding: str) -> str:
    """How to save a file again in UTF-8 with the usual editors."""
    if encoding.startswith("UTF-16"):
        return _(
            "save it again as UTF-8: in Notepad, File > Save as…, Encoding: UTF-8; in VS Code, "
            "click '{encoding}' in the status bar, then 'Save with Encoding' > UTF-8; in "
            "LibreOffice, File > Save as…, tick 'Edit filter settings' and choose "
            "Unicode (UTF-8)"
        ).format(encoding=encoding)
    return _(
        "save it again as UTF-8: in Notepad, File > Save as…, Encoding: UTF-8; in VS Code, "
        "click 'UTF-8' in the status bar, 'Reopen with Encoding' > Western (Windows 1252), then "
        "'Save with Encoding' > UTF-8; in LibreOffice, open it as Western Europe "
        "(Windows-1252), then File > Save as…, tick 'Edit filter settings' and choose "
        "Unicode (UTF-8)"
    )


def utf16(raw: bytes) -> str | None:
    """``UTF-16 LE`` or ``UTF-16 BE`` when ``raw`` is text saved in UTF-16, else None."""
    if raw[:2] == b"\xff\xfe":
        name, codec, body = "UTF-16 LE", "utf-16-le", raw[2:]
    elif raw[:2] == b"\xfe\xff":
        name, codec, body = "UTF-16 BE", "utf-16-be", raw[2:]
    else:
        sample = raw[:4096]
        pairs = len(sample) // 2
        if pairs < 2:
            return None
        even, odd = sample[0 : pairs * 2 : 2], sample[1 : pairs * 2 : 2]
        if odd.count(0) >= 0.3 * pairs and even.count(0) <= 0.05 * pairs:
            name, codec, body = "UTF-16 LE", "utf-16-le", raw
        elif even.count(0) >= 0.3 * pairs and odd.count(0) <= 0.05 * pairs:
            name, codec, body = "UTF-16 BE", "utf-16-be", raw
        else:
            return None
    try:
        text = body[: len(body) // 2 * 2].decode(codec)
    except UnicodeDecodeError:
        return None
    if not text.strip():
        return name if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else None
    if any(not (char.isprintable() or char in "\t\n\r") for char in text):
        return None
    latin = sum(1 for char in text if ord(char) < 0x250 or 0x2000 <= ord(char) < 0x2070)
    return name if latin >= 0.9 * len(text) else None


#: What a Windows-1252 byte that is not UTF-8 probably is, when it is a letter or a sign
#: French text uses.
_FRENCH_SIGNS = "«»‘’“”–—…€°œŒ"


def windows_1252(raw: bytes, offset: int) -> str | None:
    """The character the byte at ``offset`` is in Windows-1252 (or Latin-1), when the file
    reads as such text; None when it does not look like it."""
    byte = raw[offset : offset + 1]
    try:
        char = byte.decode("cp1252")
    except UnicodeDecodeError:
        char = byte.decode("latin-1")
    if not (char.isalpha() or char in _FRENCH_SIGNS):
        return None
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if any(not (c.isprintable() or c in "\t\n\r") for c in text):
        return None
    return char


def iter_invisible(text: str) -> Iterator[re.Match[str]]:
    return INVISIBLE_RE.finditer(text)
