"""Rules the loader reports while reading and parsing files (no check function)."""

from ..diagnostics import Severity
from .registry import declare

E, W = Severity.ERROR, Severity.WARNING

declare(
    "CTG001",
    "yaml-syntax",
    E,
    "The file is not valid YAML.",
    """
    What: the YAML parser stopped; the position is where it noticed the problem.
    Why: nothing in the file can be checked until it parses.
    Example: a tab used for indentation, an unclosed `[`, a second `---` document.
    """,
)
declare(
    "CTG002",
    "encoding",
    E,
    "The file is not UTF-8 text.",
    """
    What: the file holds bytes that are not UTF-8, or binary data (NUL bytes).
    Why: plan files are text shared between editors and platforms; UTF-8 is the one encoding
    every tool reads the same way. A UTF-8 byte-order mark is accepted.
    Example: a file saved as Windows-1252 from an old word processor (`é` as byte 0xe9).
    """,
)
declare(
    "CTG003",
    "empty-file",
    E,
    "The file is empty or holds only comments.",
    """
    What: a plan.yaml or referenced Markdown file with no content (an empty fiche is a
    warning, CTG009).
    Why: such a file is usually truncated by a crash or created and forgotten; without
    plan.yaml nothing can be checked.
    """,
)
declare(
    "CTG004",
    "unreadable-file",
    E,
    "The file cannot be read safely.",
    """
    What: the file is missing (broken link), not a regular file, larger than 5 MB, or a link
    to a place outside the plan directory.
    Why: ctgkit never reads outside the plan it was given and never waits on special files.
    """,
)
declare(
    "CTG005",
    "duplicate-key",
    E,
    "A key appears twice in the same mapping.",
    """
    What: the same field written twice, e.g. two `fin:` lines in one fiche.
    Why: YAML would silently keep one of the two values; which one the author meant is unknown.
    """,
)
declare(
    "CTG006",
    "yaml-feature",
    E,
    "The file uses a YAML feature plan files do not allow.",
    """
    What: aliases (`*name`), or steps / tree nodes nested deeper than 12 levels.
    Why: aliases can expand a few lines into billions of nodes (the "billion laughs"), and
    neither feature is needed to write a plan.
    """,
)
declare(
    "CTG007",
    "old-format",
    E,
    "The plan is written in an older format.",
    """
    What: plan.yaml has no `format: 2` line (a format-1 plan, with English keys), or names a
    format this version of ctgkit does not read.
    Why: keys changed between formats; `ctg migrate PLAN` rewrites a format-1 plan in place,
    keeping its comments. Nothing else is checked until then.
    """,
)
declare(
    "CTG008",
    "bad-form",
    E,
    "The plan's fiche form cannot be used.",
    """
    What: `formulaire` names a form ctgkit does not ship, or one of the plan's own fields is
    badly defined (no type, a name that is not lowercase words joined by _, a `choix` field
    without choices…).
    Why: the form defines what a fiche may hold; without it no fiche can be checked.
    Example: `formulaire: {base: général, champs: [{nom: quartier, type: oui/non}]}`.
    """,
)
declare(
    "CTG009",
    "empty-fiche",
    W,
    "A fiche file is empty.",
    """
    What: a file in `fiches/` that is empty or holds only blank lines and comments.
    Why: usually a placeholder for a fiche still to write, or a file created and forgotten;
    it is not checked and not published. Fill it in, or delete it. (An empty plan.yaml or
    Markdown text is an error: CTG003.)
    Example: a `fiches/19-nouvelle.yaml` holding only comments gets this warning at 1:1,
    and `ctg validate` still exits 0.
    """,
)
declare(
    "CTG010",
    "missing-field",
    E,
    "A required field is missing.",
    """
    What: e.g. a fiche without `numéro` or `titre`, a plan without `stratégie`.
    Example: `fiches/03.yaml:1:1: error CTG010 missing required field 'titre'`.
    """,
)
declare(
    "CTG011",
    "invalid-value",
    E,
    "A field has the wrong type or an invalid value.",
    """
    What: a value that does not fit the field: text where a list is expected, a year written
    `2020/2021`, a status that is not one of the form's three.
    Why: the rendered document and the coverage figures depend on these values.
    Example: `début: 2020/2021` gives "début: expected a date such as 2024, 2024-09 or
    2024-09-30, got '2020/2021'".
    """,
)
declare(
    "CTG012",
    "unknown-field",
    E,
    "A field the format does not know (typo protection).",
    """
    What: a key that is not part of the format or of the plan's form, e.g. `pilote:` instead
    of `pilotes:`, `debut:` instead of `début:`, or a format-1 English key (`partners:`).
    Why: a misspelt field would otherwise be silently ignored and its content lost.
    """,
)
declare(
    "CTG013",
    "path-outside-plan",
    E,
    "A referenced file lies outside the plan directory.",
    """
    What: a `fichier:` reference that is absolute, climbs out with `..`, or is a link to the
    outside.
    Why: a plan must be self-contained, and ctgkit never reads outside the plan it was given.
    """,
)
declare(
    "CTG014",
    "missing-reference",
    E,
    "A referenced file does not exist.",
    """
    What: a section's `fichier:` names a Markdown file that is not in the plan directory.
    """,
)
