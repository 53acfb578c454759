"""Experiments: settings (:mod:`.settings`), the sweep on the shared executor (:mod:`.sweep`), the run
folder (:mod:`.runfolder`), running a whole experiment (:mod:`.run`) and reproducing one (:mod:`.reproduction`).

    from topics.experiment import run_experiment, load_run
    run = load_run(run_experiment("experiments/default.toml"))
"""

from __future__ import annotations

import importlib

# name -> the module that defines it; imported on first use, so that ``topics.experiment.uptodate``
# (a rerun with nothing changed) does not load gensim, pandas and matplotlib
_WHERE = {"ExperimentConfig": "..config", "ReproduceResult": ".reproduction", "reproduce": ".reproduction",
          "run_config": ".run", "run_experiment": ".run", "run_on_corpus": ".run", "TABLES": ".runfolder",
          "RunResult": ".runfolder", "load_run": ".runfolder", "init_project": ".project",
          "inputs_available": ".settings", "load_experiment_config": ".settings"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module 'topics.experiment' has no attribute {name!r}")
