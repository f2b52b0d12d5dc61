"""tf.contrib.learn.io: numpy_input_fn and pandas_input_fn, as tf.estimator.inputs' but with
TF 1.x contrib's default shuffle=True."""
from tensorweave.estimator import inputs


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=True, queue_capacity=1000,
                   num_threads=1):
    """tf.estimator.inputs.numpy_input_fn with shuffle=True by default."""
    return inputs.numpy_input_fn(x, y, batch_size=batch_size, num_epochs=num_epochs,
                                 shuffle=shuffle, queue_capacity=queue_capacity,
                                 num_threads=num_threads)


def pandas_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=True, queue_capacity=1000,
                    num_threads=1, target_column="target"):
    """tf.estimator.inputs.pandas_input_fn with shuffle=True by default."""
    return inputs.pandas_input_fn(x, y, batch_size=batch_size, num_epochs=num_epochs,
                                  shuffle=shuffle, queue_capacity=queue_capacity,
                                  num_threads=num_threads, target_column=target_column)
