# Jianyi (建议) — `make run` serves the app, `make test` runs every test, `make bench` measures.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

VENDOR := webui/static/vendor
ASSETS := $(VENDOR)/.installed

.PHONY: run test bench load fuzz install assets browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

# Browser assets come from npm (webui/package.json) and are copied, never committed.
$(ASSETS): webui/package.json Makefile
	cd webui && npm install --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp webui/node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
	   webui/node_modules/bpmn-js/dist/bpmn-modeler.production.min.js \
	   webui/node_modules/bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css \
	   webui/node_modules/bpmn-js/dist/assets/bpmn-js.css \
	   webui/node_modules/bpmn-js/dist/assets/diagram-js.css \
	   webui/node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/
	touch $(ASSETS)

install: $(STAMP) $(ASSETS)

assets: $(ASSETS)

# Debian's chromium and CJK fonts for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh | grep -q . || \
	  { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

run: install
	$(BIN)/jianyi db upgrade
	$(BIN)/jianyi bpmn deploy bpmn --by setup
	$(BIN)/jianyi demo
	$(BIN)/jianyi serve --host 127.0.0.1 --port 5000

test: install browser
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench

# Mixed load on PostgreSQL (JIANYI_LOAD_DATABASE_URL, default database jianyi_load on
# 127.0.0.1:5432): 2 web workers, 2 schedulers, bounded by JIANYI_LOAD_SECONDS (60) and
# JIANYI_LOAD_MAX_REQUESTS (40000); exits 1 if a completion, a timer or a case is not right.
load: install
	$(BIN)/python -m bench.load

# Random walks through the real process (tests/workflows/fuzz): at least JIANYI_FUZZ_CASES cases
# (2000), on JIANYI_FUZZ_JOBS processes (one per core); prints the cases and steps walked and,
# on a broken invariant, the command that replays it. JIANYI_FUZZ_SEED fixes the seeds.
fuzz: install
	JIANYI_FUZZ_JOBS=$${JIANYI_FUZZ_JOBS:-$$(nproc)} $(BIN)/python -m tests.workflows.fuzz

clean:
	rm -rf $(VENV) instance .bench-data .pytest_cache
