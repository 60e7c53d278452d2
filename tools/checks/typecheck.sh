#!/usr/bin/env bash
# Type-checks lib/ and each port's board files with pyright against that port's MicroPython
# stubs (ESP32, then RP2), so a call to an API one port lacks cannot slip in; then the
# examples against bc26's own type stubs (stubs/bc26). The stubs go into
# typings/<port> (gitignored), one folder per port because the two packages overlap; their pins
# are the "# typecheck:" lines of requirements-dev.txt. pyright runs on the system's node (its
# PyPI wrapper bundles the JavaScript; without node it would try to download one).
#
# The check is about APIs: modules, names, attributes and call signatures. The Optional* and
# argument/assignment-type rules are off: in untyped code they report pyright's guesses about
# attributes that start as None, not missing APIs.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x .venv/bin/pyright ] || . tools/venv.sh
mkdir -p typings

boards_esp32='"../boards/board.py", "../boards/esp32_devkitc.py"'
boards_rp2='"../boards/board.py", "../boards/rp2_pico.py", "../boards/teb.py"'
status=0

for port in esp32 rp2; do
  pins="$(sed -n 's/^# typecheck: //p' requirements-dev.txt | grep -E "^micropython-($port|stdlib)-stubs==")"
  if [ "$(cat "typings/$port/.pins" 2>/dev/null)" != "$pins" ]; then
    rm -rf "typings/$port"
    # shellcheck disable=SC2086  # one argument per pin
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --target "typings/$port" $pins \
      2> >(grep -v "^WARNING: Location" >&2)
    echo "$pins" > "typings/$port/.pins"
  fi
  boards="boards_$port"
  cat > "typings/pyright-$port.json" <<JSON
{
  "include": ["../lib", ${!boards}],
  "extraPaths": ["../lib"],
  "stubPath": "$port",
  "typeshedPath": "$port",
  "pythonPlatform": "Linux",
  "pythonVersion": "3.11",
  "typeCheckingMode": "basic",
  "reportMissingModuleSource": "none",
  "reportOptionalMemberAccess": "none",
  "reportOptionalSubscript": "none",
  "reportOptionalCall": "none",
  "reportOptionalOperand": "none",
  "reportOptionalIterable": "none",
  "reportArgumentType": "none",
  "reportAssignmentType": "none",
  "reportOperatorIssue": "none",
  "reportRedeclaration": "none"
}
JSON
  echo "== pyright: lib/ and boards/ against micropython-$port-stubs"
  .venv/bin/pyright --project "typings/pyright-$port.json" || status=1
done

# The public API as users see it: the examples, checked against the type stubs in stubs/bc26
# (not against lib/), so a name the stubs lack (a method loaded on first use, an attribute
# another module sets) or a call that does not fit them fails here. tests_host/test_stubs.py
# checks the stubs against lib/ in turn.
cat > typings/pyright-api.json <<JSON
{
  "include": ["../stubs", "../examples"],
  "extraPaths": ["../stubs", "../boards"],
  "stubPath": "esp32",
  "typeshedPath": "esp32",
  "pythonPlatform": "Linux",
  "pythonVersion": "3.11",
  "typeCheckingMode": "basic",
  "reportMissingModuleSource": "none",
  "reportOptionalMemberAccess": "none",
  "reportOperatorIssue": "none"
}
JSON
echo "== pyright: examples/ against the type stubs (stubs/bc26)"
.venv/bin/pyright --project typings/pyright-api.json || status=1
exit $status
