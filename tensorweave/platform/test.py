"""tf.test: the test runner, TestCase, gradient checks, benchmarks and what the build has.

    class MyTest(tf.test.TestCase):
        def testAdd(self):
            with self.test_session():
                self.assertAllEqual(tf.add(1, 2).eval(), 3)

    if __name__ == "__main__":
        tf.test.main()
"""
import functools
import inspect
import os
import re
import sys
import time
import unittest

import numpy as np

from tensorweave.core.context import get_default_session
from tensorweave.platform.gradient_checker import compute_gradient, compute_gradient_error
from tensorweave.platform.test_case import TestCase, get_temp_dir
from tensorweave.runtime.config import ConfigProto

__all__ = ["main", "TestCase", "get_temp_dir", "compute_gradient", "compute_gradient_error",
           "is_gpu_available", "gpu_device_name", "is_built_with_cuda",
           "is_built_with_gpu_support", "is_built_with_rocm", "is_built_with_xla", "Benchmark",
           "StubOutForTesting", "assert_equal_graph_def", "test_src_dir_path",
           "benchmark_config", "disable_with_predicate", "with_eager_op_as_function"]


def main(argv=None):
    """Runs the tests of the __main__ module (unittest's runner; `--benchmarks=REGEX` runs
    the matching Benchmark methods instead)."""
    argv = list(sys.argv if argv is None else argv)
    pattern = next((a.split("=", 1)[1] for a in argv if a.startswith("--benchmarks=")), None)
    if pattern is not None:
        run_benchmarks(sys.modules["__main__"], pattern)
        return None
    return unittest.main(module="__main__", argv=argv, testLoader=_Loader())


class _Loader(unittest.TestLoader):
    """unittest's loader, leaving out methods marked `__test__ = False` (test_session)."""

    def getTestCaseNames(self, testCaseClass):  # noqa: N802 -- unittest's name
        names = super().getTestCaseNames(testCaseClass)
        return [n for n in names if getattr(getattr(testCaseClass, n), "__test__", True)]


# --- what this build has ---------------------------------------------------------------------
def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None):
    """False: tensorweave runs on the CPU."""
    return False


def gpu_device_name():
    """'' (no GPU device)."""
    return ""


def is_built_with_cuda():
    return False


def is_built_with_rocm():
    return False


def is_built_with_gpu_support():
    return False


def is_built_with_xla():
    return False


def test_src_dir_path(relative_path):
    """`relative_path` under the source tree: $TEST_SRCDIR if set, else tensorweave's."""
    root = os.environ.get("TEST_SRCDIR") or os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))
    return os.path.join(root, relative_path)


def benchmark_config():
    """The ConfigProto benchmarks run their Sessions with."""
    return ConfigProto()


def disable_with_predicate(pred, skip_message):
    """Decorator: the test is skipped when `pred()` is true."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            if pred():
                self.skipTest(skip_message)
            return func(self, *args, **kwargs)
        return wrapper
    return decorator


def with_eager_op_as_function(cls=None, only_as_function=False):
    """TF 2's test decorator; it leaves graph-mode tests as they are."""
    if cls is None:
        return lambda c: c
    return cls


# --- graph comparison ------------------------------------------------------------------------
_TEMP_CHECKPOINT = re.compile(rb"_temp_[0-9a-f]{32}/part")


def _node_text(node, checkpoint_v2, hash_table_shared_name):
    node = type(node).FromString(node.SerializeToString())
    data = [i for i in node.input if not i.startswith("^")]
    control = sorted(i for i in node.input if i.startswith("^"))
    del node.input[:]
    node.input.extend(data + control)
    if checkpoint_v2 and node.op == "Const" and "value" in node.attr:
        tensor = node.attr["value"].tensor
        if any(_TEMP_CHECKPOINT.search(s) for s in tensor.string_val):
            del node.attr["value"]
    if hash_table_shared_name and node.op.startswith("HashTable"):
        node.attr.pop("shared_name", None)
    return str(node)


def assert_equal_graph_def(actual, expected, checkpoint_v2=False,
                           hash_table_shared_name=False):
    """Raises AssertionError unless two GraphDefs have the same nodes (in any order; control
    inputs in any order). checkpoint_v2: ignore the random temporary names of V2 checkpoint
    saves; hash_table_shared_name: ignore hash tables' shared_name."""
    for value, what in ((actual, "actual"), (expected, "expected")):
        if type(value).__name__ != "GraphDef":
            raise TypeError(f"Expected tf.GraphDef for {what}, got {type(value).__name__}")
    a = {n.name: _node_text(n, checkpoint_v2, hash_table_shared_name) for n in actual.node}
    e = {n.name: _node_text(n, checkpoint_v2, hash_table_shared_name) for n in expected.node}
    problems = []
    missing, extra = sorted(set(e) - set(a)), sorted(set(a) - set(e))
    if missing:
        problems.append(f"Nodes in expected but not actual: {missing}")
    if extra:
        problems.append(f"Nodes in actual but not expected: {extra}")
    for name in sorted(set(a) & set(e)):
        if a[name] != e[name]:
            problems.append(f"Node named '{name}' has different contents:\nexpected:\n"
                            f"{e[name]}\nactual:\n{a[name]}")
    if problems:
        raise AssertionError("\n".join(problems))


