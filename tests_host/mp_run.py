# Runs test modules under the MicroPython unix port: every test_* function of each module
# named on the command line. Prints one line per failure and a closing
# "N passed, N failed" line; exits 1 if anything failed.
import sys

passed = 0
failed = 0
xfailed = 0
for name in sys.argv[1:]:
    mod = __import__(name)
    # A module's XFAIL tuple names tests expected to fail (pytest's xfail(strict=True)): one
    # that fails counts as expected, one that passes fails the run until its name is removed.
    xfail = getattr(mod, "XFAIL", ())
    for attr in sorted(dir(mod)):
        if not attr.startswith("test_"):
            continue
        fn = getattr(mod, attr)
        try:
            fn()
            if attr in xfail:
                failed += 1
                print("XPASS %s.%s: remove it from XFAIL" % (name, attr))
            else:
                passed += 1
        except Exception as e:
            if attr in xfail:
                xfailed += 1
                continue
            failed += 1
            print("FAIL %s.%s:" % (name, attr))
            sys.print_exception(e)
print("micropython: %d passed, %d failed, %d xfailed" % (passed, failed, xfailed))
sys.exit(1 if failed else 0)
