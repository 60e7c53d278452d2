#!/usr/bin/env bash
# Instructions per operation (callgrind), bc26 beside the naive driver, in the unix port with a
# 160 KB heap so that the naive driver's garbage collections are counted too. Needs valgrind
# (Debian package; installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/venv.sh
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
count() {
  MICROPYPATH=".frozen:lib:tools/bench" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    .venv/bin/micropython -X heapsize=160k tools/bench/bench_ir.py "$1" "$2" 2>&1 | awk '/Collected/ {print $4}'
}
n=400
for w in bc26-urc naive-urc bc26-read naive-read traced-read; do
  base=$(count "$w" 0); full=$(count "$w" $n)
  echo "$w: $(( (full - base) / n )) instructions per operation"
done
