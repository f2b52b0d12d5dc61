"""TF 1.15's legacy_seq2seq (tensorflow/contrib/legacy_seq2seq/python/ops/seq2seq.py): models
built step by step over Python lists of [batch] tensors.

Variable names follow TensorFlow's: `embedding_attention_seq2seq/rnn/embedding_wrapper/...` for
the encoder, `.../embedding_attention_decoder/embedding`, `.../attention_decoder/AttnW_0`,
`AttnV_0`, `kernel`, `bias`, `Attention_0/kernel`, `AttnOutputProjection/kernel`, and the
cell's own names under the decoder's scope; so checkpoints keep their keys.
"""
import copy

from tensorweave.contrib.rnn.cells import (EmbeddingWrapper, OutputProjectionWrapper,
                                           linear)
from tensorweave.core import dtypes
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import name_scope
from tensorweave.nn.impl import xw_plus_b
from tensorweave.nn.rnn import static_rnn
from tensorweave.ops import array, conv_ops, math_ops, nn_ops, norm_ops
from tensorweave.ops.control.cond import cond
from tensorweave.util import nest
from tensorweave.variable_scope import get_variable, get_variable_scope, variable_scope


def _extract_argmax_and_embed(embedding, output_projection=None, update_embedding=True):
    """A loop function that feeds back the embedding of the previous output's argmax."""

    def loop_function(prev, _):
        if output_projection is not None:
            prev = xw_plus_b(prev, output_projection[0], output_projection[1])
        emb_prev = norm_ops.embedding_lookup(embedding, math_ops.argmax(prev, 1))
        if not update_embedding:
            emb_prev = array.stop_gradient(emb_prev)
        return emb_prev

    return loop_function


def _check_projection(output_projection, num_symbols, dtype):
    if output_projection is not None:
        weights = convert_to_tensor(output_projection[0], dtype=dtype)
        weights.shape.assert_is_compatible_with([None, num_symbols])
        biases = convert_to_tensor(output_projection[1], dtype=dtype)
        biases.shape.assert_is_compatible_with([num_symbols])


def _decode(feed_previous, decoder, num_outputs, state_structure):
    """decoder(feed, update) -> (outputs, state), run once for a Python bool `feed_previous`;
    for a bool tensor, tf.cond between the decoder fed its own outputs (built first, creating
    the variables) and the one fed decoder_inputs (reusing them), neither updating the
    embedding through its own outputs. `state_structure()` gives the state's nesting."""
    if isinstance(feed_previous, bool):
        return decoder(feed_previous, True)

    def branch(feed):
        with variable_scope(get_variable_scope(), reuse=None if feed else True):
            outputs, state = decoder(feed, False)
            return list(outputs) + nest.flatten(state)

    both = cond(feed_previous, lambda: branch(True), lambda: branch(False))
    state_list = list(both[num_outputs:])
    state = state_list[0]
    structure = state_structure()
    if nest.is_sequence(structure):
        state = nest.pack_sequence_as(structure=structure, flat_sequence=state_list)
    return list(both[:num_outputs]), state


# --- decoders and models without attention ---------------------------------------------------
def rnn_decoder(decoder_inputs, initial_state, cell, loop_function=None, scope=None):
    """Runs `cell` over `decoder_inputs` from `initial_state`; with `loop_function`, step i > 0
    reads loop_function(previous output, i) instead. Returns (outputs, final state)."""
    with variable_scope(scope or "rnn_decoder"):
        state = initial_state
        outputs = []
        prev = None
        for i, inp in enumerate(decoder_inputs):
            if loop_function is not None and prev is not None:
                with variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            if i > 0:
                get_variable_scope().reuse_variables()
            output, state = cell(inp, state)
            outputs.append(output)
            if loop_function is not None:
                prev = output
    return outputs, state


def basic_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, dtype=dtypes.float32, scope=None):
    """A copy of `cell` encodes; `cell` decodes from the encoder's final state."""
    with variable_scope(scope or "basic_rnn_seq2seq"):
        enc_cell = copy.deepcopy(cell)
        _, enc_state = static_rnn(enc_cell, encoder_inputs, dtype=dtype)
        return rnn_decoder(decoder_inputs, enc_state, cell)


def tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, loop_function=None,
                     dtype=dtypes.float32, scope=None):
    """Encoder and decoder share `cell` and its variables."""
    with variable_scope("combined_tied_rnn_seq2seq"):
        scope = scope or "tied_rnn_seq2seq"
        _, enc_state = static_rnn(cell, encoder_inputs, dtype=dtype, scope=scope)
        get_variable_scope().reuse_variables()
        return rnn_decoder(decoder_inputs, enc_state, cell, loop_function=loop_function,
                           scope=scope)


