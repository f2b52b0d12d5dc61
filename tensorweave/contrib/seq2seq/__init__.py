"""tf.contrib.seq2seq: sequence-to-sequence models as TensorFlow 1.15 wrote them: attention
mechanisms and AttentionWrapper, decoders (BasicDecoder, BeamSearchDecoder) driven by
helpers through dynamic_decode, and sequence_loss.

    helper = tf.contrib.seq2seq.TrainingHelper(decoder_inputs, target_lengths)
    decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, initial_state, output_layer)
    outputs, _, _ = tf.contrib.seq2seq.dynamic_decode(decoder)
    loss = tf.contrib.seq2seq.sequence_loss(outputs.rnn_output, targets, weights)
"""
from tensorweave.contrib.seq2seq.attention_wrapper import (  # noqa: F401
    AttentionMechanism, AttentionWrapper, AttentionWrapperState, BahdanauAttention,
    BahdanauMonotonicAttention, LuongAttention, LuongMonotonicAttention, hardmax,
    monotonic_attention, safe_cumprod)
from tensorweave.contrib.seq2seq.basic_decoder import (BasicDecoder,  # noqa: F401
                                                        BasicDecoderOutput)
from tensorweave.contrib.seq2seq.beam_search_decoder import (  # noqa: F401
    BeamSearchDecoder, BeamSearchDecoderOutput, BeamSearchDecoderState,
    FinalBeamSearchDecoderOutput, gather_tree, tile_batch)
from tensorweave.contrib.seq2seq.decoder import Decoder, dynamic_decode  # noqa: F401
from tensorweave.contrib.seq2seq.helper import (  # noqa: F401
    CustomHelper, GreedyEmbeddingHelper, Helper, InferenceHelper, SampleEmbeddingHelper,
    ScheduledEmbeddingTrainingHelper, ScheduledOutputTrainingHelper, TrainingHelper)
from tensorweave.contrib.seq2seq.loss import sequence_loss  # noqa: F401
