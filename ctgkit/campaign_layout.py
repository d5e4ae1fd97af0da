"""The contract of a campaign workbook, shared by the writer (:mod:`ctgkit.campaign`) and
the reader of the answers (:mod:`ctgkit.campaign_merge`): its sheets and columns, its hidden
sheet (``_ctg``: which plan, year, date and actor it was made for, what was sent) and the
fingerprint of what was sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .rules.suivi import is_numeric, is_qualitative

#: The hidden sheet that identifies a campaign workbook.
HIDDEN_SHEET = "_ctg"
#: Its first row: the marker of a campaign workbook.
MARKER = ("ctgkit", "campaign")
#: The most rows a hidden sheet may have (one per fiche and indicator sent).
MAX_STAMP_ROWS = 20_000
#: The version of the hidden sheet's layout.
STAMP_VERSION = "1"
#: The manifest of a campaign, next to its workbooks.
MANIFEST = "campagne.json"
#: The workbook of the fiches that have no pilote (for the coordination).
NO_PILOT_FILE = "sans-pilote.xlsx"
README_SHEET = "Lisez-moi"
INDICATORS_SHEET = "Indicateurs"

# Columns of the follow-up sheet: context (grey, read-only), then the ones to fill.
FICHE = "Fiche"
TITLE = "Titre"
PERIOD = "Période"
OTHER_PILOTS = "Autres pilotes"
LAST_STATUS = "Dernier statut"
LAST_DATE = "Date du dernier point"
LAST_PROGRESS = "Dernier avancement (%)"
DATE = "Date du point"
STATUS = "Statut"
PROGRESS = "Avancement (%)"
ACHIEVEMENTS = "Réalisations"
DIFFICULTIES = "Difficultés"
NEXT_STEPS = "Prochaines étapes"
NOTE = "Commentaire"
RESPONDENT = "Répondant"
FICHE_CONTEXT = (FICHE, TITLE, PERIOD, OTHER_PILOTS, LAST_STATUS, LAST_DATE, LAST_PROGRESS)
FICHE_FILL = (
    DATE,
    STATUS,
    PROGRESS,
    ACHIEVEMENTS,
    DIFFICULTIES,
    NEXT_STEPS,
    NOTE,
    RESPONDENT,
)
#: The columns whose content is an answer (the prefilled date alone is none).
FICHE_ANSWER = FICHE_FILL[1:]
#: The YAML keys of a follow-up entry, by column.
ENTRY_KEYS = {
    STATUS: "statut",
    PROGRESS: "avancement",
    ACHIEVEMENTS: "réalisations",
    DIFFICULTIES: "difficultés",
    NEXT_STEPS: "prochaines_étapes",
    NOTE: "commentaire",
}

# Columns of the indicators sheet.
POSITION = "N°"
LABEL = "Libellé"
UNIT = "Unité"
DIRECTION = "Sens"
BASELINE = "Référence"
FINAL_TARGET = "Cible finale"
LAST_MEASURE = "Dernière mesure"
MEASURE_DATE = "Date de la mesure"
SOURCE = "Source"
MEASURE_NOTE = "Commentaire"


def follow_up_sheet(year: int) -> str:
    """« Suivi 2025 »: the sheet of the fiches."""
    return f"Suivi {year}"


def year_target_column(year: int) -> str:
    return f"Cible {year}"


def value_column(year: int) -> str:
    return f"Valeur {year}"


def indicator_context(year: int) -> tuple[str, ...]:
    return (
        FICHE,
        POSITION,
        LABEL,
        UNIT,
        DIRECTION,
        BASELINE,
        year_target_column(year),
        FINAL_TARGET,
        LAST_MEASURE,
    )


def indicator_fill(year: int) -> tuple[str, ...]:
    return (value_column(year), MEASURE_DATE, SOURCE, MEASURE_NOTE)


@dataclass(frozen=True)
class SentFiche:
    number: str
    file: str  # relative to the plan, POSIX


@dataclass(frozen=True)
class SentIndicator:
    fiche: str
    position: int  # 1-based, in the fiche's `indicateurs`
    label: str


def fingerprint(
    plan: str,
    year: int,
    date: str,
    actor: str | None,
    fiches: list[SentFiche],
    indicators: list[SentIndicator],
) -> str:
    """What was sent, hashed: a returned workbook is matched with its manifest entry by it,
    and a hidden sheet that was changed no longer matches its own fingerprint."""
    data = {
        "plan": plan,
        "year": year,
        "date": date,
        "actor": actor,
        "fiches": [[f.number, f.file] for f in fiches],
        "indicators": [[i.fiche, i.position, i.label] for i in indicators],
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def expects_number(indicator: Any) -> bool:
    """An indicator whose values are numbers: its series has numbers, or it has a unit
    that is not a qualitative one."""
    if is_qualitative(indicator):
        return False
    return is_numeric(indicator) or indicator.unit is not None


# --------------------------------------------------------------------------- reading back


def is_campaign_workbook(book: Any) -> bool:
    """Whether ``book`` (an openpyxl workbook) was written by ``ctg campaign``: its hidden
    sheet ``_ctg`` starts with the marker."""
    if HIDDEN_SHEET not in book.sheetnames:
        return False
    ws = book[HIDDEN_SHEET]
    return (ws.cell(row=1, column=1).value, ws.cell(row=1, column=2).value) == MARKER


@dataclass
class Stamp:
    """What the hidden sheet of a returned workbook says was sent."""

    plan: str
    year: int
    date: dt.date
    actor: str | None
    fingerprint: str
    fiches: list[SentFiche]
    indicators: list[SentIndicator]

    @property
    def intact(self) -> bool:
        """The hidden sheet matches its own fingerprint (it was not edited)."""
        return self.fingerprint == fingerprint(
            self.plan, self.year, self.date.isoformat(), self.actor, self.fiches, self.indicators
        )


def read_stamp(book: Any) -> Stamp | None:
    """The hidden sheet of a campaign workbook, or None when it cannot be read."""
    if not is_campaign_workbook(book):
        return None
    values: dict[str, str] = {}
    fiches: list[SentFiche] = []
    indicators: list[SentIndicator] = []
    try:
        sheet = book[HIDDEN_SHEET]
        if sheet.max_row > MAX_STAMP_ROWS:
            return None
        for row in sheet.iter_rows(min_row=2, max_col=4, values_only=True):
            key = row[0]
            cells = ["" if v is None else str(v) for v in row[1:]]
            if key == "fiche":
                fiches.append(SentFiche(cells[0], cells[1]))
            elif key == "indicator":
                indicators.append(SentIndicator(cells[0], int(cells[1]), cells[2]))
            elif isinstance(key, str):
                values[key] = cells[0]
        if values.get("version") != STAMP_VERSION:
            return None
        return Stamp(
            plan=values["plan"],
            year=int(values["year"]),
            date=dt.date.fromisoformat(values["date"]),
            actor=values.get("actor") or None,
            fingerprint=values["fingerprint"],
            fiches=fiches,
            indicators=indicators,
        )
    except (KeyError, ValueError, IndexError):
        return None
