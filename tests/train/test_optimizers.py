"""tf.train optimizers against values recorded from real TensorFlow (compat.v1).

tests/fixtures/make_optimizer_reference.py built each problem below in TensorFlow and recorded
the variables and losses after every step, every global variable at the end, the slots and the
train op. Here the same programs run on tensorweave and must agree to float32 precision.
"""

import contextlib
import functools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tensorweave as tf

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "fixtures" /
                        "optimizer_reference.json").read_text())
PROBLEM = REFERENCE["problem"]
CASES = {case["key"]: case for case in REFERENCE["optimizers"] + REFERENCE["training_cases"]}
RTOL, ATOL = 1e-6, 1e-7


def _minimize(opt, loss, var0, var1, global_step):
    return opt.minimize(loss, global_step=global_step)


# key -> (optimizer from the global step, train op from (opt, loss, var0, var1, global step));
# the same programs as OPTIMIZER_CONFIGS and TRAINING_CASES in make_optimizer_reference.py.
PROGRAMS = {
    "gd": (lambda gs: tf.train.GradientDescentOptimizer(0.1), _minimize),
    "momentum": (lambda gs: tf.train.MomentumOptimizer(0.1, 0.9), _minimize),
    "momentum_nesterov": (lambda gs: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
                          _minimize),
    "adam": (lambda gs: tf.train.AdamOptimizer(0.1), _minimize),
    "adam_custom": (lambda gs: tf.train.AdamOptimizer(0.05, beta1=0.8, beta2=0.99,
                                                      epsilon=1e-6), _minimize),
    "adagrad": (lambda gs: tf.train.AdagradOptimizer(0.1), _minimize),
    "adagrad_init": (lambda gs: tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.5),
                     _minimize),
    "rmsprop": (lambda gs: tf.train.RMSPropOptimizer(0.01), _minimize),
    "rmsprop_centered": (lambda gs: tf.train.RMSPropOptimizer(
        0.01, decay=0.8, momentum=0.5, epsilon=1e-6, centered=True), _minimize),
    "adadelta": (lambda gs: tf.train.AdadeltaOptimizer(1.0), _minimize),
    "adadelta_custom": (lambda gs: tf.train.AdadeltaOptimizer(0.5, rho=0.9, epsilon=1e-6),
                        _minimize),
    "ftrl": (lambda gs: tf.train.FtrlOptimizer(0.1), _minimize),
    "ftrl_custom": (lambda gs: tf.train.FtrlOptimizer(
        0.1, learning_rate_power=-0.6, initial_accumulator_value=0.2,
        l1_regularization_strength=0.01, l2_regularization_strength=0.02), _minimize),
    "gd_exponential_decay": (lambda gs: tf.train.GradientDescentOptimizer(
        tf.train.exponential_decay(0.1, gs, 1, 0.5)), _minimize),
    "momentum_polynomial_decay": (lambda gs: tf.train.MomentumOptimizer(
        tf.train.polynomial_decay(0.1, gs, 2, end_learning_rate=0.01), 0.9), _minimize),
    "adam_piecewise_constant": (lambda gs: tf.train.AdamOptimizer(
        tf.train.piecewise_constant(gs, [1], [0.1, 0.01])), _minimize),
    "momentum_var_list": (
        lambda gs: tf.train.MomentumOptimizer(0.1, 0.9),
        lambda opt, loss, v0, v1, gs: opt.minimize(loss, global_step=gs, var_list=[v0])),
    "adam_split_scaled": (
        lambda gs: tf.train.AdamOptimizer(0.1),
        lambda opt, loss, v0, v1, gs: opt.apply_gradients(
            [(0.5 * g, v) for g, v in opt.compute_gradients(loss)], global_step=gs)),
    "rmsprop_split_var_list": (
        lambda gs: tf.train.RMSPropOptimizer(0.01),
        lambda opt, loss, v0, v1, gs: opt.apply_gradients(
            opt.compute_gradients(loss, var_list=[v1]), global_step=gs)),
    "gd_no_global_step": (lambda gs: tf.train.GradientDescentOptimizer(0.1),
                          lambda opt, loss, v0, v1, gs: opt.minimize(loss)),
    "adagrad_named": (
        lambda gs: tf.train.AdagradOptimizer(0.1, name="MyAdagrad"),
        lambda opt, loss, v0, v1, gs: opt.minimize(loss, global_step=gs, name="train")),
}


