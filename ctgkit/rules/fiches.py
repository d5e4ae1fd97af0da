"""Rules over fiches: objective references, numbers, links, years, the impact grid."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..diagnostics import Severity
from ..form import find_group, find_in_groups
from ..index import NodeInfo, PlanIndex
from ..loader import LoadedFiche
from ..model import fold
from ..source import SourceFile
from .context import Finding, PlanContext
from .registry import rule

E, W = Severity.ERROR, Severity.WARNING

#: fiche field -> the tree level its codes must be at (None: leaves)
CODE_FIELDS: dict[str, int | None] = {"axes": 0, "strategic_objectives": 1, "objectives": None}
#: fiche field -> its YAML key
KEYS = {"axes": "axes", "strategic_objectives": "objectifs_stratégiques", "objectives": "objectifs"}


@dataclass(frozen=True)
class Citation:
    fiche: LoadedFiche
    field: str
    position: int
    code: str

    @property
    def source(self) -> SourceFile:
        return self.fiche.source

    @property
    def key(self) -> str:
        return KEYS[self.field]

    @property
    def path(self) -> tuple[object, ...]:
        if self.field == "objectives":
            return (self.key, self.position, "code")
        return (self.key, self.position)


def citations(ctx: PlanContext) -> Iterator[Citation]:
    for loaded in ctx.plan.fiches:
        fiche = loaded.fiche
        for name in CODE_FIELDS:
            values = fiche.objectives if name == "objectives" else getattr(fiche, name)
            for position, value in enumerate(values):
                code = value.code if name == "objectives" else value
                yield Citation(loaded, name, position, code)


def suggest(index: PlanIndex, code: str, leaves_only: bool = False) -> str:
    """' (did you mean …?)' with the closest codes of the plan, or ''."""
    code = code.strip()
    infos = index.leaves if leaves_only else index.order
    first, last = code.split(".")[0], code.split(".")[-1]

    def score(candidate: str) -> float:
        # Similar spelling first; sharing the first and last segments breaks ties the way a
        # reader would (1.d -> 1.1.d or 1.2.d rather than 5.1.d).
        canonical = index.canonical(candidate)
        ratio = _difflib().SequenceMatcher(None, code, candidate, autojunk=False).ratio()
        bonus = 0.1 * (canonical.split(".")[0] == index.canonical(first))
        return ratio + bonus + 0.05 * (canonical.split(".")[-1] == last)

    scored = sorted(((score(info.code), info.code) for info in infos), key=lambda p: (-p[0], p[1]))
    close = [candidate for value, candidate in scored[:3] if value >= 0.6]
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


def _resolved(ctx: PlanContext, fiche: LoadedFiche, name: str) -> list[tuple[Citation, NodeInfo]]:
    """Citations of ``name`` in ``fiche`` that exist at the right level."""
    index = ctx.index
    wanted = CODE_FIELDS[name]
    out = []
    values = fiche.fiche.objectives if name == "objectives" else getattr(fiche.fiche, name)
    for position, value in enumerate(values):
        code = value.code if name == "objectives" else value
        info = index.get(code) if index.well_formed(code) else None
        if info is None:
            continue
        if (wanted is None and info.is_leaf) or info.level == wanted:
            out.append((Citation(fiche, name, position, code), info))
    return out


@rule("CTG021", "unknown-code", E, "A fiche cites a code that does not exist in the plan.")
def unknown_code(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: an axis, strategic objective or objective code, well formed, that no node of the
    strategy tree carries.
    Why: the action would count for no objective, and the plan's coverage would be wrong.
    Example: `objectives: [4.4.a]` in a plan whose axis 4 has three strategic objectives.
    """
    index = ctx.index
    for cite in citations(ctx):
        if index.well_formed(cite.code) and index.get(cite.code) is None:
            yield Finding(
                cite.source,
                cite.path,
                f"code '{cite.code}' does not exist in the plan"
                f"{suggest(index, cite.code, leaves_only=cite.field == 'objectives')}",
            )


