"""The run tables derived from the selected model: effects of year and covariates, and dynamic topics.

After the sweep has chosen a model, :func:`write_derived_tables` writes

* ``year_effects.csv`` and ``effects.csv``: the ``[effects]`` regression by the method of
  composition (:func:`topics.analysis.effect_tables.effects_from`; header only when it cannot be
  estimated, e.g. without any usable year);
* ``dynamic_topics.csv`` when ``[dynamic] slices`` is set: the dynamic topic model on the selected
  K (:func:`topics.analysis.dynamic.dynamic_fit`), fitted once and cached in ``dynamic/`` under a
  key of everything that determines it.

Both are deterministic (seeded), so ``topics reproduce`` compares them byte for byte.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

from ..analysis.dynamic import DYNAMIC_COLUMNS, dynamic_fit
from ..analysis.effect_tables import EFFECTS_COLUMNS, YEAR_EFFECTS_COLUMNS, effects_from
from ..common.fileio import atomic_open
from ..config import ExperimentConfig
from ..corpus import BuiltCorpus
from .runfolder import FLOAT_FORMAT, WEIGHT_FORMAT, load_fit_gamma, load_fit_model

__all__ = ["DYNAMIC_FOLDER", "write_derived_tables"]

DYNAMIC_FOLDER = "dynamic"


def _write_csv(path: Path, frame: pd.DataFrame, columns: list[str], float_format: str) -> None:
    with atomic_open(path) as handle:
        frame[columns].to_csv(handle, index=False, float_format=float_format, lineterminator="\n")


def write_derived_tables(run_dir: Path, corpus: BuiltCorpus, selection: dict, config: ExperimentConfig) -> dict:
    """Write the effect tables (and the dynamic topics) of the selected model; return timings.

    Returns ``{"effects": seconds, "dynamic": seconds, "dynamic_cached": bool, "dynamic_skipped": reason}``
    (the dynamic keys only with ``[dynamic]``). A dynamic model the data cannot support (fewer
    than two slices with dated documents) is skipped with a warning, not an error: the sweep's
    tables are still good.
    """
    run_dir = Path(run_dir)
    k, seed = selection["k"], selection["seed"]
    timings: dict = {}
    started = time.perf_counter()
    result = effects_from(load_fit_gamma(run_dir, k, seed), corpus.units, corpus.speeches, config.effects)
    _write_csv(run_dir / "year_effects.csv", result.year_effects, YEAR_EFFECTS_COLUMNS, FLOAT_FORMAT)
    _write_csv(run_dir / "effects.csv", result.table, EFFECTS_COLUMNS, FLOAT_FORMAT)
    timings["effects"] = round(time.perf_counter() - started, 3)
    target = run_dir / "dynamic_topics.csv"
    if not config.dynamic.enabled:
        target.unlink(missing_ok=True)  # a table from an earlier config would mislead
        return timings
    started = time.perf_counter()
    phi = load_fit_model(run_dir, k, seed, config.model.engine).topic_word()
    try:
        dynamic = dynamic_fit(corpus, config.dynamic, k, phi, run_dir / DYNAMIC_FOLDER, config.effects.year_sources)
    except ValueError as exc:
        print(f"warning: [dynamic] skipped: {exc}", file=sys.stderr)
        target.unlink(missing_ok=True)
        timings["dynamic_skipped"] = str(exc)
        return timings
    _write_csv(target, dynamic.topics_table(config.dynamic.top_n), DYNAMIC_COLUMNS, WEIGHT_FORMAT)
    timings["dynamic"] = round(time.perf_counter() - started, 3)
    timings["dynamic_fit_seconds"] = dynamic.fit.seconds
    timings["dynamic_cached"] = dynamic.cached
    return timings
