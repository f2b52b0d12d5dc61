"""Seeded shuffles give TensorFlow's element order exactly (fixture: TF 2.15, compat.v1 graph
mode; tests/fixtures/make_shuffle_order_reference.py)."""
import json
import os
import sys

import pytest

import tensorweave as tf

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
sys.path.insert(0, FIXTURES)
import shuffle_order_cases as cases  # noqa: E402

with open(os.path.join(FIXTURES, "shuffle_order_reference.json")) as f:
    REFERENCE = json.load(f)["cases"]


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_shuffle_order_matches_tensorflow(name):
    assert cases.run(tf, cases.CASES[name]) == REFERENCE[name]
