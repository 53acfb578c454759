"""`topics run` with nothing changed answers before the heavy imports; any change takes the full path."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import RAW

CURRENT = "run is current"


def _age(path: Path, seconds: float = 60) -> None:
    """Give ``path`` an mtime in the past: a file written within the racy window is never trusted by its stat."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def _topics(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "topics", "--quiet", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture()
def experiment(tmp_path) -> Path:
    toml = tmp_path / "tiny.toml"
    toml.write_text(f"""name = "tiny"
out = "runs/tiny"
[corpus]
raw = ["{RAW}"]
out = "build/corpus"
cache_dir = "build/cache"
[model]
k = [2]
seeds = [1, 2]
iterations = 50
[run]
workers = 1
""", encoding="utf-8")
    _age(toml)  # older than the racy window (the rule itself is tested in tests/build/test_uptodate.py)
    return toml


@pytest.mark.slow
def test_a_rerun_with_nothing_changed_is_answered_from_file_stats(experiment, tmp_path):
    first = _topics("run", experiment, cwd=tmp_path)
    assert first.returncode == 0 and "run written" in first.stdout, first.stderr[-2000:]
    run_dir = tmp_path / "runs" / "tiny"
    again = _topics("run", experiment, cwd=tmp_path)
    assert again.returncode == 0 and CURRENT in again.stdout, again.stdout + again.stderr[-2000:]

    table = run_dir / "topics.csv"
    before = table.read_bytes()
    table.write_bytes(before + b"0,99,x,0,0\n")  # an edited table: the full path writes it again
    (run_dir / "figures" / "top_words.png").unlink()  # a missing figure: drawn again
    edited = _topics("run", experiment, cwd=tmp_path)
    assert edited.returncode == 0 and CURRENT not in edited.stdout
    assert table.read_bytes() == before and (run_dir / "figures" / "top_words.png").is_file()
    assert CURRENT in _topics("run", experiment, cwd=tmp_path).stdout  # and current again

    forced = _topics("run", experiment, "--force", cwd=tmp_path)
    assert forced.returncode == 0 and CURRENT not in forced.stdout

    experiment.write_text(experiment.read_text(encoding="utf-8").replace("seeds = [1, 2]", "seeds = [1, 3]"),
                          encoding="utf-8")
    _age(experiment)
    changed = _topics("run", experiment, cwd=tmp_path)
    assert changed.returncode == 0 and CURRENT not in changed.stdout
    assert (run_dir / "models" / "k2_seed3").is_dir()
