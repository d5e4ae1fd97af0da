"""Nothing lost: outputs are written atomically, and never over a plan's own files.

A process killed (SIGKILL) in the middle of writing leaves the old file or the new one, never
a truncated one. Temporary files are named ``.NAME.<pid>.<random>.tmp`` next to the target
and only the process that made one removes it; a SIGKILL cannot clean them up, so some may
remain after a kill (the tests count them and check that they are hidden, never mistaken
for outputs or fiches).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import ctgkit.fsutil
from ctgkit.fsutil import atomic_write

from .conftest import MINI, PLANS, ROOT, invoke, run_ctg
from .strategies import dump_yaml

KILLS = 30
RENDER_KILLS = 10


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` (links not followed) and a hash of its content."""
    out = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory).as_posix()
        if path.is_symlink():
            out[relative] = "link:" + os.readlink(path)
        elif path.is_file():
            out[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[relative] = "dir"
    return out


def temporary_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob(".*.tmp"))


# ----------------------------------------------------------------------------- atomic_write


def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "plan.html"
    atomic_write(target, "ancien " * 1000)
    atomic_write(target, "nouveau")
    assert target.read_text(encoding="utf-8") == "nouveau"
    atomic_write(target, b"\x00\xffbytes")
    assert target.read_bytes() == b"\x00\xffbytes"
    assert temporary_files(tmp_path) == []


def test_a_failed_write_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.md"
    target.write_text("ancien", encoding="utf-8")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        atomic_write(target, "nouveau " * 10_000)
    assert target.read_text(encoding="utf-8") == "ancien"
    assert temporary_files(tmp_path) == []


def test_writing_over_a_symlink_replaces_the_link_not_its_target(tmp_path: Path) -> None:
    precious = tmp_path / "precious.yaml"
    precious.write_text("title: do not touch\n", encoding="utf-8")
    link = tmp_path / "out" / "plan.md"
    link.parent.mkdir()
    link.symlink_to(precious)
    atomic_write(link, "rendered")
    assert precious.read_text(encoding="utf-8") == "title: do not touch\n"
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == "rendered"


def test_outputs_get_ordinary_permissions_not_the_temporary_files(tmp_path: Path) -> None:
    """Rendered documents are published: a new file is readable as ``open(..., "w")`` makes
    it (0666 less the umask), and rewriting a file keeps the mode its owner gave it."""
    old_mask = os.umask(0o022)
    try:
        target = tmp_path / "site" / "plan.html"
        atomic_write(target, "<p>un</p>")
        assert target.stat().st_mode & 0o777 == 0o644
        target.chmod(0o640)
        atomic_write(target, "<p>deux</p>")
        assert target.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old_mask)


def test_a_failed_write_names_the_target_not_the_temporary(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OSError) as caught:
        atomic_write(blocker / "plan.md", "texte")
    assert caught.value.filename == str(blocker / "plan.md")