def embedding_rnn_decoder(decoder_inputs, initial_state, cell, num_symbols, embedding_size,
                          output_projection=None, feed_previous=False,
                          update_embedding_for_previous=True, scope=None):
    """rnn_decoder over the embeddings (variable `embedding`) of integer decoder inputs."""
    with variable_scope(scope or "embedding_rnn_decoder") as vs:
        _check_projection(output_projection, num_symbols, vs.dtype)
        embedding = get_variable("embedding", [num_symbols, embedding_size])
        loop_function = _extract_argmax_and_embed(
            embedding, output_projection, update_embedding_for_previous) if feed_previous \
            else None
        emb_inp = [norm_ops.embedding_lookup(embedding, i) for i in decoder_inputs]
        return rnn_decoder(emb_inp, initial_state, cell, loop_function=loop_function)


def embedding_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols,
                          num_decoder_symbols, embedding_size, output_projection=None,
                          feed_previous=False, dtype=None, scope=None):
    """An embedding encoder (EmbeddingWrapper on a copy of `cell`) and embedding_rnn_decoder;
    `feed_previous` a bool or a bool tensor (both decoders, chosen by tf.cond)."""
    with variable_scope(scope or "embedding_rnn_seq2seq") as vs:
        if dtype is not None:
            vs.set_dtype(dtype)
        else:
            dtype = vs.dtype
        encoder_cell = EmbeddingWrapper(copy.deepcopy(cell), embedding_classes=num_encoder_symbols,
                                        embedding_size=embedding_size)
        _, encoder_state = static_rnn(encoder_cell, encoder_inputs, dtype=dtype)
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)

        def decoder(feed, update):
            return embedding_rnn_decoder(decoder_inputs, encoder_state, cell,
                                         num_decoder_symbols, embedding_size,
                                         output_projection=output_projection,
                                         feed_previous=feed,
                                         update_embedding_for_previous=update)

        return _decode(feed_previous, decoder, len(decoder_inputs), lambda: encoder_state)


def embedding_tied_rnn_seq2seq(encoder_inputs, decoder_inputs, cell, num_symbols,
                               embedding_size, num_decoder_symbols=None,
                               output_projection=None, feed_previous=False, dtype=None,
                               scope=None):
    """tied_rnn_seq2seq over embeddings from one `embedding` variable for both sides."""
    with variable_scope(scope or "embedding_tied_rnn_seq2seq", dtype=dtype) as vs:
        dtype = vs.dtype
        _check_projection(output_projection, num_symbols, dtype)
        embedding = get_variable("embedding", [num_symbols, embedding_size], dtype=dtype)
        emb_encoder_inputs = [norm_ops.embedding_lookup(embedding, x) for x in encoder_inputs]
        emb_decoder_inputs = [norm_ops.embedding_lookup(embedding, x) for x in decoder_inputs]
        output_symbols = num_symbols if num_decoder_symbols is None else num_decoder_symbols
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, output_symbols)

        def decoder(feed, update):
            loop_function = _extract_argmax_and_embed(embedding, output_projection, update) \
                if feed else None
            return tied_rnn_seq2seq(emb_encoder_inputs, emb_decoder_inputs, cell,
                                    loop_function=loop_function, dtype=dtype)

        def zero_state():
            batch_size = encoder_inputs[0].shape[0].value
            if batch_size is None:
                batch_size = array.shape(encoder_inputs[0])[0]
            return cell.zero_state(batch_size, dtype)

        return _decode(feed_previous, decoder, len(decoder_inputs), zero_state)


