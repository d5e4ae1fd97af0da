"""Hypothesis strategies for the adversarial suite: valid plans as Python data, written to a
directory with ruamel.yaml, and mutations of the written files (text, bytes and data).

Profiles (``HYPOTHESIS_PROFILE``, default ``ci``):

- ``ci``: about 100 examples per property, no deadline; the whole adversarial suite stays
  around a minute on two cores.
- ``debug``: like ``ci``, but shrinks a failing example to a minimal one.
- ``long``: enough examples per property that the long run
  (``pytest -m long tests/test_adversarial_properties.py``) generates well over 20,000 cases.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from ctgkit.vocab import DURATION_KINDS, IMPACT_GROUPS, PARTICIPATION_STAGES, STATUSES

# ----------------------------------------------------------------------------- profiles

_HEALTH = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
    HealthCheck.filter_too_much,
]
#: No shrinking by default: a failing plan with megabytes of mutated text can take minutes to
#: shrink. The failing example is printed (and replayed first on the next run); use the
#: ``debug`` profile to shrink it to a minimal one.
_NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
#: In CI (CI=true) the examples are derived from each test, not drawn at random: a landing
#: must not depend on luck. Locally they are random, and the long run explores widely.
_IN_CI = bool(os.environ.get("CI"))
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    suppress_health_check=_HEALTH,
    print_blob=True,
    phases=_NO_SHRINK,
    derandomize=_IN_CI,
    database=None if _IN_CI else settings.default.database,
)
settings.register_profile("debug", parent=settings.get_profile("ci"), phases=list(Phase))
#: Examples per property in the long run; the long test runs several properties with it.
LONG_EXAMPLES = 5_200
settings.register_profile("long", parent=settings.get_profile("ci"), max_examples=LONG_EXAMPLES)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# ----------------------------------------------------------------------------- text

ACCENTS = "éèêëàâäîïôöùûüçœæÉÈÊÀÂÎÔÙÛÇŒÆ«»’"
#: Pieces of text real plans hold, and pieces that break naive YAML, Markdown or HTML.
FRAGMENTS = [
    "Île-de-France",
    "l'accès",
    "l’enfance",
    "« guillemets »",
    '"double"',
    "'simple'",
    "deux-points : ici",
    "a: b",
    "clé:valeur",
    "- tiret",
    "# dièse",
    "#hashtag",
    "**gras**",
    "*italique*",
    "_souligné_",
    "`code`",
    "[lien](https://example.org/a?b=1&c=2)",
    "<https://example.org>",
    "> citation",
    "1. liste",
    "| a | b |",
    "&amp;",
    "&#x27;",
    "&#128;",
    "&#0;",
    "&nbsp;",
    "{{ x }}",
    "{% raw %}",
    "{#",
    "%",
    "@",
    "!",
    "?",
    "—",
    "–",
    "…",
    "😀",
    "中文",
    "العربية",
    "\u00a0",
    "~",
    "\\",
    "*",
    "[",
    "]",
    "{",
    "}",
    "&",
    "null",
    "true",
    "no",
    "yes",
    "0x1F",
    "1e3",
    "2020",
    ".5",
    "---",
    "...",
    "|",
    ">",
    "<",
    "<b>",
    "</p>",
    "x < y > z",
    "é\u0301",
    "\u200b",
    "\u2028",
    "a\u2029b",
    "\ufeff",
    "ﬁ",
    "ß",
    "İ",
    "Œuvre",
    "n°3",
    "100 %",
    "1/2",
    "C:\\dossier",
    "../x",
    "$HOME",
    "\\n",
    "!!str",
    "&ancre",
    "*étoile",
    "? question",
]
_WORD_ALPHABET = string.ascii_letters + string.digits + ACCENTS
#: Every assigned, non-control, non-private code point (precomputed: drawing from a list is
#: much faster than st.characters with category filters).
_UNICODE = [
    chr(code)
    for code in range(0x20, 0x30000)
    if unicodedata.category(chr(code)) not in {"Cc", "Cs", "Co", "Cn"}
]
_unicode = st.sampled_from(_UNICODE)
#: Ordinary words (drawn in one step: generating text character by character is slow).
WORDS = (
    "Développer l'accueil des jeunes enfants Soutenir la parentalité Accès aux droits "
    "Créer un café des parents Forum des habitants élaboré Œuvrer à l’inclusion numérique "
    "sécurité Île été garçon naïf coût forêt crèche CAF CCAS MSA PMI RPE EVS ALSH ARS "
    "Comité de pilotage Communauté Communes Caisse d'Allocations Familiales 2019 2024 n°12"
).split()
word = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(FRAGMENTS),
    st.sampled_from(_UNICODE),
    st.text(st.sampled_from(_WORD_ALPHABET), min_size=1, max_size=10),
    st.text(_unicode, min_size=1, max_size=4),
)


def line_text(min_words: int = 1, max_words: int = 5) -> st.SearchStrategy[str]:
    """One line of text (no line break), never blank."""
    return (
        st.lists(word, min_size=min_words, max_size=max_words)
        .map(" ".join)
        .map(lambda text: text.replace("\n", " ").replace("\r", " "))
        .filter(lambda text: text.strip() != "")
    )


@st.composite
def markdown_text(draw: st.DrawFn, max_lines: int = 5) -> str:
    """A few lines of Markdown: paragraphs, lists, headings, quotes, fences, tables."""
    lines = []
    for _ in range(draw(st.integers(1, max_lines))):
        prefix = draw(
            st.sampled_from(["", "", "", "- ", "* ", "1. ", "# ", "## ", "### ", "> ", "    "])
        )
        lines.append(prefix + draw(line_text()))
        if draw(st.integers(0, 9)) == 0:
            lines += ["```", draw(line_text()), "```"]
        if draw(st.integers(0, 12)) == 0:
            lines += ["| a | b |", "|---|---|", "| " + draw(line_text()) + " | x |"]
    separator = draw(st.sampled_from(["\n", "\n\n"]))
    return separator.join(lines)


def short_text() -> st.SearchStrategy[str]:
    return line_text(1, 4)


# ----------------------------------------------------------------------------- plans


@dataclass
class PlanSpec:
    """A plan as data: plan.yaml, fiches (file name -> data) and other text files."""

    plan: dict[str, Any]
    fiches: dict[str, dict[str, Any]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # relative path -> Markdown
    width: int = 80  # ruamel line width used when writing

    def files(self) -> list[str]:
        return ["plan.yaml", *(f"fiches/{name}" for name in self.fiches), *self.texts]


#: Code segments: digits, letters (both cases on purpose), mixed.
SEGMENTS = [str(n) for n in range(1, 13)] + list("abcdefgh") + ["A", "B", "IV", "x1", "02"]
#: Prefixes that no generated code starts with (so canonical codes stay unique).
PREFIXES = ["P.", "AXE.", "Z."]


@dataclass
class _Node:
    segments: tuple[str, ...]
    title: str
    children: list[_Node]
    data: dict[str, Any]

    @property
    def code(self) -> str:
        return ".".join(self.segments)


@st.composite
def _tree(draw: st.DrawFn, depth: int, parent: tuple[str, ...], budget: list[int]) -> list[_Node]:
    count = draw(st.integers(1, 4 if not parent else 3))
    segments = draw(
        st.lists(st.sampled_from(SEGMENTS), min_size=count, max_size=count, unique=True)
    )
    nodes = []
    for segment in segments:
        budget[0] -= 1
        path = (*parent, segment)
        title = draw(line_text(1, 6))
        data: dict[str, Any] = {}
        if draw(st.integers(0, 4)) == 0:
            data["theme"] = draw(short_text())
        if draw(st.integers(0, 4)) == 0:
            data["description"] = draw(markdown_text(3))
        if draw(st.integers(0, 3)) == 0:
            data["pistes"] = draw(st.lists(line_text(), min_size=0, max_size=3))
        branch = depth > 1 and budget[0] > 0 and draw(st.integers(0, 5)) > 0
        children = draw(_tree(depth - 1, path, budget)) if branch else []
        nodes.append(_Node(path, title, children, data))
    return nodes


def _walk(nodes: list[_Node], ancestors: tuple[_Node, ...] = ()):
    for node in nodes:
        yield node, ancestors
        yield from _walk(node.children, (*ancestors, node))


def _tree_depth(nodes: list[_Node]) -> int:
    return max((1 + _tree_depth(n.children) for n in nodes), default=0)


@st.composite
def plan_specs(draw: st.DrawFn) -> PlanSpec:
    """A valid plan (no diagnostics at all): tree of 1-4 levels, fiches citing leaves."""
    levels_count = draw(st.integers(1, 4))
    tree = draw(_tree(levels_count, (), [draw(st.integers(3, 16))]))
    depth = _tree_depth(tree)
    prefix = draw(st.sampled_from([None, None, *PREFIXES]))

    written: dict[tuple[str, ...], str] = {}

    def code_of(node: _Node, variant: bool = False) -> str:
        if node.segments not in written:
            use = prefix is not None and draw(st.booleans())
            written[node.segments] = (prefix if use else "") + node.code
        code = written[node.segments]
        if variant and prefix is not None and draw(st.integers(0, 3)) == 0:
            # With a code_prefix, fiches may add or drop it.
            code = code[len(prefix) :] if code.startswith(prefix) else prefix + code
        if variant and draw(st.integers(0, 9)) == 0:
            code = f" {code} "  # surrounding spaces are tolerated
        return code

    def node_data(node: _Node) -> dict[str, Any]:
        data = {"code": code_of(node), "title": node.title, **node.data}
        if node.children:
            data["children"] = [node_data(child) for child in node.children]
        return data

    strategy = [node_data(node) for node in tree]
    start = draw(st.integers(1990, 2150))
    end = draw(st.integers(start, min(2200, start + 8)))
    programmes = draw(
        st.lists(
            st.fixed_dictionaries(
                {"name": short_text()},
                optional={
                    "short_name": st.text(string.ascii_uppercase, min_size=2, max_size=5),
                    "description": markdown_text(3),
                    "axes": st.lists(line_text(), max_size=3),
                    "url": st.sampled_from(["https://example.org/cls", "http://a.b/c?d=e&f"]),
                },
            ),
            max_size=3,
        )
    )
    texts: dict[str, str] = {}
    sections = []
    for index in range(draw(st.integers(0, 3))):
        section: dict[str, Any] = {"title": draw(short_text())}
        if draw(st.booleans()):
            name = draw(
                st.sampled_from(
                    ["narrative/{}.md", "{}.md", "narrative/sub/{}.md", "narrative/été-{}.md"]
                )
            ).format(index)
            texts[name] = draw(markdown_text(6))
            section["file"] = name
        elif draw(st.booleans()):
            section["text"] = draw(markdown_text(4))
        sections.append(section)

    plan: dict[str, Any] = {
        "title": draw(line_text(1, 8)),
        "territory": draw(
            st.fixed_dictionaries(
                {"name": short_text()},
                optional={
                    "short_name": st.text(string.ascii_uppercase, min_size=2, max_size=6),
                    "department": short_text(),
                    "towns": st.integers(1, 400),
                    "population": short_text(),
                },
            )
        ),
        "period": {"start": start, "end": end},
        "levels": [
            draw(st.fixed_dictionaries({"name": short_text()}, optional={"plural": short_text()}))
            for _ in range(max(depth, draw(st.integers(depth, depth + 1))))
        ],
        "strategy": strategy,
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "subtitle": line_text(),
        "language": st.sampled_from(["fr", "en"]),
        "generation": st.integers(1, 5),
        "previous": st.sampled_from(["civraisien-2019", "plan-précédent", None]),
        "signatories": st.lists(
            st.fixed_dictionaries(
                {"name": short_text()}, optional={"short_name": short_text(), "role": short_text()}
            ),
            max_size=3,
        ),
        "governance": st.lists(
            st.fixed_dictionaries(
                {"name": short_text()},
                optional={"role": short_text(), "members": line_text(), "frequency": short_text()},
            ),
            max_size=3,
        ),
        "key_figures": st.lists(
            st.fixed_dictionaries(
                {
                    "value": st.one_of(short_text(), st.integers(0, 10**6).map(str)),
                    "label": short_text(),
                }
            ),
            max_size=3,
        ),
        "swot": st.lists(
            st.fixed_dictionaries(
                {"theme": short_text()},
                optional={
                    k: st.lists(line_text(), max_size=3)
                    for k in ("strengths", "weaknesses", "opportunities", "threats")
                },
            ),
            max_size=3,
        ),
        "timeline": st.lists(
            st.fixed_dictionaries(
                {"text": markdown_text(2)}, optional={"when": short_text(), "phase": short_text()}
            ),
            max_size=3,
        ),
        "gaps": st.lists(
            st.fixed_dictionaries(
                {"note": line_text()}, optional={"code": st.sampled_from(SEGMENTS)}
            ),
            max_size=2,
        ),
    }
    for key, strat in optional.items():
        if draw(st.booleans()):
            plan[key] = draw(strat)
    if programmes:
        plan["programmes"] = programmes
    if sections:
        plan["sections"] = sections
    if prefix is not None:
        plan["code_prefix"] = prefix

    # ------------------------------------------------------------------ fiches
    leaves = [(node, ancestors) for node, ancestors in _walk(tree) if not node.children]
    numbers = draw(
        st.lists(
            st.one_of(st.integers(1, 60), st.sampled_from(["12bis", "4 ter", "07", "A3", "10"])),
            max_size=5,
            unique_by=lambda n: str(n).strip(),
        )
    )
    fiches: dict[str, dict[str, Any]] = {}
    for position, number in enumerate(numbers):
        chosen = draw(
            st.lists(st.sampled_from(range(len(leaves))), min_size=1, max_size=4, unique=True)
        )
        cited = [leaves[i] for i in chosen]
        objectives: list[Any] = []
        for node, _ in cited:
            code = code_of(node, variant=True)
            if draw(st.integers(0, 3)) == 0:
                objectives.append({"code": code, "text": node.title})
            else:
                objectives.append(code)
        fiche: dict[str, Any] = {
            "number": number,
            "title": draw(line_text(1, 8)),
            "objectives": objectives,
        }
        axes = {a[0].segments: a[0] for _, a in cited if len(a) >= 1}
        strategic = {a[1].segments: a[1] for _, a in cited if len(a) >= 2}
        if axes and draw(st.booleans()):
            fiche["axes"] = [code_of(node, variant=True) for node in axes.values()]
        if strategic and draw(st.booleans()):
            fiche["strategic_objectives"] = [code_of(n, variant=True) for n in strategic.values()]
        if draw(st.booleans()):
            fiche["description"] = draw(markdown_text(4))
        for key in ("pilotes", "partners", "evaluation"):
            if draw(st.booleans()):
                fiche[key] = draw(st.lists(short_text(), max_size=3))
        if draw(st.booleans()):
            fiche["duration"] = draw(st.sampled_from([*DURATION_KINDS, "Pluriannuelle"]))
        if draw(st.booleans()):
            fiche["status"] = draw(
                st.sampled_from([*STATUSES, "DEJA ENGAGEE", "en cours d’élaboration"])
            )
        if draw(st.booleans()):
            first = draw(st.integers(start, end))
            fiche["start"] = first
            if draw(st.booleans()):
                fiche["end"] = draw(st.integers(first, end))
        elif draw(st.booleans()):
            fiche["end"] = draw(st.integers(start, end))
        if draw(st.booleans()):
            fiche["impacts"] = draw(_impacts())
        if draw(st.booleans()):
            fiche["steps"] = draw(_steps(3))
        if draw(st.booleans()):
            fiche["indicators"] = draw(st.lists(_indicator(), max_size=3))
        if draw(st.booleans()):
            fiche["participation"] = draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        stage: st.sampled_from([True, False, None, "oui", "NON", "x"])
                        for stage in PARTICIPATION_STAGES
                    },
                )
            )
        others = [n for n in numbers if n != number]
        if others and draw(st.booleans()):
            fiche["linked_fiches"] = draw(
                st.lists(st.sampled_from(others), max_size=2, unique=True)
            )
        if draw(st.booleans()):
            fiche["documents"] = draw(st.lists(_document(programmes), max_size=2))
        slug = re.sub(r"[^a-z0-9]+", "-", str(number).lower()).strip("-") or "x"
        extension = draw(st.sampled_from([".yaml", ".yaml", ".yml"]))
        fiches[f"{position:02d}-{slug}{extension}"] = fiche
    width = draw(st.sampled_from([80, 80, 40, 4096]))
    return PlanSpec(plan, fiches, texts, width)


@st.composite
def _impacts(draw: st.DrawFn) -> dict[str, list[str]]:
    groups = draw(
        st.lists(st.sampled_from(list(IMPACT_GROUPS)), min_size=1, max_size=3, unique=True)
    )
    out: dict[str, list[str]] = {}
    for group in groups:
        items = draw(st.lists(st.sampled_from(IMPACT_GROUPS[group]), max_size=3, unique=True))
        if draw(st.integers(0, 4)) == 0:  # matching ignores case and accents
            items = [item.upper() for item in items]
        out[group.lower() if draw(st.integers(0, 4)) == 0 else group] = items
    return out


def _steps(depth: int) -> st.SearchStrategy[list[Any]]:
    bare = line_text()
    if depth <= 1:
        full = st.fixed_dictionaries({"text": markdown_text(2)}, optional={"label": short_text()})
    else:
        full = st.fixed_dictionaries(
            {"text": markdown_text(2)},
            optional={
                "label": st.sampled_from(["1", "2.1", "a", "A)", "•", "10", " ", "1 "]),
                "steps": st.deferred(lambda: _steps(depth - 1)),
            },
        )
    return st.lists(st.one_of(bare, full), min_size=1, max_size=3)


_number = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    short_text(),
)


def _indicator() -> st.SearchStrategy[Any]:
    return st.one_of(
        line_text(),
        st.fixed_dictionaries(
            {"label": line_text()},
            optional={
                "unit": st.sampled_from(["%", "personnes", "€", "h/an"]),
                "baseline": _number,
                "target": _number,
                "measurements": st.lists(
                    st.fixed_dictionaries(
                        {
                            "date": st.one_of(
                                st.dates(dt.date(1990, 1, 1), dt.date(2200, 12, 31)),
                                st.integers(1900, 2200),
                                short_text(),
                            ),
                            "value": _number,
                        },
                        optional={"note": short_text()},
                    ),
                    max_size=2,
                ),
            },
        ),
    )


def _document(programmes: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    names = [p.get("short_name") or p["name"] for p in programmes]
    optional: dict[str, st.SearchStrategy[Any]] = {
        "ref": short_text(),
        "title": short_text(),
        "url": st.sampled_from(
            ["https://example.org/doc.pdf", "mailto:a@b.fr", "ftp://x", "doc.pdf"]
        ),
    }
    if names:
        optional["programme"] = st.sampled_from(names)
    return st.fixed_dictionaries({}, optional=optional)


# ----------------------------------------------------------------------------- writing

_dumpers: dict[int, YAML] = {}


def dump_yaml(data: Any, width: int = 80) -> str:
    yaml = _dumpers.get(width)
    if yaml is None:
        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
        yaml.allow_unicode = True
        yaml.width = width
        # Shared objects are written out in full: anchors and aliases are refused in plans.
        yaml.representer.ignore_aliases = lambda data: True
        _dumpers[width] = yaml
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def write_plan(spec: PlanSpec, root: Path) -> Path:
    """Write ``spec`` as a plan directory ``root`` (created)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "plan.yaml").write_text(dump_yaml(spec.plan, spec.width), encoding="utf-8")
    if spec.fiches:
        (root / "fiches").mkdir(exist_ok=True)
    for name, fiche in spec.fiches.items():
        (root / "fiches" / name).write_text(dump_yaml(fiche, spec.width), encoding="utf-8")
    for name, text in spec.texts.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# ----------------------------------------------------------------------------- mutations

