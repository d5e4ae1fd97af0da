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

import gettext as _gettext
import os
from pathlib import Path

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
ENVIRONMENT_VARIABLE = "CTG_LANG"
DOMAIN = "ctgkit"
LOCALE_DIR = Path(__file__).parent / "locale"

_catalogs: dict[str, _gettext.NullTranslations] = {}
_current: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


class LanguageError(ValueError):
    """A language ctg does not speak (a usage error)."""


def normalise(value: str) -> str | None:
    """``fr``, ``FR``, ``fr_FR.UTF-8``, ``français`` → ``fr``; None when unknown."""
    token = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    aliases = {"francais": "fr", "français": "fr", "french": "fr", "english": "en", "anglais": "en"}
    token = aliases.get(token, token)
    return token if token in LANGUAGES else None


def catalog(language: str) -> _gettext.NullTranslations:
    """The translations of ``language`` (English is the messages themselves)."""
    if language not in _catalogs:
        if language == "en":
            _catalogs[language] = _gettext.NullTranslations()
        else:
            path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
            with open(path, "rb") as handle:
                _catalogs[language] = _gettext.GNUTranslations(handle)
    return _catalogs[language]


def set_language(language: str) -> None:
    """Speak ``language`` (``fr`` or ``en``) from now on; LanguageError otherwise."""
    global _current, _language
    chosen = normalise(language)
    if chosen is None:
        raise LanguageError(language)
    _current = catalog(chosen)
    _language = chosen


def language() -> str:
    return _language


def from_environment() -> str | None:
    """The language ``CTG_LANG`` asks for, if it names one ctg speaks."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "")
    return normalise(value) if value.strip() else None


def _(message: str) -> str:
    """``message`` in the current language."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it here."""
    return message


set_language(from_environment() or DEFAULT_LANGUAGE)
