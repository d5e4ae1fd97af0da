"""Property-based tests: whatever a plan directory holds, validation returns located
diagnostics and never raises; a valid plan validates clean, renders to well-formed HTML whose
links resolve, and its coverage figures add up.

The CI profile runs about a hundred examples per property. The long run
(``pytest -m long -s tests/test_adversarial_properties.py``) runs each property with the
``long`` profile, counts every case it generates and prints the total.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import html5lib
import pytest
from hypothesis import Phase, given, settings

import ctgkit
from ctgkit.coverage_model import coverage
from ctgkit.loader import load_plan
from ctgkit.rendering import render_documents

from .conftest import ROOT
from .strategies import (
    MutatedPlan,
    PlanSpec,
    mutated_plans,
    own_form_plans,
    plan_specs,
    write_plan,
)

#: Cases generated, per property (the long run prints the total).
CASES: Counter[str] = Counter()

DOCUMENTS = {"plan.md", "plan.html", "coverage.md", "coverage.html"}
#: What YAML counts as a line break (\r\n first so it counts once).
_YAML_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


# ----------------------------------------------------------------------------- helpers


def file_lines(path: Path) -> list[list[str]]:
    """The file's lines under each line-numbering convention a diagnostic may use: newlines
    only (byte positions of encoding errors) and YAML's line breaks (parser marks)."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return [text.split("\n"), _YAML_BREAKS.split(text)]


def position_problem(diagnostic: ctgkit.Diagnostic) -> str | None:
    """Why ``diagnostic`` does not point inside an existing file, or None when it does."""
    path = Path(diagnostic.file)
    if not path.exists() and not path.is_symlink():
        return f"{diagnostic}: file does not exist"
    line, column = diagnostic.line, diagnostic.column
    if line < 1 or column < 1:
        return f"{diagnostic}: line and column must be >= 1"
    if path.is_dir() or not path.is_file():
        return None if (line, column) == (1, 1) else f"{diagnostic}: not a file, expected 1:1"
    for lines in file_lines(path):
        if line <= len(lines) and column <= len(lines[line - 1]) + 1:
            return None
        if line == len(lines) + 1 and column == 1:  # just past the end of the file
            return None
    counts = [len(lines) for lines in file_lines(path)]
    return f"{diagnostic}: outside the file ({counts} lines)"


def assert_located(diagnostics: list[ctgkit.Diagnostic]) -> None:
    problems = [p for p in map(position_problem, diagnostics) if p]
    assert not problems, "\n".join(problems)


class HTMLDocument:
    """A rendered HTML document parsed strictly by html5lib (any parse error fails)."""

    def __init__(self, text: str, name: str) -> None:
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            self.root = parser.parse(text)
        except html5lib.html5parser.ParseError:
            (line, column), code, data = parser.errors[0]
            lines = text.splitlines()
            context = lines[line - 1][max(0, column - 120) : column + 60] if lines else ""
            raise AssertionError(
                f"{name}: HTML parse error {code} {data} at {line}:{column}: ...{context}..."
            ) from None
        self.name = name
        self.text = text

    def elements(self) -> list[Any]:
        return list(self.root.iter())

    def ids(self) -> list[str]:
        return [e.get("id") for e in self.elements() if e.get("id") is not None]

    def hrefs(self) -> list[str]:
        return [
            e.get("href") for e in self.elements() if e.tag == "a" and e.get("href") is not None
        ]


def check_html(documents: dict[str, str]) -> None:
    plan = HTMLDocument(documents["plan.html"], "plan.html")
    cov = HTMLDocument(documents["coverage.html"], "coverage.html")
    for document in (plan, cov):
        assert document.text.rstrip().endswith("</html>"), document.name
        ids = document.ids()
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        assert not duplicates, f"{document.name}: duplicate ids {duplicates}"
        for href in document.hrefs():
            if href.startswith("#"):
                assert href[1:] in ids, f"{document.name}: link {href} has no target"
    plan_ids = set(plan.ids())
    for href in cov.hrefs():
        if href.startswith("plan.html#"):
            assert href.split("#", 1)[1] in plan_ids, f"coverage.html: link {href} has no target"


def check_markdown_anchors(documents: dict[str, str]) -> None:
    for name in ("plan.md",):
        text = documents[name]
        anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
        for target in re.findall(r"\]\(#([^)\s]+)\)", text):
            assert target in anchors, f"{name}: link #{target} has no anchor"


# ----------------------------------------------------------------------------- checks


