"""Helpers shared by the tests and the benchmarks (``benchmarks/``), imported as ``tests.support.*`` with the
repository root on ``sys.path`` (tests/conftest.py puts it there; the benchmarks run from the root).

- :mod:`tests.support.serve`: start ``policykb serve`` on a free port, wait for HTTP 200, stop it; the environment of a
  ``policykb`` child process; a free loopback port.
"""
