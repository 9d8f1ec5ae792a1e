# Two commands do all setup on a fresh machine:
#   make run   - create .venv, install requirements.txt, start the dashboard on http://127.0.0.1:8501
#   make test  - create .venv, install requirements.txt, run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: run test bench samples clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(PY) -m streamlit run app.py

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/run.py

samples: $(STAMP)
	$(PY) data/samples/generate.py

clean:
	rm -rf $(VENV) .pytest_cache