WRONG_VALUES = [
    "[1, 2]",
    "{a: 1}",
    "true",
    "false",
    "null",
    "~",
    "12.5",
    "-1",
    "0",
    "''",
    '""',
    "-",
    "!!binary aGVsbG8=",
    "!!python/object/apply:os.system [echo pwned]",
    "!!set {a, b}",
    "&x 1",
    "*x",
    "|",
    ">",
    "[",
    "{",
    "]",
    "}",
    "'unterminated",
    '"bad \\x escape"',
    "2020-13-45",
    "2020/2021",
    "9999999999999999999999",
    "1e400",
    ".nan",
    "-.inf",
    "@at",
    "`tick",
    "%percent",
    "? complex",
    "a: b: c",
    "<<: {a: 1}",
    "!tag x",
    "[1, [2, [3]]]",
    "{{ 7*7 }}",
    '"\\u0000"',
    "'\t'",
    "9.9.z",
    "1.d.",
    "A..3",
    "3.1. f",
    "é.1",
]
UNKNOWN_CODES = [
    "9.9.z",
    "1.d.",
    "A..3",
    "3.1. f",
    "",
    " ",
    "1.1.a.b.c.d.e",
    "é",
    "1..1",
    "x" * 300,
]


@dataclass(frozen=True)
class Mutation:
    """One change to one file of a written plan; ``target`` indexes ``PlanSpec.files()``."""

    kind: str
    target: int
    position: float = 0.0  # where in the file (0-1)
    payload: bytes = b""
    amount: int = 0

    def apply(self, root: Path, files: list[str]) -> None:
        relative = files[self.target % len(files)]
        path = root / relative
        if self.kind == "delete-file":
            if path.exists():
                path.unlink()
            return
        if self.kind == "new-fiche":
            (root / "fiches").mkdir(exist_ok=True)
            (root / "fiches" / f"zz-{self.amount}.yaml").write_bytes(self.payload)
            return
        raw = path.read_bytes() if path.exists() else b""
        path.write_bytes(mutate_bytes(raw, self))


