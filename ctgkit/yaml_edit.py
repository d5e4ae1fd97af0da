"""Editing YAML text in place: change, add or remove values without touching anything else.

``ctg import`` (a spreadsheet applied to a plan's fiches) and follow-up campaigns (dated
``suivi`` points, indicator ``mesures``) change a few values in files that people write and
comment by hand. This module makes those changes on the *text*: ::

    apply(text, [Set(("pilotes",), ["CAF", "MSA"]), Append(("suivi",), {...})])

The contract:

- **Byte-exact outside the edit.** Comments, blank lines, quoting, key order and line
  endings outside the edited node stay byte for byte. ``apply(text, [])`` is ``text``, and
  setting a value equal to the current one (as :func:`ctgkit.source.parse_yaml` reads it,
  type included: ``"2020"`` is not ``2020``) changes nothing.
- **Round trip.** :func:`ctgkit.source.parse_yaml` of the result gives the document with the
  edits made, and nothing else changed. Every value written is checked by reading it back
  (and the whole result once more at the end): an edit that cannot be written faithfully
  raises :class:`EditError` rather than changing something else.
- **Style.** What a person would write, matching the file: plain values when they read back
  identically, otherwise the quotes the node already had, or those most used in the file
  (single quotes if it has none), the other kind if the text holds one (``"l'accueil : x"``),
  double quotes with escapes for control characters; a
  multi-line text as a block literal (``|``, ``|-``, ``|+``, with an indentation indicator
  when its first line starts with a space) indented like the old one; a long text written
  folded (``>-``) stays folded at the width of its old lines, a new long text stays on one
  line; ``None`` is an empty value (``key:``), ``null`` in a list; dates are written plain
  (``2025-06-30``). Lists and mappings in block style with the file's indentation (its
  mapping step, and ``key:\\n  - a`` or ``key:\\n- a``); a flow collection (``[a, b]``)
  stays in flow style if it fits on its line (100 columns, or the line's old length).
- **Comments kept.** A comment after a replaced value stays after the new one. A list set to
  a new list is diffed (:class:`difflib.SequenceMatcher` on the items): unchanged items keep
  their lines and comments, changed items are replaced in place, removed items' lines go,
  new items are inserted where they belong (before the comment lines just above the item
  that follows them: a comment line between two entries belongs to the next one). A mapping
  set to a new dict is edited key by key (new keys at the end). So changing one pilote in a
  fiche changes one line.
- **Append** adds one item after the last item of a list (before the comments and blank
  lines that follow it); on a missing key, on an empty value (``key:``) or on ``key: []``
  it writes a block list. Items appended to a list of flow mappings (``- {a: 1}``) are
  written in flow style too.
- **Delete** removes the entry's lines, with the comments on them and inside a removed
  collection; the comment lines above it stay. Removing the last entry of a collection
  leaves ``{}`` or ``[]``.
- **Refusals** (:class:`EditError`, with the path and the position of the deepest node
  found): a path that does not exist (naming the first missing key), an integer used on a
  mapping that has no integer keys, a key used on a list, an anchor (``&``) or a tag
  (``!``) on a node that would be rewritten, a value of an unsupported type. A document
  that does not parse raises :class:`ctgkit.source.SourceError`. Nothing is half-applied:
  :func:`apply` returns a new text only when every edit was made.
- **Line endings.** Inserted lines use the file's newline (CRLF files stay CRLF); a file
  without a final newline keeps it that way (text appended after its last line is preceded
  by a newline and not followed by one); a UTF-8 BOM at the start is kept. Indentation is
  always made of spaces.

Paths are tuples of mapping keys (``str``, or ``int`` for a mapping with integer keys such
as ``cibles: {2022: 200}``) and list indexes (``int``, negative from the end), from the
document root. Values are what ctgkit's loader produces: None, bool, int, float, str,
:class:`datetime.date`, and lists and dicts of those.

How: ruamel.yaml's C parser gives events with their positions; they make a light tree of
nodes (start, end, style, indentation), scalars being resolved by the loader's own
:func:`ctgkit.source._scalar`. Each edit becomes a few splices of the text. Edits on
unrelated paths are spliced together; after each batch only the entries it touched are
parsed again (and compared with what was asked), and the final text is read once more by
:func:`ctgkit.source.parse_yaml` and compared with the expected document. If a check fails,
the edits are made again one by one, each checked by the loader, and the one that cannot be
made is refused. 200 edits on the 38 kB ``plan.yaml`` of civraisien-2019 take about 0.1 s.
"""

from __future__ import annotations

import bisect
import datetime
import difflib
import math
import re
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from . import source
from .i18n import _, ngettext

__all__ = ["Append", "Delete", "Edit", "EditError", "Set", "YamlPath", "apply"]

YamlPath = tuple[str | int, ...]
"""Keys of mappings and indexes of lists, from the document root."""


class EditError(Exception):
    """An edit that cannot be made in place.

    ``str(e)`` is a plain message (translated); ``path`` is the edit's path, ``line`` and
    ``column`` (1-based) the position of the deepest node of the path found in the text, or
    None."""

    def __init__(
        self, message: str, path: YamlPath = (), line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Set:
    """Replace the value at ``path``; if the last key is missing in an existing mapping, add
    ``key: value`` at the end of that mapping (with the indentation of its keys)."""

    path: YamlPath
    value: Any


@dataclass(frozen=True)
class Delete:
    """Remove a mapping key with its value, or a list item (its whole lines)."""

    path: YamlPath


@dataclass(frozen=True)
class Append:
    """Add one item at the end of the list at ``path``; if the key is missing in an existing
    mapping (or holds nothing, or ``[]``), make it a one-item block list."""

    path: YamlPath
    value: Any


Edit = Set | Delete | Append


def apply(text: str, edits: Sequence[Edit]) -> str:
    """The text with the edits made, in order.

    Raises :class:`EditError` (and changes nothing) when one cannot be made, and
    :class:`ctgkit.source.SourceError` when ``text`` is not a valid plan file."""
    edits = list(edits)
    if not edits:
        return text
    for edit in edits:
        _check_edit(edit)
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    data = source.parse_yaml(body)
    try:
        return bom + _apply(body, data, edits, careful=False)
    except _Unfaithful:
        # Some batch did not read back as expected: make the edits one by one, each checked
        # by the loader itself, to name the one that cannot be made.
        return bom + _apply(body, data, edits, careful=True)


class _Unfaithful(Exception):
    """A batch of splices did not give the expected data."""


def _apply(body: str, expected: Any, edits: list[Edit], careful: bool) -> str:
    """Make the edits: in batches of independent edits (each batch spliced at once and
    checked by one parse), or (``careful``) one by one, each checked by the loader."""
    root = _build(body)
    style = _Style(body, root)
    verifier = _Verifier()
    index = 0
    while index < len(edits):
        planner = _Planner(body, root, style, verifier)
        batch: list[Edit] = []
        while index + len(batch) < len(edits):
            edit = edits[index + len(batch)]
            if batch and (careful or _depends(edit, batch)):
                break
            before = len(planner.splices)
            planner.plan(edit)
            if batch and planner.touches_earlier(before):
                del planner.splices[before:]
                planner.edits.pop()
                planner.spans.pop()
                break
            batch.append(edit)
        new_body = _splice(body, planner.splices)
        for edit in batch:
            expected = _apply_to_data(expected, edit)
        index += len(batch)
        last = index == len(edits)
        if new_body is None or not _checked(body, root, new_body, planner, expected, careful, last):
            if careful:
                raise _unfaithful(batch[0])
            raise _Unfaithful
        if planner.splices and not last:
            root = planner.new_root
        body = new_body
    return body


def _checked(
    body: str,
    root: _Node,
    new_body: str,
    planner: _Planner,
    expected: Any,
    careful: bool,
    last: bool,
) -> bool:
    """Whether the new text reads as expected; prepares its tree (``planner.new_root``)
    unless it is the last."""
    try:
        if careful or last:
            if not _same(source.parse_yaml(new_body), expected):
                return False
        if last or not planner.splices:
            planner.new_root = root
            return True
        if careful:
            planner.new_root = _build(new_body)
            return True
        # Parse again only the entries that each edit touched.
        groups = [
            (edit, planner.splices[first:end])
            for edit, (first, end) in zip(planner.edits, planner.spans, strict=True)
            if end > first
        ]
        tree, scopes = _rebuild(body, root, new_body, groups)
        planner.new_root = tree
        if scopes is None:
            return _same(tree.data, expected)
        # Only those entries can differ (and the final text is checked whole, at the end).
        for scope in scopes:
            prefix = _path_of(scope.node)
            if any(edit.path[: len(prefix)] != prefix for edit in scope.edits):
                return _same(tree.data, expected)
            wanted = expected
            for step in prefix:
                wanted = wanted[step]
            node = scope.node
            if _kind(wanted) != node.kind or len(wanted) != len(node.items):
                return False
            for index in range(scope.first, scope.first + scope.count):
                if node.kind == "map":
                    key = node.keys[index].data
                    if not _has_key(wanted, key) or not _same(node.items[index].data, wanted[key]):
                        return False
                elif not _same(node.items[index].data, wanted[index]):
                    return False
        return True
    except (YAMLError, source.SourceError, RecursionError, KeyError, IndexError, TypeError):
        return False


# --- checking what is asked ---------------------------------------------------------------


def _check_edit(edit: Any) -> None:
    if not isinstance(edit, Set | Delete | Append):
        raise TypeError(f"not an edit: {edit!r}")
    path = edit.path
    if not isinstance(path, tuple) or not all(
        isinstance(step, str) or (isinstance(step, int) and not isinstance(step, bool))
        for step in path
    ):
        raise TypeError(f"a path is a tuple of str and int: {path!r}")
    if isinstance(edit, Set | Append):
        _check_value(edit.value, path)


def _check_value(value: Any, path: YamlPath) -> None:
    """Refuse what cannot be written: other types, lone surrogates, other keys, cycles."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > source.MAX_DATA_DEPTH:
            raise EditError(
                _("the value for '{path}' is nested deeper than {limit} levels").format(
                    path=_show(path), limit=source.MAX_DATA_DEPTH
                ),
                path,
            )
        kind = _kind(item)
        if kind is None:
            raise EditError(
                _("cannot write a value of type {type} at '{path}'").format(
                    type=type(item).__name__, path=_show(path)
                ),
                path,
            )
        if kind == "str" and _SURROGATE.search(item):
            raise EditError(
                _("the text for '{path}' holds an invalid character (a lone surrogate)").format(
                    path=_show(path)
                ),
                path,
            )
        if kind == "map":
            for key in item:
                if _kind(key) not in ("str", "int"):
                    raise EditError(
                        _("a key must be a text or a whole number, not {key} (at '{path}')").format(
                            key=repr(key), path=_show(path)
                        ),
                        path,
                    )
                stack.append((key, depth + 1))
            stack.extend((child, depth + 1) for child in item.values())
        elif kind == "seq":
            stack.extend((child, depth + 1) for child in item)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _kind(value: Any) -> str | None:
    """The YAML kind of a value (None for what cannot be written)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list | tuple):
        return "seq"
    return None


