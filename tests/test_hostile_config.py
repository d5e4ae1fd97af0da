"""Configuration and options ctg does not expect: a located message and exit 2, at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from .conftest import MINI, run_ctg

DEEP = 5000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[tool]\nctg = 5\n", "[tool.ctg] must be a table, not an integer"),
        ('[tool]\nctg = "ignore"\n', "[tool.ctg] must be a table, not a string"),
        ("[tool]\nctg = [1, 2]\n", "[tool.ctg] must be a table, not an array"),
        (f"[tool.ctg]\nignore = {'[' * DEEP}{']' * DEEP}\n", "nested too deeply"),
        (f"x = {'{a = ' * DEEP}1{'}' * DEEP}\n[tool.ctg]\n", "nested too deeply"),
        ("[tool.ctg]\nignore = [\n", "invalid TOML"),
        ("[tool.ctg]\nignore = 'CTG041'\n", "'ignore' must be a list"),
    ],
)
def test_a_pyproject_that_cannot_configure_ctg_is_a_located_usage_error(
    content: str, message: str, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(content, encoding="utf-8")
    for args in ([], ["--config", str(tmp_path / "pyproject.toml")]):
        result = run_ctg("validate", str(MINI), *args, cwd=tmp_path)
        assert result.returncode == 2, (result.returncode, result.stderr)
        assert result.stderr.startswith(f"ctg: error: {tmp_path / 'pyproject.toml'}: ")
        assert message in result.stderr
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_a_pyproject_that_never_names_ctg_is_not_read(tmp_path: Path) -> None:
    """Another tool's broken pyproject.toml is not ctg's business."""
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n", encoding="utf-8")
    assert run_ctg("validate", str(MINI), cwd=tmp_path).returncode == 0


def test_a_pyproject_whose_tool_is_not_a_table(tmp_path: Path) -> None:
    """Found on the way up, it does not configure ctg; named with --config, it is an error."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('tool = "ctg"\n', encoding="utf-8")
    assert run_ctg("validate", str(MINI), cwd=tmp_path).returncode == 0
    result = run_ctg("validate", str(MINI), "--config", str(pyproject))
    assert result.returncode == 2
    assert result.stderr == f"ctg: error: {pyproject}: 'tool' must be a table\n"


@pytest.mark.parametrize("name", ["pyproject.toml", "ctg.toml"])
def test_a_huge_configuration_file_is_refused_at_once(name: str, tmp_path: Path) -> None:
    huge = tmp_path / name
    with open(huge, "wb") as handle:  # sparse: 3 GB that take no room on the disk
        handle.truncate(3 * 2**30)
    start = time.monotonic()
    result = run_ctg("validate", str(MINI), cwd=tmp_path)
    elapsed = time.monotonic() - start
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"ctg: error: {huge}: file is too large (3221.2 MB; the limit is 5 MB)\n"
    )
    assert elapsed < 1.0 + _startup(), f"{elapsed:.2f} s"


def _startup() -> float:
    start = time.monotonic()
    run_ctg("--version")
    return time.monotonic() - start


def test_a_configuration_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "ctg.toml"
    os.mkfifo(fifo)  # reading it would wait for ever
    result = run_ctg("validate", str(MINI), "--config", str(fifo), timeout=20)
    assert result.returncode == 2 and "not a regular file" in result.stderr
    result = run_ctg("validate", str(MINI), "--config", "/dev/zero", timeout=20)
    assert result.returncode == 2 and "not a regular file" in result.stderr


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "infinity", "101", "-1"])
def test_fail_under_takes_only_a_percentage(value: str) -> None:
    result = run_ctg("coverage", str(MINI), f"--fail-under={value}")
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "--fail-under" in result.stderr and "internal error" not in result.stderr


def test_fail_under_still_fails_below_and_passes_above() -> None:
    assert run_ctg("coverage", str(MINI), "--fail-under", "99.5").returncode == 1
    assert run_ctg("coverage", str(MINI), "--fail-under", "10").returncode == 0