def _close(actual, expected, what):
    np.testing.assert_allclose(actual, np.asarray(expected, np.float64), rtol=RTOL, atol=ATOL,
                               err_msg=what)


def build_problem():
    """var0, var1, global step and loss = reduce_sum(square(x @ var0 + var1 - y))."""
    var0 = tf.Variable(np.array(PROBLEM["var0_init"], np.float32), name="var0")
    var1 = tf.Variable(np.array(PROBLEM["var1_init"], np.float32), name="var1")
    global_step = tf.train.get_or_create_global_step()
    x = tf.constant(np.array(PROBLEM["x"], np.float32), name="x")
    y = tf.constant(np.array(PROBLEM["y"], np.float32), name="y")
    loss = tf.reduce_sum(tf.square(tf.matmul(x, var0) + var1 - y), name="loss")
    return var0, var1, global_step, loss


@functools.lru_cache(maxsize=None)
def run(key):
    """Builds and trains case `key` like the generator did; returns what the tests inspect."""
    make_optimizer, train = PROGRAMS[key]
    graph = tf.Graph()
    with graph.as_default():
        var0, var1, global_step, loss = build_problem()
        opt = make_optimizer(global_step)
        grads = tf.gradients(loss, [var0, var1])
        train_op = train(opt, loss, var0, var1, global_step)
        global_vars = tf.global_variables()
        with tf.Session(graph=graph) as sess:
            sess.run(tf.global_variables_initializer())
            initial = sess.run({"loss": loss, "grads": grads, "vars": global_vars})
            steps = []
            for _ in range(PROBLEM["num_steps"]):
                _, loss_before = sess.run([train_op, loss])
                v0, v1, gs, loss_after = sess.run([var0, var1, global_step, loss])
                steps.append(dict(loss_before=loss_before, loss_after=loss_after, var0=v0,
                                  var1=v1, global_step=gs))
            final = sess.run(global_vars)
    return dict(graph=graph, var0=var0, var1=var1, opt=opt, train_op=train_op,
                global_vars=global_vars, initial=initial, steps=steps, final=final)


def test_every_recorded_case_has_a_program():
    assert set(PROGRAMS) == set(CASES)


@pytest.mark.parametrize("key", CASES)
def test_initial_loss_gradients_and_slot_values_match_tf(key):
    got, ref = run(key)["initial"], CASES[key]["initial"]
    _close(got["loss"], ref["loss"], "loss")
    _close(got["grads"][0], ref["grad_var0"], "d loss / d var0")
    _close(got["grads"][1], ref["grad_var1"], "d loss / d var1")
    for value, expected in zip(got["vars"], ref["variables"]):
        _close(value, expected["value"], expected["name"])


@pytest.mark.parametrize("key", CASES)
def test_each_step_matches_tf(key):
    for i, (got, ref) in enumerate(zip(run(key)["steps"], CASES[key]["steps"]), 1):
        for name in ("var0", "var1", "loss_before", "loss_after"):
            _close(got[name], ref[name], f"{name} after step {i}")
        assert got["global_step"] == ref["global_step"]
        assert got["global_step"].dtype == np.int64


@pytest.mark.parametrize("key", CASES)
def test_global_variables_match_tf_in_order_name_dtype_shape_and_value(key):
    result, ref = run(key), CASES[key]["final_variables"]
    trainable = result["graph"].get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)
    assert [v.name for v in result["global_vars"]] == [r["name"] for r in ref]
    for var, value, expected in zip(result["global_vars"], result["final"], ref):
        assert var.op.name == expected["op_name"]
        assert var.dtype.base_dtype.name == expected["dtype"]
        assert var.shape.as_list() == expected["shape"]
        assert (var in trainable) == expected["trainable"], var.name
        assert value.dtype == np.dtype(expected["dtype"])
        _close(value, expected["value"], expected["name"])


