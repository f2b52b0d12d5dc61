"""tfdbg (`from tensorflow.python import debug as tf_debug`): its predicate and watch options.

TF's debugger wraps a Session to dump every tensor a run makes and browse them (a curses or
readline CLI, TensorBoard's debugger plugin, a gRPC stream). tensorweave has no such runtime:
the wrapper sessions and hooks raise NotImplementedError when made, so a program that only
imports tfdbg, or makes a wrapper only under a `--debug` flag, runs as it does under TF.
"""
import numpy as np

__all__ = [
    "DumpingDebugHook", "DumpingDebugWrapperSession", "GrpcDebugHook", "GrpcDebugWrapperSession",
    "LocalCLIDebugHook", "LocalCLIDebugWrapperSession", "TensorBoardDebugHook",
    "TensorBoardDebugWrapperSession", "WatchOptions", "has_inf_or_nan",
]


def has_inf_or_nan(datum, tensor):
    """True if and only if `tensor` holds a nan or an inf (TF's `DebugDumpDir.find` predicate)."""
    del datum  # the datum's metadata is not used, as in TF
    if tensor is None:
        return False
    tensor = np.asarray(tensor)
    if (np.issubdtype(tensor.dtype, np.floating)
            or np.issubdtype(tensor.dtype, np.complexfloating)
            or np.issubdtype(tensor.dtype, np.integer)):
        return bool(np.any(np.isnan(tensor)) or np.any(np.isinf(tensor)))
    return False


class WatchOptions:
    """What a wrapper session's run watches: debug ops and the node, op and dtype filters."""

    def __init__(self, debug_ops=None, node_name_regex_whitelist=None,
                 op_type_regex_whitelist=None, tensor_dtype_regex_whitelist=None,
                 tolerate_debug_op_creation_failures=False):
        self.debug_ops = debug_ops if debug_ops else ["DebugIdentity"]
        self.node_name_regex_whitelist = node_name_regex_whitelist
        self.op_type_regex_whitelist = op_type_regex_whitelist
        self.tensor_dtype_regex_whitelist = tensor_dtype_regex_whitelist
        self.tolerate_debug_op_creation_failures = tolerate_debug_op_creation_failures

    def __repr__(self):
        return ("WatchOptions(debug_ops=%r, node_name_regex_whitelist=%r, "
                "op_type_regex_whitelist=%r, tensor_dtype_regex_whitelist=%r, "
                "tolerate_debug_op_creation_failures=%r)" % (
                    self.debug_ops, self.node_name_regex_whitelist,
                    self.op_type_regex_whitelist, self.tensor_dtype_regex_whitelist,
                    self.tolerate_debug_op_creation_failures))


class _NoDebuggerRuntime:
    """A tfdbg wrapper or hook: made only to say that tensorweave has no debugger runtime."""

    def __init__(self, *args, **kwargs):
        del args, kwargs
        raise NotImplementedError(
            "tf_debug.%s: tensorweave has no tfdbg runtime (tensor dumps, the debugger CLI, "
            "TensorBoard's debugger or gRPC streams); run without the debugger"
            % type(self).__name__)


class LocalCLIDebugWrapperSession(_NoDebuggerRuntime):
    """TF's Session wrapper with the tfdbg command-line interface."""


class LocalCLIDebugHook(_NoDebuggerRuntime):
    """TF's SessionRunHook with the tfdbg command-line interface."""


class DumpingDebugWrapperSession(_NoDebuggerRuntime):
    """TF's Session wrapper that dumps every run's watched tensors to a directory."""


class DumpingDebugHook(_NoDebuggerRuntime):
    """TF's SessionRunHook that dumps every run's watched tensors to a directory."""


class TensorBoardDebugWrapperSession(_NoDebuggerRuntime):
    """TF's Session wrapper that streams to TensorBoard's debugger plugin."""


class TensorBoardDebugHook(_NoDebuggerRuntime):
    """TF's SessionRunHook that streams to TensorBoard's debugger plugin."""


class GrpcDebugWrapperSession(_NoDebuggerRuntime):
    """TF's Session wrapper that streams debug data to gRPC servers."""


class GrpcDebugHook(_NoDebuggerRuntime):
    """TF's SessionRunHook that streams debug data to gRPC servers."""
