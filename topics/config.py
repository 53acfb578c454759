"""Configuration: frozen dataclasses per stage, loaded from TOML with strict checking.

An unknown key fails naming the key and the allowed ones; a value of the wrong type or outside
its allowed set fails naming key, value and what is allowed. Relative paths are taken relative
to the current working directory (run commands from the project root, as the Makefile does).

The build settings live here because ``topics build`` and ``topics run`` share them; the
modelling settings live beside the code that uses them (``topics.experiment``) and reuse
:func:`from_mapping`.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

SPLIT_MODES = ("auto", "none")
UNIT_MODES = ("speech", "paragraph")


@dataclass(frozen=True)
class BuildConfig:
    """Settings of the corpus build (``topics build`` and the ``[corpus]`` table of an experiment).

    Parameters
    ----------
    raw : input files or folders (.txt, .md, .docx), searched recursively.
    out : output folder of the built corpus.
    split : ``auto`` finds speeches inside files; ``none`` keeps each file as one document
        (for corpora that are already clean, such as the government work reports).
    unit : modelling unit: whole ``speech`` or ``paragraph`` chunks (each mapped back to its speech).
    chunk_min_tokens : with ``unit = "paragraph"``, consecutive paragraphs are merged until a chunk
        has at least this many tokens (short paragraphs are headings, not evidence).
    drop_single_chars : drop one-character tokens (most are function words in Chinese).
    exclude_duplicates : leave near-duplicate speeches and previews out of the model (still listed).
    duplicate_threshold : character 5-gram containment above which a speech counts as a copy.
    no_below, no_above, keep_n : gensim ``Dictionary.filter_extremes`` settings (``no_below`` counts
        modelling units; ``keep_n = 0`` keeps every word).
    userdict, stopwords, repairs, boilerplate : language resources (see ``corpus/``).
    metadata : CSV of human overrides; used when the file exists.
    strict : unreadable input files are errors instead of warnings.
    workers : processes for segmentation (0 = one per core).
    cache_dir : where segmentation results are cached by content hash.
    """

    raw: tuple[str, ...] = ("corpus/raw",)
    out: str = "build/corpus"
    split: str = "auto"
    unit: str = "speech"
    chunk_min_tokens: int = 50
    drop_single_chars: bool = True
    exclude_duplicates: bool = True
    duplicate_threshold: float = 0.8
    no_below: int = 1
    no_above: float = 1.0
    keep_n: int = 0
    userdict: str = "corpus/userdict.txt"
    stopwords: tuple[str, ...] = ("corpus/stopwords/general.txt", "corpus/stopwords/speech.txt")
    repairs: str = "corpus/repairs.tsv"
    boilerplate: str = "corpus/boilerplate.tsv"
    metadata: str = "corpus/metadata.csv"
    strict: bool = False
    workers: int = 1
    cache_dir: str = "build/cache"

    def __post_init__(self) -> None:
        check_choice("corpus.split", self.split, SPLIT_MODES)
        check_choice("corpus.unit", self.unit, UNIT_MODES)
        check_range("corpus.chunk_min_tokens", self.chunk_min_tokens, low=1)
        check_range("corpus.duplicate_threshold", self.duplicate_threshold, low=0.0, high=1.0)
        check_range("corpus.no_below", self.no_below, low=1)
        check_range("corpus.no_above", self.no_above, low=0.0, high=1.0)
        check_range("corpus.keep_n", self.keep_n, low=0)
        check_range("corpus.workers", self.workers, low=0)

    def settings_for_hash(self) -> dict[str, Any]:
        """Settings that change the built corpus (``out``, ``workers``, ``cache_dir`` do not)."""
        data = to_dict(self)
        for key in ("out", "workers", "cache_dir", "strict"):
            data.pop(key)
        return data


# --------------------------------------------------------------------------------------------
# Generic checking and loading
# --------------------------------------------------------------------------------------------


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


def load_build_config(path: str | Path | None = None, **overrides: Any) -> BuildConfig:
    """Build settings from an optional TOML file (top level or its ``[corpus]`` table) plus overrides.

    ``None`` overrides are ignored, so CLI options that were not given keep the file's value.
    """
    data: dict[str, Any] = {}
    if path is not None:
        raw = read_toml(path)
        data = dict(raw.get("corpus", raw))
    data.update({key: value for key, value in overrides.items() if value is not None})
    return from_mapping(BuildConfig, data, prefix="corpus")


__all__ = [
    "BuildConfig",
    "ConfigError",
    "check_choice",
    "check_range",
    "field",
    "from_mapping",
    "load_build_config",
    "read_toml",
    "to_dict",
]
