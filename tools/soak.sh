#!/usr/bin/env bash
# The long soak (minutes): sets up .venv, then tools/soak.py with 10,000 messages.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/venv.sh
exec .venv/bin/python tools/soak.py "$@"
