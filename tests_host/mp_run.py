# Runs test modules under the MicroPython unix port: every test_* function of each module
# named on the command line. Prints one line per failure and a closing
# "N passed, N failed" line; exits 1 if anything failed.
import sys

passed = 0
failed = 0
for name in sys.argv[1:]:
    mod = __import__(name)
    for attr in sorted(dir(mod)):
        if not attr.startswith("test_"):
            continue
        fn = getattr(mod, attr)
        try:
            fn()
            passed += 1
        except Exception as e:
            failed += 1
            print("FAIL %s.%s:" % (name, attr))
            sys.print_exception(e)
print("micropython: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
