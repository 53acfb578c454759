"""The run folder: its layout, writing its tables and manifest, reading it back, comparing two runs.

Contract (docs/ARCHITECTURE.md): ``manifest.json``, ``metrics.csv``, ``selection.json``,
``topics.csv``, ``doc_topics.csv``, ``topic_scores.csv``, ``year_effects.csv``, ``effects.csv``,
``dynamic_topics.csv`` (with ``[dynamic]``; :mod:`.derived` writes these three),
``models/k{K}_seed{S}/`` (the model's arrays, ``gamma.npy``, ``fit.json``, ``scores.json``),
``dynamic/`` (the cached dynamic model). With ``[model.seed_words]``, ``topics.csv``
has a ``name`` column (the seeded topics' names, empty for the others). Every float in a table is
written with a fixed format, so the same numbers give the same bytes; the manifest holds everything
that may differ between two faithful reruns (timings, paths, host).
"""

from __future__ import annotations

import difflib
import json
import platform
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.theta import speech_proportions, unit_theta
from ..common.checksums import SUMS, file_sha256, mismatches, read_sums, write_sums
from ..common.fileio import atomic_open, staging_folder, write_json
from ..config import ExperimentConfig, from_mapping, to_dict
from ..corpus import BuiltCorpus, load_corpus
from ..errors import ReproductionError, TopicsError
from ..evaluate.word_scores import label_table, word_probabilities
from ..models import TopicModel, engine
from ..models.seed_words import seed_prior, seeded_topic_names

if TYPE_CHECKING:  # pragma: no cover
    from .sweep import FitOutput

__all__ = ["FIT_FILE", "FLOAT_FORMAT", "GAMMA_FILE", "OPTIONAL_TABLES", "SCORES_FILE", "TABLES", "RunResult", "compare_tables",
           "fit_dir", "load_fit_gamma", "load_fit_model", "load_run", "read_fit", "read_manifest", "save_fit",
           "write_manifest", "write_tables"]

#: the tables :func:`topics.experiment.reproduce` compares byte for byte
TABLES = ("metrics.csv", "selection.json", "topics.csv", "doc_topics.csv", "topic_scores.csv", "year_effects.csv",
          "effects.csv", "dynamic_topics.csv")
#: tables written only when the config asks for them (absent from both runs is no difference)
OPTIONAL_TABLES = ("dynamic_topics.csv",)
FLOAT_FORMAT = "%.6f"          # scores and proportions
WEIGHT_FORMAT = "%.6g"         # topics.csv: word probabilities are small, keep 6 significant digits
FIT_FILE = "fit.json"
GAMMA_FILE = "gamma.npy"
SCORES_FILE = "scores.json"


# -- fits -----------------------------------------------------------------------------------------
def fit_dir(run_dir: Path, k: int, seed: int) -> Path:
    return Path(run_dir) / "models" / f"k{k}_seed{seed}"


def read_fit(directory: Path, key: str | None = None) -> dict | None:
    """The ``fit.json`` of a fit folder, or None when absent, made with another cache key, or changed
    since it was written (its files no longer match its ``SHA256SUMS``: it is fitted again)."""
    path = Path(directory) / FIT_FILE
    if not path.is_file():
        return None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = None
    if info is None or (key is not None and info.get("key") != key):
        return None
    sums = read_sums(directory) or {}
    changed = mismatches(directory, [name for name in sums if name != SCORES_FILE] if sums else None)
    if changed:
        why = ("has no sha256 record (written by an older version)" if changed == [SUMS]
               and not (Path(directory) / SUMS).exists() else "changed since it was written")
        print(f"warning: {Path(directory) / changed[0]} {why} — fitting it again", file=sys.stderr)
        return None
    return info


def save_fit(run_dir: Path, output: "FitOutput", key: str) -> None:
    """Write one fit folder atomically (temporary folder, then rename)."""
    with staging_folder(fit_dir(run_dir, output.k, output.seed)) as tmp:
        output.model.save(tmp)
        np.save(tmp / GAMMA_FILE, output.gamma, allow_pickle=False)
        bound = output.heldout_log_perplexity
        write_json(tmp / FIT_FILE, {
            "key": key, "k": output.k, "seed": output.seed, "engine": output.model.engine,
            "heldout_log_perplexity": None if np.isnan(bound) else bound,
            "perplexity": None if np.isnan(bound) else float(np.exp(-bound)),
            "alpha": output.alpha, "seconds": round(output.seconds, 3),
        })
        write_sums(tmp)