@pytest.mark.parametrize("key", CASES)
def test_slots_match_tf(key):
    result, ref = run(key), CASES[key]
    opt = result["opt"]
    assert type(opt).__name__ == ref["class"]
    assert opt.get_name() == ref["optimizer_name"]
    assert opt.get_slot_names() == ref["slot_names"]
    global_vars = result["global_vars"]
    for var in (result["var0"], result["var1"]):
        for slot_name, expected in ref["slots"][var.op.name].items():
            slot = opt.get_slot(var, slot_name)
            if expected is None:
                assert slot is None
                continue
            assert slot.name == expected
            assert any(slot is v for v in global_vars)  # the very variable, not a copy
            assert opt.get_slot(var, slot_name) is slot
            assert slot.shape.as_list() == var.shape.as_list() and slot.dtype == var.dtype
        assert opt.get_slot(var, "no_such_slot") is None
    with result["graph"].as_default():
        assert [v.name for v in opt.variables()] == ref["optimizer_variables"]


@pytest.mark.parametrize("key", CASES)
def test_train_op_matches_tf_and_is_in_train_op_collection(key):
    result, ref = run(key), CASES[key]
    train_op = result["train_op"]
    assert isinstance(train_op, tf.Operation)
    assert train_op.name == ref["train_op"]["name"]
    assert train_op.type == ref["train_op"]["op_type"]
    collection = result["graph"].get_collection(tf.GraphKeys.TRAIN_OP)
    assert [op.name for op in collection] == ref["train_op_collection"]
    assert collection[0] is train_op


def test_minimize_applies_exactly_the_gradients_compute_gradients_returns():
    with tf.Graph().as_default():
        var0, var1, global_step, loss = build_problem()
        opt = tf.train.GradientDescentOptimizer(0.1)
        grads_and_vars = opt.compute_gradients(loss)
        assert [v for _, v in grads_and_vars] == [var0, var1]  # trainable only: no global_step
        assert [g.shape.as_list() for g, _ in grads_and_vars] == [[2, 2], [2]]
        assert [v for _, v in opt.compute_gradients(loss, var_list=[var1])] == [var1]
        train_op = opt.apply_gradients(grads_and_vars)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train_op)
            step = CASES["gd"]["steps"][0]
            _close(sess.run(var0), step["var0"], "var0")
            _close(sess.run(var1), step["var1"], "var1")
            assert sess.run(global_step) == 0


def test_no_gradients_provided_is_a_value_error():
    with tf.Graph().as_default():
        var0, var1, global_step, loss = build_problem()
        unrelated = tf.Variable(1.0, name="unrelated")
        opt = tf.train.AdamOptimizer(0.1)
        with pytest.raises(ValueError, match="No gradients provided for any variable"):
            opt.minimize(loss, var_list=[unrelated])
        with pytest.raises(ValueError, match="No gradients provided for any variable"):
            opt.apply_gradients([(None, var0), (None, var1)])
        assert opt.compute_gradients(loss, var_list=[unrelated]) == [(None, unrelated)]
        assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == []


def test_variables_without_gradients_are_left_alone():
    with tf.Graph().as_default():
        var0, var1, global_step, loss = build_problem()
        unrelated = tf.Variable(1.0, name="unrelated")
        opt = tf.train.MomentumOptimizer(0.1, 0.9)
        train_op = opt.minimize(loss, var_list=[var0, unrelated])
        assert opt.get_slot(unrelated, "momentum") is None
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train_op)
            assert sess.run(unrelated) == 1.0
            _close(sess.run(var0), CASES["momentum_var_list"]["steps"][0]["var0"], "var0")