# --- attention ---------------------------------------------------------------------------------
def attention_decoder(decoder_inputs, initial_state, attention_states, cell, output_size=None,
                      num_heads=1, loop_function=None, dtype=None, scope=None,
                      initial_state_attention=False):
    """An RNN decoder that reads `num_heads` attention vectors over `attention_states`
    [batch, length, size] at each step (Bahdanau-style, as TF 1.15 computes it).
    Returns (outputs of `output_size`, final state)."""
    if not decoder_inputs:
        raise ValueError("Must provide at least 1 input to attention decoder.")
    if num_heads < 1:
        raise ValueError("With less than 1 heads, use a non-attention decoder.")
    if attention_states.shape[2].value is None:
        raise ValueError(f"Shape[2] of attention_states must be known: "
                         f"{attention_states.shape}")
    if output_size is None:
        output_size = cell.output_size

    with variable_scope(scope or "attention_decoder", dtype=dtype) as vs:
        dtype = vs.dtype
        batch_size = array.shape(decoder_inputs[0])[0]
        attn_length = attention_states.shape[1].value
        if attn_length is None:
            attn_length = array.shape(attention_states)[1]
        attn_size = attention_states.shape[2].value

        # W1 * h_t for every encoder step as a 1x1 convolution.
        hidden = array.reshape(attention_states, [-1, attn_length, 1, attn_size])
        hidden_features = []
        v = []
        attention_vec_size = attn_size
        for a in range(num_heads):
            k = get_variable(f"AttnW_{a}", [1, 1, attn_size, attention_vec_size], dtype=dtype)
            hidden_features.append(conv_ops.conv2d(hidden, k, [1, 1, 1, 1], "SAME"))
            v.append(get_variable(f"AttnV_{a}", [attention_vec_size], dtype=dtype))

        def attention(query):
            ds = []
            if nest.is_sequence(query):
                query_list = nest.flatten(query)
                for q in query_list:
                    if q.shape.ndims:
                        assert q.shape.ndims == 2
                query = array.concat(query_list, 1)
            for a in range(num_heads):
                with variable_scope(f"Attention_{a}"):
                    y = linear(query, attention_vec_size, True)
                    y = array.cast(array.reshape(y, [-1, 1, 1, attention_vec_size]), dtype)
                    s = math_ops.reduce_sum(v[a] * math_ops.tanh(hidden_features[a] + y), [2, 3])
                    weights = array.cast(nn_ops.softmax(array.cast(s, dtypes.float32)),
                                            dtype)
                    d = math_ops.reduce_sum(
                        array.reshape(weights, [-1, attn_length, 1, 1]) * hidden, [1, 2])
                    ds.append(array.reshape(d, [-1, attn_size]))
            return ds

        outputs = []
        prev = None
        batch_attn_size = array.stack([batch_size, attn_size])
        attns = [array.zeros(batch_attn_size, dtype=dtype) for _ in range(num_heads)]
        for a in attns:
            a.set_shape([None, attn_size])
        if initial_state_attention:
            attns = attention(initial_state)
        state = initial_state
        for i, inp in enumerate(decoder_inputs):
            if i > 0:
                get_variable_scope().reuse_variables()
            if loop_function is not None and prev is not None:
                with variable_scope("loop_function", reuse=True):
                    inp = loop_function(prev, i)
            input_size = inp.shape.with_rank(2)[1]
            if input_size.value is None:
                raise ValueError(f"Could not infer input size from input: {inp.name}")
            x = linear([array.cast(e, dtype) for e in [inp] + attns], input_size.value, True)
            cell_output, state = cell(x, state)
            if i == 0 and initial_state_attention:
                with variable_scope(get_variable_scope(), reuse=True):
                    attns = attention(state)
            else:
                attns = attention(state)
            with variable_scope("AttnOutputProjection"):
                output = linear([array.cast(cell_output, dtype)] + attns, output_size, True)
            if loop_function is not None:
                prev = output
            outputs.append(output)
    return outputs, state


def embedding_attention_decoder(decoder_inputs, initial_state, attention_states, cell,
                                num_symbols, embedding_size, num_heads=1, output_size=None,
                                output_projection=None, feed_previous=False,
                                update_embedding_for_previous=True, dtype=None, scope=None,
                                initial_state_attention=False):
    """attention_decoder over the embeddings (variable `embedding`) of integer inputs."""
    if output_size is None:
        output_size = cell.output_size
    if output_projection is not None:
        biases = convert_to_tensor(output_projection[1], dtype=dtype)
        biases.shape.assert_is_compatible_with([num_symbols])
    with variable_scope(scope or "embedding_attention_decoder", dtype=dtype):
        embedding = get_variable("embedding", [num_symbols, embedding_size])
        loop_function = _extract_argmax_and_embed(
            embedding, output_projection, update_embedding_for_previous) if feed_previous \
            else None
        emb_inp = [norm_ops.embedding_lookup(embedding, i) for i in decoder_inputs]
        return attention_decoder(emb_inp, initial_state, attention_states, cell,
                                 output_size=output_size, num_heads=num_heads,
                                 loop_function=loop_function,
                                 initial_state_attention=initial_state_attention)


