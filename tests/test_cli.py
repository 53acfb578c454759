"""The command line: contract behaviour and user-facing errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def _topics(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "topics.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def test_build_defaults_write_the_contract(tmp_path):
    result = _topics("--quiet", "build", "corpus/raw", "--out", str(tmp_path / "corpus"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "corpus" / "speeches.csv").is_file()
    assert "speeches" in result.stdout


def test_missing_input_is_one_clear_line_not_a_traceback(tmp_path):
    result = _topics("--quiet", "build", str(tmp_path / "missing"), "--out", str(tmp_path / "c"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "missing" in result.stderr


def test_strict_build_names_the_bad_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("同志们：\n今天召开计划生育工作会议。\n", encoding="utf-8")
    (raw / "blob.txt").write_bytes(bytes(range(256)) * 4)
    result = _topics("--quiet", "build", str(raw), "--out", str(tmp_path / "c"), "--strict")
    assert result.returncode == 2
    assert "blob.txt" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "c").exists()


def test_bad_config_key_is_reported(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[corpus]\nsplitt = 'none'\n", encoding="utf-8")
    result = _topics("build", "--config", str(config), "--out", str(tmp_path / "c"))
    assert result.returncode == 2
    assert "splitt" in result.stderr and "Traceback" not in result.stderr