@pytest.mark.parametrize("command", ["render", "coverage"])
def test_an_unwritable_output_is_a_plain_error(command: str, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    if command == "render":
        args = ["render", str(MINI), "-o", str(blocker / "site")]
    else:
        args = ["coverage", "--format", "json", str(MINI), "-o", str(blocker / "c.json")]
    result = run_ctg(*args)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stderr.startswith(f"ctg: error: cannot write {blocker}/"), result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert ".tmp" not in result.stderr


_WRITER = textwrap.dedent(
    """
    import sys
    from ctgkit.fsutil import atomic_write
    target, size = sys.argv[1], int(sys.argv[2])
    contents = [b"A" * (size - 1) + b"\\n", b"B" * (size // 2 - 1) + b"\\n"]
    print("ready", flush=True)
    i = 0
    while True:
        atomic_write(target, contents[i % 2])
        i += 1
    """
)


def test_sigkill_while_writing_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    """A writer alternates two large contents on one target; it is killed at random moments,
    30 times; the target is always exactly one of them."""
    size = 8 * 2**20
    a = b"A" * (size - 1) + b"\n"
    b = b"B" * (size // 2 - 1) + b"\n"
    target = tmp_path / "out" / "plan.html"
    generator = random.Random(20240607)
    seen = set()
    for _ in range(KILLS):
        process = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target), str(size)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdout is not None
        assert process.stdout.readline() == b"ready\n"
        time.sleep(generator.uniform(0.0, 0.3))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if target.exists():
            content = target.read_bytes()
            assert content in (a, b), f"torn file: {len(content)} bytes"
            seen.add(content[:1])
    assert seen == {b"A", b"B"}, "the kills never caught both contents; make the test harder"
    left = temporary_files(tmp_path)
    print(f"\n{len(left)} temporary file(s) left by {KILLS} SIGKILLs: {[p.name for p in left]}")
    assert all(p.name.startswith(".plan.html.") and p.name.endswith(".tmp") for p in left)
    assert {p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")} == {
        "plan.html"
    }


# ----------------------------------------------------------------------------- ctg render


def _big_plan(root: Path, fiches: int = 60) -> Path:
    """The mini plan with many long fiches, so that rendering writes megabytes."""
    shutil.copytree(MINI, root)
    for number in range(10, 10 + fiches):
        fiche = {
            "numéro": number,
            "titre": f"Action {number} " + "pour les familles " * 5,
            "description": ("Un paragraphe de description assez long. " * 40 + "\n\n") * 5,
            "objectifs": ["1.1.a", "2.1.b"],
            "pilotes": [f"Pilote {number}"],
            "étapes": [
                {"texte": f"Étape {i} " * 50, "étapes": [f"Sous-étape {j} " * 30 for j in range(3)]}
                for i in range(4)
            ],
        }
        (root / "fiches" / f"{number:03d}-action.yaml").write_text(dump_yaml(fiche), "utf-8")
    return root


def _render(plan: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ctgkit.cli", "render", str(plan), "-o", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_sigkill_during_render_leaves_complete_documents(tmp_path: Path) -> None:
    """Render a plan into a directory holding an older rendering; kill the run while it
    writes (as soon as a temporary file appears, plus a random delay); every document is
    always the complete old one or the complete new one."""
    plan = _big_plan(tmp_path / "plan")
    out = tmp_path / "site"
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    assert run_ctg("render", str(plan), "-o", str(old_dir)).returncode == 0
    title = "titre: Convention Territoriale Globale de test"
    text = (plan / "plan.yaml").read_text("utf-8")
    (plan / "plan.yaml").write_text(text.replace(title, title + " (version 2)"), "utf-8")
    assert run_ctg("render", str(plan), "-o", str(new_dir)).returncode == 0
    names = ["plan.md", "plan.html", "coverage.md", "coverage.html"]
    old = {n: (old_dir / "plan" / n).read_bytes() for n in names}
    new = {n: (new_dir / "plan" / n).read_bytes() for n in names}
    assert all(old[n] != new[n] for n in names)
    assert sum(map(len, new.values())) > 1_000_000
    generator = random.Random(7)
    states: list[tuple[str, ...]] = []
    caught_writing = 0
    # A kill between two documents needs luck with the timing (a loaded machine moves the
    # window): up to four times the kills are tried, until one has landed there.
    attempts = 0
    while attempts < RENDER_KILLS or (
        attempts < 4 * RENDER_KILLS and not any("old" in s and "new" in s for s in states)
    ):
        attempts += 1
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(old_dir, out)
        process = _render(plan, out)
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if temporary_files(out / "plan"):
                break
            time.sleep(0.0005)
        time.sleep(generator.uniform(0.0, 0.05))
        caught_writing += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = []
        for name in names:
            content = (out / "plan" / name).read_bytes()
            assert content in (old[name], new[name]), f"{name}: torn ({len(content)} bytes)"
            if name.endswith(".html"):
                assert content.endswith(b"</html>\n")
            state.append("new" if content == new[name] else "old")
        states.append(tuple(state))
        visible = {p.name for p in (out / "plan").iterdir() if not p.name.startswith(".")}
        assert visible == set(names)
    print(
        f"\n{caught_writing}/{attempts} kills landed while ctg render was writing; "
        f"states (plan.md, plan.html, coverage.md, coverage.html): {sorted(set(states))}; "
        f"temporary files left after the last kill: {[p.name for p in temporary_files(out)]}"
    )
    assert caught_writing >= attempts // 2, "the kills missed the writes; make the test harder"
    assert any("old" in s and "new" in s for s in states), "no kill between two documents"


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "where",
    [
        "{plan}",
        "{plan}/site",
        "{plan}/fiches",
        "{plan}/narrative/out",
        "{plan}/../mini/site",
        "{link}",
        "{link}/site",
    ],
)
def test_render_refuses_to_write_inside_the_plan(where: str, mini: Path, tmp_path: Path) -> None:
    link = tmp_path / "link-to-plan"
    link.symlink_to(mini)
    before = snapshot(mini)
    result = run_ctg("render", str(mini), "-o", where.format(plan=mini, link=link))
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "inside the plan directory" in result.stderr
    assert snapshot(mini) == before


def test_render_into_the_plans_parent_does_not_write_into_the_plan(tmp_path: Path) -> None:
    """``-o`` is the parent of the plan: ``OUT/<slug>`` *is* the plan directory. A plan may
    hold a narrative file named like an output (coverage.md): it must survive."""
    plans = tmp_path / "plans"
    plan = shutil.copytree(MINI, plans / "mini")
    (plan / "coverage.md").write_text("Notre propre texte sur la couverture.\n", "utf-8")
    text = (plan / "plan.yaml").read_text("utf-8")
    (plan / "plan.yaml").write_text(
        text.replace("file: narrative/territoire.md", "file: coverage.md"), "utf-8"
    )
    assert run_ctg("validate", str(plan)).returncode == 0
    before = snapshot(plan)
    result = run_ctg("render", str(plan), "-o", str(plans))
    assert snapshot(plan) == before, "ctg render wrote into the plan directory"
    assert result.returncode == 2, (result.returncode, result.stderr)


def test_render_through_a_symlinked_output_does_not_write_into_the_plan(tmp_path: Path) -> None:
    """``OUT/<slug>`` is a symlink to the plan directory."""
    plan = shutil.copytree(MINI, tmp_path / "mini")
    out = tmp_path / "site"
    out.mkdir()
    (out / "mini").symlink_to(plan)
    before = snapshot(plan)
    result = run_ctg("render", str(plan), "-o", str(out))
    assert snapshot(plan) == before, "ctg render wrote into the plan directory"
    assert result.returncode == 2, (result.returncode, result.stderr)


@pytest.mark.parametrize(
    "where",
    [
        "{plan}/plan.yaml",
        "{plan}/fiches/01-places-accueil.yaml",
        "{plan}/narrative/territoire.md",
        "{plan}/coverage.csv",
        "{link}",
    ],
)
def test_coverage_refuses_to_write_inside_the_plan(where: str, mini: Path, tmp_path: Path) -> None:
    link = tmp_path / "innocent.json"
    link.symlink_to(mini / "plan.yaml")
    before = snapshot(mini)
    result = run_ctg(
        "coverage", "--format", "json", str(mini), "-o", where.format(plan=mini, link=link)
    )
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert snapshot(mini) == before
    assert link.is_symlink()


def test_every_output_file_goes_through_atomic_write(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctg render and ctg coverage -o write every file through fsutil.atomic_write."""
    written: list[Path] = []
    real = ctgkit.fsutil.atomic_write

    def recording(path: os.PathLike[str] | str, content: str | bytes) -> None:
        written.append(Path(path))
        real(path, content)

    monkeypatch.setattr(ctgkit.fsutil, "atomic_write", recording)
    out = tmp_path / "site"
    assert invoke("render", str(mini), "-o", str(out), "--jobs", "1").exit_code == 0
    csv = tmp_path / "coverage.csv"
    assert invoke("coverage", str(mini), "--format", "csv", "-o", str(csv)).exit_code == 0
    files = {p for p in out.rglob("*") if p.is_file()} | {csv}
    assert files == set(written)
    assert len(files) == 5


# ----------------------------------------------------------------------------- not a file


@pytest.fixture
def no_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test at the first attempt to create, rename or remove a file: a refusal must
    come before any write (and a regression must not touch the system's /dev/null)."""

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"ctg tried to write: {args}")

    real_open = os.open

    def open_for_reading(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC):
            refused(path, flags)
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    for name in ("replace", "rename", "unlink", "mkdir", "makedirs"):
        monkeypatch.setattr(os, name, refused)
    monkeypatch.setattr(os, "open", open_for_reading)


@pytest.mark.parametrize("kind", ["fifo", "link to fifo", "socket"])
def test_output_that_is_not_a_regular_file_is_refused(kind: str, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    target = tmp_path / "out"
    if kind == "fifo":
        target = fifo
    elif kind == "link to fifo":
        target.symlink_to(fifo)
    else:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
    before = os.lstat(target)
    for args in (
        ["coverage", "--format", "json", str(MINI), "-o", str(target)],
        ["render", str(MINI), "-o", str(target)],
    ):
        result = run_ctg(*args, timeout=30)
        assert result.returncode == 2, (result.returncode, result.stderr)
        assert result.stderr.startswith(f"ctg: error: cannot write {target}: it ")
        assert "not a regular file; refusing to replace it" in result.stderr
        after = os.lstat(target)
        assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


@pytest.mark.parametrize("target", ["/dev/null", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_coverage_refuses_system_files_before_any_write(target: str, no_write: None) -> None:
    before = os.lstat(target)
    result = invoke("coverage", "--format", "csv", str(MINI), "-o", target)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ctg: error: cannot write {target}: it ")
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (
        before.st_ino,
        before.st_mode,
        before.st_rdev,
    )


def test_render_refuses_a_system_folder_before_any_write(no_write: None) -> None:
    result = invoke("render", str(MINI), "-o", "/dev")
    assert result.exit_code == 2
    assert "/dev, a system folder; refusing to write there" in result.stderr


def test_atomic_write_refuses_a_fifo_before_creating_anything(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.md"
    os.mkfifo(fifo)
    with pytest.raises(ctgkit.fsutil.NotARegularFileError) as caught:
        atomic_write(fifo, "texte")
    assert caught.value.filename == str(fifo)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.md"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_coverage_dash_output_is_standard_output(tmp_path: Path) -> None:
    result = run_ctg("coverage", "--format", "csv", str(MINI), "-o", "-", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("code,title,")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- many writers


def test_a_users_file_that_looks_like_a_temporary_file_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "site" / "mini"
    out.mkdir(parents=True)
    lookalikes = [".plan.md.notes.tmp", ".plan.html.12345.abcdefgh.tmp", ".coverage.md.x.tmp"]
    for name in lookalikes:
        (out / name).write_text(f"mine: {name}", encoding="utf-8")
    assert run_ctg("render", str(MINI), "-o", str(tmp_path / "site")).returncode == 0
    for name in lookalikes:
        assert (out / name).read_text(encoding="utf-8") == f"mine: {name}"


def test_temporary_files_are_named_after_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names: list[str] = []
    real = os.replace

    def recording(source: str, target: str) -> None:
        names.append(Path(source).name)
        real(source, target)

    monkeypatch.setattr(os, "replace", recording)
    atomic_write(tmp_path / "plan.md", "texte")
    atomic_write(tmp_path / "plan.md", "texte")
    assert len(set(names)) == 2
    assert all(n.startswith(f".plan.md.{os.getpid()}.") and n.endswith(".tmp") for n in names)


CONCURRENT = 10


def test_concurrent_renders_into_one_folder_give_complete_identical_files(
    tmp_path: Path,
) -> None:
    """Ten ``ctg render`` of one bundled plan into one folder, at the same time: every
    process succeeds, every file is whole and the same as a lone render's, nothing is left."""
    plan = str(PLANS / "civraisien-2019")
    alone = tmp_path / "alone"
    assert run_ctg("render", plan, "-o", str(alone), timeout=120).returncode == 0
    expected = snapshot(alone)
    shared = tmp_path / "shared"
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "ctgkit.cli", "render", plan, "-o", str(shared)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(CONCURRENT)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, stderr.decode()
    assert snapshot(shared) == expected
    assert temporary_files(shared) == []


def test_sigterm_while_rendering_leaves_no_temporary_file(tmp_path: Path) -> None:
    """SIGTERM (a CI job cancelled, a service stopped) ends ctg through its ``finally``
    blocks: the temporary file being written is removed, the documents are whole."""
    plan = _big_plan(tmp_path / "plan")
    out = tmp_path / "site"
    caught_writing = 0
    for _ in range(5):
        shutil.rmtree(out, ignore_errors=True)
        process = _render(plan, out)
        deadline = time.monotonic() + 30
        while process.poll() is None and time.monotonic() < deadline:
            if temporary_files(out):
                break
            time.sleep(0.0005)
        caught_writing += process.poll() is None
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
        assert b"Traceback" not in stderr, stderr
        assert process.returncode in (0, 128 + signal.SIGTERM), process.returncode
        assert temporary_files(out) == [], "a temporary file was left behind"
        for document in out.rglob("*.html"):
            assert document.read_bytes().endswith(b"</html>\n")
    assert caught_writing >= 3, "the signals missed the writes; make the test harder"
