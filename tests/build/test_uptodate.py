"""The no-change rebuild is decided from file stats before any heavy import, and only when certain."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from topics.build import build_corpus
from topics.build.uptodate import check
from topics.config import BuildConfig

ROOT = Path(__file__).resolve().parents[2]


def _age(folder: Path, seconds: float = 60) -> None:
    """Date the files back: a file changed within the last moments is never trusted by its stat."""
    past = time.time() - seconds
    for path in folder.rglob("*"):
        os.utime(path, (past, past))


@pytest.fixture
def built(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "corpus" / "raw", tmp_path / "raw")
    _age(tmp_path / "raw")
    config = BuildConfig(raw=("raw",), out="corpus", cache_dir="cache", split="auto")
    corpus = build_corpus(config, progress=False)
    return config, corpus


def test_an_unchanged_build_is_current_and_says_what_the_build_said(built):
    config, corpus = built
    assert check(config) == {"speeches": len(corpus.speeches), "in_model": int(corpus.speeches["in_model"].sum()),
                             "units": corpus.n_units, "vocabulary": len(corpus.dictionary)}


@pytest.mark.parametrize("change", ["edit an input", "add an input", "remove an input", "another setting",
                                    "edit an output", "delete an output", "a racy edit", "no record"])
def test_any_change_sends_the_build_down_the_full_path(built, change):
    config, _ = built
    first = sorted(Path("raw").glob("*.txt"))[0]
    if change == "edit an input":
        first.write_text(first.read_text(encoding="utf-8") + "\n补充一句。", encoding="utf-8")
        _age(Path("raw"))  # even with an old mtime: size and mtime differ from the recorded ones
    elif change == "add an input":
        shutil.copy(first, Path("raw") / "new.txt")
        _age(Path("raw"))
    elif change == "remove an input":
        first.unlink()
    elif change == "another setting":
        config = BuildConfig(raw=("raw",), out="corpus", cache_dir="cache", split="none")
    elif change == "edit an output":
        with open("corpus/tokens.txt", "a", encoding="utf-8") as handle:
            handle.write("x\n")
    elif change == "delete an output":
        Path("corpus/units.csv").unlink()
    elif change == "a racy edit":  # same size, a moment ago: the stat cannot tell, so it is not trusted
        now = time.time()
        os.utime(first, (now, now))
    elif change == "no record":
        shutil.rmtree("cache/uptodate")
    assert check(config) is None


def test_the_command_answers_without_importing_the_builder(built):
    code = ("import sys\nfrom topics.cli import main\nmain(['build', 'raw', '--out', 'corpus', '--split', 'auto', '--quiet'])\n"
            "heavy = [m for m in ('gensim', 'pandas', 'scipy', 'jieba', 'numpy', 'topics.build.pipeline') if m in sys.modules]\n"
            "print('heavy:', heavy)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # the default cache folder of the command line is build/cache: build once more through it
    full = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env)
    fast = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env)
    assert full.stdout.strip().splitlines()[-1] != "heavy: []"
    lines = fast.stdout.strip().splitlines()
    assert lines[-1] == "heavy: []"
    assert lines[0] == full.stdout.strip().splitlines()[0]  # the same answer as the full check
    assert lines[0].startswith("built ") and " speeches (" in lines[0]
