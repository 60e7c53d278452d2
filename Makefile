# Two commands for a newcomer: `make demo` and `make test`. Both set up what they need.
.PHONY: test demo bench lint soak

demo:
	bash tools/demo.sh

test:
	bash tools/test.sh

bench:
	bash tools/bench.sh

lint:
	bash -c '. tools/venv.sh && .venv/bin/ruff check lib tests_host tests_device tools boards examples'

soak:
	bash tools/soak.sh
