# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
# A short fuzz of the receiver and engine in both runtimes; tools/checks/soak.py runs the long one.
import fuzzcore


def test_fuzz_seeds():
    for seed in range(1, 7):
        fuzzcore.run(seed, 15)
