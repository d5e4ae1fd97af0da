"""Writing output files atomically: readers see the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import stat
import zipfile
from pathlib import Path

from .i18n import N_, _

# Each message is a whole sentence (the kind of file changes the French article).
_SPECIAL_KINDS = (
    (
        stat.S_ISFIFO,
        N_("it is a FIFO, not a regular file; refusing to replace it"),
        N_("it links to a FIFO, not a regular file; refusing to replace it"),
    ),
    (
        stat.S_ISCHR,
        N_("it is a character device, not a regular file; refusing to replace it"),
        N_("it links to a character device, not a regular file; refusing to replace it"),
    ),
    (
        stat.S_ISBLK,
        N_("it is a block device, not a regular file; refusing to replace it"),
        N_("it links to a block device, not a regular file; refusing to replace it"),
    ),
    (
        stat.S_ISSOCK,
        N_("it is a socket, not a regular file; refusing to replace it"),
        N_("it links to a socket, not a regular file; refusing to replace it"),
    ),
)

#: The system's own words for the errors a user meets when writing or reading files, so
#: that they are said in the current language (Python gives them in English).
_SYSTEM_REASONS = {
    errno.ENOENT: N_("No such file or directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EDQUOT: N_("Disk quota exceeded"),
    errno.EROFS: N_("Read-only file system"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.EEXIST: N_("File exists"),
    errno.ENAMETOOLONG: N_("File name too long"),
    errno.ELOOP: N_("Too many levels of symbolic links"),
    errno.EIO: N_("Input/output error"),
    errno.EBADF: N_("Bad file descriptor"),
    errno.EPIPE: N_("Broken pipe"),
}


def reason(exc: OSError) -> str:
    """Why ``exc`` happened, in the current language when it is the system's usual text
    (``No space left on device``); ctgkit's own reasons are translated where raised."""
    text = exc.strerror or str(exc)
    known = _SYSTEM_REASONS.get(exc.errno) if exc.errno is not None else None
    if known is not None and exc.strerror in (known, os.strerror(exc.errno)):
        return _(known)
    return text


#: Where files are the system's, not documents (``/dev/stdout`` is a link, ``/dev/null`` a
#: device; as root, replacing them breaks the machine).
SYSTEM_FOLDERS = (Path("/dev"), Path("/proc"), Path("/sys"))


class NotARegularFileError(OSError):
    """The place to write is a FIFO, a device, a socket or a system folder: ctg never
    replaces one."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def refuse_special_file(path: str | os.PathLike[str]) -> None:
    """Raise :class:`NotARegularFileError` if ``path`` is, or links to, a FIFO, a device or a
    socket, or is in /dev, /proc or /sys.

    Writing atomically would replace it with a regular file (``-o /dev/null`` run as root
    once replaced the system's /dev/null); writing into it is not what a file output means
    (use ``-o -`` for standard output)."""
    for read, links in ((os.lstat, ""), (os.stat, "links to ")):
        try:
            mode = read(path).st_mode
        except OSError:  # absent, or a broken link: nothing that could be harmed
            continue
        for test, itself, linked in _SPECIAL_KINDS:
            if test(mode):
                raise NotARegularFileError(
                    errno.EINVAL, _(linked if links else itself), os.fspath(path)
                )
    folder = Path(path).absolute().parent.resolve()
    for system in SYSTEM_FOLDERS:
        if folder == system or system in folder.parents:
            raise NotARegularFileError(
                errno.EINVAL,
                _("it is in {folder}, a system folder; refusing to write there").format(
                    folder=system
                ),
                os.fspath(path),
            )


def atomic_write(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file and an atomic rename.

    The file gets the permissions a plain ``open(path, "w")`` would give it (the existing
    file's mode, or 0666 less the umask), not the private mode of a temporary file: rendered
    documents are meant to be published. A FIFO, device or socket at ``path`` is refused
    before anything is written. Any failure is raised as an ``OSError`` naming ``path`` (not
    the temporary file)."""
    target = Path(path)
    refuse_special_file(target)
    try:
        if target.is_dir():  # a folder, or a link to one: never replaced by a file
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        _atomic_write(target, content)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from None


def _atomic_write(target: Path, content: str | bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Undecodable bytes of a file name (surrogates) are written as escapes, not refused.
    data = content.encode("utf-8", "backslashreplace") if isinstance(content, str) else content
    # The name is unique to this process (pid) and this write (random part), and only this
    # call ever removes it: several ctg processes may write into one folder at the same
    # time, and a file that merely looks like a temporary file may be the user's. It is
    # removed in ``finally``, so an error or a signal ctg turns into an exit (cli.main)
    # cleans it up, even one arriving just after it was created. A SIGKILL leaves it.
    temporary = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    ours = True  # until the system says the name was taken (then the file is not ours)
    renamed = False
    try:
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            ours = False
            raise
        with os.fdopen(handle, "wb") as stream:
            try:
                mode = target.stat().st_mode & 0o7777
            except OSError:
                mode = 0o666 & ~_umask()
            os.fchmod(stream.fileno(), mode)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
        renamed = True
    finally:
        if ours and not renamed:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def is_within(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True


def atomic_create(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Create ``path`` with ``content``, all at once, and never over anything: a file, a
    folder, a link (even a broken one) already at ``path`` raises ``FileExistsError`` and
    is left untouched.

    The content goes to a temporary file first, then is linked at ``path`` (``link``
    fails when the name is taken, so two processes cannot both create it); a file system
    without hard links gets the file created exclusively (``O_EXCL``) and written in place.
    Any failure is raised as an ``OSError`` naming ``path``."""
    target = Path(path)
    try:
        if target.exists() or target.is_symlink():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST))
        refuse_special_file(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8", "backslashreplace") if isinstance(content, str) else content
        temporary = target.parent / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(handle, "wb") as stream:
                os.fchmod(stream.fileno(), 0o666 & ~_umask())
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise
            except OSError:  # no hard links here: create exclusively, then write
                _create_exclusively(target, data)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(target)) from None


def _create_exclusively(target: Path, data: bytes) -> None:
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise


#: A fixed date for the entries of the archives ctg writes (xlsx, docx): the same plan
#: gives the same file.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_CORE_DATES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def deterministic_archive(data: bytes) -> bytes:
    """An Office archive (xlsx, docx) with its dates fixed: no creation or modification
    time in the document's properties, every entry dated 1980-01-01."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(b"", content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()
