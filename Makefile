# From gradient descent to Adam: build, test and run the course.
#
#   make book      install (once) and build the static site into _build/html
#   make test      install (once), then unit tests, nbval on every chapter, a fresh
#                  build of the book and the browser tests against it
#   make screenshots  the browser tests, with full-page screenshots in _build/screenshots
#   make lab       JupyterLab on the notebooks, with live widgets
#   make execute   re-execute every chapter in place (stored outputs = what nbval checks)
#   make bench     benchmarks (benchmarks/REPORT.md, README table); BENCH_QUICK=1 skips build timings
#   make bench-compare REV=...  the explorers of REV and of this checkout, timed side by side
#   make clean     remove the build and test caches (keeps .venv; `make distclean` removes it)
#
# Needs Python 3.11+ (PYTHON=... to choose one) and, for the browser tests, Chromium at
# /usr/bin/chromium (Debian/Ubuntu: apt-get install chromium; or CHROMIUM=/path/to/it).

PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
BUILD    := _build
HTML     := $(BUILD)/html
JB_BUILD := $(BIN)/jupyter-book build . -W -n --keep-going
NOTEBOOKS = $(sort $(wildcard chapters/*.ipynb))
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)

# The venv's tools (and its python3 kernel) come first; runs are reproducible.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# The same floating-point kernels on every x86-64 machine with AVX2 and FMA, whatever
# more it has: OpenBLAS's Haswell matrix kernels, and none of numpy's AVX-512 loops.
# Near the edge of stability a last-bit difference grows into a visible one (a sigmoid
# network's steps to converge differed by 1.5% between two of our x86-64 machines),
# and nbval compares the stored outputs exactly. tests/test_landscapes.py checks this.
export OPENBLAS_CORETYPE := Haswell
export NPY_DISABLE_CPU_FEATURES := X86_V4 AVX512_ICL AVX512_SPR

.DEFAULT_GOAL := help
.PHONY: help install book test unit nbval fresh-book browser-test screenshots lab execute bench bench-compare clean distclean

help:
	@sed -n '3,10p' Makefile | cut -c3-

# ---------------------------------------------------------------- environment

# Re-installs only when requirements.txt or pyproject.toml change.
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed, found " + sys.version.split()[0] + ": run make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	@touch $@

install: $(STAMP)

# ---------------------------------------------------------------- the book

# The pages show the outputs stored in the notebooks (_config.yml: execute_notebooks
# "off"), which nbval checks in `make test`; `make execute` refreshes them.
book: $(STAMP)
	$(JB_BUILD)
	@echo
	@echo "The book is in $(HTML)/. Open file://$(CURDIR)/$(HTML)/index.html in a browser"
	@echo "(or serve it: $(BIN)/python -m http.server -d $(HTML) 8000, then http://127.0.0.1:8000/)."

# ---------------------------------------------------------------- tests

# Two chains of stages side by side: in front, the unit tests then nbval; behind, a fresh
# build of the book then the browser tests against it. No stage keeps both cores busy all
# the time (the build uses one, the browser tests wait on Chromium and JupyterLab, xdist's
# last notebook runs alone), so side by side they fill each other's gaps: about 0.8 of the
# time one after the other, on 2 cores (benchmarks/REPORT.md times both in one run).
# The chain behind writes to a file, printed whole at the end, so the two never interleave.
# Every stage runs even if an earlier one failed, so one run reports everything; the exit
# status is non-zero if any stage failed. Ctrl-C (or a kill) stops both chains.
# (benchmarks/bench_build.py reads the two chains from these two lines.)
TEST_FRONT  := unit nbval
TEST_BEHIND := fresh-book browser-test
test: $(STAMP)
	@behind=$$(mktemp); failed=$$(mktemp); \
	trap 'trap - INT TERM; rm -f $$behind $$failed; kill 0' INT TERM; \
	( for stage in $(TEST_BEHIND); do \
		echo "==== make $$stage"; \
		$(MAKE) --no-print-directory $$stage || printf ' %s' $$stage >> $$failed; \
	  done ) > $$behind 2>&1 & \
	echo "==== $(TEST_BEHIND): running beside the stages below, in this order (output at the end)"; \
	for stage in $(TEST_FRONT); do \
		echo "==== make $$stage"; \
		$(MAKE) --no-print-directory $$stage || printf ' %s' $$stage >> $$failed; \
	done; \
	wait; cat $$behind; \
	result=$$(cat $$failed); rm -f $$behind $$failed; \
	if [ -n "$$result" ]; then echo "==== FAILED:$$result"; exit 1; fi; \
	echo "==== all test stages passed"

# Unit tests of the shared modules and of the prose's numbers (tests/, browser tests excepted).
unit: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) tests --ignore=tests/test_site.py --ignore=tests/test_lab.py

# Every chapter re-executed and compared output by output with what it stores (strict:
# --nbval, not --nbval-lax). A cell exempted from comparison carries the tag
# nbval-ignore-output and a comment saying why.
# The notebooks run side by side, one per core (pytest-xdist; --dist loadscope keeps each
# notebook's cells in order, in one kernel); their kernels talk over IPC, not TCP ports,
# and one that does not answer is started again (tests/nbval_kernels.py says why).
nbval: $(STAMP)
	$(BIN)/python -m pytest -p nbval_kernels --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg \
		-n $(JOBS) --dist loadscope chapters/

# A build from scratch, -W: every page rendered again from the notebooks' stored outputs
# (which the nbval stage re-executes and compares, side by side with this in make test).
fresh-book: $(STAMP)
	rm -rf $(BUILD)
	$(JB_BUILD)

# Browser tests against the current build (make test builds it fresh first), and of the
# live explorers in JupyterLab.
browser-test: $(STAMP)
	$(BIN)/python -m pytest tests/test_site.py tests/test_lab.py

# The same tests against the current build (make book), with screenshots of whole pages
# instead of their first screen, to look at every page as a reader would.
screenshots: $(STAMP)
	SCREENSHOTS=full $(BIN)/python -m pytest tests/test_site.py

# ---------------------------------------------------------------- notebooks

lab: $(STAMP)
	$(BIN)/jupyter lab chapters/

# Deterministic re-execution in place, as nbval and the book expect to find it (JOBS
# notebooks at a time).
execute: $(STAMP)
	@test -n "$(NOTEBOOKS)" || { echo "no notebooks in chapters/"; exit 1; }
	printf '%s\n' $(NOTEBOOKS) | xargs -P $(JOBS) -n 1 \
		$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.kernel_name=python3 \
		--ExecutePreprocessor.timeout=900

# ---------------------------------------------------------------- benchmarks

# Ratios measured side by side; writes benchmarks/REPORT.md, benchmarks/report.png and the
# README's table. Needs a build for the site weight (make book).
bench: $(STAMP)
	$(BIN)/python benchmarks/report.py $(if $(BENCH_QUICK),--quick,)

# A change to the explorers judged side by side: REV's code and this checkout's, chapter by
# chapter, alternating, with the ratio of their times (the machine's drift cancels out).
bench-compare: $(STAMP)
	@test -n "$(REV)" || { echo "usage: make bench-compare REV=<commit> [NOTEBOOKS_TO_COMPARE='00_gradient_descent.ipynb ...']"; exit 1; }
	$(BIN)/python benchmarks/compare_explorers.py $(REV) $(NOTEBOOKS_TO_COMPARE)

# ---------------------------------------------------------------- cleaning

clean:
	rm -rf $(BUILD) .jupyter_cache .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) -print -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
