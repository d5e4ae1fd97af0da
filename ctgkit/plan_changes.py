"""Changes to a plan's files, checked before they are written, written all together.

``ctg import`` and the follow-up campaigns turn workbooks into new texts for some of a
plan's YAML files. They collect them in a :class:`ChangeSet`, then:

- :func:`check` validates the plan as it would be after the changes (a copy of the plan
  folder with the new texts, in a temporary folder), the diagnostics naming the real files;
- :func:`write` writes them: every new text goes to a temporary file next to its target
  first, and only when all are written are they renamed into place, so a failure (a full
  disk, a read-only folder) leaves every file as it was. A file that changed on disk since it
  was read is not overwritten (:class:`ChangedOnDiskError`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import os
import secrets
import shutil
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic
from .i18n import _


@dataclass
class FileChange:
    """The new text of one file of the plan; ``before`` is None for a file to create."""

    path: Path
    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def read(path: Path) -> str:
    """The text of a plan file as it is on disk (UTF-8, line ends kept as they are)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


class ChangedOnDiskError(OSError):
    """A file to write changed on disk after it was read: someone else edited it."""


@dataclass
class ChangeSet:
    """Pending new texts of a plan's files, by path (in the order they were first set)."""

    root: Path
    changes: dict[Path, FileChange] = field(default_factory=dict)

    def text(self, path: Path) -> str:
        """The text of ``path`` with the pending change, else as on disk (UTF-8)."""
        change = self.changes.get(path)
        if change is not None:
            return change.after
        return read(path)

    def set(self, path: Path, after: str) -> None:
        """``path`` is to hold ``after`` (its text on disk is read now, to compare)."""
        change = self.changes.get(path)
        if change is not None:
            change.after = after
            return
        before = read(path) if path.exists() else None
        self.changes[path] = FileChange(path, before, after)

    def create(self, path: Path, text: str) -> None:
        """A new file ``path`` holding ``text``."""
        self.changes[path] = FileChange(path, None, text)

    @property
    def effective(self) -> list[FileChange]:
        """The changes that change something."""
        return [change for change in self.changes.values() if change.changed]

    def __bool__(self) -> bool:
        return bool(self.effective)


def check(
    changes: ChangeSet,
    display_root: str,
    ignore: Collection[str] = (),
    today: datetime.date | None = None,
) -> list[Diagnostic]:
    """Every problem of the plan as it would be after ``changes``, in the files' real names
    (``display_root`` is how the plan folder is named to the user)."""
    from .api import validate

    with _copy_with_changes(changes) as copy:
        diagnostics = validate(copy, ignore, today)
        prefix = str(copy)
    out = []
    for diagnostic in diagnostics:
        name = diagnostic.file
        if name == prefix or name.startswith(prefix + os.sep):
            name = display_root + name[len(prefix) :]
        out.append(dataclasses.replace(diagnostic, file=name))
    return out


def new_diagnostics(
    before: list[Diagnostic], after: list[Diagnostic], *, errors: bool
) -> list[Diagnostic]:
    """The errors (``errors=True``) or the warnings of ``after`` that ``before`` does not
    have (compared without their line and column, which an edit may move)."""
    known: dict[tuple[str, str, str], int] = {}
    for d in before:
        if d.is_error == errors:
            key = (d.file, d.code, d.message)
            known[key] = known.get(key, 0) + 1
    out = []
    for d in after:
        if d.is_error != errors:
            continue
        key = (d.file, d.code, d.message)
        if known.get(key, 0):
            known[key] -= 1
            continue
        out.append(d)
    return out


@contextlib.contextmanager
def _copy_with_changes(changes: ChangeSet) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ctg-import-") as temporary:
        copy = Path(temporary) / changes.root.resolve().name
        shutil.copytree(changes.root, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
        root = changes.root.resolve()
        for change in changes.changes.values():
            target = copy / change.path.resolve().relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(change.after.encode("utf-8"))
        yield copy


def write(changes: ChangeSet) -> list[Path]:
    """Write every effective change, all or nothing; the paths written.

    Raises :class:`ChangedOnDiskError` (nothing written) when a file's text on disk is no
    longer the one read, ``FileExistsError`` when a file to create exists, ``OSError`` (its
    ``filename`` the target) when a file cannot be written."""
    from .fsutil import refuse_special_file

    pending = changes.effective
    for change in pending:
        refuse_special_file(change.path)
        if change.before is None:
            if change.path.exists() or change.path.is_symlink():
                raise FileExistsError(
                    17, _("the file appeared meanwhile; nothing was written"), str(change.path)
                )
            continue
        try:
            now = read(change.path)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(change.path)) from None
        if now != change.before:
            raise ChangedOnDiskError(
                0,
                _("the file changed on disk while ctg was working; nothing was written"),
                str(change.path),
            )
    staged: list[tuple[Path, Path]] = []
    try:
        for change in pending:
            staged.append((_stage(change.path, change.after), change.path))
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        for temporary, _target in staged:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return [change.path for change in pending]


def _stage(target: Path, text: str) -> Path:
    """``text`` in a temporary file next to ``target``, with ``target``'s permissions."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as stream:
            try:
                mode = target.stat().st_mode & 0o7777
            except OSError:
                mask = os.umask(0)
                os.umask(mask)
                mode = 0o666 & ~mask
            os.fchmod(stream.fileno(), mode)
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    return temporary
