"""A researcher's own folder: `topics init`, paths relative to the TOML, small corpora, permissions,
and the whole route from a wheel installed into a fresh virtual environment."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import RAW, ROOT

FAST_MODEL = "[model]\nk = [2, 3]\nseeds = [1, 2]\npasses = 5\niterations = 50\n[run]\nworkers = 1\n"


def topics(*args, cwd, env=None, python=sys.executable, timeout=900):
    return subprocess.run([python, "-m", "topics", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_init_makes_a_project_and_refuses_to_overwrite(tmp_path):
    from topics.errors import TopicsError
    from topics.experiment import init_project, load_experiment_config

    toml = init_project(tmp_path / "proj")
    folder = toml.parent
    for name in ("experiment.toml", "metadata.csv", "raw/README.md", ".gitignore", "notebooks/01_corpus.ipynb",
                 "notebooks/04_topics_across_years.ipynb"):
        assert (folder / name).is_file(), name
    config = load_experiment_config(toml)
    assert config.corpus.raw == (str(folder / "raw"),)
    assert config.run_dir == folder / "runs" / "proj"
    assert config.corpus.userdict == ("topics:userdict.txt",)
    notebook = (folder / "notebooks" / "02_model_selection.ipynb").read_text(encoding="utf-8")
    assert 'experiment = \\"../experiment.toml\\"' in notebook
    assert "build/" in (folder / ".gitignore").read_text(encoding="utf-8")
    before = toml.read_bytes()
    with pytest.raises(TopicsError, match=r"proj: already holds experiment.toml, metadata.csv.* — choose a new folder"):
        init_project(folder)
    assert toml.read_bytes() == before


def test_paths_in_a_toml_are_relative_to_the_toml(tmp_path):
    project = tmp_path / "myproject"
    (project / "myspeeches").mkdir(parents=True)
    for path in sorted(RAW.iterdir())[:2]:
        (project / "myspeeches" / path.name).write_bytes(path.read_bytes())
    (project / "exp.toml").write_text('name = "rel"\n[corpus]\nraw = ["myspeeches"]\nunit = "paragraph"\n' + FAST_MODEL,
                                      encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = topics("--quiet", "run", "../myproject/exp.toml", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (project / "runs" / "rel" / "report.md").is_file()
    assert (project / "build" / "corpus" / "speeches.csv").is_file()
    assert not list(elsewhere.iterdir()), "nothing is written into the folder the command runs from"


def test_files_written_honour_the_umask(tmp_path):
    project = tmp_path / "p"
    (project / "raw").mkdir(parents=True)
    (project / "raw" / "a.txt").write_bytes(sorted(RAW.iterdir())[0].read_bytes())
    (project / "e.toml").write_text('name = "m"\n[corpus]\nunit = "paragraph"\n' + FAST_MODEL, encoding="utf-8")
    script = "import os, sys; os.umask(0o022); from topics.cli import main; sys.exit(main(sys.argv[1:]))"
    result = subprocess.run([sys.executable, "-c", script, "--quiet", "run", "e.toml"], cwd=project,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    written = [p for p in (project / "runs").rglob("*")] + [p for p in (project / "build").rglob("*")]
    assert written
    for path in written:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), f"{path}: {oct(mode)}"


@pytest.mark.parametrize("n_docs, split, unit", [(1, "none", "speech"), (2, "none", "speech"), (4, "none", "speech"),
                                                 (1, "auto", "paragraph")])
def test_small_corpora_end_in_a_report_or_one_line(tmp_path, n_docs, split, unit):
    project = tmp_path / "p"
    (project / "raw").mkdir(parents=True)
    for path in sorted(RAW.iterdir())[:n_docs]:
        (project / "raw" / path.name).write_bytes(path.read_bytes())
    (project / "e.toml").write_text(f'name = "s"\n[corpus]\nsplit = "{split}"\nunit = "{unit}"\n' + FAST_MODEL,
                                    encoding="utf-8")
    result = topics("--quiet", "run", "e.toml", cwd=project)
    assert "Traceback" not in result.stderr
    if result.returncode == 0:
        report = project / "runs" / "s" / "report.md"
        assert report.is_file()
        text = report.read_text(encoding="utf-8")
        links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text)
        assert links
        for link in links:
            assert (report.parent / link).is_file(), link
    else:
        assert result.returncode == 2
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "—" in errors[0], result.stderr
    if (n_docs, unit) == (1, "speech"):  # one unit cannot support K = 2 or 3
        assert result.returncode == 2 and "1 modelling unit(s) cannot support any K" in result.stderr


def test_filters_that_leave_no_word_stop_before_fitting(tmp_path):
    project = tmp_path / "p"
    (project / "raw").mkdir(parents=True)
    (project / "raw" / "a.txt").write_bytes(sorted(RAW.iterdir())[0].read_bytes())
    (project / "e.toml").write_text('name = "v"\n[corpus]\nno_below = 1000\n' + FAST_MODEL, encoding="utf-8")
    result = topics("--quiet", "run", "e.toml", cwd=project)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "the vocabulary filters left no word (no_below = 1000" in result.stderr
    assert "lower corpus.no_below" in result.stderr
    assert not (project / "runs" / "v" / "models").exists(), "nothing was fitted"


def test_command_line_basics(tmp_path):
    bare = topics(cwd=tmp_path)
    assert bare.returncode == 2 and "init" in bare.stdout and "topics init myproject" in bare.stdout
    version = topics("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("topics ")


def _make_docx(path: Path, paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))


@pytest.mark.slow
def test_from_a_wheel_in_a_fresh_environment_outside_the_repository(tmp_path):
    """pip install (not editable) → topics init in one folder → speeches → topics run from a third folder."""
    dist, venv, project, third = (tmp_path / name for name in ("dist", "venv", "project", "third"))
    third.mkdir()
    wheel = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert wheel.returncode == 0, wheel.stderr
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # The wheel alone (--no-deps); its dependencies are this interpreter's, reached through a .pth
    # file: installing them again took 2.5 of the suite's minutes and tests pip, not the wheel.
    # That every third-party import is a declared dependency is tests/test_packaging.py's job.
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-compile", "--no-deps",
                              str(next(dist.glob("topics-*.whl")))], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # after the venv's own site-packages on sys.path: the installed wheel is found first, and the
    # checkout's editable install (a .pth inside the added folder) is not processed
    (site / "zz-dependencies.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")) + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    init = topics("init", project, cwd=third, python=python, env=env)
    assert init.returncode == 0, init.stderr
    reports = ROOT.parent / "shared" / "corpora" / "cn-gov-work-reports"
    speeches = sorted(reports.glob("gwr_20*.txt"))[:3] if reports.is_dir() else sorted(RAW.iterdir())[:3]
    for path in speeches:
        (project / "raw" / path.name).write_bytes(path.read_bytes())
    _make_docx(project / "raw" / "讲话.docx", ["在全县人口和计划生育工作会议上的讲话", "同志们：",
                                                "今年以来，全县人口和计划生育工作稳步推进，出生人口性别比持续下降。" * 20,
                                                "要加强流动人口服务管理，落实奖励扶助政策，提高优质服务水平。" * 20])
    toml = project / "experiment.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("k = [4, 6, 8, 10]", "k = [2, 3]")
                    .replace("# iterations = 500", "iterations = 100"), encoding="utf-8")
    run = topics("--quiet", "run", toml, cwd=third, python=python, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    run_dir = project / "runs" / "project"
    assert (run_dir / "report.md").is_file()
    assert len(list((run_dir / "figures").glob("*.png"))) >= 4
    import json

    manifest = json.loads((project / "build" / "corpus" / "manifest.json").read_text(encoding="utf-8"))
    assert [entry["file"] for entry in manifest["resources"]["stopwords"]] == [
        "topics:stopwords/general.txt", "topics:stopwords/speech.txt"]  # the packaged resources were used
    speeches_csv = (project / "build" / "corpus" / "speeches.csv").read_text(encoding="utf-8")
    assert "讲话.docx" in speeches_csv
    located = subprocess.run([str(python), "-c", "import topics; print(topics.__file__)"], capture_output=True,
                             text=True, cwd=third, env=env)
    assert str(venv) in located.stdout, "the installed package was used, not the checkout"
