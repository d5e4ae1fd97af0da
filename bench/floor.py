"""The floor: parse every YAML file of a corpus with ruamel.yaml's C-based safe loader and
do nothing else.

    python bench/floor.py DIR [DIR...]

Walks each DIR (sorted, hidden folders skipped), reads every ``*.yaml`` / ``*.yml`` file
as UTF-8 text and loads it with ``YAML(typ="safe", pure=False)``, in one process. Prints
one line: files, bytes, parser class. Exits 2 when the loader is not backed by
ruamel.yaml.clib's ``CParser`` (the floor would then be the pure-Python parser, which is
not the floor), 1 when a file fails to load.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    from ruamel.yaml import YAML

    try:
        from _ruamel_yaml import CParser  # ruamel.yaml.clib
    except ImportError:
        CParser = None  # noqa: N806
    if not argv:
        print("usage: python bench/floor.py DIR [DIR...]", file=sys.stderr)
        return 2
    yaml = YAML(typ="safe", pure=False)
    if CParser is None or yaml.Parser is not CParser:
        print(
            f"floor: the safe loader uses {yaml.Parser.__module__}.{yaml.Parser.__name__}, "
            "not ruamel.yaml.clib's CParser (pip install ruamel.yaml.clib)",
            file=sys.stderr,
        )
        return 2
    files = size = 0
    for top in argv:
        for directory, subdirs, names in os.walk(top):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
            for name in sorted(names):
                if not name.endswith((".yaml", ".yml")):
                    continue
                path = os.path.join(directory, name)
                with open(path, "rb") as handle:
                    raw = handle.read()
                try:
                    yaml.load(raw.decode("utf-8"))
                except Exception as exc:  # report, as ctg would, but keep it short
                    print(f"floor: {path}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    return 1
                files += 1
                size += len(raw)
    parser = f"{yaml.Parser.__module__}.{yaml.Parser.__name__}"
    print(f"floor: {files} files, {size} bytes, parser {parser}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
