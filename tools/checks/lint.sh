#!/usr/bin/env bash
# ruff over every folder with Python in it (make lint; the test command runs it first).
set -euo pipefail
cd "$(dirname "$0")/../.."
.venv/bin/ruff check lib tests_host tests_device tools boards examples stubs
