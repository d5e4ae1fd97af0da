"""Hostile input, generated (issue 14, item 5): the classes pinned by examples in
test_hostile_*.py and test_atomic_writes.py, drawn at random by hypothesis.

1. Plan text with rich markup, control characters, escape sequences, bidi overrides and
   forged GitHub workflow commands, in titles, codes, fiche fields and file names: every
   text output stays inert (no raw control character, no markup taken as markup, one line
   per diagnostic or annotation) and shows the text (escaped).
2. CSV cells a spreadsheet would run as formulas: neutralised (``'`` first).
3. Configuration files (``ctg.toml``, ``[tool.ctg]``) of every wrong shape: exit 2 and a
   message naming the file, or exit 0 when valid.
4. Standard streams ctg does not choose (encodings, closed, full, a reader that goes away)
   and file names that are not UTF-8: exit 0, 1 or 2 (141 for a broken pipe), no traceback.
5. ``-o`` naming a FIFO, a device, a socket, a directory, a link, a place inside the plan, or
   next to the user's files named like ctg's temporary files: nothing of the user's replaced
   or removed.

Every property: never an internal error (exit 3, « internal error », a traceback). The
default run keeps the example counts small (the subprocess properties a dozen or two); the
long run (``pytest -m long -s tests/test_hostile_generated.py``) runs each property many more
times, collects every failure instead of stopping at the first, and prints the counts.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from ctgkit.safe_text import printable
from ctgkit.source import MAX_FILE_BYTES

from .conftest import MINI, ROOT, invoke
from .strategies import (
    RENDERED,
    SPECIAL_TARGETS,
    SYSTEM_TARGETS,
    ConfigCase,
    HostilePlan,
    OutputTarget,
    StreamCase,
    config_cases,
    formula_text,
    hostile_plans,
    output_targets,
    stream_cases,
)

#: Cases generated, per property (the long run prints them).
CASES: Counter[str] = Counter()

#: Examples per property: in-process properties, and those that start a process per example.
EXAMPLES = 25
PROCESS_EXAMPLES = 12
#: The long run (``-m long``).
LONG_EXAMPLES = 1_000
LONG_PROCESS_EXAMPLES = 250

#: What a terminal would act on, or what reorders a line: C0 controls but tab and newline,
#: DEL, C1 controls, bidi marks, embeddings, overrides and isolates, line and paragraph
#: separators, lone surrogates (a byte of a file name that is not UTF-8).
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u2028\u2029\ud800-\udfff]"
)
#: Colour sequences ctg itself sends to a terminal.
SGR = re.compile(r"\x1b\[[0-9;]*m")
#: How a spreadsheet recognises a formula (OWASP, « CSV Injection »).
OWASP = ("=", "+", "-", "@", "\t", "\r")
DIAGNOSTIC = re.compile(r".*:\d+:\d+: (error|warning) CTG\d{3} ")
SUMMARY = re.compile(r"\d+ errors?, \d+ warnings? in 1 plan")
#: An annotation: its properties cannot hold "," or ":" (escaped), so none can be forged.
ANNOTATION = re.compile(r"::(error|warning) file=[^,:\n]*,line=\d+,col=\d+,title=CTG\d{3}::")
CRASH = ("Traceback", "internal error", "Exception ignored", "Fatal Python error", "lost sys.")


# ----------------------------------------------------------------------------- helpers


def assert_inert(output: str, what: str) -> None:
    found = UNSAFE.search(output)
    assert found is None, f"{what}: raw {found.group()!r} in {output[-2000:]!r}"
    assert "\x1b]8;" not in output, what  # an OSC 8 hyperlink


def assert_no_crash(*outputs: str) -> None:
    for output in outputs:
        for sign in CRASH:
            assert sign not in output, output[-3000:]


def shown(text: str, output: str) -> bool:
    """Whether ``text`` is in ``output`` literally, controls as escapes (its first 50
    characters: tables cut long titles; whitespace compared loosely: tables pad, Rich expands
    tabs, one-line fields join lines)."""
    flat = " ".join(output.split())
    for variant in (text, " ".join(text.split())):
        expected = " ".join(printable(variant).split())[:50]
        if expected in flat:
            return True
    return False


def spreadsheet_cell(text: str) -> str:
    """A cell as the OWASP rule writes it: ``'`` before a formula, controls as escapes."""
    return ("'" if text.startswith(OWASP) else "") + printable(text)


