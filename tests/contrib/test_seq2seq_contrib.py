"""tf.contrib.seq2seq: an encoder-decoder with Bahdanau attention trained a few steps against
TensorFlow's numbers (TF 1.15's variable names), Luong attention, greedy decoding, and beam
search (beam width 3) against a beam search over the model's own prefix probabilities."""
import numpy as np
import pytest

import tensorweave as tf

from contrib_reference import REF, load_variables, variables_of

SRC, SRC_LEN = REF["input/src"], REF["input/src_len"]
TGT_IN, TGT_OUT, TGT_LEN = REF["input/tgt_in"], REF["input/tgt_out"], REF["input/tgt_len"]
VOCAB, UNITS = 6, 4


def encoder():
    emb = tf.get_variable("emb", [VOCAB, 3])
    enc_out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(UNITS), tf.constant(SRC),
                                   sequence_length=tf.constant(SRC_LEN), dtype=tf.float32,
                                   scope="encoder")
    return emb, enc_out


def attention_cell(memory, lengths, luong=False, alignment_history=False, cell=None):
    mechanism = tf.contrib.seq2seq.LuongAttention(UNITS, memory, lengths, scale=True) if luong \
        else tf.contrib.seq2seq.BahdanauAttention(UNITS, memory,
                                                  memory_sequence_length=lengths)
    return tf.contrib.seq2seq.AttentionWrapper(
        cell or tf.nn.rnn_cell.BasicLSTMCell(UNITS), mechanism, attention_layer_size=5,
        alignment_history=alignment_history)


def projection():
    return tf.layers.Dense(VOCAB, use_bias=False, name="output_projection")


def training_model(luong=False):
    emb, enc_out = encoder()
    cell = attention_cell(enc_out, tf.constant(SRC_LEN), luong, alignment_history=True)
    helper = tf.contrib.seq2seq.TrainingHelper(tf.nn.embedding_lookup(emb, TGT_IN),
                                               tf.constant(TGT_LEN))
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32),
                                              output_layer=projection())
    outputs, state, lengths = tf.contrib.seq2seq.dynamic_decode(decoder)
    weights = tf.sequence_mask(tf.constant(TGT_LEN), 4, dtype=tf.float32)
    loss = tf.contrib.seq2seq.sequence_loss(outputs.rnn_output, tf.constant(TGT_OUT), weights)
    return outputs, state, lengths, loss


