"""Session policy applied to the ops a Plan will run, before it runs them: device placement
(only the CPU exists here), the placement log, and feeds that must be given. Sub-Plans (loop
bodies, tf.data functions) are not checked: their Session checked the Plan that runs them."""
import sys

from tensorweave.core import errors
from tensorweave.core.devices import parse_device
from tensorweave.core.tensor_shape import shape_text

CPU_DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"


def check_ops(ops, config):
    """Raises InvalidArgumentError for an op placed on a device other than the CPU (unless
    `config` allows soft placement) and for an op that must be fed (a Placeholder)."""
    soft = bool(config and config.allow_soft_placement)
    for op in ops:
        if op.device and not soft and \
                parse_device(op.device).get("device_type", "CPU") != "CPU":
            raise errors.InvalidArgumentError(
                op.node_def, op,
                f"Cannot assign a device for operation {op.name}: Operation was explicitly "
                f"assigned to {op.device} but available devices are [ {CPU_DEVICE} ]. Make "
                f"sure the device specification refers to a valid device. (Set "
                f"allow_soft_placement=True in the ConfigProto to fall back to the CPU.)"
                f"{node_reference(op)}")
    for op in ops:
        if op.op_def.must_feed:
            raise missing_feed_error(op)


def log_placement(graph, logged):
    """Logs the device of every op in the graph not in the set `logged` (and adds it), as TF's
    placer does for the whole graph at the first run and again after the graph grew."""
    ops = graph.get_operations()
    if len(ops) == len(logged):
        return
    for op in ops:
        print(f"{op.name}: ({op.type}): {CPU_DEVICE}", file=sys.stderr)
    logged.update(ops)


def missing_feed_error(op):
    shape = shape_text(op.outputs[0].shape, unknown_rank="<unknown>")
    return errors.InvalidArgumentError(
        op.node_def, op,
        f"You must feed a value for placeholder tensor '{op.name}' with dtype "
        f"{_dtype_word(op.outputs[0].dtype)} and shape {shape}{node_reference(op)}")


def _dtype_word(dtype):
    return {"float32": "float", "float64": "double"}.get(dtype.name, dtype.name)


def node_reference(op):
    """TF's error suffix naming the node and where user code created it."""
    return f"\n\t [[node {op.name} (defined at {op.location}) ]]"
