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
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Plan files are hand-written; anything larger is a mistake (or an attack).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Deepest nesting of ``steps`` or of the strategy tree that we accept.
MAX_TREE_DEPTH = 12
#: Deepest nesting of any YAML data (steps at MAX_TREE_DEPTH need about 2 levels each).
MAX_DATA_DEPTH = 40


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
    """Parse YAML text into plain data, or raise :class:`SourceError`.

    The events come from ruamel.yaml's C parser (libyaml); the data is built here, in one
    pass with an explicit stack: the YAML 1.2 core schema as ruamel.yaml resolves it, with
    duplicate keys, aliases and merge keys refused on the way. This is several times faster
    than ruamel.yaml's own constructor, which is the floor the benchmarks compare against;
    tests check that both give the same data.
    """
    yaml = _yaml()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = _construct(yaml.parse(text), text)
    except MarkedYAMLError as exc:
        raise _marked("CTG001", exc, _syntax_message(exc)) from None
    except YAMLError as exc:
        raise SourceError("CTG001", f"YAML error: {_first_line(str(exc))}") from None
    finally:
        _forget(yaml)
    if data is None:
        raise SourceError("CTG003", "file holds no data (only comments?)")
    return data


def _forget(yaml: YAML) -> None:
    # ruamel.yaml keeps a record of every document a YAML instance has read; this process
    # may read tens of thousands.
    infos = getattr(yaml, "doc_infos", None)
    if isinstance(infos, list):
        infos.clear()


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    _STR,
}
_resolver_table: dict[str, list[tuple[str, Any]]] = {}
_safe_constructor: list[Any] = []


def _implicit_tag(value: str) -> str:
    """The tag YAML 1.2 (as ruamel.yaml reads it) gives a plain scalar."""
    if not _resolver_table:
        from ruamel.yaml.resolver import implicit_resolvers

        for versions, tag, regexp, first in implicit_resolvers:
            if (1, 2) in versions:
                for char in first:
                    _resolver_table.setdefault(char, []).append((tag, regexp))
    for tag, regexp in _resolver_table.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


def _scalar(event: Any) -> Any:
    value = event.value
    tag = event.tag
    if tag is None or tag == "!":
        # Quoted, block and explicitly non-specific scalars are strings.
        if tag == "!" or not event.implicit[0] or event.style:
            return value
        tag = _implicit_tag(value)
        if tag == _STR:
            return value
    else:
        tag = str(tag)
        if tag == _STR:
            return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool" and value in ("true", "True", "TRUE"):
        return True
    if tag == "tag:yaml.org,2002:bool" and value in ("false", "False", "FALSE"):
        return False
    if tag == "tag:yaml.org,2002:merge":
        raise _event_error("CTG006", "merge keys (<<) are not allowed in plan files", event)
    if tag not in _SCALAR_TAGS:
        raise _event_error("CTG001", f"YAML tag {tag!r} is not allowed in plan files", event)
    # Numbers and dates are rare in plan files: ruamel.yaml's own conversions handle them.
    from ruamel.yaml.nodes import ScalarNode

    if not _safe_constructor:
        _safe_constructor.append(YAML(typ="safe", pure=False).constructor)
    constructor = _safe_constructor[0]
    node = ScalarNode(tag, value, start_mark=event.start_mark, end_mark=event.end_mark)
    try:
        value_built = constructor.construct_object(node, deep=True)
        if type(value_built) is float:
            return SourceFloat(value_built, value)
        return value_built
    except (YAMLError, ValueError, OverflowError, IndexError, KeyError, TypeError):
        # (ruamel.yaml's constructors raise IndexError for `!!int ""`, KeyError for
        # `!!bool maybe`: all are a value that does not fit its tag.)
        if event.tag is None and tag == "tag:yaml.org,2002:timestamp":
            # Looks like a date but is none (2023-02-30): keep the text, so that the field
            # that expects a date says what is wrong with it.
            return value
        raise _event_error("CTG001", f"invalid {tag.rsplit(':', 1)[-1]} '{value}'", event) from None
    finally:
        # The constructor remembers every node it built; forget them (they hold marks).
        constructor.constructed_objects.clear()
        constructor.recursive_objects.clear()


class SourceFloat(float):
    """A YAML float that remembers how it was written.

    Where text is expected, a number is taken as text (``strategic_objectives: [3.1]``); it
    must be the text the author typed, not Python's spelling of the float: ``1.10`` is
    objective 1.10, not 1.1, and ``2.50`` stays ``2.50``. ``str()`` gives the source text
    (pydantic's ``coerce_numbers_to_str`` uses it); as a number it is an ordinary float."""

    __slots__ = ("text",)

    def __new__(cls, value: float, text: str) -> SourceFloat:
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text

    __repr__ = float.__repr__

    def __reduce__(self) -> Any:  # pickled across processes (parallel validation)
        return (SourceFloat, (float(self), self.text))


