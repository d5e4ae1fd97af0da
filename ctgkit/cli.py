"""The ``ctg`` command line: parse options, call the library, print. Nothing else.

Exit codes: 0 success; 1 the plans have errors (or warnings with --strict), or a coverage
threshold is not met; 2 usage errors (missing path, not a plan, bad option or config) and
outputs that cannot be written (a full disk, a closed standard output).
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import click
import typer
from typer.core import TyperGroup

from . import __version__
from .i18n import _, ngettext

#: A space a line must not break at: before « : ; ? ! » and after « (French typography).
_UNBREAKABLE_SPACE = re.compile(r"(?<=«) | (?=[:;?!»])")


class CtgHelpFormatter(click.HelpFormatter):
    """Help in the current language's typography: « Options : », and no line of help that
    starts with « : », « ; » or « » » (the text is wrapped with those spaces held, then
    written with ordinary spaces)."""

    def write_heading(self, heading: str) -> None:
        line = _("{heading}:").format(heading=heading)
        self.write(f"{'':>{self.current_indent}}{line}\n")

    def write_text(self, text: str) -> None:
        self._unbroken(super().write_text, _UNBREAKABLE_SPACE.sub("\u00a0", text))

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:  # noqa: ANN001
        rows = [(term, _UNBREAKABLE_SPACE.sub("\u00a0", text)) for term, text in rows]
        self._unbroken(super().write_dl, rows, col_max, col_spacing)

    def _unbroken(self, write, *args) -> None:  # noqa: ANN001, ANN002
        start = len(self.buffer)
        write(*args)
        self.buffer[start:] = [part.replace("\u00a0", " ") for part in self.buffer[start:]]


class CtgContext(click.Context):
    formatter_class = CtgHelpFormatter

    def get_help(self) -> str:
        _restore_argument_help(self.find_root().command)
        return super().get_help()


class CtgGroup(TyperGroup):
    """The root command: chooses the language before anything is parsed or printed, so
    that help, usage errors and messages all speak it."""

    context_class = CtgContext

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[override]
        if parent is None:
            args = _choose_language(list(args))
        return super().make_context(info_name, args, parent=parent, **extra)

    # The help texts are translated when they may be shown: before a subcommand parses its
    # options (its --help) and before the root's own help; `ctg --version` never loads the
    # catalog.
    def resolve_command(self, ctx, args):  # type: ignore[override]
        _translate_command_tree(self)
        return super().resolve_command(ctx, args)

    def format_help(self, ctx, formatter) -> None:  # type: ignore[override]
        _translate_command_tree(self)
        super().format_help(ctx, formatter)


app = typer.Typer(
    name="ctg",
    help="Check, render and measure Conventions Territoriales Globales kept as YAML plans.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=CtgGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class DiagnosticFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ctg {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="fr|en",
            help="Language of messages and help: fr (default) or en. Also CTG_LANG=en, "
            "or lang = \"en\" in ctg.toml.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check, render and measure Conventions Territoriales Globales kept as YAML plans."""


def usage_error(message: str) -> NoReturn:
    from .safe_text import printable

    typer.echo(printable(_("ctg: error: {message}").format(message=message)), err=True)
    raise typer.Exit(EXIT_USAGE)


def _choose_language(args: list[str]) -> list[str]:
    """Set the language from ``--lang X`` (anywhere before ``--``, removed from ``args``),
    else ``CTG_LANG``, else ``lang`` in the configuration, else French. The system locale is
    never consulted."""
    from . import i18n

    chosen: str | None = None
    config_path: Path | None = None
    kept: list[str] = []
    position = 0
    while position < len(args):
        arg = args[position]
        if arg == "--":
            kept.extend(args[position:])
            break
        if arg == "--lang" or arg.startswith("--lang="):
            if "=" in arg:
                chosen = arg.split("=", 1)[1]
            elif position + 1 < len(args):
                position += 1
                chosen = args[position]
            else:
                chosen = ""
            position += 1
            continue
        if arg == "--config" and position + 1 < len(args):
            config_path = Path(args[position + 1])
        elif arg.startswith("--config="):
            config_path = Path(arg.split("=", 1)[1])
        kept.append(arg)
        position += 1
    where = "--lang"
    if chosen is None and os.environ.get(i18n.ENVIRONMENT_VARIABLE, "").strip():
        chosen, where = os.environ[i18n.ENVIRONMENT_VARIABLE], i18n.ENVIRONMENT_VARIABLE
    if chosen is None:
        from .config import configured_language

        chosen = configured_language(config_path)
    try:
        i18n.set_language(chosen or i18n.DEFAULT_LANGUAGE)
    except i18n.LanguageError:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
        _translate_framework()
        usage_error(
            _("{where}: unknown language '{value}' (ctg speaks fr and en)").format(
                where=where, value=chosen
            )
        )
    _translate_framework()
    return kept


def _translate_framework() -> None:
    """The command-line framework's own words (Usage, Options, « Show this message and
    exit ») through ctgkit's catalog: click and typer call their module's ``_`` and
    ``ngettext`` when they print, which we point at ours."""
    from . import i18n

    for name in (
        "click.core",
        "click.decorators",
        "click.exceptions",
        "click.formatting",
        "click.parser",
        "click.termui",
        "click.types",
        "click.utils",
        "typer.core",
    ):
        module = sys.modules.get(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = i18n._  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]


def _walk(command, path: str = "ctg"):  # noqa: ANN001, ANN202
    yield command, path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, f"{path} {name}")


