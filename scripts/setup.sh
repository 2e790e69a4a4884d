#!/usr/bin/env bash
# Creates the two environments when missing or out of date, with pinned packages:
#   .venv       Python >= 3.11  (web app, action server, tests)   requirements/app.txt
#   .venv-rasa  Python 3.10     (Rasa Open Source 3.6)            requirements/rasa.txt
# A second run installs nothing when the requirement files did not change; when both need
# installing (a fresh clone), they install side by side, each output line tagged [.venv...].
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

python_version_ok() {  # $1 = interpreter, $2 = "3.10" (exact) or "3.11+" (minimum)
  "$1" -c "import sys; v=sys.version_info[:2]; want='$2'
ok = v == (3, 10) if want == '3.10' else v >= (3, 11)
sys.exit(0 if ok else 1)" 2>/dev/null
}

find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" python3.10; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
      && python_version_ok "$candidate" 3.10 && { command -v "$candidate"; return; }
  done
  if command -v pyenv >/dev/null 2>&1; then
    local version
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -V -r); do
      candidate="$(pyenv prefix "$version")/bin/python"
      python_version_ok "$candidate" 3.10 && { echo "$candidate"; return; }
    done
  fi
  if command -v uv >/dev/null 2>&1; then
    candidate=$(uv python find 3.10 2>/dev/null || true)
    [ -n "$candidate" ] && python_version_ok "$candidate" 3.10 && { echo "$candidate"; return; }
  fi
  return 1
}

find_python311() {
  local candidate
  for candidate in "${PYTHON311:-}" python3 python3.13 python3.12 python3.11; do
    [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
      && python_version_ok "$candidate" 3.11+ && { command -v "$candidate"; return; }
  done
  return 1
}

up_to_date() {  # $1 = venv dir, $2 = requirements file
  [ -x "$1/bin/python" ] && [ "$(cat "$1/.requirements.sha256" 2>/dev/null)" = "$(digest "$2")" ]
}

digest() { sha256sum "$1" | cut -d' ' -f1; }

ensure_venv() {  # $1 = venv dir, $2 = interpreter, $3 = requirements file, $4 = pip progress bar
  local venv=$1 python=$2 requirements=$3 progress=${4:-on}
  if up_to_date "$venv" "$requirements"; then
    say "$venv is up to date"
    return
  fi
  if [ ! -x "$venv/bin/python" ]; then
    say "creating $venv with $("$python" --version 2>&1) ($python)"
    "$python" -m venv "$venv"
  fi
  say "installing $requirements into $venv (the first time takes a few minutes) ..."
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --progress-bar "$progress" -r "$requirements"
  digest "$requirements" > "$venv/.requirements.sha256"
  say "$venv ready"
}

PY311=$(find_python311) || die "Python 3.11 or newer is needed for the app. Install it (e.g. 'pyenv install 3.11', or your system's python3.11 package) and run again."
PY310=$(find_python310) || die "Python 3.10 is needed for Rasa 3.6 (it does not support newer versions). Install it with one of: 'pyenv install 3.10.13', 'uv python install 3.10', or your system's python3.10 package; or point PYTHON310=/path/to/python3.10 at one. Then run again."

if up_to_date .venv requirements/app.txt || up_to_date .venv-rasa requirements/rasa.txt; then
  ensure_venv .venv "$PY311" requirements/app.txt
  ensure_venv .venv-rasa "$PY310" requirements/rasa.txt
  exit 0
fi
# Both to install: side by side (each pip mostly keeps one core busy), without progress bars.
ensure_venv .venv "$PY311" requirements/app.txt off 2>&1 | sed -u 's/^/[.venv] /' &
app=$!
ensure_venv .venv-rasa "$PY310" requirements/rasa.txt off 2>&1 | sed -u 's/^/[.venv-rasa] /' &
rasa=$!
app_status=0 rasa_status=0
wait "$app" || app_status=$?
wait "$rasa" || rasa_status=$?
[ "$app_status" = 0 ] || die ".venv: installing requirements/app.txt failed (exit $app_status)"
[ "$rasa_status" = 0 ] || die ".venv-rasa: installing requirements/rasa.txt failed (exit $rasa_status)"
