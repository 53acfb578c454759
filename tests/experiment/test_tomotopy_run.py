"""An experiment with engine = "tomotopy" and seed words, end to end on an in-memory corpus:
identical tables across workers and on reproduce, named topics in every table, the report's
seed-word section, unknown seed words listed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topics.analysis import label_topics, topic_labels
from topics.config import ExperimentConfig, from_mapping
from topics.corpus import BuiltCorpus, corpus_from_tokens
from topics.experiment import TABLES, load_run, reproduce, run_on_corpus
from topics.experiment.runfolder import compare_tables
from topics.report.run_report import render_run_report

VOCAB = [f"词{i:02d}" for i in range(45)]
#: words of planted topic 1 (its block is 词15…词29) and a word the corpus does not have
SEEDS = {"第二块": ["词15", "词16", "词17"], "缺席": ["不在词表"]}
CONFIG = {"name": "tomotopy", "model": {"engine": "tomotopy", "k": [3, 4], "seeds": [1, 2], "iterations": 100,
                                         "seed_words": SEEDS},
          "evaluate": {"heldout_fraction": 0.1}}


def planted_speeches(seed: int = 0, n_speeches: int = 30, chunks: int = 3, length: int = 40) -> BuiltCorpus:
    """Speeches of several chunks; tokens from three planted block topics (LDA's generative process).

    Topic 1's weights put its mass on 词15–词17, so seeds from there describe it."""
    rng = np.random.RandomState(seed)
    phi = np.zeros((3, 45))
    for j in range(3):
        phi[j, 15 * j:15 * (j + 1)] = rng.dirichlet(np.ones(15))
    phi[1, 15:18] += 0.3
    phi[1] /= phi[1].sum()
    tokens, doc_ids = [], []
    for s in range(n_speeches):
        theta = rng.dirichlet(np.full(3, 0.3))
        for _ in range(chunks):
            z = rng.choice(3, size=length, p=theta)
            tokens.append([VOCAB[rng.choice(45, p=phi[j])] for j in z])
            doc_ids.append(f"speech{s:02d}#0")
    return corpus_from_tokens(tokens, doc_ids)


@pytest.fixture(scope="module")
def corpus() -> BuiltCorpus:
    return planted_speeches()


@pytest.fixture(scope="module")
def config() -> ExperimentConfig:
    return from_mapping(ExperimentConfig, CONFIG)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, corpus, config) -> Path:
    return run_on_corpus(config, corpus, tmp_path_factory.mktemp("tomotopy") / "run", workers=1, progress=False)


def test_run_folder_of_a_gibbs_sweep(run_dir):
    metrics = pd.read_csv(run_dir / "metrics.csv")
    assert len(metrics) == 4 and metrics["perplexity"].notna().all() and metrics["c_npmi"].notna().all()
    fit = json.loads((run_dir / "models" / "k3_seed1" / "fit.json").read_text(encoding="utf-8"))
    assert fit["engine"] == "tomotopy"
    names = sorted(p.name for p in (run_dir / "models" / "k3_seed1").iterdir())
    assert names == ["SHA256SUMS", "alpha.npy", "eta.npy", "fit.json", "gamma.npy", "model.json", "scores.json",
                     "topic_word_counts.npy"]
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["versions"]["engine"].startswith("tomotopy 0.")
    assert manifest["engine"]["settings"] == {"iterations": 100, "alpha": "symmetric", "eta": "symmetric",
                                              "gamma_threshold": 0.001}
    # unknown seed words are listed, not fatal; the topic they name still exists (unsteered)
    assert manifest["engine"]["seeded_topics"] == ["第二块", "缺席"]  # sorted by code point: 第 < 缺
    assert manifest["engine"]["seed_words_not_in_vocabulary"] == {"缺席": ["不在词表"]}


def test_seeded_topics_keep_their_names(run_dir, corpus):
    topics = pd.read_csv(run_dir / "topics.csv", keep_default_na=False)
    assert list(topics.columns[:3]) == ["topic", "name", "rank"]
    names = topics.groupby("topic")["name"].first().to_dict()
    assert names[0] == "第二块" and names[1] == "缺席" and all(names[t] == "" for t in names if t > 1)
    run = load_run(run_dir, corpus=corpus)
    labels = topic_labels(run.topics)
    assert labels[0].startswith("T0 第二块: ") and labels[1].startswith("T1 缺席: ")
    assert label_topics(run.topics)["name"].tolist()[:2] == ["第二块", "缺席"]
    # the seeded topic is the planted block its seed words come from
    top = run.topics[run.topics["topic"] == 0].nsmallest(10, "rank")["word"]
    assert all(15 <= int(word[1:]) < 30 for word in top)


def test_report_has_the_seed_word_section(run_dir, corpus):
    text = render_run_report(load_run(run_dir, corpus=corpus), figures=[], ldavis=None, n_boot=20, n_sims=10)
    assert "tomotopy LDAModel (collapsed Gibbs sampling)" in text and "iterations = 100" in text
    section = text[text.index("### Seed words"):]
    assert "| 0 | 第二块 | 3 of 3 | 词15、词16、词17 |" in section
    assert "| 1 | 缺席 | 0 of 1 |" in section and "不在词表" in section


def test_two_workers_and_reproduce_give_identical_tables(tmp_path, run_dir, corpus, config):
    parallel = run_on_corpus(config, corpus, tmp_path / "parallel", workers=2, progress=False)
    assert compare_tables(run_dir, parallel) == ""
    result = reproduce(run_dir, out=tmp_path / "again", corpus=corpus)
    assert result.identical, result.diff
    assert all((result.fresh_dir / name).read_bytes() == (run_dir / name).read_bytes() for name in TABLES
               if (run_dir / name).is_file())
