"""tf.contrib.training: HParams (hyperparameters parsed from strings, dicts or JSON) and the
checkpoint helpers TF 1.15 kept here too.

    hparams = tf.contrib.training.HParams(learning_rate=0.1, layers=[64, 64])
    hparams.parse(FLAGS.hparams)
"""
from tensorweave.contrib.training.hparam import HParams, parse_values  # noqa: F401
from tensorweave.train.checkpoint_utils import (checkpoints_iterator,  # noqa: F401
                                               wait_for_new_checkpoint)