def embedding_attention_seq2seq(encoder_inputs, decoder_inputs, cell, num_encoder_symbols,
                                num_decoder_symbols, embedding_size, num_heads=1,
                                output_projection=None, feed_previous=False, dtype=None,
                                scope=None, initial_state_attention=False):
    """An embedding encoder (a copy of `cell`) whose outputs the embedding attention decoder
    attends to. Without `output_projection` the decoder's outputs are num_decoder_symbols
    logits (OutputProjectionWrapper)."""
    with variable_scope(scope or "embedding_attention_seq2seq", dtype=dtype) as vs:
        dtype = vs.dtype
        encoder_cell = EmbeddingWrapper(copy.deepcopy(cell), embedding_classes=num_encoder_symbols,
                                        embedding_size=embedding_size)
        encoder_outputs, encoder_state = static_rnn(encoder_cell, encoder_inputs, dtype=dtype)
        top_states = [array.reshape(e, [-1, 1, cell.output_size]) for e in encoder_outputs]
        attention_states = array.concat(top_states, 1)
        output_size = None
        if output_projection is None:
            cell = OutputProjectionWrapper(cell, num_decoder_symbols)
            output_size = num_decoder_symbols

        def decoder(feed, update):
            return embedding_attention_decoder(
                decoder_inputs, encoder_state, attention_states, cell, num_decoder_symbols,
                embedding_size, num_heads=num_heads, output_size=output_size,
                output_projection=output_projection, feed_previous=feed,
                update_embedding_for_previous=update,
                initial_state_attention=initial_state_attention)

        return _decode(feed_previous, decoder, len(decoder_inputs), lambda: encoder_state)


# --- losses and buckets ------------------------------------------------------------------------
def sequence_loss_by_example(logits, targets, weights, average_across_timesteps=True,
                             softmax_loss_function=None, name=None):
    """The weighted cross-entropy of each example, summed over steps ([batch]); divided by the
    summed weights when `average_across_timesteps`."""
    if len(targets) != len(logits) or len(weights) != len(logits):
        raise ValueError(f"Lengths of logits, weights, and targets must be the same "
                         f"{len(logits)}, {len(weights)}, {len(targets)}.")
    with name_scope(name, "sequence_loss_by_example", logits + targets + weights):
        log_perp_list = []
        for logit, target, weight in zip(logits, targets, weights):
            if softmax_loss_function is None:
                target = array.reshape(target, [-1])
                crossent = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=target,
                                                                           logits=logit)
            else:
                crossent = softmax_loss_function(labels=target, logits=logit)
            log_perp_list.append(crossent * weight)
        log_perps = math_ops.add_n(log_perp_list)
        if average_across_timesteps:
            total_size = math_ops.add_n(weights)
            total_size += 1e-12  # all-zero weights divide by almost nothing, not by zero
            log_perps /= total_size
    return log_perps


def sequence_loss(logits, targets, weights, average_across_timesteps=True,
                  average_across_batch=True, softmax_loss_function=None, name=None):
    """sequence_loss_by_example summed over the batch (divided by the batch size when
    `average_across_batch`): a scalar."""
    with name_scope(name, "sequence_loss", logits + targets + weights):
        cost = math_ops.reduce_sum(sequence_loss_by_example(
            logits, targets, weights, average_across_timesteps=average_across_timesteps,
            softmax_loss_function=softmax_loss_function))
        if average_across_batch:
            batch_size = array.shape(targets[0])[0]
            return cost / array.cast(batch_size, cost.dtype)
        return cost


def model_with_buckets(encoder_inputs, decoder_inputs, targets, weights, buckets, seq2seq,
                       softmax_loss_function=None, per_example_loss=False, name=None):
    """`seq2seq(encoder_inputs[:I], decoder_inputs[:O])` for each bucket (I, O), sharing its
    variables; returns (outputs per bucket, loss per bucket)."""
    if len(encoder_inputs) < buckets[-1][0]:
        raise ValueError(f"Length of encoder_inputs ({len(encoder_inputs)}) must be at least "
                         f"that of last bucket ({buckets[-1][0]}).")
    if len(targets) < buckets[-1][1]:
        raise ValueError(f"Length of targets ({len(targets)}) must be at least that of last "
                         f"bucket ({buckets[-1][1]}).")
    if len(weights) < buckets[-1][1]:
        raise ValueError(f"Length of weights ({len(weights)}) must be at least that of last "
                         f"bucket ({buckets[-1][1]}).")
    all_inputs = encoder_inputs + decoder_inputs + targets + weights
    losses = []
    outputs = []
    with name_scope(name, "model_with_buckets", all_inputs):
        for j, bucket in enumerate(buckets):
            with variable_scope(get_variable_scope(), reuse=True if j > 0 else None):
                bucket_outputs, _ = seq2seq(encoder_inputs[:bucket[0]],
                                            decoder_inputs[:bucket[1]])
                outputs.append(bucket_outputs)
                loss = sequence_loss_by_example if per_example_loss else sequence_loss
                losses.append(loss(outputs[-1], targets[:bucket[1]], weights[:bucket[1]],
                                   softmax_loss_function=softmax_loss_function))
    return outputs, losses
