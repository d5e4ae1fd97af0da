"""Shared helpers: paths, a plan copied into a temporary directory, running the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

# ctg speaks French by default. Most tests assert English messages: they ask for English
# (subprocesses inherit it); tests of the French default remove CTG_LANG (see test_i18n.py).
os.environ["CTG_LANG"] = "en"

from . import strategies  # noqa: F401  (registers and loads the hypothesis profiles)

ROOT = Path(__file__).resolve().parent.parent
PLANS = ROOT / "plans"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"
BUNDLED = ("civraisien-2019", "civraisien-2024", "tarn-agout")


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A test that switched ctg to French (in this process) does not leak it."""
    yield
    from ctgkit import i18n

    i18n.set_language("en")


def copy_plan(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small fixture plan."""
    return copy_plan(MINI, tmp_path / "mini")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(*args: str, cwd: Path | None = None):
    """Run the CLI in-process; returns typer's Result (exit_code, stdout, stderr)."""
    from ctgkit.cli import app

    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def run_ctg(*args: str, cwd: Path | None = None, timeout: float = 60, **kwargs):
    """Run the real console script in a subprocess (for exit codes, tracebacks, limits)."""
    return subprocess.run(
        [sys.executable, "-m", "ctgkit.cli", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )
