"""TF 1.x's switches for TensorFlow 2 behaviour.

tensorweave is TF 1.x graph mode. The `disable_*` switches and the flags that leave graph
semantics alone are honoured; switches that would change the programming model (eager
execution, TF2 behaviour as a whole, elementwise tensor equality) raise NotImplementedError
naming the switch, so a program never silently runs with semantics it did not ask for.
"""
__all__ = ["enable_eager_execution", "disable_eager_execution", "executing_eagerly",
           "executing_eagerly_outside_functions", "enable_v2_behavior", "disable_v2_behavior",
           "enable_control_flow_v2", "disable_control_flow_v2", "control_flow_v2_enabled",
           "enable_resource_variables", "disable_resource_variables",
           "resource_variables_enabled", "enable_tensor_equality", "disable_tensor_equality",
           "enable_v2_tensorshape", "disable_v2_tensorshape"]

_FLAGS = {"control_flow_v2": False, "resource_variables": False}


def _refuse(switch, what):
    raise NotImplementedError(
        f"tf.{switch}() is not supported: tensorweave runs the TF 1.x graph programming model "
        f"and has no {what}. Remove the call (see docs/compatibility.md).")


def enable_eager_execution(config=None, device_policy=None, execution_mode=None):
    _refuse("enable_eager_execution", "eager execution")


def disable_eager_execution():
    """Graph mode, which tensorweave always runs."""


def executing_eagerly():
    """False: ops build a graph that a Session runs."""
    return False


def executing_eagerly_outside_functions():
    return False


def enable_v2_behavior():
    _refuse("enable_v2_behavior", "TensorFlow 2 behaviour")


def disable_v2_behavior():
    """TF 1.x behaviour, which tensorweave always has."""


def enable_control_flow_v2():
    """Accepted: TF's functional control flow computes what tensorweave's cond and
    while_loop compute; the graph keeps TF 1.x's form."""
    _FLAGS["control_flow_v2"] = True


def disable_control_flow_v2():
    _FLAGS["control_flow_v2"] = False


def control_flow_v2_enabled():
    return _FLAGS["control_flow_v2"]


def enable_resource_variables():
    """Accepted: tensorweave's variables already read consistently within a step."""
    _FLAGS["resource_variables"] = True


def disable_resource_variables():
    _FLAGS["resource_variables"] = False


def resource_variables_enabled():
    return _FLAGS["resource_variables"]


def enable_tensor_equality():
    _refuse("enable_tensor_equality", "elementwise Tensor equality (Tensor == compares "
            "identity, as in TF 1.x)")


def disable_tensor_equality():
    """Tensor == compares identity, as in TF 1.x."""


def enable_v2_tensorshape():
    _refuse("enable_v2_tensorshape", "TF2 TensorShape (dimensions are Dimension objects)")


def disable_v2_tensorshape():
    """TensorShape dimensions are Dimension objects, as in TF 1.x."""
