#!/usr/bin/env bash
# make test: a fresh stack in its own run dir (its own ports), the whole suite, then stop and remove it.
set -euo pipefail
run_dir=${1:-.run/test}
py=.venv/bin/python
bash deploy/local/ensure_chromium.sh
bash deploy/local/ensure_compose_config.sh
$py deploy/local/stack.py clean --run-dir "$run_dir" >/dev/null
trap '$py deploy/local/stack.py clean --run-dir "$run_dir" >/dev/null 2>&1 || true' EXIT
$py deploy/local/stack.py up --run-dir "$run_dir"
set -a && source "$run_dir/stack.env" && set +a
$py -m pytest -q -p no:cacheprovider tests
