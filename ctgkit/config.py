"""Repository configuration: ``ctg.toml`` or ``[tool.ctg]`` in ``pyproject.toml``.

Found by walking up from the working directory; the nearest file wins.

    # ctg.toml
    ignore = ["CTG041"]        # rule codes (or names) never reported
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

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


def _has_tool_ctg(path: Path) -> bool:
    try:
        return "ctg" in tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def load_config(path: Path | None = None) -> Config:
    """Read the configuration at ``path`` (or the nearest one); defaults when there is none."""

    path = path or find_config()
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("ctg", {})
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(sorted(unknown))}")
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(item, str) for item in ignore):
        raise ConfigError(f"{path}: 'ignore' must be a list of rule codes")
    return Config(ignore=resolve_codes(ignore, str(path)), path=path)


def resolve_codes(values: list[str], where: str) -> frozenset[str]:
    from .rules import find

    codes = set()
    for value in values:
        entry = find(value)
        if entry is None:
            raise ConfigError(f"{where}: unknown rule '{value}' (see `ctg rules`)")
        codes.add(entry.code)
    return frozenset(codes)
