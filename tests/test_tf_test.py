"""tf.test written the way TensorFlow's own tests are: classes deriving tf.test.TestCase that
build graphs and run them in self.test_session()."""
import os
import sys
import threading

import numpy as np
import pytest

import tensorweave as tf


class TestCaseSessionsTest(tf.test.TestCase):

    def testSetUpGivesAFreshGraphWithTheTestSeed(self):
        self.assertEqual(tf.get_default_graph().get_operations(), [])
        self.assertEqual(tf.get_default_graph().seed, 87654321)

    def testTestSessionRunsOnTheDefaultGraph(self):
        with self.test_session() as sess:
            x = tf.constant([1.0, 2.0])
            y = x * 2
            self.assertIs(sess.graph, tf.get_default_graph())
            self.assertIs(tf.get_default_session(), sess)
            self.assertAllEqual(y.eval(), [2.0, 4.0])
        with self.test_session() as again:
            self.assertIs(again, sess)  # cached for the test
        with self.cached_session() as cached:
            self.assertIs(cached, sess)

    def testSessionIsNewAndClosed(self):
        g = tf.Graph()
        with g.as_default():
            c = tf.constant(3)
        with self.session(graph=g) as sess:
            self.assertIs(sess.graph, g)
            self.assertEqual(self.evaluate(c), 3)
        with self.assertRaises(RuntimeError):
            sess.run(c)

    def testTestSessionWithAnotherGraph(self):
        g = tf.Graph()
        with g.as_default():
            c = tf.constant(5)
        with self.test_session(graph=g) as sess:
            self.assertEqual(sess.run(c), 5)

    def testEvaluateNestedStructures(self):
        a = tf.constant([1, 2])
        b = tf.constant(3.0)
        got = self.evaluate({"a": a, "pair": (b, [a])})
        self.assertAllEqual(got["a"], [1, 2])
        self.assertEqual(got["pair"][0], 3.0)
        self.assertAllEqual(got["pair"][1][0], [1, 2])

    def testGetTempDir(self):
        d = self.get_temp_dir()
        self.assertTrue(os.path.isdir(d))
        self.assertEqual(d, self.get_temp_dir())
        self.assertTrue(os.path.isdir(tf.test.get_temp_dir()))

    def testCheckedThread(self):
        results = []
        t = self.checkedThread(target=lambda n: results.append(n * 2), args=(4,))
        t.start()
        t.join()
        self.assertEqual(results, [8])

    def testCheckedThreadFailureFailsTheTest(self):
        def boom():
            raise ValueError("inside the thread")
        t = self.checkedThread(target=boom)
        t.start()
        with self.assertRaisesRegex(AssertionError, "inside the thread"):
            t.join()


class AssertionsTest(tf.test.TestCase):

    def testAssertAllCloseNested(self):
        self.assertAllClose({"a": [1.0, 2.0], "b": (3.0, np.array([4.0]))},
                            {"a": [1.0, 2.0 + 1e-7], "b": (3.0, [4.0])})
        with self.assertRaises(AssertionError):
            self.assertAllClose({"a": [1.0]}, {"a": [1.1]})
        with self.assertRaises(AssertionError):
            self.assertAllClose([1.0, 2.0], [1.0, 2.0, 3.0])
        with self.assertRaises(AssertionError):
            self.assertAllClose(np.zeros([2, 3]), np.zeros([3, 2]))

    def testAssertAllCloseDefaultsAndTensors(self):
        self.assertAllClose(1.0, 1.0 + 5e-7)
        with self.assertRaises(AssertionError):
            self.assertAllClose(1.0, 1.0 + 5e-6)
        with self.test_session():
            self.assertAllClose(tf.constant([1.0, 2.0]), [1.0, 2.0])
        self.assertAllClose([np.nan, 1.0], [np.nan, 1.0])

    def testAssertAllCloseAccordingToType(self):
        a = np.array([1.0], np.float32)
        self.assertAllCloseAccordingToType(a, a + np.float32(5e-7))
        self.assertAllCloseAccordingToType(np.array([1.0], np.float16),
                                           np.array([1.0005], np.float16))
        with self.assertRaises(AssertionError):
            self.assertAllCloseAccordingToType(np.array([1.0]), np.array([1.0005]))

    def testAssertAllEqual(self):
        self.assertAllEqual([[1, 2], [3, 4]], np.array([[1, 2], [3, 4]]))
        self.assertAllEqual([b"a", b"b"], np.array([b"a", b"b"], dtype=object))
        with self.assertRaises(AssertionError):
            self.assertAllEqual([1, 2], [1, 3])
        with self.assertRaisesRegex(AssertionError, "Shape mismatch"):
            self.assertAllEqual([1, 2], [[1, 2]])
        self.assertNotAllEqual([1, 2], [1, 3])

    def testNearAndRanges(self):
        self.assertNear(1.0, 1.05, 0.1)
        with self.assertRaises(AssertionError):
            self.assertNear(1.0, 1.5, 0.1)
        self.assertArrayNear([1.0, 2.0], [1.01, 1.99], 0.02)
        with self.assertRaises(AssertionError):
            self.assertArrayNear([1.0, 2.0], [1.1, 2.0], 0.02)
        self.assertAllInRange([1, 2, 3], 1, 3)
        with self.assertRaises(AssertionError):
            self.assertAllInRange([1, 2, 3], 1, 3, open_upper_bound=True)
        self.assertAllGreater([2, 3], 1)
        self.assertAllLessEqual([2, 3], 3)
        self.assertAllInSet([1, 2, 2], {1, 2})
        self.assertDTypeEqual(np.zeros(2, np.float32), tf.float32)

    def testShapeAndDevice(self):
        x = tf.placeholder(tf.float32, [2, 3])
        self.assertShapeEqual(np.zeros([2, 3]), x)
        with self.assertRaises(AssertionError):
            self.assertShapeEqual(np.zeros([3, 2]), x)
        self.assertDeviceEqual("/cpu:0", "/device:CPU:0")
        with self.assertRaises(AssertionError):
            self.assertDeviceEqual("/cpu:0", "/device:GPU:0")

    def testAssertRaisesOpError(self):
        x = tf.placeholder(tf.float32)
        check = tf.check_numerics(x, "bad x")
        with self.test_session() as sess:
            with self.assertRaisesOpError("bad x : Tensor had NaN values"):
                sess.run(check, {x: np.nan})
            with self.assertRaisesWithPredicateMatch(tf.errors.InvalidArgumentError,
                                                     lambda e: "NaN" in e.message):
                sess.run(check, {x: np.nan})
            with self.assertRaises(AssertionError):  # matching nothing raised fails
                with self.assertRaisesOpError("anything"):
                    sess.run(check, {x: 1.0})
            with self.assertRaises(AssertionError):  # a different message fails
                with self.assertRaisesOpError("other text"):
                    sess.run(check, {x: np.nan})

    def testAssertProtoEquals(self):
        pytest.importorskip("google.protobuf")
        with tf.Graph().as_default() as g:
            tf.constant(1.0, name="c")
        graph_def = g.as_graph_def()
        node = graph_def.node[0]
        self.assertProtoEquals(str(node), node)
        with self.assertRaises(AssertionError):
            self.assertProtoEquals('name: "other"', node)


