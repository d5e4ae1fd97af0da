"""Label catalogs: the words of the documents, per language, and the texts made of them.

``templates/labels/<language>.toml`` holds every label the templates print; a user's
catalog (``<templates>/labels/<language>.toml``) overrides it key by key and is checked on
load (each label the type of the default, only the placeholders the default offers). Also
the texts composed from labels and the plan's metadata: the plan's state in words and the
« document de travail » / « document non validé » banner.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import card
from .i18n import _
from .model import PlanFile
from .render_errors import RenderError
from .templating import default_templates_dir


def load_labels(language: str, templates: Path | None = None) -> dict[str, Any]:
    """The label catalog for ``language``; a user's catalog overrides key by key."""
    return _load_labels(language, templates)


@lru_cache(maxsize=8)
def _load_labels(language: str, templates: Path | None) -> dict[str, Any]:
    # Cached per process: read once, not once per plan. Callers must not mutate it.
    labels: dict[str, Any] = {}
    for directory in (default_templates_dir(), templates):
        if directory is None:
            continue
        path = directory / "labels" / f"{language}.toml"
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RenderError(
                _("{path}: cannot read label catalog: {problem}").format(path=path, problem=exc)
            ) from None
        if directory is templates and labels:
            _check_overrides(path, labels, data)
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(labels.get(key), dict):
                labels[key] = {**labels[key], **value}
            else:
                labels[key] = value
    if not labels:
        raise RenderError(_("no label catalog for language '{language}'").format(language=language))
    return labels


def _check_overrides(path: Path, defaults: dict[str, Any], data: dict[str, Any]) -> None:
    """A user's label must be what the default is (text, or a table of texts) and use only
    the placeholders the default offers: ``{x}`` in « Fiche {x} » would fail while rendering."""
    import string

    def fields(text: str) -> set[str]:
        try:
            return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:  # an unmatched brace
            raise RenderError(f"{path}: {exc}") from None

    def check(where: str, default: Any, value: Any) -> None:
        if isinstance(default, dict):
            if not isinstance(value, dict):
                raise RenderError(
                    _("{path}: '{where}' must be a table, like the default").format(
                        path=path, where=where
                    )
                )
            for key, item in value.items():
                if key in default:
                    check(f"{where}.{key}", default[key], item)
                elif not isinstance(item, str):
                    raise RenderError(
                        _("{path}: '{where}' must be text").format(
                            path=path, where=f"{where}.{key}"
                        )
                    )
            return
        if isinstance(default, str):
            if not isinstance(value, str):
                message = _("{path}: '{where}' must be text").format(path=path, where=where)
                raise RenderError(message)
            unknown = sorted(fields(value) - fields(default))
            if unknown:
                allowed = ", ".join(f"{{{n}}}" for n in sorted(fields(default))) or _("none")
                raise RenderError(
                    _(
                        "{path}: '{where}' uses the unknown placeholder {placeholder} (this "
                        "label offers: {allowed})"
                    ).format(
                        path=path, where=where, placeholder=f"{{{unknown[0]}}}", allowed=allowed
                    )
                )

    for key, value in data.items():
        if key in defaults:
            check(key, defaults[key], value)


def state_text(meta: PlanFile, labels: dict[str, Any]) -> str:
    """« proposition du 24 janvier 2023 », « signée », « état non précisé »."""
    state = meta.state
    if state is None:
        return labels["state_unknown"]
    if state.date is None:
        return labels["states"].get(state.value, state.value)
    table = "state_on_day" if state.date.day is not None else "state_in"
    written = labels[table][state.value].format(date=card.date(state.date, meta.language))
    if meta.language == "fr":  # « de avril » → « d'avril »
        written = _elide(written)
    return written


def _elide(text: str) -> str:
    words = text.split(" ")
    out: list[str] = []
    for word in words:
        if out and out[-1] == "de" and word[:1] in "aeiouyàâéèêîôûAEIOU" and word:
            out[-1] = "d'" + word
        else:
            out.append(word)
    return " ".join(out)


def banner(meta: PlanFile, labels: dict[str, Any], errors: int = 0) -> str | None:
    """The « document de travail » banner of a plan that is not signed, and the « document
    non validé » mark of a plan rendered in spite of its errors."""
    parts = []
    if errors:
        key = "unvalidated_one" if errors == 1 else "unvalidated_many"
        parts.append(capitalised(labels[key].format(n=errors)))
    if not meta.signed:
        parts.append(labels["draft_banner"].format(state=state_text(meta, labels)))
    return " — ".join(parts) or None


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
