"""tf.nn's 3-D, 1-D, atrous and dilated convolutions and pools, max_pool_with_argmax,
dilation2d/erosion2d, selu, CTC loss and decoders and the nn_impl composites, against numbers
TensorFlow gives (tests/fixtures/make_nn_extra_reference.py)."""
import pathlib
import re

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.nn import conv_nd  # tf.conv and tf.conv2d_backprop_*_v2 until exported
from tensorweave.ops import conv3d_ops

REF = np.load(pathlib.Path(__file__).parent / "fixtures" / "nn_extra_reference.npz")
CASES = sorted({key.split("/")[0] for key in REF.files})


def _inputs(case):
    count = sum(1 for key in REF.files if re.fullmatch(rf"{case}/in\d+", key))
    return [REF[f"{case}/in{i}"] for i in range(count)]


def with_grads(y, xs, weights):
    grads = tf.gradients(tf.reduce_sum(y * weights), xs)
    out = {"y": y}
    out.update({f"d{i}": g for i, g in enumerate(grads)})
    return out


def _sparse(indices, values, shape):
    return tf.SparseTensor(indices, values, shape)


def _beam(merge):
    def build(x, n):
        decoded, log_prob = tf.nn.ctc_beam_search_decoder(x, n, beam_width=4, top_paths=2,
                                                          merge_repeated=merge)
        out = {"log_prob": log_prob}
        for k, d in enumerate(decoded):
            out.update({f"indices{k}": d.indices, f"values{k}": d.values,
                        f"shape{k}": d.dense_shape})
        return out
    return build


def _greedy(merge):
    def build(x, n):
        decoded, log_prob = tf.nn.ctc_greedy_decoder(x, n, merge_repeated=merge)
        return {"indices": decoded[0].indices, "values": decoded[0].values,
                "shape": decoded[0].dense_shape, "log_prob": log_prob}
    return build


def _ctc_loss(collapse, merge):
    def build(x, i, v, n, w):
        labels = _sparse(i, v, np.array([3, 4], np.int64))
        return with_grads(tf.nn.ctc_loss(labels, x, n, preprocess_collapse_repeated=collapse,
                                         ctc_merge_repeated=merge), [x], w)
    return build


def _argmax_case(x):
    y, argmax = tf.nn.max_pool_with_argmax(x, [1, 2, 3, 1], [1, 2, 2, 1], "SAME")
    return {"y": y, "argmax": argmax, "d0": tf.gradients(tf.reduce_sum(y ** 2), x)[0]}


def _moments_helpers(x, shift):
    count, mean_ss, var_ss, _ = tf.nn.sufficient_statistics(x, [0], shift=shift)
    mean, variance = tf.nn.normalize_moments(count, mean_ss, var_ss, shift)
    return {"count": count, "mean_ss": mean_ss, "var_ss": var_ss, "mean": mean,
            "variance": variance}


def _pool3d_ties(x):
    """Ties: MaxPool3DGrad routes to the first maximum, MaxPool3DGradGrad reads it."""
    y = tf.nn.max_pool3d(x, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "SAME")
    dy = tf.constant(np.arange(1, 13, dtype=np.float32).reshape(1, 2, 2, 3, 1))
    g = tf.gradients(y, x, grad_ys=dy)[0]
    ddx = tf.constant(np.arange(10, 130, 10, dtype=np.float32).reshape(1, 2, 2, 3, 1))
    return {"grad": g, "grad_grad": tf.gradients(g, dy, grad_ys=ddx)[0]}


