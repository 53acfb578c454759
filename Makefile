# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make run    -> creates .venv, installs, runs the default experiment on the embedded corpus
#   make test   -> creates .venv, installs, runs the test suite (one process per core, a test file per process)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run build test bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/topics run experiments/default.toml

build: $(STAMP)
	$(BIN)/topics build corpus/raw --out build/corpus

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

bench: $(STAMP)  # the headline figures: the build vs plain jieba on ../shared/bench-corpus (skips if absent)
	$(BIN)/python benchmarks/bench_build.py --repeat 3

clean:
	rm -rf build runs .pytest_cache