def _same(a: Any, b: Any) -> bool:
    """Equal as data, type included (``1``, ``1.0`` and ``True`` differ; NaN equals NaN)."""
    if a is b:
        return True
    if type(a) is str:
        return type(b) is str and a == b
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == "map":
        if len(a) != len(b):
            return False
        for key, value in a.items():
            if key not in b or not _same_key(key, b) or not _same(value, b[key]):
                return False
        return True
    if kind == "seq":
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if kind == "float" and a != b:
        return math.isnan(a) and math.isnan(b)
    return bool(a == b)


def _same_key(key: Any, mapping: dict[Any, Any]) -> bool:
    """Whether ``mapping`` has ``key`` itself (not an equal key of another type: 1, True)."""
    if type(key) is str:
        return key in mapping
    for other in mapping:
        if other == key:
            return _kind(other) == _kind(key)
    return False


def _canon(value: Any) -> Any:
    """A hashable stand-in for a value: equal exactly when the values are :func:`_same`."""
    kind = _kind(value)
    if kind == "map":
        return ("map", frozenset((_canon(k), _canon(v)) for k, v in value.items()))
    if kind == "seq":
        return ("seq", tuple(_canon(v) for v in value))
    if kind == "float":
        return ("float", "nan" if math.isnan(value) else float(value))
    return (kind, value)


def _plain_data(value: Any) -> Any:
    """A copy of a value with lists for tuples (what the loader would give)."""
    if isinstance(value, dict):
        return {k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_data(v) for v in value]
    return value


def _apply_to_data(data: Any, edit: Edit) -> Any:
    """The data with the edit made (the tree planner has already checked the path)."""
    path = edit.path
    if not path:
        if isinstance(edit, Set):
            return _plain_data(edit.value)
        if isinstance(edit, Append) and isinstance(data, list):
            return [*data, _plain_data(edit.value)]
        return data
    root = _copy_path(data, path)
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if isinstance(edit, Set):
        parent[last] = _plain_data(edit.value)
    elif isinstance(edit, Delete):
        del parent[last]
    else:
        current = parent.get(last) if isinstance(parent, dict) else parent[last]
        if isinstance(current, list):
            current.append(_plain_data(edit.value))
        else:
            parent[last] = [_plain_data(edit.value)]
    return root


def _copy_path(data: Any, path: YamlPath) -> Any:
    """A copy of ``data`` in which the containers along ``path`` are new (others shared)."""
    root = _shallow(data)
    node = root
    for step in path[:-1]:
        child = _shallow(node[step])
        node[step] = child
        node = child
    if isinstance(node, dict | list):
        last = path[-1]
        present = last in node if isinstance(node, dict) else -len(node) <= last < len(node)  # type: ignore[operator]
        if present and isinstance(node[last], list):
            node[last] = list(node[last])
    return root