# Each builder takes the case's inputs (and the gradient weights "w" where the case has them).
BUILDERS = {
    "conv3d_same": lambda x, w, g: with_grads(tf.nn.conv3d(x, w, [1, 2, 1, 1, 1], "SAME"),
                                              [x, w], g),
    "conv3d_valid_dilated": lambda x, w, g: with_grads(
        tf.nn.convolution(x, w, "VALID", dilation_rate=[2, 1, 2]), [x, w], g),
    "conv3d_transpose": lambda x, w: {"y": tf.nn.conv3d_transpose(
        x, w, [2, 5, 6, 4, 3], [1, 2, 2, 2, 1], "SAME")},
    "conv1d": lambda x, w, g: with_grads(tf.nn.conv1d(x, w, 2, "SAME"), [x, w], g),
    "conv1d_transpose": lambda x, w: {"y": tf.nn.conv1d_transpose(x, w, [2, 9, 3], 2,
                                                                  "SAME")},
    "atrous_conv2d_transpose": lambda x, w: {"y": tf.nn.atrous_conv2d_transpose(
        x, w, [2, 7, 8, 3], 2, "SAME")},
    "pool_max_dilated": lambda x: {"y": tf.nn.pool(x, [2, 3], "MAX", "VALID",
                                                   dilation_rate=[2, 2])},
    "pool_avg_dilated": lambda x: {"y": tf.nn.pool(x, [2, 2], "AVG", "VALID",
                                                   dilation_rate=[1, 2])},
    "max_pool1d": lambda x: {"y": tf.nn.max_pool1d(x, 3, 2, "SAME")},
    "avg_pool1d": lambda x: {"y": tf.nn.avg_pool1d(x, 3, 2, "SAME")},
    "max_pool_with_argmax": _argmax_case,
    "max_pool_with_argmax_batch": lambda x: {"argmax": tf.nn.max_pool_with_argmax(
        x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID", include_batch_in_index=True)[1]},
    "erosion2d": lambda x, w, g: with_grads(
        tf.nn.erosion2d(x, w, [1, 2, 1, 1], [1, 1, 1, 1], "SAME"), [x, w], g),
    "selu": lambda x, g: with_grads(tf.nn.selu(x), [x], g),
    "log_poisson_full": lambda t, x: {"y": tf.nn.log_poisson_loss(t, x,
                                                                  compute_full_loss=True)},
    "weighted_moments": lambda x, f: dict(zip(("mean", "variance"),
                                              tf.nn.weighted_moments(x, [1], f))),
    "collapse_repeated": lambda labels, n: dict(zip(("labels", "lengths"),
                                                    tf.nn.collapse_repeated(labels, n))),
    "ctc_unique_labels": lambda labels: dict(zip(("unique", "idx"),
                                                 tf.nn.ctc_unique_labels(labels))),
    "crelu_swish": lambda x: {"crelu": tf.nn.crelu(x, axis=0), "swish": tf.nn.swish(x),
                              "dswish": tf.gradients(tf.nn.swish(x), x)[0]},
    "moments_helpers": _moments_helpers,
    "layers": lambda x, w, b: {"xw_plus_b": tf.nn.xw_plus_b(x, w, b),
                               "relu_layer": tf.nn.relu_layer(x, w, b)},
    "average_loss": lambda loss, w: {
        "plain": tf.nn.compute_average_loss(loss),
        "weighted": tf.nn.compute_average_loss(loss, sample_weight=w, global_batch_size=5),
        "reg": tf.nn.scale_regularization_loss(loss)},
    "batch_norm_global": lambda x, m, v, b, g: {
        "y": tf.nn.batch_norm_with_global_normalization(x, m, v, b, g, 0.01, True),
        "unscaled": tf.nn.batch_norm_with_global_normalization(x, m, v, b, g, 0.01, False)},
    "conv_transpose": lambda x, w: {"y": tf.nn.conv_transpose(x, w, [2, 7, 8, 3], 2, "SAME")},
    "pool_v2": lambda a, b: {
        "max2": tf.nn.max_pool_v2(a, 2, [2, 1], "SAME"),
        "avg1": tf.nn.avg_pool_v2(b, 2, 2, "VALID"),
        "avg_pool": tf.nn.pool(a, [2, 3], "AVG", "SAME", strides=[1, 2])},
    "conv_raw_forms": lambda x, w, dy, wg, x5, w5: {
        "filter_v2": conv_nd.conv2d_backprop_filter_v2(
            x, w, dy, [1, 2, 1, 1], "EXPLICIT", explicit_paddings=[0, 0, 1, 0, 0, 2, 0, 0]),
        "input_v2": conv_nd.conv2d_backprop_input_v2(
            x, w, dy, [1, 2, 1, 1], "EXPLICIT", explicit_paddings=[0, 0, 1, 0, 0, 2, 0, 0]),
        "grouped": conv_nd.conv(x, wg, [1, 1, 2, 1], "VALID", groups=2),
        "conv3d": conv_nd.conv(x5, w5, [1, 1, 2, 1, 1], "SAME")},
    "max_pool3d_ties": _pool3d_ties,
    "ctc_loss_v2_dense": lambda labels, x, ll, n, w: with_grads(
        tf.nn.ctc_loss_v2(labels, x, ll, n, blank_index=0), [x], w),
    "ctc_greedy_0": _greedy(False),
    "ctc_greedy_1": _greedy(True),
    "ctc_beam_0": _beam(False),
    "ctc_beam_1": _beam(True),
}
for _pad in ("SAME", "VALID"):
    BUILDERS[f"max_pool3d_{_pad}"] = (lambda p: lambda x, g: with_grads(
        tf.nn.max_pool3d(x, [1, 2, 3, 2, 1], [1, 2, 2, 1, 1], p), [x], g))(_pad)
    BUILDERS[f"avg_pool3d_{_pad}"] = (lambda p: lambda x, g: with_grads(
        tf.nn.avg_pool3d(x, [1, 2, 3, 2, 1], [1, 2, 2, 1, 1], p), [x], g))(_pad)
    BUILDERS[f"atrous_conv2d_{_pad}"] = (lambda p: lambda x, w, g: with_grads(
        tf.nn.atrous_conv2d(x, w, 2, p), [x, w], g))(_pad)
    BUILDERS[f"dilation2d_{_pad}"] = (lambda p: lambda x, w, g: with_grads(
        tf.nn.dilation2d(x, w, [1, 1, 2, 1], [1, 2, 1, 1], p), [x, w], g))(_pad)
def _embedding(comb):
    def build(t, i, v, w):
        return {"plain": tf.nn.embedding_lookup_sparse(t, _sparse(i, v, [4, 3]), None,
                                                       combiner=comb),
                "weighted": tf.nn.embedding_lookup_sparse(
                    t, _sparse(i, v, [4, 3]), _sparse(i, w, [4, 3]), combiner=comb),
                "sharded": tf.nn.embedding_lookup_sparse(
                    [t[:3], t[3:]], _sparse(i, v, [4, 3]), None, combiner=comb,
                    partition_strategy="div")}
    return build


def _safe_embedding(comb):
    def build(t, i, v, w, i3):
        return {"plain": tf.nn.safe_embedding_lookup_sparse(t, _sparse(i, v, [5, 3]),
                                                            combiner=comb),
                "weighted": tf.nn.safe_embedding_lookup_sparse(
                    t, _sparse(i, v, [5, 3]), _sparse(i, w, [5, 3]), combiner=comb,
                    default_id=3),
                "rank3": tf.nn.safe_embedding_lookup_sparse(
                    [t[:3], t[3:]], _sparse(i3, v, [2, 3, 2]), combiner=comb)}
    return build


for _comb in ("sum", "mean", "sqrtn"):
    BUILDERS[f"embedding_sparse_{_comb}"] = _embedding(_comb)
    BUILDERS[f"safe_embedding_{_comb}"] = _safe_embedding(_comb)
for _flags in ((False, True), (True, True), (False, False)):
    BUILDERS[f"ctc_loss_{int(_flags[0])}{int(_flags[1])}"] = _ctc_loss(*_flags)


@pytest.mark.parametrize("case", CASES)
def test_against_tensorflow(case):
    inputs = _inputs(case)
    extra = [REF[f"{case}/w"]] if f"{case}/w" in REF.files else []
    with tf.Graph().as_default():
        fetches = BUILDERS[case](*[tf.constant(v) for v in inputs], *extra)
        got = tf.Session().run(fetches)
    for name, value in got.items():
        want = REF[f"{case}/{name}"]
        assert value.shape == want.shape, (name, value.shape, want.shape)
        assert value.dtype == want.dtype, (name, value.dtype, want.dtype)
        tol = 1e-4 if want.dtype == np.float32 else 1e-9
        np.testing.assert_allclose(value, want, rtol=tol, atol=tol, err_msg=name)


def test_every_fixture_case_has_a_builder():
    assert sorted(BUILDERS) == CASES


# --- RNN drivers ---------------------------------------------------------------------------------
_X = np.random.RandomState(0).rand(3, 5, 4)
_LENGTHS = np.array([5, 3, 4], np.int32)


def test_raw_rnn_matches_dynamic_rnn():
    with tf.Graph().as_default():
        cell = tf.nn.rnn_cell.GRUCell(6)
        inputs = tf.constant(_X)
        ref_out, ref_state = tf.nn.dynamic_rnn(cell, inputs, sequence_length=_LENGTHS,
                                               dtype=tf.float64, scope="rnn")
        steps = tf.TensorArray(tf.float64, size=5).unstack(tf.transpose(inputs, [1, 0, 2]))

        def loop_fn(time, cell_output, cell_state, loop_state):
            state = cell.zero_state(3, tf.float64) if cell_output is None else cell_state
            finished = time >= _LENGTHS
            step = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([3, 4], tf.float64),
                           lambda: steps.read(time))
            return finished, step, state, cell_output, None

        emit_ta, final_state, loop_state = tf.nn.raw_rnn(cell, loop_fn, scope="rnn")
        assert loop_state is None
        out = tf.transpose(emit_ta.stack(), [1, 0, 2])
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        want_out, got_out, want_state, got_state = sess.run([ref_out, out, ref_state,
                                                             final_state])
    np.testing.assert_allclose(got_out, want_out, rtol=1e-12)
    np.testing.assert_allclose(got_state, want_state, rtol=1e-12)


def test_static_bidirectional_rnn_matches_the_dynamic_one():
    with tf.Graph().as_default():
        fw, bw = tf.nn.rnn_cell.GRUCell(3), tf.nn.rnn_cell.GRUCell(2)
        steps = [tf.constant(_X[:, t]) for t in range(5)]
        outs, state_fw, state_bw = tf.nn.static_bidirectional_rnn(
            fw, bw, steps, dtype=tf.float64, sequence_length=_LENGTHS, scope="bi")
        assert len(outs) == 5 and outs[0].shape.as_list() == [3, 5]
        tf.get_variable_scope().reuse_variables()
        (out_fw, out_bw), (want_fw, want_bw) = tf.nn.bidirectional_dynamic_rnn(
            fw, bw, tf.constant(_X), sequence_length=_LENGTHS, dtype=tf.float64, scope="bi")
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        got = sess.run([tf.stack(outs, 1), state_fw, state_bw])
        want = sess.run([tf.concat([out_fw, out_bw], 2), want_fw, want_bw])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)


