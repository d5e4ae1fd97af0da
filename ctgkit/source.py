"""Reading plan files safely, parsing YAML fast, and finding positions only when needed.

The clean path parses with ruamel.yaml's C-based safe loader, which gives plain Python
data without positions. Positions are recovered lazily by :class:`Locator`, which
composes the same text into a node tree (with marks) the first time a diagnostic needs a
line and column in that file. A valid plan therefore never pays for positions.
"""

from __future__ import annotations

import os
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Plan files are hand-written; anything larger is a mistake (or an attack).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Deepest nesting of ``steps`` or of the strategy tree that we accept.
MAX_TREE_DEPTH = 12


class SourceError(Exception):
    """A file that cannot be read or parsed; carries the rule code and a position."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


@dataclass
class SourceFile:
    """One file of a plan: where it is, what to call it, its text and its data."""

    path: Path  # as found on disk, under the plan root
    display: str  # how diagnostics name it
    text: str = ""
    data: Any = None
    _locator: Locator | None = field(default=None, repr=False)

    def locator(self) -> Locator:
        if self._locator is None:
            self._locator = Locator(self.text)
        return self._locator


_yaml_local: dict[str, YAML] = {}


def _yaml() -> YAML:
    # One loader per process: building a YAML() is not free, and loads are sequential.
    yaml = _yaml_local.get("safe")
    if yaml is None:
        yaml = YAML(typ="safe", pure=False)
        _yaml_local["safe"] = yaml
    return yaml


def is_inside(path: Path, root: Path) -> bool:
    """True when ``path``, with every link followed, stays inside ``root``."""
    try:
        path.resolve(strict=False).relative_to(root.resolve(strict=False))
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def read_text(path: Path, root: Path) -> str:
    """The UTF-8 text of a plan file, or :class:`SourceError`.

    Refuses what would escape the plan (links to the outside), block (FIFOs, devices),
    exhaust memory (huge files) or be garbage (binary, invalid UTF-8, empty).
    """
    if not is_inside(path, root):
        raise SourceError("CTG004", "file is a link to a place outside the plan directory; refused")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SourceError("CTG004", "file does not exist (broken link?)") from None
    except OSError as exc:
        raise SourceError("CTG004", f"cannot read file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError("CTG004", "not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise SourceError(
            "CTG004",
            f"file is too large ({info.st_size / 1e6:.1f} MB; the limit is "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB)",
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SourceError("CTG004", f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError("CTG004", "file is too large")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _byte_position(raw, nul)
        raise SourceError("CTG002", "binary data (NUL byte) in a text file", line, column)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(raw, exc.start)
        raise SourceError(
            "CTG002",
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            line,
            column,
        ) from None
    if not text.strip():
        raise SourceError("CTG003", "file is empty")
    return text


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    # Column in characters: decode the valid prefix of the line leniently.
    column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def parse_yaml(text: str) -> Any:
    """Parse YAML text into plain data with the C loader, or raise :class:`SourceError`."""
    if "&" in text and "*" in text:
        _refuse_aliases(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = _yaml().load(text)
    except DuplicateKeyError as exc:
        raise _marked("CTG005", exc, _duplicate_message(exc)) from None
    except MarkedYAMLError as exc:
        raise _marked("CTG001", exc, _syntax_message(exc)) from None
    except YAMLError as exc:
        raise SourceError("CTG001", f"YAML error: {_first_line(str(exc))}") from None
    except RecursionError:
        raise SourceError("CTG006", "nesting is too deep") from None
    if data is None:
        raise SourceError("CTG003", "file holds no data (only comments?)")
    return data


def _refuse_aliases(text: str) -> None:
    # Aliases let a few lines expand into billions of nodes (the "billion laughs");
    # plan files never need them, so they are refused before anything is built.
    try:
        for event in _yaml().parse(text):
            if isinstance(event, AliasEvent):
                mark = event.start_mark
                raise SourceError(
                    "CTG006",
                    "YAML aliases (*name) are not allowed in plan files; write the value out",
                    mark.line + 1,
                    mark.column + 1,
                )
    except YAMLError:
        return  # the real load reports the syntax error with its position


def _marked(code: str, exc: MarkedYAMLError, message: str) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return SourceError(code, message)
    return SourceError(code, message, mark.line + 1, mark.column + 1)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


def _duplicate_message(exc: DuplicateKeyError) -> str:
    problem = exc.problem or ""
    # 'found duplicate key "a" with value "2" (original value: "1")'
    key = problem.split('"')[1] if problem.count('"') >= 2 else "?"
    first = exc.context_mark
    where = f" (first defined on line {first.line + 1})" if first is not None else ""
    return f"duplicate key '{key}'{where}"


_FRIENDLIER = {
    "found character that cannot start any token": (
        "character that cannot start a YAML token (a tab used for indentation? indent with spaces)"
    ),
    "but found another document": "a second YAML document ('---'); a plan file holds one",
}


def _syntax_message(exc: MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    if "\t" in problem or "'\\t'" in problem:
        problem = "tab character where YAML expects spaces; indent with spaces"
    problem = _FRIENDLIER.get(problem, problem)
    context = (exc.context or "").strip()
    if context and exc.problem_mark is not None and exc.context_mark is not None:
        problem += f" ({context} started on line {exc.context_mark.line + 1})"
    elif context:
        problem += f" ({context})"
    return f"YAML syntax error: {problem}" if problem else "YAML syntax error"


class Locator:
    """Maps a data path (keys and indexes) to a 1-based ``(line, column)`` in a file."""

    def __init__(self, text: str) -> None:
        self._root: Node | None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._root = _yaml().compose(text)
        except (YAMLError, RecursionError):
            self._root = None

    def position(self, path: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
        """Where ``path`` is; as far down the path as the file goes.

        With ``key=True`` and a path ending in a mapping key, the key's own position
        (e.g. for an unknown field) rather than its value's.
        """
        node = self._root
        if node is None:
            return (1, 1)
        target: Node = node
        for step in path:
            child, key_node = _child(target, step)
            if child is None:
                break
            if key and key_node is not None and step is path[-1]:
                target = key_node
                break
            target = child
        mark = target.start_mark
        return (mark.line + 1, mark.column + 1)


def _child(node: Node, step: Any) -> tuple[Node | None, Node | None]:
    if isinstance(node, MappingNode):
        wanted = str(step)
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == wanted:
                return value_node, key_node
        return None, None
    if isinstance(node, SequenceNode) and isinstance(step, int):
        if 0 <= step < len(node.value):
            return node.value[step], None
    return None, None


def nesting_too_deep(value: Any, key: str, limit: int = MAX_TREE_DEPTH) -> tuple[Any, ...] | None:
    """The path of the first ``key`` list nested deeper than ``limit``, if any.

    Recursive models (steps, strategy nodes) are checked before pydantic sees them, so that
    pathological nesting gives a located error instead of exhausting the stack.
    """
    stack: list[tuple[Any, tuple[Any, ...], int]] = [(value, (), 0)]
    while stack:
        current, path, depth = stack.pop()
        if not isinstance(current, list):
            continue
        if depth >= limit:
            return path
        for index, item in enumerate(current):
            if isinstance(item, dict) and isinstance(item.get(key), list):
                stack.append((item[key], (*path, index, key), depth + 1))
    return None
