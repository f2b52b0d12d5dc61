"""tf.nn's 3-D, 1-D, atrous and dilated convolutions and pools, max_pool_with_argmax,
dilation2d/erosion2d, selu, CTC loss and decoders and the nn_impl composites, against numbers
TensorFlow gives (tests/fixtures/make_nn_extra_reference.py)."""
import pathlib
import re

import numpy as np
import pytest

import tensorweave as tf

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