class _Saver:
    """A state saver keeping each named state in a variable."""

    def __init__(self, sizes):
        self.vars = {name: tf.Variable(np.full((3, size), 0.5), name=name)
                     for name, size in sizes.items()}

    def state(self, name):
        return self.vars[name].value()

    def save_state(self, name, value):
        return tf.assign(self.vars[name], value)


def test_static_state_saving_rnn_reads_and_saves_state():
    with tf.Graph().as_default():
        cell = tf.nn.rnn_cell.LSTMCell(2)
        saver = _Saver({"c": 2, "h": 2})
        steps = [tf.constant(_X[:, t]) for t in range(3)]
        outs, state = tf.nn.static_state_saving_rnn(cell, steps, saver, ("c", "h"))
        tf.get_variable_scope().reuse_variables()
        start = tf.nn.rnn_cell.LSTMStateTuple(tf.constant(np.full((3, 2), 0.5)),
                                              tf.constant(np.full((3, 2), 0.5)))
        ref_outs, ref_state = tf.nn.static_rnn(cell, steps, initial_state=start)
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        got_last, got_c = sess.run([outs[-1], state.c])
        np.testing.assert_allclose(got_last, sess.run(ref_outs[-1]))
        np.testing.assert_allclose(sess.run(saver.vars["c"]), got_c)  # saved by the run
        with pytest.raises(ValueError, match="state_name should be the same type"):
            tf.nn.static_state_saving_rnn(cell, steps, saver, "c")


