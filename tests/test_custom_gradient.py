"""custom_gradient, grad_pass_through, recompute_grad, make_template and switch_case in TF1
programs; the expected numbers and names are what TensorFlow gives for the same programs."""
import numpy as np
import pytest

import tensorweave as tf


@pytest.fixture
def sess():
    with tf.Graph().as_default(), tf.Session() as s:
        yield s


# --- custom_gradient -------------------------------------------------------------------------
def test_custom_gradient_replaces_the_gradient(sess):
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(dy):
            return dy * (1 - 1 / (1 + e))
        return tf.log(1 + e), grad
    x = tf.constant(100.0)
    y = log1pexp(x)
    assert y.op.type == "IdentityN"
    assert sess.run(tf.gradients(y, x)) == [1.0]  # the plain gradient would be nan
    plain = tf.gradients(tf.log(1 + tf.exp(x)), x)
    assert np.isnan(sess.run(plain)[0])


def test_custom_gradient_of_several_inputs_and_outputs(sess):
    @tf.custom_gradient
    def two(a, b):
        def grad(dy1, dy2):
            return dy1 * 2 + dy2, dy1 * 3
        return [a * b, a + b], grad
    p, q = tf.constant(1.0), tf.constant(2.0)
    y1, y2 = two(p, q)
    assert sess.run([y1, y2]) == [2.0, 3.0]
    assert sess.run(tf.gradients(y1, [p, q])) == [2.0, 3.0]
    assert sess.run(tf.gradients(y1 + y2, [p, q])) == [3.0, 3.0]
    assert sess.run(tf.gradients(y2, [p, q])) == [1.0, 0.0]


def test_custom_gradient_second_order_and_upstream_gradient(sess):
    @tf.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3 * tf.square(x)
        return x * x * x, grad
    x = tf.constant(2.0)
    y = cube(x * 1.0) * 5.0
    g = tf.gradients(y, x)[0]
    assert sess.run(g) == pytest.approx(60.0)
    assert sess.run(tf.gradients(g, x)[0]) == pytest.approx(60.0)  # 5 * 6x


def test_custom_gradient_variables(sess):
    with tf.variable_scope("cg"):
        v = tf.get_variable("v", [], initializer=tf.constant_initializer(3.0))

    @tf.custom_gradient
    def use_v(a):
        def grad(dy, variables=None):
            assert [w.name for w in variables] == ["cg/v:0"]
            return dy * 5, [dy * 7 for _ in variables]
        return a * v, grad
    p = tf.constant(1.0)
    out = use_v(p)
    sess.run(tf.global_variables_initializer())
    assert sess.run(out) == 3.0
    assert sess.run(tf.gradients(out, [p, v])) == [5.0, 7.0]
    opt = tf.train.GradientDescentOptimizer(0.1).minimize(out, var_list=[v])
    sess.run(opt)
    assert sess.run(v) == pytest.approx(3.0 - 0.7)


def test_custom_gradient_wrong_count_and_kwargs(sess):
    @tf.custom_gradient
    def bad(a, b):
        return a * b, lambda dy: dy
    p, q = tf.constant(1.0), tf.constant(2.0)
    y = bad(p, q)
    with pytest.raises(ValueError, match="expected to return 2 gradients but returned 1"):
        tf.gradients(y, [p, q])

    @tf.custom_gradient
    def f(a):
        return a, lambda dy: dy
    with pytest.raises(ValueError, match="keywords arguments only when eager"):
        f(a=p)


def test_grad_pass_through(sess):
    z = tf.constant(1.4)
    y = tf.grad_pass_through(tf.round)(z) * 2
    assert sess.run(y) == 2.0
    assert sess.run(tf.gradients(y, z)) == [2.0]
    assert sess.run(tf.gradients(tf.round(z) * 2, z)) == [0.0]  # without it


def test_recompute_grad(sess):
    q = tf.constant(2.0)
    rc = tf.recompute_grad(lambda a: a * a)
    assert sess.run(tf.gradients(rc(q), q)) == [4.0]

    def layer(a):
        w = tf.get_variable("lw", [], initializer=tf.constant_initializer(4.0))
        return a * w * a
    with tf.variable_scope("rc"):
        o = tf.recompute_grad(layer)(q)
    sess.run(tf.global_variables_initializer())
    assert sess.run([o] + tf.gradients(o, [q])) == [16.0, 16.0]
    assert [v.name for v in tf.global_variables()] == ["rc/lw:0"]


