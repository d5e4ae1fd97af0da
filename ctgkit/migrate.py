"""``ctg migrate``: rewrite format-1 plans (English keys) into format 2 (French keys).

The files are edited in place at the keys' source positions, found by ruamel.yaml's
composer: every comment, blank line, quote and folded line stays byte for byte, and only
the keys change (plus a ``format: 2`` line, and ``formulaire: vienne-2019`` when the
fiches use that form's fields). Nothing is written unless every file of every plan given
can be migrated.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import keys
from .i18n import _
from .loader import FICHES_DIR, PLAN_FILE, fiche_files
from .source import SourceError, read_text


class MigrationError(Exception):
    """A file that cannot be migrated; nothing is written."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file, self.line, self.column, self.message = file, line, column, message


@dataclass
class PlanMigration:
    root: Path
    files: dict[Path, str] = field(default_factory=dict)  # path -> new text (changed only)
    already: bool = False  # plan.yaml already says format: 2
    form: str = "général"


def _compose(text: str, display: str) -> Node | None:
    yaml = YAML(typ="rt")
    try:
        return yaml.compose(text)
    except YAMLError as exc:
        if getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None):
            from .yaml_errors import explain

            try:  # the same plain explanation as `ctg validate` gives
                cause = explain(exc, text)
            except Exception:  # noqa: BLE001 - fall back on the parser's own words
                cause = None
            if cause is not None:
                raise MigrationError(display, cause.line, cause.column, cause.message) from None
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        message = _("YAML syntax error: {problem}").format(problem=problem)
        raise MigrationError(display, line, column, message) from None
    except RecursionError:
        raise MigrationError(display, 1, 1, _("data is nested too deeply")) from None


def _edits(node: Node, table: keys.Table, display: str) -> list[tuple[int, int, str]]:
    """(start, end, new key) for every key of ``table`` under ``node``."""
    edits: list[tuple[int, int, str]] = []
    stack: list[tuple[Node, keys.Table]] = [(node, table)]
    while stack:
        current, current_table = stack.pop()
        if isinstance(current, SequenceNode):
            stack.extend((item, current_table) for item in current.value)
            continue
        if not isinstance(current, MappingNode):
            continue
        present = {k.value for k, _ in current.value if isinstance(k, ScalarNode)}
        for key_node, value_node in current.value:
            if not isinstance(key_node, ScalarNode):
                continue
            entry = current_table.get(key_node.value)
            if entry is None:
                continue
            new, inner = entry
            if new != key_node.value:
                if new in present:
                    mark = key_node.start_mark
                    raise MigrationError(
                        display,
                        mark.line + 1,
                        mark.column + 1,
                        _("both '{old}' and '{new}' are written here; keep one").format(
                            old=key_node.value, new=new
                        ),
                    )
                edits.append((key_node.start_mark.index, key_node.end_mark.index, new))
            if inner:
                stack.append((value_node, inner))
    return edits


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _top_keys(root: Node) -> list[tuple[str, Node]]:
    if not isinstance(root, MappingNode):
        return []
    return [(k.value, v) for k, v in root.value if isinstance(k, ScalarNode)]


def migrate_text(text: str, kind: str, display: str = "<text>") -> str:
    """The format-2 text of one format-1 file (``kind``: "plan" or "fiche"), keys only."""
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    root = _compose(body, display)
    if root is None:
        return text
    if not isinstance(root, MappingNode):
        mark = root.start_mark
        raise MigrationError(
            display, mark.line + 1, mark.column + 1, _("expected a mapping of fields")
        )
    table = keys.PLAN if kind == "plan" else keys.FICHE
    migrated = _apply(body, _edits(root, table, display))
    return ("\ufeff" if bom else "") + migrated


def _insert_top(text: str, root: Node, lines: list[str]) -> str:
    """Insert lines before the first top-level key (after the file's header comments)."""
    assert isinstance(root, MappingNode) and root.value
    first = root.value[0][0]
    start = first.start_mark.index - first.start_mark.column
    bom = 1 if text.startswith("\ufeff") else 0
    start += bom
    return text[:start] + "".join(line + "\n" for line in lines) + text[start:]


def plan_migration(root: str | os.PathLike[str]) -> PlanMigration:
    """What migrating the plan at ``root`` would write; raises :class:`MigrationError`."""
    root = Path(root)
    if root.name == PLAN_FILE and root.is_file():
        root = root.parent
    plan_path = root / PLAN_FILE
    result = PlanMigration(root)
    display = str(plan_path)
    text = _read(plan_path, root, display)
    tree = _compose(text.lstrip("\ufeff"), display)
    if not isinstance(tree, MappingNode):
        raise MigrationError(display, 1, 1, _("plan.yaml must be a mapping of fields"))
    top = dict(_top_keys(tree))
    if "format" in top:
        value = top["format"]
        if isinstance(value, ScalarNode) and value.value.strip() == "2":
            result.already = True
            return result
        mark = value.start_mark
        raise MigrationError(
            display,
            mark.line + 1,
            mark.column + 1,
            _("unknown format '{value}'").format(value=getattr(value, "value", "?")),
        )
    vienne = False
    for path in fiche_files(root):
        fiche_display = f"{root}/{FICHES_DIR}/{path.name}"
        fiche_text = _read(path, root, fiche_display)
        fiche_root = _compose(fiche_text.lstrip("\ufeff"), fiche_display)
        if fiche_root is None:
            continue
        if any(key in keys.VIENNE_ONLY for key, _ in _top_keys(fiche_root)):
            vienne = True
        new = migrate_text(fiche_text, "fiche", fiche_display)
        if new != fiche_text:
            result.files[path] = new
    result.form = "vienne-2019" if vienne else "général"
    new_plan = migrate_text(text, "plan", display)
    header = ["format: 2  # format des fichiers de ctgkit (ctg migrate)"]
    if vienne:
        header.append(
            "formulaire: vienne-2019  # le formulaire de fiche action de la CAF de la Vienne (2019)"
        )
    new_tree = _compose(new_plan.lstrip("\ufeff"), display)
    assert new_tree is not None
    result.files[plan_path] = _insert_top(new_plan, new_tree, header)
    return result


def _read(path: Path, root: Path, display: str) -> str:
    try:
        return read_text(path, root)
    except SourceError as error:
        raise MigrationError(display, error.line, error.column, error.message) from None


def migrate(roots: Sequence[str | os.PathLike[str]], dry_run: bool = False) -> list[PlanMigration]:
    """Migrate every plan of ``roots``; writes nothing unless all of them can be migrated."""
    from .fsutil import atomic_write

    results = [plan_migration(root) for root in roots]
    if not dry_run:
        for result in results:
            for path, text in result.files.items():
                atomic_write(path, text.encode("utf-8"))
    return results


def _rename_data(data: Any, table: keys.Table) -> Any:
    """Plain-data version of the key renaming (for generated corpora and tests)."""
    if isinstance(data, list):
        return [_rename_data(item, table) for item in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        entry = table.get(key) if isinstance(key, str) else None
        if entry is None:
            out[key] = value
            continue
        new, inner = entry
        out[new] = _rename_data(value, inner) if inner else value
    return out


def migrate_data(data: Any, kind: str) -> Any:
    """Format-1 data (a parsed plan.yaml or fiche) as format-2 data."""
    migrated = _rename_data(data, keys.PLAN if kind == "plan" else keys.FICHE)
    if kind == "plan" and isinstance(migrated, dict):
        migrated = {"format": 2, **migrated}
    return migrated