def _shallow(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def _depends(edit: Edit, batch: list[Edit]) -> bool:
    """Whether ``edit`` may see the effect of an edit of ``batch`` (then it waits)."""
    path = edit.path
    for other in batch:
        prior = other.path
        if path[: len(prior)] == prior or prior[: len(path)] == path:
            return True
        if isinstance(other, Delete) and path[: len(prior) - 1] == prior[:-1]:
            return True  # a list item removed shifts its siblings' indexes
        if isinstance(edit, Delete) and prior[: len(path) - 1] == path[:-1]:
            return True
    return False


def _show(path: YamlPath) -> str:
    """``indicateurs[0].mesures``"""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else step
    return out or "/"


# --- the tree -------------------------------------------------------------------------------


class _Node:
    """A node of the text: where it is, how it is written, what it holds."""

    __slots__ = (
        "kind",
        "start",
        "end",
        "style",
        "flow",
        "in_flow",
        "data",
        "keys",
        "items",
        "parent",
        "index",
        "ind",
        "entry",
        "props",
    )

    def __init__(self, kind: str, start: int, in_flow: bool) -> None:
        self.kind = kind  # "scalar", "map" or "seq"
        self.start = start  # first character (of the first entry, for a block collection)
        self.end = start  # after the last character of its content (not its trailing lines)
        self.style: str | None = None  # a scalar's quote or block indicator
        self.flow = False  # a flow collection ([...] or {...})
        self.in_flow = in_flow  # inside a flow collection
        self.data: Any = None
        self.keys: list[_Node] = []  # a mapping's keys
        self.items: list[_Node] = []  # a mapping's values, a sequence's items
        self.parent: _Node | None = None
        self.index = 0  # position in the parent's items
        self.ind: int | None = None  # after the ':' or '-' that introduces it (block only)
        self.entry = start  # where its entry starts: its key, or its dash
        self.props = False  # has an anchor or a tag


_parser: list[YAML] = []


def _build(text: str) -> _Node:
    """The node tree of a document, from ruamel.yaml's (C) parser events."""
    if not _parser:
        _parser.append(YAML(typ="safe", pure=False))
    yaml = _parser[0]
    stack: list[_Node] = []
    root: _Node | None = None
    expect_key: list[bool] = []
    scalar = source._scalar
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for event in yaml.parse(text):
                kind = type(event)
                if kind is ScalarEvent:
                    node = _Node(
                        "scalar", event.start_mark.index, bool(stack) and stack[-1].in_flow
                    )
                    node.style = event.style or None
                    node.data = scalar(event)
                    node.props = event.anchor is not None or event.tag is not None
                    node.end = event.end_mark.index
                    if node.style in ("|", ">"):
                        node.end = _block_scalar_end(text, node.start, node.end)
                elif kind is MappingStartEvent or kind is SequenceStartEvent:
                    flow = bool(event.flow_style)
                    in_flow = flow or (bool(stack) and stack[-1].in_flow)
                    node = _Node(
                        "map" if kind is MappingStartEvent else "seq",
                        event.start_mark.index,
                        in_flow,
                    )
                    node.flow = flow
                    node.props = event.anchor is not None or event.tag is not None
                    node.data = {} if kind is MappingStartEvent else []
                    _attach(node, stack, expect_key, text)
                    stack.append(node)
                    expect_key.append(True)
                    continue
                elif kind is MappingEndEvent or kind is SequenceEndEvent:
                    node = stack.pop()
                    expect_key.pop()
                    if node.flow:
                        node.end = event.end_mark.index
                    elif node.items:
                        node.end = node.items[-1].end
                    if not stack:
                        root = node
                    _finish(node, stack, expect_key)
                    continue
                elif kind is AliasEvent:
                    raise YAMLError("alias")
                else:
                    continue
                _attach(node, stack, expect_key, text)
                if root is None and not stack:
                    root = node
                _finish(node, stack, expect_key)
    finally:
        source._forget(yaml)
    if root is None:
        raise YAMLError("empty document")
    return root


@dataclass
class _Scope:
    """Entries ``first`` to ``last - 1`` of a block collection, parsed again; ``begin`` to
    ``finish`` is their text (lines) in the old text; ``count`` their number now."""

    node: _Node
    first: int
    last: int
    begin: int
    finish: int
    low: int
    high: int
    edits: list[Edit]
    splices: list[tuple[int, int, str]]
    count: int = 0


def _rebuild(
    old_text: str,
    old_root: _Node,
    text: str,
    groups: list[tuple[Edit, list[tuple[int, int, str]]]],
) -> tuple[_Node, list[_Scope] | None]:
    """The tree of ``text``, made from ``old_text`` by the splices of ``groups`` (one group
    per edit), and the scopes parsed again (None after a full parse).

    Only the entries of a block collection that hold a group's splices are parsed again:
    whole entries, each starting its line, read the same alone (a block collection may be
    indented at the top of a document); the nodes after them are moved. The deepest such
    collection is chosen, so an edit costs about the size of what it changes (and one walk
    of the tree per batch)."""
    scopes: list[_Scope] = []
    for edit, splices in groups:
        low = min(start for start, _end, _new in splices)
        high = max(end for _start, end, _new in splices)
        scope = _scope(old_text, old_root, low, high, [edit], splices)
        if scope is None:
            return _build(text), None
        scopes.append(scope)
    # Scopes that overlap become one, around both.
    scopes.sort(key=lambda scope: scope.begin)
    merged: list[_Scope] = []
    for scope in scopes:
        while merged and merged[-1].finish >= scope.begin:
            previous = merged.pop()
            low, high = min(previous.low, scope.low), max(previous.high, scope.high)
            union = _scope(
                old_text,
                old_root,
                low,
                high,
                previous.edits + scope.edits,
                previous.splices + scope.splices,
            )
            if union is None:
                return _build(text), None
            scope = union
        merged.append(scope)
    # The deltas: where each scope's text ends, in the old text and in the new one.
    old_ends = [scope.finish for scope in merged]
    shifts = []
    total = 0
    splices = sorted(
        (splice for _edit, group in groups for splice in group), key=lambda splice: splice[0]
    )
    position = 0
    for scope in merged:
        while position < len(splices) and splices[position][0] <= scope.finish:
            start, end, new = splices[position]
            total += len(new) - (end - start)
            position += 1
        shifts.append(total)
    if position != len(splices):
        return _build(text), None
    parts: list[tuple[_Scope, list[_Node], list[_Node]]] = []
    before = 0
    for scope, shift in zip(merged, shifts, strict=True):
        begin = scope.begin + before
        piece = text[begin : scope.finish + shift]
        new_keys: list[_Node] = []
        new_items: list[_Node] = []
        if _has_content(piece):
            part = _build(piece)
            column = _column(old_text, _first_start(scope.node))
            if (
                part.kind != scope.node.kind
                or part.flow
                or part.props
                or _column(piece, _first_start(part)) != column
            ):
                return _build(text), None
            _shift(part, begin)
            new_keys, new_items = part.keys, part.items
        if not new_items and len(scope.node.items) == scope.last - scope.first:
            return _build(text), None
        parts.append((scope, new_keys, new_items))
        before = shift
    # Move what is outside the entries parsed again.
    replaced = {
        id(node)
        for scope in merged
        for node in [
            *scope.node.keys[scope.first : scope.last],
            *scope.node.items[scope.first : scope.last],
        ]
    }

    limit = old_ends[0]

    def moved(position: int) -> int:
        if position < limit:
            return position
        return position + shifts[bisect.bisect_right(old_ends, position) - 1]

    stack = [old_root]
    while stack:
        current = stack.pop()
        if id(current) in replaced:
            continue
        current.start = moved(current.start)
        current.end = moved(current.end)
        current.entry = moved(current.entry)
        if current.ind is not None:
            current.ind = moved(current.ind)
        stack.extend(current.keys)
        stack.extend(current.items)
    # Put the new entries in place (the last scopes first: indexes stay valid).
    for scope, new_keys, new_items in reversed(parts):
        node = scope.node
        if node.kind == "map":
            node.keys[scope.first : scope.last] = new_keys
        node.items[scope.first : scope.last] = new_items
        scope.count = len(new_items)
        for index, item in enumerate(node.items):
            item.parent = node
            item.index = index
            if node.kind == "map":
                node.keys[index].parent = node
                node.keys[index].index = index
        if node.kind == "map":
            data = {}
            for key, item in zip(node.keys, node.items, strict=True):
                if isinstance(key.data, dict | list) or key.data in data:
                    return _build(text), None
                data[key.data] = item.data
            node.data.clear()
            node.data.update(data)
        else:
            node.data[:] = [item.data for item in node.items]
        ancestor: _Node | None = node
        while ancestor is not None:
            if ancestor.items and not ancestor.flow:
                ancestor.end = ancestor.items[-1].end
            if ancestor.parent is None:
                ancestor.start = ancestor.entry = _first_start(ancestor)
            ancestor = ancestor.parent
    return old_root, merged


def _scope(
    text: str,
    root: _Node,
    low: int,
    high: int,
    edits: list[Edit],
    splices: list[tuple[int, int, str]],
) -> _Scope | None:
    """The deepest block collection whose whole entries hold ``low`` to ``high``."""
    found = None
    node = root
    inserts = [(start, new) for start, end, new in splices if start == end]
    while True:
        span = _entry_span(text, node, low, high, inserts)
        if span is None:
            break
        found = _Scope(node, *span, low=low, high=high, edits=edits, splices=splices)
        if span[1] - span[0] != 1:
            break
        node = node.items[span[0]]
    return found


def _first_start(node: _Node) -> int:
    if node.kind == "map" and node.keys:
        return node.keys[0].start
    if node.kind == "seq" and node.items:
        return node.items[0].entry
    return node.start


def _entry_span(
    text: str, node: _Node, low: int, high: int, inserts: list[tuple[int, str]]
) -> tuple[int, int, int, int] | None:
    """The entries of a block collection that hold ``low`` to ``high``: (first, last + 1,
    where the first's line starts, where the last's lines end), if each starts its line.

    Text inserted right after the last entry may belong to an enclosing collection: it
    belongs to this one if it is indented as its entries."""
    if node.kind == "scalar" or node.flow or node.props or not node.items:
        return None
    starts = []
    for index in range(len(node.items)):
        entry = node.keys[index].start if node.kind == "map" else node.items[index].entry
        line_start = text.rfind("\n", 0, entry) + 1
        if text[line_start:entry].strip(" ") or node.items[index].props:
            return None
        if node.kind == "map" and node.keys[index].props:
            return None
        starts.append(line_start)
    after = text.find("\n", node.end)
    ends = [*starts[1:], len(text) if after < 0 else after + 1]
    if low < starts[0] or high > ends[-1]:
        return None
    column = starts and (
        (node.keys[0].start if node.kind == "map" else node.items[0].entry) - starts[0]
    )
    first = max(i for i, start in enumerate(starts) if start <= low)
    last = next(i for i, end in enumerate(ends) if high <= end) + 1
    first = min(first, last - 1)
    for position, new in inserts:
        # Where does inserted text belong? Shallower: to an enclosing collection; deeper
        # (or list items at the column of a mapping's keys, ``key:\n- a``): to an entry.
        indent, dash = _first_line(new)
        deeper = indent > column or (indent == column and node.kind == "map" and dash)
        shallower = indent < column or (indent == column and node.kind == "seq" and not dash)
        if position == ends[-1] and shallower:
            return None
        if deeper and position in starts[: first + 1]:
            # (it ends the entry above)
            index = starts.index(position)
            if index == 0:
                return None
            first = min(first, index - 1)
    return first, last, starts[first], ends[last - 1]


def _first_line(new: str) -> tuple[int, bool]:
    """The indentation of the first line of inserted text that is not blank, and whether it
    is a list item."""
    for line in new.split("\n"):
        if line.strip(" \r"):
            content = line.lstrip(" ")
            return len(line) - len(content), content[:1] == "-" and content[1:2] in " \r"
    return -1, False


def _path_of(node: _Node) -> YamlPath:
    steps: list[str | int] = []
    while node.parent is not None:
        parent = node.parent
        steps.append(parent.keys[node.index].data if parent.kind == "map" else node.index)
        node = parent
    return tuple(reversed(steps))


def _has_content(piece: str) -> bool:
    """Whether a piece of YAML holds more than comments and blank lines."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in piece.splitlines())


def _shift(node: _Node, delta: int) -> None:
    """Move a subtree's positions by ``delta`` characters."""
    if not delta:
        return
    stack = [node]
    while stack:
        current = stack.pop()
        current.start += delta
        current.end += delta
        current.entry += delta
        if current.ind is not None:
            current.ind += delta
        stack.extend(current.keys)
        stack.extend(current.items)


def _attach(node: _Node, stack: list[_Node], expect_key: list[bool], text: str) -> None:
    """Link a new node to its parent (as a key, a value or an item)."""
    if not stack:
        return
    parent = stack[-1]
    node.parent = parent
    if parent.kind == "map":
        if expect_key[-1]:
            parent.keys.append(node)
            node.index = len(parent.keys) - 1
            return
        node.index = len(parent.items)
        parent.items.append(node)
        key = parent.keys[-1]
        node.entry = key.start
        if not parent.flow:
            position = key.end
            while position < len(text) and text[position] in " \t":
                position += 1
            node.ind = position + 1 if text[position : position + 1] == ":" else None
    else:
        node.index = len(parent.items)
        parent.items.append(node)
        if not parent.flow:
            position = node.start
            while position > 0 and text[position - 1] in " \t":
                position -= 1
            if position > 0 and text[position - 1] == "-":
                node.ind = position
                node.entry = position - 1
            else:
                node.ind = None


def _finish(node: _Node, stack: list[_Node], expect_key: list[bool]) -> None:
    """A node is complete: put its data into its parent's."""
    if not stack:
        return
    parent = stack[-1]
    if parent.kind == "map":
        if expect_key[-1]:
            expect_key[-1] = False
        else:
            key = parent.keys[-1].data
            if isinstance(key, dict | list):
                raise YAMLError("complex key")
            parent.data[key] = node.data
            expect_key[-1] = True
    else:
        parent.data.append(node.data)


def _block_scalar_end(text: str, start: int, end: int) -> int:
    """Where a block scalar's content ends: at the end of its last non-blank line (its
    trailing empty lines belong to what follows), or of its last line if it keeps them."""
    header = _HEADER.match(text, start)
    parts = text[start:end].split("\n")
    if header is None or "+" not in header.group(0):
        while len(parts) > 1 and parts[-1].strip(" \t\r") == "":
            parts.pop()
    elif len(parts) > 1 and parts[-1] == "":
        parts.pop()
    position = start + len("\n".join(parts))
    return position - 1 if parts[-1].endswith("\r") else position


_HEADER = re.compile(r"[|>][0-9+-]{0,2}")


# --- the file's habits ------------------------------------------------------------------------


class _Style:
    """How the file is written: newline, indentation steps, preferred quotes."""

    def __init__(self, text: str, root: _Node) -> None:
        crlf = text.count("\r\n")
        self.newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
        map_steps: Counter[int] = Counter()
        seq_offsets: Counter[int] = Counter()
        quotes: Counter[str] = Counter()
        stack = [root]
        while stack:
            node = stack.pop()
            if node.kind == "scalar":
                if node.style in ("'", '"'):
                    quotes[node.style] += 1
                continue
            stack.extend(node.items)
            stack.extend(node.keys)
            if node.kind != "map" or node.flow:
                continue
            for key, value in zip(node.keys, node.items, strict=False):
                if value.kind == "scalar" or value.flow:
                    continue
                difference = _column(text, value.start) - _column(text, key.start)
                if value.kind == "map" and difference > 0:
                    map_steps[difference] += 1
                elif value.kind == "seq" and difference >= 0:
                    seq_offsets[difference] += 1
        self.map_step = map_steps.most_common(1)[0][0] if map_steps else 2
        self.seq_offset = seq_offsets.most_common(1)[0][0] if seq_offsets else 2
        self.quote = "'" if quotes["'"] >= quotes['"'] else '"'
        self.width = 100


def _column(text: str, position: int) -> int:
    return position - (text.rfind("\n", 0, position) + 1)


def _line_col(text: str, position: int) -> tuple[int, int]:
    return text.count("\n", 0, position) + 1, _column(text, position) + 1


# --- writing scalars ----------------------------------------------------------------------------

_STR = "tag:yaml.org,2002:str"
# Characters that only double quotes can hold (YAML 1.2's non-printable ones, the line
# breaks other than \n, the BOM), and those that need quotes at least.
_DOUBLE_ONLY = re.compile(
    "[^\x09\x0a\x20-\x7e\xa0-\ud7ff\ue000-\ufffc\U00010000-\U0010ffff]|[\u2028\u2029]"
)
_NOT_PLAIN = re.compile("[\t\n\u00a0\u00ad\u2000-\u200d\u202f\u2060\u3000\ufeff]")
_FLOW_INDICATORS = set(",[]{}")
_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _double(value: str) -> str:
    out = ['"']
    for char in value:
        escape = _ESCAPES.get(char)
        if escape is not None and char != "\xa0":
            out.append(escape)
        elif _DOUBLE_ONLY.match(char):
            code = ord(char)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _single(value: str) -> str | None:
    if "\n" in value or _DOUBLE_ONLY.search(value):
        return None
    return "'" + value.replace("'", "''") + "'"


def _plain(value: str, flow: bool) -> str | None:
    """``value`` unquoted, if it may read back as the same text."""
    if not value or value != value.strip(" ") or _NOT_PLAIN.search(value):
        return None
    if _DOUBLE_ONLY.search(value):
        return None
    first = value[0]
    if first in "!&*|>'\"%@`#,[]{}":
        return None
    if first in "-?:" and (
        len(value) == 1 or value[1] == " " or (flow and value[1] in _FLOW_INDICATORS)
    ):
        return None
    if ": " in value or " #" in value or value.endswith(":") or value.startswith(("---", "...")):
        return None
    if flow and (_FLOW_INDICATORS.intersection(value) or ":" in value):
        return None
    if source._implicit_tag(value) != _STR:
        return None
    return value


class _Verifier:
    """Reads back a candidate text in a small document that mimics its place."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, Any], bool] = {}

    def check(self, document: str, value: Any, where: str) -> bool:
        key = (document, _canon(value))
        known = self._seen.get(key)
        if known is not None:
            return known
        try:
            data = source.parse_yaml(document)
            if where == "key":
                ok = isinstance(data, dict) and len(data) == 1 and _same(next(iter(data)), value)
                if ok:
                    ok = _kind(next(iter(data))) == _kind(value)
            elif where == "map":
                ok = isinstance(data, dict) and list(data) == ["k"] and _same(data["k"], value)
            else:
                ok = isinstance(data, list) and len(data) == 1 and _same(data[0], value)
        except (source.SourceError, RecursionError, ValueError):
            ok = False
        self._seen[key] = ok
        return ok


# --- planning the splices -----------------------------------------------------------------------


@dataclass
class _Place:
    """Where a value goes: in a block mapping (``map``), a block list (``seq``) or a flow
    collection (``flow``); ``n`` is the column of its key or dash."""

    where: str
    n: int = 0
    content: int = 2  # column of the content of a block scalar or collection below it
    old: _Node | None = None
    keep_ok: bool = False
    clip_ok: bool = True
    first: int = 0  # column where the value starts on its line (to check the width)
    flow_items: bool = False  # a list whose items are written in flow style


class _Planner:
    """Turns edits into splices of one text, against its node tree."""

    def __init__(self, text: str, root: _Node, style: _Style, verifier: _Verifier) -> None:
        self.text = text
        self.root = root
        self.style = style
        self.nl = style.newline
        self.verifier = verifier
        self.splices: list[tuple[int, int, str]] = []
        self.path: YamlPath = ()
        self.eof = False  # the text being made ends the file, which has no final newline
        self.edits: list[Edit] = []  # the edits planned, and the range of their splices
        self.spans: list[tuple[int, int]] = []
        self.new_root = root

    # -- the edits

    def plan(self, edit: Edit) -> None:
        """Add the splices that make ``edit`` (EditError if it cannot be made)."""
        self.path = edit.path
        first = len(self.splices)
        if isinstance(edit, Set):
            self._set(edit.path, edit.value)
        elif isinstance(edit, Delete):
            self._delete(edit.path)
        else:
            self._append(edit.path, edit.value)
        self.edits.append(edit)
        self.spans.append((first, len(self.splices)))

    def touches_earlier(self, before: int) -> bool:
        """Whether the splices from ``before`` on touch or overlap earlier ones."""
        earlier = self.splices[:before]
        for start, end, _text in self.splices[before:]:
            for other_start, other_end, _other in earlier:
                if start <= other_end and other_start <= end:
                    return True
        return False

    def _set(self, path: YamlPath, value: Any) -> None:
        node, parent, step = self._resolve(path, missing_ok=True)
        if node is None:
            assert parent is not None
            self._add_key(parent, step, value)
        else:
            self._set_node(node, value)

    def _delete(self, path: YamlPath) -> None:
        if not path:
            raise self._error(_("the whole document cannot be deleted"), None)
        node, parent, _step = self._resolve(path)
        assert node is not None and parent is not None
        self._check_free(node)
        if parent.flow:
            data = _without(parent.data, node.index)
            self._replace(parent, data)
        elif len(parent.items) == 1:
            self._replace(parent, {} if parent.kind == "map" else [])
        else:
            self._delete_run(parent, node.index, node.index + 1)

    def _append(self, path: YamlPath, value: Any) -> None:
        node, parent, step = self._resolve(path, missing_ok=True)
        if node is None:
            assert parent is not None
            self._add_key(parent, step, [value], block=True)
            return
        if node.kind == "seq":
            if node.flow and node.items:
                self._set_node(node, [*node.data, value])
            elif node.items:
                self._insert_items(node, len(node.items), [value])
            else:
                self._replace(node, [value], block=True)
        elif node.kind == "scalar" and node.data is None and not node.style:
            self._replace(node, [value], block=True)
        else:
            raise self._error(
                _("'{path}' is not a list: nothing can be appended to it").format(path=_show(path)),
                node,
            )

    # -- finding the node

    def _resolve(
        self, path: YamlPath, missing_ok: bool = False
    ) -> tuple[_Node | None, _Node | None, str | int]:
        node = self.root
        parent: _Node | None = None
        step: str | int = ""
        for depth, step in enumerate(path):
            here = path[:depth]
            parent = node
            if node.kind == "map":
                found = self._key_index(node, step, here)
                if found is None:
                    if missing_ok and depth == len(path) - 1:
                        return None, node, step
                    message = (
                        _("no key '{key}' at the top of the file").format(key=step)
                        if not here
                        else _("no key '{key}' in '{path}'").format(key=step, path=_show(here))
                    )
                    raise self._error(message, node)
                node = node.items[found]
            elif node.kind == "seq":
                if isinstance(step, str):
                    raise self._error(
                        _("'{path}' is a list: give an item number, not the key '{key}'").format(
                            path=_show(here), key=step
                        ),
                        node,
                    )
                count = len(node.items)
                if not -count <= step < count:
                    raise self._error(
                        ngettext(
                            "no item {index} in the list '{path}' (it has {count} item)",
                            "no item {index} in the list '{path}' (it has {count} items)",
                            count,
                        ).format(index=step, path=_show(here), count=count),
                        node,
                    )
                node = node.items[step % count]
            else:
                raise self._error(
                    _(
                        "'{path}' holds a single value, not keys or a list: '{step}' cannot be "
                        "looked up in it"
                    ).format(path=_show(here), step=step),
                    node,
                )
        return node, parent, step

    def _key_index(self, node: _Node, step: str | int, here: YamlPath) -> int | None:
        for index, key in enumerate(node.keys):
            if key.data == step and _kind(key.data) == _kind(step):
                return index
        if isinstance(step, int) and not any(_kind(key.data) == "int" for key in node.keys):
            raise self._error(
                _(
                    "'{path}' is a set of keys, not a list: the number {index} cannot be used in it"
                ).format(path=_show(here), index=step),
                node,
            )
        return None

    def _error(self, message: str, node: _Node | None) -> EditError:
        if node is None:
            return EditError(message, self.path)
        line, column = _line_col(self.text, node.start)
        return EditError(message, self.path, line, column)

    def _check_free(self, node: _Node) -> None:
        """Refuse to rewrite a node that carries an anchor or a tag."""
        stack = [node]
        while stack:
            current = stack.pop()
            if current.props:
                raise self._error(
                    _(
                        "'{path}' holds an anchor (&) or a tag (!), which cannot be rewritten "
                        "safely; edit it by hand"
                    ).format(path=_show(self.path)),
                    current,
                )
            stack.extend(current.keys)
            stack.extend(current.items)

    # -- setting

    def _set_node(self, node: _Node, value: Any) -> None:
        if _same(node.data, value):
            return
        if node.kind == "map" and isinstance(value, dict) and value and node.keys and not node.flow:
            self._merge_map(node, value)
        elif (
            node.kind == "seq"
            and isinstance(value, list | tuple)
            and value
            and node.items
            and not node.flow
        ):
            self._merge_seq(node, list(value))
        elif (
            node.kind != "scalar"
            and node.flow
            and node.items
            and isinstance(value, dict if node.kind == "map" else list | tuple)
            and value
            and _same_shape(node, value)
            and self._flow_fits(node, value)
        ):
            for index, child in enumerate(node.items):
                new = value[node.keys[index].data] if node.kind == "map" else value[index]
                self._set_node(child, new)
        else:
            self._replace(node, value)

    def _flow_fits(self, node: _Node, value: Any) -> bool:
        """Whether a one-line flow collection still fits on its line with ``value``."""
        if (node.parent is not None and node.parent.flow) or "\n" in self.text[
            node.start : node.end
        ]:
            return True
        line = _column(self.text, node.start) + len(self._flow_text(value, node))
        return line + self._eol(node.end) - node.end <= self._width(node)

    def _merge_map(self, node: _Node, value: dict[Any, Any]) -> None:
        keys = [key.data for key in node.keys]
        kept = [index for index, key in enumerate(keys) if _has_key(value, key)]
        if not kept:
            self._replace(node, value)
            return
        index = 0
        while index < len(keys):
            if _has_key(value, keys[index]):
                self._set_node(node.items[index], value[keys[index]])
                index += 1
                continue
            end = index
            while end < len(keys) and not _has_key(value, keys[end]):
                end += 1
            self._delete_run(node, index, end)
            index = end
        new = {
            key: item
            for key, item in value.items()
            if not any(_same_key_value(key, old) for old in keys)
        }
        if new:
            self._insert_entries(node, new)

    def _merge_seq(self, node: _Node, value: list[Any]) -> None:
        old = node.data
        matcher = difflib.SequenceMatcher(
            None, [_canon(item) for item in old], [_canon(item) for item in value], autojunk=False
        )
        opcodes = matcher.get_opcodes()
        scalar = all(not isinstance(item, dict | list) for item in [*old, *value])
        if (
            not any(tag == "equal" for tag, *_rest in opcodes)
            and not scalar
            and len(old) != len(value)
        ):
            self._replace(node, value)
            return
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                continue
            if tag == "delete":
                self._delete_run(node, i1, i2)
            elif tag == "insert":
                self._insert_items(node, i1, value[j1:j2])
            elif i2 - i1 == j2 - j1 or scalar:
                pairs = min(i2 - i1, j2 - j1)
                for offset in range(pairs):
                    self._set_node(node.items[i1 + offset], value[j1 + offset])
                if i2 - i1 > pairs:
                    self._delete_run(node, i1 + pairs, i2)
                elif j2 - j1 > pairs:
                    self._insert_items(node, i1 + pairs, value[j1 + pairs : j2], after=True)
            else:
                self._replace_run(node, i1, i2, value[j1:j2])

    # -- block entries

    def _entry_start(self, node: _Node, index: int) -> int:
        return node.keys[index].start if node.kind == "map" else node.items[index].entry

    def _starts_line(self, position: int) -> bool:
        line_start = self.text.rfind("\n", 0, position) + 1
        return self.text[line_start:position].strip(" ") == ""

    def _line_start(self, position: int) -> int:
        return self.text.rfind("\n", 0, position) + 1

    def _line_after(self, position: int) -> int:
        found = self.text.find("\n", position)
        return len(self.text) if found < 0 else found + 1

    def _eol(self, position: int) -> int:
        found = self.text.find("\n", position)
        if found < 0:
            return len(self.text)
        if found > position and self.text[found - 1] == "\r":
            return found - 1
        return found

    def _delete_run(self, node: _Node, first: int, end: int) -> None:
        """Remove entries ``first`` to ``end - 1`` of a block collection (others remain)."""
        for index in range(first, end):
            self._check_free(node.items[index])
            if node.kind == "map":
                self._check_free(node.keys[index])
        start = self._entry_start(node, first)
        if self._starts_line(start):
            begin = self._line_start(start)
            finish = self._line_after(node.items[end - 1].end)
            if finish == len(self.text) and not self.text.endswith("\n") and begin > 0:
                # (the file has no final newline: neither will it after the last lines go)
                begin = len(self.text[:begin].rstrip(" \r\n"))
            self.splices.append((begin, finish, ""))
        elif end < len(node.items):
            self.splices.append((start, self._entry_start(node, end), ""))
        else:
            keep = [i for i in range(len(node.items)) if not first <= i < end]
            data = (
                {node.keys[i].data: node.items[i].data for i in keep}
                if node.kind == "map"
                else [node.items[i].data for i in keep]
            )
            self._replace(node, data)

    def _replace_run(self, node: _Node, first: int, end: int, values: list[Any]) -> None:
        """Replace items ``first`` to ``end - 1`` of a block list by new items."""
        for index in range(first, end):
            self._check_free(node.items[index])
        start = node.items[first].entry
        if not self._starts_line(start):
            data = [*node.data[:first], *values, *node.data[end:]]
            self._replace(node, data)
            return
        begin = self._line_start(start)
        finish = self._line_after(node.items[end - 1].end)
        self.eof = self._open_end(finish)
        lines = self._block_lines(
            values, _column(self.text, start), flow_items=self._flow_items(node)
        )
        self.eof = False
        text = self.nl.join(lines)
        if finish == len(self.text) and not self.text.endswith("\n"):
            self.splices.append((begin, finish, text))
        else:
            self.splices.append((begin, finish, text + self.nl))

    def _insert_entries(self, node: _Node, entries: dict[Any, Any]) -> None:
        """Add keys at the end of a block mapping."""
        column = _column(self.text, node.keys[0].start)
        position = self._line_after(node.end)
        self.eof = self._open_end(position)
        lines = self._block_lines(entries, column)
        self._insert_lines(position, lines)

    def _open_end(self, position: int) -> bool:
        """Whether text written at ``position`` would end the file without a newline."""
        return position >= len(self.text) and not self.text.endswith("\n")

    def _insert_lines(self, position: int, lines: list[str]) -> None:
        self.eof = False
        text = self.nl.join(lines)
        if position == len(self.text) and not self.text.endswith("\n"):
            self.splices.append((position, position, self.nl + text))
        else:
            self.splices.append((position, position, text + self.nl))

    def _insert_items(
        self, node: _Node, before: int, values: list[Any], after: bool = False
    ) -> None:
        """Insert items in a block list, before item ``before`` (or at the end); with
        ``after``, right after item ``before - 1`` (keeping the comments that follow it)."""
        dash = node.items[0].entry
        at_end = before >= len(node.items) or after
        if at_end:
            position = self._line_after(node.items[before - 1].end)
            self.eof = self._open_end(position)
        lines = self._block_lines(
            values, _column(self.text, dash), flow_items=self._flow_items(node)
        )
        self.eof = False
        if at_end:
            self._insert_lines(position, lines)
            return
        target = node.items[before].entry
        if not self._starts_line(target):
            column = _column(self.text, target)
            text = lines[0][column:] + "".join(self.nl + line for line in lines[1:])
            self.splices.append((target, target, text + self.nl + " " * column))
            return
        if before > 0:
            floor = self._line_after(node.items[before - 1].end)
        elif node.ind is not None and node.ind < self._line_start(target):
            floor = self._line_after(node.ind)  # (the line after ``key:``)
        else:
            floor = self._line_start(target)
        self._insert_lines(self._comments_above(self._line_start(target), floor), lines)

    def _comments_above(self, line_start: int, floor: int) -> int:
        """The start of the comment lines just above ``line_start`` (not above ``floor``)."""
        position = line_start
        while position > floor:
            previous = self.text.rfind("\n", 0, position - 1) + 1
            if previous < floor:
                break
            if not self.text[previous:position].lstrip(" ").startswith("#"):
                break
            position = previous
        return position

    def _flow_items(self, node: _Node) -> bool:
        return bool(node.items) and all(item.kind == "map" and item.flow for item in node.items)

    def _add_key(self, parent: _Node, key: str | int, value: Any, block: bool = False) -> None:
        if parent.kind != "map":  # (resolve refuses this before)
            raise self._error(
                _("'{path}' is not a set of keys").format(path=_show(self.path[:-1])), parent
            )
        if parent.flow:
            data = dict(parent.data)
            data[key] = value
            self._replace(parent, data, block=block or not parent.items)
        else:
            self._insert_entries(parent, {key: value})

    # -- replacing a node

    def _replace(self, node: _Node, value: Any, block: bool = False) -> None:
        """Write ``value`` in the place of ``node``."""
        self._check_free(node)
        text = self.text
        if node.parent is None:
            if not isinstance(value, dict | list | tuple) or not value:
                raise self._error(
                    _("the whole document cannot be replaced by a single value"), node
                )
            if node.flow:
                self.splices.append((node.start, node.end, self._flow_text(value, node)))
                return
            column = _column(text, node.start)
            lines = self._block_lines(value, column)
            self.splices.append((node.start, node.end, self.nl.join(lines)[column:]))
            return
        if node.in_flow and node.parent.flow:
            self.splices.append((node.start, node.end, self._flow_text(value, node)))
            return
        if node.ind is None:
            raise self._error(
                _(
                    "'{path}' is written in a way that cannot be edited in place; edit it by hand"
                ).format(path=_show(self.path)),
                node,
            )
        parent = node.parent
        where = parent.kind
        n = _column(text, node.entry)
        shape = self._shape(node)
        on_line = shape in ("inline", "block_scalar", "compact")
        if where == "map":
            step = self.style.seq_offset if isinstance(value, list | tuple) else self.style.map_step
            content = n + step
        else:
            content = _column(text, node.start) if on_line else n + 2
        # Where the old value's lines end (a comment after the last line of an old
        # collection goes with it), and whether a block scalar can end there.
        if shape == "empty":
            region_end = self._eol(node.ind)
        elif shape == "block_scalar":
            region_end = node.end
        else:
            region_end = self._eol(node.end)
        after = text[region_end:]
        clip_ok = after.startswith(("\n", "\r\n"))
        next_line = after[self._line_after(region_end) - region_end :]
        keep_ok = clip_ok and (next_line == "" or next_line.split("\n", 1)[0].strip(" \r") != "")
        first = _column(text, node.start) if on_line else (_column(text, node.ind) + 1)
        scalar_column = content if where == "seq" else n + self.style.map_step
        if shape == "block_scalar":
            scalar_column = self._block_column(node, n) or scalar_column
        place = _Place(
            where,
            n,
            scalar_column,
            old=node,
            keep_ok=keep_ok,
            clip_ok=clip_ok,
            first=first,
        )
        self.eof = self._open_end(region_end)
        form = self._emit(value, place, collection_column=content, block=block)
        self.eof = False
        kind = form[0]
        nl = self.nl
        if kind == "coll":
            lines = form[1]
            head = lines[0][content:]
            rest = "".join(nl + line for line in lines[1:])
        if shape == "inline":
            tail = text[node.end : self._eol(node.end)]
            if kind == "inline":
                if form[1] == "":
                    self.splices.append((node.ind, node.end, ""))
                else:
                    self.splices.append((node.start, node.end, form[1]))
            elif kind == "block":
                body = "".join(nl + line for line in form[2])
                self.splices.append((node.start, region_end, form[1] + tail + body))
            elif where == "map":
                self.splices.append((node.ind, region_end, tail + nl + nl.join(lines)))
            else:
                self.splices.append((node.start, region_end, head + tail + rest))
        elif shape == "empty":
            tail = text[node.ind : self._eol(node.ind)]
            if kind == "inline":
                if form[1]:
                    self.splices.append((node.ind, node.ind, " " + form[1]))
            elif kind == "block":
                body = "".join(nl + line for line in form[2])
                self.splices.append((node.ind, region_end, " " + form[1] + tail + body))
            elif where == "map":
                self.splices.append((region_end, region_end, nl + nl.join(lines)))
            else:
                self.splices.append((node.ind, region_end, " " + head + tail + rest))
        elif shape == "block_scalar":
            header = _HEADER.match(text, node.start)
            header_end = header.end() if header else node.start + 1
            tail = text[header_end : self._eol(header_end)]
            if kind == "inline":
                if form[1]:
                    self.splices.append((node.start, node.end, form[1] + tail))
                else:
                    self.splices.append((node.ind, node.end, tail))
            elif kind == "block":
                body = "".join(nl + line for line in form[2])
                self.splices.append((node.start, node.end, form[1] + tail + body))
            elif where == "map":
                self.splices.append((node.ind, node.end, tail + nl + nl.join(lines)))
            else:
                self.splices.append((node.start, node.end, head + tail + rest))
        elif shape == "compact":
            if kind == "inline":
                if form[1]:
                    self.splices.append((node.start, region_end, form[1]))
                else:
                    self.splices.append((node.ind, region_end, ""))
            elif kind == "block":
                body = "".join(nl + line for line in form[2])
                self.splices.append((node.start, region_end, form[1] + body))
            else:
                self.splices.append((node.start, region_end, head + rest))
        else:  # below: the old value starts on a line of its own
            tail = text[node.ind : self._eol(node.ind)]
            if kind == "inline":
                self.splices.append(
                    (node.ind, region_end, (" " + form[1] if form[1] else "") + tail)
                )
            elif kind == "block":
                body = "".join(nl + line for line in form[2])
                self.splices.append((node.ind, region_end, " " + form[1] + tail + body))
            elif where == "map":
                self.splices.append((self._line_start(node.start), region_end, nl.join(lines)))
            else:
                self.splices.append((node.ind, region_end, " " + head + tail + rest))

    def _block_column(self, node: _Node, n: int) -> int | None:
        """The column of an old block scalar's content (to write the new one there)."""
        header = _HEADER.match(self.text, node.start)
        if header is None:
            return None
        digits = [char for char in header.group(0) if char.isdigit()]
        if digits:
            return n + int(digits[0])
        for line in self.text[node.start : node.end].split("\n")[1:]:
            if line.strip(" \r"):
                column = len(line) - len(line.lstrip(" "))
                return column if column > n else None
        return None

    def _shape(self, node: _Node) -> str:
        if node.kind == "scalar" and node.start == node.end and not node.style:
            return "empty"
        assert node.ind is not None
        if "\n" in self.text[node.ind : node.start]:
            return "below"
        if node.kind == "scalar" and node.style in ("|", ">"):
            return "block_scalar"
        if node.kind != "scalar" and not node.flow:
            return "compact"
        return "inline"

    # -- emitting values

    def _emit(
        self, value: Any, place: _Place, collection_column: int, block: bool = False
    ) -> tuple[Any, ...]:
        """The form of a value in a block place: ``("inline", text)``, ``("block", header,
        lines)`` (a block scalar) or ``("coll", lines)`` (a block collection, its lines
        indented from ``collection_column``)."""
        if isinstance(value, dict | list | tuple):
            if not value:
                return ("inline", "{}" if isinstance(value, dict) else "[]")
            old = place.old
            flow = not block and (
                (old is not None and old.flow and bool(old.items)) or place.flow_items
            )
            if flow:
                text = self._flow_text(value, old if old is not None and old.flow else None)
                if place.first + len(text) <= self._width(old):
                    return ("inline", text)
            return ("coll", self._block_lines(value, collection_column))
        for form in self._scalar_forms(value, place):
            return form
        raise self._error(
            _("the value for '{path}' cannot be written in YAML; edit it by hand").format(
                path=_show(self.path)
            ),
            place.old,
        )

    def _width(self, old: _Node | None) -> int:
        if old is None:
            return self.style.width
        start = self._line_start(old.start)
        return max(self.style.width, self._eol(old.start) - start)

    def _scalar_forms(self, value: Any, place: _Place) -> Iterator[tuple[Any, ...]]:
        """The verified ways of writing a scalar here, best first."""
        for candidate in self._scalar_candidates(value, place):
            if candidate[0] == "inline":
                text = candidate[1]
                if place.where == "map":
                    document = " " * place.n + "k:" + (" " + text if text else "")
                elif place.where == "seq":
                    document = " " * place.n + "- " + text
                elif place.where == "key":
                    document = " " * place.n + text + ": 0"
                elif place.where == "flowkey":
                    document = "{" + text + ": 0}"
                else:
                    document = "[" + text + "]"
            else:
                head = " " * place.n + ("k: " if place.where == "map" else "- ")
                lines = "".join("\n" + line for line in candidate[2])
                document = head + candidate[1] + lines + "\n"
            where = "key" if place.where in ("key", "flowkey") else place.where
            if where == "flow":
                where = "seq"
            if self.verifier.check(document, value, where):
                yield candidate

    def _scalar_candidates(self, value: Any, place: _Place) -> Iterator[tuple[Any, ...]]:
        kind = _kind(value)
        flow = place.where in ("flow", "flowkey")
        if kind == "null":
            if place.where == "map":
                yield ("inline", "")
            yield ("inline", "null")
            yield ("inline", "~")
            return
        if kind == "bool":
            yield ("inline", "true" if value else "false")
            return
        if kind == "int":
            yield ("inline", str(value))
            return
        if kind == "float":
            yield from (("inline", text) for text in _float_texts(value))
            return
        if kind == "date":
            yield ("inline", value.isoformat())
            return
        if kind == "datetime":
            yield ("inline", value.isoformat(" "))
            yield ("inline", value.isoformat())
            return
        assert kind == "str"
        old = place.old
        old_style = old.style if old is not None and old.kind == "scalar" else None
        block_ok = place.where in ("map", "seq")
        if block_ok and "\n" in value:
            yield from self._literal(value, place)
        if block_ok and old_style == ">" and place.first + len(value) > self._folded_width(old):
            folded = self._folded(value, place)
            if folded is not None:
                yield folded
        plain = _plain(value, flow)
        if plain is not None:
            yield ("inline", plain)
        quotes = []
        if old_style in ("'", '"'):
            quotes.append(old_style)
        quotes.extend([self.style.quote, "'", '"'])
        quotes = list(dict.fromkeys(quotes))
        # No doubled quote when the other kind needs none: "l'accueil : ici", 'un "mot"'.
        if "'" in value and '"' not in value:
            quotes.sort(key=lambda quote: quote == "'")
        elif '"' in value and "'" not in value:
            quotes.sort(key=lambda quote: quote == '"')
        for quote in quotes:
            text = _single(value) if quote == "'" else _double(value)
            if text is not None:
                yield ("inline", text)

    def _literal(self, value: str, place: _Place) -> Iterator[tuple[Any, ...]]:
        if _DOUBLE_ONLY.search(value) or "\r" in value:
            return
        body = value.rstrip("\n")
        trailing = len(value) - len(body)
        if body.strip(" \n") == "":
            return
        if trailing == 0:
            chomp = "-"
        elif trailing == 1:
            chomp = ""
            if not place.clip_ok:
                return
        else:
            chomp = "+"
            if not place.keep_ok:
                return
        lines = body.split("\n") + [""] * (trailing - 1 if trailing > 1 else 0)
        column = place.content
        first = next((line for line in lines if line), "")
        indicator = str(column - place.n) if first.startswith(" ") else ""
        if indicator and not 1 <= int(indicator) <= 9:
            return
        out = [" " * column + line if line else "" for line in lines]
        yield ("block", "|" + indicator + chomp, out)
        if not indicator and 1 <= column - place.n <= 9:
            yield ("block", "|" + str(column - place.n) + chomp, out)

    def _folded(self, value: str, place: _Place) -> tuple[Any, ...] | None:
        body = value[:-1] if value.endswith("\n") else value
        if (
            not body
            or "\n" in body
            or "  " in body
            or body != body.strip(" ")
            or _NOT_PLAIN.search(body)
        ):
            return None
        if _DOUBLE_ONLY.search(body):
            return None
        if value.endswith("\n") and not place.clip_ok:
            return None
        width = self._folded_width(place.old)
        column = place.content
        lines: list[str] = []
        current = ""
        for word in body.split(" "):
            if current and column + len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
        return (
            "block",
            ">" + ("" if value.endswith("\n") else "-"),
            [" " * column + line for line in lines],
        )

    def _folded_width(self, old: _Node | None) -> int:
        if old is None or old.style != ">":
            return self.style.width
        lines = self.text[old.start : old.end].splitlines()[1:]
        longest = max((len(line.rstrip("\r")) for line in lines), default=0)
        return longest if 60 <= longest <= 120 else self.style.width

    def _key_text(self, key: str | int, column: int, flow: bool = False) -> str:
        place = _Place("flowkey" if flow else "key", column)
        for form in self._scalar_forms(key, place):
            return str(form[1])
        raise self._error(_("the key '{key}' cannot be written in YAML").format(key=key), None)

    def _block_lines(self, value: Any, column: int, flow_items: bool = False) -> list[str]:
        """A non-empty list or dict in block style, its entries at ``column``."""
        out: list[str] = []
        if isinstance(value, dict):
            for key, item in value.items():
                prefix = " " * column + self._key_text(key, column) + ":"
                place = _Place("map", column, column + self.style.map_step)
                place.clip_ok = not self.eof
                self._entry(out, prefix, item, place)
        else:
            for item in value:
                prefix = " " * column + "-"
                place = _Place("seq", column, column + 2, flow_items=flow_items, first=column + 2)
                place.clip_ok = not self.eof
                self._entry(out, prefix, item, place)
        return out

    def _entry(self, out: list[str], prefix: str, value: Any, place: _Place) -> None:
        if place.where == "map":
            step = self.style.seq_offset if isinstance(value, list | tuple) else self.style.map_step
            collection_column = place.n + step
            place.first = len(prefix) + 1
        else:
            collection_column = place.n + 2
        form = self._emit(value, place, collection_column)
        if form[0] == "inline":
            out.append(prefix + (" " + form[1] if form[1] else ""))
        elif form[0] == "block":
            out.append(prefix + " " + form[1])
            out.extend(form[2])
        elif place.where == "map":
            out.append(prefix)
            out.extend(form[1])
        else:
            lines = form[1]
            out.append(prefix + " " + lines[0][collection_column:])
            out.extend(lines[1:])

    def _flow_text(self, value: Any, old: _Node | None) -> str:
        """A value in flow style, reusing the text of ``old``'s unchanged parts."""
        if old is not None and _same(old.data, value):
            return self.text[old.start : old.end]
        if isinstance(value, dict | list | tuple):
            if old is not None and old.kind != "scalar":
                self._check_free(old)
            if old is not None and old.flow and self._has_comment(old):
                raise self._error(
                    _(
                        "'{path}' has a comment inside its brackets, which would be lost; "
                        "edit it by hand"
                    ).format(path=_show(self.path)),
                    old,
                )
            padded = (
                old is not None and old.flow and self.text[old.start + 1 : old.start + 2] == " "
            )
            if isinstance(value, dict):
                parts = []
                old_map = old if old is not None and old.kind == "map" else None
                for key, item in value.items():
                    index = (
                        next(
                            (i for i, k in enumerate(old_map.keys) if _same_key_value(key, k.data)),
                            None,
                        )
                        if old_map is not None
                        else None
                    )
                    if index is not None and old_map is not None:
                        key_text = self.text[old_map.keys[index].start : old_map.keys[index].end]
                        child = old_map.items[index]
                    else:
                        key_text = self._key_text(key, 0, flow=True)
                        child = None
                    parts.append(key_text + ": " + self._flow_text(item, child))
                opening, closing = "{", "}"
            else:
                parts = []
                old_seq = old if old is not None and old.kind == "seq" else None
                olds = old_seq.items if old_seq is not None else []
                matcher = difflib.SequenceMatcher(
                    None, [_canon(i.data) for i in olds], [_canon(v) for v in value], autojunk=False
                )
                for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                    for offset, item in enumerate(value[j1:j2]):
                        child = (
                            olds[i1 + offset]
                            if tag in ("equal", "replace") and i1 + offset < i2
                            else None
                        )
                        parts.append(self._flow_text(item, child))
                opening, closing = "[", "]"
            if not parts:
                return opening + closing
            inner = ", ".join(parts)
            return f"{opening} {inner} {closing}" if padded else f"{opening}{inner}{closing}"
        place = _Place("flow", old=old)
        for form in self._scalar_forms(value, place):
            return str(form[1])
        raise self._error(
            _("the value for '{path}' cannot be written in YAML; edit it by hand").format(
                path=_show(self.path)
            ),
            old,
        )

    def _has_comment(self, node: _Node) -> bool:
        """Whether a flow collection's text holds a comment (outside its scalars)."""
        pieces = []
        position = node.start
        stack = [node]
        scalars: list[_Node] = []
        while stack:
            current = stack.pop()
            if current.kind == "scalar":
                scalars.append(current)
            stack.extend(current.keys)
            stack.extend(current.items)
        for scalar in sorted(scalars, key=lambda s: s.start):
            pieces.append(self.text[position : scalar.start])
            position = max(position, scalar.end)
        pieces.append(self.text[position : node.end])
        return "#" in "".join(pieces)


def _same_shape(node: _Node, value: Any) -> bool:
    """Whether a flow collection and a new value have the same keys (or length)."""
    if node.kind == "map":
        return len(node.keys) == len(value) and all(_has_key(value, key.data) for key in node.keys)
    return len(node.items) == len(value)


def _has_key(mapping: dict[Any, Any], key: Any) -> bool:
    return key in mapping and _same_key(key, mapping)


def _same_key_value(a: Any, b: Any) -> bool:
    return a == b and _kind(a) == _kind(b)


def _without(data: Any, index: int) -> Any:
    if isinstance(data, dict):
        return {k: v for i, (k, v) in enumerate(data.items()) if i != index}
    return [v for i, v in enumerate(data) if i != index]


def _float_texts(value: float) -> Iterator[str]:
    if isinstance(value, source.SourceFloat):
        yield value.text
    if math.isnan(value):
        yield ".nan"
        return
    if math.isinf(value):
        yield ".inf" if value > 0 else "-.inf"
        return
    text = repr(float(value))
    yield text
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        yield f"{mantissa}.0e{exponent}"


def _splice(text: str, splices: list[tuple[int, int, str]]) -> str | None:
    """The text with the splices (start, end, new text) made; None if two overlap."""
    if not splices:
        return text
    out = []
    position = 0
    for start, end, new in sorted(splices, key=lambda s: (s[0], s[1])):
        if start < position:
            return None
        out.append(text[position:start])
        out.append(new)
        position = end
    out.append(text[position:])
    return "".join(out)


def _unfaithful(edit: Edit) -> EditError:
    return EditError(
        _(
            "the change at '{path}' could not be written without altering other values; "
            "edit it by hand"
        ).format(path=_show(edit.path)),
        edit.path,
    )
