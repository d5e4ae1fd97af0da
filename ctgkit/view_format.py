"""View model → template context, per output format.

HTML templates get the view as it is: Jinja's autoescape escapes plain text, and rich
fields (:class:`ctgkit.markup.Rich`) give their HTML. Markdown templates get a converted
copy: rich fields as Markdown, plain text escaped so that it stays plain text, ids, links
and our own labels as they are (:data:`VERBATIM`). The copy is made once per plan and
format; shared objects (a fiche cited in many places) are converted once.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any

from . import markup
from .coverage_model import PlanCoverage
from .loader import Plan
from .markup import Rich
from .view_builder import build_view, relinked
from .view_model import PlanView

#: Values written as they are in Markdown: ids, links, our own labels.
VERBATIM = frozenset(
    {"anchor", "href", "url", "labels", "lang", "format", "shape", "kind", "cells", "years"}
)


def for_format(value: Any, fmt: str) -> Any:
    """The view for the templates of ``fmt``. HTML: as it is (autoescape does the rest).
    Markdown: rich fields as Markdown, plain text escaped so that it stays plain text."""
    return value if fmt == "html" else as_markdown(value)


def as_markdown(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``value`` for the Markdown templates. ``memo``: dataclass instances converted once
    (a card's items are also in its blocks, references to one fiche or objective are one
    object)."""
    return _markdown(value, {} if memo is None else memo)


def _text(value: str) -> str:
    """Plain text, on one line, escaped so that Markdown reads it as the same text."""
    return markup.escape_md(" ".join(value.split()) if "\n" in value else value, plain=True)


def _markdown(value: Any, memo: dict[int, Any]) -> Any:
    # The exact types the view is made of first (the usual case, made quick); anything
    # else (a subclass of str, of list…) through the general rules below.
    kind = type(value)
    if kind is str:
        return _text(value)
    if kind is Rich:
        return value.md()
    if value is None or kind is bool or kind is int:
        return value
    if kind is list:
        out = []
        for item in value:
            kind = type(item)
            if kind is str:
                out.append(_text(item))
            elif kind is Rich:
                out.append(item.md())
            else:  # an object already converted (memo: only live objects) or any value
                done = memo.get(id(item))
                out.append(done if done is not None else _markdown(item, memo))
        return out
    names = _dataclass_fields(kind)
    if names is not None:
        done = memo.get(id(value))
        if done is not None:
            return done
        # A shallow copy with converted fields (dataclasses.replace would run __init__).
        copy = memo[id(value)] = object.__new__(kind)
        source = value.__dict__
        converted = {}
        for name, verbatim in names:
            item = source[name]
            if verbatim:
                converted[name] = item
                continue
            kind = type(item)
            if kind is str:
                converted[name] = _text(item)
            elif kind is Rich:
                converted[name] = item.md()
            elif item is None or kind is bool or kind is int:
                converted[name] = item
            else:
                converted[name] = _markdown(item, memo)
        copy.__dict__.update(converted)
        return copy
    if kind is dict:
        return {k: v if k in VERBATIM else _markdown(v, memo) for k, v in value.items()}
    return _general(value, memo)


def _general(value: Any, memo: dict[int, Any]) -> Any:
    """The rules for any value: subclasses of the types above, tuples, other objects."""
    if isinstance(value, Rich):
        return value.md()
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list | tuple):
        return [_markdown(item, memo) for item in value]
    if isinstance(value, dict):
        return {k: v if k in VERBATIM else _markdown(v, memo) for k, v in value.items()}
    return value  # numbers, dates: as they are


@cache
def _dataclass_fields(cls: type) -> tuple[tuple[str, bool], ...] | None:
    """``(field name, verbatim)`` of a dataclass whose fields live in its instances'
    ``__dict__``; None for any other class."""
    if not is_dataclass(cls) or "__slots__" in cls.__dict__:
        return None
    return tuple((f.name, f.name in VERBATIM) for f in fields(cls))


def context(view: Any, fmt: str, labels: dict[str, Any]) -> dict[str, Any]:
    """The template context: the view's fields, the labels and the format."""
    shown = for_format(view, fmt)
    out = {f.name: getattr(shown, f.name) for f in fields(shown)}
    out.update(labels=labels, format=fmt)
    if isinstance(view, PlanView):
        out["coverage_page"] = relinked(out["coverage"], f"plan.{fmt}")
    return out


def build_context(
    plan: Plan, fmt: str, labels: dict[str, Any], cov: PlanCoverage | None = None
) -> dict[str, Any]:
    """Everything the templates of ``fmt`` show (see :class:`PlanView`)."""
    return context(build_view(plan, labels, cov), fmt, labels)
