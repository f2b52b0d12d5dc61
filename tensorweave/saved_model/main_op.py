"""tf.saved_model.main_op: the op a SavedModel's loader runs after restoring variables."""
from tensorweave.core.graph import get_default_graph
from tensorweave.ops.control import grouping
from tensorweave.variables import local_variables_initializer, tables_initializer


def main_op():
    """Initializes the local variables and the lookup tables (grouped)."""
    return grouping.group(local_variables_initializer(), tables_initializer())


def main_op_with_restore(restore_op_name):
    """main_op, then the restore op named `restore_op_name`."""
    graph = get_default_graph()
    with graph.control_dependencies([main_op()]):
        return grouping.group(graph.as_graph_element(restore_op_name))