def test_bahdanau_attention_model_trains_as_tensorflow():
    outputs, state, lengths, loss = training_model()
    assert outputs.rnn_output.shape.as_list() == [2, None, VOCAB]
    assert isinstance(state, tf.contrib.seq2seq.AttentionWrapperState)
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        load_variables(sess, "bahdanau")
        logits, ids, history, lens = sess.run([outputs.rnn_output, outputs.sample_id,
                                               state.alignment_history.stack(), lengths])
        losses = [sess.run([loss, train])[0] for _ in range(3)]
    np.testing.assert_allclose(logits, REF["bahdanau/logits"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ids, logits.argmax(-1))
    np.testing.assert_allclose(history, REF["bahdanau/alignments"], rtol=1e-5, atol=1e-7)
    assert (history[:, 1, 4:] == 0).all()  # past the source length
    np.testing.assert_array_equal(lens, TGT_LEN)
    np.testing.assert_allclose(losses, REF["bahdanau/losses"], rtol=1e-5)


def test_luong_attention_model_matches_tensorflow():
    outputs, _, _, loss = training_model(luong=True)
    with tf.Session() as sess:
        load_variables(sess, "luong")
        logits, value = sess.run([outputs.rnn_output, loss])
    np.testing.assert_allclose(logits, REF["luong/logits"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(value, REF["luong/losses"][0], rtol=1e-5)


# --- beam search -----------------------------------------------------------------------------
START, END, WIDTH, STEPS = 1, 0, 3, 3


def beam_search_graph(end, penalty):
    """The Bahdanau model's weights driving a BeamSearchDecoder (decoder/ scope reused)."""
    emb, enc_out = encoder()
    memory = tf.contrib.seq2seq.tile_batch(enc_out, WIDTH)
    lengths = tf.contrib.seq2seq.tile_batch(tf.constant(SRC_LEN), WIDTH)
    cell = attention_cell(memory, lengths)
    decoder = tf.contrib.seq2seq.BeamSearchDecoder(
        cell, emb, tf.fill([2], START), end, cell.zero_state(2 * WIDTH, tf.float32), WIDTH,
        output_layer=projection(), length_penalty_weight=penalty)
    return tf.contrib.seq2seq.dynamic_decode(decoder, maximum_iterations=STEPS)


def prefix_log_probs(sess_values):
    """{(batch row, prefix tuple): log-softmax over the next token} for every prefix of up to
    STEPS - 1 tokens, by teacher forcing the same model (a fresh graph, same variables)."""
    prefixes = [()] + [(a,) for a in range(VOCAB)] + \
        [(a, b) for a in range(VOCAB) for b in range(VOCAB)]
    with tf.Graph().as_default():
        emb = tf.get_variable("emb", [VOCAB, 3])
        enc_out, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.GRUCell(UNITS), tf.constant(SRC),
                                       sequence_length=tf.constant(SRC_LEN), dtype=tf.float32,
                                       scope="encoder")
        n = len(prefixes)
        rows = np.repeat(np.arange(2), n)
        memory = tf.gather(enc_out, rows)
        cell = attention_cell(memory, tf.constant(SRC_LEN[rows]))
        inputs = np.array([[START] + list(p) + [0] * (2 - len(p)) for p in prefixes] * 2)
        helper = tf.contrib.seq2seq.TrainingHelper(tf.nn.embedding_lookup(emb, inputs),
                                                   tf.fill([2 * n], 3))
        decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper,
                                                  cell.zero_state(2 * n, tf.float32),
                                                  output_layer=projection())
        outputs, _, _ = tf.contrib.seq2seq.dynamic_decode(decoder)
        log_probs = tf.nn.log_softmax(outputs.rnn_output)
        with tf.Session() as sess:
            sess.run([v.assign(sess_values[v.op.name]) for v in tf.global_variables()])
            values = sess.run(log_probs)
    return {(rows[row], prefixes[row % n]): values[row, len(prefixes[row % n])]
            for row in range(2 * n)}


def numpy_beam_search(log_probs, row, end, penalty):
    """TF 1.15's beam search over the model's prefix probabilities: finished beams continue
    with the end token only; scores are summed log probabilities over ((5 + length) / 6) **
    penalty, where a beam's length counts its tokens up to, not including, the step's end
    token (and including it once the beam is finished)."""
    beams = [((), 0.0, 0, False)] + [((), -np.inf, 0, True)] * (WIDTH - 1)
    history = []
    for _ in range(STEPS):
        candidates = []
        for b, (tokens, logp, length, finished) in enumerate(beams):
            step = log_probs[(row, tokens[:len(tokens)])] if not finished else None
            for v in range(VOCAB):
                if finished:
                    total = logp + (0.0 if v == end else np.finfo(np.float32).min)
                    new_length = length
                    scored_length = length
                else:  # the end token itself does not count in the score's length
                    total = logp + step[v]
                    new_length = length + 1
                    scored_length = length + (v != end)
                divisor = ((5.0 + scored_length) / 6.0) ** penalty
                candidates.append((total / divisor, b * VOCAB + v, tokens + (v,), total,
                                   new_length, finished or v == end))
        candidates.sort(key=lambda c: (-c[0], c[1]))
        chosen = candidates[:WIDTH]
        history.append([c[0] for c in chosen])
        beams = [(c[2] if not beams[c[1] // VOCAB][3] else beams[c[1] // VOCAB][0] + (end,),
                  c[3], c[4], c[5]) for c in chosen]
    return [b[0] for b in beams], history[-1], [b[2] for b in beams]


@pytest.mark.parametrize("end, penalty, some_finish", [(0, 0.6, False), (3, 0.0, True),
                                                      (2, 1.5, False)])
def test_beam_search_with_attention_matches_a_beam_search_over_the_models_probabilities(
        end, penalty, some_finish):
    outputs, _, _, loss = training_model()
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    with tf.Session() as sess:
        load_variables(sess, "bahdanau")
        for _ in range(3):
            sess.run(train)
        trained = {v.op.name: sess.run(v) for v in tf.global_variables()
                   if v.op.name in variables_of("bahdanau")}
    with tf.Graph().as_default():
        with tf.variable_scope(tf.get_variable_scope()):
            final, state, lengths = beam_search_graph(end, penalty)
        assert isinstance(final, tf.contrib.seq2seq.FinalBeamSearchDecoderOutput)
        assert final.predicted_ids.shape.as_list() == [2, None, WIDTH]
        with tf.Session() as sess:
            load = {v.op.name: v for v in tf.global_variables()}
            assert sorted(load) == sorted(trained)
            sess.run([v.assign(trained[name]) for name, v in load.items()])
            ids, scores, lens, state_lengths = sess.run(
                [final.predicted_ids, final.beam_search_decoder_output.scores, lengths,
                 state.lengths])
    log_probs = prefix_log_probs(trained)
    finished_beams = 0
    for row in range(2):
        want_ids, want_scores, want_lengths = numpy_beam_search(log_probs, row, end, penalty)
        steps = ids.shape[1]
        for k in range(WIDTH):
            got = list(ids[row, :, k])
            want = list(want_ids[k])[:steps]
            want = want + [end] * (steps - len(want))
            assert got == want, (row, k, got, want)
        np.testing.assert_allclose(scores[row, -1], want_scores, rtol=1e-4)
        finished_beams += sum(end in beam for beam in want_ids)
        np.testing.assert_array_equal(state_lengths[row], want_lengths)
        np.testing.assert_array_equal(lens[row], want_lengths)
    assert (finished_beams > 0) == some_finish  # with end token 3, finished beams compete


def test_greedy_decoding_is_consistent_with_teacher_forcing():
    emb, enc_out = encoder()
    cell = attention_cell(enc_out, tf.constant(SRC_LEN))
    helper = tf.contrib.seq2seq.GreedyEmbeddingHelper(emb, tf.fill([2], START), END)
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32),
                                              output_layer=projection())
    outputs, _, lengths = tf.contrib.seq2seq.dynamic_decode(decoder, maximum_iterations=5,
                                                            impute_finished=True,
                                                            output_time_major=True)
    with tf.Session() as sess:
        load_variables(sess, "bahdanau")
        logits, ids, lens = sess.run([outputs.rnn_output, outputs.sample_id, lengths])
    assert logits.shape[1] == 2  # time-major
    for b in range(2):
        n = lens[b]
        np.testing.assert_array_equal(ids[:n, b], logits[:n, b].argmax(-1))
        assert n == 5 or ids[n - 1, b] == END
        assert (logits[n:, b] == 0).all() and (ids[n:, b] == 0).all()  # impute_finished