def test_one_optimizer_builds_train_ops_in_two_graphs():
    opt = tf.train.AdamOptimizer(0.1)
    for _ in range(2):
        with tf.Graph().as_default():
            var0, var1, global_step, loss = build_problem()
            train_op = opt.minimize(loss, global_step=global_step)
            assert [v.name for v in opt.variables()] == CASES["adam"]["optimizer_variables"]
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(train_op)
                _close(sess.run(var0), CASES["adam"]["steps"][0]["var0"], "var0")


def test_get_or_create_global_step():
    graph = tf.Graph()
    with graph.as_default():
        assert tf.train.get_global_step() is None
        step = tf.train.get_or_create_global_step()
        assert step.name == "global_step:0" and step.op.name == "global_step"
        assert step.dtype.base_dtype == tf.int64
        assert step.shape.as_list() == []
        assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [step]
        assert step in tf.global_variables()
        assert step not in tf.trainable_variables()
        assert tf.train.get_or_create_global_step() is step
        assert tf.train.get_global_step() is step
        assert tf.train.get_global_step(graph) is step
        with pytest.raises(ValueError, match="already exists"):
            tf.train.create_global_step()
        increment = tf.assign_add(step, 5)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert tf.train.global_step(sess, step) == 0
            sess.run(increment)
            assert tf.train.global_step(sess, step) == 5
    with tf.Graph().as_default():
        assert tf.train.get_global_step() is None
        assert tf.train.get_global_step(graph) is step


def test_global_step_found_by_name_outside_the_collection():
    with tf.Graph().as_default():
        step = tf.Variable(0, dtype=tf.int64, name="global_step", trainable=False)
        assert tf.train.get_global_step().name == step.name
    with tf.Graph().as_default():
        tf.Variable(0.0, name="global_step")
        with pytest.raises(TypeError, match="integer"):
            tf.train.get_global_step()


# --- large variables: updates run slice by slice and must equal the whole-array update ------
LARGE_OPTIMIZERS = {
    "gd": lambda: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adam": lambda: tf.train.AdamOptimizer(0.01),
    "adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "rmsprop": lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5),
    "centered_rmsprop": lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.5, centered=True),
    "adadelta": lambda: tf.train.AdadeltaOptimizer(1.0),
    "ftrl": lambda: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01),
}


