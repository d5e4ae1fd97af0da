"""The ``ctg`` command line: parse options, call the library, print. Nothing else.

Exit codes: 0 success; 1 the plans have errors (or warnings with --strict), or a coverage
threshold is not met; 2 usage errors (missing path, not a plan, bad option or config) and
outputs that cannot be written (a full disk, a closed standard output).
"""

from __future__ import annotations

import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from . import __version__

app = typer.Typer(
    name="ctg",
    help="Check, render and measure Conventions Territoriales Globales kept as YAML plans.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
) -> None:
    """Check, render and measure Conventions Territoriales Globales kept as YAML plans."""


def usage_error(message: str) -> NoReturn:
    from .safe_text import printable

    typer.echo(printable(f"ctg: error: {message}"), err=True)
    raise typer.Exit(EXIT_USAGE)


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
    with progress(len(plans), "Validating") as advance:
        for _plan, diagnostics in validate_paths(plans, ignore_codes, jobs=jobs):
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
            usage_error(f"unknown rule '{code}' (see `ctg rules`)")
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
            usage_error("--plan only applies to `ctg schema fiche`")
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
        typer.echo("ctg migrate: nothing was written", err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    except OSError as exc:
        _cannot_write(exc)
    for result in results:
        if result.already:
            typer.echo(f"{result.root}: already in format 2, nothing to do", err=True)
            continue
        verb = "would rewrite" if dry_run else "rewrote"
        typer.echo(
            f"{result.root}: {verb} {len(result.files)} file(s) (form: {result.form})", err=True
        )
    if not dry_run and any(not r.already for r in results):
        typer.echo("next: ctg validate " + " ".join(str(r.root) for r in results), err=True)


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
        sys.stdout.write(actors_output.to_json(results))
    elif output_format is ActorsFormat.csv:
        sys.stdout.write(actors_output.to_csv(results))
    else:
        sys.stdout.write(actors_output.to_text(results))


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
                f"{what} {target} is inside the plan directory {resolved[candidate]}; "
                "refusing to write there"
            )


def _finite(value: float | None) -> float | None:
    """--fail-under nan would never fail, and inf never pass: both are refused."""
    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"{value} is not a number from 0 to 100.")
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
    from .output import progress

    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans(paths)
    if output_format in (CoverageFormat.csv, CoverageFormat.html) and len(plans) > 1:
        usage_error(f"--format {output_format.value} takes one plan at a time")
    if templates is not None and not templates.is_dir():
        usage_error(f"--templates {templates}: no such directory")
    if output == Path("-"):
        output = None
    if output is not None:
        _refuse_inside_plans(output, plans, "--output")
        _refuse_special_file(output)
    results = []
    failed = []
    with progress(len(plans), "Measuring") as advance:
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
        sys.stdout.write(_coverage_text(results, output_format, uncovered, templates))
    else:
        from .fsutil import atomic_write

        text = _coverage_text(results, output_format, uncovered, templates)
        try:
            atomic_write(output, text)
        except OSError as exc:
            _cannot_write(exc)
    if fail_under is not None and any(100 * r.ratio < fail_under for r in results):
        from .safe_text import printable

        below = [f"{r.slug} {100 * r.ratio:.1f} %" for r in results if 100 * r.ratio < fail_under]
        typer.echo(printable(f"coverage below {fail_under:g} %: {', '.join(below)}"), err=True)
        raise typer.Exit(EXIT_ERRORS)


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
        str, typer.Option("--format", "-f", help="Comma-separated formats: md, html.")
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
    """Publish each plan as a document and a coverage matrix, in Markdown and HTML.

    Writes OUTDIR/<plan>/plan.md, plan.html, coverage.md and coverage.html. A plan with
    errors stops everything with the diagnostics of `ctg validate` and exit 1, before any
    file is written (--force renders it, every document marked « document non validé »).

    Example:

        ctg render plans/civraisien-2019 -o site

        ctg render plans/* --format html --templates my-templates
    """
    from .api import render_paths
    from .output import progress
    from .rendering import FORMATS, DestinationError, PlanHasErrors, RenderError

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if not chosen or unknown:
        usage_error(f"--format takes md, html or md,html (got '{formats}')")
    if templates is not None and not templates.is_dir():
        usage_error(f"--templates {templates}: no such directory")
    ignore_codes = _ignore_codes(ignore, config)
    plans = _plans(paths)
    _refuse_special_file(outdir)  # -o a FIFO, a device, a socket
    _refuse_special_file(outdir / "plan.md")  # -o /dev: the files would go in a system folder
    try:
        with progress(len(plans), "Rendering") as advance:
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
    except DestinationError as exc:
        usage_error(str(exc))
    except PlanHasErrors as exc:
        _print_errors(exc.diagnostics, len(plans))
        raise typer.Exit(EXIT_ERRORS) from None
    except RenderError as exc:
        usage_error(str(exc))
    except OSError as exc:
        _cannot_write(exc)
    from .safe_text import printable

    message = f"wrote {len(written)} files for {len(plans)} plan(s) in {outdir}"
    typer.echo(printable(message), err=True)


def _refuse_special_file(output: Path) -> None:
    """Before any work: ``-o`` must not name a FIFO, a device or a socket."""
    from .fsutil import refuse_special_file

    try:
        refuse_special_file(output)
    except OSError as exc:
        _cannot_write(exc)


def _cannot_write(exc: OSError) -> NoReturn:
    where = f" {exc.filename}" if exc.filename else ""
    usage_error(f"cannot write{where}: {exc.strerror or exc}")


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
        typer.echo(f"ctg: error: cannot write to standard output: {exc.strerror}", err=True)
        sys.exit(EXIT_USAGE)
    except BrokenPipeError:  # standard error's reader gone
        _end_quietly_on_broken_pipe()
    except KeyboardInterrupt:
        typer.echo("ctg: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug of ours: say so plainly, without a traceback
        from .safe_text import printable

        typer.echo(printable(f"ctg: internal error: {type(exc).__name__}: {exc}"), err=True)
        typer.echo("ctg: please report this, with the command and the input.", err=True)
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
