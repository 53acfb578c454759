"""The package's structure: the import contracts (import-linter), module size, and the four places
where the toolkit grows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "topics"
MAX_LINES = 600


def test_import_contracts_hold():
    """`lint-imports` with the contracts in pyproject.toml: layers, no builder imports downstream,
    gensim only behind the model interface, no import circles."""
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "importlinter.cli"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_no_module_is_too_long():
    lengths = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    assert not too_long, f"split these modules (over {MAX_LINES} lines): {too_long}"


def test_the_package_tree_is_the_pipeline():
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert packages == ["analysis", "build", "common", "config", "evaluate", "experiment", "models", "report", "resources",
                        "viz"]


def test_the_registries_are_the_single_source():
    from topics.build.ingest import discover
    from topics.build.readers import READERS
    from topics.evaluate.coherence import MEASURES
    from topics.models import ENGINES, TopicModel

    assert set(READERS) >= {".txt", ".md", ".docx"}
    assert list(MEASURES)[0] == "c_npmi"  # the headline is the first column of metrics.csv
    assert all(issubclass(engine, TopicModel) and engine.engine == name for name, engine in ENGINES.items())
    assert discover  # discovery reads READERS (see tests/build/test_ingest.py)


def test_a_new_reader_is_picked_up_by_discovery(tmp_path, monkeypatch):
    """Adding a format is one registration: discovery, reading and messages follow."""
    from topics.build import readers
    from topics.build.ingest import discover, read_source

    reader = readers.Reader("upper", (".r13",), lambda path, data: (data.decode("ascii").upper(), "r13"))
    monkeypatch.setitem(readers.READERS, ".r13", reader)  # what readers.register does, undone after the test
    (tmp_path / "a.r13").write_bytes(b"hello")
    assert [name for _, name in discover(tmp_path)] == ["a.r13"]
    assert read_source(tmp_path / "a.r13").text == "HELLO"


def test_a_new_coherence_measure_reaches_the_metrics(monkeypatch):
    """Adding a measure is one registration: the scores compute it and metrics.csv gets its column."""
    import numpy as np

    from topics.config import EvaluateConfig
    from topics.evaluate import coherence
    from topics.evaluate.scoring import metrics_table, score_models

    measure = coherence.Measure("pairs", 0, "co-document pairs",
                                lambda counts, idx: float(counts.pairs[np.ix_(idx, idx)].sum()), "test")
    monkeypatch.setitem(coherence.MEASURES, "pairs", measure)  # what coherence.register does, undone after
    texts = [["a", "b"], ["a", "c"], ["b", "c"]]
    topic_word = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]])
    config = EvaluateConfig(measures=("c_npmi", "pairs"), topn=(2,))
    scores = score_models(texts, ["a", "b", "c"], {(2, 1): topic_word}, config)
    table = metrics_table(scores, {(2, 1): {}}, config)
    assert "pairs" in table.columns and table["pairs"].iloc[0] > 0
