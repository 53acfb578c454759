"""Experiments: byte-identical tables across workers and backends, cache, resume, reproduce, config."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT
from topics.common.checksums import write_sums
from topics.config import from_mapping, to_dict
from topics.corpus import BuiltCorpus, corpus_from_tokens, load_corpus
from topics.errors import ConfigError, TopicsError
from topics.experiment.runfolder import OPTIONAL_TABLES
from topics.experiment import (TABLES, ExperimentConfig, load_experiment_config, load_run, reproduce,
                               run_experiment, run_on_corpus)

SMALL = {"name": "t", "model": {"engine": "gensim", "k": [2, 3, 4], "seeds": [1, 2], "passes": 5, "iterations": 50},
         "evaluate": {"heldout_fraction": 0.1}}


def synthetic_corpus(seed: int = 0, n_speeches: int = 30, chunks: int = 3, length: int = 40) -> BuiltCorpus:
    """Speeches of several chunks, tokens drawn from three block topics by LDA's generative process."""
    rng = np.random.RandomState(seed)
    vocab = [f"词{i:02d}" for i in range(45)]
    phi = np.zeros((3, 45))
    for j in range(3):
        phi[j, 15 * j:15 * (j + 1)] = rng.dirichlet(np.ones(15))
    tokens, doc_ids = [], []
    for s in range(n_speeches):
        theta = rng.dirichlet(np.full(3, 0.3))
        for _ in range(chunks):
            z = rng.choice(3, size=length, p=theta)
            tokens.append([vocab[rng.choice(45, p=phi[j])] for j in z])
            doc_ids.append(f"speech{s:02d}#0")
    return corpus_from_tokens(tokens, doc_ids)


def write_corpus(corpus: BuiltCorpus, path: Path) -> Path:
    """Write an in-memory corpus as a minimal built-corpus folder (for subprocesses)."""
    path.mkdir(parents=True)
    corpus.units.to_csv(path / "units.csv", index=False)
    corpus.speeches.to_csv(path / "speeches.csv", index=False)
    (path / "tokens.txt").write_text("".join(" ".join(t) + "\n" for t in corpus.tokens()), encoding="utf-8")
    corpus.dictionary.save_as_text(str(path / "dictionary.txt"))
    (path / "manifest.json").write_text(json.dumps({"content_hash": corpus.content_hash}), encoding="utf-8")
    write_sums(path)
    return path


def tables(run_dir: Path) -> dict[str, bytes]:
    """Every table of the run (dynamic_topics.csv only with [dynamic])."""
    return {name: (run_dir / name).read_bytes() for name in TABLES
            if name not in OPTIONAL_TABLES or (run_dir / name).is_file()}


@pytest.fixture(scope="module")
def corpus() -> BuiltCorpus:
    return synthetic_corpus()


@pytest.fixture(scope="module")
def config() -> ExperimentConfig:
    return from_mapping(ExperimentConfig, SMALL)


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory, corpus, config) -> Path:
    return run_on_corpus(config, corpus, tmp_path_factory.mktemp("serial") / "run", workers=1, progress=False)


def test_run_folder_contract(serial_run, corpus):
    import pandas as pd

    metrics = pd.read_csv(serial_run / "metrics.csv")
    assert list(metrics.columns[:10]) == ["k", "seed", "c_npmi", "c_v", "u_mass", "c_uci", "diversity",
                                          "exclusivity", "perplexity", "stability"]
    assert len(metrics) == 6 and metrics["perplexity"].notna().all()
    selection = json.loads((serial_run / "selection.json").read_text())
    assert {"k", "seed", "rule", "reason"} <= set(selection)
    topics = pd.read_csv(serial_run / "topics.csv")
    assert list(topics.columns[:5]) == ["topic", "rank", "word", "weight", "relevance"]
    assert topics.groupby("topic").size().eq(30).all()
    doc_topics = pd.read_csv(serial_run / "doc_topics.csv")
    assert list(doc_topics.columns) == ["doc_id"] + [f"topic_{i}" for i in range(selection["k"])]
    assert len(doc_topics) == 30
    np.testing.assert_allclose(doc_topics.iloc[:, 1:].sum(axis=1), 1.0, atol=1e-5)
    assert set(pd.read_csv(serial_run / "topic_scores.csv").columns) >= {"k", "seed", "topic", "c_npmi"}
    manifest = json.loads((serial_run / "manifest.json").read_text())
    assert manifest["corpus"]["content_hash"] == corpus.content_hash
    assert manifest["seeds"] == [1, 2] and "timings" in manifest and manifest["versions"]["engine"].startswith("gensim ")