def _argument_help() -> dict[tuple[str, str], str]:
    """``(command, argument) -> help`` as written in this module. (typer hands an
    argument's help to click after click has set it to None: without this, the help of
    PATH... and the others would never be shown.)"""
    import typer.main
    import typer.models
    from typer.utils import get_params_from_function

    found = {}
    commands = list(app.registered_commands)
    for group in app.registered_groups:  # `ctg new plan`, `ctg new fiche`
        if group.typer_instance is not None:
            commands.extend(group.typer_instance.registered_commands)
    for info in commands:
        if info.callback is None:
            continue
        name = info.name or typer.main.get_command_name(info.callback.__name__)
        for param, meta in get_params_from_function(info.callback).items():
            if isinstance(meta.default, typer.models.ArgumentInfo) and meta.default.help:
                found[(name, param)] = meta.default.help
    return found


def _restore_argument_help(root) -> None:  # noqa: ANN001
    """Give each argument its help, in the current language (the English kept aside, as
    :func:`_translate_command_tree` does). Only when help is shown: it reads the
    annotations of every command."""
    helps: dict[tuple[str, str], str] | None = None
    for command, _path in _walk(root):
        for param in command.params:
            if param.param_type_name != "argument" or getattr(param, "help", None):
                continue
            helps = _argument_help() if helps is None else helps
            english = helps.get((command.name, param.name))
            if english:
                param.__dict__["_ctg_help"] = english
                param.help = _(english)


def _no_section(ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """In place of click's « Positional arguments » section (see _translate_command_tree)."""


def _translate_command_tree(root) -> None:  # noqa: ANN001
    """Help of every command and option in the current language (the English text, kept
    aside, is the catalog's key)."""
    for command, _path in _walk(root):
        command.context_class = CtgContext
        # typer lists the arguments itself (« Arguments »); click 8.5 would list them a
        # second time (« Positional arguments ») now that they have help.
        command.format_arguments = _no_section  # type: ignore[method-assign]
        for holder in (command, *command.params):
            english = holder.__dict__.setdefault("_ctg_help", getattr(holder, "help", None))
            if english:
                holder.help = _(english)


def help_texts():  # noqa: ANN201
    """``(text, where)`` for the help of every command and option, in English (for the
    catalog)."""
    import typer.main

    root = typer.main.get_command(app)
    _restore_argument_help(root)
    for command, path in _walk(root):
        for holder in (command, *command.params):
            text = holder.__dict__.get("_ctg_help") or getattr(holder, "help", None)
            if text:
                name = getattr(holder, "name", "")
                yield text, f"{path} {name}" if holder is not command else path


def _ignore_codes(ignore: list[str] | None, config_path: Path | None) -> frozenset[str]:
    from .config import ConfigError, load_config, resolve_codes

    try:
        config = load_config(config_path)
        extra = resolve_codes(ignore or [], "--ignore")
    except ConfigError as exc:
        usage_error(str(exc))
    return config.ignore | extra


def _plans(paths: list[Path]) -> list[Path]:
    from .api import find_plans
    from .loader import NotAPlanError

    try:
        return find_plans(paths)
    except NotAPlanError as exc:
        usage_error(str(exc))


PathsArg = Annotated[
    list[Path],
    typer.Argument(
        help="Plan directories, or folders holding plans.", show_default=False, metavar="PATH..."
    ),
]
IgnoreOpt = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Rule code (or name) not to report; repeatable."),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="ctg.toml or pyproject.toml to use instead of the nearest one."),
]
JobsOpt = Annotated[
    int | None,
    typer.Option("--jobs", "-j", help="Worker processes for many plans (default: all cores)."),
]


def _today(value: str | None):  # noqa: ANN202
    """--today YYYY-MM-DD, as a date."""
    if value is None:
        return None
    import datetime

    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            _("expected a day such as 2026-11-30, got '{value}'").format(value=value)
        ) from None


TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        metavar="YYYY-MM-DD",
        callback=_today,
        help="Take this day as today for the follow-up checks (reproducible runs).",
        show_default=False,
    ),
]


@app.command()
def validate(
    paths: PathsArg,
    output_format: Annotated[
        DiagnosticFormat, typer.Option("--format", "-f", help="text, json or github annotations.")
    ] = DiagnosticFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    jobs: JobsOpt = None,
    today: TodayOpt = None,
) -> None:
    """Report every problem in the plans as file:line:col: severity CODE message.

    Exit 0 when there is no error, 1 when there are errors (or warnings with --strict),
    2 for usage errors.

    Example:

        ctg validate plans/civraisien-2019

        ctg validate plans/ --format github --strict
    """
    from .api import validate_paths
    from .diagnostics import count, sort_diagnostics
    from .output import print_diagnostics, progress

    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans(paths)
    collected = []
    with progress(len(plans), _("Validating")) as advance:
        for _plan, diagnostics in validate_paths(plans, ignore_codes, jobs=jobs, today=today):
            collected.extend(diagnostics)
            advance()
    collected = sort_diagnostics(collected)
    print_diagnostics(collected, output_format.value, plans=len(plans))
    errors, warnings = count(collected)
    raise typer.Exit(EXIT_ERRORS if errors or (strict and warnings) else EXIT_OK)


@app.command()
def rules(
    as_json: Annotated[bool, typer.Option("--json", help="Print the registry as JSON.")] = False,
    code: Annotated[
        str | None, typer.Argument(help="Show one rule's documentation.", show_default=False)
    ] = None,
) -> None:
    """List the validation rules: code, name, severity and summary.

    Example:

        ctg rules

        ctg rules CTG024
    """
    from .output import print_rules
    from .rules import as_table, find

    if code is not None:
        entry = find(code)
        if entry is None:
            usage_error(_("unknown rule '{code}' (see `ctg rules`)").format(code=code))
        print_rules([row for row in as_table() if row["code"] == entry.code], full=True)
        return
    if as_json:
        import json

        typer.echo(json.dumps(as_table(), ensure_ascii=False, indent=2))
        return
    print_rules(as_table(), full=False)


class SchemaKind(StrEnum):
    plan = "plan"
    fiche = "fiche"


