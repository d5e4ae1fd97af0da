"""Follow-up campaigns (``ctg campaign``): one workbook per pilote, and back into the plan.

Once a year the coordination asks each pilote « où en est votre fiche ? ». ``build`` makes
the campaign of a year as data: one :class:`Recipient` per pilote (actors grouped through
the plan's registry, so that « Mille Bulles » and « Association Mille Bulles » get one
workbook), holding only the fiches it pilots, their latest status and their indicators with
this year's target, with empty columns to fill; the fiches without a pilote go to one more
workbook for the coordination. ``write`` writes the workbooks and the manifest
``campagne.json`` all together, or nothing.

Each workbook carries a hidden sheet (``_ctg``) saying which plan, year, date and actor it
was made for, what was sent (fiches and indicators) and a fingerprint of it: returned files
are recognised by it whatever their name (:func:`is_campaign_workbook`, the layout in
:mod:`ctgkit.campaign_layout`). :func:`merge` (from :mod:`ctgkit.campaign_merge`) reads
them back into dated ``suivi`` entries and ``mesures``.

The workbooks are French, like every document ctg produces, whatever the language of its
messages; two campaigns of the same plan with the same options are the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .actors import actors as plan_actors
from .campaign_layout import (
    ACHIEVEMENTS,
    BASELINE,
    DATE,
    DIFFICULTIES,
    DIRECTION,
    FICHE,
    FICHE_CONTEXT,
    FICHE_FILL,
    FINAL_TARGET,
    HIDDEN_SHEET,
    INDICATORS_SHEET,
    LABEL,
    LAST_DATE,
    LAST_MEASURE,
    LAST_PROGRESS,
    LAST_STATUS,
    MANIFEST,
    MARKER,
    MEASURE_DATE,
    MEASURE_NOTE,
    NEXT_STEPS,
    NO_PILOT_FILE,
    NOTE,
    OTHER_PILOTS,
    PERIOD,
    POSITION,
    PROGRESS,
    README_SHEET,
    RESPONDENT,
    SOURCE,
    STAMP_VERSION,
    STATUS,
    TITLE,
    UNIT,
    SentFiche,
    SentIndicator,
    expects_number,
    fingerprint,
    follow_up_sheet,
    indicator_context,
    indicator_fill,
    is_campaign_workbook,
    value_column,
)
from .campaign_merge import CampaignMerge, Conflict, merge
from .card import number as french_number
from .coverage_model import natural_key
from .export import LINE_HEIGHT as _LINE_HEIGHT
from .export import _cell_text, _height, _number_value, _set
from .fsutil import deterministic_archive
from .i18n import _, ngettext
from .loader import Plan
from .model import FOLLOW_UP_STATUSES, fold
from .rules.suivi import GRACE_YEARS, latest_entry
from .suivi import default_year

__all__ = [
    "Campaign",
    "CampaignError",
    "CampaignExistsError",
    "CampaignMerge",
    "Conflict",
    "Recipient",
    "build",
    "is_campaign_workbook",
    "merge",
    "summary",
    "workbook_bytes",
    "write",
]


class CampaignError(ValueError):
    """A campaign that cannot be made as asked (a year outside the period, a date outside
    the year, a plan without fiches): a usage error."""


class CampaignExistsError(FileExistsError):
    """The output folder already holds a campaign (its manifest) or a file a workbook
    would replace; ``filename`` is that file."""


# --------------------------------------------------------------------------- data


@dataclass
class Recipient:
    """One workbook of a campaign: the actor it goes to and what it holds."""

    file: str
    actor: str | None  # None: the fiches without a pilote
    short_name: str | None
    declared: bool  # in the plan's actor registry
    fiches: list[SentFiche]
    indicators: list[SentIndicator]
    fiche_rows: list[list[Any]] = field(default_factory=list)
    indicator_rows: list[list[Any]] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)  # by indicator row
    fingerprint: str = ""

    @property
    def display(self) -> str:
        """« Communauté de Communes du Val d'Essai (CCVE) »."""
        if self.actor is None:
            return _("the fiches without a pilot")
        return f"{self.actor} ({self.short_name})" if self.short_name else self.actor