# --- errors as TensorFlow's ---------------------------------------------------------------------
def _ctc_error(values, length, **kw):
    with tf.Graph().as_default():
        labels = tf.SparseTensor([[0, i] for i in range(len(values))], values, [1, 5])
        loss = tf.nn.ctc_loss(labels, tf.zeros([4, 1, 5]), [length], **kw)
        return tf.Session().run(loss)


@pytest.mark.parametrize("values, length, message", [
    ([1, 2, 3, 3, 1], 4, r"Not enough time for target transition sequence \(required: 5, "
                         r"available: 4\)"),
    ([4, 1], 4, r"Saw a non-null label \(index >= num_classes - 1\) following a null label"),
    ([-1, 1], 4, "All labels must be nonnegative integers, batch: 0 labels: -1,1"),
    ([1, 2], 5, r"sequence_length\(0\) <= 4"),
])
def test_ctc_loss_errors(values, length, message):
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        _ctc_error(values, length)


def test_ctc_loss_ignores_long_labels_and_gives_inf_without_a_path():
    assert _ctc_error([1, 2, 3, 3, 1], 4, ignore_longer_outputs_than_inputs=True)[0] == 0
    assert _ctc_error([1, 1, 2], 3)[0] == np.inf


def test_conv_front_end_errors():
    x = tf.zeros([1, 8, 8, 3])
    w = tf.zeros([3, 3, 3, 2])
    with pytest.raises(ValueError, match="strides > 1 not supported in conjunction with "
                                         "dilation_rate > 1"):
        tf.nn.convolution(x, w, "SAME", strides=[2, 2], dilation_rate=[2, 2])
    with pytest.raises(ValueError, match="rate 0 cannot be less than one"):
        tf.nn.atrous_conv2d(x, w, 0, "SAME")
    with pytest.raises(ValueError, match="Data formats other than 'NHWC'"):
        tf.nn.max_pool_with_argmax(x, 2, 2, "SAME", data_format="NCHW")
    with pytest.raises(TypeError, match="Expected labels"):
        tf.nn.ctc_loss(tf.zeros([2, 3], tf.int32), tf.zeros([4, 2, 5]), [4, 4])


