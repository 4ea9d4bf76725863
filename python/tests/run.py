"""Run the probe's Python tests and print one closing line: 'python: N passed, N failed, N skipped'.

    /usr/bin/python3 python/tests/run.py

Exits 1 if a test failed. Without an importable torch it prints why and
counts nothing (exit 0): the probe cannot be tested without torch.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    try:
        import torch  # noqa: F401
    except ImportError as err:
        print(f'python: skipped: torch is not importable by {sys.executable} ({err}); '
              'install Debian\'s python3-torch to test the probe')
        return 0
    sys.path.insert(0, HERE)
    suite = unittest.defaultTestLoader.discover(HERE, pattern='test_*.py', top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f'python: {passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
