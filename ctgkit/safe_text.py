"""Plan text made safe to print: nothing a terminal, a CI log or a JSON reader would act on.

Plan files and file names are written by anyone who can open a pull request; what ctg prints
from them must stay text. Characters a terminal would execute or that reorder a line are
shown as escapes (``\\x1b``), never dropped, so no byte of the user's is lost.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls but tab (newline apart), DEL and C1 controls (U+009B is a CSI on many
# terminals), the bidirectional marks, embeddings, overrides and isolates (they reorder what is
# shown), line and paragraph separators, and lone surrogates (bytes of a file name that are
# not UTF-8).
_C0 = "\x00-\x08\x0b-\x1f"
_OTHERS = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_ONE_LINE = re.compile(f"[\n{_C0}{_OTHERS}]")
_MULTI_LINE = re.compile(f"[{_C0}{_OTHERS}]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte that was not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, multiline: bool = False) -> str:
    """``text`` with every control character shown as an escape; newlines kept only when
    ``multiline`` (a one-line field must not start a second, forged, line)."""
    return (_MULTI_LINE if multiline else _ONE_LINE).sub(_escape, text)


# What json.dumps(ensure_ascii=False) leaves raw in strings (it escapes the C0 controls;
# the newlines of its indentation are outside strings and must stay).
_JSON_RAW = re.compile(f"[{_OTHERS}]")


def json_dumps(data: Any, indent: int | None = 2) -> str:
    """JSON that keeps non-ASCII text readable but escapes (``\\u009b``) what a terminal
    would act on. Lossless: a JSON reader gets back exactly the original strings."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def github_escape(text: str, property_value: bool = False) -> str:
    """Text for a GitHub Actions workflow command (``::error file=…::message``).

    Escaped as the Actions toolkit does (``%``, CR, LF, and ``:`` ``,`` in properties), so
    plan text cannot end the command and forge another; other controls are shown as escapes.
    https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
    """
    text = printable(text, multiline=not property_value).replace("%", "%25")
    text = text.replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: ``'`` before a cell it would run as a formula,
    controls shown as escapes (the CSV may be printed on a terminal)."""
    text = str(value)
    return "'" + printable(text) if text.startswith(FORMULA_STARTS) else printable(text)