def test_fractional_pool_seeds_need_deterministic():
    with tf.Graph().as_default():
        out = tf.nn.fractional_max_pool(tf.zeros([1, 6, 6, 1]), [1, 1.5, 1.5, 1], seed=3)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Both seed and seed2 should "
                                                                 "be 0 if deterministic is"):
            tf.Session().run(out)


def test_conv3d_kernels_in_batch_parts_match(monkeypatch):
    """A column budget smaller than one batch item runs the kernels item by item."""
    rng = np.random.RandomState(5)
    x, w = rng.rand(3, 4, 5, 3, 2), rng.rand(2, 2, 2, 2, 3)

    def run():
        with tf.Graph().as_default():
            xt, wt = tf.constant(x), tf.constant(w)
            y = tf.nn.conv3d(xt, wt, [1, 1, 2, 1, 1], "SAME")
            return tf.Session().run([y] + tf.gradients(tf.reduce_sum(y * y), [xt, wt]))

    whole = run()
    monkeypatch.setattr(conv3d_ops, "COLUMNS_BUDGET", 8)
    for a, b in zip(run(), whole):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_dilated_pool_with_same_padding_is_refused_as_in_tensorflow():
    with pytest.raises(ValueError, match="pooling with SAME padding is not implemented"):
        tf.nn.pool(tf.zeros([1, 6, 6, 1]), [2, 2], "MAX", "SAME", dilation_rate=[2, 2])


# --- dropout: TF 1.14+'s formula, bit for bit -------------------------------------------------
def test_dropout_gives_tensorflows_values_bit_for_bit():
    """Kept where the uniform draw >= rate and scaled by 1 / (1 - rate) (a float rate) or
    divided by 1 - rate (a tensor rate), as TF does: TF 2.15's values, same bits."""
    import pathlib
    import sys
    fixtures = pathlib.Path(__file__).parent / "fixtures"
    sys.path.insert(0, str(fixtures))
    try:
        import dropout_cases
    finally:
        sys.path.remove(str(fixtures))
    reference = np.load(fixtures / "dropout_reference.npz")
    with tf.Graph().as_default(), tf.Session() as sess:
        tensors, feed = dropout_cases.evaluate(tf)
        values = sess.run(tensors, feed)
    assert set(values) == set(reference.files)
    for case, value in values.items():
        assert value.dtype == reference[case].dtype, case
        np.testing.assert_array_equal(value, reference[case], err_msg=case)
        assert 0 < np.count_nonzero(value == 0) < value.size, case


def test_dropout_refuses_rates_outside_zero_to_one():
    x = tf.ones([3])
    for rate in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match=r"range \[0, 1\)"):
            tf.nn.dropout(x, rate=rate)
    with pytest.raises(ValueError, match="both keep_prob and rate"):
        tf.nn.dropout(x, 0.5, rate=0.5)
    assert tf.nn.dropout(x, keep_prob=1.0) is x