def check_mutated(case: MutatedPlan) -> None:
    """Validation of any plan directory returns located diagnostics and never raises (but
    for a directory without plan.yaml: NotAPlanError); when it finds no error, the plan
    renders."""
    CASES["mutated"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = case.write(Path(tmp) / "plan")
        if not (root / "plan.yaml").exists():
            # The one documented exception: a directory without plan.yaml is not a plan.
            with pytest.raises(ctgkit.NotAPlanError):
                ctgkit.validate(str(root))
            return
        diagnostics = ctgkit.validate(str(root))
        assert isinstance(diagnostics, list)
        assert_located(diagnostics)
        if not any(d.is_error for d in diagnostics):
            # No error: the plan renders (well-formedness is test_valid_plans_render_...'s).
            documents = render_documents(load_plan(root))
            assert set(documents) == DOCUMENTS
            assert documents["plan.html"].rstrip().endswith("</html>")


def check_valid(spec: PlanSpec) -> None:
    """A generated valid plan has no diagnostic at all, and its coverage adds up."""
    CASES["valid"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = write_plan(spec, Path(tmp) / "plan")
        assert ctgkit.validate(str(root)) == []
        plan = load_plan(root)
        numbers = {loaded.fiche.number for loaded in plan.fiches}
        assert len(numbers) == len(spec.fiches)
        for level in (None, 1, 2, 3, 4, 9):
            result = coverage(plan, level=level)
            assert result.covered + len(result.uncovered) == result.total
            assert 0 <= result.ratio <= 1
            assert result.total >= 1
            for row in result.objectives:
                assert set(row.fiches) <= numbers, row
                assert len(row.fiches) == len(set(row.fiches)), row
            for group in result.groups:
                assert 0 <= group.covered <= group.total
        # At the leaf level every citation counts: a leaf is covered iff a fiche cites it.
        leaves = coverage(plan)
        cited = {code for row in leaves.fiches for code in row.objectives}
        assert {row.code for row in leaves.objectives if row.covered} == cited
        assert leaves.total == len(leaves.objectives)
        # « Non transcrit » nodes (untitled, recorded in `lacunes`) are listed apart and
        # never counted.
        untranscribed = {row.code.strip() for row in leaves.not_transcribed}
        assert untranscribed == expected_untranscribed(spec)
        assert not untranscribed & {row.code.strip() for row in leaves.objectives}
        assert set(leaves.to_json()["not_transcribed"]) == {
            row.code for row in leaves.not_transcribed
        }


def check_render(spec: PlanSpec) -> None:
    """A valid plan always renders; its HTML parses and its links resolve."""
    CASES["render"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = write_plan(spec, Path(tmp) / "plan")
        plan = load_plan(root)
        assert plan.ok, plan.diagnostics
        documents = render_documents(plan)
        assert set(documents) == DOCUMENTS
        check_html(documents)
        check_markdown_anchors(documents)


def check_cli(case: MutatedPlan) -> None:
    """The console script on a mutated plan: exit 0 or 1 (2 when plan.yaml is gone), never a
    traceback."""
    CASES["cli"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = case.write(Path(tmp) / "plan")
        result = subprocess.run(
            [sys.executable, "-m", "ctgkit.cli", "validate", str(root)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        output = result.stdout + result.stderr
        assert "Traceback" not in output, output[-3000:]
        if not (root / "plan.yaml").exists():  # not a plan at all: a usage error
            assert result.returncode == 2 and "not a plan directory" in result.stderr, output
            return
        assert result.returncode in (0, 1), (result.returncode, output[-3000:])
        assert re.search(r"\d+ errors?, \d+ warnings? in 1 plan", result.stdout), output[-3000:]


def expected_untranscribed(spec: PlanSpec) -> set[str]:
    """Codes of the childless, untitled nodes of ``spec`` (the generator records each one
    in `lacunes`)."""
    found: set[str] = set()
    stack = list(spec.plan["stratégie"])
    while stack:
        node = stack.pop()
        stack += node.get("enfants", [])
        if not node.get("enfants") and "titre" not in node:
            found.add(node["code"].strip())
    return found


def check_own_form_cli(case: MutatedPlan) -> None:
    """A plan's own form, however wrong, through the console script: exit 0 or 1, never a
    traceback, every diagnostic a located line."""
    CASES["own-form-cli"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = case.write(Path(tmp) / "plan")
        result = subprocess.run(
            [sys.executable, "-m", "ctgkit.cli", "validate", str(root)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        output = result.stdout + result.stderr
        assert "Traceback" not in output and "internal error" not in output, output[-3000:]
        assert result.returncode in (0, 1), (result.returncode, output[-3000:])
        assert re.search(r"\d+ errors?, \d+ warnings? in 1 plan", result.stdout), output[-3000:]
        for line in result.stdout.split("\n")[:-2]:
            assert re.match(
                rf"{re.escape(str(root))}/\S+:\d+:\d+: (error|warning) CTG\d+ ", line
            ), line


# ----------------------------------------------------------------------------- CI tests


@given(mutated_plans())
def test_mutated_plans_give_located_diagnostics(case: MutatedPlan) -> None:
    check_mutated(case)


@given(plan_specs())
def test_valid_plans_have_no_diagnostics_and_coverage_adds_up(spec: PlanSpec) -> None:
    check_valid(spec)


@given(plan_specs())
def test_valid_plans_render_to_well_formed_html(spec: PlanSpec) -> None:
    check_render(spec)


@settings(max_examples=20)
@given(mutated_plans())
def test_cli_never_shows_a_traceback(case: MutatedPlan) -> None:
    check_cli(case)


@given(own_form_plans())
def test_a_plans_own_form_fields_give_located_diagnostics(case: MutatedPlan) -> None:
    """Random `formulaire.champs` of every type (some defined wrongly) with random values:
    located diagnostics, never an exception; rendered when there is no error."""
    CASES["own-form"] += 1
    check_mutated(case)


@settings(max_examples=20)
@given(own_form_plans())
def test_a_plans_own_form_never_crashes_the_cli(case: MutatedPlan) -> None:
    check_own_form_cli(case)


# ------------------------------------------------------------- found by the generators


def test_own_fields_whose_keys_fold_alike_are_both_usable(tmp_path: Path) -> None:
    """`été` and `ete` are two keys a plan may define (accents are kept in keys); a fiche
    filling both must not be told that `été` is unknown. Either both work, or plan.yaml
    gets a located error at the second definition."""
    root = write_plan(
        PlanSpec(
            {
                "format": 2,
                "titre": "Plan",
                "territoire": {"nom": "Territoire"},
                "niveaux": [{"nom": "objectif"}],
                "stratégie": [{"code": "1", "titre": "Un objectif"}],
                "formulaire": {
                    "champs": [
                        {"nom": "été", "type": "texte"},
                        {"nom": "ete", "type": "nombre"},
                        {
                            "nom": "grille",
                            "type": "grille oui/non",
                            "lignes": [{"nom": "à"}, {"nom": "a"}],
                        },
                    ]
                },
            },
            {
                "01.yaml": {
                    "numéro": 1,
                    "titre": "Action",
                    "objectifs": ["1"],
                    "été": "en juillet",
                    "ete": 3,
                    "grille": {"à": True, "a": False},
                }
            },
        ),
        tmp_path / "plan",
    )
    errors = [d for d in ctgkit.validate(root) if d.is_error]
    assert all(Path(d.file).name == "plan.yaml" for d in errors), errors


# ----------------------------------------------------------------------------- long run


def _collecting(check: Any, failures: dict[str, list[Any]]) -> Any:
    """``check`` that records a failure (by kind) instead of raising, so that the run goes on
    generating cases after the first bug."""

    def run(case: Any) -> None:
        try:
            check(case)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            frames = traceback.extract_tb(exc.__traceback__)
            where = next(
                (
                    f"{Path(f.filename).name}:{f.lineno}"
                    for f in reversed(frames)
                    if "ctgkit" in f.filename or "tests" in f.filename
                ),
                "?",
            )
            message = str(exc).splitlines()[0][:160] if str(exc) else ""
            # One key per kind of failure: no paths, positions, context or exact ids.
            message = re.sub(r"/tmp/\S+?/plan", "PLAN", message)
            message = re.split(r" at \d+:\d+|: \.\.\.|\{'", message)[0]
            message = re.sub(r"'([a-z]+)-[^']*'", r"'\1-…'", message)
            message = re.sub(r"x{20,}", "xxx…", message)
            key = f"{check.__name__}: {type(exc).__name__} at {where}: {message}"
            entries = failures.setdefault(key, [])
            if len(entries) < 1:
                entries.append(repr(case)[:1500])
            else:
                entries.append(None)

    return run


@pytest.mark.long
def test_long_run() -> None:
    """At least 20,000 generated cases over every property; prints the count and every
    distinct failure (kind, count, first example)."""
    profile = settings(
        settings.get_profile("long"),
        phases=[Phase.explicit, Phase.reuse, Phase.generate],  # failures are collected
        database=None,
    )
    failures: dict[str, list[Any]] = {}
    CASES.clear()
    started = time.monotonic()
    runs = [
        (check_mutated, mutated_plans()),
        (check_mutated, mutated_plans()),
        (check_mutated, own_form_plans()),
        (check_valid, plan_specs()),
        (check_render, plan_specs()),
    ]
    for check, strategy in runs:
        profile(given(strategy)(_collecting(check, failures)))()
    settings(profile, max_examples=40)(given(mutated_plans())(_collecting(check_cli, failures)))()
    settings(profile, max_examples=40)(
        given(own_form_plans())(_collecting(check_own_form_cli, failures))
    )()
    elapsed = time.monotonic() - started
    total = sum(CASES.values())
    print(f"\nlong run: {total} cases generated in {elapsed:.0f} s ({dict(CASES)})")
    for key, entries in failures.items():
        print(f"\nFAILURE x{len(entries)}: {key}\n  first example: {entries[0]}")
    assert total >= 20_000
    assert not failures, f"{len(failures)} kinds of failure; see the output above"
