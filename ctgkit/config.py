"""Repository configuration: ``ctg.toml`` or ``[tool.ctg]`` in ``pyproject.toml``.

Found by walking up from the working directory; the nearest file wins.

    # ctg.toml
    ignore = ["CTG041"]        # rule codes (or names) never reported
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .source import MAX_FILE_BYTES

KNOWN_KEYS = {"ignore"}


class ConfigError(Exception):
    """A configuration file that cannot be used (a usage error)."""


@dataclass
class Config:
    ignore: frozenset[str] = field(default_factory=frozenset)
    path: Path | None = None


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
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise ConfigError(
                f"{path}: file is too large ({info.st_size / 1e6:.1f} MB; the limit is "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB)"
            )
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"{path}: file is too large")
    return raw


def _parse(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read: not UTF-8 ({exc.reason})") from None
    except ValueError as exc:  # TOMLDecodeError, or an integer of over 4,300 digits
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


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
            raise ConfigError(f"{path}: 'tool' must be a table")
        data = tool.get("ctg", {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: [tool.ctg] must be a table, not {_toml_type(data)}")
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(item, str) for item in ignore):
        raise ConfigError(f"{path}: 'ignore' must be a list of rule codes")
    return Config(ignore=resolve_codes(ignore, str(path)), path=path)


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string"}
    return names.get(type(value), "an array" if isinstance(value, list) else "a date or time")


def resolve_codes(values: list[str], where: str) -> frozenset[str]:
    from .rules import find

    codes = set()
    for value in values:
        entry = find(value)
        if entry is None:
            raise ConfigError(f"{where}: unknown rule '{value}' (see `ctg rules`)")
        codes.add(entry.code)
    return frozenset(codes)
