"""The language of what ctg prints: French by default, English on request.

Messages are written in English in the code (the gettext convention: English msgids) and
translated through the catalog ``ctgkit/locale/fr/LC_MESSAGES/ctgkit.mo``, compiled with
Babel from ``ctgkit.po`` (``python -m ctgkit.locale``). The system locale is ignored: a CI
machine in en_US still speaks French unless told otherwise, by ``--lang en``, ``CTG_LANG=en``
or ``lang = "en"`` in ctg.toml.

Use ``_("…")`` where a message is built, with named placeholders filled by ``.format()``
after translation (so that a translation may reorder them), ``ngettext`` for plurals, and
``N_("…")`` to mark a string kept in a table and translated where it is shown.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gettext import NullTranslations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
ENVIRONMENT_VARIABLE = "CTG_LANG"
DOMAIN = "ctgkit"
LOCALE_DIR = Path(__file__).parent / "locale"

_catalogs: dict[str, NullTranslations] = {}
_current: NullTranslations | None = None  # loaded on first use: `ctg --version` never reads it
_language = "en"


class LanguageError(ValueError):
    """A language ctg does not speak (a usage error)."""


def normalise(value: str) -> str | None:
    """``fr``, ``FR``, ``fr_FR.UTF-8``, ``français`` → ``fr``; None when unknown."""
    token = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    aliases = {"francais": "fr", "français": "fr", "french": "fr", "english": "en", "anglais": "en"}
    token = aliases.get(token, token)
    return token if token in LANGUAGES else None


def catalog(language: str) -> NullTranslations:
    """The translations of ``language`` (English is the messages themselves)."""
    if language not in _catalogs:
        import gettext

        if language == "en":
            _catalogs[language] = gettext.NullTranslations()
        else:
            path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
            with open(path, "rb") as handle:
                _catalogs[language] = gettext.GNUTranslations(handle)
    return _catalogs[language]


def set_language(language: str) -> None:
    """Speak ``language`` (``fr`` or ``en``) from now on; LanguageError otherwise."""
    global _current, _language
    chosen = normalise(language)
    if chosen is None:
        raise LanguageError(language)
    if chosen != _language:
        _current = None
    _language = chosen


def language() -> str:
    return _language


def from_environment() -> str | None:
    """The language ``CTG_LANG`` asks for, if it names one ctg speaks."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "")
    return normalise(value) if value.strip() else None


def _translations() -> NullTranslations:
    global _current
    if _current is None:
        _current = catalog(_language)
    return _current


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it here."""
    return message


set_language(from_environment() or DEFAULT_LANGUAGE)