@app.command()
def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="plan (plan.yaml) or fiche (fiches/*.yaml).")],
    plan: Annotated[
        Path | None,
        typer.Option("--plan", help="For fiche: the plan whose form (with its own fields) to use."),
    ] = None,
) -> None:
    """Print the JSON Schema of plan.yaml or of a fiche, for editors' YAML language servers.

    A fiche's schema follows a plan's form: give the plan with --plan (default: the general
    form).

    Example:

        ctg schema fiche --plan plans/civraisien-2019 > .schemas/fiche.schema.json
    """
    from .schema import json_schema

    form = None
    if plan is not None:
        if kind is SchemaKind.plan:
            usage_error(_("--plan only applies to `ctg schema fiche`"))
        from .loader import NotAPlanError, load_plan

        try:
            loaded = load_plan(plan)
        except NotAPlanError as exc:
            usage_error(str(exc))
        if loaded.form is None:
            _print_errors([d for d in loaded.diagnostics if d.is_error], 1)
            raise typer.Exit(EXIT_ERRORS)
        form = loaded.form
    sys.stdout.write(json_schema(kind.value, form))


@app.command()
def migrate(
    paths: PathsArg,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change; write nothing.")
    ] = False,
) -> None:
    """Rewrite format-1 plans (English keys) in format 2 (French keys), in place.

    Only the keys change: comments, order, quotes and line breaks are kept byte for byte.
    Adds `format: 2` (and `formulaire: vienne-2019` when the fiches use that form). Writes
    nothing at all if any file of any plan cannot be migrated.

    Example:

        ctg migrate plans/mon-plan

        ctg migrate plans/ --dry-run
    """
    from .migrate import MigrationError
    from .migrate import migrate as run_migration

    plans = _plans(paths)
    try:
        results = run_migration(plans, dry_run=dry_run)
    except MigrationError as exc:
        typer.echo(str(exc), err=True)
        typer.echo(_("ctg migrate: nothing was written"), err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    except OSError as exc:
        _cannot_write(exc)
    for result in results:
        if result.already:
            message = _("{root}: already in format 2, nothing to do").format(root=result.root)
            typer.echo(message, err=True)
            continue
        n = len(result.files)
        if dry_run:
            said = ngettext(
                "{root}: would rewrite {n} file(s) (form: {form})",
                "{root}: would rewrite {n} file(s) (form: {form})",
                n,
            )
        else:
            said = ngettext(
                "{root}: rewrote {n} file(s) (form: {form})",
                "{root}: rewrote {n} file(s) (form: {form})",
                n,
            )
        typer.echo(said.format(root=result.root, n=n, form=result.form), err=True)
    if not dry_run and any(not r.already for r in results):
        command = "ctg validate " + " ".join(str(r.root) for r in results)
        typer.echo(_("next: {command}").format(command=command), err=True)


class ActorsFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


@app.command()
def actors(
    paths: PathsArg,
    output_format: Annotated[
        ActorsFormat, typer.Option("--format", "-f", help="text, json or csv.")
    ] = ActorsFormat.text,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Who does what: for each actor, the fiches it pilots and those it joins.

    Actors are grouped through the plan's registry (`acteurs` in plan.yaml); names it does
    not know are listed as actors of their own.

    Example:

        ctg actors plans/civraisien-2019

        ctg actors plans/civraisien-2019 --format json
    """
    from . import actors as actors_output
    from .api import validate
    from .loader import load_plan
    from .output import write_document

    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans(paths)
    results = []
    failed = []
    for path in plans:
        loaded = load_plan(path)
        diagnostics = validate(loaded, ignore_codes)
        if any(d.is_error for d in diagnostics):
            failed.extend(d for d in diagnostics if d.is_error)
            continue
        results.append(actors_output.actors(loaded))
    if failed:
        _print_errors(failed, len(plans))
        raise typer.Exit(EXIT_ERRORS)
    if output_format is ActorsFormat.json:
        write_document(actors_output.to_json(results))
    elif output_format is ActorsFormat.csv:
        write_document(actors_output.to_csv(results))
    else:
        write_document(actors_output.to_text(results))


class CoverageFormat(StrEnum):
    text = "text"
    md = "md"
    html = "html"
    csv = "csv"
    json = "json"


def _refuse_inside_plans(
    target: Path, plans: list[Path], what: str, resolved: dict[Path, Path] | None = None
) -> None:
    """Usage error if ``target`` is a plan directory or inside one (links followed).
    ``resolved`` (plan.resolve() -> plan) saves resolving every plan again for each target."""
    resolved = resolved if resolved is not None else {plan.resolve(): plan for plan in plans}
    place = target.resolve()
    for candidate in (place, *place.parents):
        if candidate in resolved:
            usage_error(
                _(
                    "{option} {target} is inside the plan directory {plan}; "
                    "refusing to write there"
                ).format(option=what, target=target, plan=resolved[candidate])
            )


def _finite(value: float | None) -> float | None:
    """--fail-under nan would never fail, and inf never pass: both are refused."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(_("{value} is not a number from 0 to 100.").format(value=value))
    return value


def _print_errors(diagnostics: list, plans: int) -> None:
    """Diagnostics of plans that cannot be analysed, on stderr (stdout may be data)."""
    from .diagnostics import count, sort_diagnostics, summary_line

    ordered = sort_diagnostics(diagnostics)
    for diagnostic in ordered:
        typer.echo(str(diagnostic), err=True)
    errors, warnings = count(ordered)
    typer.echo(summary_line(errors, warnings, plans), err=True)


@app.command()
def coverage(
    paths: PathsArg,
    uncovered: Annotated[
        bool, typer.Option("--uncovered", help="Print only the objectives no fiche serves.")
    ] = False,
    level: Annotated[
        int | None,
        typer.Option("--level", min=1, help="Count objectives at this level (1 = top), rolled up."),
    ] = None,
    output_format: Annotated[
        CoverageFormat, typer.Option("--format", "-f", help="text, md, html, csv or json.")
    ] = CoverageFormat.text,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of stdout (- is stdout)."),
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            min=0,
            max=100,
            callback=_finite,
            help="Exit 1 if a plan's coverage is below PCT %.",
        ),
    ] = None,
    many: Annotated[
        int, typer.Option("--many", min=1, help="Flag objectives served by this many fiches.")
    ] = 4,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Template directory (md and html).")
    ] = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Show which objectives the fiches serve (objective x fiche matrix, uncovered ones).

    Also lists the fiches citing no objective and the objectives served by many fiches.

    Example:

        ctg coverage plans/civraisien-2019

        ctg coverage plans/ --format json --fail-under 80
    """
    from .api import coverage_paths
    from .output import progress, write_document

    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans(paths)
    if output_format in (CoverageFormat.csv, CoverageFormat.html) and len(plans) > 1:
        usage_error(
            _("--format {format} takes one plan at a time").format(format=output_format.value)
        )
    if templates is not None and not templates.is_dir():
        usage_error(_("--templates {path}: no such directory").format(path=templates))
    if output == Path("-"):
        output = None
    if output is not None:
        _refuse_inside_plans(output, plans, "--output")
        _refuse_special_file(output)
    results = []
    failed = []
    with progress(len(plans), _("Measuring")) as advance:
        for _plan, (diagnostics, result) in coverage_paths(
            plans, ignore_codes, level=level, many=many, jobs=jobs
        ):
            if result is None:
                failed.extend(diagnostics)
            else:
                results.append(result)
            advance()
    if failed:
        _print_errors(failed, len(plans))
        raise typer.Exit(EXIT_ERRORS)
    if output is None and output_format is CoverageFormat.text:
        from .coverage_output import print_text

        print_text(results, uncovered)
    elif output is None:
        write_document(_coverage_text(results, output_format, uncovered, templates))
    else:
        from .fsutil import atomic_write

        text = _coverage_text(results, output_format, uncovered, templates)
        try:
            atomic_write(output, text)
        except OSError as exc:
            _cannot_write(exc)
    if fail_under is not None and any(100 * r.ratio < fail_under for r in results):
        from .safe_text import printable

        below = [
            f"{r.slug} {_decimal(f'{100 * r.ratio:.1f}')} %"
            for r in results
            if 100 * r.ratio < fail_under
        ]
        message = _("coverage below {threshold} %: {plans}").format(
            threshold=_decimal(f"{fail_under:g}"), plans=", ".join(below)
        )
        typer.echo(printable(message), err=True)
        raise typer.Exit(EXIT_ERRORS)


def _decimal(number: str) -> str:
    """``79.1`` as the language writes it (« 79,1 » in French)."""
    from . import i18n

    return number.replace(".", ",") if i18n.language() == "fr" else number


def _coverage_text(
    results: list, fmt: CoverageFormat, uncovered: bool, templates: Path | None
) -> str:
    from . import coverage_output
    from .api import coverage_page
    from .rendering import RenderError

    if fmt is CoverageFormat.json:
        return coverage_output.to_json(results)
    if fmt is CoverageFormat.csv:
        return coverage_output.to_csv(results[0])
    if fmt is CoverageFormat.text:
        return coverage_output.render_text(results, uncovered)
    try:
        return "\n".join(coverage_page(r, fmt.value, templates) for r in results)
    except RenderError as exc:
        usage_error(str(exc))


@app.command()
def render(
    paths: PathsArg,
    outdir: Annotated[Path, typer.Option("--output", "-o", help="Output directory.")] = Path(
        "site"
    ),
    formats: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="Comma-separated formats: md, html, docx (a Word document)."
        ),
    ] = "md,html",
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="Directory whose templates override the defaults."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Render plans with errors too, marked « document non validé »."
        ),
    ] = False,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Publish each plan as a document and a coverage matrix, in Markdown and HTML (and Word).

    Writes OUTDIR/<plan>/plan.md, plan.html, coverage.md and coverage.html; with --format
    docx, plan.docx, an editable Word document. A plan with errors stops everything with
    the diagnostics of `ctg validate` and exit 1, before any file is written (--force
    renders it, every document marked « document non validé »).

    Example:

        ctg render plans/civraisien-2019 -o site

        ctg render plans/civraisien-2019 --format docx

        ctg render plans/* --format html --templates my-templates
    """
    from .api import render_paths
    from .output import progress
    from .rendering import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if not chosen or unknown:
        usage_error(
            _(
                "--format takes md, html or docx, or several separated by commas "
                "(got '{formats}')"
            ).format(formats=formats)
        )
    if templates is not None and not templates.is_dir():
        usage_error(_("--templates {path}: no such directory").format(path=templates))
    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans(paths)
    _refuse_special_file(outdir)  # -o a FIFO, a device, a socket
    _refuse_special_file(outdir / "plan.md")  # -o /dev: the files would go in a system folder
    with _publishing_errors(len(plans)), progress(len(plans), _("Rendering")) as advance:
        written = render_paths(
            plans,
            outdir,
            chosen,
            templates,
            ignore_codes,
            jobs,
            force=force,
            advance=advance,
            # --force: what is wrong with the plans rendered anyway, as validate says it
            on_errors=lambda errors: _print_errors(errors, len(plans)),
        )
    from .safe_text import printable

    message = ngettext(
        "wrote {n} file for {plans} in {folder}",
        "wrote {n} files for {plans} in {folder}",
        len(written),
    ).format(
        n=len(written),
        plans=ngettext("{n} plan", "{n} plans", len(plans)).format(n=len(plans)),
        folder=outdir,
    )
    typer.echo(printable(message), err=True)


