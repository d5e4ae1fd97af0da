"""Whatever a plan file holds, ctg reports a located error; it never crashes, hangs or reads
outside the plan. (Resource-limited runs of the worst inputs: test_adversarial_limits.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ctgkit import validate

from .conftest import run_ctg

FICHE = "fiches/02-lieu-parents.yaml"


def codes_at(plan: Path, relative: str) -> list[tuple[int, int, str]]:
    wanted = f"{plan}/{relative}"
    return [(d.line, d.column, d.code) for d in validate(plan) if d.file == wanted]


def test_bom_is_accepted(mini: Path) -> None:
    path = mini / FICHE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert validate(mini) == []


def test_binary_data_is_located(mini: Path) -> None:
    (mini / FICHE).write_bytes("numéro: 2\ntitre: x\x00\x01\x02\n".encode())
    assert codes_at(mini, FICHE) == [(2, 9, "CTG002")]


def test_random_bytes_never_raise(mini: Path) -> None:
    import random

    generator = random.Random(7)
    for _ in range(50):
        blob = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 400)))
        (mini / FICHE).write_bytes(blob)
        found = codes_at(mini, FICHE)
        assert found, blob
        assert all(line >= 1 and column >= 1 for line, column, _ in found)


def test_symlink_to_a_file_outside_the_plan_is_refused(mini: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("numéro: 99\ntitre: SECRET\n", encoding="utf-8")
    (mini / "fiches" / "04-link.yaml").symlink_to(secret)
    diagnostics = validate(mini)
    assert [(d.line, d.column, d.code) for d in diagnostics] == [(1, 1, "CTG004")]
    assert "outside the plan directory" in diagnostics[0].message
    assert diagnostics[0].file.endswith("fiches/04-link.yaml")


def test_fiches_folder_linked_outside_is_refused(mini: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    (mini / "fiches").rename(outside)
    (mini / "fiches").symlink_to(outside)
    found = {(d.file.rsplit("/", 1)[-1], d.code) for d in validate(mini)}
    assert ("01-places-accueil.yaml", "CTG004") in found


def test_narrative_link_outside_is_refused(mini: Path, tmp_path: Path) -> None:
    target = tmp_path / "passwd.md"
    target.write_text("root:x:0:0", encoding="utf-8")
    (mini / "narrative" / "territoire.md").unlink()
    (mini / "narrative" / "territoire.md").symlink_to(target)
    diagnostics = validate(mini)
    assert [(d.file.rsplit("/", 1)[-1], d.line, d.column, d.code) for d in diagnostics] == [
        ("plan.yaml", 33, 14, "CTG013")
    ]


def test_broken_symlink_is_located(mini: Path) -> None:
    (mini / "fiches" / "04-gone.yaml").symlink_to(mini / "nowhere.yaml")
    assert codes_at(mini, "fiches/04-gone.yaml") == [(1, 1, "CTG004")]


def test_fifo_does_not_hang(mini: Path) -> None:
    os.mkfifo(mini / "fiches" / "04-pipe.yaml")
    result = run_ctg("validate", str(mini), timeout=20)
    assert result.returncode == 1
    assert "04-pipe.yaml:1:1: error CTG004 not a regular file" in result.stdout


def test_directory_named_like_a_fiche(mini: Path) -> None:
    (mini / "fiches" / "04-dossier.yaml").mkdir()
    assert codes_at(mini, "fiches/04-dossier.yaml") == [(1, 1, "CTG004")]


def test_too_large_file_is_refused_without_reading_it(mini: Path) -> None:
    with open(mini / FICHE, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB of nothing
    found = [d for d in validate(mini) if d.file.endswith(FICHE)]
    assert [(d.line, d.column, d.code) for d in found] == [(1, 1, "CTG004")]
    assert "too large (52.4 MB" in found[0].message


def test_unreadable_file(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 000 means nothing to root (CI runs as root), so the refusal is simulated.
    import builtins

    real_open = builtins.open
    target = str(mini / FICHE)

    def guarded(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == target:
            raise PermissionError(13, "Permission denied", target)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    found = [d for d in validate(mini) if d.file == target]
    assert [(d.line, d.column, d.code) for d in found] == [(1, 1, "CTG004")]
    assert found[0].message == "cannot read file: Permission denied"


def test_plan_yaml_that_is_a_list(mini: Path) -> None:
    (mini / "plan.yaml").write_text("- a\n- b\n", encoding="utf-8")
    diagnostics = validate(mini)
    assert [(d.line, d.column, d.code) for d in diagnostics] == [(1, 1, "CTG011")]
    assert "expected a mapping of fields, got a list" in diagnostics[0].message


def test_python_tags_are_not_constructed(mini: Path) -> None:
    (mini / FICHE).write_text(
        "numéro: 2\ntitre: !!python/object/apply:os.system [echo pwned]\n", encoding="utf-8"
    )
    assert codes_at(mini, FICHE) == [(2, 8, "CTG001")]


def test_second_document_is_refused(mini: Path) -> None:
    (mini / FICHE).write_text("numéro: 2\ntitre: a\n---\nnuméro: 3\n", encoding="utf-8")
    assert codes_at(mini, FICHE) == [(3, 1, "CTG001")]


def test_deep_steps_are_refused_with_a_position(mini: Path) -> None:
    text = "numéro: 2\ntitre: a\nétapes:\n"
    for depth in range(40):
        text += "  " * (2 * depth) + "- texte: x\n" + "  " * (2 * depth + 1) + "étapes:\n"
    text += "  " * 80 + "- fin\n"
    (mini / FICHE).write_text(text, encoding="utf-8")
    found = codes_at(mini, FICHE)
    assert len(found) == 1 and found[0][2] == "CTG006" and found[0][0] > 20


def test_no_traceback_from_the_console_script_on_garbage(mini: Path) -> None:
    (mini / "plan.yaml").write_bytes(b"\xff\xfe\x00garbage")
    result = run_ctg("validate", str(mini))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "plan.yaml:1:3: error CTG002 binary data" in result.stdout


def test_a_fiches_file_instead_of_a_folder_is_an_error(mini: Path) -> None:
    import shutil

    shutil.rmtree(mini / "fiches")
    (mini / "fiches").write_text("numéro: 1\n", encoding="utf-8")
    result = run_ctg("validate", str(mini))
    assert result.returncode == 1
    assert f"{mini}/fiches:1:1: error CTG004 'fiches' must be a folder" in result.stdout