def test_load_run(serial_run, corpus):
    result = load_run(serial_run, corpus=corpus)
    k = result.selection["k"]
    assert result.topic_word.shape == (k, len(corpus.dictionary))
    np.testing.assert_allclose(result.topic_word.sum(axis=1), 1.0)
    assert result.unit_gamma.shape == (corpus.n_units, k)
    assert result.doc_topics.index.name == "doc_id" and len(result.doc_topics) == 30
    assert result.model.k == k and result.model.engine == "gensim"


def test_two_workers_give_identical_tables(tmp_path, serial_run, corpus, config):
    parallel = run_on_corpus(config, corpus, tmp_path / "run", workers=2, progress=False)
    assert tables(parallel) == tables(serial_run)


def test_dask_cluster_gives_identical_tables(tmp_path, serial_run, corpus, config):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        run = run_on_corpus(config, corpus, tmp_path / "run", scheduler=cluster.scheduler_address, progress=False)
    assert tables(run) == tables(serial_run)


def test_rerun_uses_the_cache(serial_run, corpus, config):
    before = tables(serial_run)
    started = time.perf_counter()
    run_on_corpus(config, corpus, serial_run, workers=1, progress=False)
    assert time.perf_counter() - started < 5
    manifest = json.loads((serial_run / "manifest.json").read_text())
    assert manifest["timings"]["fits_cached"] == 6
    assert tables(serial_run) == before


RESUME_SCRIPT = """
import json, sys
from topics.config import from_mapping
from topics.corpus import load_corpus
from topics.experiment import ExperimentConfig, run_on_corpus
config = from_mapping(ExperimentConfig, json.loads(sys.argv[3]))
run_on_corpus(config, load_corpus(sys.argv[1]), sys.argv[2], workers=1, progress=False)
"""


def test_killed_sweep_resumes(tmp_path, corpus):
    mapping = {**SMALL, "model": {**SMALL["model"], "k": [2, 3, 4, 5], "passes": 40}}
    config = from_mapping(ExperimentConfig, mapping)
    corpus_dir = write_corpus(corpus, tmp_path / "corpus")
    run_dir = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-c", RESUME_SCRIPT, str(corpus_dir), str(run_dir), json.dumps(mapping)])
    deadline = time.monotonic() + 60
    while not list(run_dir.glob("models/k*/fit.json")) and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    # k*: a fit's staging folder (.k2_seed1.PID.….tmp) has its fit.json before it is renamed
    finished = len(list(run_dir.glob("models/k*/fit.json")))
    assert 1 <= finished < 8, "the sweep must be killed after its first fit and before its last"
    assert not (run_dir / "metrics.csv").exists()

    run_on_corpus(config, load_corpus(corpus_dir), run_dir, workers=1, progress=False)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["timings"]["fits_cached"] == finished
    uninterrupted = run_on_corpus(config, corpus, tmp_path / "whole", workers=1, progress=False)
    assert tables(run_dir) == tables(uninterrupted)


def test_reproduce(tmp_path, serial_run, corpus):
    result = reproduce(serial_run, out=tmp_path / "again", corpus=corpus)
    assert result.identical, result.diff
    assert result.fresh_dir == (tmp_path / "again" / "run").resolve()  # everything under --out
    fresh_manifest = json.loads((result.fresh_dir / "manifest.json").read_text())
    assert fresh_manifest["timings"]["fits_cached"] == 0  # a real rerun, no fit reused

    changed = tmp_path / "changed"
    changed.mkdir()
    for name in tuple(tables(serial_run)) + ("manifest.json",):
        (changed / name).write_bytes((serial_run / name).read_bytes())
    metrics = (changed / "metrics.csv").read_text().splitlines()
    metrics[1] = metrics[1].replace(",", ",9", 2)
    (changed / "metrics.csv").write_text("\n".join(metrics) + "\n")
    result = reproduce(changed, out=tmp_path / "again2", corpus=corpus)
    assert not result.identical
    assert "metrics.csv" in result.diff and "+" in result.diff


