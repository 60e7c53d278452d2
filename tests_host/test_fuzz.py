# Also runs under MicroPython (tests_host/mp_run.py): plain functions and asserts only.
# A short fuzz of the receiver and engine in both runtimes; tools/checks/soak.py runs the long one.
import fuzzcore


# (300 rounds in about a second: the library runs on fuzzcore's virtual clock.)
def test_fuzz_seeds():
    for seed in range(1, 13):
        fuzzcore.run(seed, 25)
