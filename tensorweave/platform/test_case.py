"""tf.test.TestCase: unittest.TestCase with TensorFlow's session helpers and array assertions.

    class SquareTest(tf.test.TestCase):
        def testSquare(self):
            with self.test_session():
                x = tf.square([2, 3])
                self.assertAllEqual(x.eval(), [4, 9])

setUp gives each test a fresh default graph with TensorFlow's test seed (87654321), as TF's
TestCase does; test_session()/cached_session() return one Session per test on that graph.
"""
import collections.abc
import contextlib
import math
import os
import random
import re
import sys
import tempfile
import threading
import unittest

import numpy as np

from tensorweave.core import context, devices, dtypes, errors
from tensorweave.core import graph as graph_lib
from tensorweave.core import seeds
from tensorweave.core.operation import Operation, Tensor
from tensorweave.runtime.session import Session

DEFAULT_GRAPH_SEED = 87654321  # TensorFlow's random_seed.DEFAULT_GRAPH_SEED


def _temp_root():
    """One temporary directory per process (TEST_TMPDIR when set)."""
    root = os.environ.get("TEST_TMPDIR")
    if root:
        return root
    if _TEMP_ROOT[0] is None:
        base = os.path.splitext(os.path.basename(sys.argv[0] or "test"))[0] or "test"
        _TEMP_ROOT[0] = tempfile.mkdtemp(prefix=base)
    return _TEMP_ROOT[0]


_TEMP_ROOT = [None]


def get_temp_dir():
    """A temporary directory for the tests of this process."""
    return _temp_root()


class CheckedThread:
    """A thread whose exception fails the test at join() (TestCase.checkedThread)."""

    def __init__(self, testcase, target, args=None, kwargs=None):
        self._testcase = testcase
        self._target = target
        self._args = () if args is None else args
        self._kwargs = {} if kwargs is None else kwargs
        self._thread = threading.Thread(target=self._run)
        self._exception = None
        self._is_thread_joined = False

    def _run(self):
        try:
            self._target(*self._args, **self._kwargs)
        except Exception as e:  # noqa: BLE001 -- reported at join()
            self._exception = e

    def start(self):
        self._thread.start()

    def join(self):
        self._thread.join()
        self._is_thread_joined = True
        if self._exception is not None:
            self._testcase.fail(f"Error in checkedThread: {self._exception}")

    def is_alive(self):
        return self._thread.is_alive()

    def check_termination(self):
        if self._is_thread_joined:
            if self.is_alive():
                raise RuntimeError("Thread was not joined with main thread, and is still "
                                   "running when the test finished.")
        else:
            self._testcase.fail("A checked thread was not joined.")


