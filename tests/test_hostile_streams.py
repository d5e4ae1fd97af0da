"""Standard streams ctg does not choose: a strict encoding, a closed or full standard output,
a reader that goes away. Never an internal error, never a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import MINI, PLANS, ROOT

CIVRAISIEN = str(PLANS / "civraisien-2019")


def ctg(*args: str, **kwargs) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "ctgkit.cli", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        **kwargs,
    )


def assert_plain(stderr: bytes) -> None:
    assert b"Traceback" not in stderr and b"internal error" not in stderr, stderr
    assert b"Exception ignored" not in stderr, stderr


@pytest.mark.parametrize(
    "args",
    [
        ["coverage", CIVRAISIEN],
        ["coverage", "--format", "json", CIVRAISIEN],
        ["coverage", "--format", "md", CIVRAISIEN],
        ["validate", CIVRAISIEN],
        ["validate", "--format", "json", CIVRAISIEN],
        ["rules", "CTG024"],
    ],
)
def test_a_strict_ascii_output_encoding_gets_escapes(args: list[str]) -> None:
    result = ctg(*args, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert_plain(result.stderr)
    assert result.returncode in (0, 1), result.stderr
    result.stdout.decode("ascii")  # nothing the encoding could not hold
    if args[0] == "coverage" and len(args) == 2:
        assert b"objectifs sp\\xe9cifiques" in result.stdout


def test_a_file_name_that_is_not_utf8_is_printed(tmp_path: Path) -> None:
    plans = tmp_path.as_posix().encode() + b"/plans-\xff"
    shutil.copytree(MINI, os.fsdecode(plans) + "/mini")
    for command in ("validate", "coverage"):
        result = subprocess.run(
            [sys.executable, "-m", "ctgkit.cli", command, os.fsdecode(plans)],
            cwd=ROOT,
            capture_output=True,
            timeout=60,
        )
        assert_plain(result.stderr)
        assert result.returncode == 0, result.stderr
    json_out = ctg("coverage", "--format", "json", os.fsdecode(plans))
    assert json_out.returncode == 0 and json_out.stdout.decode("utf-8")


def big_plan(tmp_path: Path) -> Path:
    """The mini plan with 2,000 unknown keys: ctg validate prints ~200 kB, more than a
    pipe holds. Key names no plan format uses, so this stays true whatever the format."""
    plan = shutil.copytree(MINI, tmp_path / "plan")
    fiche = next((plan / "fiches").glob("02-*.yaml"))
    extra = "".join(f"zz_not_a_field_{i}: 1\n" for i in range(2000))
    fiche.write_text(fiche.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return plan


def test_a_reader_that_goes_away_ends_ctg_quietly(tmp_path: Path) -> None:
    """``ctg validate … | head -1``: no traceback, no message, ended by SIGPIPE as git."""
    plan = big_plan(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "ctgkit.cli", "validate", str(plan)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    process.wait(timeout=60)
    assert b"zz_not_a_field" in first or b"CTG" in first
    assert stderr == b"", stderr
    assert process.returncode in (-signal.SIGPIPE, 128 + signal.SIGPIPE)


def test_a_reader_that_goes_away_through_the_shell(tmp_path: Path) -> None:
    plan = big_plan(tmp_path)
    script = f"set -o pipefail; {sys.executable} -m ctgkit.cli validate '{plan}' | head -1"
    result = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, capture_output=True, timeout=60, check=False
    )
    assert result.stderr == b"", result.stderr
    assert result.stdout.count(b"\n") == 1
    assert result.returncode == 141


@pytest.mark.parametrize(
    "args", [["validate", CIVRAISIEN], ["coverage", CIVRAISIEN], ["rules"], ["--version"]]
)
def test_a_closed_standard_output_is_a_plain_error(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ctgkit.cli", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=60,
        # close_fds with pass_fds cannot close 1: close it in the child before exec.
        preexec_fn=lambda: os.close(1),
    )
    assert_plain(result.stderr)
    assert result.stderr.startswith(b"ctg: error: cannot write to standard output"), result.stderr
    assert result.returncode == 2


def test_a_closed_standard_output_is_not_reused_for_a_file(tmp_path: Path) -> None:
    """With descriptor 1 closed, the first file ctg opens would get number 1; what ctg
    prints must not land in it (git opens /dev/null there; so does ctg)."""
    out = tmp_path / "coverage.json"
    result = subprocess.run(
        [sys.executable, "-m", "ctgkit.cli", "coverage", "-f", "json", "-o", str(out), str(MINI)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=60,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith('{\n  "plans"')


@pytest.mark.parametrize(
    "args",
    [
        ["validate", CIVRAISIEN],
        ["coverage", CIVRAISIEN],
        ["coverage", "--format", "json", CIVRAISIEN],
        ["schema", "fiche"],
        ["rules"],
    ],
)
def test_a_full_standard_output_is_a_plain_error(args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "ctgkit.cli", *args],
            cwd=ROOT,
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert_plain(result.stderr)
    assert result.stderr.decode().splitlines() == [
        "ctg: error: cannot write to standard output: No space left on device"
    ]
    assert result.returncode == 2


def test_a_full_or_closed_standard_error_ends_without_traceback() -> None:
    for stderr in ("full", "closed"):
        with open("/dev/full", "wb") as full:
            result = subprocess.run(
                [sys.executable, "-m", "ctgkit.cli", "validate", str(MINI / "nowhere")],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=full,
                timeout=60,
                preexec_fn=(lambda: os.close(2)) if stderr == "closed" else None,
            )
        assert result.returncode == 2, (stderr, result.returncode)
        assert result.stdout == b""