def load_fit_model(run_dir: Path, k: int, seed: int, engine_name: str = "gensim") -> TopicModel:
    return engine(engine_name).load(fit_dir(run_dir, k, seed))


def check_fit(run_dir: Path, k: int, seed: int, recorded: str | None = None) -> None:
    """Refuse a fit folder whose files changed since it was written (``recorded``: the sha256 of its
    ``SHA256SUMS`` in the run's manifest, so the sums file itself cannot be swapped either)."""
    folder = fit_dir(run_dir, k, seed)
    changed = mismatches(folder)
    if not changed and recorded is not None and file_sha256(folder / SUMS) != recorded:
        changed = [SUMS]
    if changed:
        raise TopicsError(f"{folder / changed[0]}: does not match the sha256 recorded when the run was made "
                          "(changed, truncated or missing) — do not use this run folder; rerun the experiment "
                          "(topics run) or get an intact copy")


def load_fit_gamma(run_dir: Path, k: int, seed: int) -> np.ndarray:
    return np.load(fit_dir(run_dir, k, seed) / GAMMA_FILE, allow_pickle=False)


# -- the tables -----------------------------------------------------------------------------------
@dataclass
class RunResult:
    """Everything the analysis and the plots read from a finished run.

    Attributes
    ----------
    path : the run folder.
    config : the experiment config the run was made with.
    corpus : the built corpus it was fitted on.
    metrics : one row per (k, seed) (``metrics.csv``).
    selection : ``selection.json`` (k, seed, rule, reason, candidates).
    topics : top words of the selected model (``topics.csv``).
    doc_topics : speech × topic proportions of the selected model, indexed by ``doc_id``.
    topic_scores : per-topic scores of every fit (``topic_scores.csv``).
    model : the selected model (:class:`topics.models.TopicModel`).
    topic_word : K × V topic–word probabilities of the selected model (rows sum to 1).
    unit_gamma : units × K posterior Dirichlet parameters, rows in ``corpus.units`` order.
    manifest : ``manifest.json``.
    year_effects, effects : ``year_effects.csv`` and ``effects.csv`` (None in a run made before them).
    dynamic_topics : ``dynamic_topics.csv`` (None without ``[dynamic]``).
    """

    path: Path
    config: ExperimentConfig
    corpus: BuiltCorpus
    metrics: pd.DataFrame
    selection: dict
    topics: pd.DataFrame
    doc_topics: pd.DataFrame
    topic_scores: pd.DataFrame
    model: TopicModel
    topic_word: np.ndarray
    unit_gamma: np.ndarray
    manifest: dict
    year_effects: pd.DataFrame | None = None
    effects: pd.DataFrame | None = None
    dynamic_topics: pd.DataFrame | None = None

    def fit_topic_word(self, k: int, seed: int) -> np.ndarray:
        """Topic–word matrix of any fit of the sweep (to compare seeds, for instance), checked first."""
        check_fit(self.path, k, seed, self.manifest.get("artifacts", {}).get(f"models/k{k}_seed{seed}/{SUMS}"))
        return load_fit_model(self.path, k, seed, self.config.model.engine).topic_word()


def _write_csv(path: Path, frame: pd.DataFrame, float_format: str = FLOAT_FORMAT) -> None:
    with atomic_open(path) as handle:
        frame.to_csv(handle, index=False, float_format=float_format, lineterminator="\n")


