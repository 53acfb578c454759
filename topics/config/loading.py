"""Loading settings: strict checks of every value, frozen dataclasses from mappings, TOML files.

An unknown key fails naming the key and the allowed ones; a value of the wrong type or outside its
allowed set fails naming key, value and what is allowed (:class:`topics.errors.ConfigError`).
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Mapping

from ..errors import ConfigError

__all__ = ["check_choice", "check_range", "from_mapping", "read_toml", "to_dict"]


def check_choice(key: str, value: Any, allowed: tuple[Any, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{key} = {value!r} is not allowed — use one of: {', '.join(map(repr, allowed))}")

def check_range(key: str, value: float, low: float | None = None, high: float | None = None) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{'' if low is None else f'>= {low}'}{' and ' if low is not None and high is not None else ''}{'' if high is None else f'<= {high}'}"
        raise ConfigError(f"{key} = {value!r} is out of range — it must be {bounds}")

def _coerce(key: str, value: Any, annotation: Any) -> Any:
    """Check ``value`` against a dataclass field annotation; lists become tuples."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _coerce(key, value, option)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{key}: invalid value {value!r}")
    if origin is tuple:
        item_type = typing.get_args(annotation)[0]
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = [value]  # a single value where a list is expected
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key} = {value!r} must be a list")
        return tuple(_coerce(f"{key}[{i}]", item, item_type) for i, item in enumerate(value))
    if annotation is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} = {value!r} must be true or false")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key} = {value!r} must be a whole number")
        return value
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{key} = {value!r} must be a number")
        return float(value)
    if annotation is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key} = {value!r} must be a string")
        return value
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, Mapping):
            raise ConfigError(f"[{key}] must be a table")
        return from_mapping(annotation, value, prefix=key)
    return value

def from_mapping(cls: type, mapping: Mapping[str, Any], prefix: str = "") -> Any:
    """Build the frozen dataclass ``cls`` from a mapping, rejecting unknown keys.

    >>> from_mapping(BuildConfig, {"split": "none"}).split
    'none'
    """
    hints = typing.get_type_hints(cls)
    allowed = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in mapping.items():
        full = f"{prefix}.{key}" if prefix else key
        if key not in allowed:
            raise ConfigError(f"unknown setting {full!r} — allowed {('in [' + prefix + '] ') if prefix else ''}are: {', '.join(allowed)}")
        kwargs[key] = _coerce(full, value, hints[key])
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a required field is missing
        raise ConfigError(f"[{prefix or cls.__name__}]: {exc}") from None

def to_dict(obj: Any) -> Any:
    """Plain (JSON/TOML-friendly) representation of a config dataclass; tuples become lists."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(item) for item in obj]
    return obj

def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file, turning syntax errors into a message that names the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found — check the path")
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc}) — fix the syntax") from None
