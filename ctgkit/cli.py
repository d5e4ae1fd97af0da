"""The ``ctg`` command line: parse options, call the library, print. Nothing else.

Exit codes: 0 success; 1 the plans have errors (or warnings with --strict), or a coverage
threshold is not met; 2 usage errors (missing path, not a plan, bad option or config).
"""

from __future__ import annotations

import sys
from enum import Enum
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


class DiagnosticFormat(str, Enum):
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
    typer.echo(f"ctg: error: {message}", err=True)
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


class SchemaKind(str, Enum):
    plan = "plan"
    fiche = "fiche"


@app.command()
def schema(
    kind: Annotated[SchemaKind, typer.Argument(help="plan (plan.yaml) or fiche (fiches/*.yaml).")],
) -> None:
    """Print the JSON Schema of plan.yaml or of a fiche, for editors' YAML language servers.

    Example:

        ctg schema fiche > .schemas/fiche.schema.json
    """
    from .schema import json_schema

    typer.echo(json_schema(kind.value))


def main() -> None:
    """Console-script entry point: no traceback ever reaches the user."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("ctg: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_ERRORS)
    except Exception as exc:  # a bug of ours: say so plainly, without a traceback
        typer.echo(f"ctg: internal error: {type(exc).__name__}: {exc}", err=True)
        typer.echo("ctg: please report this, with the command and the input.", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