def _line_bounds(raw: bytes, position: float) -> tuple[int, int]:
    lines = raw.split(b"\n")
    index = min(len(lines) - 1, int(position * len(lines)))
    start = sum(len(line) + 1 for line in lines[:index])
    return start, start + len(lines[index])


def mutate_bytes(raw: bytes, m: Mutation) -> bytes:
    at = int(m.position * len(raw))
    start, end = _line_bounds(raw, m.position)
    line = raw[start:end]
    if m.kind == "delete-line":
        return raw[:start] + raw[end + 1 :]
    if m.kind == "duplicate-line":
        return raw[:end] + b"\n" + line + raw[end:]
    if m.kind == "indent":
        stripped = line.lstrip(b" \t")
        return raw[:start] + m.payload + stripped + raw[end:]
    if m.kind == "truncate":
        return raw[:at]
    if m.kind == "insert-bytes":
        return raw[:at] + m.payload + raw[at:]
    if m.kind == "overwrite-bytes":
        return raw[:at] + m.payload + raw[at + len(m.payload) :]
    if m.kind in {"wrong-value", "huge-string", "deep-nesting"}:
        colon = line.find(b":")
        head = line[: colon + 1] if colon >= 0 else line + b":"
        if m.kind == "wrong-value":
            value = m.payload
        elif m.kind == "huge-string":
            value = b"x" * m.amount
        else:
            value = nesting(m.payload.decode(), m.amount).encode()
        return raw[:start] + head + b" " + value + raw[end:]
    if m.kind == "unknown-key":
        indent = line[: len(line) - len(line.lstrip(b" "))]
        return raw[:start] + indent + m.payload + b": 1\n" + raw[start:]
    if m.kind == "replace-code":
        found = list(re.finditer(rb"(?<![\w.])[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)+(?![\w.])", raw))
        if not found:
            return raw
        match = found[int(m.position * len(found)) % len(found)]
        return raw[: match.start()] + m.payload + raw[match.end() :]
    if m.kind == "bom":
        return b"\xef\xbb\xbf" + raw
    if m.kind == "crlf":
        return raw.replace(b"\n", b"\r\n")
    if m.kind == "lone-cr":
        return raw.replace(b"\n", b"\r", 1)
    if m.kind == "latin-1":
        try:
            return raw.decode("utf-8").encode("latin-1", errors="replace")
        except UnicodeDecodeError:
            return raw
    if m.kind == "tab-indent":
        return re.sub(rb"(?m)^  ", b"\t", raw, count=1 + m.amount)
    if m.kind == "empty":
        return m.payload  # nothing, blanks, or a comment only
    raise AssertionError(f"unknown mutation {m.kind}")


