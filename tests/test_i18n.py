"""French first: every message exists in both languages, French is the default whatever the
machine's locale, and the language reaches every part of a run."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ctgkit import i18n

from .conftest import MINI, PLANS, ROOT, copy_plan


def french_environment(**extra: str) -> dict[str, str]:
    """A new user's environment: no CTG_LANG, an English system locale."""
    env = {k: v for k, v in os.environ.items() if k != "CTG_LANG"}
    env.update({"LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8", "LANGUAGE": "en_US:en"})
    env.update(extra)
    return env


def test_every_message_exists_in_both_languages() -> None:
    """Messages of the code, the help of every command and option, the rules' summaries and
    docs and the framework's own words: each has its French, with the same placeholders, and
    the shipped .mo is compiled from the .po."""
    from ctgkit.locale.__main__ import problems

    found = problems()
    assert found == [], "\n".join(found[:40]) + f"\n… {len(found)} problems"


def test_the_catalog_is_compiled_and_loads() -> None:
    french = i18n.catalog("fr")
    assert french.gettext("Show this message and exit.") != "Show this message and exit."
    assert i18n.catalog("en").gettext("Show this message and exit.") == (
        "Show this message and exit."
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("fr", "fr"), ("FR", "fr"), ("fr_FR.UTF-8", "fr"), ("en", "en"), ("en-GB", "en"),
     ("français", "fr"), ("de", None), ("", None)],
)
def test_language_names(value: str, expected: str | None) -> None:
    assert i18n.normalise(value) == expected


def test_the_library_speaks_french_by_default_whatever_the_locale(tmp_path) -> None:
    plan = copy_plan(MINI, tmp_path / "mini")
    fiche = next((plan / "fiches").glob("*.yaml"))
    fiche.write_text(fiche.read_text(encoding="utf-8") + "clé_inconnue: 1\n", encoding="utf-8")
    code = (
        "import ctgkit\n"
        f"problems = ctgkit.validate({str(plan)!r})\n"
        "print([d.message for d in problems])\n"
    )
    french = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=french_environment()
    )
    english = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=french_environment(CTG_LANG="en"),
    )
    assert french.returncode == english.returncode == 0, french.stderr + english.stderr
    assert "clé_inconnue" in french.stdout and french.stdout != english.stdout


def test_worker_processes_speak_the_chosen_language(tmp_path) -> None:
    """Many plans are checked in worker processes: their messages follow the language too."""
    for n in range(9):
        plan = copy_plan(MINI, tmp_path / f"plan-{n}")
        fiche = next((plan / "fiches").glob("*.yaml"))
        fiche.write_text(fiche.read_text(encoding="utf-8") + "zzz: 1\n", encoding="utf-8")
    outputs = {}
    for lang in ("fr", "en"):
        run = subprocess.run(
            [sys.executable, "-m", "ctgkit.cli", "validate", str(tmp_path), "-j", "2",
             "--format", "json", "--lang", lang],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=french_environment(),
        )
        assert run.returncode == 1, run.stderr
        outputs[lang] = run.stdout
    import json

    fr, en = (json.loads(outputs[lang])["diagnostics"] for lang in ("fr", "en"))
    assert len(fr) == len(en) >= 9
    keys = ("file", "line", "column", "code", "severity")
    assert [[d[k] for k in keys] for d in fr] == [[d[k] for k in keys] for d in en]
    assert all(a["message"] != b["message"] for a, b in zip(fr, en, strict=True))


def test_help_is_french_by_default_on_an_english_machine() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ctgkit.cli", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=french_environment(),
    )
    assert run.returncode == 0, run.stderr
    assert "Show this message and exit" not in run.stdout
    assert "Usage:" not in run.stdout
    assert "Afficher ce message" in run.stdout


def test_bundled_plan_validates_in_french(tmp_path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ctgkit.cli", "validate", str(PLANS / "civraisien-2019")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=french_environment(),
    )
    assert run.returncode == 0, run.stderr
    assert "avertissement" in run.stderr + run.stdout
    assert " warning " not in run.stderr + run.stdout
