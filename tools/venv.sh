# Sourced by the tools: creates .venv with requirements-dev.txt once, again when it changes.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! cmp -s requirements-dev.txt .venv/.installed 2>/dev/null; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  cp requirements-dev.txt .venv/.installed
fi
