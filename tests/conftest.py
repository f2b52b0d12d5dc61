"""Shared test setup: every test starts with a fresh global default graph."""
import pytest

import tensorweave as tf


@pytest.fixture(autouse=True)
def fresh_default_graph():
    tf.reset_default_graph()
    yield


# tests/programs/ holds third-party TF1 programs (run by tools/run_programs.py, not pytest);
# some are named test_*.py, so pytest must not collect them.
collect_ignore_glob = ["programs/*/*"]
