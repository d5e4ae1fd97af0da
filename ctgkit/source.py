"""Reading plan files safely, parsing YAML fast, and finding positions only when needed.

The clean path parses with ruamel.yaml's C-based safe loader, which gives plain Python
data without positions. Positions are recovered lazily by :class:`Locator`, which
composes the same text into a node tree (with marks) the first time a diagnostic needs a
line and column in that file. A valid plan therefore never pays for positions.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from .i18n import N_, _

#: Plan files are hand-written; anything larger is a mistake (or an attack).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Deepest nesting of ``steps`` or of the strategy tree that we accept.
MAX_TREE_DEPTH = 12
#: Deepest nesting of any YAML data (steps at MAX_TREE_DEPTH need about 2 levels each).
MAX_DATA_DEPTH = 40


class SourceError(Exception):
    """A file that cannot be read or parsed; carries the rule code and a position.

    ``reason`` tells callers what kind of refusal it is without reading the (translated)
    message: ``outside`` (a link out of the plan), ``empty``, or ``""``."""

    def __init__(
        self, code: str, message: str, line: int = 1, column: int = 1, reason: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.reason = reason


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
    exhaust memory (huge files) or be garbage (binary, not UTF-8, empty). Text saved in
    UTF-16 or Windows-1252 is recognised and named, with how to save it again in UTF-8.
    """
    if not is_inside(path, root):
        raise SourceError(
            "CTG004",
            _("file is a link to a place outside the plan directory; refused"),
            reason="outside",
        )
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SourceError("CTG004", _("file does not exist (broken link?)")) from None
    except OSError as exc:
        raise SourceError("CTG004", _cannot_read(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError("CTG004", _("not a regular file"))
    if info.st_size > MAX_FILE_BYTES:
        raise SourceError(
            "CTG004",
            _("file is too large ({size} MB; the limit is {limit} MB)").format(
                size=f"{info.st_size / 1e6:.1f}", limit=MAX_FILE_BYTES // (1024 * 1024)
            ),
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SourceError("CTG004", _cannot_read(exc)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError(
            "CTG004",
            _("file is too large (the limit is {limit} MB)").format(
                limit=MAX_FILE_BYTES // (1024 * 1024)
            ),
        )
    return decode(raw)


def decode(raw: bytes) -> str:
    """The text of a plan file's bytes (UTF-8, with or without a BOM), or :class:`SourceError`
    naming what the bytes are instead."""
    nul = raw.find(b"\x00")
    if nul >= 0 or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        from .yaml_errors import resave_hint, utf16

        encoding = utf16(raw)
        if encoding is not None:
            message = _("the file is saved in {encoding}, not in UTF-8; {hint}").format(
                encoding=encoding, hint=resave_hint(encoding)
            )
            raise SourceError("CTG002", message)
    if nul >= 0:
        line, column = _byte_position(raw, nul)
        raise SourceError("CTG002", _("binary data (NUL byte) in a text file"), line, column)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        from .yaml_errors import resave_hint, windows_1252

        line, column = _byte_position(raw, exc.start)
        byte = f"{raw[exc.start]:02x}"
        char = windows_1252(raw, exc.start)
        if char is not None and _has_utf8(raw):
            message = _(
                "byte 0x{byte} is not UTF-8: probably '{char}' typed in Windows-1252 into a "
                "UTF-8 file; type this character again"
            ).format(byte=byte, char=char)
        elif char is not None:
            message = _(
                "the file looks saved in Windows-1252 (Latin-1), not in UTF-8: byte 0x{byte} "
                "here is probably '{char}'; {hint}"
            ).format(byte=byte, char=char, hint=resave_hint("Windows-1252"))
        else:
            message = _("not valid UTF-8 (byte 0x{byte}); save the file as UTF-8").format(byte=byte)
        raise SourceError("CTG002", message, line, column) from None
    if not text.strip():
        raise SourceError("CTG003", _("file is empty"), reason="empty")
    return text


def _has_utf8(raw: bytes) -> bool:
    """Whether ``raw`` holds some valid UTF-8 beyond ASCII (a file mixing two encodings)."""
    return re.search(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}", raw) is not None


def _cannot_read(exc: OSError) -> str:
    return _("cannot read file: {reason}").format(reason=exc.strerror or exc)


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
    tests check that both give the same data. Syntax errors are explained by
    :mod:`ctgkit.yaml_errors` (imported only then).
    """
    yaml = _yaml()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = _construct(yaml.parse(text), text)
    except MarkedYAMLError as exc:
        from .yaml_errors import explain

        found = explain(exc, text)
        raise SourceError("CTG001", found.message, found.line, found.column) from None
    except ReaderError as exc:
        raise _reader_error(exc, text) from None
    except YAMLError as exc:
        message = _("YAML error: {detail}").format(detail=_first_line(str(exc)))
        raise SourceError("CTG001", message) from None
    finally:
        _forget(yaml)
    if data is None:
        raise SourceError("CTG003", _("file holds no data (only comments?)"), reason="empty")
    return data


def _reader_error(exc: ReaderError, text: str) -> SourceError:
    """A character YAML refuses (a control character)."""
    from .yaml_errors import position_of

    # (libyaml counts the position in bytes: find the character itself, the first refused.)
    char = chr(exc.character) if isinstance(exc.character, int) else ""
    index = text.find(char) if char else -1
    line, column = position_of(text, index) if index >= 0 else (1, 1)
    message = _("control character {code} in the text; delete it").format(
        code=f"U+{ord(char):04X}" if char else "?"
    )
    return SourceError("CTG001", message, line, column)


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
        raise _event_error(
            "CTG006", _("merge keys (<<) are not allowed in plan files; write the keys out"), event
        )
    if tag not in _SCALAR_TAGS:
        raise _event_error("CTG001", _tag_message(tag), event)
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
        kind = _(_TAG_KINDS.get(tag.rsplit(":", 1)[-1], _ANY_KIND))
        message = _("invalid {kind} '{value}'").format(kind=kind, value=value)
        raise _event_error("CTG001", message, event) from None
    finally:
        # The constructor remembers every node it built; forget them (they hold marks).
        constructor.constructed_objects.clear()
        constructor.recursive_objects.clear()


_ANY_KIND = N_("value")
_TAG_KINDS = {
    "int": N_("whole number"),
    "float": N_("number"),
    "bool": N_("true/false value"),
    "timestamp": N_("date"),
    "null": N_("empty value"),
}


def _tag_message(tag: str) -> str:
    return _(
        "YAML tag '{tag}' is not allowed in plan files; if the value is text, put it in quotes"
    ).format(tag=tag)


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
    # Invisible characters (a non-breaking space pasted after `titre:`…) are looked for only
    # in the rare text that holds one.
    invisible = _MAYBE_INVISIBLE.search(text) is not None
    for event in events:
        kind = type(event)
        if kind is ScalarEvent:
            value = _scalar(event)
            start = event
            if invisible and type(value) is str and _MAYBE_INVISIBLE.search(value):
                _check_invisible(value, event, text, stack)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            tag = None if event.tag in (None, "!") else str(event.tag)
            wanted = _MAP if kind is MappingStartEvent else _SEQ
            if tag is not None and tag != wanted:
                raise _event_error("CTG001", _tag_message(tag), event)
            container: Any = {} if kind is MappingStartEvent else []
            stack.append([container, no_key, event])
            if len(stack) > MAX_DATA_DEPTH:
                # Stop at once: deeper input only costs time (the parser is quadratic in
                # the depth of flow collections) and no plan file needs it.
                message = _("data nested deeper than {limit} levels").format(limit=MAX_DATA_DEPTH)
                raise _event_error("CTG006", message, event)
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value, _key, start = stack.pop()
        elif kind is AliasEvent:
            message = _(
                "'*{name}' is a YAML alias, which plan files do not allow: write the value out; "
                "if it is text, put it in quotes"
            ).format(name=event.anchor)
            raise _event_error("CTG006", message, event)
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                message = _(
                    "'---' starts a second YAML document, and a plan file holds only one; "
                    "delete this line, or put what follows in its own file"
                )
                raise _event_error("CTG001", message, event)
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
                message = _("a key must be a word or a number, not a list or a block of keys")
                raise _event_error("CTG001", message, start)
            if value in parent:
                raise _duplicate_key(value, event, text)
            frame[1] = value
        else:
            parent[frame[1]] = value
            frame[1] = no_key
    return root


_MAYBE_INVISIBLE = re.compile("[\u00a0\u00ad\u2000-\u200d\u202f\u2060\u3000\ufeff]")


def _check_invisible(value: str, event: Any, text: str, stack: list[list[Any]]) -> None:
    """Refuse an invisible character in the indentation or in a field's key, or where it hides
    a key or a list dash inside an unquoted value."""
    is_key = bool(stack) and type(stack[-1][0]) is dict and stack[-1][1] is _NO_KEY
    if event.style:
        return  # a quoted or block text (or key) holds what its author typed
    from .yaml_errors import invisible_in_scalar

    found = invisible_in_scalar(value, text, event.start_mark, key=is_key)
    if found is not None:
        raise SourceError("CTG001", found.message, found.line, found.column)


class _NoKey:
    pass


_NO_KEY = _NoKey()


def _duplicate_key(key: Any, event: Any, text: str) -> SourceError:
    mark = event.start_mark
    first = 0
    # Where the key was first defined: look it up only now, in the composed node tree.
    try:
        root = Locator(text)._root
        stack = [root] if root is not None else []
        while stack:
            node = stack.pop()
            if isinstance(node, MappingNode):
                keys = [pair[0] for pair in node.value]
                if any(
                    k.start_mark.line == mark.line and k.start_mark.column == mark.column
                    for k in keys
                ):
                    for k in keys:
                        if isinstance(k, ScalarNode) and k.value == str(key):
                            first = k.start_mark.line + 1
                            break
                    break
                stack.extend(pair[1] for pair in node.value)
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)
    except Exception:  # the position is a courtesy; the error stands without it
        first = 0
    if first:
        message = _("duplicate key '{key}' (first defined on line {line}); keep only one")
    else:
        message = _("duplicate key '{key}' in the same block; keep only one")
    return SourceError(
        "CTG005", message.format(key=key, line=first), mark.line + 1, mark.column + 1
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "?"


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
