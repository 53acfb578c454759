"""The notebooks: stored without outputs, one parameters cell, and they run top to bottom under
papermill — on the default experiment and on another one — without errors, warnings or progress noise.

The notebooks live in ``notebooks/``; ``topics/notebooks`` is a link to that folder, so the wheel
ships them and ``topics init`` can copy them (one copy, not two). They are executed with papermill
into the test's temporary folder, so the stored files are never written to.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, shared_path

NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds; generous for a first, uncached run of a sweep


#: the experiment each notebook's parameters cell names by default
DEFAULT_EXPERIMENT = {"05_topics_over_time": "../experiments/gov_work_reports.toml"}


def test_five_notebooks_are_there_and_the_package_ships_the_same_folder():
    assert [p.name for p in NOTEBOOKS] == ["01_corpus.ipynb", "02_model_selection.ipynb",
                                           "03_topics_across_speeches.ipynb", "04_topics_across_years.ipynb",
                                           "05_topics_over_time.ipynb"]
    assert (ROOT / "topics" / "notebooks").resolve() == NOTEBOOK_DIR.resolve()  # what the wheel ships


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {index} has stored outputs — clear them before committing"
            assert cell.execution_count is None, f"{path.name}: cell {index} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_question_then_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    first, params = nb.cells[0], nb.cells[1]
    assert first.cell_type == "markdown" and "**Question:**" in first.source and "Rerun" in first.source
    tagged = [i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])]
    assert tagged == [1], "exactly one cell, the second, is papermill's parameters cell"
    default = DEFAULT_EXPERIMENT.get(path.stem, "../experiments/default.toml")
    assert f'experiment = "{default}"' in params.source
    # nothing walks up folders or changes the working folder
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "chdir" not in text and ".parents" not in text and "pyproject" not in text


def test_notebooks_use_package_functions():
    """Notebooks stay thin: no function or class definitions in code cells."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                lines = cell.source.splitlines()
                assert not any(line.lstrip().startswith(("def ", "class ")) for line in lines), \
                    f"{path.name}: cell {index} defines a function — move it into the package"


@pytest.fixture(scope="session")
def default_run():
    """Run (or find cached) the default experiment where the notebooks look for it."""
    from topics.experiment import run_experiment

    return run_experiment(ROOT / "experiments" / "default.toml", progress=False, report=False)


@pytest.fixture(scope="session")
def other_experiment(tmp_path_factory):
    """Another experiment, written outside the repository: the embedded corpus as whole speeches."""
    folder = tmp_path_factory.mktemp("other-experiment")
    toml = folder / "other.toml"
    toml.write_text(f"""name = "other"
[corpus]
raw = ["{ROOT / 'corpus' / 'raw'}"]
unit = "speech"
no_below = 2
[model]
k = [3, 4]
seeds = [1, 2]
passes = 10
iterations = 50
[run]
workers = 1
""", encoding="utf-8")
    return toml


def _execute(path: Path, out: Path, parameters: dict) -> nbformat.NotebookNode:
    import papermill

    started = time.perf_counter()
    papermill.execute_notebook(str(path), str(out), parameters=parameters, kernel_name="python3",
                               cwd=str(path.parent), progress_bar=False, log_output=False,
                               execution_timeout=CELL_TIMEOUT)
    print(f"{path.name}: {time.perf_counter() - started:.1f} s (executed copy: {out})")
    return nbformat.read(out, as_version=4)


def _check_outputs(path: Path, nb) -> None:
    outputs = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    noise = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not noise, f"{path.name} printed warnings or progress to stderr: {noise[:3]}"
    # Figures must reach the notebook as images, not as "<Figure size …>" text.
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    if path.stem != "01_corpus":
        assert images, f"{path.name}: no figure was displayed"
    stored = nbformat.read(path, as_version=4)  # the stored notebook is untouched
    assert all(cell.outputs == [] for cell in stored.cells if cell.cell_type == "code")


@pytest.fixture(scope="session")
def work_reports_run():
    """The work-report experiment (notebook 05's default), run before the notebook so that its setup
    cell only reads the cache; skipped when the reports are absent."""
    from topics.experiment import run_experiment

    shared_path("corpora", "cn-gov-work-reports")
    return run_experiment(ROOT / "experiments" / "gov_work_reports.toml", progress=False, report=False)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_the_default_experiment(path, default_run, tmp_path, request):
    if path.stem in DEFAULT_EXPERIMENT:
        request.getfixturevalue("work_reports_run")
    nb = _execute(path, tmp_path / path.name, {})
    _check_outputs(path, nb)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_another_experiment(path, other_experiment, tmp_path):
    parameters = {"experiment": str(other_experiment)}
    if path.stem.startswith("04"):
        parameters["years_experiment"] = ""
    nb = _execute(path, tmp_path / path.name, parameters)
    _check_outputs(path, nb)
    text = "\n".join(str(o.get("text", "")) for cell in nb.cells for o in cell.get("outputs", []))
    assert str(other_experiment.parent / "runs" / "other") in text  # the run of the given experiment was read


def test_gov_work_reports_config_reads_the_report_folder():
    """The work-report experiment reads the corpus folder, one document per file, years from its table."""
    from topics.experiment import load_experiment_config

    config = load_experiment_config(ROOT / "experiments" / "gov_work_reports.toml")
    assert [Path(p).name for p in config.corpus.raw] == ["cn-gov-work-reports"]
    assert config.corpus.split == "none"
    assert config.corpus.metadata.endswith("cn-gov-work-reports/metadata.csv")
    assert Path(config.run_dir) == ROOT / "runs" / "gov_work_reports"


@pytest.mark.shared
def test_gov_work_reports_config_finds_exactly_the_57_reports():
    """The folder's README.md is documentation, not a 58th report."""
    from topics.build.ingest import discover
    from topics.experiment import load_experiment_config

    folder = shared_path("corpora", "cn-gov-work-reports")
    on_disk = sorted(p.name for p in folder.glob("gwr_*.txt"))
    config = load_experiment_config(ROOT / "experiments" / "gov_work_reports.toml")
    assert len(on_disk) == 57
    assert sorted(name for _, name in discover(config.corpus.raw)) == on_disk
    assert os.path.samefile(config.corpus.raw[0], folder)
