"""The language resources that ship inside the package, and how a project's own files are found.

The defaults — jieba user dictionary, stopword lists, boilerplate rules, repair rules, dated
events — are package data in this folder, so a ``pip install`` works in any folder. A setting
names each resource file:

* ``"topics:NAME"`` is the packaged file ``NAME`` (``topics:stopwords/general.txt``);
* anything else is a path of the user's (relative to the experiment TOML's folder, or to the
  current folder on the command line).

One rule, no search: the config's value is used, and the default value is the packaged file.
Resources that are lists (``userdict``, ``stopwords``, ``boilerplate``, ``repairs``,
``dated_events``) are read in order and combined, so a project *extends* a default by listing it
with its own file (``stopwords = ["topics:stopwords/general.txt", "my_stopwords.txt"]``) and
*replaces* it by listing only its own. The build manifest and report record each file used with
its sha256 (:func:`describe`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import TopicsError

__all__ = ["PACKAGED", "Resource", "describe", "packaged_names", "resolve", "resolve_all"]

#: prefix that names a packaged file
PACKAGED = "topics:"


@dataclass(frozen=True)
class Resource:
    """A resource file as a setting names it (``spec``) and where it is (``path``)."""

    spec: str
    path: Path

    @property
    def packaged(self) -> bool:
        return self.spec.startswith(PACKAGED)

    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def _package_folder() -> Path:
    return Path(str(resources.files(__name__)))


def packaged_names() -> list[str]:
    """Every packaged resource file, as ``topics:NAME`` specs."""
    root = _package_folder()
    return sorted(PACKAGED + p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and p.suffix in (".txt", ".tsv", ".csv", ".json") and "__pycache__" not in p.parts)


def resolve(spec: str, key: str = "resource") -> Resource:
    """Find the file a setting names; :class:`TopicsError` naming the setting when it is missing."""
    if spec.startswith(PACKAGED):
        path = _package_folder() / spec[len(PACKAGED):]
        if not path.is_file():
            raise TopicsError(f"{spec}: no such packaged resource ({key}) — use one of: {', '.join(packaged_names())}")
        return Resource(spec, path)
    path = Path(spec)
    if not path.is_file():
        raise TopicsError(f"{spec}: {key} file not found — check corpus.{key} in the config "
                          f"(write {PACKAGED}NAME for a packaged file, e.g. {PACKAGED}stopwords/general.txt)")
    return Resource(spec, path)


def resolve_all(specs, key: str) -> list[Resource]:
    """:func:`resolve` for a setting that is one file or a list of files."""
    if isinstance(specs, str):
        specs = (specs,)
    return [resolve(spec, key) for spec in specs]


def describe(resolved: dict[str, list[Resource]]) -> dict[str, list[dict[str, str]]]:
    """For manifests and reports: per setting, each file used (``topics:…`` or its path) and its sha256."""
    return {key: [{"file": r.spec if r.packaged else str(r.path), "sha256": r.sha256()} for r in items]
            for key, items in resolved.items()}