def test_default_experiment_config_loads():
    config = load_experiment_config("experiments/default.toml")
    assert config.corpus.unit == "paragraph"
    assert len(config.model.k) >= 6 and len(config.model.seeds) == 3


def test_end_to_end_on_the_embedded_corpus(tmp_path):
    toml = tmp_path / "tiny.toml"
    toml.write_text(f"""
name = "tiny"
out = "{tmp_path / 'run'}"
[corpus]
raw = ["{ROOT / 'corpus' / 'raw'}"]
out = "{tmp_path / 'corpus'}"
cache_dir = "{tmp_path / 'cache'}"
unit = "paragraph"
[model]
engine = "gensim"
k = [3, 4]
seeds = [1, 2]
passes = 5
iterations = 50
[select]
rule = "max_npmi_stable"
min_stability = 0.5
""", encoding="utf-8")
    run_dir = run_experiment(toml, workers=2, progress=False)
    result = load_run(run_dir)
    # the selection follows the stated rule (max_npmi_stable, min_stability 0.5) on the metrics written
    by_k = result.metrics.groupby("k")[["c_npmi", "stability"]].mean()
    stable = by_k[by_k["stability"] >= 0.5]
    assert result.selection["k"] == int((stable if len(stable) else by_k)["c_npmi"].idxmax())
    # --workers reaches the build too: the build report says where stage 1 ran
    build_report = json.loads((result.corpus.path / "report.json").read_text(encoding="utf-8"))
    assert build_report["execution"]["workers"] == 2 and build_report["execution"]["backend"] == "processes"
    assert set(result.doc_topics.index) <= set(result.corpus.speeches["doc_id"])
    assert result.unit_gamma.shape == (result.corpus.n_units, result.selection["k"])


@pytest.mark.parametrize("text, message", [
    ('name = "x"\nmodle = {}', r"unknown setting 'modle' — allowed are: name, out, corpus, model"),
    ('[model]\nk = [2]\nwindow = 3', r"unknown setting 'model.window' — allowed in \[model\] are: engine, k, seeds"),
    ('[evaluate]\nmeasures = ["npmi"]', r"evaluate.measures\[0\] = 'npmi' is not allowed"),
    ('[select]\nrule = "best"', r"select.rule = 'best' is not allowed — use one of: 'max_npmi_stable'"),
    ('[select]\nrule = "fixed"\nk = 7', r"select.k = 7 is not in model.k"),
    ('[run]\nworkers = -1', r"run.workers = -1 is out of range"),
    ('[corpus]\nunit = "sentence"', r"corpus.unit = 'sentence' is not allowed"),
    ('[model\nk = 2', r"invalid TOML"),
])
def test_config_errors(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TopicsError, match=message):
        load_experiment_config(path)


def test_missing_config_file():
    with pytest.raises(ConfigError, match=r"nowhere.toml: config file not found — check the path"):
        run_experiment("nowhere.toml")


def test_config_round_trips_through_the_manifest(config):
    assert from_mapping(ExperimentConfig, json.loads(json.dumps(to_dict(config)))) == config


def test_a_run_folder_is_never_someone_elses(tmp_path, corpus, config):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(TopicsError, match=r"mine: exists and was not written by topics as a run — choose another"):
        run_on_corpus(config, corpus, mine, workers=1, progress=False)
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.docx"]


def test_reproduce_writes_only_under_its_out(tmp_path, serial_run, corpus):
    outside = sorted(p.name for p in tmp_path.iterdir())
    result = reproduce(serial_run, out=tmp_path / "repro", corpus=corpus)
    assert result.identical
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(outside + ["repro"])
    with pytest.raises(TopicsError, match=r"repro: folder is not empty — give a new folder"):
        reproduce(serial_run, out=tmp_path / "repro", corpus=corpus)