def _event_error(code: str, message: str, event: Any) -> SourceError:
    mark = event.start_mark
    return SourceError(code, message, mark.line + 1, mark.column + 1)


def _construct(events: Any, text: str) -> Any:
    """Plain data from a stream of parser events (one document)."""
    from ruamel.yaml.events import (
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
    )

    # Each frame: [container, pending key or _NO_KEY, the container's start event]
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    no_key = _NO_KEY
    for event in events:
        kind = type(event)
        if kind is ScalarEvent:
            value = _scalar(event)
            start = event
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            tag = None if event.tag in (None, "!") else str(event.tag)
            wanted = _MAP if kind is MappingStartEvent else _SEQ
            if tag is not None and tag != wanted:
                raise _event_error("CTG001", f"YAML tag {tag!r} is not allowed here", event)
            container: Any = {} if kind is MappingStartEvent else []
            stack.append([container, no_key, event])
            if len(stack) > MAX_DATA_DEPTH:
                # Stop at once: deeper input only costs time (the parser is quadratic in
                # the depth of flow collections) and no plan file needs it.
                raise _event_error(
                    "CTG006", f"data nested deeper than {MAX_DATA_DEPTH} levels", event
                )
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value, _, start = stack.pop()
        elif kind is AliasEvent:
            raise _event_error(
                "CTG006",
                "YAML aliases (*name) are not allowed in plan files; write the value out",
                event,
            )
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _event_error(
                    "CTG001",
                    "YAML syntax error: a second YAML document ('---'); a plan file holds one",
                    event,
                )
            continue
        elif kind is StreamEndEvent:
            break
        else:
            continue
        # Attach the finished value to its parent.
        if not stack:
            root = value
            continue
        frame = stack[-1]
        parent = frame[0]
        if type(parent) is list:
            parent.append(value)
        elif frame[1] is no_key:
            if isinstance(value, dict | list):
                raise _event_error(
                    "CTG001",
                    "a mapping key must be text or a number, not a list or mapping",
                    start,
                )
            if value in parent:
                raise _duplicate_key(value, event, text)
            frame[1] = value
        else:
            parent[frame[1]] = value
            frame[1] = no_key
    return root


class _NoKey:
    pass


_NO_KEY = _NoKey()


def _duplicate_key(key: Any, event: Any, text: str) -> SourceError:
    mark = event.start_mark
    first = ""
    # Where the key was first defined: look it up only now, in the composed node tree.
    try:
        root = Locator(text)._root
        stack = [root] if root is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, MappingNode):
                keys = [k for k, _ in node.value]
                if any(
                    k.start_mark.line == mark.line and k.start_mark.column == mark.column
                    for k in keys
                ):
                    for k in keys:
                        if isinstance(k, ScalarNode) and k.value == str(key):
                            first = f" (first defined on line {k.start_mark.line + 1})"
                            break
                    break
                stack.extend(v for _, v in node.value)
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)
    except Exception:  # the position is a courtesy; the error stands without it
        first = ""
    return SourceError("CTG005", f"duplicate key '{key}'{first}", mark.line + 1, mark.column + 1)


def _marked(code: str, exc: MarkedYAMLError, message: str) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return SourceError(code, message)
    return SourceError(code, message, mark.line + 1, mark.column + 1)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


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
    if context.startswith("while scanning for the next token"):
        context = ""  # says nothing a reader can use
    if context and exc.problem_mark is not None and exc.context_mark is not None:
        problem += f" ({context} started on line {exc.context_mark.line + 1})"
    elif context:
        problem += f" ({context})"
    return f"YAML syntax error: {problem}" if problem else "YAML syntax error"


class Locator:
    """Maps a data path (keys and indexes) to a 1-based ``(line, column)`` in a file."""

    def __init__(self, text: str) -> None:
        self._keys: dict[int, dict[str, tuple[Node, Node]]] = {}
        self._root: Node | None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._root = _yaml().compose(text)
        except (YAMLError, RecursionError):
            self._root = None
        finally:
            _forget(_yaml())

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
            child, key_node = self._child(target, step)
            if child is None:
                break
            if key and key_node is not None and step is path[-1]:
                target = key_node
                break
            target = child
        mark = target.start_mark
        return (mark.line + 1, mark.column + 1)

    def _child(self, node: Node, step: Any) -> tuple[Node | None, Node | None]:
        if isinstance(node, MappingNode):
            # One dictionary per mapping, built on first use: locating every key of a
            # mapping stays linear in its size (30,000 unknown keys: one pass, not 30,000).
            keys = self._keys.get(id(node))
            if keys is None:
                keys = {}
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode):
                        keys.setdefault(key_node.value, (value_node, key_node))
                self._keys[id(node)] = keys
            return keys.get(str(step), (None, None))
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
