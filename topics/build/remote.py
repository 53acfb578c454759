"""What the per-file stages need on a worker that shares no disk with the main process.

A Dask worker may run on another machine: it has the package, but not the project's folder. So
for a build on a cluster (:mod:`topics.executor`, ``--scheduler``) the main process sends

* with the settings, the bytes of every resource file that is the project's own (user
  dictionary, stopwords, boilerplate and repair rules, dated events; packaged ``topics:`` files
  are in every installed copy): :class:`PortableSettings`, unpacked once per worker process into
  a private folder by :func:`unpack`;
* with each task, the input file's bytes (:func:`with_file_bytes`), read lazily as the executor
  submits tasks a window at a time.

The segmentation cache is looked up where a worker can open it (a worker on the same machine)
and skipped where it cannot (:class:`topics.build.cache.BuildCache` opens an empty cache when the
file is not there); only the main process writes it. Either way the tokens are the same: the
cache holds what the segmenter returns. So a build on a cluster is byte-identical to a local one.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..config import RESOURCE_KEYS, BuildConfig
from ..resources import PACKAGED
from .boilerplate import load_rules
from .metadata import load_dated_events
from .repair import load_repairs

__all__ = ["PortableSettings", "portable_settings", "unpack", "with_file_bytes"]


@dataclass(frozen=True)
class PortableSettings:
    """Build settings plus the bytes of the project's resource files (``(spec, content)`` pairs)."""

    config: BuildConfig
    files: tuple[tuple[str, bytes], ...]


def _specs(config: BuildConfig, key: str) -> tuple[str, ...]:
    value = getattr(config, key)
    return (value,) if isinstance(value, str) else tuple(value)


def portable_settings(config: BuildConfig) -> PortableSettings:
    """The settings with the bytes of every resource file that is not packaged.

    The rule files are parsed here first, so a mistake in one is reported with its real path
    (not the worker's copy).
    """
    load_rules([spec for spec in _specs(config, "boilerplate") if not spec.startswith(PACKAGED)])
    load_repairs([spec for spec in _specs(config, "repairs") if not spec.startswith(PACKAGED)])
    load_dated_events([spec for spec in _specs(config, "dated_events") if not spec.startswith(PACKAGED)])
    files = {spec: Path(spec).read_bytes() for key in RESOURCE_KEYS for spec in _specs(config, key)
             if not spec.startswith(PACKAGED)}
    return PortableSettings(config, tuple(sorted(files.items())))


_UNPACKED: dict[PortableSettings, BuildConfig] = {}


def unpack(settings: PortableSettings) -> BuildConfig:
    """The settings with each project resource file written into this process's private folder
    (once per process and settings), its setting pointing there."""
    config = _UNPACKED.get(settings)
    if config is not None:
        return config
    folder = Path(tempfile.mkdtemp(prefix=f"topics-resources.{os.getpid()}."))
    atexit.register(shutil.rmtree, folder, True)
    copies = {}
    for number, (spec, content) in enumerate(settings.files):
        copy = folder / f"{number}-{Path(spec).name}"  # numbered: two settings may name files alike
        copy.write_bytes(content)
        copies[spec] = str(copy)
    changes = {}
    for key in RESOURCE_KEYS:
        value = getattr(settings.config, key)
        changes[key] = copies.get(value, value) if isinstance(value, str) else tuple(copies.get(s, s) for s in value)
    _UNPACKED.clear()
    config = _UNPACKED[settings] = dataclasses.replace(settings.config, **changes)
    return config


def with_file_bytes(jobs: Iterable[tuple[str, str, str]]) -> Iterator[tuple[str, str, str, bytes | None]]:
    """Each job ``(path, name, doc_base)`` with the file's bytes (None when they cannot be read
    here: the worker then tries the path and reports the file as skipped, with the reason)."""
    for path, name, doc_base in jobs:
        try:
            data = Path(path).read_bytes()
        except OSError:
            data = None
        yield path, name, doc_base, data
