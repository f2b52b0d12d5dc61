"""tf.contrib.training: HParams (hyperparameters parsed from strings, dicts or JSON),
create_train_op and train (a MonitoredTrainingSession loop), the gradient helpers and
evaluation hooks TF-slim shares with it, and the checkpoint waiting helpers.

    hparams = tf.contrib.training.HParams(learning_rate=0.1, layers=[64, 64])
    hparams.parse(FLAGS.hparams)
"""
from tensorweave.contrib.training.hparam import HParams, parse_values  # noqa: F401
from tensorweave.contrib.training.training import (clip_gradient_norms_fn,  # noqa: F401
                                                   create_train_op, train)
from tensorweave.train.checkpoint_utils import (checkpoints_iterator,  # noqa: F401
                                               wait_for_new_checkpoint)
from tensorweave.contrib import not_provided
from tensorweave.util import lazy

# TF 1.15 names of tf.contrib.training that tensorweave does not provide (queue-based input
# pipelines and their state savers, sampling queues, the contrib evaluation loops).
NOT_PROVIDED = ("bucket", "bucket_by_sequence_length", "batch_sequences_with_states",
                "NextQueuedSequenceBatch", "SequenceQueueingStateSaver", "rejection_sample",
                "stratified_sample", "resample_at_rate", "weighted_resample",
                "FeedingQueueRunner", "evaluate_once", "evaluate_repeatedly",
                "GreedyLoadBalancingStrategy", "RandomStrategy", "byte_size_load_fn",
                "python_input", "HParamDef")

# The same objects as TF-slim's (slim takes them from here in TF 1.15).
_lazy = lazy.attributes(__name__, {
    **lazy.names_from("tensorweave.contrib.slim.learning", "add_gradients_summaries",
                      "clip_gradient_norms", "multiply_gradients"),
    **lazy.names_from("tensorweave.contrib.slim.evaluation", "StopAfterNEvalsHook",
                      "SummaryAtEndHook", "get_or_create_eval_step"),
})


__getattr__ = not_provided(__name__, NOT_PROVIDED, fallback=_lazy)
