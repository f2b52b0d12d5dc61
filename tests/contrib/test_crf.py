"""tf.contrib.crf against brute force over every tag sequence: log-likelihood and its parts,
crf_decode agreeing with viterbi_decode, and a CRF tagger that trains."""
import itertools

import numpy as np
import pytest

import tensorweave as tf

rng = np.random.RandomState(5)
B, T, K = 4, 5, 3
X = rng.randn(B, T, K).astype(np.float32)
TRANS = rng.randn(K, K).astype(np.float32)
TAGS = rng.randint(0, K, (B, T)).astype(np.int32)
LENGTHS = np.array([5, 3, 1, 2], np.int32)


def score(x, trans, tags):
    return sum(x[t, tags[t]] for t in range(len(tags))) + \
        sum(trans[tags[t], tags[t + 1]] for t in range(len(tags) - 1))


def all_paths(n):
    return list(itertools.product(range(K), repeat=n))


def brute_log_norm(x, trans, n):
    scores = np.array([score(x, trans, p) for p in all_paths(n)], np.float64)
    top = scores.max()
    return top + np.log(np.exp(scores - top).sum())


def test_log_likelihood_and_its_parts_against_brute_force():
    x, tags, lengths = tf.constant(X), tf.constant(TAGS), tf.constant(LENGTHS)
    trans = tf.constant(TRANS)
    ll, params = tf.contrib.crf.crf_log_likelihood(x, tags, lengths, trans)
    assert params is trans
    parts = [tf.contrib.crf.crf_sequence_score(x, tags, lengths, trans),
             tf.contrib.crf.crf_log_norm(x, lengths, trans),
             tf.contrib.crf.crf_unary_score(tags, lengths, x),
             tf.contrib.crf.crf_binary_score(tags, lengths, trans)]
    with tf.Session() as sess:
        got_ll, seq, norm, unary, binary = sess.run([ll] + parts)
    for b, n in enumerate(LENGTHS):
        want_score = score(X[b], TRANS, TAGS[b, :n])
        want_norm = brute_log_norm(X[b], TRANS, n)
        np.testing.assert_allclose(seq[b], want_score, rtol=1e-5)
        np.testing.assert_allclose(norm[b], want_norm, rtol=1e-5)
        np.testing.assert_allclose(got_ll[b], want_score - want_norm, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(unary[b], sum(X[b, t, TAGS[b, t]] for t in range(n)),
                                   rtol=1e-5)
        np.testing.assert_allclose(binary[b], want_score - unary[b], rtol=1e-4, atol=1e-5)


def test_single_step_inputs_and_int64_tags():
    x = tf.constant(X[:, :1])
    ll, _ = tf.contrib.crf.crf_log_likelihood(x, tf.constant(TAGS[:, :1].astype(np.int64)),
                                              tf.constant([1, 1, 0, 1]), tf.constant(TRANS))
    tags, best = tf.contrib.crf.crf_decode(x, tf.constant(TRANS), tf.constant([1, 1, 1, 1]))
    with tf.Session() as sess:
        got, got_tags, got_best = sess.run([ll, tags, best])
    for b in range(B):
        want = 0.0 if b == 2 else X[b, 0, TAGS[b, 0]] - brute_log_norm(X[b, :1], TRANS, 1)
        np.testing.assert_allclose(got[b], want, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got_tags[:, 0], X[:, 0].argmax(1))
    np.testing.assert_allclose(got_best, X[:, 0].max(1), rtol=1e-6)


def test_crf_decode_agrees_with_viterbi_decode_and_brute_force():
    tags, best = tf.contrib.crf.crf_decode(tf.constant(X), tf.constant(TRANS),
                                           tf.constant(LENGTHS))
    assert tags.dtype == tf.int32
    with tf.Session() as sess:
        got_tags, got_best = sess.run([tags, best])
    for b, n in enumerate(LENGTHS):
        path, path_score = tf.contrib.crf.viterbi_decode(X[b, :n], TRANS)
        paths = all_paths(n)
        scores = [score(X[b], TRANS, p) for p in paths]
        assert tuple(path) == paths[int(np.argmax(scores))]
        np.testing.assert_allclose(path_score, max(scores), rtol=1e-5)
        assert list(got_tags[b, :n]) == list(path)
        np.testing.assert_allclose(got_best[b], path_score, rtol=1e-5)


def test_multitag_sequence_score_sums_the_allowed_paths():
    bitmap = rng.rand(B, T, K) > 0.4
    bitmap[:, :, 0] = True
    got_op = tf.contrib.crf.crf_multitag_sequence_score(tf.constant(X), tf.constant(bitmap),
                                                        tf.constant(LENGTHS),
                                                        tf.constant(TRANS))
    with tf.Session() as sess:
        got = sess.run(got_op)
    for b, n in enumerate(LENGTHS):
        scores = [score(X[b], TRANS, p) for p in all_paths(n)
                  if all(bitmap[b, t, p[t]] for t in range(n))]
        np.testing.assert_allclose(got[b], np.log(np.sum(np.exp(scores))), rtol=1e-5)


def test_gradient_of_the_log_likelihood_against_finite_differences():
    x = tf.placeholder(tf.float64, [B, T, K])
    trans = tf.placeholder(tf.float64, [K, K])
    ll, _ = tf.contrib.crf.crf_log_likelihood(x, tf.constant(TAGS), tf.constant(LENGTHS),
                                              trans)
    total = tf.reduce_sum(ll)
    grads = tf.gradients(total, [x, trans])
    x0, t0 = X.astype(np.float64), TRANS.astype(np.float64)
    with tf.Session() as sess:
        gx, gt = sess.run(grads, {x: x0, trans: t0})
        eps = 1e-6
        for index in [(0, 1, 2), (1, 2, 0), (2, 0, 1), (1, 4, 1)]:
            plus, minus = x0.copy(), x0.copy()
            plus[index] += eps
            minus[index] -= eps
            numeric = (sess.run(total, {x: plus, trans: t0}) -
                       sess.run(total, {x: minus, trans: t0})) / (2 * eps)
            np.testing.assert_allclose(gx[index], numeric, rtol=1e-5, atol=1e-8)
        for index in [(0, 1), (2, 2)]:
            plus, minus = t0.copy(), t0.copy()
            plus[index] += eps
            minus[index] -= eps
            numeric = (sess.run(total, {x: x0, trans: plus}) -
                       sess.run(total, {x: x0, trans: minus})) / (2 * eps)
            np.testing.assert_allclose(gt[index], numeric, rtol=1e-5, atol=1e-8)
    assert gx[1, 3:].tolist() == np.zeros((2, K)).tolist()  # past the length


def test_crf_tagger_trains_and_decodes_its_tags():
    words = rng.randint(0, 6, (8, 4))
    tags = (words % 3).astype(np.int32)  # a learnable tagging
    lengths = np.array([4, 4, 3, 2, 4, 1, 3, 4], np.int32)
    emb = tf.get_variable("emb", [6, 5])
    inputs = tf.nn.embedding_lookup(emb, words)
    (fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(
        tf.contrib.rnn.LSTMCell(4), tf.contrib.rnn.LSTMCell(4), inputs,
        sequence_length=lengths, dtype=tf.float32)
    unary = tf.layers.dense(tf.concat([fw, bw], -1), 3)
    ll, transitions = tf.contrib.crf.crf_log_likelihood(unary, tf.constant(tags), lengths)
    assert transitions.op.name == "transitions" and transitions.shape.as_list() == [3, 3]
    loss = tf.reduce_mean(-ll)
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    decoded, _ = tf.contrib.crf.crf_decode(unary, transitions, lengths)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        first = sess.run(loss)
        for _ in range(60):
            last = sess.run([loss, train])[0]
        got, u, tr = sess.run([decoded, unary, transitions])
    assert last < first * 0.2
    for b, n in enumerate(lengths):
        path, _ = tf.contrib.crf.viterbi_decode(u[b, :n], tr)
        assert list(got[b, :n]) == list(path)
    correct = sum((got[b, :n] == tags[b, :n]).sum() for b, n in enumerate(lengths))
    assert correct == lengths.sum()


def test_rnn_cells_of_the_crf():
    cell = tf.contrib.crf.CrfForwardRnnCell(tf.constant(TRANS))
    assert cell.state_size == cell.output_size == K
    out, state = cell(tf.constant(X[:, 1]), tf.constant(X[:, 0]))
    with tf.Session() as sess:
        got = sess.run(out)
    want = X[:, 1] + np.log(np.exp(X[:, 0][:, :, None] + TRANS[None]).sum(1))
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert tf.contrib.crf.CrfDecodeBackwardRnnCell(K).state_size == 1
    with pytest.raises(ValueError):
        tf.contrib.crf.crf_log_likelihood(tf.zeros([2, 3, 4]), tf.zeros([2, 3], tf.int32),
                                          tf.constant([3, 3]), tf.zeros([3, 3]))
