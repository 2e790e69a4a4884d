#!/usr/bin/env bash
# `make run-production`: the production profile on one machine — PostgreSQL (back office and Rasa
# tracker store), Redis (Rasa lock store, live updates), RASA_REPLICAS Rasa servers, the action
# server with ACTION_WORKERS Sanic workers and the web app with WEB_WORKERS workers spreading
# messages over the replicas.
#
# Needs DATABASE_URL (postgresql+psycopg://...) and REDIS_URL (redis://...) in the environment or
# .env. LOCAL_DEFAULTS=1 uses the local test servers instead:
#   postgresql+psycopg://postgres@127.0.0.1:5432/test and redis://127.0.0.1:6379/0.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m!!\033[0m %s\n' "$*" >&2; exit 1; }

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

export PROFILE=production
export WEB_HOST=${WEB_HOST:-0.0.0.0} WEB_PORT=${WEB_PORT:-8000} WEB_WORKERS=${WEB_WORKERS:-2}
export RASA_PORT=${RASA_PORT:-5005} ACTIONS_PORT=${ACTIONS_PORT:-5055}
export RASA_REPLICAS=${RASA_REPLICAS:-2}
# rasa-sdk reads its number of Sanic worker processes from ACTION_SERVER_SANIC_WORKERS.
export ACTION_SERVER_SANIC_WORKERS=${ACTION_WORKERS:-2}
[[ "$RASA_REPLICAS" =~ ^[1-9][0-9]*$ ]] || die "RASA_REPLICAS must be a positive number"
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:$ACTIONS_PORT}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-$ACTION_SERVER_URL/webhook}
export BACKOFFICE_URL=${BACKOFFICE_URL:-http://127.0.0.1:$WEB_PORT}
export PYTHONUNBUFFERED=1

# Consecutive ports from RASA_PORT; the web app spreads messages over all of them.
urls=()
for ((i = 0; i < RASA_REPLICAS; i++)); do urls+=("http://127.0.0.1:$((RASA_PORT + i))"); done
RASA_URLS=$(IFS=,; echo "${urls[*]}")
export RASA_URLS RASA_URL=${urls[0]}

# Tracker-store and lock-store variables of bot/endpoints.production.yml (unless set already).
eval "$(.venv/bin/python -m core.production_env env)"

say "checking the production secrets ..."
.venv/bin/python -m core.secrets_check
say "applying database migrations to $(.venv/bin/python -c 'import os,sqlalchemy as s; print(s.make_url(os.environ["DATABASE_URL"]).render_as_string(hide_password=True))') ..."
.venv/bin/python -m alembic upgrade heads
say "seeding reference data ..."
.venv/bin/python -m backoffice.seed
say "Rasa tracker database: $RASA_TRACKER_DB_NAME on $RASA_TRACKER_DB_HOST:$RASA_TRACKER_DB_PORT"
.venv/bin/python -m core.production_env ensure-tracker-db

# honcho reads the replicas from a generated Procfile (the static part is Procfile.production).
procfile=$(mktemp -t minzheng-procfile.XXXXXX)
trap 'rm -f "$procfile"' EXIT
cp Procfile.production "$procfile"
names=()
for ((i = 0; i < RASA_REPLICAS; i++)); do
  echo "rasa$i: .venv-rasa/bin/rasa run --enable-api --interface 127.0.0.1 --port $((RASA_PORT + i)) --model models --endpoints bot/endpoints.production.yml --credentials bot/credentials.yml" >> "$procfile"
  names+=("rasa$i")
done
names+=(actions web)
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ] && [ "${TELEGRAM_MODE:-polling}" = polling ]; then
  names+=(telegram)
  say "Telegram: polling worker enabled (TELEGRAM_BOT_TOKEN is set)"
fi

cat <<MSG

  民政智能助手 (production profile) is starting (each Rasa replica needs about 30 seconds):
    市民聊天页面 web chat      http://localhost:$WEB_PORT/   ($WEB_WORKERS web workers)
    API 文档 API docs           http://localhost:$WEB_PORT/docs
    Rasa replicas (local only) ${RASA_URLS//,/ }
    action server              $ACTION_SERVER_URL   ($ACTION_SERVER_SANIC_WORKERS workers)
    Redis                      $RASA_LOCK_REDIS_HOST:$RASA_LOCK_REDIS_PORT/$RASA_LOCK_REDIS_DB (key prefix $REDIS_KEY_PREFIX)
  Press Ctrl-C to stop everything.

MSG
.venv/bin/honcho start -f "$procfile" "${names[@]}"
