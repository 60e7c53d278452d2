#!/usr/bin/env bash
# Runs the benchmark in the MicroPython unix port (installed into .venv by tools/venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/venv.sh
MICROPYPATH=".frozen:lib:tools" .venv/bin/micropython -X heapsize=2m tools/bench.py "$@"
