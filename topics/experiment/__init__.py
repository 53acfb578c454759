"""Experiments: settings (:mod:`.settings`), the sweep on the shared executor (:mod:`.sweep`), the run
folder (:mod:`.runfolder`), running a whole experiment (:mod:`.run`) and reproducing one (:mod:`.reproduce`).

    from topics.experiment import run_experiment, load_run
    run = load_run(run_experiment("experiments/default.toml"))
"""

from __future__ import annotations

from ..config import ExperimentConfig
from .reproduce import ReproduceResult, reproduce
from .run import run_config, run_experiment, run_on_corpus
from .runfolder import TABLES, RunResult, load_run
from .project import init_project
from .settings import inputs_available, load_experiment_config

__all__ = ["TABLES", "ExperimentConfig", "ReproduceResult", "RunResult", "init_project", "inputs_available",
           "load_experiment_config", "load_run", "reproduce", "run_config", "run_experiment", "run_on_corpus"]