@dataclass
class Campaign:
    slug: str
    title: str
    year: int
    date: dt.date
    recipients: list[Recipient]

    @property
    def undeclared(self) -> list[Recipient]:
        """Pilotes named by fiches but absent from the plan's actor registry."""
        return [r for r in self.recipients if r.actor is not None and not r.declared]

    def manifest(self) -> dict[str, Any]:
        """The manifest ``campagne.json``: what was sent, to whom (keys in English)."""
        return {
            "plan": self.slug,
            "title": self.title,
            "year": self.year,
            "date": self.date.isoformat(),
            "workbooks": [
                {
                    "file": r.file,
                    "actor": r.actor,
                    "fiches": [{"number": f.number, "file": f.file} for f in r.fiches],
                    "indicators": [
                        {"fiche": i.fiche, "position": i.position, "label": i.label}
                        for i in r.indicators
                    ],
                    "fingerprint": r.fingerprint,
                }
                for r in self.recipients
            ],
        }

    def manifest_text(self) -> str:
        return json.dumps(self.manifest(), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- building


def campaign_date(year: int, today: dt.date) -> dt.date:
    """The date prefilled in the workbooks when none is given: today during the year, the
    31st of December for a past year, the 1st of January for a year to come."""
    if today.year == year:
        return today
    return dt.date(year, 12, 31) if today.year > year else dt.date(year, 1, 1)


def build(
    plan: Plan,
    year: int | None = None,
    date: dt.date | None = None,
    today: dt.date | None = None,
) -> Campaign:
    """The campaign of ``plan`` (loaded, without errors) for ``year`` (default: this year,
    within the plan's period; or the year of ``date``), the update dated ``date`` (default:
    :func:`campaign_date`). Raises :class:`CampaignError`."""
    meta = plan.meta
    if meta is None or plan.form is None:
        raise CampaignError(_("{path}: the plan could not be loaded").format(path=plan.root))
    today = today or dt.date.today()
    if year is None:
        year = date.year if date is not None else default_year(plan, today)
    if date is None:
        date = campaign_date(year, today)
    if date.year != year:
        raise CampaignError(
            _("the date of the update {date} is not in {year}, the year of the campaign").format(
                date=date.isoformat(), year=year
            )
        )
    period = meta.period
    if period is not None and not period.start <= year <= period.end + GRACE_YEARS:
        raise CampaignError(
            _(
                "{year} is outside the period of the plan ({start}-{end}, and one year after): "
                "its follow-up entries would be refused (CTG060)"
            ).format(year=year, start=period.start, end=period.end)
        )
    fiches = sorted(plan.fiches, key=lambda loaded: natural_key(loaded.fiche.number))
    if not fiches:
        raise CampaignError(_("the plan has no fiche: there is nothing to ask the pilots"))
    by_number = {loaded.fiche.number.strip(): loaded for loaded in fiches}
    index = plan_actors(plan)
    from .index import ActorRegistry

    registry = ActorRegistry(meta.actors)
    rows = [row for row in index.actors if row.pilots]
    recipients: list[Recipient] = []
    used: set[str] = {NO_PILOT_FILE[: -len(".xlsx")], fold(MANIFEST)}
    for row in rows:
        name = _file_stem(row.name, used, row.short_name)
        recipients.append(
            _recipient(
                plan,
                f"{name}.xlsx",
                row.name,
                row.short_name,
                row.declared,
                [by_number[n.strip()] for n in row.pilots if n.strip() in by_number],
                registry,
                year,
                date,
            )
        )
    unpiloted = [loaded for loaded in fiches if not loaded.fiche.pilotes]
    if unpiloted:
        recipients.append(
            _recipient(plan, NO_PILOT_FILE, None, None, True, unpiloted, registry, year, date)
        )
    return Campaign(plan.slug, " ".join(meta.title.split()), year, date, recipients)


def _file_stem(name: str, used: set[str], short_name: str | None = None) -> str:
    """A file name for an actor: ASCII, lower case, words joined by « - », at most 60
    characters (a longer name gives way to the actor's short name, else is cut between
    words), unique among ``used`` (which it joins)."""
    words = [w for w in re.split(r"[^a-z0-9]+", fold(name)) if w]
    if len("-".join(words)) > 60 and short_name:
        short = [w for w in re.split(r"[^a-z0-9]+", fold(short_name)) if w]
        words = short or words
    stem = ""
    for word in words:
        if len(stem) + len(word) + 1 > 60:
            break
        stem = f"{stem}-{word}" if stem else word
    stem = stem or (words[0][:60] if words else "") or "pilote"
    candidate, n = stem, 1
    while candidate in used:
        n += 1
        candidate = f"{stem}-{n}"
    used.add(candidate)
    return candidate


def _recipient(
    plan: Plan,
    file: str,
    actor: str | None,
    short_name: str | None,
    declared: bool,
    fiches: list[Any],
    registry: Any,
    year: int,
    date: dt.date,
) -> Recipient:
    sent_fiches: list[SentFiche] = []
    sent_indicators: list[SentIndicator] = []
    fiche_rows: list[list[Any]] = []
    indicator_rows: list[list[Any]] = []
    numeric: list[bool] = []
    me = registry.find(actor) if actor else None
    for loaded in fiches:
        fiche = loaded.fiche
        number = _cell_text(fiche.number.strip())
        relative = loaded.source.path.resolve().relative_to(plan.root.resolve()).as_posix()
        sent_fiches.append(SentFiche(number, _cell_text(relative)))
        others = []
        for name in fiche.pilotes:
            found = registry.find(name)
            same = (found is not None and found is me) or (
                found is None and actor is not None and fold(name) == fold(actor)
            )
            if not same:
                shown = found.name if found is not None else " ".join(name.split())
                if shown not in others:
                    others.append(shown)
        latest = latest_entry(fiche)
        entry = latest[1] if latest else None
        fiche_rows.append(
            [
                number,
                " ".join(fiche.title.split()),
                _period(fiche),
                ", ".join(others) or None,
                entry.status if entry else "aucun suivi",
                entry.date.iso() if entry else None,
                _number_value(entry.progress) if entry and entry.progress is not None else None,
                date,
            ]
        )
        for position, indicator in enumerate(getattr(fiche, "indicators", []) or [], start=1):
            label = _cell_text(" ".join(indicator.label.split()))
            sent_indicators.append(SentIndicator(number, position, label))
            numeric.append(expects_number(indicator))
            indicator_rows.append(
                [
                    number,
                    position,
                    label,
                    indicator.unit,
                    indicator.direction,
                    _dated(indicator.baseline, indicator.baseline_date),
                    _number_value(indicator.targets.get(year)),
                    _final_target(indicator),
                    _last_measure(indicator),
                ]
            )
    recipient = Recipient(
        file,
        actor,
        short_name,
        declared,
        sent_fiches,
        sent_indicators,
        fiche_rows,
        indicator_rows,
        numeric,
    )
    recipient.fingerprint = fingerprint(  # of the texts as the hidden sheet holds them
        _cell_text(plan.slug),
        year,
        date.isoformat(),
        _cell_text(actor) if actor else None,
        sent_fiches,
        sent_indicators,
    )
    return recipient


def _period(fiche: Any) -> str | None:
    start, end = getattr(fiche, "start", None), getattr(fiche, "end", None)
    if start and end:
        return f"{start.iso()} – {end.iso()}"
    if start:
        return f"à partir de {start.iso()}"
    if end:
        return f"jusqu'en {end.iso()}"
    return None


def _shown(value: Any) -> str:
    return french_number(value) if isinstance(value, int | float) else str(value)


def _dated(value: Any, date: Any) -> str | None:
    if value is None:
        return None
    return f"{_shown(value)} ({date.iso()})" if date else _shown(value)


def _final_target(indicator: Any) -> Any:
    if indicator.target is not None:
        return _number_value(indicator.target)
    if indicator.targets:
        last = max(indicator.targets)
        return f"{_shown(indicator.targets[last])} ({last})"
    return None


def _last_measure(indicator: Any) -> str | None:
    best = None
    for position, measure in enumerate(indicator.measurements):
        key = (measure.date.first_day(), position)
        if best is None or key >= best[0]:
            best = (key, measure)
    if best is None:
        return None
    measure = best[1]
    return f"{_shown(measure.value)} ({measure.date.iso()})"


# --------------------------------------------------------------------------- workbook

_GREY_HEADER, _GREY = "D9D9D9", "F2F2F2"
_README_WIDTH = 100
_FILL_HEADER = "FFE699"
_WIDTHS = {
    FICHE: 7,
    TITLE: 40,
    PERIOD: 14,
    OTHER_PILOTS: 22,
    LAST_STATUS: 13,
    LAST_DATE: 13,
    LAST_PROGRESS: 12,
    DATE: 13,
    STATUS: 14,
    PROGRESS: 12,
    ACHIEVEMENTS: 40,
    DIFFICULTIES: 36,
    NEXT_STEPS: 36,
    NOTE: 30,
    RESPONDENT: 22,
    POSITION: 5,
    LABEL: 40,
    UNIT: 12,
    DIRECTION: 9,
    BASELINE: 16,
    FINAL_TARGET: 13,
    LAST_MEASURE: 18,
    MEASURE_DATE: 14,
    SOURCE: 22,
}


def workbook_bytes(campaign: Campaign, recipient: Recipient) -> bytes:
    """The .xlsx file sent to ``recipient``; the same campaign gives the same bytes."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _readme_sheet(book, campaign, recipient)
    _table_sheet(
        book,
        follow_up_sheet(campaign.year),
        FICHE_CONTEXT,
        FICHE_FILL,
        recipient.fiche_rows,
        freeze="C2",
    )
    _fiche_validations(book[follow_up_sheet(campaign.year)], len(recipient.fiche_rows))
    year = campaign.year
    _table_sheet(
        book,
        INDICATORS_SHEET,
        indicator_context(year),
        indicator_fill(year),
        recipient.indicator_rows,
        freeze="D2",
    )
    _indicator_validations(book[INDICATORS_SHEET], recipient.numeric, year)
    _hidden_sheet(book, campaign, recipient)
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return deterministic_archive(buffer.getvalue())


def _readme_sheet(book: Any, campaign: Campaign, recipient: Recipient) -> None:
    from openpyxl.styles import Alignment, Font

    year = campaign.year
    sheet = follow_up_sheet(year)
    sent = [f.number for f in recipient.fiches]
    numbers = f"{', '.join(sent[:-1])} et {sent[-1]}" if len(sent) > 1 else sent[0]
    if recipient.actor is None:
        to = (
            "Destinataire : la coordination de la CTG. Ces fiches n'ont pas de pilote dans le "
            f"plan (n° {numbers}) : remplissez-les, ou faites-les remplir par qui les suit."
        )
    else:
        which = f"des fiches {numbers}" if len(recipient.fiches) > 1 else f"de la fiche {numbers}"
        to = f"Destinataire : {recipient.display}, pilote {which}."
    lines: list[tuple[str, str]] = [
        ("title", f"Campagne de suivi {year} — {campaign.title}"),
        ("", to),
        (
            "",
            "La coordination de la Convention Territoriale Globale (CTG) fait le point sur "
            "l'avancement des fiches actions et sur leurs indicateurs. Ce classeur contient "
            "seulement les fiches que vous pilotez. Merci de le remplir et de le renvoyer.",
        ),
        ("", ""),
        ("head", f"1. La feuille « {sheet} » : une ligne par fiche"),
        (
            "",
            "Les colonnes grises rappellent où en était la fiche (titre, période, dernier "
            "point connu) : ne les modifiez pas. Remplissez les colonnes à en-tête jaune :",
        ),
        (
            "",
            f"• {DATE} : déjà remplie avec la date de la campagne "
            f"({campaign.date.strftime('%d/%m/%Y')}) ; changez-la si votre point date d'un "
            "autre jour (jj/mm/aaaa).",
        ),
        (
            "",
            f"• {STATUS} (obligatoire pour répondre) : choisissez dans la liste : "
            + ", ".join(FOLLOW_UP_STATUSES)
            + ".",
        ),
        ("", f"• {PROGRESS} : un nombre entier de 0 à 100."),
        (
            "",
            f"• {ACHIEVEMENTS}, {DIFFICULTIES}, {NEXT_STEPS}, {NOTE} : quelques phrases, "
            "autant que nécessaire (Alt+Entrée pour aller à la ligne dans une cellule).",
        ),
        ("", f"• {RESPONDENT} : le nom de la personne qui répond."),
        (
            "",
            "Rien à dire sur une fiche ? Laissez sa ligne vide : la date seule ne compte pas "
            "comme une réponse.",
        ),
        ("", ""),
        ("head", f"2. La feuille « {INDICATORS_SHEET} » : une ligne par indicateur"),
        (
            "",
            f"Les colonnes grises donnent l'indicateur, sa valeur de référence, sa cible {year}, "
            "sa cible finale et sa dernière mesure connue. Remplissez :",
        ),
        (
            "",
            f"• {value_column(year)} : la valeur mesurée, un nombre (virgule décimale acceptée : "
            "12,5), ou quelques mots pour un indicateur qualitatif.",
        ),
        (
            "",
            f"• {MEASURE_DATE} (facultative) : sans date, la mesure est datée de l'année {year}.",
        ),
        ("", f"• {SOURCE}, {MEASURE_NOTE} : d'où vient la valeur, une remarque."),
        ("", "Un indicateur que vous ne suivez pas : laissez sa ligne vide."),
        ("", ""),
        ("head", "3. Renvoyer le classeur"),
        (
            "",
            "Enregistrez-le au format Excel (.xlsx) et renvoyez-le à la coordination. Vous "
            "pouvez renommer le fichier. Ne supprimez et ne renommez aucune feuille, "
            "n'ajoutez pas de colonne, ne fusionnez pas de cellules et n'écrivez pas de "
            "formule : seules les valeurs sont lues. Une feuille masquée permet à la "
            "coordination de reconnaître le classeur : ne la supprimez pas.",
        ),
        (
            "",
            "Une fiche qui a plusieurs pilotes est envoyée à chacun d'eux : si vos réponses "
            "diffèrent, la coordination vous recontactera avant de les reporter.",
        ),
    ]
    ws = book.create_sheet(README_SHEET)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, (kind, text) in enumerate(lines, start=1):
        if not text:
            continue
        cell = ws.cell(row=r, column=1)
        _set(cell, text)
        cell.alignment = wrap
        if kind == "title":
            cell.font = Font(bold=True, size=14)
            ws.row_dimensions[r].height = 2 * _LINE_HEIGHT
        elif kind == "head":
            cell.font = Font(bold=True)
        else:
            ws.row_dimensions[r].height = _height([text], [_README_WIDTH * 0.95])
    ws.column_dimensions["A"].width = _README_WIDTH


def _table_sheet(
    book: Any,
    name: str,
    context: tuple[str, ...],
    fill_columns: tuple[str, ...],
    rows: list[list[Any]],
    freeze: str,
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(name)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    grey_header = PatternFill("solid", fgColor=_GREY_HEADER)
    grey = PatternFill("solid", fgColor=_GREY)
    yellow = PatternFill("solid", fgColor=_FILL_HEADER)
    headers = [*context, *fill_columns]
    for c, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=c)
        _set(cell, header)
        cell.font = bold
        cell.alignment = wrap
        cell.fill = grey_header if c <= len(context) else yellow
        width = _WIDTHS.get(header, 14)
        ws.column_dimensions[get_column_letter(c)].width = width
    widths = [_WIDTHS.get(header, 14) for header in headers]
    ws.row_dimensions[1].height = _height(headers, widths, bold=True)
    for r, values in enumerate(rows, start=2):
        for c in range(1, len(headers) + 1):
            value = values[c - 1] if c - 1 < len(values) else None
            cell = ws.cell(row=r, column=c)
            cell.alignment = wrap
            if c <= len(context):
                cell.fill = grey
            if value is None:
                continue
            if isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "DD/MM/YYYY"
            else:
                _set(cell, value)
        shown = [str(v) if v is not None and not isinstance(v, dt.date) else "" for v in values]
        ws.row_dimensions[r].height = _height(shown, widths, least=2)
    ws.freeze_panes = freeze
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{max(len(rows), 1) + 1}"


#: Points of height per line of text, and the most a row may have (Excel's limit is 409).
def _column(headers: tuple[str, ...], name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(headers.index(name) + 1)


def _validation(
    kind: str,
    formulas: tuple[str, ...],
    title: str,
    error: str,
    *,
    operator: str | None = None,
    warning: bool = False,
    prompt: str | None = None,
) -> Any:
    """A cell check of the workbook (blank allowed): ``error`` refuses a wrong value, or
    only warns with ``warning``; ``prompt`` is shown when the cell is selected."""
    from openpyxl.worksheet.datavalidation import DataValidation

    return DataValidation(
        type=kind,
        operator=operator,
        formula1=formulas[0],
        formula2=formulas[1] if len(formulas) > 1 else None,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning" if warning else None,
        errorTitle=title,
        error=error,
        showInputMessage=prompt is not None,
        promptTitle=title if prompt is not None else None,
        prompt=prompt,
    )


def _fiche_validations(ws: Any, rows: int) -> None:
    if not rows:
        return
    headers = FICHE_CONTEXT + FICHE_FILL
    checks = {
        STATUS: _validation(
            "list",
            ('"' + ",".join(FOLLOW_UP_STATUSES) + '"',),
            "Statut",
            "Choisissez un statut dans la liste : " + ", ".join(FOLLOW_UP_STATUSES) + ".",
            prompt="Où en est la fiche ? Choisissez dans la liste.",
        ),
        PROGRESS: _validation(
            "whole",
            ("0", "100"),
            "Avancement",
            "L'avancement est un nombre entier de 0 à 100 (en %).",
            operator="between",
            prompt="En %, un nombre entier de 0 à 100.",
        ),
        DATE: _validation(
            "date",
            ("1",),
            "Date du point",
            "Écrivez une date, par exemple 30/11/2025.",
            operator="greaterThan",
            warning=True,
            prompt="La date de votre point (jj/mm/aaaa).",
        ),
    }
    for name, validation in checks.items():
        column = _column(headers, name)
        validation.add(f"{column}2:{column}{rows + 1}")
        ws.add_data_validation(validation)


def _indicator_validations(ws: Any, numeric: list[bool], year: int) -> None:
    headers = indicator_context(year) + indicator_fill(year)
    column = _column(headers, value_column(year))
    rows = [r for r, is_number in enumerate(numeric, start=2) if is_number]
    if rows:
        value = _validation(
            "decimal",
            ("-1E+15", "1E+15"),
            "Valeur",
            "Cet indicateur attend un nombre, par exemple 12 ou 12,5.",
            operator="between",
            warning=True,
        )
        for r in rows:
            value.add(f"{column}{r}")
        ws.add_data_validation(value)
    if numeric:
        date_column = _column(headers, MEASURE_DATE)
        date = _validation(
            "date",
            ("1",),
            "Date de la mesure",
            "Écrivez une date, par exemple 31/12/2025.",
            operator="greaterThan",
            warning=True,
        )
        date.add(f"{date_column}2:{date_column}{len(numeric) + 1}")
        ws.add_data_validation(date)


def _hidden_sheet(book: Any, campaign: Campaign, recipient: Recipient) -> None:
    ws = book.create_sheet(HIDDEN_SHEET)
    rows: list[list[Any]] = [
        [*MARKER, "Feuille technique de ctg : elle identifie ce classeur. Ne la modifiez pas."],
        ["version", STAMP_VERSION],
        ["plan", campaign.slug],
        ["year", str(campaign.year)],
        ["date", campaign.date.isoformat()],
        ["actor", recipient.actor or ""],
        ["fingerprint", recipient.fingerprint],
        *(["fiche", f.number, f.file] for f in recipient.fiches),
        *(["indicator", i.fiche, str(i.position), i.label] for i in recipient.indicators),
    ]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if value == "":
                continue
            _set(ws.cell(row=r, column=c), value)
    ws.sheet_state = "hidden"


# --------------------------------------------------------------------------- writing


def write(campaign: Campaign, outdir: Path, *, force: bool = False) -> list[Path]:
    """Write every workbook and the manifest into ``outdir``, all or nothing: they are made
    in a hidden folder first, then moved into place. Refuses (:class:`CampaignExistsError`)
    a folder that holds a campaign or a file a workbook would replace, unless ``force``
    (then the workbooks of the previous campaign are removed). Returns the paths written,
    the manifest last. Other failures are ``OSError`` naming the file."""
    from .fsutil import refuse_special_file

    outdir = Path(outdir)
    manifest = outdir / MANIFEST
    names = [r.file for r in campaign.recipients]
    if outdir.exists() and not outdir.is_dir():
        raise NotADirectoryError(20, os.strerror(20), str(outdir))
    previous: list[str] = []
    if outdir.is_dir():
        if manifest.exists() or manifest.is_symlink():
            if not force:
                raise CampaignExistsError(17, "campaign", str(manifest))
            previous = _previous_workbooks(manifest)
        for name in names:
            target = outdir / name
            if (target.exists() or target.is_symlink()) and not force:
                raise CampaignExistsError(17, "file", str(target))
    for name in [*names, MANIFEST]:
        refuse_special_file(outdir / name)
        if (outdir / name).is_dir():
            raise IsADirectoryError(21, os.strerror(21), str(outdir / name))
    contents: dict[str, bytes] = {r.file: workbook_bytes(campaign, r) for r in campaign.recipients}
    contents[MANIFEST] = campaign.manifest_text().encode("utf-8")
    if not outdir.exists():
        return _write_new_folder(outdir, contents)
    staging = Path(tempfile.mkdtemp(prefix=".ctg-campaign-", dir=outdir))
    written: list[Path] = []
    try:
        for name, data in contents.items():
            _write_file(staging / name, data, outdir / name)
        for name in contents:  # the manifest last: a campaign is complete when it is there
            os.replace(staging / name, outdir / name)
            written.append(outdir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for name in previous:
        if name not in contents and (outdir / name).is_file():
            with contextlib.suppress(OSError):
                os.unlink(outdir / name)
    return written


def _write_new_folder(outdir: Path, contents: dict[str, bytes]) -> list[Path]:
    parent = outdir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(outdir)) from None
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.ctg-campaign-", dir=parent))
    try:
        for name, data in contents.items():
            _write_file(staging / name, data, outdir / name)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(staging, 0o777 & ~mask)
        try:
            os.rename(staging, outdir)  # all at once; fails if the folder appeared meanwhile
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(outdir)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [outdir / name for name in contents]


def _write_file(path: Path, data: bytes, shown: Path) -> None:
    try:
        with open(path, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(shown)) from None


def _previous_workbooks(manifest: Path) -> list[str]:
    """The workbooks a previous campaign's manifest lists (plain names only)."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        files = [w.get("file") for w in data.get("workbooks", [])]
    except (OSError, ValueError, AttributeError, TypeError):
        return []
    return [
        f
        for f in files
        if isinstance(f, str) and f.endswith(".xlsx") and Path(f).name == f and f != MANIFEST
    ]


def summary(campaign: Campaign, outdir: Path) -> list[str]:
    """What the campaign sent, for the terminal (the current language)."""
    lines = [
        _("Follow-up campaign {year} of {plan} (update dated {date}), in {outdir}:").format(
            year=campaign.year, plan=campaign.slug, date=campaign.date.isoformat(), outdir=outdir
        )
    ]
    for r in campaign.recipients:
        numbers = ", ".join(f.number for f in r.fiches)
        fiches = ngettext("{n} fiche ({numbers})", "{n} fiches ({numbers})", len(r.fiches))
        indicators = ngettext("{n} indicator", "{n} indicators", len(r.indicators))
        lines.append(
            "  "
            + _("{file}: {actor}, {fiches}, {indicators}").format(
                file=r.file,
                actor=r.display,
                fiches=fiches.format(n=len(r.fiches), numbers=numbers),
                indicators=indicators.format(n=len(r.indicators)),
            )
        )
    for r in campaign.undeclared:
        lines.append(
            _(
                "« {actor} » pilots fiches but is not in the plan's actor registry (acteurs): "
                "it gets its own workbook all the same"
            ).format(actor=r.actor)
        )
    count = len(campaign.recipients)
    lines.append(
        ngettext(
            "wrote {n} workbook and {manifest} (what was sent, to whom)",
            "wrote {n} workbooks and {manifest} (what was sent, to whom)",
            count,
        ).format(n=count, manifest=MANIFEST)
    )
    return lines


# --------------------------------------------------------------------------- reading back