@app.command()
def bilan(
    paths: PathsArg,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            "--annee",
            "--année",
            min=1900,
            max=2200,
            help="The year of the bilan (default: this year, within the plan's period; its "
            "last year adds the evaluation).",
            show_default=False,
        ),
    ] = None,
    outdir: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write OUTDIR/<plan>/bilan.md, bilan.html, bilan.json."
        ),
    ] = None,
    formats: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Without -o: one of json (default), text, md, html. With -o: comma-separated "
            "md, html, json (default: all three).",
            show_default=False,
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="Directory whose templates override the defaults."),
    ] = None,
    today: TodayOpt = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """The yearly bilan for the COPIL, from each fiche's follow-up (suivi).

    Fiches by status for each axis (a chart), each fiche's latest entry, each indicator
    against its target with its series, the fiches to chase, the objectives with neither a
    fiche nor progress; in the convention's last year, the evaluation per objective. A plan
    with errors stops everything with the diagnostics of `ctg validate` and exit 1.

    Example:

        ctg bilan plans/civraisien-2019 --format json

        ctg bilan plans/mon-plan --year 2023 -o site
    """
    from .api import bilan_paths
    from .bilan_output import FORMATS, render_text, to_json
    from .output import progress, write_document

    if outdir is not None:
        chosen = tuple(
            dict.fromkeys(f.strip().lower() for f in (formats or "md,html,json").split(","))
        )
        if not chosen or any(f not in FORMATS for f in chosen):
            usage_error(
                _("--format with -o takes md, html and json, comma-separated (got '{value}')")
                .format(value=formats)
            )
    else:
        single = (formats or "json").strip().lower()
        if single not in ("json", "text", "md", "html"):
            usage_error(
                _("--format without -o takes one of json, text, md or html (got '{value}')")
                .format(value=formats)
            )
        chosen = (single,) if single in ("md", "html") else ()
    if templates is not None and not templates.is_dir():
        usage_error(_("--templates {path}: no such directory").format(path=templates))
    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans(paths)
    if outdir is None and chosen and len(plans) > 1:
        usage_error(
            _("--format {value} takes one plan at a time (or write files with -o)").format(
                value=chosen[0]
            )
        )
    if outdir is not None:
        _refuse_special_file(outdir)
        _refuse_special_file(outdir / "bilan.md")
    with _publishing_errors(len(plans)), progress(
        len(plans), _("Computing bilans")
    ) as advance:
        run = bilan_paths(
            plans,
            year,
            formats=chosen,
            outdir=outdir,
            templates=templates,
            today=today,
            ignore=ignore_codes,
            jobs=jobs,
            advance=advance,
        )
    if outdir is not None:
        from .safe_text import printable

        message = _("wrote {files} files for {plans} plan(s) in {outdir}").format(
            files=len(run.written), plans=len(plans), outdir=outdir
        )
        typer.echo(printable(message), err=True)
    elif chosen:
        write_document(next(iter(run.documents.values())))
    elif formats is not None and formats.strip().lower() == "text":
        write_document(render_text(run.bilans))
    else:
        write_document(to_json(run.bilans))


