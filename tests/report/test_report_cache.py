"""A report written again for the same content redraws nothing (figures, LDAvis page, text kept, the
"This execution" lines refreshed); a change of what it shows writes it anew."""

from __future__ import annotations

import os
import re
from dataclasses import replace

import pytest

from conftest import ROOT

FAST = {"n_boot": 50, "n_sims": 10}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from topics.experiment import load_experiment_config, load_run, run_config

    os.chdir(ROOT)
    out = tmp_path_factory.mktemp("run") / "cached"
    config = load_experiment_config(ROOT / "experiments" / "default.toml")
    config = replace(config, name="cache-test", out=str(out),
                     corpus=replace(config.corpus, out=str(out.parent / "corpus")),
                     model=replace(config.model, k=(3,), seeds=(1,), passes=5, iterations=50))
    return load_run(run_config(config, out=out, workers=1, progress=False))


@pytest.mark.slow
def test_the_same_content_is_not_drawn_again(run, monkeypatch):
    from topics.report import run_report

    path = run_report.write_run_report(run, **FAST)
    first = path.read_text(encoding="utf-8")
    figures = sorted((run.path / "figures").iterdir())
    stamps = {p: p.stat().st_mtime_ns for p in [*figures, run.path / "ldavis.html"]}
    monkeypatch.setattr(run_report, "make_all_figures", lambda *a, **k: pytest.fail("figures drawn again"))
    monkeypatch.setattr(run_report.analysis, "effects_run", lambda *a, **k: pytest.fail("effects computed again"))
    run.manifest["timings"] = dict(run.manifest.get("timings", {}), total=123.4)  # another execution
    again = run_report.write_run_report(run, **FAST).read_text(encoding="utf-8")
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert "total 123.4 s" in again and "total 123.4 s" not in first
    strip = re.compile(r"### This execution\n\n.*?\n\n## ", re.S)
    assert strip.sub("", again) == strip.sub("", first)


@pytest.mark.slow
def test_other_settings_or_a_missing_figure_draw_again(run):
    from topics.report import run_report

    path = run_report.write_run_report(run, **FAST)
    key = run_report.content_key(run, FAST["n_boot"], FAST["n_sims"], 0)
    assert path.read_text(encoding="utf-8").endswith(f"<!-- content key {key} -->\n")
    assert run_report.content_key(run, 60, FAST["n_sims"], 0) != key  # another bootstrap
    next(iter(sorted((run.path / "figures").glob("*.png")))).unlink()
    assert run_report._shown_before(path, key) is None  # a linked figure is gone: draw again
    run_report.write_run_report(run, **FAST)
    assert run_report._shown_before(path, key) is not None