def _three_large_steps(make_optimizer):
    rng = np.random.default_rng(7)
    with tf.Graph().as_default():
        var = tf.Variable(rng.standard_normal([350, 201]).astype(np.float32))
        grad = tf.placeholder(tf.float32, [350, 201])
        train = make_optimizer().apply_gradients([(grad, var)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train, {grad: rng.standard_normal([350, 201]).astype(np.float32)})
            return sess.run(var)


@pytest.mark.parametrize("shared", [False, True], ids=["one_thread", "helper_threads"])
@pytest.mark.parametrize("name", sorted(LARGE_OPTIMIZERS))
def test_large_variable_update_in_slices_equals_whole_update(name, shared, monkeypatch):
    from tensorweave.runtime.accel import sliced_updates
    monkeypatch.setattr(sliced_updates, "SLICED_ABOVE", 1000)
    monkeypatch.setattr(sliced_updates, "SLICE", 1 << 15)  # 350 x 201: 2.1 slices
    monkeypatch.setattr(sliced_updates, "SHARED_ABOVE", 1000 if shared else 10 ** 9)
    if shared:  # two helpers, whatever this machine has: the slices split three ways
        monkeypatch.setattr(sliced_updates, "HELPERS", 2)
    assert 350 * 201 > 2 * sliced_updates.SLICE
    sliced = _three_large_steps(LARGE_OPTIMIZERS[name])
    monkeypatch.setattr(sliced_updates, "SLICED_ABOVE", 10 ** 9)
    whole = _three_large_steps(LARGE_OPTIMIZERS[name])
    np.testing.assert_array_equal(sliced, whole)


def _optimizer_bits_cases():
    fixtures = Path(__file__).parents[1] / "fixtures"
    sys.path.insert(0, str(fixtures))
    try:
        import optimizer_bits_cases
    finally:
        sys.path.remove(str(fixtures))
    return optimizer_bits_cases, np.load(fixtures / "optimizer_bits_reference.npz")


@pytest.mark.parametrize("kernels", ["reference", "sliced", "sliced_shared"])
def test_updates_are_tfs_to_the_bit(kernels, monkeypatch):
    """Each update computes in TF's kernel's order (Adam's (m alpha) / (sqrt(v) + eps), the
    Nesterov step's (accum momentum) lr, no fused multiply-add), with the reference kernels
    and with the sliced variants: TF 2.15's float32 values, same bits."""
    from tensorweave.runtime.accel import sliced_updates
    cases, reference = _optimizer_bits_cases()
    if kernels == "reference":
        monkeypatch.setenv("TENSORWEAVE_ACCEL", "0")
    else:
        monkeypatch.setattr(sliced_updates, "SLICED_ABOVE", 0)
        monkeypatch.setattr(sliced_updates, "SLICE", 100)  # 512 elements: 6 slices
        monkeypatch.setattr(sliced_updates, "SHARED_ABOVE", 0 if kernels == "sliced_shared"
                            else 10 ** 9)
        monkeypatch.setattr(sliced_updates, "HELPERS", 2)
    assert sorted(reference.files) == sorted(cases.OPTIMIZERS)
    for name in cases.OPTIMIZERS:
        got = cases.train(tf, name)
        assert not np.array_equal(got, cases.values()[0]), name
        np.testing.assert_array_equal(got, reference[name], err_msg=name)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_large_updates_still_run_in_a_forked_child():
    """The helper threads do not survive fork: a child that trains makes its own."""
    from tensorweave.runtime.accel import sliced_updates
    big = 1200 * 1000  # above SHARED_ABOVE: shared with the helper threads

    def train_once():
        with tf.Graph().as_default():
            var = tf.Variable(np.zeros(big, np.float32))
            train = tf.train.AdamOptimizer(0.1).apply_gradients(
                [(tf.constant(np.ones(big, np.float32)), var)])
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                sess.run(train)
                return sess.run(var)[:3]

    assert big > sliced_updates.SHARED_ABOVE
    before = train_once()
    pid = os.fork()
    if pid == 0:  # the child: exit 0 only if its update finished and matches
        signal.alarm(60)  # a hung update kills the child instead of the test run
        ok = np.allclose(train_once(), before)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


# --- variable names and checkpoints shared with TensorFlow ---------------------------------------
# tests/fixtures/make_variable_names.py recorded, with TensorFlow 2.15's compat.v1 (which names
# these variables as 1.15 does: see its docstring), the checkpoint names and shapes of every
# optimizer's variables plainly, under tf.name_scope / tf.variable_scope, twice in one graph,
# with name=, and in the model's own variable scope.
VARIABLE_NAMES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "variable_names"
VARIABLE_NAMES = json.loads((VARIABLE_NAMES_DIR / "names.json").read_text())


def _build_names_case(case):
    """The graph of make_variable_names.build_optimizer_case. tensorweave has no partitioner:
    the 'partitioned' case keeps `w` whole, whose checkpoint entries TF writes whole too."""
    def model():
        w = tf.get_variable("w", [2, 3])
        b = tf.Variable(tf.zeros([3]), name="b")
        return tf.reduce_sum(tf.square(tf.matmul(tf.ones([1, 2]), w) + b))

    if case.get("model_scope"):
        with tf.variable_scope(case["model_scope"]):
            loss = model()
    else:
        loss = model()
    step = tf.train.get_or_create_global_step() if case.get("global_step") else None
    for class_name, kwargs in case["optimizers"]:
        optimizer = getattr(tf.train, class_name)(**kwargs)
        scopes = {"name_scope": lambda: tf.name_scope("train"),
                  "variable_scope": lambda: tf.variable_scope("train"),
                  "model_scope": lambda: tf.variable_scope(case.get("model_scope")),
                  "none": contextlib.nullcontext}
        with scopes[case["scope"]]():
            optimizer.minimize(loss, global_step=step)


@pytest.mark.parametrize("key", sorted(VARIABLE_NAMES["optimizers"]))
def test_checkpoint_names_match_tf(key, tmp_path):
    case = VARIABLE_NAMES["optimizers"][key]
    with tf.Graph().as_default(), tf.Session() as sess:
        _build_names_case(case)
        sess.run(tf.global_variables_initializer())
        tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
    names = sorted([name, list(shape)] for name, shape in tf.train.list_variables(str(tmp_path)))
    assert names == case["checkpoint"]


def _least_squares_with_adam_in_a_name_scope():
    w = tf.get_variable("w", initializer=np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    b = tf.Variable(np.array([0.5, -1.5], np.float32), name="b")
    x = np.array(VARIABLE_NAMES["least_squares"]["x"], np.float32)
    y = np.array(VARIABLE_NAMES["least_squares"]["y"], np.float32)
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w) + b - y))
    step = tf.train.get_or_create_global_step()
    with tf.name_scope("train"):
        return tf.train.AdamOptimizer(0.1).minimize(loss, global_step=step)