def test_tile_batch_hardmax_and_monotonic_attention():
    t = tf.contrib.seq2seq.tile_batch(tf.constant([[1, 2], [3, 4]]), 2)
    nested = tf.contrib.seq2seq.tile_batch((tf.constant([1, 2]),), 3)
    probs = np.random.RandomState(0).uniform(0.05, 0.95, (2, 5)).astype(np.float32)
    previous = np.eye(5, dtype=np.float32)[[0, 2]]
    modes = {m: tf.contrib.seq2seq.monotonic_attention(probs, previous, m)
             for m in ("parallel", "recursive", "hard")}
    with tf.Session() as sess:
        assert sess.run(t).tolist() == [[1, 2], [1, 2], [3, 4], [3, 4]]
        assert sess.run(nested[0]).tolist() == [1, 1, 1, 2, 2, 2]
        assert sess.run(tf.contrib.seq2seq.hardmax([[1., 3., 2.]])).tolist() == [[0, 1, 0]]
        np.testing.assert_allclose(sess.run(tf.contrib.seq2seq.safe_cumprod([.5, .5, 2.])),
                                   [.5, .25, .25], rtol=1e-6)
        got = sess.run(modes)
    # expected attention: q_i = (1 - p_{i-1}) q_{i-1} + prev_i, a_i = p_i q_i
    want = np.zeros_like(probs)
    for b in range(2):
        q = 0.0
        for i in range(5):
            q = (1 - probs[b, i - 1]) * q + previous[b, i] if i else previous[b, 0]
            want[b, i] = probs[b, i] * q
    np.testing.assert_allclose(got["recursive"], want, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got["parallel"], want, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="mode must be"):
        tf.contrib.seq2seq.monotonic_attention(probs, previous, "soft")


def test_monotonic_mechanisms_build_with_their_variables():
    memory = tf.constant(SRC)
    for cls, name in ((tf.contrib.seq2seq.BahdanauMonotonicAttention, "bahdanau"),
                      (tf.contrib.seq2seq.LuongMonotonicAttention, "luong")):
        with tf.variable_scope(name):
            mechanism = cls(3, memory, memory_sequence_length=tf.constant(SRC_LEN))
            alignments, _ = mechanism(tf.ones([2, 3]),
                                      mechanism.initial_alignments(2, tf.float32))
    names = sorted(v.op.name for v in tf.global_variables())
    assert "bahdanau/bahdanau_monotonic_attention/attention_score_bias" in names
    assert "luong/luong_monotonic_attention/attention_score_bias" in names
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a = sess.run(alignments)
    assert a.shape == (2, 6) and (a >= 0).all() and (a.sum(1) <= 1 + 1e-6).all()
    assert (a[1, 4:] == 0).all()