@rule("CTG023", "wrong-level", E, "A code is cited in a field meant for another level.")
def wrong_level(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `objectives` must list leaf objectives (the level actions answer to), `axes` top-level
    codes and `strategic_objectives` second-level codes.
    Why: coverage counts leaves; an axis cited as an objective would hide which of its
    objectives the action really serves.
    """
    index = ctx.index
    for cite in citations(ctx):
        info = index.get(cite.code) if index.well_formed(cite.code) else None
        if info is None:
            continue
        wanted = CODE_FIELDS[cite.field]
        is_name = index.level_name(info.level)
        if wanted is None and not info.is_leaf:
            leaf_level = index.level_name(index.depth - 1)
            yield Finding(
                cite.source,
                cite.path,
                f"'{cite.code}' is a code of level '{is_name}'; `objectifs` lists "
                f"'{leaf_level}' codes (cite those under it)",
            )
        elif wanted is not None and info.level != wanted:
            yield Finding(
                cite.source,
                cite.path,
                f"'{cite.code}' is a code of level '{is_name}'; `{cite.key}` lists "
                f"'{index.level_name(wanted)}' codes",
            )


@rule(
    "CTG024",
    "inconsistent-declaration",
    E,
    "Declared axes or strategic objectives disagree with the objectives cited.",
)
def inconsistent_declaration(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: when a fiche declares axes (or strategic objectives), every one must have a cited
    objective under it, and every cited objective must sit under a declared one.
    Why: the form states the axis twice (as a header and through the codes); when they
    disagree, one of them is a mistake.
    Example: fiche 2 of Civraisien 2019 declares axis A.3 but cites 4.3.f and 4.3.g, which
    belong to axis A.4.
    """
    index = ctx.index
    for loaded in ctx.plan.fiches:
        leaves = _resolved(ctx, loaded, "objectives")
        for name in ("axes", "strategic_objectives"):
            level = CODE_FIELDS[name]
            assert level is not None
            declared = _resolved(ctx, loaded, name)
            if not declared:
                continue
            level_name = index.level_name(level)
            declared_keys = {index.canonical(info.code) for _, info in declared}
            cited_leaf_keys = {index.canonical(info.code) for _, info in leaves}
            for cite, info in declared:
                if leaves and not cited_leaf_keys & set(info.leaves):
                    yield Finding(
                        cite.source,
                        cite.path,
                        f"declares {level_name} {info.code} but cites no objective under it",
                    )
            # Cited objectives (and, for axes, declared strategic objectives) whose ancestor at
            # this level is not declared; one finding per missing ancestor.
            below: list[tuple[Citation, NodeInfo]] = list(leaves)
            if name == "axes":
                below += _resolved(ctx, loaded, "strategic_objectives")
            missing: dict[str, list[tuple[Citation, NodeInfo]]] = {}
            for cite, info in below:
                if len(info.ancestors) > level and info.ancestors[level] not in declared_keys:
                    missing.setdefault(info.ancestors[level], []).append((cite, info))
            for ancestor_key, cited in missing.items():
                ancestor = index.nodes[ancestor_key]
                codes = ", ".join(info.code for _, info in cited)
                first = cited[0][0]
                yield Finding(
                    first.source,
                    first.path,
                    f"{codes} belong{'s' if len(cited) == 1 else ''} to {level_name} "
                    f"{ancestor.code}, which the fiche does not declare in `{KEYS[name]}`",
                )


@rule("CTG025", "quoted-text-mismatch", E, "The text a fiche quotes is not its code's text.")
def quoted_text_mismatch(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a fiche cites `{code, text}` and the text is not the plan's title for that code.
    Why: the form repeats each objective's text next to its code; when they disagree, the code
    is usually the mistake, and the message names the objective whose text it is.
    Example: fiche 17 of Civraisien 2019 cites 5.2.f with the text of 5.1.g.
    """
    index = ctx.index
    folded_titles = [(info, fold(info.node.title or "")) for info in index.order]
    for loaded in ctx.plan.fiches:
        for position, ref in enumerate(loaded.fiche.objectives):
            if not ref.text or not index.well_formed(ref.code):
                continue
            info = index.get(ref.code)
            if info is None:
                continue
            quoted = fold(ref.text)
            if _similar(quoted, fold(info.node.title or "")):
                continue
            owner = next(
                (o for o, t in folded_titles if o is not info and _similar(quoted, t)), None
            )
            where = f"; it is the text of {owner.code}" if owner else ""
            yield Finding(
                loaded.source,
                ("objectifs", position, "texte"),
                f"the text quoted for {ref.code} is not that objective's text{where}",
            )


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    if shorter and shorter in longer and len(shorter) >= 0.8 * len(longer):
        return True
    return _difflib().SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85


@rule("CTG026", "no-objectives", W, "A fiche cites no objective.")
def no_objectives(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a fiche with an empty `objectives` list.
    Why: an action that serves no objective is outside the strategy; coverage lists it apart.
    """
    for loaded in ctx.plan.fiches:
        if not loaded.fiche.objectives:
            yield Finding(
                loaded.source, ("numéro",), f"fiche {loaded.fiche.number} cites no objective"
            )


@rule("CTG027", "duplicate-citation", W, "A fiche cites the same code twice.")
def duplicate_citation(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: the same objective (or axis) listed twice in one field of a fiche.
    Why: harmless for coverage, but usually a copy-paste slip hiding a code that was meant.
    """
    index = ctx.index
    seen: dict[tuple[int, str, str], Citation] = {}
    for cite in citations(ctx):
        key = (id(cite.fiche), cite.field, index.canonical(cite.code))
        if key in seen:
            yield Finding(cite.source, cite.path, f"'{cite.code}' is already cited in `{cite.key}`")
        else:
            seen[key] = cite


@rule("CTG030", "duplicate-fiche-number", E, "Two fiches have the same number.")
def duplicate_fiche_number(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: two files under fiches/ declare the same `number`.
    Why: fiches are cited, linked and listed by number.
    """
    first: dict[str, LoadedFiche] = {}
    for loaded in ctx.plan.fiches:
        number = loaded.fiche.number.strip()
        if number in first:
            yield Finding(
                loaded.source,
                ("numéro",),
                f"fiche number {number} is already used by {first[number].source.display}",
            )
        else:
            first[number] = loaded


@rule("CTG031", "unknown-linked-fiche", E, "A link points to a fiche that does not exist.")
def unknown_linked_fiche(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `linked_fiches` names a number no fiche of the plan has.
    Not reported while some fiche file of the plan cannot be read: the missing number may be
    that file's, and its own error is already reported.
    """
    if ctx.plan.fiche_files > len(ctx.plan.fiches):
        return
    numbers = {loaded.fiche.number.strip() for loaded in ctx.plan.fiches}
    for loaded in ctx.plan.fiches:
        for position, number in enumerate(loaded.fiche.linked_fiches):
            if number.strip() not in numbers:
                yield Finding(
                    loaded.source,
                    ("fiches_liées", position),
                    f"linked fiche {number} does not exist in this plan",
                )
            elif number.strip() == loaded.fiche.number.strip():
                yield Finding(loaded.source, ("fiches_liées", position), "a fiche links to itself")


@rule("CTG032", "unknown-programme", E, "A document link names a programme the plan lacks.")
def unknown_programme(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `documents[].programme` is not the `short_name` (or `name`) of one of the plan's
    `programmes`.
    Why: links to the CLS or the PCAET are rendered with the programme's full name.
    """
    meta = ctx.plan.meta
    assert meta is not None
    known = {fold(p.short_name or "") for p in meta.programmes} | {
        fold(p.name) for p in meta.programmes
    }
    for loaded in ctx.plan.fiches:
        for position, document in enumerate(loaded.fiche.documents):
            if document.programme and fold(document.programme) not in known:
                yield Finding(
                    loaded.source,
                    ("documents", position, "programme"),
                    f"programme '{document.programme}' is not declared in plan.yaml `programmes`",
                )


@rule("CTG040", "end-before-start", E, "A fiche ends before it starts.")
def end_before_start(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `fin` is earlier than `début` (a year, month or day: 2024-09 ends after 2024 starts).
    """
    for loaded in ctx.plan.fiches:
        fiche = loaded.fiche
        if fiche.start is None or fiche.end is None:
            continue
        if fiche.end.last_day() < fiche.start.first_day():
            yield Finding(
                loaded.source,
                ("fin",),
                f"fiche ends in {fiche.end}, before it starts in {fiche.start}",
            )


@rule("CTG041", "outside-period", W, "A fiche starts or ends outside the convention period.")
def outside_period(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `début` before the period's start, or `fin` after its end (plans without a period
    are not checked).
    Why: often true of real plans (an action planned beyond the convention), so a warning;
    worth a look when the period is renewed.
    """
    meta = ctx.plan.meta
    assert meta is not None
    period = meta.period
    if period is None:
        return
    for loaded in ctx.plan.fiches:
        fiche = loaded.fiche
        if fiche.start is not None and fiche.start.year < period.start:
            yield Finding(
                loaded.source,
                ("début",),
                f"starts in {fiche.start}, before the convention period "
                f"{period.start}-{period.end}",
            )
        if fiche.end is not None and fiche.end.year > period.end:
            yield Finding(
                loaded.source,
                ("fin",),
                f"ends in {fiche.end}, after the convention period {period.start}-{period.end}",
            )


@rule("CTG050", "unknown-choice", E, "A ticked item is not on the form's grid.")
def unknown_choice(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: under a grouped « choix multiples » field of the form (the impact grid of the
    Vienne 2019 form), a group or an item that the form does not print, or an item listed
    under another group than its own.
    Why: the grid is a controlled vocabulary; free labels cannot be compared or counted.
    Matching ignores case, accents and apostrophe style.
    """
    form = ctx.plan.form
    if form is None:
        return
    for form_field in form.fields:
        if form_field.kind != "choix multiples" or not form_field.groups:
            continue
        groups = [g for g, _ in form_field.groups]
        items = [item for _, values in form_field.groups for item in values]
        for loaded in ctx.plan.fiches:
            ticked = getattr(loaded.fiche, form_field.attr) or {}
            for group_label, labels in ticked.items():
                group = find_group(form_field, group_label)
                if group is None:
                    close = _difflib().get_close_matches(group_label, groups, n=1, cutoff=0.5)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    yield Finding(
                        loaded.source,
                        (form_field.key, group_label),
                        f"unknown group '{group_label}' in `{form_field.key}`{hint}",
                        key=True,
                    )
                    continue
                for position, label in enumerate(labels):
                    found = find_in_groups(form_field, label)
                    if found is None:
                        close = _difflib().get_close_matches(label, items, n=1, cutoff=0.5)
                        hint = f" (did you mean '{close[0]}'?)" if close else ""
                        yield Finding(
                            loaded.source,
                            (form_field.key, group_label, position),
                            f"'{label}' is not an item of `{form_field.key}`{hint}",
                        )
                    elif found[0] != group:
                        yield Finding(
                            loaded.source,
                            (form_field.key, group_label, position),
                            f"'{found[1]}' belongs to the group '{found[0]}', not '{group}'",
                        )


@rule("CTG033", "unknown-actor", W, "A pilote or partenaire is not in the plan's actors.")
def unknown_actor(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a name under `pilotes` or `partenaires` that is none of the names (nom, sigle,
    autres_noms) of the actors declared in plan.yaml `acteurs`. Plans without `acteurs` are
    not checked. Matching ignores case, accents and apostrophe style.
    Why: the actors index (`ctg actors`) groups fiches by actor; an unknown spelling would
    count as another actor.
    """
    registry = ctx.actors
    if not registry.declared:
        return
    for loaded in ctx.plan.fiches:
        for key, names in (
            ("pilotes", loaded.fiche.pilotes),
            ("partenaires", loaded.fiche.partners),
        ):
            for position, name in enumerate(names):
                if registry.find(name) is None:
                    close = registry.suggest(name)
                    hint = f" (did you mean '{close}'?)" if close else ""
                    yield Finding(
                        loaded.source,
                        (key, position),
                        f"'{name}' is not an actor of the plan (add it to `acteurs` in "
                        f"plan.yaml, or to the `autres_noms` of an actor){hint}",
                    )


def _difflib():  # noqa: ANN202  (imported on the error path only)
    import difflib

    return difflib


@rule("CTG034", "unknown-gap-field", E, "A fiche's lacune names a field its form does not have.")
def unknown_gap_field(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `lacunes[].champ` in a fiche is not the key of a field of the plan's form.
    Why: a lacune is printed with the field it concerns; a misspelt key would attach the note
    to nothing.
    Example: `lacunes: [{champ: impact, note: …}]` where the form's field is `impacts`.
    """
    form = ctx.plan.form
    if form is None:
        return
    keys = list(form.by_key)
    for loaded in ctx.plan.fiches:
        for position, gap in enumerate(loaded.fiche.gaps):
            if gap.field is not None and gap.field not in form.by_key:
                from ..loader import suggest_key

                close = suggest_key(gap.field, keys)
                hint = f" (did you mean '{close}'?)" if close else ""
                yield Finding(
                    loaded.source,
                    ("lacunes", position, "champ"),
                    f"'{gap.field}' is not a field of the form '{form.name}'{hint}",
                )