def nesting(kind: str, depth: int) -> str:
    """A flow value nested ``depth`` levels deep."""
    if kind == "list":
        return "[" * depth + "]" * depth
    if kind == "map":
        return "{a: " * depth + "1" + "}" * depth
    if kind == "steps":
        return "[{text: x, steps: " * depth + "[]" + "}]" * depth
    if kind == "children":
        return "[{code: a, title: x, children: " * depth + "[]" + "}]" * depth
    raise AssertionError(kind)


_position = st.floats(0, 1, allow_nan=False, exclude_max=True)


def mutations(file_count: int) -> st.SearchStrategy[Mutation]:
    target = st.integers(0, max(0, file_count - 1))
    by_kind: list[st.SearchStrategy[Mutation]] = [
        st.builds(
            Mutation,
            st.sampled_from(["delete-line", "duplicate-line", "truncate"]),
            target,
            _position,
        ),
        st.builds(
            Mutation,
            st.just("indent"),
            target,
            _position,
            st.sampled_from([b"", b" ", b"   ", b"\t", b"  \t", b" " * 12]),
        ),
        st.builds(
            Mutation,
            st.sampled_from(["insert-bytes", "overwrite-bytes"]),
            target,
            _position,
            st.binary(min_size=1, max_size=16),
        ),
        st.builds(
            Mutation,
            st.just("insert-bytes"),
            target,
            _position,
            st.sampled_from(
                [
                    b"\x00",
                    b"\xff\xfe",
                    b"\xe9",
                    b"\xc3",
                    b"\r",
                    b"\xc2\x85",
                    b"\xe2\x80\xa8",
                    b"\t",
                    b"\x1b[31m",
                    b"&a ",
                    b"*a",
                    b"#",
                    b"\n---\n",
                    b"\n...\n",
                    b"%YAML 1.1\n",
                    b"\xef\xbb\xbf",
                ]
            ),
        ),
        st.builds(
            Mutation,
            st.just("wrong-value"),
            target,
            _position,
            st.sampled_from([v.encode() for v in WRONG_VALUES]),
        ),
        st.builds(
            Mutation,
            st.just("huge-string"),
            target,
            _position,
            st.just(b""),
            st.sampled_from([1_000, 100_000, 1_000_000]),
        ),
        st.builds(
            Mutation,
            st.just("deep-nesting"),
            target,
            _position,
            st.sampled_from([b"list", b"map", b"steps", b"children"]),
            st.sampled_from([13, 14, 50, 200]),
        ),
        st.builds(
            Mutation,
            st.just("deep-nesting"),
            target,
            _position,
            st.just(b"list"),
            st.sampled_from([1_000, 3_000]),
        ),
        st.builds(
            Mutation,
            st.just("unknown-key"),
            target,
            _position,
            st.sampled_from(
                [
                    b"zzz",
                    b"pilote",
                    b"objectif",
                    b"titre",
                    b"'1'",
                    b"null",
                    b"children",
                    b"steps",
                    b"code",
                ]
            ),
        ),
        st.builds(
            Mutation,
            st.just("replace-code"),
            target,
            _position,
            st.sampled_from([c.encode() for c in UNKNOWN_CODES]),
        ),
        st.builds(
            Mutation,
            st.sampled_from(["bom", "crlf", "lone-cr", "latin-1", "empty", "delete-file"]),
            target,
            _position,
            st.sampled_from([b"", b" \n", b"# comment only\n"]),
        ),
        st.builds(
            Mutation, st.just("tab-indent"), target, _position, st.just(b""), st.integers(0, 3)
        ),
        st.builds(
            Mutation,
            st.just("new-fiche"),
            target,
            _position,
            st.one_of(
                st.binary(max_size=200),
                st.sampled_from(
                    [
                        b"number: 1\ntitle: doublon\n",
                        b"- a\n- b\n",
                        b"number: 999\n",
                        b"x",
                        b"{{ 7*7 }}\n",
                        b"number: [1]\ntitle: {a: b}\n",
                    ]
                ),
            ),
            st.integers(0, 3),
        ),
    ]
    return st.one_of(by_kind)