def write_tables(run_dir: Path, corpus: BuiltCorpus, metrics: pd.DataFrame, topic_scores: pd.DataFrame,
                 selection: dict, config: ExperimentConfig) -> None:
    """Write the five compared tables of a run (the selected model's tables from its folder)."""
    k, seed = selection["k"], selection["seed"]
    ev = config.evaluate
    words = [corpus.dictionary[i] for i in range(len(corpus.dictionary))]
    phi = load_fit_model(run_dir, k, seed, config.model.engine).topic_word()
    topics = label_table(phi, words, word_probabilities(corpus.bow(), len(words)), n=ev.label_topn,
                         lam=ev.relevance_lambda, frex_weight=ev.frex_weight)
    if config.model.seed_words:  # seeded topics keep their names (the column exists only then)
        names = seeded_topic_names(config.model.seed_words)
        topics.insert(1, "name", [names[t] if t < len(names) else "" for t in topics["topic"]])
    doc_topics = speech_proportions(unit_theta(load_fit_gamma(run_dir, k, seed)), corpus.units).reset_index()
    _write_csv(run_dir / "metrics.csv", metrics)
    _write_csv(run_dir / "topic_scores.csv", topic_scores)
    _write_csv(run_dir / "topics.csv", topics, WEIGHT_FORMAT)
    _write_csv(run_dir / "doc_topics.csv", doc_topics)
    write_json(run_dir / "selection.json", selection)


def write_manifest(run_dir: Path, config: ExperimentConfig, corpus: BuiltCorpus, fits: dict, selection: dict,
                   heldout: np.ndarray, timings: dict, versions: dict, execution: dict) -> None:
    """Write ``manifest.json``: provenance of the run (not compared by ``reproduce``)."""
    corpus_manifest = {}
    if corpus.path is not None and (corpus.path / "manifest.json").is_file():
        corpus_manifest = json.loads((corpus.path / "manifest.json").read_text(encoding="utf-8"))
    resources = corpus_manifest.get("resources", {})
    chosen = fits[(selection["k"], selection["seed"])]
    heldout_docs = sorted(set(corpus.units["doc_id"].astype(str)[heldout]))
    # the sha256 of every table and of every fit's SHA256SUMS: checked before a run is used
    artifacts = {name: file_sha256(run_dir / name) for name in TABLES if (run_dir / name).is_file()}
    artifacts.update({f"models/k{k}_seed{s}/{SUMS}": file_sha256(fit_dir(run_dir, k, s) / SUMS) for k, s in sorted(fits)})
    write_json(run_dir / "manifest.json", {
        "artifacts": artifacts,
        "name": config.name,
        "config": to_dict(config),
        "corpus": {
            "content_hash": corpus.content_hash,
            "path": None if corpus.path is None else str(Path(corpus.path).resolve()),
            "n_units": int(corpus.n_units), "n_speeches": int(corpus.units["doc_id"].nunique()),
            "vocabulary": len(corpus.dictionary),
            "jieba_dictionary_sha256": [entry["sha256"] for entry in resources.get("userdict", [])],
            "segmenter_fingerprint": corpus_manifest.get("segmenter_fingerprint"),
        },
        "versions": versions,
        "engine": _engine_entry(config, words=[corpus.dictionary[i] for i in range(len(corpus.dictionary))]),
        "python": sys.version,
        "platform": platform.platform(),
        "git": _git_state(),
        "k": list(config.model.k),
        "seeds": list(config.model.seeds),
        "heldout": {"fraction": config.evaluate.heldout_fraction, "seed": config.evaluate.heldout_seed,
                    "n_units": int(heldout.sum()), "doc_ids": heldout_docs},
        "selected": {"k": selection["k"], "seed": selection["seed"], "alpha": chosen["alpha"],
                     "perplexity": chosen["perplexity"]},
        "fits": {f"k{k}_seed{s}": {"key": info["key"], "alpha": info["alpha"]} for (k, s), info in sorted(fits.items())},
        "execution": execution,
        "timings": timings,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    })


def _engine_entry(config: ExperimentConfig, words: list[str]) -> dict[str, Any]:
    """The engine and the settings it read; with seed words, the seeded topics and the seed words
    not in the vocabulary."""
    model = config.model
    entry: dict[str, Any] = {"name": model.engine, "settings": model.fit_settings()}
    if model.seed_words:
        prior = seed_prior(model.seed_words, words, model.seed_weight)
        entry["seeded_topics"] = list(prior.names)
        entry["seed_words_not_in_vocabulary"] = {name: list(missing) for name, missing in prior.unknown.items()}
    return entry


