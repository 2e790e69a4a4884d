#!/usr/bin/env bash
# Trains the Rasa model when the training data, domain or config changed, and only then
# (Rasa compares a fingerprint with the newest model in models/ and skips training otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
printf '\033[1;34m==>\033[0m %s\n' "checking the Rasa model (trains only if the data changed; a full training takes a few minutes) ..."
mkdir -p models var
# One training at a time: parallel runs would write the same model file.
exec 9>var/train.lock
flock 9
.venv-rasa/bin/rasa train --config config.yml --domain bot/domain --data bot/data nlu_data \
  --out models --fixed-model-name assistant 2>&1 \
  | grep --line-buffered -vE "DeprecationWarning|declare_namespace|pkg_resources|xla_computation|^\s*$|warnings.warn|from jax import"
