"""Is a finished run already current? Answered from file sizes and times, before any heavy import.

Rerunning a finished experiment should answer at once, but a cached rerun still imports gensim,
scipy, pandas and matplotlib (seconds) before its caches can say that nothing changed. So every
``topics run`` that writes its report ends by recording (:func:`record`), in the build cache,
what the run was made from and what it wrote:

* taken when the run starts (:func:`snapshot`): the experiment's settings as read from its TOML,
  the current folder, and the size, mtime and inode of the TOML, of every module of the package
  and of the installed libraries whose versions are part of the results (numpy, scipy, pandas,
  gensim, tomotopy, matplotlib and its fonts, formulaic, pyLDAvis);
* at the end: the size, mtime and inode of every file of the run folder.

:func:`check` compares the same facts now and also asks the build's own check
(:func:`topics.build.uptodate.check`) whether the corpus is current. Only if every fact is
unchanged is the run current; anything else (an edited TOML, a new input, a touched or missing
run file, another library version, a missing record) takes the full path, which decides by content
through the fit and report caches. As in the build's check, an input file whose mtime lies within
:data:`topics.build.uptodate.RACY_SECONDS` of the snapshot is never trusted by its stat alone.
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
from ..build import uptodate as build_uptodate
from ..config import ExperimentConfig, anchor_experiment, from_mapping, read_toml, to_dict

__all__ = ["check", "record", "snapshot"]

_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parents[1]
#: libraries whose version can change a table, a figure or the report
_LIBRARIES = ("numpy", "scipy", "pandas", "gensim", "tomotopy", "matplotlib", "mplfonts", "formulaic", "pyLDAvis",
              "jieba")


def light_config(config_path: str | Path) -> ExperimentConfig:
    """The experiment as its TOML says, paths anchored, without the registry checks of
    :func:`topics.experiment.settings.load_experiment_config` (they import every engine). Only
    used to compare with a record of a run that passed the full checks."""
    return anchor_experiment(from_mapping(ExperimentConfig, read_toml(config_path)), Path(config_path).resolve().parent)


def _record_path(config: ExperimentConfig, run_dir: Path) -> Path:
    key = hashlib.sha256(os.path.abspath(run_dir).encode("utf-8")).hexdigest()[:32]
    return Path(config.corpus.cache_dir) / "uptodate" / f"run-{key}.json"


def _depends_on(config_path: str | Path) -> list[str]:
    paths = [os.path.abspath(config_path)]
    paths += sorted(str(p) for p in _PACKAGE.rglob("*.py"))
    for module in _LIBRARIES:
        spec = importlib.util.find_spec(module)  # finds, does not import
        if spec is not None and spec.origin:
            paths.append(spec.origin)
    return paths


def _settings(config: ExperimentConfig) -> Any:
    return json.loads(json.dumps(to_dict(config)))


def snapshot(config_path: str | Path, config: ExperimentConfig) -> dict[str, Any]:
    """The facts a run is made from, taken when it starts."""
    taken = time.time_ns()
    return {"format": _FORMAT, "topics": __version__, "python": sys.version, "cwd": os.getcwd(),
            "settings": _settings(config), "taken_ns": taken,
            "files": {path: build_uptodate._stat(path) for path in _depends_on(config_path)}}


def record(config: ExperimentConfig, facts: dict[str, Any], run_dir: str | Path) -> None:
    """After a run whose report was written: remember its facts and its files. Never fails a run:
    a record that cannot be written only means the next rerun takes the full path."""
    try:
        run_dir = Path(run_dir)
        outputs = {str(p): build_uptodate._stat(p) for p in sorted(run_dir.rglob("*")) if p.is_file()}
        path = _record_path(config, run_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(dict(facts, run_dir=os.path.abspath(run_dir), outputs=outputs), ensure_ascii=False),
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def check(config_path: str | Path, out: str | Path | None = None) -> Path | None:
    """The run folder if the run of ``config_path`` (written to ``out``, default the TOML's ``out``)
    is certainly current; None if the full run must decide."""
    try:
        config = light_config(config_path)
    except Exception:  # noqa: BLE001 - any problem with the TOML: the full path reports it
        return None
    run_dir = Path(out) if out is not None else config.run_dir
    try:
        data = json.loads(_record_path(config, run_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (data.get("format") != _FORMAT or data.get("topics") != __version__ or data.get("python") != sys.version
            or data.get("cwd") != os.getcwd() or data.get("settings") != _settings(config)
            or data.get("run_dir") != os.path.abspath(run_dir)):
        return None
    racy = data["taken_ns"] - build_uptodate.RACY_SECONDS * 10**9
    if set(data["files"]) != set(_depends_on(config_path)):  # e.g. a module added to the package
        return None
    for path, stamp in data["files"].items():
        if stamp is None or build_uptodate._stat(path) != stamp or stamp[1] >= racy:
            return None
    try:
        present = {str(p) for p in Path(run_dir).rglob("*") if p.is_file()}
    except OSError:
        return None
    outputs = data.get("outputs") or {}
    if present != set(outputs) or any(build_uptodate._stat(p) != stamp for p, stamp in outputs.items()):
        return None
    if build_uptodate.check(config.corpus) is None:  # the corpus, its inputs and the builder's code
        return None
    return Path(run_dir)