class GradientCheckerTest(tf.test.TestCase):

    def testComputeGradientMatchesNumbers(self):
        with self.test_session():
            x = tf.constant([[1.0, 2.0], [3.0, 4.0]], dtype=tf.float64)
            y = tf.square(x) * 3
            theoretical, numerical = tf.test.compute_gradient(x, [2, 2], y, [2, 2])
            self.assertEqual(theoretical.shape, (4, 4))
            expected = np.diag(6 * np.array([1.0, 2.0, 3.0, 4.0]))
            x_value = np.array([[1.0, 2.0], [3.0, 4.0]])
            theoretical, numerical = tf.test.compute_gradient(x, [2, 2], y, [2, 2],
                                                              x_init_value=x_value)
            self.assertAllClose(theoretical, expected)
            self.assertAllClose(numerical, expected, atol=1e-6)

    def testComputeGradientErrorIsSmallForARightGradient(self):
        with self.test_session():
            x = tf.placeholder(tf.float64, [3])
            y = tf.reduce_sum(tf.sin(x) * x)
            self.assertLess(tf.test.compute_gradient_error(x, [3], y, []), 1e-6)

    def testComputeGradientErrorSeesAWrongGradient(self):
        @tf.RegisterGradient("TfTestWrongSquareGrad")
        def _wrong(op, dy):
            return [dy * 3 * op.inputs[0]]
        with self.test_session():
            x = tf.placeholder(tf.float64, [2])
            with tf.get_default_graph().gradient_override_map({"Square": "TfTestWrongSquareGrad"}):
                y = tf.square(x)
            error = tf.test.compute_gradient_error(x, [2], y, [2],
                                                   x_init_value=np.array([1.0, 2.0]))
            self.assertAllClose(error, 2.0)  # 3x instead of 2x at x = 2

    def testComputeGradientForAListOfInputs(self):
        with self.test_session():
            a = tf.constant([1.0, 2.0], dtype=tf.float64)
            b = tf.constant([3.0, 5.0], dtype=tf.float64)
            y = a * b
            grads = tf.test.compute_gradient([a, b], [[2], [2]], y, [2],
                                             x_init_value=[np.array([1.0, 2.0]),
                                                           np.array([3.0, 5.0])])
            self.assertEqual(len(grads), 2)
            self.assertAllClose(grads[0][0], np.diag([3.0, 5.0]))
            self.assertAllClose(grads[1][0], np.diag([1.0, 2.0]))
            self.assertAllClose(grads[0][1], np.diag([3.0, 5.0]), atol=1e-6)