class TestCase(unittest.TestCase):
    """Base class for tests of TF1 programs (TF's tf.test.TestCase)."""

    def __init__(self, methodName="runTest"):  # noqa: N803 -- unittest's name
        super().__init__(methodName)
        self._threads = []
        self._tempdir = None
        self._cached_session = None

    def setUp(self):
        self._clear_cached_session()
        random.seed(DEFAULT_GRAPH_SEED)
        np.random.seed(DEFAULT_GRAPH_SEED)
        graph_lib.reset_default_graph()
        seeds.set_random_seed(DEFAULT_GRAPH_SEED)

    def tearDown(self):
        for thread in self._threads:
            thread.check_termination()
        self._clear_cached_session()

    def _clear_cached_session(self):
        if self._cached_session is not None:
            self._cached_session.close()
            self._cached_session = None

    def get_temp_dir(self):
        """A temporary directory of this test case (made once per test case object)."""
        if not self._tempdir:
            self._tempdir = tempfile.mkdtemp(dir=_temp_root())
        return self._tempdir

    # --- sessions ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _as_default(self, sess):
        with sess.graph.as_default(), sess.as_default():
            yield sess

    def _get_cached_session(self, graph=None, config=None):
        if self._cached_session is None:
            self._cached_session = Session(graph=graph, config=config)
        elif graph is not None and self._cached_session.graph is not graph:
            raise ValueError("The graph used to get the cached session is different than the "
                             "one that was used to create the session. Maybe create a new "
                             "session with self.session()")
        return self._cached_session

    @contextlib.contextmanager
    def session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """A new Session on `graph` (default: the default graph), made the default session
        and closed at the end of the block."""
        if force_gpu:
            self.skipTest("tensorweave has no GPU")
        with Session(graph=graph, config=config) as sess, self._as_default(sess):
            yield sess

    @contextlib.contextmanager
    def cached_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """The Session this test reuses (made on the first call), as the default session."""
        if force_gpu:
            self.skipTest("tensorweave has no GPU")
        with self._as_default(self._get_cached_session(graph, config)) as sess:
            yield sess

    @contextlib.contextmanager
    def test_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """TF 1.x's name: the cached session when `graph` is None, else a new one."""
        if graph is None:
            with self.cached_session(config=config, use_gpu=use_gpu,
                                     force_gpu=force_gpu) as sess:
                yield sess
        else:
            with self.session(graph, config, use_gpu, force_gpu) as sess:
                yield sess

    test_session.__test__ = False  # not a test for pytest's collector

    def evaluate(self, tensors):
        """The values of `tensors` (any nesting) in the default session, or this test's."""
        sess = context.get_default_session()
        if sess is None:
            with self.test_session() as sess:
                return sess.run(tensors)
        return sess.run(tensors)

    def checkedThread(self, target, args=None, kwargs=None):  # noqa: N802 -- TF's name
        """A thread whose exception fails the test when joined; every one must be joined."""
        thread = CheckedThread(self, target, args, kwargs)
        self._threads.append(thread)
        return thread

    # --- values -----------------------------------------------------------------------------
    def _value(self, a):
        if isinstance(a, (Tensor, Operation)) or hasattr(a, "_as_graph_element"):
            a = self.evaluate(a)
        if not isinstance(a, np.ndarray):
            a = np.array(a)
        return a

    def _all_close(self, a, b, rtol, atol, path, msg):
        path_str = "[" + "][".join(str(p) for p in path) + "]" if path else ""
        msg = msg or ""
        if isinstance(a, collections.abc.Mapping) or isinstance(b, collections.abc.Mapping):
            if not (isinstance(a, collections.abc.Mapping)
                    and isinstance(b, collections.abc.Mapping)):
                raise ValueError(f"Can't compare dict to non-dict, a{path_str} vs b{path_str}. "
                                 f"{msg}")
            if set(a) != set(b):
                self.fail(f"mismatched keys: a{path_str} has keys {sorted(map(str, a))}, but "
                          f"b{path_str} has keys {sorted(map(str, b))}. {msg}")
            for k in a:
                self._all_close(a[k], b[k], rtol, atol, path + [k], msg)
            return
        if _is_sequence(a) or _is_sequence(b):
            try:
                a_arr, b_arr = self._value(a), self._value(b)
                if a_arr.dtype != object and b_arr.dtype != object:
                    self._close_arrays(a_arr, b_arr, rtol, atol, path_str, msg)
                    return
            except (ValueError, TypeError):
                pass
            if not (_is_sequence(a) and _is_sequence(b)) or len(a) != len(b):
                self.fail(f"Mismatched length: a{path_str} has {len(a)} items, but "
                          f"b{path_str} has {len(b)} items. {msg}")
            for i, (x, y) in enumerate(zip(a, b)):
                self._all_close(x, y, rtol, atol, path + [i], msg)
            return
        self._close_arrays(self._value(a), self._value(b), rtol, atol, path_str, msg)

    def _close_arrays(self, a, b, rtol, atol, path_str, msg):
        if a.shape != b.shape:
            self.assertEqual(a.shape, b.shape, f"Shape mismatch: expected {a.shape}, got "
                             f"{b.shape}. {msg}")
        if a.dtype.kind in "OSUb" or b.dtype.kind in "OSUb":
            np.testing.assert_array_equal(a, b, err_msg=f"Mismatch at {path_str}. {msg}")
            return
        np.testing.assert_allclose(
            b, a, rtol=rtol, atol=atol,
            err_msg=f"Mismatched value: a{path_str} is different from b{path_str}. {msg}",
            equal_nan=True)

    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        """a and b (arrays, tensors, or nested lists/tuples/dicts of them) are elementwise
        close: |a - b| <= atol + rtol * |b|; NaNs match NaNs."""
        self._all_close(a, b, rtol, atol, [], msg)

    def assertAllCloseAccordingToType(self, a, b, rtol=1e-6, atol=1e-6,  # noqa: N802
                                      float_rtol=1e-6, float_atol=1e-6, half_rtol=1e-3,
                                      half_atol=1e-3, bfloat16_rtol=1e-2, bfloat16_atol=1e-2,
                                      msg=None):
        """assertAllClose with tolerances raised for float32/complex64 and float16 values."""
        a, b = self._value(a), self._value(b)
        kinds = {a.dtype, b.dtype}
        if kinds & {np.dtype(np.float32), np.dtype(np.complex64)}:
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        if np.dtype(np.float16) in kinds:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        if any(getattr(k, "name", "") == "bfloat16" for k in kinds):
            rtol, atol = max(rtol, bfloat16_rtol), max(atol, bfloat16_atol)
        self.assertAllClose(a, b, rtol=rtol, atol=atol, msg=msg)

    def assertNotAllClose(self, a, b, **kwargs):  # noqa: N802
        try:
            self.assertAllClose(a, b, **kwargs)
        except AssertionError:
            return
        raise AssertionError("The two values are close at all elements")

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        """a and b have the same shape and equal elements."""
        msg = msg or ""
        a, b = self._value(a), self._value(b)
        if a.shape != b.shape and not (a.size == 0 and b.size == 0 and a.ndim == b.ndim == 1):
            self.assertEqual(a.shape, b.shape, f"Shape mismatch: expected {a.shape}, got "
                             f"{b.shape}. {msg}")
        np.testing.assert_array_equal(a, b, err_msg=msg)

    def assertNotAllEqual(self, a, b, msg=None):  # noqa: N802
        try:
            self.assertAllEqual(a, b)
        except AssertionError:
            return
        raise AssertionError(f"The two values are equal at all elements. {msg or ''}")

    def _all_compare(self, a, check, what):
        a = self._value(a)
        if not np.all(check(a)):
            self.fail(f"{a} is not {what}")

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        self._all_compare(a, lambda v: v > comparison_target, f"> {comparison_target}")

    def assertAllGreaterEqual(self, a, comparison_target):  # noqa: N802
        self._all_compare(a, lambda v: v >= comparison_target, f">= {comparison_target}")

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        self._all_compare(a, lambda v: v < comparison_target, f"< {comparison_target}")

    def assertAllLessEqual(self, a, comparison_target):  # noqa: N802
        self._all_compare(a, lambda v: v <= comparison_target, f"<= {comparison_target}")

    def assertAllInRange(self, target, lower_bound, upper_bound,  # noqa: N802
                         open_lower_bound=False, open_upper_bound=False):
        low = (lambda v: v > lower_bound) if open_lower_bound else (lambda v: v >= lower_bound)
        high = (lambda v: v < upper_bound) if open_upper_bound else (lambda v: v <= upper_bound)
        self._all_compare(target, lambda v: low(v) & high(v),
                          f"in the range [{lower_bound}, {upper_bound}]")

    def assertAllInSet(self, target, expected_set):  # noqa: N802
        values = set(self._value(target).ravel().tolist())
        extra = values - set(expected_set)
        if extra:
            self.fail(f"{sorted(extra)} unexpected, expected values in {expected_set}")

    def assertDTypeEqual(self, target, expected_dtype):  # noqa: N802
        self.assertEqual(self._value(target).dtype, np.dtype(
            dtypes.as_dtype(expected_dtype).as_numpy_dtype))

    def assertArrayNear(self, farray1, farray2, err, msg=None):  # noqa: N802
        """Lists of floats of equal length whose elements differ by at most `err`."""
        self.assertEqual(len(farray1), len(farray2), msg=msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg=msg)

    def assertNear(self, f1, f2, err, msg=None):  # noqa: N802
        """|f1 - f2| <= err."""
        self.assertTrue(f1 == f2 or math.fabs(f1 - f2) <= err,
                        "%f != %f +/- %f%s" % (f1, f2, err,
                                               " (%s)" % msg if msg is not None else ""))

    def assertNDArrayNear(self, ndarray1, ndarray2, err, msg=None):  # noqa: N802
        self.assertTrue(np.linalg.norm(np.asarray(ndarray1) - np.asarray(ndarray2)) <= err,
                        msg=msg)

    def assertShapeEqual(self, np_array, tf_tensor, msg=None):  # noqa: N802
        """A NumPy array's shape equals a tensor's static shape."""
        if not isinstance(np_array, (np.ndarray, np.generic)) or not isinstance(
                tf_tensor, Tensor):
            raise TypeError("np_array must be a Numpy ndarray or Numpy scalar; tf_tensor must "
                            "be a Tensor")
        self.assertAllEqual(np_array.shape, tf_tensor.shape.as_list(), msg=msg)

    def assertDeviceEqual(self, device1, device2, msg=None):  # noqa: N802
        """Two device strings name the same device."""
        d1 = devices.device_string(devices.parse_device(device1 or ""))
        d2 = devices.device_string(devices.parse_device(device2 or ""))
        self.assertEqual(d1, d2, f"Devices {device1} and {device2} are not equal. {msg or ''}")

    def assertStartsWith(self, actual, expected_start, msg=None):  # noqa: N802
        if not actual.startswith(expected_start):
            self.fail(f"{actual!r} does not start with {expected_start!r} {msg or ''}")

    def assertProtoEquals(self, expected_message_maybe_ascii, message, msg=None):  # noqa: N802
        """A protocol buffer equals another, or the text form of one."""
        from google.protobuf import text_format
        if isinstance(expected_message_maybe_ascii, str):
            expected = type(message)()
            text_format.Merge(expected_message_maybe_ascii, expected)
        else:
            expected = expected_message_maybe_ascii
        if expected != message:
            self.fail(f"{msg or ''}\nexpected:\n{text_format.MessageToString(expected)}\n"
                      f"actual:\n{text_format.MessageToString(message)}")

    @contextlib.contextmanager
    def assertRaisesWithPredicateMatch(self, exception_type,  # noqa: N802
                                       expected_err_re_or_predicate):
        """The block raises `exception_type` whose text matches the regular expression (or
        for which the predicate holds)."""
        if callable(expected_err_re_or_predicate):
            predicate = expected_err_re_or_predicate
        else:
            def predicate(e):
                text = e.message if isinstance(e, errors.OpError) else str(e)
                return re.search(expected_err_re_or_predicate, text)
        try:
            yield
        except Exception as e:  # noqa: BLE001 -- checked below
            if not isinstance(e, exception_type) or not predicate(e):
                raise AssertionError(f"Exception of type {type(e)}: {e}") from e
            return
        self.fail(f"{exception_type.__name__} not raised")

    def assertRaisesOpError(self, expected_err_re_or_predicate):  # noqa: N802
        """The block raises a tf.errors.OpError matching the pattern or predicate."""
        return self.assertRaisesWithPredicateMatch(errors.OpError,
                                                   expected_err_re_or_predicate)

    assertItemsEqual = unittest.TestCase.assertCountEqual


def _is_sequence(value):
    return isinstance(value, (list, tuple))