# --- stubs -----------------------------------------------------------------------------------
class StubOutForTesting:
    """Replaces attributes for a test and puts them back (googletest's stubout).

        stubs = tf.test.StubOutForTesting()
        stubs.Set(os, "getcwd", lambda: "/tmp")
        ...
        stubs.CleanUp()
    """

    def __init__(self):
        self.cache = []
        self.stubs = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.CleanUp()

    def CleanUp(self):  # noqa: N802 -- googletest's names
        self.SmartUnsetAll()
        self.UnsetAll()

    def SmartSet(self, obj, attr_name, new_attr):  # noqa: N802
        """Replaces `obj.attr_name`, keeping static and class methods what they were."""
        if inspect.isclass(obj):
            old = inspect.getattr_static(obj, attr_name)
            if isinstance(old, (staticmethod, classmethod)) and not isinstance(
                    new_attr, (staticmethod, classmethod)):
                new_attr = type(old)(new_attr)
            had = attr_name in vars(obj)
        else:
            old = getattr(obj, attr_name)
            had = attr_name in getattr(obj, "__dict__", {}) or not hasattr(obj, "__dict__")
        self.cache.append((obj, attr_name, old, had))
        setattr(obj, attr_name, new_attr)

    def SmartUnsetAll(self):  # noqa: N802
        for obj, attr_name, old, had in reversed(self.cache):
            if had:
                setattr(obj, attr_name, old)
            else:
                delattr(obj, attr_name)
        self.cache = []

    def Set(self, parent, child_name, new_child):  # noqa: N802
        """Replaces `parent.child_name`; UnsetAll puts it back."""
        old = getattr(parent, child_name)
        if inspect.isclass(parent):
            old = inspect.getattr_static(parent, child_name)
        self.stubs.append((parent, old, child_name))
        setattr(parent, child_name, new_child)

    def UnsetAll(self):  # noqa: N802
        for parent, old, child_name in reversed(self.stubs):
            setattr(parent, child_name, old)
        self.stubs = []


# --- benchmarks ------------------------------------------------------------------------------
def _benchmark_text(name, iters, cpu_time, wall_time, throughput, extras, metrics):
    lines = ["entries {", f'  name: "{name}"']
    if iters is not None:
        lines.append(f"  iters: {int(iters)}")
    if cpu_time is not None:
        lines.append(f"  cpu_time: {cpu_time:g}")
    if wall_time is not None:
        lines.append(f"  wall_time: {wall_time:g}")
    if throughput is not None:
        lines.append(f"  throughput: {throughput:g}")
    for key in sorted(extras or {}):
        value = extras[key]
        kind = "double_value" if isinstance(value, (int, float, np.number)) else "string_value"
        shown = f"{float(value):g}" if kind == "double_value" else f'"{value}"'
        lines.append(f'  extras {{\n    key: "{key}"\n    value {{\n      {kind}: {shown}\n'
                     "    }\n  }")
    for metric in metrics or ():
        lines.append(f'  metrics {{\n    name: "{metric["name"]}"\n    value: '
                     f'{float(metric["value"]):g}\n  }}')
    lines.append("}")
    return "\n".join(lines)


class Benchmark:
    """Base class of benchmarks: methods named benchmark* run with `--benchmarks=REGEX`."""

    def _get_name(self, overwrite_name=None):
        if overwrite_name:
            return overwrite_name
        for frame in inspect.stack()[1:]:
            if frame.function.startswith("benchmark"):
                return f"{type(self).__name__}.{frame.function}"
        return type(self).__name__

    def report_benchmark(self, iters=None, cpu_time=None, wall_time=None, throughput=None,
                         extras=None, name=None, metrics=None):
        """Prints a benchmark entry (name: Class.method unless given)."""
        name = self._get_name(overwrite_name=name)
        print(_benchmark_text(name, iters, cpu_time, wall_time, throughput, extras, metrics))

    def evaluate(self, tensors):
        return get_default_session().run(tensors)

    def run_op_benchmark(self, sess, op_or_tensor, feed_dict=None, burn_iters=2, min_iters=10,
                         store_trace=False, store_memory_usage=True, name=None, extras=None,
                         mbs=0):
        """Runs `op_or_tensor` burn_iters times, then min_iters times timed; reports and
        returns {"iters", "wall_time" (the median), "extras", "name", "throughput"}."""
        for _ in range(burn_iters):
            sess.run(op_or_tensor, feed_dict=feed_dict)
        deltas = []
        for _ in range(min_iters):
            start = time.time()
            sess.run(op_or_tensor, feed_dict=feed_dict)
            deltas.append(time.time() - start)
        median = float(np.median(deltas)) if deltas else 0.0
        throughput = mbs / median if median and mbs else 0.0
        values = {"iters": min_iters, "wall_time": median, "extras": dict(extras or {}),
                  "name": name, "throughput": throughput}
        self.report_benchmark(iters=min_iters, wall_time=median, extras=extras, name=name,
                              throughput=throughput)
        return values


def run_benchmarks(module, pattern):
    """Runs the benchmark methods of Benchmark subclasses in `module` matching `pattern`."""
    regex = re.compile(pattern if pattern not in ("all", ".") else ".*")
    for value in list(vars(module).values()):
        if inspect.isclass(value) and issubclass(value, Benchmark) and value is not Benchmark:
            for attr in sorted(dir(value)):
                full = f"{value.__name__}.{attr}"
                if attr.startswith("benchmark") and callable(getattr(value, attr)) and \
                        regex.search(full):
                    getattr(value(), attr)()
