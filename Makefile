# 民政智能助手 — every task people and CI run. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PY := .venv/bin/python
RASA := .venv-rasa/bin/rasa
RASA_DATA := --config config.yml --domain bot/domain --data bot/data nlu_data
PYTEST := $(PY) -m pytest

.PHONY: help setup train run db test lint typecheck test-unit validate test-stories \
        test-e2e test-browser chromium bench clean test-conversations eval-nlu eval-replay
.PHONY: kb-check

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: ## create/refresh the two environments (.venv, .venv-rasa) with pinned packages
	@scripts/setup.sh

train: setup ## train the Rasa model if the training data changed
	@scripts/train.sh

db: setup ## apply migrations and seed the embedded database (var/)
	@mkdir -p var
	@$(PY) -m alembic upgrade heads
	@$(PY) -m backoffice.seed

run: train ## install, train, migrate, seed and start every process; prints the URLs
	@scripts/run.sh

.PHONY: run-production test-production test-live status stop
run-production: train ## production profile under supervisord: PostgreSQL, Redis, RASA_REPLICAS Rasa servers, WEB_WORKERS web workers
	@scripts/run_production.sh

status: ## production profile: each process's supervisord state and health check
	@set -a; [ -f .env ] && . ./.env; [ -f var/run/layout.env ] && . var/run/layout.env; set +a; \
	  $(PY) -m core.process_health

stop: ## production profile: stop every process and supervisord
	@scripts/stop_production.sh

.PHONY: k8s
k8s: setup ## regenerate deploy/kubernetes/ from core/processes.py (checked in test-unit)
	@$(PY) -m core.kubernetes_manifests --out deploy/kubernetes

test-production: train ## tests marked production: Redis live updates, the production stack with 2 replicas
	@$(PYTEST) -q -m "production"

lint: setup ## ruff lint + format check
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .

typecheck: setup ## mypy (strict)
	@$(PY) -m mypy .

test-unit: setup ## fast tests (no processes started)
	@$(PYTEST) -q -m "not e2e and not browser and not production"

validate: setup ## rasa data validate, warning-free (reads the data, not the model)
	@$(PY) scripts/validate_data.py

# Rasa's --fail-on-prediction-errors aborts before writing any report, so the story summary
# (testkit.story_report) fails the target instead, after listing each failed story.
test-stories: train ## rasa test on tests/stories (failed stories + confusion matrices in reports/stories)
	@rm -rf reports/stories && mkdir -p reports/stories
	@$(RASA) test core --model models/assistant.tar.gz --stories tests/stories \
	  --out reports/stories > reports/stories/rasa_test.log 2>&1 || \
	  { tail -n 30 reports/stories/rasa_test.log; echo "rasa test core failed: reports/stories/rasa_test.log"; exit 1; }
	@$(PY) -m testkit.story_report reports/stories

test-conversations: train ## conversation scripts through a fresh stack (one file: FILE=tests/conversations/x.yml)
	@CONVERSATION_FILES="$(FILE)" $(PYTEST) -q -m e2e tests/conversations

eval-nlu: train ## NLU on the held-out set, then real citizens' questions through the gateway (reports/nlu/)
	@$(PY) -m testkit.nlu_eval
	@$(PY) -m testkit.citizen_eval

eval-replay: setup ## after a knowledge-base change: the last eval-nlu's knowledge replies decided again (no Rasa; sealed sets: counts only)
	@$(PY) -m testkit.citizen_replay

chromium: ## install Debian's chromium for the browser tests if missing
	@scripts/ensure_chromium.sh

test-e2e: train ## end-to-end tests through the real rasa, action server and web processes
	@$(PYTEST) -q -m "e2e"

test-browser: train chromium ## browser tests in real Chromium
	@$(PYTEST) -q -m "browser"

# `make test` in two stages (README "`make test` 的时间"). First, side by side (make -j): the model trains
# (about one core on average on 2 cores) while lint, mypy, the unit tests, `rasa data validate`
# (it reads the data, not the model) and the chromium check run beside it; the story test starts
# as soon as the model is there. Each target's output is printed as one block when it ends.
# Then, side by side, what starts live stacks: the production-marked tests (PostgreSQL, Redis,
# the production stack: run once, here) and every other e2e and browser test on one shared live
# stack (tests/conftest.py). The two stacks share nothing but the machine (own ports, own data).
TEST_JOBS ?= 6
test: setup ## everything CI runs
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target \
	  lint typecheck test-unit validate test-stories chromium
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-production test-live

test-live: train chromium ## every e2e and browser test that is not production-marked, on one shared live stack
	@$(PYTEST) -q -m "(e2e or browser) and not production"

bench: train ## benchmarks: the realistic mix vs a bare-Rasa anchor (reports/bench/), knowledge retrieval; ARGS="--seconds 20"
	@$(PY) -m bench.knowledge
	@$(PY) -m bench.realistic $(ARGS)

.PHONY: bench-load bench-faults bench-fuzz
bench-load: train ## load: 50 citizens × 60 s, embedded vs production (2 rasa); ARGS="--duration 30"
	@$(PY) -m bench.load $(ARGS)

bench-faults: train ## SIGKILL rasa-0, actions, web-0, cut PostgreSQL/Redis under load; supervisord restarts; ledger
	@$(PY) -m bench.faults $(ARGS)

bench-fuzz: train ## schemathesis against /openapi.json of a fresh stack: no 500s
	@$(PY) -m bench.fuzz $(ARGS)

clean: ## remove generated files (models, reports, var)
	rm -rf models reports var

kb-check: setup ## check the knowledge base: schema, duplicate questions, dates, references, retrieval
	@$(PY) -m knowledge.check

.PHONY: telegram-webhook
telegram-webhook: setup ## register TELEGRAM_WEBHOOK_URL + secret and the command menu with Telegram
	@$(PY) -m connectors.telegram set-webhook

.PHONY: wechat-menu
wechat-menu: setup ## create the WeChat official account's custom menu from connectors/wechat/menu.yml
	@$(PY) -m connectors.wechat.menu

.PHONY: retention secrets-check
retention: setup ## delete conversations, transcripts and Rasa events older than RETENTION_DAYS (default 180)
	@$(PY) -m backoffice.retention

secrets-check: setup ## production profile: refuse empty, placeholder or shared secrets (exit 1)
	@$(PY) -m backoffice.secrets
