"""The notebooks run top to bottom without an error, and are stored without outputs.

Each notebook is read into memory and executed there with nbclient (kernel ``python3``, working
folder ``notebooks/`` as in Jupyter), so the stored files are never written to; the executed
copies are saved under the test's temporary folder for inspection.

The default experiment is run once, by the session fixture, into the folder the notebooks use
(``runs/default``): every notebook then finds it cached. The Government Work Reports part of
notebook 04 runs ``experiments/gov_work_reports.toml`` (cached in ``runs/gov_work_reports``
after the first time) when ``../shared`` is present, and skips itself otherwise.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds; generous for a first, uncached run of a sweep


def test_four_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == ["01_corpus.ipynb", "02_model_selection.ipynb",
                                           "03_topics_across_speeches.ipynb", "04_topics_across_years.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {index} has stored outputs — clear them before committing"
            assert cell.execution_count is None, f"{path.name}: cell {index} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_starts_with_question_and_setup(path):
    nb = nbformat.read(path, as_version=4)
    first, second = nb.cells[0], nb.cells[1]
    assert first.cell_type == "markdown" and "**Question:**" in first.source and "Rerun" in first.source
    assert second.cell_type == "code"
    assert 'run_experiment("experiments/default.toml", report=False)' in second.source and "load_run(" in second.source


@pytest.fixture(scope="session")
def default_run():
    """Run (or find cached) the default experiment where the notebooks look for it."""
    from topics.experiment import run_experiment

    os.chdir(ROOT)
    return run_experiment("experiments/default.toml", progress=False, report=False)  # as the notebooks call it


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, default_run, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)  # in memory: the stored file stays output-free
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    try:
        client.execute()  # raises CellExecutionError naming the cell on the first error
    finally:
        nbformat.write(nb, tmp_path / path.name)
        print(f"{path.name}: {time.perf_counter() - started:.1f} s (executed copy: {tmp_path / path.name})")
    errors = [output for cell in nb.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors
    # Figures must reach the notebook as images, not as "<Figure size …>" text.
    images = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
              if "image/png" in output.get("data", {})]
    if path.stem != "01_corpus":
        assert images, f"{path.name}: no figure was displayed"
    # The stored notebook is untouched.
    stored = nbformat.read(path, as_version=4)
    assert all(cell.outputs == [] for cell in stored.cells if cell.cell_type == "code")


def test_notebooks_use_package_functions():
    """Notebooks stay thin: no function or class definitions in code cells."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                lines = cell.source.splitlines()
                assert not any(line.lstrip().startswith(("def ", "class ")) for line in lines), \
                    f"{path.name}: cell {index} defines a function — move it into the package"


def test_gov_work_reports_config_reads_the_report_folder():
    """The work-report experiment reads the corpus folder, one document per file, years from its table."""
    from topics.experiment import load_experiment_config

    config = load_experiment_config(ROOT / "experiments" / "gov_work_reports.toml")
    assert [Path(p).name for p in config.corpus.raw] == ["cn-gov-work-reports"]
    assert config.corpus.split == "none"
    assert config.corpus.metadata.endswith("cn-gov-work-reports/metadata.csv")
    assert config.run_dir == Path("runs/gov_work_reports")


@pytest.mark.shared
def test_gov_work_reports_config_finds_exactly_the_57_reports():
    """The folder's README.md is documentation, not a 58th report."""
    from conftest import shared_path
    from topics.experiment import load_experiment_config
    from topics.build.ingest import discover

    folder = shared_path("corpora", "cn-gov-work-reports")
    on_disk = sorted(p.name for p in folder.glob("gwr_*.txt"))
    config = load_experiment_config(ROOT / "experiments" / "gov_work_reports.toml")
    assert len(on_disk) == 57
    assert sorted(name for _, name in discover(config.corpus.raw)) == on_disk
