#!/usr/bin/env bash
# `make stop`: stops every process of the production profile, then supervisord (each process gets
# SIGTERM and up to 20 s to finish what it is doing; see core/process_configs.py).
set -euo pipefail
cd "$(dirname "$0")/.."
pidfile=var/run/supervisord.pid
if ! [ -f "$pidfile" ] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "the production profile is not running"
  exit 0
fi
pid=$(cat "$pidfile")
.venv/bin/supervisorctl -c var/run/supervisord.conf shutdown
for _ in $(seq 1 120); do
  kill -0 "$pid" 2>/dev/null || { echo "stopped"; exit 0; }
  sleep 0.5
done
echo "supervisord ($pid) still running after 60 s" >&2
exit 1
