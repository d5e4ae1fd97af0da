"""Writing output files atomically: readers see the old file or the new one, never half."""

from __future__ import annotations

import os
import tempfile
from glob import escape as glob_escape
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file and an atomic rename.

    The file gets the permissions a plain ``open(path, "w")`` would give it (the existing
    file's mode, or 0666 less the umask), not the private mode of a temporary file: rendered
    documents are meant to be published. Any failure is raised as an ``OSError`` naming
    ``path`` (not the temporary file)."""
    target = Path(path)
    try:
        _atomic_write(target, content)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from None


def _atomic_write(target: Path, content: str | bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # A write killed before its rename leaves its temporary file; clear those first.
    for stale in target.parent.glob(f".{glob_escape(target.name)}.*.tmp"):
        try:
            stale.unlink()
        except OSError:
            pass
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        try:
            mode = target.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_umask()
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def is_within(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True
