"""Jinja templates: where they are, one environment per process, rendering them.

The default templates ship with ctgkit; a user's template directory overrides them file by
file (``--templates``). An environment (and the templates it compiles) is made once per
process for each template directory and format, since compiling the templates costs more
than rendering a plan. A broken user template becomes a :class:`RenderError` located at its
file and line. The Markdown documents are tidied here (blank lines) after rendering.
"""

from __future__ import annotations

import traceback
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
)
from jinja2.runtime import Context
from markupsafe import Markup, escape

from .i18n import _
from .render_errors import RenderError

try:  # markupsafe's escaping of a str, without the Markup wrapping (its C speedups)
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - another markupsafe: its escape() as it is
    _escape_inner = None


def default_templates_dir() -> Path:
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"  # a source checkout


@lru_cache(maxsize=8)
def environment(templates: Path | None, fmt: str) -> Environment:
    """The Jinja environment of a template directory (None: the default templates) and a
    format; made once per process, since compiling the templates costs more than
    rendering a plan. HTML is autoescaped."""
    search = [FileSystemLoader(str(templates))] if templates else []
    search.append(FileSystemLoader(str(default_templates_dir())))
    env = Environment(
        loader=ChoiceLoader(search),
        autoescape=fmt == "html",
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Loaded once per process: no check of each template file's date at every use
        # (a plan's document includes the fiche template once per fiche).
        auto_reload=False,
    )
    env.template_class = _EscapingTemplate if fmt == "html" else _Template
    return env


def html_escape(value: Any) -> Markup:
    """:func:`markupsafe.escape`, the same result, with quick paths for what templates
    print most: plain text (no :class:`Markup` constructor run in Python), values already
    safe (a macro's output: returned as it is, not copied) and objects that give their
    own HTML (their ``__html__()``, not copied)."""
    kind = type(value)
    if kind is str and _escape_inner is not None:
        return _new_str(Markup, _escape_inner(value))
    if kind is Markup:
        return value
    html = getattr(value, "__html__", None)  # plan text (markup.Rich): its cached HTML
    if html is not None:
        safe = html()
        return safe if type(safe) is Markup else Markup(safe)
    return escape(value)


_new_str = str.__new__


#: The Jinja contexts made by the render under way (see :func:`render_template`).
_CONTEXTS: ContextVar[list[Context] | None] = ContextVar("ctgkit_contexts", default=None)


class _Template(Template):
    """A template that lists the contexts its renders make, so that
    :func:`render_template` can empty them once the document is rendered.

    Jinja's contexts and the macros defined in them refer to each other (a macro's code
    holds its context, the context holds the macro): every render, every ``{% include
    %}`` (one per fiche) and every ``{% import … with context %}`` leaves such a cycle,
    and each context holds everything the template received — the whole view of the plan.
    Only the cyclic garbage collector could free them, so each plan's view stayed in
    memory until a full collection, which then had to scan several plans' objects (about
    a tenth of the CPU time of ``ctg render``). Emptied contexts hold nothing: the view is
    freed when the plan is done. A module imported without context is cached by Jinja and
    reused (its context is made without variables): never emptied."""

    def new_context(self, vars=None, shared=False, locals=None):  # type: ignore[no-untyped-def]
        context = super().new_context(vars, shared, locals)
        made = _CONTEXTS.get()
        if made is not None and vars is not None:
            made.append(context)
        return context


class _EscapingTemplate(_Template):
    """A template whose autoescaping calls :func:`html_escape`. Jinja's compiled templates
    call the ``escape`` of their module for every ``{{ … }}`` they print (thousands per
    plan): swapped for the equivalent quicker function, when it is markupsafe's."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):  # type: ignore[no-untyped-def]
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__
        if namespace.get("escape") is escape:
            namespace["escape"] = html_escape
        return template


def render_template(
    env: Environment, name: str, context: dict[str, Any], templates: Path | None
) -> str:
    """Render ``name``; a broken template becomes a located ``RenderError``.

    Jinja's own errors (syntax, undefined names, missing includes) are the user's whatever
    template they come from. Other exceptions raised while a template runs (``{{ 1/0 }}``,
    a template file that is not UTF-8) are the user's only when they have overridden
    templates; with the packaged ones they are our bug and propagate."""
    made: list[Context] = []
    token = _CONTEXTS.set(made)
    try:
        return env.get_template(name).render(context)
    except TemplateError as exc:
        raise RenderError(_template_error(name, exc)) from None
    except (UnicodeDecodeError, OSError) as exc:
        if templates is None:
            raise
        raise RenderError(
            _("template {name}: cannot read: {problem}").format(
                name=_culprit(exc) or name, problem=exc
            )
        ) from None
    except Exception as exc:  # noqa: BLE001 - code in a user's template
        if templates is None:
            raise
        where = _culprit(exc) or name
        problem = f"{type(exc).__name__}: {exc}"
        message = _("template {name}: {problem}").format(name=where, problem=problem)
        raise RenderError(message) from None
    finally:
        _CONTEXTS.reset(token)
        for made_context in made:  # see _Template
            made_context.vars.clear()
            made_context.parent = {}


def _culprit(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame of ``exc`` (Jinja rewrites tracebacks
    so that template code shows as its own file and line)."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        code = frame.f_code
        if code.co_filename.endswith(".j2"):
            found = f"{code.co_filename}:{line}"
        elif code.co_name == "get_source" and isinstance(frame.f_locals.get("filename"), str):
            found = frame.f_locals["filename"]  # a template file that could not be read
    return found


def tidy_markdown(text: str) -> str:
    """One blank line before each heading and between blocks, never more (outside fences)."""
    out: list[str] = []
    fenced = False
    blank = True  # the last line kept is blank (or there is none yet)
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            out.append(line)
            blank = not stripped
            continue
        if not stripped:
            if not blank:
                out.append("")
                blank = True
            continue
        if line[0] == "#" and not blank:
            out.append("")
        out.append(line.rstrip())
        blank = False
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out) + "\n"


def _template_error(name: str, exc: TemplateError) -> str:
    """'file:line: message' for a broken (user) template."""
    where = getattr(exc, "filename", None) or getattr(exc, "name", None) or name
    line = getattr(exc, "lineno", None)
    # Errors raised while a template runs (undefined names) carry no position of their own.
    location = f"{where}:{line}" if line else _culprit(exc) or where
    return _("template {name}: {problem}").format(name=location, problem=exc.message or exc)
