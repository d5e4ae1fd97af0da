"""Resource bounds: the worst inputs end with a located error, fast and in bounded memory.

Each case runs the real console script (``python -m ctgkit.cli validate``) in a subprocess
limited to 500 MB of address space (RLIMIT_AS) and 10 seconds of wall time, and expects exit
1, a ``file:line:col: error CODE`` line on stdout for the right file and code, and no
traceback.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import MINI, ROOT

MEMORY_LIMIT = 500 * 2**20
TIME_LIMIT = 10.0
DEPTH = 10_000

FICHE = "fiches/02-lieu-parents.yaml"


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    os.setsid()  # its own process group, so that a timeout kills every child


def run_limited(*args: str) -> Run:
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "ctgkit.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limit,
    )
    try:
        stdout, stderr = process.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"still running after {TIME_LIMIT:.0f} s: ctg {' '.join(args)}")
    return Run(process.returncode, stdout, stderr, time.monotonic() - started)


def _fiche(text: str) -> Callable[[Path], Path]:
    def write(plan: Path) -> Path:
        (plan / FICHE).write_text(text, encoding="utf-8")
        return plan / FICHE

    return write


def _plan_strategy(value: str) -> Callable[[Path], Path]:
    def write(plan: Path) -> Path:
        text = (plan / "plan.yaml").read_text(encoding="utf-8")
        head = text[: text.index("stratégie:")]
        (plan / "plan.yaml").write_text(head + "stratégie: " + value + "\n", encoding="utf-8")
        return plan / "plan.yaml"

    return write


def _billion_laughs(levels: int = 9) -> str:
    lines = ["numéro: 2", "titre: x", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    lines.append(f"étapes: *a{levels}")
    return "\n".join(lines) + "\n"


def _huge_file(plan: Path) -> Path:
    path = plan / FICHE
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("numéro: 2\ntitre: x\ndescription: ")
        chunk = "la " * (1 << 20)
        for _ in range(17):  # ~53 MB of real text, not a sparse file
            handle.write(chunk)
        handle.write("\n")
    assert path.stat().st_size > 50 * 10**6
    return path


def _huge_narrative(plan: Path) -> Path:
    path = plan / "narrative" / "territoire.md"
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(50):
            handle.write(("# Titre\n\n" + "Un texte. " * 100 + "\n\n") * 1000)
    assert path.stat().st_size > 50 * 10**6
    return path


def _block_steps(depth: int) -> str:
    # Block style: every level indents by two more spaces, so the depth that fits under the
    # 5 MB file limit is what bounds it (about 1,500 levels).
    lines = ["numéro: 2", "titre: x", "étapes:"]
    for level in range(depth):
        indent = "  " * level
        lines.append(f"{indent}- texte: x")
        lines.append(f"{indent}  étapes:")
    lines.append("  " * depth + "- fin")
    return "\n".join(lines) + "\n"


CASES = {
    # name: (how to break the plan, expected codes)
    "billion-laughs-fiche": (_fiche(_billion_laughs()), {"CTG006"}),
    "billion-laughs-plan": (
        _plan_strategy("&a [{code: a, titre: x}]\nlacunes: [*a, *a, *a, *a, *a, *a, *a, *a, *a]"),
        {"CTG006"},
    ),
    "50-mb-fiche": (_huge_file, {"CTG004"}),
    "flow-lists-as-a-field": (
        _fiche("numéro: 2\ntitre: x\nétapes: " + "[" * DEPTH + "]" * DEPTH),
        {"CTG006"},
    ),
    "flow-lists-as-a-title": (
        _fiche("numéro: 2\ntitre: " + "[" * DEPTH + "]" * DEPTH),
        {"CTG006", "CTG011"},
    ),
    "flow-lists-as-the-file": (_fiche("[" * DEPTH + "]" * DEPTH), {"CTG006", "CTG011"}),
    "block-dashes-as-a-field": (
        _fiche("numéro: 2\ntitre: x\nétapes:\n" + "- " * DEPTH + "x\n"),
        {"CTG006"},
    ),
    "block-dashes-as-the-file": (_fiche("- " * DEPTH + "x\n"), {"CTG006", "CTG011"}),
    "flow-mappings-as-a-field": (
        _fiche("numéro: 2\ntitre: x\nparticipation: " + "{a: " * DEPTH + "1" + "}" * DEPTH),
        {"CTG006"},
    ),
    "nested-steps-flow": (
        _fiche(
            "numéro: 2\ntitre: x\nétapes: " + "[{texte: x, étapes: " * DEPTH + "[]" + "}]" * DEPTH
        ),
        {"CTG006"},
    ),
    "nested-steps-block": (_fiche(_block_steps(1_400)), {"CTG006"}),
    "nested-children-flow": (
        _plan_strategy("[{code: a, titre: x, enfants: " * DEPTH + "[]" + "}]" * DEPTH),
        {"CTG006"},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_worst_input_ends_with_a_located_error(name: str, tmp_path: Path) -> None:
    plan = shutil.copytree(MINI, tmp_path / "plan")
    breaker, codes = CASES[name]
    broken = breaker(plan)
    result = run_limited("validate", str(plan))
    output = result.stdout + result.stderr
    print(f"{name}: exit {result.returncode} in {result.seconds:.2f} s")
    assert "Traceback" not in output, output[-2000:]
    assert result.returncode == 1, (result.returncode, output[-2000:])
    assert result.seconds < TIME_LIMIT
    pattern = re.compile(rf"^{re.escape(str(broken))}:(\d+):(\d+): error (CTG\d+) ", re.M)
    found = [
        (int(line), int(column), code) for line, column, code in pattern.findall(result.stdout)
    ]
    assert found, result.stdout[-2000:]
    assert {code for _, _, code in found} <= codes, found
    lines = broken.read_bytes().split(b"\n")
    for line, column, _ in found:
        assert 1 <= line <= len(lines), (line, len(lines))
        assert 1 <= column <= len(lines[line - 1]) + 1, (line, column)


def test_huge_narrative_file_is_refused(tmp_path: Path) -> None:
    plan = shutil.copytree(MINI, tmp_path / "plan")
    narrative = _huge_narrative(plan)
    result = run_limited("validate", str(plan))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 1
    assert result.seconds < TIME_LIMIT
    assert re.search(
        rf"^{re.escape(str(narrative))}:1:1: error CTG004 file is too large",
        result.stdout,
        re.M,
    ), result.stdout


def test_the_limits_leave_room_for_a_normal_run(tmp_path: Path) -> None:
    """The harness: a valid plan passes under the same limits (so failures above are real)."""
    plan = shutil.copytree(MINI, tmp_path / "plan")
    result = run_limited("validate", str(plan))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings in 1 plan" in result.stdout


def test_the_memory_limit_is_enforced() -> None:
    """The harness: a child that wants 1 GB under the limit fails (so the limit is real)."""
    result = subprocess.run(
        [sys.executable, "-c", "x = bytearray(1 << 30)"],
        capture_output=True,
        text=True,
        preexec_fn=_limit,
        timeout=30,
    )
    assert result.returncode != 0 and "MemoryError" in result.stderr
