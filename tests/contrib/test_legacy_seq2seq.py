"""tf.contrib.legacy_seq2seq: TF 1.15's variable names, the attention decoder against a NumPy
reference, sequence losses against NumPy, buckets sharing variables, feed_previous as a tensor,
and a bucketed model that trains."""
import numpy as np
import pytest

import tensorweave as tf

seq2seq = tf.contrib.legacy_seq2seq


def _ints(n, batch=None, name="x"):
    return [tf.placeholder(tf.int32, [batch], name=f"{name}{i}") for i in range(n)]


def _names(scope=""):
    return sorted(v.op.name for v in tf.global_variables() if v.op.name.startswith(scope))


def test_embedding_attention_seq2seq_variable_names_are_tensorflows():
    with tf.Graph().as_default():
        cell = tf.contrib.rnn.MultiRNNCell([tf.contrib.rnn.GRUCell(4) for _ in range(2)])
        outputs, state = seq2seq.embedding_attention_seq2seq(
            _ints(3, name="e"), _ints(2, name="d"), cell, num_encoder_symbols=5,
            num_decoder_symbols=7, embedding_size=6)
        assert len(outputs) == 2 and outputs[0].shape.as_list() == [None, 7]
        assert len(state) == 2
        names = _names()
        top = "embedding_attention_seq2seq/"
        dec = top + "embedding_attention_decoder/"
        for name in [top + "rnn/embedding_wrapper/embedding",
                     top + "rnn/embedding_wrapper/multi_rnn_cell/cell_0/gru_cell/gates/kernel",
                     dec + "embedding", dec + "attention_decoder/AttnW_0",
                     dec + "attention_decoder/AttnV_0", dec + "attention_decoder/kernel",
                     dec + "attention_decoder/bias",
                     dec + "attention_decoder/Attention_0/kernel",
                     dec + "attention_decoder/AttnOutputProjection/kernel",
                     dec + "attention_decoder/output_projection_wrapper/kernel"]:
            assert name in names, (name, names)
        assert tf.get_default_graph().get_tensor_by_name(
            dec + "attention_decoder/AttnW_0:0").shape.as_list() == [1, 1, 4, 4]


def _attention_reference(values, inputs, init_state, emb_attn_states):
    """One head, a BasicRNNCell, no loop function: TF 1.15's attention_decoder in NumPy."""
    v = values
    h = init_state
    attn_states = emb_attn_states                       # [B, L, S]
    features = attn_states @ v["AttnW_0"][0, 0]          # [B, L, S]
    attns = np.zeros((h.shape[0], attn_states.shape[2]), np.float32)
    outputs = []
    for inp in inputs:
        x = np.concatenate([inp, attns], 1) @ v["kernel"] + v["bias"]
        h = np.tanh(np.concatenate([x, h], 1) @ v["basic_rnn_cell/kernel"] +
                    v["basic_rnn_cell/bias"])
        y = h @ v["Attention_0/kernel"] + v["Attention_0/bias"]
        s = (v["AttnV_0"] * np.tanh(features + y[:, None, :])).sum(2)
        a = np.exp(s - s.max(1, keepdims=True))
        a /= a.sum(1, keepdims=True)
        attns = (a[:, :, None] * attn_states).sum(1)
        out = np.concatenate([h, attns], 1) @ v["AttnOutputProjection/kernel"] + \
            v["AttnOutputProjection/bias"]
        outputs.append(out)
    return outputs, h


def test_attention_decoder_matches_numpy():
    rng = np.random.RandomState(0)
    B, L, S, D, N = 3, 4, 5, 2, 3
    with tf.Graph().as_default():
        inputs = [tf.constant(rng.randn(B, D).astype(np.float32)) for _ in range(N)]
        init = tf.constant(rng.randn(B, 6).astype(np.float32))
        attn = tf.constant(rng.randn(B, L, S).astype(np.float32))
        cell = tf.nn.rnn_cell.BasicRNNCell(6)
        outputs, state = seq2seq.attention_decoder(inputs, init, attn, cell, output_size=7)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            variables = {v.op.name[len("attention_decoder/"):]: v for v in tf.global_variables()}
            values = sess.run(variables)
            got, got_state, feeds = sess.run([outputs, state, [inputs, init, attn]])
    want, want_state = _attention_reference(values, feeds[0], feeds[1], feeds[2])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_state, want_state, rtol=1e-4, atol=1e-5)


def test_sequence_losses_match_numpy():
    rng = np.random.RandomState(1)
    logits = [rng.randn(4, 5).astype(np.float32) for _ in range(3)]
    targets = [rng.randint(0, 5, 4).astype(np.int32) for _ in range(3)]
    weights = [rng.rand(4).astype(np.float32) for _ in range(3)]

    def xent(lg, t):
        z = lg - lg.max(1, keepdims=True)
        return np.log(np.exp(z).sum(1)) - z[np.arange(len(t)), t]

    per_example = sum(xent(lg, t) * w for lg, t, w in zip(logits, targets, weights))
    per_example /= sum(weights) + 1e-12
    with tf.Graph().as_default(), tf.Session() as sess:
        args = ([tf.constant(x) for x in logits], [tf.constant(x) for x in targets],
                [tf.constant(x) for x in weights])
        by_example = seq2seq.sequence_loss_by_example(*args)
        total = seq2seq.sequence_loss(*args)
        summed = seq2seq.sequence_loss(*args, average_across_batch=False)
        got = sess.run([by_example, total, summed])
    np.testing.assert_allclose(got[0], per_example, rtol=1e-5)
    np.testing.assert_allclose(got[1], per_example.sum() / 4, rtol=1e-5)
    np.testing.assert_allclose(got[2], per_example.sum(), rtol=1e-5)
    with tf.Graph().as_default(), pytest.raises(ValueError, match="must be the same"):
        seq2seq.sequence_loss(args[0][:2], args[1], args[2])