@app.command()
def export(
    paths: PathsArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The workbook to write (a .xlsx file).", show_default=False
        ),
    ],
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Export a plan to a spreadsheet (.xlsx) for Excel or LibreOffice.

    Sheets: Lisez-moi, Objectifs (the tree), Fiches (one row per fiche, one column per
    field of the form), Matrice (objective x fiche), Indicateurs and Suivi. Plan text is
    always stored as text, never as a formula. One plan per workbook. A plan with errors
    stops it with the diagnostics of `ctg validate` and exit 1, before anything is written.

    Example:

        ctg export plans/civraisien-2019 -o civraisien-2019.xlsx
    """
    from .export import workbook_bytes
    from .fsutil import atomic_write

    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans(paths)
    if len(plans) > 1:
        usage_error(
            _(
                "ctg export takes one plan at a time ({count} found): export each to its own "
                "workbook"
            ).format(count=len(plans))
        )
    if output.suffix.lower() != ".xlsx":
        usage_error(_("--output {path}: the workbook's name must end in .xlsx").format(path=output))
    _refuse_inside_plans(output, plans, "--output")
    _refuse_special_file(output)
    if output.is_dir():
        _cannot_write(IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(output)))
    loaded = _load_valid_plan(plans[0], ignore_codes)
    data = workbook_bytes(loaded)
    try:
        atomic_write(output, data)
    except OSError as exc:
        _cannot_write(exc)
    from .index import PlanIndex
    from .safe_text import printable

    fiches, leaves = len(loaded.fiches), len(PlanIndex(loaded.meta).leaves)
    message = _("wrote {path} ({fiches}, {objectives})").format(
        path=output,
        fiches=ngettext("{n} fiche", "{n} fiches", fiches).format(n=fiches),
        objectives=ngettext("{n} objective", "{n} objectives", leaves).format(n=leaves),
    )
    typer.echo(printable(message), err=True)


def _load_valid_plan(
    path: Path, ignore_codes: frozenset[str], *, refuse_errors: bool = True
) -> Any:
    """The plan at ``path``, or exit: 2 if it is not a plan; 1, its errors printed, if it
    has errors (those of ``ignore_codes`` aside). With ``refuse_errors=False`` (ctg import,
    whose edits may fix them) only a plan without a usable plan.yaml or form stops, with
    the errors of its loading."""
    from .loader import NotAPlanError, load_plan

    try:
        loaded = load_plan(path)
    except NotAPlanError as exc:
        usage_error(str(exc))
    if refuse_errors:
        from .api import validate

        errors = [d for d in validate(loaded, ignore_codes) if d.is_error]
    else:
        errors = [d for d in loaded.diagnostics if d.is_error]
    if (refuse_errors and errors) or loaded.meta is None or loaded.form is None:
        _print_errors(errors, 1)
        raise typer.Exit(EXIT_ERRORS)
    return loaded


def _campaign_date(value: str | None):  # noqa: ANN202
    """--date 2025-11-30 or 30/11/2025, as a date."""
    if value is None:
        return None
    import datetime

    text = value.strip()
    french = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if french:
            return datetime.date(int(french[3]), int(french[2]), int(french[1]))
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            _("expected a day such as 2025-11-30 or 30/11/2025, got '{value}'").format(value=value)
        ) from None


@app.command()
def campaign(
    paths: PathsArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The folder to write the workbooks and campagne.json into.",
            show_default=False,
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            "--annee",
            "--année",
            min=1900,
            max=2200,
            help="The year of the campaign (default: the year of --date, else this year, "
            "within the plan's period).",
            show_default=False,
        ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="YYYY-MM-DD",
            callback=_campaign_date,
            help="The date prefilled for the update (default: today in this year, else the "
            "31st of December of a past year).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a campaign already written in the folder."),
    ] = False,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write a follow-up campaign: one workbook per pilot, with only its fiches.

    Each workbook (.xlsx) gives the latest status of the pilot's fiches and their
    indicators with this year's target, and empty columns for the update and the measures
    (a list of the statuses). The fiches without a pilot go to sans-pilote.xlsx. The folder
    also gets campagne.json, the manifest of what was sent to whom. A plan with errors
    stops it with the diagnostics of `ctg validate` and exit 1, before anything is written.

    Example:

        ctg campaign plans/mon-plan --year 2025 -o campagne-2025
    """
    from .campaign import MANIFEST, CampaignError, CampaignExistsError, build, summary, write
    from .safe_text import printable

    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans(paths)
    if len(plans) > 1:
        usage_error(
            _(
                "ctg campaign takes one plan at a time ({count} found): make a campaign for "
                "each plan in its own folder"
            ).format(count=len(plans))
        )
    _refuse_inside_plans(output, plans, "--output")
    _refuse_special_file(output)
    if output.exists() and not output.is_dir():
        _cannot_write(NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(output)))
    loaded = _load_valid_plan(plans[0], ignore_codes)
    try:
        made = build(loaded, year, date)
    except CampaignError as exc:
        usage_error(str(exc))
    try:
        write(made, output, force=force)
    except CampaignExistsError as exc:
        if Path(str(exc.filename)).name == MANIFEST:
            usage_error(
                _(
                    "{path} already holds a campaign ({manifest}); choose another folder, or "
                    "--force to replace it"
                ).format(path=output, manifest=MANIFEST)
            )
        usage_error(
            _("{path} already exists; choose another folder, or --force to replace it").format(
                path=exc.filename
            )
        )
    except OSError as exc:
        _cannot_write(exc)
    for line in summary(made, output):
        typer.echo(printable(line))