class ModuleFunctionsTest(tf.test.TestCase):

    def testBuildFacts(self):
        self.assertFalse(tf.test.is_gpu_available())
        self.assertFalse(tf.test.is_gpu_available(cuda_only=True))
        self.assertEqual(tf.test.gpu_device_name(), "")
        self.assertFalse(tf.test.is_built_with_cuda())
        self.assertFalse(tf.test.is_built_with_gpu_support())
        self.assertFalse(tf.test.is_built_with_rocm())
        self.assertFalse(tf.test.is_built_with_xla())
        self.assertIsInstance(tf.test.benchmark_config(), tf.ConfigProto)
        self.assertTrue(tf.test.test_src_dir_path("ops").endswith(os.path.join("", "ops")))

    def testStubOutForTesting(self):
        class Target:
            value = 1

            @staticmethod
            def helper():
                return "real"
        stubs = tf.test.StubOutForTesting()
        stubs.Set(Target, "value", 2)
        stubs.SmartSet(Target, "helper", lambda: "fake")
        self.assertEqual(Target.value, 2)
        self.assertEqual(Target.helper(), "fake")
        stubs.CleanUp()
        self.assertEqual(Target.value, 1)
        self.assertEqual(Target.helper(), "real")
        with tf.test.StubOutForTesting() as s:
            s.Set(os, "getcwd", lambda: "/nowhere")
            self.assertEqual(os.getcwd(), "/nowhere")
        self.assertNotEqual(os.getcwd(), "/nowhere")

    def testDisableWithPredicate(self):
        class Inner(tf.test.TestCase):
            @tf.test.disable_with_predicate(pred=lambda: True, skip_message="off here")
            def testSkipped(self):
                raise AssertionError("should not run")

            @tf.test.disable_with_predicate(pred=lambda: False, skip_message="on")
            def testRuns(self):
                pass
        result = Inner("testSkipped").run()
        self.assertEqual(len(result.skipped), 1)
        self.assertEqual(result.skipped[0][1], "off here")
        result = Inner("testRuns").run()
        self.assertTrue(result.wasSuccessful())
        self.assertIs(tf.test.with_eager_op_as_function(Inner), Inner)

    def testAssertEqualGraphDef(self):
        pytest.importorskip("google.protobuf")

        def build(order):
            g = tf.Graph()
            with g.as_default():
                made = {}
                for name in order:
                    made[name] = tf.constant(1.0 if name == "a" else 2.0, name=name)
            return g.as_graph_def()
        tf.test.assert_equal_graph_def(build(["a", "b"]), build(["b", "a"]))
        g = tf.Graph()
        with g.as_default():
            tf.constant(1.0, name="a")
            tf.constant(3.0, name="b")
        with self.assertRaisesRegex(AssertionError, "Node named 'b' has different contents"):
            tf.test.assert_equal_graph_def(g.as_graph_def(), build(["a", "b"]))
        with self.assertRaisesRegex(AssertionError, "Nodes in expected but not actual"):
            tf.test.assert_equal_graph_def(build(["a"]), build(["a", "b"]))
        with self.assertRaises(TypeError):
            tf.test.assert_equal_graph_def("not a graph", build(["a"]))


class BenchmarkTest(tf.test.TestCase):

    def testRunOpBenchmarkReports(self):
        printed = []

        class Bench(tf.test.Benchmark):
            def benchmarkAdd(self):
                with tf.Session() as sess:
                    x = tf.constant(1.0) + 2.0
                    return self.run_op_benchmark(sess, x, burn_iters=1, min_iters=3,
                                                 extras={"k": 1.5})
        stubs = tf.test.StubOutForTesting()
        stubs.Set(sys.modules["builtins"], "print", lambda text: printed.append(text))
        try:
            values = Bench().benchmarkAdd()
        finally:
            stubs.CleanUp()
        self.assertEqual(values["iters"], 3)
        self.assertGreaterEqual(values["wall_time"], 0.0)
        self.assertEqual(values["extras"], {"k": 1.5})
        self.assertIn('name: "Bench.benchmarkAdd"', printed[0])
        self.assertIn("iters: 3", printed[0])
        self.assertIn('key: "k"', printed[0])


def test_main_runs_a_test_file_written_like_tensorflows(tmp_path):
    """A file in TF's own test style runs under tf.test.main, and a failing test fails it."""
    source = tmp_path / "square_op_test.py"
    source.write_text(
        "import tensorweave as tf\n"
        "class SquareTest(tf.test.TestCase):\n"
        "    def testSquare(self):\n"
        "        with self.test_session():\n"
        "            x = tf.square([2, 3])\n"
        "            self.assertAllEqual(x.eval(), [4, 9])\n"
        "    def testWrong(self):\n"
        "        with self.test_session():\n"
        "            self.assertAllEqual(tf.square([2]).eval(), [5])\n"
        "if __name__ == '__main__':\n"
        "    tf.test.main()\n")
    import subprocess
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, str(source)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode != 0
    assert "Ran 2 tests" in done.stderr
    assert "FAILED (failures=1)" in done.stderr
    done = subprocess.run([sys.executable, str(source), "SquareTest.testSquare"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stderr


def test_thread_module_is_left_alone():
    assert threading.active_count() >= 1
