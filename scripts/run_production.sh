#!/usr/bin/env bash
# `make run-production`: the production profile on one machine — PostgreSQL (back office and Rasa
# tracker store), Redis (Rasa lock store, live updates), RASA_REPLICAS Rasa servers, the action
# server with ACTION_WORKERS Sanic workers and WEB_WORKERS web workers spreading messages over the
# replicas. Every process runs under supervisord, each supervised on its own: one that dies is
# started again (with back-off) while the others go on serving. `make status`, `make stop`;
# logs per process in var/run/log/.
#
# The processes, their command lines and environment come from core/processes.py (the one
# definition): var/run/supervisord.conf and the systemd units in var/run/systemd/ are generated
# from it on every start.
#
# Needs DATABASE_URL (postgresql+psycopg://...) and REDIS_URL (redis://...) in the environment or
# .env. LOCAL_DEFAULTS=1 uses the local test servers instead:
#   postgresql+psycopg://postgres@127.0.0.1:5432/test and redis://127.0.0.1:6379/0.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m!!\033[0m %s\n' "$*" >&2; exit 1; }
RUN_DIR=var/run
CONF=$RUN_DIR/supervisord.conf

set -a
[ -f .env ] && . ./.env
set +a
if [ "${LOCAL_DEFAULTS:-0}" = 1 ]; then
  export DATABASE_URL=${DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}
  export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
fi
case "${DATABASE_URL:-}" in
  postgresql*) ;;
  *) die "DATABASE_URL must be a PostgreSQL URL (postgresql+psycopg://user:password@host:5432/db); LOCAL_DEFAULTS=1 uses the local test server" ;;
esac
case "${REDIS_URL:-}" in
  redis://*|rediss://*) ;;
  *) die "REDIS_URL must be set (redis://host:6379/0); LOCAL_DEFAULTS=1 uses the local server" ;;
esac
if [ -f "$RUN_DIR/supervisord.pid" ] && kill -0 "$(cat "$RUN_DIR/supervisord.pid")" 2>/dev/null; then
  die "the production profile is already running: 'make status' shows it, 'make stop' stops it"
fi

# Ports, URLs, tracker- and lock-store variables of every process (core/processes.py).
eval "$(.venv/bin/python -m core.process_configs env --profile production)"

say "checking the production secrets ..."
.venv/bin/python -m backoffice.secrets
say "applying database migrations to $(.venv/bin/python -c 'import os,sqlalchemy as s; print(s.make_url(os.environ["DATABASE_URL"]).render_as_string(hide_password=True))') ..."
.venv/bin/python -m alembic upgrade heads
say "seeding reference data ..."
.venv/bin/python -m backoffice.seed
say "Rasa tracker database: $RASA_TRACKER_DB_NAME on $RASA_TRACKER_DB_HOST:$RASA_TRACKER_DB_PORT"
.venv/bin/python -m core.production_env ensure-tracker-db

mkdir -p "$RUN_DIR/log"
# The layout (ports, counts; no secret) for `make status` in another shell.
for name in RASA_PORT RASA_PORTS RASA_REPLICAS RASA_HOST ACTIONS_PORT WEB_HOST WEB_PORT WEB_WORKERS; do
  if [ -n "${!name:-}" ]; then printf 'export %s=%q\n' "$name" "${!name}"; fi
done > "$RUN_DIR/layout.env"
.venv/bin/python -m core.process_configs supervisord --profile production --run-dir "$RUN_DIR" --out "$RUN_DIR"
.venv/bin/python -m core.process_configs systemd --profile production --out "$RUN_DIR/systemd"
web_port=${WEB_PORT:-8000}
cat <<MSG

  民政智能助手 (production profile) is starting under supervisord. With 2 Rasa replicas on 2
  cores every process answered 2 to 2.5 minutes after this point (measured 2026-12-04: 120 s and
  132 s; each replica loads its own model, more replicas take longer). This script waits for
  every process and prints the real time.
    市民聊天页面 web chat      http://localhost:$web_port/   (${WEB_WORKERS:-2} web workers)
    API 文档 API docs           http://localhost:$web_port/docs
    Rasa replicas (local only) ${RASA_URLS//,/ }
    action server              $ACTION_SERVER_URL   ($ACTION_SERVER_SANIC_WORKERS workers)
    Redis                      $RASA_LOCK_REDIS_HOST:$RASA_LOCK_REDIS_PORT/$RASA_LOCK_REDIS_DB (key prefix $REDIS_KEY_PREFIX)
    logs                       $RUN_DIR/log/<process>.log
    systemd units (for hosts that use systemd instead) $RUN_DIR/systemd/
  'make status' shows every process, 'make stop' stops them all.

MSG
prepared=$SECONDS
.venv/bin/supervisord -c "$CONF"
.venv/bin/python -m core.process_health --profile production --wait "${START_TIMEOUT:-600}"
say "started in $SECONDS s: $prepared s of checks, migrations and seeding, then $((SECONDS - prepared)) s until every process answered"
