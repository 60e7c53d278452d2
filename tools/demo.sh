#!/usr/bin/env bash
# The demo command: sets up .venv (with the MicroPython unix port), then runs tools/demo.py.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/venv.sh
exec .venv/bin/python tools/demo.py "$@"
