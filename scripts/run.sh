#!/usr/bin/env bash
# `make run`: migrate + seed the embedded database, then start every process with honcho.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

set -a
[ -f .env ] && . ./.env
set +a
export WEB_HOST=${WEB_HOST:-0.0.0.0} WEB_PORT=${WEB_PORT:-8000}
export RASA_PORT=${RASA_PORT:-5005} ACTIONS_PORT=${ACTIONS_PORT:-5055}
export RASA_URL=${RASA_URL:-http://127.0.0.1:$RASA_PORT}
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:$ACTIONS_PORT}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-$ACTION_SERVER_URL/webhook}
export BACKOFFICE_URL=${BACKOFFICE_URL:-http://127.0.0.1:$WEB_PORT}
export RASA_TRACKER_DB=${RASA_TRACKER_DB:-$PWD/var/rasa_tracker.db}
export PYTHONUNBUFFERED=1
mkdir -p var

say "applying database migrations ..."
.venv/bin/python -m alembic upgrade heads
say "seeding reference data ..."
.venv/bin/python -m backoffice.seed

cat <<MSG

  民政智能助手 is starting (Rasa needs about 30 seconds to load its model):
    市民聊天页面 web chat      http://localhost:$WEB_PORT/
    API 文档 API docs           http://localhost:$WEB_PORT/docs
    Rasa server (local only)   $RASA_URL
    action server              $ACTION_SERVER_URL
  Press Ctrl-C to stop everything.

MSG
# The Telegram worker (polling) runs only with a bot token; in webhook mode the web app serves it.
processes=(rasa actions web)
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ] && [ "${TELEGRAM_MODE:-polling}" = polling ]; then
  processes+=(telegram)
  say "Telegram: polling worker enabled (TELEGRAM_BOT_TOKEN is set)"
fi
exec .venv/bin/honcho start -f Procfile "${processes[@]}"