# --------------------------------------------------------------------- data mutations


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*path, index))
    return out


_WRONG_DATA = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.builds(list),
    st.builds(dict),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(short_text(), st.integers(), max_size=2),
    short_text(),
    st.just("x" * 20_000),
    st.dates(),
    st.sampled_from(UNKNOWN_CODES),
    st.sampled_from(["2020/2021", "nouvelle?", "OUI!", "-5"]),
)


@st.composite
def data_mutated(draw: st.DrawFn, spec: PlanSpec) -> PlanSpec:
    """``spec`` with values at random places replaced, removed or added (wrong types,
    unknown keys and codes, duplicates)."""
    documents = [spec.plan, *spec.fiches.values()]
    for _ in range(draw(st.integers(1, 3))):
        document = draw(st.sampled_from(documents))
        paths = _paths(document)[1:]
        if not paths:
            continue
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add-key", "duplicate"]))
        if action == "replace":
            parent[path[-1]] = draw(_WRONG_DATA)
        elif action == "delete":
            del parent[path[-1]]
        elif action == "add-key" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["zzz", "Title", "pilote", "étapes", "1"]))] = 1
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(parent[path[-1]])
    if spec.fiches and draw(st.integers(0, 5)) == 0:
        name, fiche = next(iter(spec.fiches.items()))
        spec.fiches["99-copy.yaml"] = dict(fiche)  # same number twice
    return spec


@dataclass
class MutatedPlan:
    spec: PlanSpec
    mutations: list[Mutation]

    def write(self, root: Path) -> Path:
        write_plan(self.spec, root)
        files = self.spec.files()
        for mutation in self.mutations:
            mutation.apply(root, files)
        return root


@st.composite
def mutated_plans(draw: st.DrawFn) -> MutatedPlan:
    """A valid plan changed at random: in its data, in its text, in its bytes, or all."""
    spec = draw(plan_specs())
    how = draw(st.sampled_from(["text", "text", "data", "both"]))
    if how in {"data", "both"}:
        spec = draw(data_mutated(spec))
    changes = []
    if how in {"text", "both"}:
        changes = draw(st.lists(mutations(len(spec.files())), min_size=1, max_size=3))
    return MutatedPlan(spec, changes)
