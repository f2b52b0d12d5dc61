"""tf.contrib.legacy_seq2seq: TensorFlow 1.x's list-of-steps sequence-to-sequence models (the
decoders unrolled over Python lists of [batch] tensors, attention over the encoder's outputs,
bucketed losses), with TF 1.15's variable names.

    outputs, losses = tf.contrib.legacy_seq2seq.model_with_buckets(
        encoder_inputs, decoder_inputs, targets, weights, buckets,
        lambda x, y: tf.contrib.legacy_seq2seq.embedding_attention_seq2seq(
            x, y, cell, num_encoder_symbols=10, num_decoder_symbols=10, embedding_size=32))
"""
from tensorweave.contrib.legacy_seq2seq.seq2seq import (  # noqa: F401
    attention_decoder, basic_rnn_seq2seq, embedding_attention_decoder,
    embedding_attention_seq2seq, embedding_rnn_decoder, embedding_rnn_seq2seq,
    embedding_tied_rnn_seq2seq, model_with_buckets, rnn_decoder, sequence_loss,
    sequence_loss_by_example, tied_rnn_seq2seq)

__all__ = ["attention_decoder", "basic_rnn_seq2seq", "embedding_attention_decoder",
           "embedding_attention_seq2seq", "embedding_rnn_decoder", "embedding_rnn_seq2seq",
           "embedding_tied_rnn_seq2seq", "model_with_buckets", "rnn_decoder", "sequence_loss",
           "sequence_loss_by_example", "tied_rnn_seq2seq"]
