"""The command line: contract behaviour and user-facing errors without tracebacks."""

from __future__ import annotations

import errno
import subprocess
import sys

import pytest

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


def _fail_with(errno_code: int, message: str):
    def fail(*args, **kwargs):
        raise OSError(errno_code, message, "/data/out/corpus.mm")
    return fail


@pytest.mark.parametrize("code, message, advice", [
    (errno.ENOSPC, "No space left on device", "free some space"),
    (errno.EROFS, "Read-only file system", "choose an output folder you can write to"),
])
def test_a_full_or_read_only_disk_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys, code, message, advice):
    from topics.build import gensim_files
    from topics.cli import main

    monkeypatch.setattr(gensim_files.MmWriter, "write_rows", _fail_with(code, message))
    out = tmp_path / "out"
    status = main(["--quiet", "build", str(ROOT / "corpus" / "raw"), "--out", str(out), "--workers", "1"])
    err = capsys.readouterr().err
    assert status == 2
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert lines == [f"error: /data/out/corpus.mm: {message} — {advice}" + lines[0].split(advice, 1)[1]]
    assert "Traceback" not in err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]


def test_a_run_on_a_full_disk_is_one_line(tmp_path, monkeypatch, capsys):
    from topics.cli import main
    from topics.experiment import runfolder

    toml = tmp_path / "e.toml"
    toml.write_text(f'name = "d"\n[corpus]\nraw = ["{ROOT / "corpus" / "raw"}"]\nunit = "speech"\n'
                    "[model]\nk = [2]\nseeds = [1]\npasses = 2\niterations = 20\n[run]\nworkers = 1\n", encoding="utf-8")
    monkeypatch.setattr(runfolder, "write_json", _fail_with(errno.ENOSPC, "No space left on device"))
    status = main(["--quiet", "run", str(toml)])
    err = capsys.readouterr().err
    assert status == 2 and "No space left on device — free some space" in err and "Traceback" not in err
