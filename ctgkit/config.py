"""Repository configuration: ``ctg.toml`` or ``[tool.ctg]`` in ``pyproject.toml``.

Found by walking up from the working directory; the nearest file wins.

    # ctg.toml
    ignore = ["CTG041"]        # rule codes (or names) never reported
    lang = "en"                # language of messages and help (default: fr)
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .i18n import N_, _, normalise

KNOWN_KEYS = {"ignore", "lang"}


class ConfigError(Exception):
    """A configuration file that cannot be used (a usage error)."""


@dataclass
class Config:
    ignore: frozenset[str] = field(default_factory=frozenset)
    path: Path | None = None
    lang: str | None = None


def find_config(start: Path | None = None) -> Path | None:
    directory = (start or Path.cwd()).resolve()
    for candidate in (directory, *directory.parents):
        if (candidate / "ctg.toml").is_file():
            return candidate / "ctg.toml"
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_tool_ctg(pyproject):
            return pyproject
    return None


def _read_bytes(path: Path) -> bytes:
    """The bytes of a configuration file, capped like plan files (checked before reading: a
    3 GB file is refused at once, not read)."""
    from .source import MAX_FILE_BYTES  # here: start-up without a configuration stays light
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(_("{path}: not a regular file").format(path=path))
        if info.st_size > MAX_FILE_BYTES:
            raise ConfigError(
                _("{path}: file is too large ({size} MB; the limit is {limit} MB)").format(
                    path=path,
                    size=f"{info.st_size / 1e6:.1f}",
                    limit=MAX_FILE_BYTES // (1024 * 1024),
                )
            )
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        from .fsutil import reason

        raise ConfigError(
            _("{path}: cannot read: {reason}").format(path=path, reason=reason(exc))
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(_("{path}: file is too large").format(path=path))
    return raw


def _parse(path: Path, raw: bytes) -> dict[str, Any]:
    import tomllib
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            _("{path}: cannot read: not UTF-8 ({reason})").format(path=path, reason=exc.reason)
        ) from None
    except ValueError as exc:  # TOMLDecodeError, or an integer of over 4,300 digits
        message = _("{path}: invalid TOML: {problem}").format(path=path, problem=exc)
        raise ConfigError(message) from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        message = _("{path}: invalid TOML: nested too deeply").format(path=path)
        raise ConfigError(message) from None


def _has_tool_ctg(path: Path) -> bool:
    """Whether a ``pyproject.toml`` met on the way up configures ctg. One that does not
    even contain the letters ``ctg`` is skipped unparsed; one that does and cannot be read
    is an error (as ruff does), never silently taken as "no configuration"."""
    raw = _read_bytes(path)
    if b"ctg" not in raw:
        return False
    tool = _parse(path, raw).get("tool")
    return isinstance(tool, dict) and "ctg" in tool


def load_config(path: Path | None = None) -> Config:
    """Read the configuration at ``path`` (or the nearest one); defaults when there is none."""

    path = path or find_config()
    if path is None:
        return Config()
    data: Any = _parse(path, _read_bytes(path))
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(_("{path}: 'tool' must be a table").format(path=path))
        data = tool.get("ctg", {})
        if not isinstance(data, dict):
            raise ConfigError(
                _("{path}: [tool.ctg] must be a table, not {kind}").format(
                    path=path, kind=_toml_type(data)
                )
            )
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise ConfigError(
            _("{path}: unknown setting(s): {names}").format(
                path=path, names=", ".join(sorted(unknown))
            )
        )
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(item, str) for item in ignore):
        raise ConfigError(_("{path}: 'ignore' must be a list of rule codes").format(path=path))
    lang = data.get("lang")
    if lang is not None and (not isinstance(lang, str) or normalise(lang) is None):
        raise ConfigError(_("{path}: 'lang' must be \"fr\" or \"en\"").format(path=path))
    return Config(
        ignore=resolve_codes(ignore, str(path)),
        path=path,
        lang=normalise(lang) if lang is not None else None,
    )


def configured_language(path: Path | None = None) -> str | None:
    """The ``lang`` of the configuration, or None (a broken configuration is reported by the
    command that loads it, in the default language)."""
    try:
        return load_config(path).lang
    except (ConfigError, OSError, RecursionError):
        return None


_TOML_TYPES = {
    bool: N_("a boolean"),
    int: N_("an integer"),
    float: N_("a float"),
    str: N_("a string"),
    list: N_("an array"),
}
_DATE_OR_TIME = N_("a date or time")  # what else TOML has


def _toml_type(value: object) -> str:
    return _(_TOML_TYPES.get(type(value), _DATE_OR_TIME))


def resolve_codes(values: list[str], where: str) -> frozenset[str]:
    from .rules import find

    codes = set()
    for value in values:
        entry = find(value)
        if entry is None:
            raise ConfigError(
                _("{where}: unknown rule '{value}' (see `ctg rules`)").format(
                    where=where, value=value
                )
            )
        codes.add(entry.code)
    return frozenset(codes)
