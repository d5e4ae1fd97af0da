"""Rules over fiches: objective references, numbers, links, years, the impact grid."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..diagnostics import Severity
from ..form import find_group, find_in_groups, suggest_key
from ..i18n import _, ngettext
from ..index import NodeInfo, PlanIndex
from ..loader import LoadedFiche
from ..model import fold
from ..source import SourceFile
from .context import Finding, PlanContext, did_you_mean
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
        yield from fiche_citations(loaded)


def fiche_citations(loaded: LoadedFiche) -> Iterator[Citation]:
    fiche = loaded.fiche
    for name in CODE_FIELDS:
        values = fiche.objectives if name == "objectives" else getattr(fiche, name)
        for position, value in enumerate(values):
            code = value.code if name == "objectives" else value
            yield Citation(loaded, name, position, code)


def level_name(index: PlanIndex, level: int) -> str:
    """What the plan calls ``level`` (0 for the top), or « level 4 » past its `niveaux`."""
    if level < len(index.meta.levels):
        return index.level_name(level)
    return _("level {number}").format(number=level + 1)


def candidates(index: PlanIndex, field: str) -> list[NodeInfo]:
    """The nodes a code of ``field`` may name: leaves for objectives, else its level."""
    wanted = CODE_FIELDS[field]
    if wanted is None:
        return index.leaves
    return [info for info in index.order if info.level == wanted]


def cited_keys(index: PlanIndex, fiche: LoadedFiche) -> set[str]:
    """Canonical codes a fiche cites, in any field."""
    return {index.canonical(cite.code) for cite in fiche_citations(fiche)}


def close_to(index: PlanIndex, cite: Citation) -> list[str]:
    """The codes ``cite`` may be a slip for: at its field's level, not already cited."""
    return index.close_codes(
        cite.code, candidates(index, cite.field), exclude=cited_keys(index, cite.fiche)
    )


def suggest(index: PlanIndex, cite: Citation) -> str:
    """' (did you mean …?)' with the codes ``cite`` is close to, or ''."""
    return did_you_mean(close_to(index, cite))


def repeated(index: PlanIndex, cite: Citation) -> bool:
    """The same code was cited earlier in the same field (CTG027 reports that)."""
    earlier = (
        c
        for c in fiche_citations(cite.fiche)
        if c.field == cite.field and c.position < cite.position
    )
    key = index.canonical(cite.code)
    return any(index.canonical(c.code) == key for c in earlier)


