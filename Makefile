# Two commands do all setup on a fresh machine:
#   make run   - create .venv, install requirements.txt, start the dashboard on http://127.0.0.1:8501
#   make test  - create .venv, install requirements.txt, run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: run test test-kernels screenshot walk bench samples clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(PY) launch.py

test: $(STAMP)
	$(PY) -m pytest

# the numeric modules under two other BLAS kernels (any x86-64 CPU runs them); CI runs this too
NUMERIC_TESTS := tests/test_propensity.py tests/test_survival_km.py tests/test_logrank.py \
  tests/test_competing.py tests/test_cox.py tests/test_proportions.py tests/test_accuracy.py \
  tests/test_describe.py tests/test_random_cases.py tests/test_linalg_decisions.py \
  tests/test_planning.py tests/test_contrasts.py
test-kernels: $(STAMP)
	for k in Sandybridge Nehalem; do \
	  echo "== OPENBLAS_CORETYPE=$$k"; \
	  OPENBLAS_CORETYPE=$$k $(PY) -m pytest -q -p no:cacheprovider $(NUMERIC_TESTS) || exit 1; \
	done
	echo "== OPENBLAS_NUM_THREADS=1 (as the app runs: launch.py)"
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest -q -p no:cacheprovider $(NUMERIC_TESTS)

# refresh the README's picture (docs/screenshot.png) from the browser test
screenshot: $(STAMP)
	NELM_UPDATE_SCREENSHOT=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_browser.py

# every page x demo cohort in Chromium, full screenshots into .artifacts/screens/ (to look at)
walk: $(STAMP)
	$(PY) tools/walk_pages.py

bench: $(STAMP)
	$(PY) benchmarks/run.py

samples: $(STAMP)
	$(PY) data/samples/generate.py

clean:
	rm -rf $(VENV) .pytest_cache
