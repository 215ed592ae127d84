# Jianyi (建议) — `make run` serves the app, `make test` runs every test, `make bench` measures.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/jianyi db upgrade
	$(BIN)/jianyi bpmn deploy bpmn --by setup
	$(BIN)/jianyi demo
	$(BIN)/jianyi serve --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .bench-data .pytest_cache
