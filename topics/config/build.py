"""The ``[corpus]`` table: settings of the corpus build, and where its paths are taken from."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..resources import PACKAGED
from .loading import check_choice, check_range, from_mapping, read_toml, to_dict

__all__ = ["RESOURCE_KEYS", "SPLIT_MODES", "UNIT_MODES", "BuildConfig", "anchor_paths", "load_build_config"]

SPLIT_MODES = ("auto", "none")

UNIT_MODES = ("speech", "paragraph")


@dataclass(frozen=True)
class BuildConfig:
    """Settings of the corpus build (``topics build`` and the ``[corpus]`` table of an experiment).

    Parameters
    ----------
    raw : input files or folders, searched recursively (default: ``raw``, the folder ``topics init`` makes).
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
    userdict, stopwords, boilerplate, repairs, dated_events : language resources, each a list of
        files read in order and combined; ``topics:NAME`` names a file shipped in the package
        (:mod:`topics.resources`), and the defaults are the packaged files. List a packaged file
        and your own to extend it, or only your own to replace it.
    metadata : CSV of human metadata overrides ("" = none).
    strict : unreadable input files are errors instead of warnings.
    cache_dir : where per-file results, segmentations and token stores are cached by content hash.

    Where the build runs (how many processes, a Dask cluster) is not a corpus setting: it comes
    from ``topics build --workers/--scheduler`` or an experiment's ``[run]`` table, and never
    changes the corpus.
    """

    raw: tuple[str, ...] = ("raw",)
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
    userdict: tuple[str, ...] = ("topics:userdict.txt",)
    stopwords: tuple[str, ...] = ("topics:stopwords/general.txt", "topics:stopwords/speech.txt")
    boilerplate: tuple[str, ...] = ("topics:boilerplate.tsv",)
    repairs: tuple[str, ...] = ("topics:repairs.tsv",)
    dated_events: tuple[str, ...] = ("topics:dated_events.tsv",)
    metadata: str = ""
    strict: bool = False
    cache_dir: str = "build/cache"

    def __post_init__(self) -> None:
        check_choice("corpus.split", self.split, SPLIT_MODES)
        check_choice("corpus.unit", self.unit, UNIT_MODES)
        check_range("corpus.chunk_min_tokens", self.chunk_min_tokens, low=1)
        check_range("corpus.duplicate_threshold", self.duplicate_threshold, low=0.0, high=1.0)
        check_range("corpus.no_below", self.no_below, low=1)
        check_range("corpus.no_above", self.no_above, low=0.0, high=1.0)
        check_range("corpus.keep_n", self.keep_n, low=0)

    def settings_for_hash(self) -> dict[str, Any]:
        """Settings that change the built corpus, without paths: the inputs and resources enter the
        content hash by their content, so a project folder can move without a rebuild."""
        data = to_dict(self)
        for key in ("out", "cache_dir", "strict", "raw", "metadata", *RESOURCE_KEYS):
            data.pop(key)
        return data


#: the BuildConfig settings that name language-resource files (see topics.resources)
RESOURCE_KEYS = ("userdict", "stopwords", "boilerplate", "repairs", "dated_events")

#: the BuildConfig settings that are paths (taken relative to the TOML file that sets them)
_BUILD_PATHS = ("raw", "out", "cache_dir", "metadata", *RESOURCE_KEYS)


def anchor_paths(config: BuildConfig, base: str | Path) -> BuildConfig:
    """``config`` with every relative path made absolute against the folder ``base``.

    Paths in a TOML file are relative to the file's folder; ``topics:NAME`` (a packaged resource)
    and empty values are left alone.
    """
    base = Path(base)

    def anchored(value: str) -> str:
        if not value or value.startswith(PACKAGED):
            return value
        path = Path(value).expanduser()
        return os.path.abspath(path if path.is_absolute() else base / path)

    changes = {}
    for key in _BUILD_PATHS:
        value = getattr(config, key)
        changes[key] = tuple(anchored(v) for v in value) if isinstance(value, tuple) else anchored(value)
    return dataclasses.replace(config, **changes)

def load_build_config(path: str | Path | None = None, **overrides: Any) -> BuildConfig:
    """Build settings from an optional TOML file (top level or its ``[corpus]`` table) plus overrides.

    Paths in the file (and the defaults) are relative to the file's folder; paths given as
    ``overrides`` (the command line) to the current folder. ``None`` overrides are ignored, so
    CLI options that were not given keep the file's value.
    """
    data: dict[str, Any] = {}
    base = Path.cwd()
    if path is not None:
        raw = read_toml(path)
        data = dict(raw.get("corpus", raw))
        base = Path(path).resolve().parent
    try:
        config = anchor_paths(from_mapping(BuildConfig, data, prefix="corpus"), base)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}" if path is not None else str(exc)) from None
    given = {key: value for key, value in overrides.items() if value is not None}
    if not given:
        return config
    merged = from_mapping(BuildConfig, {**to_dict(config), **given}, prefix="corpus")
    return anchor_paths(merged, Path.cwd())