@app.command("import")
def import_workbook(
    plan: Annotated[
        Path,
        typer.Argument(
            help="The plan folder the workbook was exported from.",
            show_default=False,
            metavar="PLAN",
        ),
    ],
    files: Annotated[
        list[Path],
        typer.Argument(
            help="The edited workbook(s) (.xlsx), made by ctg export, or the workbooks of a "
            "follow-up campaign (ctg campaign) sent back by the pilots.",
            show_default=False,
            metavar="FILE.xlsx...",
        ),
    ],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print what would change, and write nothing."),
    ] = False,
    manifest: Annotated[
        Path | None,
        typer.Option(
            "--manifest",
            help="The campagne.json of a follow-up campaign (default: the one next to the "
            "first workbook), to list the pilots who have not answered.",
            show_default=False,
        ),
    ] = None,
    ignore: IgnoreOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Apply edited workbooks to the plan's YAML files: an export, or a campaign's answers.

    A workbook made by ctg export: reads the Fiches, Indicateurs and Suivi sheets; a cell
    that has not changed changes nothing, a changed cell is written in place in its fiche's
    file (comments and layout kept). Workbooks of a follow-up campaign (ctg campaign): each
    answer becomes a dated follow-up entry and each value a measure, never over a newer
    entry; two pilots of one fiche who disagree are reported, not merged. Prints what
    changes, fiche by fiche, then writes. A bad cell (located: sheet, cell, field) or a
    change that would bring errors into the plan stops everything with exit 1, before
    anything is written.

    Example:

        ctg import plans/civraisien-2019 civraisien-2019.xlsx --dry-run

        ctg import plans/mon-plan campagne-2025/*.xlsx
    """
    from .campaign import is_campaign_workbook
    from .safe_text import printable
    from .workbook_read import WorkbookError, open_workbook

    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans([plan])
    if len(plans) != 1:
        usage_error(
            _("ctg import takes one plan ({count} found in {path})").format(
                count=len(plans), path=plan
            )
        )
    for file in [*files, *([manifest] if manifest is not None else [])]:
        if not file.exists() and not file.is_symlink():
            usage_error(_("{path}: no such file").format(path=file))
    loaded = _load_valid_plan(plans[0], ignore_codes, refuse_errors=False)
    kinds: dict[bool, list[Path]] = {True: [], False: []}
    unreadable: list[WorkbookError] = []
    for file in files:
        try:
            kinds[is_campaign_workbook(open_workbook(file))].append(file)
        except WorkbookError as exc:
            unreadable.append(exc)
    if unreadable:
        _workbook_errors(unreadable)
    if kinds[True] and kinds[False]:
        usage_error(
            _(
                "give the workbooks of a follow-up campaign and an exported workbook in two "
                "separate runs ({campaign} and {export})"
            ).format(campaign=kinds[True][0], export=kinds[False][0])
        )
    if manifest is not None and not kinds[True]:
        usage_error(_("--manifest goes with the workbooks of a follow-up campaign"))
    if kinds[True]:
        changes = _merge_campaign(loaded, kinds[True], manifest, ignore_codes)
    else:
        changes = _import_export(loaded, files, ignore_codes)
    if not changes:
        return
    if dry_run:
        typer.echo(_("nothing was written (--dry-run)"))
        return
    from .plan_changes import ChangedOnDiskError, write

    try:
        written = write(changes)
    except (ChangedOnDiskError, FileExistsError) as exc:
        typer.echo(printable(f"{exc.filename}: {exc.strerror}"), err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    except OSError as exc:
        _cannot_write(exc)
    typer.echo(
        ngettext("{n} file written", "{n} files written", len(written)).format(n=len(written))
    )


def _workbook_errors(errors: list) -> NoReturn:
    """Print located workbook errors and exit 1 (nothing was written)."""
    from .safe_text import printable

    for error in errors:
        typer.echo(printable(str(error)), err=True)
    count = len(errors)
    typer.echo(
        ngettext(
            "{n} error in the workbook: nothing was written",
            "{n} errors in the workbook: nothing was written",
            count,
        ).format(n=count),
        err=True,
    )
    raise typer.Exit(EXIT_ERRORS)


def _refuse_new_errors(errors: list) -> None:
    """Exit 1 with ``errors`` printed if the import would bring any into the plan."""
    if errors:
        _print_errors(errors, 1)
        typer.echo(
            _("the import would bring these errors into the plan: nothing was written"),
            err=True,
        )
        raise typer.Exit(EXIT_ERRORS)


def _import_export(loaded: Any, files: list[Path], ignore_codes: frozenset[str]) -> Any:
    """The changes an exported workbook brings (report printed), or exit 1."""
    from .safe_text import printable
    from .spreadsheet_import import ImportErrors, import_workbooks, new_errors, report_lines

    try:
        report, changes = import_workbooks(loaded, files)
    except ImportErrors as exc:
        _workbook_errors(exc.errors)
    for line in report_lines(report):
        typer.echo(printable(line))
    errors = new_errors(loaded, changes, ignore_codes)
    _refuse_new_errors(errors)
    return changes


def _merge_campaign(
    loaded: Any, files: list[Path], manifest: Path | None, ignore_codes: frozenset[str]
) -> Any:
    """The changes a campaign's answers bring (report printed), or exit 1."""
    from .campaign import merge
    from .safe_text import printable

    result = merge(loaded, files, manifest=manifest)
    if result.errors:
        _workbook_errors(result.errors)
    for line in result.report:
        typer.echo(printable(line))
    shown = [d for d in result.warnings if d.code not in ignore_codes]
    errors = [d for d in result.diagnostics if d.code not in ignore_codes]
    _refuse_new_errors(errors)
    for diagnostic in shown:
        typer.echo(printable(str(diagnostic)), err=True)
    return result.changes


new_app = typer.Typer(
    name="new",
    help="Start a plan or a fiche: a skeleton, commented in French, that validates at once.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(new_app, name="new")


def _interactive() -> bool:
    """Questions are asked only of a person at a terminal (never in CI, never in a pipe)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _period_answer(text: str) -> tuple[int, int] | None:
    from .scaffold import ScaffoldError, parse_period

    if not text.strip():
        return None
    try:
        return parse_period(text)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None


@new_app.command("plan")
def new_plan(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder of the new plan (created if needed; it must not hold a plan).",
            show_default=False,
            metavar="DIR",
        ),
    ],
    title: Annotated[
        str | None,
        typer.Option("--titre", "--title", help="Title of the convention.", show_default=False),
    ] = None,
    territory: Annotated[
        str | None,
        typer.Option(
            "--territoire",
            "--territory",
            help="Full name of the territory (the intercommunality).",
            show_default=False,
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--periode",
            "--période",
            "--period",
            metavar="YYYY-YYYY",
            help="Period of the convention, e.g. 2025-2029 (or --debut and --fin).",
            show_default=False,
        ),
    ] = None,
    start: Annotated[
        int | None,
        typer.Option(
            "--debut",
            "--début",
            "--start",
            min=1900,
            max=2200,
            help="First year of the convention.",
            show_default=False,
        ),
    ] = None,
    end: Annotated[
        int | None,
        typer.Option(
            "--fin",
            "--end",
            min=1900,
            max=2200,
            help="Last year of the convention.",
            show_default=False,
        ),
    ] = None,
    form: Annotated[
        str | None,
        typer.Option(
            "--formulaire",
            "--form",
            help="Form of the fiches: général (default) or vienne-2019.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Create a new plan: plan.yaml, commented in French, and an empty fiches/ folder.

    At a terminal, without options, asks the territory, the title, the period and the form;
    with options (or in a script), asks nothing. What it writes validates at once; it never
    replaces an existing plan.yaml (exit 2).

    Example:

        ctg new plan plans/mon-territoire

        ctg new plan plans/cc-exemple --territoire "CC de l'Exemple" --periode 2025-2029
    """
    from .form import shipped_names
    from .scaffold import (
        UNKNOWN_TERRITORY,
        PlanSpec,
        ScaffoldError,
        create_plan,
        default_title,
        parse_period,
    )

    if period is not None and (start is not None or end is not None):
        usage_error(_("give the period either with --periode or with --debut and --fin"))
    years: tuple[int, int] | None = None
    try:
        if period is not None:
            years = parse_period(period)
        elif start is not None or end is not None:
            if start is None or end is None:
                raise ScaffoldError(_("give both years of the period (--debut and --fin)"))
            years = (start, end)
    except ScaffoldError as exc:
        usage_error(str(exc))
    asked = (title, territory, period, start, end, form)
    if _interactive() and all(value is None for value in asked):
        territory = typer.prompt(_("Territory (full name of the intercommunality)"))
        title = typer.prompt(_("Title of the convention"), default=default_title(territory))
        years = typer.prompt(
            _("Period, e.g. 2025-2029 (empty if not known yet)"),
            default="",
            show_default=False,
            value_proc=_period_answer,
        )
        form = typer.prompt(
            _("Form of the fiches"),
            default="général",
            type=click.Choice(shipped_names()),
        )
    spec = PlanSpec(
        title=title if title is not None else default_title(territory),
        territory=territory if territory is not None else UNKNOWN_TERRITORY,
        start=years[0] if years else None,
        end=years[1] if years else None,
        form=form or "général",
    )
    try:
        created = create_plan(directory, spec)
    except ScaffoldError as exc:
        usage_error(str(exc))
    except OSError as exc:
        _cannot_write(exc)
    from .safe_text import printable

    for path in created:
        typer.echo(printable(_("created {path}").format(path=path)), err=True)
    typer.echo(
        printable(_("next: ctg new fiche {plan}").format(plan=directory)), err=True
    )


@new_app.command("fiche")
def new_fiche(
    plan: Annotated[
        Path,
        typer.Argument(
            help="The plan's folder (or its plan.yaml).", show_default=False, metavar="PLAN"
        ),
    ],
    title: Annotated[
        str | None,
        typer.Option("--titre", "--title", help="Title of the action.", show_default=False),
    ] = None,
    number: Annotated[
        str | None,
        typer.Option(
            "--numero",
            "--numéro",
            "--number",
            help="Number of the fiche (default: one more than the highest).",
            show_default=False,
        ),
    ] = None,
    objectives: Annotated[
        list[str] | None,
        typer.Option(
            "--objectif",
            "--objective",
            help="Code of an objective the fiche serves; repeatable.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Add a fiche to a plan: every field of the plan's form, commented in French.

    Takes the next free number and a file name from the title
    (fiches/19-creation-reseau-acteurs-sociaux.yaml). At a terminal, without options, asks
    the title and the number. It never replaces an existing file (exit 2); a plan.yaml with
    errors stops it with the diagnostics (exit 1).

    Example:

        ctg new fiche plans/mon-territoire

        ctg new fiche plans/mon-territoire --titre "Relais petite enfance" --objectif 1.1.a
    """
    from .loader import NotAPlanError
    from .scaffold import PlanUnusable, ScaffoldError, create_fiche, next_number, open_plan

    try:
        loaded = open_plan(plan)
    except NotAPlanError as exc:
        usage_error(str(exc))
    except PlanUnusable as exc:
        _print_errors(exc.diagnostics, 1)
        raise typer.Exit(EXIT_ERRORS) from None
    if _interactive() and title is None and number is None and not objectives:
        title = typer.prompt(_("Title of the action"))
        number = typer.prompt(_("Number of the fiche"), default=next_number(loaded))
    try:
        made = create_fiche(
            loaded,
            title if title is not None else "Nouvelle fiche action",
            number,
            objectives or (),
        )
    except ScaffoldError as exc:
        usage_error(str(exc))
    except OSError as exc:
        _cannot_write(exc)
    from .safe_text import printable

    message = _("created {path} (fiche {number})").format(path=made.path, number=made.number)
    typer.echo(printable(message), err=True)
    if not made.objectives:
        typer.echo(
            _(
                "it cites no objective yet: write their codes under `objectifs` "
                "(ctg validate warns until then)"
            ),
            err=True,
        )


@contextlib.contextmanager
def _publishing_errors(plans: int) -> Iterator[None]:
    """How writing documents fails, for render and bilan: a destination refused, a template
    or label catalog that does not work (usage, 2), plans with errors (their diagnostics, 1),
    a disk that refuses the files (2)."""
    from .rendering import DestinationError, PlanHasErrors, RenderError

    try:
        yield
    except DestinationError as exc:
        usage_error(str(exc))
    except PlanHasErrors as exc:
        _print_errors(exc.diagnostics, plans)
        raise typer.Exit(EXIT_ERRORS) from None
    except RenderError as exc:
        usage_error(str(exc))
    except OSError as exc:
        _cannot_write(exc)


def _refuse_special_file(output: Path) -> None:
    """Before any work: ``-o`` must not name a FIFO, a device or a socket."""
    from .fsutil import refuse_special_file

    try:
        refuse_special_file(output)
    except OSError as exc:
        _cannot_write(exc)


def _cannot_write(exc: OSError) -> NoReturn:
    from .fsutil import reason

    if exc.filename:
        usage_error(
            _("cannot write {path}: {reason}").format(path=exc.filename, reason=reason(exc))
        )
    usage_error(_("cannot write: {reason}").format(reason=reason(exc)))


def main() -> None:
    """Console-script entry point: no traceback ever reaches the user."""
    from .output import StandardOutputError, guard_standard_streams

    guard_standard_streams()
    _exit_cleanly_on_termination()
    try:
        try:
            app()
        finally:  # what is still buffered must reach the reader, or fail here, not at exit
            sys.stdout.flush()
    except StandardOutputError as exc:
        if exc.broken_pipe:
            _end_quietly_on_broken_pipe()
        message = _("cannot write to standard output: {reason}").format(reason=exc.strerror)
        typer.echo(_("ctg: error: {message}").format(message=message), err=True)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:  # standard error's reader gone
        _end_quietly_on_broken_pipe()
    except KeyboardInterrupt:
        typer.echo(_("ctg: interrupted"), err=True)
        sys.exit(130)
    except Exception as exc:  # a bug of ours: say so plainly, without a traceback
        from .safe_text import printable

        message = _("ctg: internal error: {kind}: {problem}").format(
            kind=type(exc).__name__, problem=exc
        )
        typer.echo(printable(message), err=True)
        typer.echo(_("ctg: please report this, with the command and the input."), err=True)
        sys.exit(3)


def _exit_cleanly_on_termination() -> None:
    """SIGTERM and SIGHUP end ctg through ``SystemExit``, so that ``finally`` blocks run
    (a temporary file being written is removed) instead of the process vanishing."""
    import signal

    def terminate(signum: int, _frame: object) -> NoReturn:
        raise SystemExit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), terminate)


def _end_quietly_on_broken_pipe() -> NoReturn:
    """The reader went away (``ctg … | head -1``): stop without a word, as git does (killed
    by SIGPIPE: the shell shows 141). Standard output points at /dev/null first so that
    nothing is written again at exit (Python docs, "Note on SIGPIPE")."""
    import os
    import signal

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGPIPE)
    os._exit(141)


if __name__ == "__main__":
    main()