@rule("CTG021", "unknown-code", E, "A fiche cites a code that does not exist in the plan.")
def unknown_code(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: an axis, strategic objective or objective code, well formed, that no node of the
    strategy tree carries.
    Why: the action would count for no objective, and the plan's coverage would be wrong.
    A code is suggested only when the one written is a slip for it (punctuation, swapped or
    missing characters), never a neighbour such as 3.2.c for 3.2.d.
    Example: `objectifs: [4.4.a]` in a plan whose axis 4 has three strategic objectives.
    """
    index = ctx.index
    for cite in citations(ctx):
        if index.well_formed(cite.code) and index.get(cite.code) is None:
            if repeated(index, cite):
                continue
            yield Finding(
                cite.source,
                cite.path,
                _("code '{code}' does not exist in the plan").format(code=cite.code)
                + suggest(index, cite),
            )


@rule("CTG023", "wrong-level", E, "A code is cited in a field meant for another level.")
def wrong_level(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `objectifs` must list leaf objectives (the level actions answer to), `axes` top-level
    codes and `objectifs_stratégiques` second-level codes.
    Why: coverage counts leaves; an axis cited as an objective would hide which of its
    objectives the action really serves.
    """
    index = ctx.index
    for cite in citations(ctx):
        info = index.get(cite.code)
        if info is None or repeated(index, cite):
            continue  # unknown (CTG020, CTG021), or said once already (CTG027)
        wanted = CODE_FIELDS[cite.field]
        is_name = level_name(index, info.level)
        if wanted is None and not info.is_leaf:
            yield Finding(
                cite.source,
                cite.path,
                _(
                    "'{code}' is a code of level '{level}'; `objectifs` lists '{leaf_level}' "
                    "codes (cite those under it)"
                ).format(
                    code=cite.code, level=is_name, leaf_level=level_name(index, index.depth - 1)
                ),
            )
        elif wanted is not None and info.level != wanted:
            yield Finding(
                cite.source,
                cite.path,
                _("'{code}' is a code of level '{level}'; `{key}` lists '{wanted}' codes").format(
                    code=cite.code, level=is_name, key=cite.key, wanted=level_name(index, wanted)
                ),
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
    disagree, one of them is a mistake. One mistake gives one error: a declared axis without
    objectives and the one undeclared axis of the objectives are reported together.
    Example: fiche 2 of Civraisien 2019 declares axis A.3 but cites 4.3.f and 4.3.g, which
    belong to axis A.4.
    """
    for loaded in ctx.plan.fiches:
        yield from _Declarations(ctx.index, loaded).findings()


class _Declarations:
    """The CTG024 check of one fiche, one finding per mistake.

    A declared code under which nothing is cited and cited objectives under an undeclared
    code are one mistake when they are the only two at that level (A.3 written for A.4): one
    finding, at the declared code. An objective whose axis is not declared is reported at the
    axis level only, not again for its strategic objective. What a code the fiche mistyped
    (unknown, malformed, of another level: reported by CTG020, CTG021, CTG023) might have
    meant is not reported again here.
    """

    def __init__(self, index: PlanIndex, loaded: LoadedFiche) -> None:
        self.index = index
        self.loaded = loaded
        self.cited = cited_keys(index, loaded)
        self.declared = {
            name: [
                (cite, index.get(cite.code))
                for cite in fiche_citations(loaded)
                if cite.field == name
            ]
            for name in CODE_FIELDS
        }
        self._meant: dict[tuple[str, int], list[NodeInfo] | None] = {}

    def _close(self, cite: Citation) -> list[NodeInfo] | None:
        """The nodes a citation naming no node may have meant; None: any node."""
        where = (cite.field, cite.position)
        if where not in self._meant:
            codes = self.index.close_codes(
                cite.code, candidates(self.index, cite.field), exclude=self.cited
            )
            nodes = [self.index.nodes[self.index.canonical(c)] for c in codes]
            self._meant[where] = nodes or None
        return self._meant[where]

    def _leaves(self) -> list[tuple[Citation, NodeInfo]]:
        return [(c, i) for c, i in self.declared["objectives"] if i is not None and i.is_leaf]

    def _serves(self, target: NodeInfo) -> bool:
        """Some citation of `objectifs` is, or may be once corrected, under ``target``."""
        key = self.index.canonical(target.code)
        for cite, info in self.declared["objectives"]:
            if info is None:
                close = self._close(cite)
                if close is None or any(key in node.ancestors for node in close):
                    return True
            elif info.is_leaf:
                if key in info.ancestors:
                    return True
            elif self.index.canonical(info.code) == key or key in info.ancestors:
                return True  # a code of another level: CTG023
            elif self.index.canonical(info.code) in target.ancestors:
                return True
        return False

    def _excused(self, name: str) -> tuple[bool, set[str]]:
        """What the mistyped codes of ``name`` may have meant: (anything, these codes)."""
        level = CODE_FIELDS[name]
        assert level is not None
        keys: set[str] = set()
        for cite, info in self.declared[name]:
            if info is None:
                close = self._close(cite)
                if close is None:
                    return True, keys
                keys |= {self.index.canonical(node.code) for node in close}
            elif info.level > level:
                keys.add(info.ancestors[level])
            elif info.level < level:
                here = self.index.canonical(info.code)
                keys |= {k for k, n in self.index.nodes.items() if here in n.ancestors}
        return False, keys

    def _at_level(self, name: str) -> list[tuple[Citation, NodeInfo]]:
        level = CODE_FIELDS[name]
        return [(c, i) for c, i in self.declared[name] if i is not None and i.level == level]

    def findings(self) -> Iterator[Finding]:
        index = self.index
        leaves = self._leaves()
        axes = self._at_level("axes")
        strategic = self._at_level("strategic_objectives")
        cites = bool(self.declared["objectives"])  # without any, CTG026 says it once
        unserved_strategic = [(c, i) for c, i in strategic if cites and not self._serves(i)]
        unserved_keys = {index.canonical(i.code) for _, i in unserved_strategic}
        reported_axes: set[str] = set()
        if axes:
            # Objectives, and declared strategic objectives (unless unserved: reported below),
            # under an axis the fiche does not declare.
            below = leaves + [
                (c, i) for c, i in strategic if index.canonical(i.code) not in unserved_keys
            ]
            unserved_axes = [(c, i) for c, i in axes if cites and not self._serves(i)]
            reported_axes = {index.canonical(i.code) for _, i in unserved_axes}
            yield from self._level("axes", unserved_axes, below)
        if strategic:
            # An objective whose axis is not declared was reported at the axis level.
            declared_axes = {index.canonical(i.code) for _, i in axes}
            below = [
                (c, i)
                for c, i in leaves
                if not axes or (i.ancestors and i.ancestors[0] in declared_axes)
            ]
            unserved = [
                (c, i)
                for c, i in unserved_strategic
                if not (i.ancestors and i.ancestors[0] in reported_axes)
            ]
            yield from self._level("strategic_objectives", unserved, below)

    def _level(
        self,
        name: str,
        unserved: list[tuple[Citation, NodeInfo]],
        below: list[tuple[Citation, NodeInfo]],
    ) -> Iterator[Finding]:
        index = self.index
        level = CODE_FIELDS[name]
        assert level is not None
        name_of_level = level_name(index, level)
        declared_keys = {index.canonical(i.code) for _, i in self._at_level(name)}
        anything, excused = self._excused(name)
        missing: dict[str, list[tuple[Citation, NodeInfo]]] = {}
        if not anything:
            for cite, info in below:
                if len(info.ancestors) > level:
                    ancestor = info.ancestors[level]
                    if ancestor not in declared_keys and ancestor not in excused:
                        missing.setdefault(ancestor, []).append((cite, info))
        if len(unserved) == 1 and len(missing) == 1:
            # One mistake: the declared code was written for the one that is missing.
            cite, info = unserved[0]
            ((ancestor_key, cited),) = missing.items()
            yield Finding(
                cite.source,
                cite.path,
                ngettext(
                    "declares {level} {code} but cites no objective under it; {codes} belongs "
                    "to {level} {ancestor}, which it does not declare (did you mean "
                    "'{ancestor}'?)",
                    "declares {level} {code} but cites no objective under it; {codes} belong "
                    "to {level} {ancestor}, which it does not declare (did you mean "
                    "'{ancestor}'?)",
                    len(cited),
                ).format(
                    level=name_of_level,
                    code=info.code,
                    codes=", ".join(i.code for _, i in cited),
                    ancestor=index.nodes[ancestor_key].code,
                ),
            )
            return
        for cite, info in unserved:
            yield Finding(
                cite.source,
                cite.path,
                _("declares {level} {code} but cites no objective under it").format(
                    level=name_of_level, code=info.code
                ),
            )
        for ancestor_key, cited in missing.items():
            first = cited[0][0]
            yield Finding(
                first.source,
                first.path,
                ngettext(
                    "{codes} belongs to {level} {ancestor}, which the fiche does not declare "
                    "in `{key}`",
                    "{codes} belong to {level} {ancestor}, which the fiche does not declare "
                    "in `{key}`",
                    len(cited),
                ).format(
                    codes=", ".join(i.code for _, i in cited),
                    level=name_of_level,
                    ancestor=index.nodes[ancestor_key].code,
                    key=KEYS[name],
                ),
            )


@rule("CTG025", "quoted-text-mismatch", E, "The text a fiche quotes is not its code's text.")
def quoted_text_mismatch(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: a fiche cites `{code, texte}` and the text is not the plan's title for that code.
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
            if owner is None:
                message = _("the text quoted for {code} is not that objective's text").format(
                    code=ref.code
                )
            else:
                message = _(
                    "the text quoted for {code} is not that objective's text; "
                    "it is the text of {owner}"
                ).format(code=ref.code, owner=owner.code)
            yield Finding(loaded.source, ("objectifs", position, "texte"), message)


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
    What: a fiche with an empty `objectifs` list.
    Why: an action that serves no objective is outside the strategy; coverage lists it apart.
    Not reported when `objectifs` is there but could not be read: its own error says why.
    """
    for loaded in ctx.plan.fiches:
        if loaded.fiche.objectives:
            continue
        data = loaded.source.data
        if isinstance(data, dict) and data.get("objectifs"):
            continue  # written, but invalid: CTG010/CTG011 already report it
        yield Finding(
            loaded.source,
            ("numéro",),
            _("fiche {number} cites no objective").format(number=loaded.fiche.number),
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
            yield Finding(
                cite.source,
                cite.path,
                _("'{code}' is already cited in `{key}`").format(code=cite.code, key=cite.key),
            )
        else:
            seen[key] = cite


@rule("CTG030", "duplicate-fiche-number", E, "Two fiches have the same number.")
def duplicate_fiche_number(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: two files under fiches/ declare the same `numéro`.
    Why: fiches are cited, linked and listed by number.
    """
    first: dict[str, LoadedFiche] = {}
    for loaded in ctx.plan.fiches:
        number = loaded.fiche.number.strip()
        if number in first:
            yield Finding(
                loaded.source,
                ("numéro",),
                _("fiche number {number} is already used by {file}").format(
                    number=number, file=first[number].source.display
                ),
            )
        else:
            first[number] = loaded


@rule("CTG031", "unknown-linked-fiche", E, "A link points to a fiche that does not exist.")
def unknown_linked_fiche(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `fiches_liées` names a number no fiche of the plan has.
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
                    _("linked fiche {number} does not exist in this plan").format(number=number),
                )
            elif number.strip() == loaded.fiche.number.strip():
                yield Finding(
                    loaded.source, ("fiches_liées", position), _("a fiche links to itself")
                )


@rule("CTG032", "unknown-programme", E, "A document link names a programme the plan lacks.")
def unknown_programme(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `documents[].programme` is not the `sigle` (or `nom`) of one of the plan's
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
                    _("programme '{programme}' is not declared in plan.yaml `programmes`").format(
                        programme=document.programme
                    ),
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
                _("fiche ends in {end}, before it starts in {start}").format(
                    end=fiche.end, start=fiche.start
                ),
            )


@rule("CTG041", "outside-period", W, "A fiche starts or ends outside the convention period.")
def outside_period(ctx: PlanContext) -> Iterator[Finding]:
    """
    What: `début` before the period's start, or `fin` after its end (plans without a period,
    or whose period ends before it starts, are not checked).
    Why: often true of real plans (an action planned beyond the convention), so a warning;
    worth a look when the period is renewed.
    """
    meta = ctx.plan.meta
    assert meta is not None
    period = meta.period
    if period is None or period.end < period.start:
        return  # no period, or one that ends before it starts (CTG042)
    for loaded in ctx.plan.fiches:
        fiche = loaded.fiche
        if fiche.start is not None and fiche.start.year < period.start:
            yield Finding(
                loaded.source,
                ("début",),
                _("starts in {start}, before the convention period {first}-{last}").format(
                    start=fiche.start, first=period.start, last=period.end
                ),
            )
        if fiche.end is not None and fiche.end.year > period.end:
            yield Finding(
                loaded.source,
                ("fin",),
                _("ends in {end}, after the convention period {first}-{last}").format(
                    end=fiche.end, first=period.start, last=period.end
                ),
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
        groups = [g for g, _items in form_field.groups]
        items = [item for _group, values in form_field.groups for item in values]
        for loaded in ctx.plan.fiches:
            ticked = getattr(loaded.fiche, form_field.attr) or {}
            # Never propose a group or an item the fiche already has.
            present = {fold(g) for g in ticked}
            chosen = {fold(label) for labels in ticked.values() for label in labels}
            for group_label, labels in ticked.items():
                group = find_group(form_field, group_label)
                if group is None:
                    close = _close_label(group_label, groups, present)
                    yield Finding(
                        loaded.source,
                        (form_field.key, group_label),
                        _("unknown group '{group}' in `{key}`").format(
                            group=group_label, key=form_field.key
                        )
                        + did_you_mean(close),
                        key=True,
                    )
                    continue
                for position, label in enumerate(labels):
                    found = find_in_groups(form_field, label)
                    if found is None:
                        close = _close_label(label, items, chosen)
                        yield Finding(
                            loaded.source,
                            (form_field.key, group_label, position),
                            _("'{item}' is not an item of `{key}`").format(
                                item=label, key=form_field.key
                            )
                            + did_you_mean(close),
                        )
                    elif found[0] != group:
                        yield Finding(
                            loaded.source,
                            (form_field.key, group_label, position),
                            _("'{item}' belongs to the group '{group}', not '{other}'").format(
                                item=found[1], group=found[0], other=group
                            ),
                        )


def _close_label(typed: str, labels: list[str], exclude: set[str]) -> list[str]:
    """The one label of a grid ``typed`` is close to (case and accents aside), or none."""
    folded = {fold(label): label for label in labels if fold(label) not in exclude}
    close = _difflib().get_close_matches(fold(typed), list(folded), n=1, cutoff=0.75)
    return [folded[close[0]]] if close else []


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
            named = [registry.find(name) for name in names]
            for position, name in enumerate(names):
                if named[position] is None:
                    # Never propose an actor the list already names.
                    close = registry.suggest(name, exclude=[a for a in named if a is not None])
                    yield Finding(
                        loaded.source,
                        (key, position),
                        _(
                            "'{name}' is not an actor of the plan (add it to `acteurs` in "
                            "plan.yaml, or to the `autres_noms` of an actor)"
                        ).format(name=name)
                        + did_you_mean([close] if close else []),
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
                close = suggest_key(gap.field, keys)
                yield Finding(
                    loaded.source,
                    ("lacunes", position, "champ"),
                    _("'{field}' is not a field of the form '{form}'").format(
                        field=gap.field, form=form.name
                    )
                    + did_you_mean([close] if close else []),
                )
