#!/usr/bin/env bash
# The benchmark: sets up .venv, then tools/benchmark.py prints one table (--no-ir skips the
# callgrind instruction counts, which take about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/venv.sh
exec .venv/bin/python tools/benchmark.py "$@"