# --- make_template ---------------------------------------------------------------------------
def _scale(x, k):
    w = tf.get_variable("w", [], initializer=tf.constant_initializer(2.0))
    return tf.multiply(x * w, k, name="out")


def test_make_template_shares_variables_with_tf_names():
    with tf.Graph().as_default():
        t = tf.make_template("scale", _scale, k=3.0)
        assert t.variable_scope is None and t.variables == []
        a = t(tf.constant(1.0))
        b = t(tf.constant(2.0))
        assert (a.name, b.name) == ("scale/out:0", "scale_1/out:0")
        assert [v.name for v in tf.global_variables()] == ["scale/w:0"]
        assert (t.name, t.variable_scope.name, t.variable_scope_name) == (
            "scale", "scale", "scale/")
        assert [v.name for v in t.variables] == ["scale/w:0"]
        assert [v.name for v in t.trainable_variables] == ["scale/w:0"]
        assert t.non_trainable_variables == []
        t2 = tf.make_template("scale", _scale, k=3.0)
        c = t2(tf.constant(1.0))
        assert c.name == "scale_2/out:0"
        assert [v.name for v in tf.global_variables()] == ["scale/w:0", "scale_1/w:0"]
        assert t2.variable_scope_name == "scale_1/"
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run([a, b, c]) == [6.0, 12.0, 6.0]


def test_make_template_scope_now_and_unique_name():
    with tf.Graph().as_default():
        t3 = tf.make_template("sc", _scale, create_scope_now_=True, k=1.0)
        with tf.variable_scope("outer"):
            d = t3(tf.constant(1.0))
            e = t3(tf.constant(1.0))
        assert (d.name, e.name) == ("outer/sc/out:0", "outer/sc_1/out:0")
        assert [v.name for v in tf.global_variables()] == ["sc/w:0"]
        t4 = tf.make_template("sc", _scale, unique_name_="fixed", k=1.0)
        f = t4(tf.constant(1.0))
        assert f.name == "fixed/out:0"
        assert tf.global_variables()[-1].name == "fixed/w:0"


def test_make_template_refuses_new_trainable_variables_after_the_first_call():
    with tf.Graph().as_default():
        t5 = tf.make_template("bad", lambda x: x * tf.Variable(1.0, name="v"))
        t5(tf.constant(1.0))
        with pytest.raises(ValueError, match="Trainable variable created when calling a "
                                             "template after the first time"):
            t5(tf.constant(1.0))
    with pytest.raises(ValueError, match="name cannot be None"):
        tf.make_template(None, _scale)


# --- switch_case -----------------------------------------------------------------------------
def test_switch_case(sess):
    i = tf.placeholder(tf.int32, [])
    runs = []

    def branch(value):
        def fn():
            return tf.py_func(lambda: runs.append(value) or np.int32(value), [], tf.int32)
        return fn
    r = tf.switch_case(i, [branch(10), branch(11)], default=branch(-1))
    assert r.name.startswith("switch_case/")
    assert [sess.run(r, {i: k}) for k in (-1, 0, 1, 2, 5)] == [-1, 10, 11, -1, -1]
    assert runs == [-1, 10, 11, -1, -1]  # only the selected branch ran
    r2 = tf.switch_case(i, {1: lambda: tf.constant(10), 0: lambda: tf.constant(11)})
    assert [sess.run(r2, {i: k}) for k in (-1, 0, 1, 2, 3)] == [10, 11, 10, 10, 10]
    r3 = tf.switch_case(tf.constant(1, tf.int64), [(1, lambda: tf.constant(5.0)),
                                                   (0, lambda: tf.constant(6.0))], name="sw")
    assert sess.run(r3) == 5.0 and r3.name.startswith("sw/")


def test_switch_case_checks_its_arguments():
    i = tf.placeholder(tf.int32, [])
    with pytest.raises(TypeError, match="'branch_index' must be an integer Tensor"):
        tf.switch_case(tf.constant(1.0), [lambda: 1])
    with pytest.raises(ValueError, match="Must provide at least one item in 'branch_fns'"):
        tf.switch_case(i, [])
    with pytest.raises(TypeError, match="key must be a Python `int`"):
        tf.switch_case(i, {"a": lambda: tf.constant(1)})
    with pytest.raises(ValueError, match=r"contiguous range of \[0 to 2\) but found \{1,1\}"):
        tf.switch_case(i, [(1, lambda: tf.constant(1)), (1, lambda: tf.constant(1))])
    with pytest.raises(ValueError, match=r"but found \{0,2\}"):
        tf.switch_case(i, [(2, lambda: tf.constant(1)), (0, lambda: tf.constant(5))])
