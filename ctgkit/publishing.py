"""Rendered documents → files: the one place the render pipeline writes.

The destination is checked before any work (never inside a plan, symbolic links followed;
two plans never to one folder). A run's documents are staged on disk until every plan has
succeeded, then published, each file written atomically (:func:`ctgkit.fsutil.atomic_write`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from . import fsutil
from .i18n import _
from .render_errors import DestinationError


def check_destination(outdir: Path, plan_dirs: Sequence[Path]) -> None:
    """Raise :class:`DestinationError` unless ``outdir/<plan>/`` can be written for every
    plan without writing inside any of the plans (symbolic links followed)."""
    resolved = {Path(p).resolve(): Path(p) for p in plan_dirs}

    def refuse_inside(target: Path) -> None:
        place = target.resolve()
        for candidate in (place, *place.parents):
            if candidate in resolved:
                raise DestinationError(
                    _(
                        "output directory {target} is inside the plan directory {plan}; "
                        "refusing to write there"
                    ).format(target=target, plan=resolved[candidate])
                )

    refuse_inside(outdir)
    targets: dict[Path, Path] = {}
    slugs: dict[str, Path] = {}
    for real, plan in resolved.items():
        target = outdir / real.name
        refuse_inside(target)  # e.g. the plans' own parent: <outdir>/<plan> is the plan
        if real.name in slugs:
            raise DestinationError(
                _("two plans would be written to {target}: {first} and {second}").format(
                    target=target, first=slugs[real.name], second=plan
                )
            )
        slugs[real.name] = plan
        targets[target.resolve()] = plan
    for real, plan in resolved.items():  # a plan inside a folder that would be written
        if any(parent in targets for parent in real.parents):
            raise DestinationError(
                _(
                    "output directory {outdir} would write into the plan directory {plan}; "
                    "refusing to write there"
                ).format(outdir=outdir, plan=plan)
            )


def write_documents(target: Path, documents: dict[str, str | bytes]) -> list[Path]:
    """Write ``{name: content}`` into ``target``, each file atomically (a reader sees the
    old file or the new one)."""
    written = []
    for name, content in documents.items():
        path = target / name
        fsutil.atomic_write(path, content)  # looked up at each call: tests record it
        written.append(path)
    return written


class Staging:
    """Rendered documents kept on disk until every plan of a run is known to be good, then
    published into the output directory; removed in every case. Keeps memory flat over
    thousands of plans, and writes nothing to the output when one plan fails."""

    def __init__(self, outdir: Path) -> None:
        base = outdir
        while not base.exists() and base != base.parent:
            base = base.parent
        import tempfile

        # Hidden, unique per run: two runs into one folder do not share it.
        self.root = Path(tempfile.mkdtemp(prefix=".ctg-render-", dir=base))
        self.outdir = outdir

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_exc: object) -> None:
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)

    def publish(self, slug: str, names: Sequence[str]) -> list[Path]:
        folder = self.root / slug
        return write_documents(
            self.outdir / slug, {name: (folder / name).read_bytes() for name in names}
        )


def stage(root: Path, slug: str, documents: Mapping[str, str | bytes]) -> list[str]:
    """Keep ``documents`` (text, or bytes: a Word document) of plan ``slug`` in the
    staging directory ``root``."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in documents.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return list(documents)
