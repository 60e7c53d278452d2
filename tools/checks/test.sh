#!/usr/bin/env bash
# The test command: makes its own virtual environment with pinned tools (the MicroPython
# unix port included), lints, then runs every host test under CPython and MicroPython.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/venv.sh
bash tools/servers/ensure_mosquitto.sh  # the MQTT end-to-end tests run a real broker
echo "== ruff"
bash tools/checks/lint.sh
bash tools/checks/typecheck.sh  # pyright: lib/ and boards/ against the esp32 and rp2 stubs
echo "== pytest (CPython, and the MicroPython unix port through tests_host/test_micropython.py)"
.venv/bin/python -m pytest "$@"
