"""Nothing a user is handed runs code when opened, and damaged or tampered artifacts are caught:
crafted pickles, truncated and edited fits, build-cache entries, token stores and corpora."""

from __future__ import annotations

import json
import pickle
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from conftest import RAW
from topics.build import build_corpus
from topics.config import BuildConfig, ExperimentConfig, from_mapping
from topics.corpus import corpus_from_tokens, load_corpus
from topics.errors import TopicsError
from topics.experiment import load_run, reproduce, run_on_corpus

SMALL = {"name": "t", "model": {"engine": "gensim", "k": [2, 3], "seeds": [1, 2], "passes": 3, "iterations": 30},
         "evaluate": {"heldout_fraction": 0.1}}


class Exploit:
    """Unpickling this creates the file ``path``: proof that code ran."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.write_text, (Path(self.path), "pwned"))


def _planted(tmp_path: Path) -> tuple[bytes, Path]:
    marker = tmp_path / "CODE-RAN"
    return pickle.dumps(Exploit(marker)), marker


@pytest.fixture(scope="module")
def corpus():
    rng = np.random.default_rng(0)
    words = [f"词{i}" for i in range(30)]
    docs = [[words[j] for j in rng.integers(0, 30, size=40)] for _ in range(24)]
    return corpus_from_tokens(docs)


@pytest.fixture()
def run_dir(tmp_path, corpus):
    return run_on_corpus(from_mapping(ExperimentConfig, SMALL), corpus, tmp_path / "run", workers=1, progress=False)


def test_a_crafted_pickle_in_a_run_folder_never_runs(tmp_path, run_dir, corpus):
    payload, marker = _planted(tmp_path)
    selection = json.loads((run_dir / "selection.json").read_text())
    fit = run_dir / "models" / f"k{selection['k']}_seed{selection['seed']}"
    (fit / "lda.model").write_bytes(payload)          # the old model file name
    (fit / "lambda.npy").write_bytes(payload)         # and in place of an array
    with pytest.raises(TopicsError, match=r"lambda\.npy: does not match the sha256 recorded"):
        load_run(run_dir, corpus=corpus)
    with pytest.raises(ValueError, match="pickled"):  # even unchecked, numpy refuses pickles
        np.load(fit / "lambda.npy", allow_pickle=False)
    reproduce(run_dir, out=tmp_path / "again", corpus=corpus)
    assert not marker.exists()


def test_a_truncated_or_edited_fit_is_refitted_in_a_rerun_and_refused_when_handed_over(tmp_path, run_dir, corpus):
    config = from_mapping(ExperimentConfig, SMALL)
    gamma = run_dir / "models" / "k3_seed1" / "gamma.npy"
    gamma.write_bytes(gamma.read_bytes()[:40])
    scores = run_dir / "models" / "k2_seed2" / "scores.json"
    data = json.loads(scores.read_text())
    data["metrics"]["c_npmi"] = 0.5
    scores.write_text(json.dumps(data))
    with pytest.raises(TopicsError, match=r"does not match the sha256 recorded|changed"):
        for k, seed in ((3, 1), (2, 2)):
            load_run(run_dir, corpus=corpus).fit_topic_word(k, seed)
    before = (tmp_path / "whole").exists()
    rerun = run_on_corpus(config, corpus, run_dir, workers=1, progress=False)  # the run's own cache
    manifest = json.loads((rerun / "manifest.json").read_text())
    assert manifest["timings"]["fits_cached"] == 3  # only the truncated fit was fitted again
    metrics = (rerun / "metrics.csv").read_text()
    assert ",0.500000," not in metrics  # the edited score was recomputed, not used
    fresh = run_on_corpus(config, corpus, tmp_path / "fresh", workers=1, progress=False)
    assert (rerun / "metrics.csv").read_bytes() == (fresh / "metrics.csv").read_bytes()
    assert not before


def test_an_edited_table_is_refused_when_the_run_is_opened(run_dir, corpus):
    metrics = run_dir / "metrics.csv"
    metrics.write_text(metrics.read_text().replace("2,1,", "2,1,9", 1))
    with pytest.raises(TopicsError, match=r"metrics\.csv: does not match the sha256 recorded .* do not use this run"):
        load_run(run_dir, corpus=corpus)


@pytest.fixture()
def built(tmp_path):
    config = BuildConfig(raw=(str(sorted(RAW.iterdir())[1]),), out=str(tmp_path / "c"), cache_dir=str(tmp_path / "cache"))
    return config, build_corpus(config, progress=False)


def test_a_crafted_pickle_in_a_corpus_or_cache_never_runs(tmp_path, built):
    config, corpus = built
    payload, marker = _planted(tmp_path)
    (corpus.path / "dictionary.gensim").write_bytes(payload)  # the old pickled dictionary's name
    load_corpus(corpus.path)  # not read at all; the other files still match their sums
    store = next((Path(config.cache_dir) / "token-stores").iterdir())
    (store / "speeches.pkl").write_bytes(payload)
    (store / "speeches.json").write_bytes(payload)
    db = sqlite3.connect(next(Path(config.cache_dir).glob("build-cache-*.sqlite")))
    db.execute("UPDATE files SET result = ?", (payload,))
    db.commit()
    db.close()
    # a file the corpus's sums do not list is not deleted with the folder: the rebuild names it and stops
    with pytest.raises(TopicsError, match=r"holds dictionary\.gensim, which topics did not write"):
        build_corpus(config, progress=False, force=True)
    assert not marker.exists()
    (corpus.path / "dictionary.gensim").unlink()
    rebuilt = build_corpus(config, progress=False, force=True)  # the cache's planted pickles are never unpickled
    assert not marker.exists()
    assert (rebuilt.path / "speeches.csv").read_bytes() == (corpus.path / "speeches.csv").read_bytes()


def test_a_dictionary_edited_after_the_corpus_was_opened_is_refused_when_first_read(built):
    """corpus.dictionary is read on first use, possibly long after load_corpus verified the folder."""
    _, corpus = built
    opened = load_corpus(corpus.path)
    vocabulary = opened.vocabulary_size
    path = corpus.path / "dictionary.txt"
    data = path.read_bytes()
    assert b"\t1\n" in data
    path.write_bytes(data.replace(b"\t1\n", b"\t2\n", 1))  # a word's document frequency, still well-formed
    with pytest.raises(TopicsError, match="dictionary.txt: changed since the corpus was opened"):
        opened.dictionary
    assert vocabulary == len(load_corpus(corpus.path, verify=False).dictionary)


def test_damaged_build_caches_are_detected_and_recomputed(tmp_path, built, capsys):
    config, corpus = built
    expected = (corpus.path / "corpus.mm").read_bytes()
    store = next((Path(config.cache_dir) / "token-stores").iterdir())
    ids = store / "ids.i32"
    data = bytearray(ids.read_bytes())
    data[:400] = bytes(400)  # 100 ids overwritten
    ids.write_bytes(bytes(data))
    again = build_corpus(config, progress=False, force=True)
    assert "token store changed since it was written" in capsys.readouterr().err
    assert (again.path / "corpus.mm").read_bytes() == expected
    database = next(Path(config.cache_dir).glob("build-cache-*.sqlite"))
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.write_bytes(database.read_bytes()[:1000])  # truncated
    for store in (Path(config.cache_dir) / "token-stores").iterdir():
        (store / "ids.i32").unlink()
    third = build_corpus(config, progress=False, force=True)
    assert "build cache is damaged" in capsys.readouterr().err
    assert (third.path / "corpus.mm").read_bytes() == expected


def test_an_edited_corpus_is_refused_and_rebuilt(tmp_path, built, capsys):
    config, corpus = built
    speeches = corpus.path / "speeches.csv"
    rows = speeches.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",", ",2013", 1)  # someone "corrects" a value by hand
    speeches.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(TopicsError, match=r"speeches\.csv: does not match the sha256 recorded when the corpus was built"):
        load_corpus(corpus.path)
    rebuilt = build_corpus(config, progress=False)  # same inputs: the build notices and builds again
    assert "changed since it was built" in capsys.readouterr().err
    load_corpus(rebuilt.path)
