#!/usr/bin/env bash
# Trains the Rasa model when the training data, domain or config changed, and only then.
set -euo pipefail
cd "$(dirname "$0")/.."
printf '\033[1;34m==>\033[0m %s\n' "checking the Rasa model (trains only if the data changed; a full training takes a few minutes) ..."
mkdir -p models var
# One training at a time: parallel runs would write the same model file.
exec 9>var/train.lock
flock 9
# Rasa 3.6 itself never skips: with every component cached it still re-reads and re-featurises
# all the data and packs a new model (minutes). Our fingerprint of everything a model is trained
# from, kept next to the model, lets an unchanged checkout skip `rasa train` altogether.
model=models/assistant.tar.gz
stamp=models/assistant.fingerprint
fingerprint=$( { .venv-rasa/bin/rasa --version 2>/dev/null | head -n 3
  find config.yml bot/domain bot/data nlu_data bot_plugins/evidence.py bot_plugins/evidence_gate.py -type f | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -d' ' -f1)
if [ -f "$model" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ]; then
  printf '\033[1;34m==>\033[0m %s\n' "the model is up to date ($model): nothing to train"
  exit 0
fi
rm -f "$stamp"
.venv-rasa/bin/rasa train --config config.yml --domain bot/domain --data bot/data nlu_data \
  --out models --fixed-model-name assistant 2>&1 \
  | grep --line-buffered -vE "DeprecationWarning|declare_namespace|pkg_resources|xla_computation|^\s*$|warnings.warn|from jax import"
[ -f "$model" ] && echo "$fingerprint" > "$stamp"