def _git_state() -> dict[str, Any]:
    """Commit of the code that made the run (None outside a git checkout)."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    if commit.returncode != 0:
        return {"commit": None, "dirty": None}
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


# -- reading a run back ---------------------------------------------------------------------------
def read_manifest(run_dir: str | Path) -> dict:
    path = Path(run_dir) / "manifest.json"
    if not path.is_file():
        raise ReproductionError(f"{path}: no manifest — not a finished run folder (run `topics run CONFIG` first)")
    return json.loads(path.read_text(encoding="utf-8"))


def load_run(run_dir: str | Path, corpus: BuiltCorpus | None = None) -> RunResult:
    """Open a finished run folder.

    ``corpus`` is loaded from the path in the manifest unless given (in-memory test corpora);
    it must have the content hash the run was made with.
    """
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir)
    config = from_mapping(ExperimentConfig, manifest["config"])
    if corpus is None:
        if manifest["corpus"]["path"] is None:
            raise TopicsError(f"{run_dir}: the run used an in-memory corpus — pass corpus= to load_run")
        corpus = load_corpus(manifest["corpus"]["path"])
    if corpus.content_hash != manifest["corpus"]["content_hash"]:
        raise TopicsError(f"{run_dir}: the corpus changed since this run (content hash {corpus.content_hash[:12]} "
                          f"≠ {manifest['corpus']['content_hash'][:12]}) — rerun the experiment")
    _check_tables(run_dir, manifest)
    selection = json.loads((run_dir / "selection.json").read_text(encoding="utf-8"))
    k, seed = selection["k"], selection["seed"]
    check_fit(run_dir, k, seed, manifest.get("artifacts", {}).get(f"models/k{k}_seed{seed}/{SUMS}"))
    model = load_fit_model(run_dir, k, seed, config.model.engine)
    read = lambda name, **kw: pd.read_csv(run_dir / name, keep_default_na=False, na_values=[""], **kw)  # noqa: E731
    optional = lambda name, **kw: read(name, **kw) if (run_dir / name).is_file() else None  # noqa: E731
    return RunResult(
        path=run_dir, config=config, corpus=corpus, metrics=read("metrics.csv"), selection=selection,
        topics=read("topics.csv", dtype={"word": str}),
        doc_topics=read("doc_topics.csv", dtype={"doc_id": str}).set_index("doc_id"),
        topic_scores=read("topic_scores.csv"), model=model, topic_word=model.topic_word(),
        unit_gamma=load_fit_gamma(run_dir, k, seed), manifest=manifest,
        year_effects=optional("year_effects.csv"), effects=optional("effects.csv", dtype={"term": str}),
        dynamic_topics=optional("dynamic_topics.csv", dtype={"word": str, "period": str}),
    )


def _check_tables(run_dir: Path, manifest: dict) -> None:
    """Refuse a run whose tables differ from the sha256 its manifest recorded."""
    recorded = manifest.get("artifacts")
    if recorded is None:
        raise TopicsError(f"{run_dir / 'manifest.json'}: records no sha256 of the run's files (made by an older "
                          "version, or edited) — rerun the experiment (topics run)")
    for name, digest in recorded.items():
        if "/" in name:
            continue  # fit folders are checked when they are opened
        path = run_dir / name
        if not path.is_file() or file_sha256(path) != digest:
            raise TopicsError(f"{path}: does not match the sha256 recorded when the run was made (changed, "
                              "truncated or missing) — do not use this run folder; rerun the experiment "
                              "(topics run) or get an intact copy")


def compare_tables(expected_dir: Path, actual_dir: Path, max_lines: int = 40) -> str:
    """Empty string when every table of ``TABLES`` is byte-identical, else a readable diff."""
    parts = []
    for name in TABLES:
        a, b = Path(expected_dir) / name, Path(actual_dir) / name
        if name in OPTIONAL_TABLES and not a.is_file() and not b.is_file():
            continue
        if not a.is_file() or not b.is_file():
            parts.append(f"{name}: missing in {a.parent if not a.is_file() else b.parent}")
            continue
        if a.read_bytes() == b.read_bytes():
            continue
        lines = list(difflib.unified_diff(a.read_text(encoding="utf-8").splitlines(),
                                          b.read_text(encoding="utf-8").splitlines(),
                                          fromfile=str(a), tofile=str(b), lineterm="", n=0))
        shown = lines[:max_lines] + ([f"... {len(lines) - max_lines} more diff lines"] if len(lines) > max_lines else [])
        parts.append("\n".join(shown))
    return "\n".join(parts)
