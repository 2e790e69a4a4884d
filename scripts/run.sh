#!/usr/bin/env bash
# `make run`: migrate + seed the embedded database, then start every process with honcho.
# The processes and their environment come from core/processes.py (the one definition):
# the Procfile is generated into var/run/Procfile.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

set -a
[ -f .env ] && . ./.env
set +a
mkdir -p var/run
# Random secrets on first start, kept outside the repository (core/local_secrets.py); a value
# from the shell or .env wins.
eval "$(.venv/bin/python -m core.local_secrets --exports)"
eval "$(.venv/bin/python -m core.process_configs env --profile embedded)"
.venv/bin/python -m core.process_configs procfile --profile embedded --out var/run

say "applying database migrations ..."
.venv/bin/python -m alembic upgrade heads
say "seeding reference data ..."
.venv/bin/python -m backoffice.seed

web_port=${WEB_PORT:-8000}
cat <<MSG

  民政智能助手 is starting (Rasa needs about 30 seconds to load its model):
    市民聊天页面 web chat      http://localhost:$web_port/
    secrets (0600)             $(.venv/bin/python -m core.local_secrets)
    API 文档 API docs           http://localhost:$web_port/docs
    Rasa server (local only)   $RASA_URL
    action server              $ACTION_SERVER_URL
  Press Ctrl-C to stop everything.

MSG
# The Telegram worker (polling) is in the Procfile only with a bot token (webhook mode: a web route).
grep -q '^telegram:' var/run/Procfile && say "Telegram: polling worker enabled (TELEGRAM_BOT_TOKEN is set)"
exec .venv/bin/honcho start -f var/run/Procfile
