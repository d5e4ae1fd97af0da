"""Maintain the French catalog. See the package docstring."""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).parent
PACKAGE = HERE.parent
PO = HERE / "fr" / "LC_MESSAGES" / "ctgkit.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|\{\}|%\(\w+\)[sdr]|%[sdr]")

Message = tuple[str | tuple[str, str], str]  # (msgid or (singular, plural), where)


def _from_sources(paths: list[Path], root: Path, label: str) -> Iterator[Message]:
    for path in paths:
        for lineno, message, _comments, _context in extract_from_file(
            "python", str(path), keywords=KEYWORDS
        ):
            where = f"{label}{path.relative_to(root).as_posix()}:{lineno}"
            yield (message if isinstance(message, str) else tuple(message)[:2]), where


def code_messages() -> Iterator[Message]:
    files = sorted(p for p in PACKAGE.rglob("*.py") if HERE not in p.parents)
    yield from _from_sources(files, PACKAGE.parent, "")


def framework_messages() -> Iterator[Message]:
    import click
    import typer

    for module, names in ((click, None), (typer, ("core.py", "rich_utils.py"))):
        folder = Path(module.__file__).parent
        files = sorted(folder.glob("*.py"))
        if names is not None:
            files = [f for f in files if f.name in names]
        yield from _from_sources(files, folder.parent, "")


def live_messages() -> Iterator[Message]:
    """Help of every command and option, and the rules' summaries and docs."""
    from ctgkit.cli import help_texts
    from ctgkit.rules import RULES

    yield from help_texts()
    for rule in RULES.values():
        yield rule.summary, f"rule {rule.code} summary"
        if rule.doc:
            yield rule.doc, f"rule {rule.code} doc"


def template() -> Catalog:
    """Every message ctg can print, in English."""
    pot = Catalog(project="ctgkit", domain="ctgkit", fuzzy=False)
    for source in (code_messages(), live_messages(), framework_messages()):
        for message, where in source:
            if not message:
                continue
            python_format = isinstance(message, str) and bool(PLACEHOLDER.search(message))
            pot.add(
                message,
                locations=[(where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1]))]
                if re.search(r":\d+$", where)
                else [(where, 0)],
                flags=("python-format",) if python_format else (),
            )
    return pot


def load_po(path: Path = PO) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle, locale="fr", domain="ctgkit")


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def update(sources: list[Path]) -> Catalog:
    """Bring ctgkit.po in line with the code (new messages empty, vanished ones dropped),
    taking translations from ``sources`` (other .po files) for messages it lacks."""
    pot = template()
    po = load_po() if PO.exists() else Catalog(locale="fr", domain="ctgkit")
    def complete(message) -> bool:  # noqa: ANN001
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return bool(message.id) and all(strings) and not message.fuzzy

    known = {m.id: m.string for m in po if complete(m)}
    for extra in sources:
        for message in load_po(extra):
            if complete(message):
                known.setdefault(message.id, message.string)
    fresh = Catalog(locale="fr", domain="ctgkit", project="ctgkit", fuzzy=False)

    def empty(message) -> str | tuple[str, ...]:  # noqa: ANN001
        return ("",) * fresh.num_plurals if isinstance(message.id, tuple) else ""

    fresh.language_team = "French"
    for message in pot:
        if not message.id:
            continue
        fresh.add(
            message.id,
            string=known.get(message.id, empty(message)),
            locations=message.locations,
            flags=message.flags,
        )
    with open(PO, "wb") as handle:
        write_po(handle, fresh, width=100, sort_output=False, omit_header=False)
    MO.write_bytes(compiled(load_po()))
    return fresh


def problems() -> list[str]:
    """Messages in one language only, bad placeholders, a stale .mo."""
    found: list[str] = []
    pot = template()
    po = load_po()
    wanted = {m.id for m in pot if m.id}
    have = {m.id for m in po if m.id}
    for message in pot:
        if message.id and message.id not in have:
            found.append(f"not in ctgkit.po (run `python -m ctgkit.locale update`): {message.id!r}")
    for message in po:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id not in wanted:
            found.append(f"obsolete (no longer in the code): {ids[0]!r}")
        if not all(strings) or message.fuzzy:
            found.append(f"no French translation: {ids[0]!r}")
            continue
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if sorted(PLACEHOLDER.findall(string)) != expected:
                found.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    if MO.exists() and MO.read_bytes() != compiled(po):
        found.append("ctgkit.mo is out of date (run `python -m ctgkit.locale update`)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ctgkit.locale")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("update", help="extract, update ctgkit.po, compile ctgkit.mo")
    up.add_argument("--from", dest="sources", type=Path, nargs="*", default=[])
    sub.add_parser("check", help="exit 1 if a message is missing a translation")
    sub.add_parser("missing", help="print the messages without a French translation")
    args = parser.parse_args(argv)
    if args.command == "update":
        catalog = update(args.sources)
        missing = sum(1 for m in catalog if m.id and not all(
            m.string if isinstance(m.string, tuple) else (m.string,)))
        print(f"{PO}: {len(catalog)} messages, {missing} without translation")
        return 0
    if args.command == "missing":
        for message in load_po():
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.id and not all(strings):
                print(repr(message.id))
        return 0
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