def test_buckets_share_variables_and_a_bucketed_model_trains():
    vocab = 6
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        enc, dec = _ints(4, name="e"), _ints(5, name="d")
        weights = [tf.placeholder(tf.float32, [None], name=f"w{i}") for i in range(4)]
        targets = dec[1:]

        def model(x, y):
            cell = tf.nn.rnn_cell.GRUCell(16)   # a new cell per bucket: TF's deepcopy needs it
            return seq2seq.embedding_rnn_seq2seq(x, y, cell, vocab, vocab, 8)

        outputs, losses = seq2seq.model_with_buckets(enc, dec, targets, weights,
                                                     [(2, 2), (4, 4)], model)
        assert len(outputs) == 2 and [len(o) for o in outputs] == [2, 4]
        variables = tf.trainable_variables()
        assert len(variables) == len({v.op.name for v in variables})
        assert "embedding_rnn_seq2seq/embedding_rnn_decoder/embedding" in _names()
        train = tf.train.AdamOptimizer(0.05).minimize(losses[1])
        # copy the encoder's 4 symbols, reversed, into the decoder's targets
        rng = np.random.RandomState(0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            history = []
            for _ in range(60):
                src = rng.randint(1, vocab, (4, 8)).astype(np.int32)
                tgt = np.concatenate([np.zeros((1, 8), np.int32), src[::-1]])
                feed = {**dict(zip(enc, src)), **dict(zip(dec, tgt)),
                        **{w: np.ones(8, np.float32) for w in weights}}
                history.append(sess.run([train, losses[1]], feed)[1])
        assert np.mean(history[-10:]) < 0.6 * np.mean(history[:5])


def test_deep_copy_of_a_built_cell_fails_as_in_tensorflow():
    # TF 1.1-1.15's translate tutorial hits this (tensorflow/tensorflow#11157): a cell built
    # for the first bucket cannot be deep-copied for the second.
    with tf.Graph().as_default():
        cell = tf.nn.rnn_cell.GRUCell(4)

        def model(x, y):
            return seq2seq.embedding_attention_seq2seq(x, y, cell, 5, 5, 3)

        enc, dec = _ints(2, name="e"), _ints(3, name="d")
        weights = [tf.placeholder(tf.float32, [None]) for _ in range(2)]
        with pytest.raises(TypeError, match="pickle"):
            seq2seq.model_with_buckets(enc, dec, dec[1:], weights, [(1, 1), (2, 2)], model)


def test_feed_previous_tensor_builds_both_decoders_on_shared_variables():
    with tf.Graph().as_default():
        feed_previous = tf.placeholder(tf.bool, [])
        enc, dec = _ints(3, name="e"), _ints(3, name="d")
        outputs, _ = seq2seq.embedding_rnn_seq2seq(enc, dec, tf.nn.rnn_cell.GRUCell(5), 4, 4, 3,
                                                   feed_previous=feed_previous)
        names = _names()
        assert len(names) == len(set(names))
        rng = np.random.RandomState(2)
        feed = {**{e: rng.randint(0, 4, 2) for e in enc}, **{d: rng.randint(0, 4, 2) for d in dec}}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            fed = sess.run(outputs, {**feed, feed_previous: False})
            looped = sess.run(outputs, {**feed, feed_previous: True})
        np.testing.assert_allclose(fed[0], looped[0], rtol=1e-5)   # step 0 reads decoder_inputs
        assert not np.allclose(fed[2], looped[2])


def test_old_module_paths_are_the_seq2seq_module_and_the_wrappers(tmp_path):
    # WOW5678/tensorflow_study's legacy_seq2seq lessons star-import these TF 1.x paths
    import subprocess
    import sys
    (tmp_path / "prog.py").write_text(
        "import tensorflow as tf\n"
        "from tensorflow.contrib.legacy_seq2seq.python.ops import *\n"
        "from tensorflow.contrib.rnn.python.ops.core_rnn_cell import *\n"
        "from tensorflow.contrib.legacy_seq2seq.python.ops.seq2seq import *\n"
        "import tensorflow.contrib.legacy_seq2seq.python.ops.seq2seq as s2s\n"
        "print(attention_decoder is tf.contrib.legacy_seq2seq.attention_decoder,\n"
        "      s2s.rnn_decoder is tf.contrib.legacy_seq2seq.rnn_decoder,\n"
        "      EmbeddingWrapper is tf.contrib.rnn.EmbeddingWrapper,\n"
        "      OutputProjectionWrapper is tf.contrib.rnn.OutputProjectionWrapper)\n")
    result = subprocess.run([sys.executable, "-m", "tensorweave", "prog.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 4
