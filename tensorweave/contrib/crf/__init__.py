"""tf.contrib.crf: a linear-chain conditional random field over tag sequences, as TensorFlow
1.15 wrote it: log-likelihood and its parts, Viterbi decoding in NumPy (viterbi_decode) and in
the graph (crf_decode), and the RNN cells they run on.

    log_likelihood, transitions = tf.contrib.crf.crf_log_likelihood(unary_scores, tags, lengths)
    loss = tf.reduce_mean(-log_likelihood)
    tags, best_score = tf.contrib.crf.crf_decode(unary_scores, transitions, lengths)

`transitions` is the variable `transitions` [num_tags, num_tags] of the current variable scope
when no transition_params are given.
"""
from tensorweave.contrib.crf.crf import (  # noqa: F401
    CrfDecodeBackwardRnnCell, CrfDecodeForwardRnnCell, CrfForwardRnnCell, crf_binary_score,
    crf_decode, crf_forward, crf_log_likelihood, crf_log_norm, crf_multitag_sequence_score,
    crf_sequence_score, crf_unary_score, viterbi_decode)
