"""The old module paths under tensorweave.framework keep working after the move to core/."""
import importlib

import pytest

import tensorweave as tf
from tensorweave import core

MOVED_WHOLE = {"context": "context", "registry": "registry", "dtypes": "dtypes",
               "tensor_shape": "tensor_shape", "errors": "errors", "importer": "importer",
               "tf_op_signatures": "tf_op_signatures", "graph_io": "graph_io",
               "graph_def": "graph_def", "tf_forms": "tensorflow_forms"}


@pytest.mark.parametrize("old", sorted(MOVED_WHOLE))
def test_a_module_moved_whole_is_its_new_module(old):
    if old in ("graph_def", "tf_forms", "importer", "graph_io"):
        pytest.importorskip("tensorboard")
    new = importlib.import_module(f"tensorweave.core.{MOVED_WHOLE[old]}")
    assert importlib.import_module(f"tensorweave.framework.{old}") is new


def test_old_graph_module_hands_on_the_names_users_import():
    from tensorweave.framework import graph
    for name in ("Graph", "Operation", "Tensor", "GraphKeys", "get_default_graph",
                 "reset_default_graph", "name_scope", "convert_to_tensor", "constant",
                 "constant_value", "get_seed", "create_op", "parse_device"):
        assert hasattr(graph, name), name
    assert graph.Graph is core.graph.Graph and graph.constant is tf.constant
    with tf.Graph().as_default():
        assert graph.constant_value(graph.constant([1, 2])).tolist() == [1, 2]