def test_tf_checkpoint_of_adam_in_a_name_scope_restores_and_training_resumes(tmp_path):
    expected = VARIABLE_NAMES["resume_adam_name_scope"]
    with tf.Graph().as_default(), tf.Session() as sess:
        train_op = _least_squares_with_adam_in_a_name_scope()
        assert sorted(v.op.name for v in tf.global_variables()) == sorted(expected)
        saver = tf.train.Saver()
        saver.restore(sess, tf.train.latest_checkpoint(str(VARIABLE_NAMES_DIR /
                                                           "adam_name_scope")))
        assert sess.run(tf.train.get_global_step()) == 3
        for _ in range(2):
            sess.run(train_op)
        values = {v.op.name: sess.run(v) for v in tf.global_variables()}
        saver.save(sess, str(tmp_path / "model.ckpt"))
    for name, value in expected.items():
        np.testing.assert_allclose(values[name], value, rtol=1e-5, atol=1e-6, err_msg=name)
    # what tensorweave writes has the names TF's Saver looks up
    assert sorted(name for name, _ in tf.train.list_variables(str(tmp_path))) == sorted(expected)


def test_gate_gradients_is_checked_and_every_value_trains_alike():
    results = []
    for gate in (tf.train.Optimizer.GATE_NONE, tf.train.Optimizer.GATE_OP,
                 tf.train.Optimizer.GATE_GRAPH):
        with tf.Graph().as_default(), tf.Session() as sess:
            w1 = tf.Variable([[1.0, -2.0], [0.5, 3.0]])
            w2 = tf.Variable([[2.0], [-1.0]])
            loss = tf.reduce_sum(tf.square(tf.matmul(tf.matmul([[1.0, 2.0]], w1), w2)))
            train_op = tf.train.GradientDescentOptimizer(0.01).minimize(
                loss, gate_gradients=gate)
            sess.run(tf.global_variables_initializer())
            sess.run(train_op)
            results.append(sess.run([w1, w2]))
    for result in results[1:]:
        np.testing.assert_array_equal(result[0], results[0][0])
        np.testing.assert_array_equal(result[1], results[0][1])
    with pytest.raises(ValueError, match="gate_gradients must be one of"):
        tf.train.GradientDescentOptimizer(0.1).compute_gradients(tf.constant(1.0), [w1],
                                                                 gate_gradients=3)


def test_use_locking_true_warns_once_per_process():
    program = ("import tensorweave as tf\n"
               "tf.train.GradientDescentOptimizer(0.1, use_locking=False)\n"
               "tf.train.AdamOptimizer(use_locking=True)\n"
               "tf.train.GradientDescentOptimizer(0.1, use_locking=True)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True)
    assert done.stderr.count("use_locking=True has no effect") == 1, done.stderr