@contextlib.contextmanager
def environment(**values: str | None) -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in values.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        yield patch


def ctg(*args: str | bytes, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """The console script in a process (bytes: outputs may be in any encoding), run from
    this checkout whatever the working folder."""
    if "stdout" not in kwargs and "stderr" not in kwargs:
        kwargs["capture_output"] = True
    return subprocess.run(
        [sys.executable, "-m", "ctgkit.cli", *args],
        cwd=kwargs.pop("cwd", ROOT),
        env=this_checkout(kwargs.pop("env", os.environ)),
        timeout=120,
        **kwargs,
    )


def this_checkout(env: Any) -> dict[str, str]:
    """``env`` with this checkout first on PYTHONPATH (a process started in a scratch
    folder must import the ctgkit under test)."""
    path = [str(ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    return {**env, "PYTHONPATH": os.pathsep.join(path)}


def snapshot(directory: Path) -> dict[str, Any]:
    """Every entry under ``directory`` (links not followed): kind, inode, content hash."""
    out: dict[str, Any] = {}
    for path in sorted(directory.rglob("*")):
        info = os.lstat(path)
        key = os.fsencode(path.relative_to(directory))
        if stat.S_ISLNK(info.st_mode):
            out[key] = ("link", os.readlink(path))
        elif stat.S_ISREG(info.st_mode):
            out[key] = ("file", info.st_ino, path.read_bytes())
        else:
            out[key] = (stat.S_IFMT(info.st_mode), info.st_ino, info.st_rdev)
    return out


# ------------------------------------------------------------- 1. hostile text


def check_text_outputs(case: HostilePlan) -> None:
    """validate (text, github, json), coverage (text, json) and actors (text, json), in
    process: inert, one line per diagnostic or annotation, the plan's text shown escaped."""
    CASES["text"] += 1
    with tempfile.TemporaryDirectory() as tmp, environment(COLUMNS="10000"):
        plan = os.fspath(case.write(Path(tmp)))

        result = invoke("validate", "--format", "json", plan)
        assert result.exit_code in (0, 1), result.output
        assert_inert(result.stdout, "validate --format json")
        count = len(json.loads(result.stdout)["diagnostics"])

        text = invoke("validate", plan)
        assert text.exit_code == result.exit_code
        assert_inert(text.stdout, "validate")
        lines = text.stdout.split("\n")
        assert lines.pop() == "" and len(lines) == count + 1, text.stdout
        assert all(DIAGNOSTIC.match(line) for line in lines[:-1]), text.stdout
        assert SUMMARY.fullmatch(lines[-1]), text.stdout

        github = invoke("validate", "--format", "github", plan)
        assert github.exit_code == result.exit_code
        assert_inert(github.stdout, "validate --format github")
        lines = github.stdout.split("\n")
        assert lines.pop() == "" and len(lines) == count + 1, github.stdout
        assert all(ANNOTATION.match(line) for line in lines[:-1]), github.stdout
        assert SUMMARY.fullmatch(lines[-1]), github.stdout

        check_coverage_and_actors(plan, valid=result.exit_code == 0 or _only_warnings(result))


def _only_warnings(result: Any) -> bool:
    return json.loads(result.stdout)["errors"] == 0


def check_coverage_and_actors(plan: str, valid: bool) -> None:
    data = invoke("coverage", "--format", "json", plan)
    cov = invoke("coverage", "--many", "1", plan)
    for name, result in (("coverage --format json", data), ("coverage", cov)):
        assert result.exit_code == (0 if valid else 1), (name, result.output)
        assert_inert(result.stdout, name)
        assert_inert(result.stderr, name + " (stderr)")
    if valid:
        [plan_data] = json.loads(data.stdout)["plans"]
        assert shown(plan_data["title"], cov.stdout), plan_data["title"]
        for row in plan_data["objectives"]:
            assert shown(row["code"], cov.stdout), row["code"]
            assert shown(row["title"], cov.stdout), row["title"]

    data = invoke("actors", "--format", "json", plan)
    text = invoke("actors", plan)
    for name, result in (("actors --format json", data), ("actors", text)):
        assert result.exit_code == (0 if valid else 1), (name, result.output)
        assert_inert(result.stdout, name)
        assert_inert(result.stderr, name + " (stderr)")
    if valid:
        [plan_data] = json.loads(data.stdout)["plans"]
        assert shown(plan_data["title"], text.stdout)
        for actor in plan_data["actors"]:
            assert shown(actor["name"], text.stdout), actor["name"]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def check_terminal(case: HostilePlan) -> None:
    """Diagnostics and coverage printed as on a terminal (rich, colours): colour sequences
    and no other control, one line per diagnostic, rich markup in plan text printed as it
    is."""
    from ctgkit import validate
    from ctgkit.api import coverage_page, coverage_paths
    from ctgkit.coverage_output import print_text
    from ctgkit.output import print_diagnostics, write_document

    CASES["terminal"] += 1
    with (
        tempfile.TemporaryDirectory() as tmp,
        environment(TERM="xterm-256color", COLUMNS="10000", NO_COLOR=None) as patch,
    ):
        plan = case.write(Path(tmp))
        diagnostics = validate(plan)
        patch.setattr(sys, "stdout", FakeTerminal())
        print_diagnostics(diagnostics, "text", plans=1)
        printed = sys.stdout.getvalue()  # type: ignore[attr-defined]
        # --many 1: every covered objective is listed once more, in a line of its own.
        [(_, (_, result))] = list(coverage_paths([plan], (), many=1))
        if result is not None:
            patch.setattr(sys, "stdout", FakeTerminal())
            print_text([result], uncovered_only=False)
            printed_coverage = sys.stdout.getvalue()  # type: ignore[attr-defined]
            # The documents (md, html) printed to a terminal, then piped.
            documents = [coverage_page(result, fmt) for fmt in ("md", "html")]
            on_terminal = []
            for document in documents:
                patch.setattr(sys, "stdout", FakeTerminal())
                write_document(document)
                on_terminal.append(sys.stdout.getvalue())  # type: ignore[attr-defined]
                patch.setattr(sys, "stdout", io.StringIO())
                write_document(document)
                assert sys.stdout.getvalue() == document  # type: ignore[attr-defined]
    assert SGR.search(printed), "not printed as on a terminal"
    plain = SGR.sub("", printed)
    assert "\x1b" not in plain
    assert_inert(plain, "validate on a terminal")
    assert len(plain.split("\n")) == len(diagnostics) + 2, plain
    if result is not None:
        plain = SGR.sub("", printed_coverage)
        assert "\x1b" not in plain
        assert_inert(plain, "coverage on a terminal")
        data = result.to_json()
        assert shown(data["title"], plain), data["title"]
        for row in data["objectives"]:
            assert shown(row["code"], plain), row["code"]
            assert shown(row["title"], plain), row["title"]
        for printed_document in on_terminal:
            assert_inert(printed_document, "coverage md/html on a terminal")


# ------------------------------------------------------------- 2. CSV formulas


def check_csv(case: HostilePlan) -> None:
    """``coverage --format csv`` and ``actors --format csv``: no cell a spreadsheet would
    run, one row per objective or actor, each cell the JSON output's text neutralised."""
    CASES["csv"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        plan = os.fspath(case.write(Path(tmp)))
        for command in ("coverage", "actors"):
            table = invoke(command, "--format", "csv", plan)
            data = invoke(command, "--format", "json", plan)
            assert table.exit_code in (0, 1), table.output
            assert data.exit_code == table.exit_code
            assert_inert(table.stdout, f"{command} --format csv")
            assert_inert(table.stderr, f"{command} --format csv (stderr)")
            if table.exit_code:
                assert table.stdout == ""
                continue
            rows = list(csv.reader(io.StringIO(table.stdout)))
            for row in rows:
                assert len(row) == len(rows[0]), rows
                for cell in row:
                    assert not cell.startswith(OWASP), f"{command}: formula cell {cell!r}"
            [expected] = json.loads(data.stdout)["plans"]
            if command == "coverage":
                assert len(rows) == 1 + len(expected["objectives"])
                for row, objective in zip(rows[1:], expected["objectives"], strict=True):
                    assert row[0] == spreadsheet_cell(objective["code"]), (row, objective)
                    title = objective["title"]
                    assert row[1] in {
                        spreadsheet_cell(title),
                        spreadsheet_cell(" ".join(title.split())),
                    }, (row, objective)
            else:
                assert len(rows) == 1 + len(expected["actors"])
                for row, actor in zip(rows[1:], expected["actors"], strict=True):
                    cells = [
                        expected["slug"],
                        actor["name"],
                        actor["short_name"] or "",
                        actor["kind"] or "",
                        ", ".join(actor["pilots"]),
                        ", ".join(actor["partners"]),
                    ]
                    assert row == [spreadsheet_cell(cell) for cell in cells], (row, actor)


# ------------------------------------------------------------- 3. configuration


def _read_on_the_way_up(case: ConfigCase) -> bool:
    """Whether a pyproject.toml met on the way up is ctg's business: too large to look into,
    or naming ``tool.ctg`` (or unreadable while naming ctg at all)."""
    if len(case.content) > MAX_FILE_BYTES:
        return True
    if b"ctg" not in case.content:
        return False
    try:
        tool = tomllib.loads(case.content.decode("utf-8")).get("tool")
    except Exception:  # noqa: BLE001 - invalid in any way: an error, not a silent skip
        return True
    return isinstance(tool, dict) and "ctg" in tool


def check_config(case: ConfigCase) -> None:
    """``ctg validate`` on a valid plan with the configuration ``case``: exit 0 when ctg
    may use it (or does not read it), else exit 2 and one line naming the file."""
    CASES["config"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.fsencode(os.path.realpath(tmp)) + b"/" + case.folder
        os.mkdir(folder)
        path = folder + b"/" + case.name.encode()
        with open(path, "wb") as handle:
            handle.write(case.content)
        named = ["--config", path] if case.named else []
        result = ctg("validate", str(MINI), *named, cwd=folder)
    stderr = result.stderr.decode("utf-8", "replace")
    assert_no_crash(stderr)
    assert result.returncode in (0, 2), (result.returncode, stderr)
    expected = case.valid
    if not case.named and case.name == "pyproject.toml" and not _read_on_the_way_up(case):
        expected = True  # another tool's pyproject.toml: not read
    if result.returncode == 2:
        where = printable(os.fsdecode(path))
        assert stderr.startswith(f"ctg: error: {where}: "), stderr
        assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
        assert_inert(stderr, "configuration error")
    if expected is not None:
        assert result.returncode == (0 if expected else 2), (result.returncode, stderr)


# ------------------------------------------------------------- 4. standard streams


def _writes_stdout(command: list[str]) -> bool:
    return command[0] != "render" and "-o" not in command


def check_stream(case: StreamCase) -> None:
    """A command with a strict, odd or wide output encoding, standard output closed, full
    or read by ``head -c N``, on a plan whose names may not be UTF-8: exit 0, 1 or 2 (141:
    killed by SIGPIPE, as git), no traceback; what is printed decodes in the encoding and is
    inert."""
    CASES["streams"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        plan = case.plan.write(Path(tmp))
        args = [arg.format(out=tmp) for arg in case.command] + [os.fspath(plan)]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
        if case.encoding is not None:
            env["PYTHONIOENCODING"] = case.encoding
        codec = (case.encoding or "utf-8").split(":")[0]
        if case.stdout == "pipe":
            result = ctg(*args, env=env)
        elif case.stdout == "closed":
            result = ctg(
                *args,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=lambda: os.close(1),
            )
        elif case.stdout == "full":
            with open("/dev/full", "wb") as full:
                result = ctg(*args, env=env, stdout=full, stderr=subprocess.PIPE)
        else:
            script = f'set -o pipefail; "$@" | head -c {case.head} >/dev/null'
            argv = [sys.executable, "-m", "ctgkit.cli", *args]
            result = subprocess.run(
                ["bash", "-c", script, "bash", *argv],
                cwd=ROOT,
                env=this_checkout(env),
                capture_output=True,
                timeout=120,
            )
    stderr = result.stderr.decode(codec, "replace")
    assert_no_crash(stderr, result.stderr.decode("utf-8", "replace"))
    stderr_lines = [line for line in stderr.split("\n") if line]
    rc = result.returncode
    if case.stdout == "pipe":
        assert rc in (0, 1), (rc, stderr)
        printed = result.stdout.decode(codec)  # decodes: nothing was lost on the way
        if "md" not in case.command:  # a document (Markdown) is the plan's text, as is
            assert_inert(printed, "stdout")
    elif case.stdout in ("closed", "full"):
        assert rc in (0, 1, 2), (rc, stderr)
        if rc == 2:
            assert stderr_lines[-1].startswith("ctg: error: cannot write to standard output")
        if case.command[0] == "validate":
            assert rc == 2, (rc, stderr)
        if not _writes_stdout(case.command):
            assert rc in (0, 1), (rc, stderr)
    else:
        assert rc in (0, 1, 141), (rc, stderr)
        assert "cannot write" not in stderr and "Broken pipe" not in stderr, stderr
        if case.command[0] == "validate":
            assert stderr == "", stderr  # quietly
    assert_inert(stderr, "stderr")


# ------------------------------------------------------------- 5. output targets


def _make_target(case: OutputTarget, work: Path, plan: Path) -> Path:
    """Make what ``-o`` will name, in the scratch folder ``work``."""
    target = work / case.name
    kind = case.kind
    if kind in ("fifo", "link-to-fifo", "link-chain"):
        fifo = work / "a-fifo" if kind != "fifo" else target
        os.mkfifo(fifo)
        if kind == "link-to-fifo":
            target.symlink_to(fifo)
        elif kind == "link-chain":
            (work / "a-link").symlink_to(fifo)
            target.symlink_to("a-link")
    elif kind in ("socket", "link-to-socket"):
        place = target if kind == "socket" else work / "a-socket"
        server = socket.socket(socket.AF_UNIX)
        server.bind(os.fspath(place))
        server.close()  # the socket file stays
        if kind == "link-to-socket":
            target.symlink_to(place)
    elif kind == "device":
        try:
            os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # like /dev/null
        except PermissionError:  # not root: a link to the system's
            target.symlink_to(case.device)
    elif kind == "link-to-device":
        target.symlink_to(case.device)
    elif kind in ("directory", "link-to-directory"):
        folder = target if kind == "directory" else work / "a-folder"
        folder.mkdir()
        (folder / "notes.txt").write_bytes(b"the user's\n")
        if kind == "link-to-directory":
            target.symlink_to(folder)
    elif kind == "regular-file":
        target.write_bytes(b"the user's own file\n")
    elif kind == "inside-plan":
        if case.command[0] == "render":
            target = plan / case.name
        else:
            target = plan / ("plan.yaml" if case.name == "out" else case.name)
    elif kind == "link-into-plan":
        target.symlink_to(plan if case.command[0] == "render" else plan / "plan.yaml")
    for relative, content in case.lookalikes.items():
        path = (target.parent if case.command[0] != "render" else work) / relative
        if relative.endswith("/") or not relative:
            continue
        if path.parent != work and path.parent.is_symlink():
            continue  # not inside a link to somewhere else
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            continue  # the output's place holds something else: nothing to put there
        if path.name.startswith(".ctg-render-"):
            path.mkdir(exist_ok=True)
            (path / "plan.md").write_bytes(content)
        elif not path.exists():
            path.write_bytes(content)
    return target


def check_output_target(case: OutputTarget) -> None:
    """``ctg coverage -o`` / ``ctg render -o`` at ``case``'s kind of destination: a FIFO,
    device or socket (or a link to one) is refused before any write, exit 2 with one plain
    line, the thing itself untouched; a place inside the plan is refused, the plan
    untouched; the user's files named like ctg's temporary files survive; no temporary file
    or staging folder is left behind."""
    CASES["targets"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        plan = shutil.copytree(MINI, work / "plan")
        target = _make_target(case, work, plan)
        before = snapshot(Path(tmp))
        path = os.path.relpath(target, work) if case.relative else os.fspath(target)
        if path.startswith("-"):
            path = "./" + path
        args = [*case.command, str(plan.relative_to(work)), "-o", path]
        result = ctg(*args, cwd=work)
        after = snapshot(Path(tmp))
        written = os.path.relpath(os.path.realpath(target), tmp)  # the output, links followed
    stderr = result.stderr.decode("utf-8", "replace")
    assert_no_crash(stderr)
    rc = result.returncode
    assert rc in (0, 2), (rc, stderr)
    errors = [line for line in stderr.split("\n") if line.startswith("ctg: error: ")]
    if rc == 2:
        assert len(errors) == 1 and stderr == errors[0] + "\n", stderr
    created = {key for key in after if key not in before}
    changed = {key for key in before if after.get(key) != before[key]}
    render = case.command[0] == "render"
    if case.kind in SPECIAL_TARGETS:
        assert rc == 2 and "refusing" in stderr, (rc, stderr)
        assert stderr.startswith(f"ctg: error: cannot write {Path(path)}: "), stderr
    elif case.kind in ("inside-plan", "link-into-plan"):
        assert rc == 2 and "inside the plan directory" in stderr, (rc, stderr)
    elif case.kind in ("directory", "link-to-directory"):
        assert rc == (0 if render else 2), (rc, stderr)
    elif case.kind == "regular-file":
        assert rc == (2 if render else 0), (rc, stderr)
    else:
        assert rc == 0, (rc, stderr)
    if rc == 2:
        assert not created and not changed, (created, changed)
        return
    # A success writes the documents, and nothing else: no temporary file, no staging
    # folder, none of the user's files replaced (but the output file itself).
    outputs = {os.fsencode(written)}
    if render:
        folder = f"{written}/plan"
        outputs |= {os.fsencode(folder)} | {os.fsencode(f"{folder}/{n}") for n in RENDERED}
    unexpected = {key for key in created | changed if key not in outputs}
    assert not unexpected, (sorted(unexpected), stderr)


#: Every way of writing or removing a file; the in-process property fails at the first.
_WRITERS = ("replace", "rename", "unlink", "remove", "rmdir", "mkdir", "makedirs", "symlink")


@contextlib.contextmanager
def no_write() -> Iterator[None]:
    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"ctg tried to write: {args}")

    real_open = os.open

    def open_for_reading(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC):
            refused(path, flags)
        return real_open(path, flags, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        for name in _WRITERS:
            patch.setattr(os, name, refused)
        patch.setattr(os, "open", open_for_reading)
        yield


def check_system_target(command: list[str], target: str) -> None:
    """``-o`` naming a device, a standard stream or a system folder (/dev, /proc, /sys):
    refused before any write (every write fails the test), exit 2 with one plain line."""
    CASES["system-targets"] += 1
    before = [os.lstat(target)] if os.path.lexists(target) else []
    with no_write():
        result = invoke(*command, str(MINI), "-o", target)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stderr.startswith("ctg: error: "), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    if before:
        after = os.lstat(target)
        assert (after.st_ino, after.st_mode, after.st_rdev) == (
            before[0].st_ino,
            before[0].st_mode,
            before[0].st_rdev,
        )


# ----------------------------------------------------------------------------- tests


@settings(max_examples=EXAMPLES)
@given(hostile_plans())
def test_hostile_text_is_printed_as_text(case: HostilePlan) -> None:
    check_text_outputs(case)


@settings(max_examples=EXAMPLES)
@given(hostile_plans(names=False))
def test_hostile_text_on_a_terminal_is_printed_as_text(case: HostilePlan) -> None:
    check_terminal(case)


@settings(max_examples=EXAMPLES)
@given(hostile_plans(text=formula_text()))
def test_csv_cells_are_never_formulas(case: HostilePlan) -> None:
    check_csv(case)


@settings(max_examples=PROCESS_EXAMPLES)
@given(config_cases())
def test_any_configuration_file_is_used_or_refused_plainly(case: ConfigCase) -> None:
    check_config(case)


@settings(max_examples=PROCESS_EXAMPLES)
@given(stream_cases())
def test_any_standard_output_ends_plainly(case: StreamCase) -> None:
    check_stream(case)


@settings(max_examples=PROCESS_EXAMPLES)
@given(output_targets())
def test_output_never_replaces_what_is_not_a_regular_file(case: OutputTarget) -> None:
    check_output_target(case)


_SYSTEM = st.tuples(
    st.sampled_from([["coverage", "--format", "csv"], ["coverage"], ["render"]]),
    st.sampled_from(SYSTEM_TARGETS),
)


@settings(max_examples=EXAMPLES)
@given(_SYSTEM)
def test_output_never_writes_to_a_system_file(case: tuple[list[str], str]) -> None:
    check_system_case(case)


def check_system_case(case: tuple[list[str], str]) -> None:
    check_system_target(*case)


# ----------------------------------------------------------------------------- long run


def _collecting(check: Callable[..., None], failures: dict[str, list[str]]) -> Any:
    """``check`` recording each failure (one entry per kind) instead of raising, so that
    the run goes on after the first bug."""

    def run(case: Any) -> None:
        try:
            check(case)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            frames = traceback.extract_tb(exc.__traceback__)
            where = next(
                (f"{Path(f.filename).name}:{f.lineno}" for f in reversed(frames)
                 if "ctgkit" in f.filename or "tests" in f.filename),
                "?",
            )  # fmt: skip
            message = re.sub(r"/tmp/\S+", "TMP", (str(exc).splitlines() or [""])[0])[:120]
            key = f"{check.__name__}: {type(exc).__name__} at {where}: {message}"
            failures.setdefault(key, []).append(repr(case)[:1500])

    run.__name__ = check.__name__
    return run


@pytest.mark.long
def test_long_run() -> None:
    """Every property with many more examples; prints the counts, the time and every
    distinct failure (kind, count, first example)."""
    profile = settings(
        settings.get_profile("long"),
        phases=[Phase.explicit, Phase.reuse, Phase.generate],  # failures are collected
        database=None,
    )
    failures: dict[str, list[str]] = {}
    CASES.clear()
    started = time.monotonic()
    runs: list[tuple[Callable[[Any], None], st.SearchStrategy[Any], int]] = [
        (check_text_outputs, hostile_plans(), LONG_EXAMPLES),
        (check_terminal, hostile_plans(names=False), LONG_EXAMPLES),
        (check_csv, hostile_plans(text=formula_text()), LONG_EXAMPLES),
        (check_system_case, _SYSTEM, LONG_PROCESS_EXAMPLES),
        (check_config, config_cases(), LONG_PROCESS_EXAMPLES),
        (check_stream, stream_cases(), LONG_PROCESS_EXAMPLES),
        (check_output_target, output_targets(), LONG_PROCESS_EXAMPLES),
    ]
    for check, strategy, examples in runs:
        settings(profile, max_examples=examples)(given(strategy)(_collecting(check, failures)))()
    elapsed = time.monotonic() - started
    total = sum(CASES.values())
    print(f"\nlong run: {total} cases in {elapsed:.0f} s ({dict(CASES)})")
    for key, entries in failures.items():
        print(f"\nFAILURE x{len(entries)}: {key}\n  first example: {entries[0]}")
    assert not failures, f"{len(failures)} kinds of failure; see the output above"


# ------------------------------------------------------------- found by the generators


def test_a_configuration_number_too_long_to_convert_is_a_located_error(tmp_path: Path) -> None:
    """tomllib converts integers with int(): past 4,300 digits it raises ValueError, not
    TOMLDecodeError (it was an internal error, exit 3)."""
    config = tmp_path / "ctg.toml"
    config.write_text("ignore = [" + "1" * 5000 + "]\n", encoding="utf-8")
    for named in ([], ["--config", str(config)]):
        result = ctg("validate", str(MINI), *named, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.decode().startswith(f"ctg: error: {config}: invalid TOML: ")


def test_actors_json_escapes_what_a_terminal_would_act_on(tmp_path: Path) -> None:
    """``ctg actors --format json`` printed C1 controls and bidi overrides raw (the other
    JSON outputs escape them); a JSON reader still gets the exact text."""
    plan = shutil.copytree(MINI, tmp_path / "plan")
    fiche = plan / "fiches" / "02-lieu-parents.yaml"
    hostile = "Centre \x9b2J social \u202e \x1b]52;c;ZXZpbA==\x07"
    text = fiche.read_text(encoding="utf-8")
    fiche.write_text(text.replace("Centre social", json.dumps(hostile)), encoding="utf-8")
    result = invoke("actors", "--format", "json", str(plan))
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout, "actors --format json")
    names = [a["name"] for a in json.loads(result.stdout)["plans"][0]["actors"]]
    assert " ".join(hostile.split()) in names


@pytest.mark.parametrize("kind", ["directory", "link to a directory"])
def test_coverage_output_to_a_folder_is_refused_and_the_folder_kept(
    kind: str, tmp_path: Path
) -> None:
    """``-o`` a link to a folder replaced the link with a regular file (mode 0755, the
    folder's); a folder was refused only after a temporary file had been written."""
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    target = folder
    if kind == "link to a directory":
        target = tmp_path / "link"
        target.symlink_to(folder)
    result = ctg("coverage", "--format", "csv", str(MINI), "-o", str(target))
    assert result.returncode == 2
    assert result.stderr.decode() == f"ctg: error: cannot write {target}: Is a directory\n"
    assert target.is_dir() and (target.is_symlink() == (kind != "directory"))
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(
        ["folder", "notes.txt", *(["link"] if kind != "directory" else [])]
    )