def test_attention_wrapper_argument_errors():
    mechanism = tf.contrib.seq2seq.LuongAttention(3, tf.zeros([2, 4, 3]))
    cell = tf.nn.rnn_cell.GRUCell(3)
    with pytest.raises(TypeError, match="AttentionMechanism"):
        tf.contrib.seq2seq.AttentionWrapper(cell, "not a mechanism")
    with pytest.raises(ValueError, match="Only one of attention_layer_size"):
        tf.contrib.seq2seq.AttentionWrapper(cell, mechanism, attention_layer_size=2,
                                            attention_layer=tf.layers.Dense(2))
    with pytest.raises(ValueError, match="exactly one integer per"):
        tf.contrib.seq2seq.AttentionWrapper(cell, [mechanism], attention_layer_size=[2, 3])
    wrapper = tf.contrib.seq2seq.AttentionWrapper(cell, [mechanism, mechanism],
                                                  output_attention=False)
    assert wrapper.output_size == 3
    assert wrapper.state_size.attention == 6 and wrapper.state_size.alignments == (4, 4)
    with pytest.raises(TypeError, match="AttentionWrapperState"):
        wrapper(tf.zeros([2, 3]), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="start_tokens must be a vector"):
        tf.contrib.seq2seq.GreedyEmbeddingHelper(tf.zeros([4, 2]), 1, 0)
    with pytest.raises(ValueError, match="sequence_length to be a vector"):
        tf.contrib.seq2seq.TrainingHelper(tf.zeros([2, 3, 1]), 3)


def test_beam_search_coverage_penalty_and_reordered_alignment_history():
    emb, enc_out = encoder()
    memory = tf.contrib.seq2seq.tile_batch(enc_out, WIDTH)
    lengths = tf.contrib.seq2seq.tile_batch(tf.constant(SRC_LEN), WIDTH)
    cell = attention_cell(memory, lengths, alignment_history=True)
    decoder = tf.contrib.seq2seq.BeamSearchDecoder(
        cell, emb, tf.fill([2], START), END, cell.zero_state(2 * WIDTH, tf.float32), WIDTH,
        output_layer=projection(), coverage_penalty_weight=0.4)
    final, state, _ = tf.contrib.seq2seq.dynamic_decode(decoder, maximum_iterations=3)
    history = state.cell_state.alignment_history  # sorted along the beams: a tensor
    with tf.Session() as sess:
        load_variables(sess, "bahdanau")
        ids, aligned, accumulated = sess.run([final.predicted_ids, history,
                                              state.accumulated_attention_probs])
    steps = ids.shape[1]
    assert aligned.shape == (steps, 2 * WIDTH, 6)
    np.testing.assert_allclose(aligned.sum(-1), 1, rtol=1e-5)
    assert accumulated.shape == (2, WIDTH, 6)
    with pytest.raises(ValueError, match="coverage_penalty_weight must be 0.0 if no cell is "
                                         "attentional"):
        tf.contrib.seq2seq.BeamSearchDecoder(
            tf.nn.rnn_cell.GRUCell(3), emb, tf.fill([2], START), END,
            tf.zeros([2 * WIDTH, 3]), WIDTH, coverage_penalty_weight=0.4).initialize()


def test_helpers_batch_size_is_an_int32_tensor_as_in_tensorflow():
    # TF's helpers give array_ops.size(...): programs sess.run(decoder.batch_size)
    inputs = np.zeros((5, 8, 7), np.float32)
    helper = tf.contrib.seq2seq.TrainingHelper(inputs, [3, 4, 3, 1, 0])
    cell = tf.nn.rnn_cell.BasicRNNCell(4)
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(5, tf.float32))
    greedy = tf.contrib.seq2seq.GreedyEmbeddingHelper(tf.zeros([6, 3]), [1, 1], 2)
    scheduled = tf.contrib.seq2seq.ScheduledEmbeddingTrainingHelper(
        inputs, [3, 4, 3, 1, 0], tf.ones([6, 7]), 0.5)
    sched_decoder = tf.contrib.seq2seq.BasicDecoder(tf.nn.rnn_cell.BasicRNNCell(6), scheduled,
                                                    tf.zeros([5, 6]))
    (outputs, _), _, lengths = tf.contrib.seq2seq.dynamic_decode(sched_decoder)
    for size in (decoder.batch_size, greedy.batch_size, scheduled.batch_size):
        assert isinstance(size, tf.Tensor) and size.dtype == tf.int32
    assert outputs.shape.as_list() == [5, None, 6]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run([decoder.batch_size, greedy.batch_size]) == [5, 2]
        assert sess.run(lengths).tolist() == [3, 4, 3, 1, 0]


def test_tensorflow_module_paths_of_seq2seq():
    from tensorweave.contrib.seq2seq.python.ops import basic_decoder, helper
    assert helper.TrainingHelper is tf.contrib.seq2seq.TrainingHelper
    assert basic_decoder.BasicDecoder is tf.contrib.seq2seq.BasicDecoder
