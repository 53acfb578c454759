"""Is the built corpus already up to date? Answered from file sizes and times, before any heavy import.

``topics build`` with nothing changed should answer at once. The full check
(:func:`topics.build.pipeline.build_corpus`) hashes inputs, resources and code, but only after
importing numpy, pandas, gensim and jieba, which takes seconds. So every build ends by recording
(:func:`record`), in the build cache, what its content hash was computed from: the settings, the
current folder, the inputs the survey found and left out, and the size, mtime and inode of every
file the hash read (inputs, resource files, the builder's code, the gazetteer, jieba's and
rjieba's installed code) and of every file of the corpus written. :func:`check` compares the
same facts now; only if every one is unchanged does it say the corpus is current — anything
else (a touched file, a new input, another setting, a record that is missing or unreadable) sends
the build down the full path, which decides by content.

As git's index does, a file whose mtime falls within :data:`RACY_SECONDS` of the moment it was
looked at is never trusted by its stat alone (it may have changed again within the same tick).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import RESOURCE_KEYS, BuildConfig, to_dict
from ..resources import resolve_all
from .ingest import Survey, survey

__all__ = ["check", "record", "snapshot"]

RACY_SECONDS = 2
_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parents[1]


def _record_path(config: BuildConfig) -> Path:
    out = os.path.abspath(config.out)
    return Path(config.cache_dir) / "uptodate" / f"{hashlib.sha256(out.encode('utf-8')).hexdigest()[:32]}.json"


def _stat(path: str | Path) -> list[int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _depends_on(config: BuildConfig, inputs: list[str]) -> list[str]:
    """Every file the content hash reads, as absolute paths."""
    paths = [os.path.abspath(p) for p in inputs]
    for key in RESOURCE_KEYS:
        paths += [os.path.abspath(r.path) for r in resolve_all(getattr(config, key), key)]
    if config.metadata:
        paths.append(os.path.abspath(config.metadata))
    paths += sorted(str(p) for p in (_PACKAGE / "build").glob("*.py"))
    paths += [str(_PACKAGE / name) for name in ("__init__.py", "corpus.py", "config.py") if (_PACKAGE / name).is_file()]
    paths += sorted(str(p) for p in (_PACKAGE / "config").glob("*.py"))  # the settings, when a package
    paths += sorted(str(p) for p in (_PACKAGE / "resources" / "gazetteer").rglob("*") if p.is_file())
    for module in ("jieba", "rjieba"):  # the segmenter's version is part of the hash
        spec = importlib.util.find_spec(module)  # finds, does not import
        if spec is not None and spec.origin:
            paths.append(spec.origin)
    return paths


def _survey_facts(found: Survey) -> dict[str, Any]:
    return {"found": [[str(path), name] for path, name in found.found],
            "skipped": [[str(item.path), item.reason, bool(item.problem)] for item in found.skipped]}


def snapshot(config: BuildConfig, found: Survey) -> dict[str, Any]:
    """The facts of this build (``found``: its survey of the inputs), taken before its inputs are
    hashed (see the module docstring)."""
    taken = time.time_ns()
    facts = _survey_facts(found)
    return {"format": _FORMAT, "topics": __version__, "python": sys.version, "cwd": os.getcwd(),
            "settings": to_dict(config), "survey": facts, "taken_ns": taken,
            "files": {path: _stat(path) for path in _depends_on(config, [p for p, _ in facts["found"]])}}


def record(config: BuildConfig, facts: dict[str, Any], corpus: Any) -> None:
    """After a build (or a full check that found the corpus current): remember its facts and what
    ``topics build`` says of the corpus (a :class:`topics.corpus.BuiltCorpus`).

    Never fails a build: a record that cannot be written only means the next check is the full one.
    """
    summary = {"speeches": int(len(corpus.speeches)), "in_model": int(corpus.speeches["in_model"].sum()),
               "units": int(corpus.n_units), "vocabulary": int(corpus.vocabulary_size)}
    try:
        out = Path(config.out)
        outputs = {str(p): _stat(p) for p in sorted(out.rglob("*")) if p.is_file()}
        data = dict(facts, content_hash=corpus.content_hash, summary=summary, outputs=outputs)
        path = _record_path(config)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def check(config: BuildConfig) -> dict[str, int] | None:
    """The recorded summary (speeches, in the model, units, vocabulary) if the corpus in
    ``config.out`` is certainly current; None if the full check must decide."""
    try:
        data = json.loads(_record_path(config).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (data.get("format") != _FORMAT or data.get("topics") != __version__ or data.get("python") != sys.version
            or data.get("cwd") != os.getcwd() or data.get("settings") != json.loads(json.dumps(to_dict(config)))):
        return None
    try:
        facts = _survey_facts(survey(config.raw, config.metadata))
        depends = set(_depends_on(config, [path for path, _ in facts["found"]]))
    except Exception:  # noqa: BLE001 - a missing input or resource and the like: the full path reports it
        return None
    if facts != data.get("survey") or any(problem for _, _, problem in facts["skipped"]):
        return None  # a file that should be read is left out: the full path warns (or fails with --strict)
    if depends != set(data["files"]):  # e.g. a module added to the builder
        return None
    racy = data["taken_ns"] - RACY_SECONDS * 10**9
    for path, stamp in data["files"].items():
        if stamp is None or _stat(path) != stamp or stamp[1] >= racy:
            return None
    outputs = data.get("outputs") or {}
    out = Path(config.out)
    try:
        present = {str(p) for p in out.rglob("*") if p.is_file()}
    except OSError:
        return None
    if present != set(outputs) or any(_stat(path) != stamp for path, stamp in outputs.items()):
        return None
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("content_hash") != data.get("content_hash"):
        return None
    return data["summary"]
