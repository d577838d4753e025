# Pelican quickstart targets plus test, bench and import.
# The first target that needs Python creates .venv and installs the project into it.
# Paths are the repository's, wherever make runs from (`make -f path/to/Makefile html
# INPUTDIR=content` builds another folder with this project's settings, theme and venv).
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
PY ?= python3
VENV ?= $(ROOT)/.venv
BIN := $(VENV)/bin
PELICAN := $(BIN)/pelican
PELICANOPTS ?= --fatal errors

BASEDIR := $(ROOT)
INPUTDIR ?= $(BASEDIR)/content
OUTPUTDIR ?= $(BASEDIR)/output
# `make publish` builds the production site (absolute SITEURL links) into its own folder, so it
# never replaces the development build that `make serve` shows.
PUBLISHDIR ?= $(BASEDIR)/public
CONFFILE ?= $(BASEDIR)/pelican.conf.py
PUBLISHCONF ?= $(BASEDIR)/publish.conf.py
PREVIEWDIR ?= $(BASEDIR)/preview
PREVIEWCONF ?= $(BASEDIR)/preview.conf.py
PORT ?= 8000
BIND ?= 127.0.0.1
# The development build's feeds, sitemaps and robots.txt name `make serve`'s origin (pelican.conf.py).
SITE_ORIGIN ?= http://$(BIND):$(PORT)
export SITE_ORIGIN
INSTALLED := $(VENV)/.installed
# The search index (plugins/search): Pagefind over the built site, after Pelican, in its own process.
SEARCHINDEX = $(BIN)/python -m plugins.search

ifeq ($(DEBUG), 1)
	PELICANOPTS += -D
endif
ifeq ($(RELATIVE), 1)
	PELICANOPTS += --relative-urls
endif

.PHONY: help venv html clean regenerate serve devserver publish preview test bench import screenshots

help:
	@echo 'Development (links work on http://127.0.0.1:$(PORT)/):'
	@echo 'make html                 build the site into $(OUTPUTDIR)'
	@echo 'make serve [PORT=8000]    serve output/ and the comments API on one origin (moderation at /admin/)'
	@echo 'make regenerate           rebuild on every change'
	@echo 'make devserver            regenerate and serve output/ (static only, no comments API)'
	@echo 'make clean                remove the generated site'
	@echo 'Production:'
	@echo 'make publish [SITEURL=https://news.example.org]  build with publish.conf.py into $(PUBLISHDIR) for the web server'
	@echo '                          (every link starts with SITEURL: not for make serve)'
	@echo 'Also:'
	@echo 'make preview              build drafts and scheduled articles too into preview/ (PREVIEWDIR), marked as previews'
	@echo 'make import FILE=path [IMPORTOPTS="--date ... --force"]  convert a seed-format text article'
	@echo 'make test                 run the whole test suite'
	@echo 'make bench                run the benchmarks (results in bench/results/)'
	@echo 'make screenshots          photograph the site and the moderators' queue in Chromium into docs/screenshots/'

$(INSTALLED): $(ROOT)/pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '$(ROOT)[test,bench]'
	touch $@

venv: $(INSTALLED)

html: $(INSTALLED)
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) $(PELICANOPTS)
	$(SEARCHINDEX) $(OUTPUTDIR)

clean:
	[ ! -d $(OUTPUTDIR) ] || rm -rf $(OUTPUTDIR)

regenerate: $(INSTALLED)
	$(PELICAN) -r $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) $(PELICANOPTS)

serve: $(INSTALLED)
	$(BIN)/python -m comments_service.devserver --site $(OUTPUTDIR) --port $(PORT) --bind $(BIND)

devserver: $(INSTALLED)
	$(PELICAN) -lr $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE) $(PELICANOPTS) -p $(PORT) -b $(BIND)

publish: $(INSTALLED)
	$(PELICAN) $(INPUTDIR) -o $(PUBLISHDIR) -s $(PUBLISHCONF) $(PELICANOPTS)
	$(SEARCHINDEX) $(PUBLISHDIR)

# Never into OUTPUTDIR or below it: the live site would publish the drafts (and a preview in
# OUTPUTDIR itself would replace its comments manifest).
preview: $(INSTALLED)
	@case "$(abspath $(PREVIEWDIR))/" in "$(abspath $(OUTPUTDIR))/"*) \
		echo 'make preview: PREVIEWDIR must be outside OUTPUTDIR ($(OUTPUTDIR) is the live site)' >&2; exit 2;; esac
	@case "$(abspath $(PREVIEWDIR))/" in "$(abspath $(PUBLISHDIR))/"*) \
		echo 'make preview: PREVIEWDIR must be outside PUBLISHDIR ($(PUBLISHDIR) is the live site)' >&2; exit 2;; esac
	$(PELICAN) $(INPUTDIR) -o $(PREVIEWDIR) -s $(PREVIEWCONF) $(PELICANOPTS)
	$(SEARCHINDEX) $(PREVIEWDIR)

import: $(INSTALLED)
	@test -n "$(FILE)" || { echo 'usage: make import FILE=path/to/article.txt' >&2; exit 2; }
	$(BIN)/python -m plugins.references.importer "$(FILE)" --content $(INPUTDIR) $(IMPORTOPTS)

test: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTESTOPTS)

bench: $(INSTALLED)
	$(BIN)/python -m bench $(BENCHOPTS)

# Chromium (Debian's `chromium`) photographs the fixture site, a busy thread, search, the 404 page
# and the moderators' queue at desktop and mobile sizes (tests/e2e/screenshots.py).
screenshots: $(INSTALLED)
	cd $(ROOT) && $(BIN)/python -m tests.e2e.screenshots --out $(ROOT)/docs/screenshots
