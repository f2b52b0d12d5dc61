"""tf.contrib.estimator's RNNClassifier and RNNEstimator (TF 1.15): a recurrent network over
sequence feature columns (with context columns repeated at every step), whose output at each
sequence's last step (or every step, return_sequences) feeds a dense logits layer under a
head. Variables as TF names them: rnn/rnn/<cell>/..., rnn/logits/dense/{kernel,bias}.

    estimator = tf.contrib.estimator.RNNClassifier(
        sequence_feature_columns=[token_embedding], num_units=[32, 16], cell_type="lstm")
"""
from tensorweave import losses, summary
from tensorweave import layers
from tensorweave.core import dtypes
from tensorweave.core.graph import name_scope
from tensorweave.contrib.estimator.extenders import clip_gradients_by_norm
from tensorweave.estimator import estimator as estimator_lib
from tensorweave.estimator import feature_column as fc
from tensorweave.estimator.canned import head as head_lib
from tensorweave.estimator.canned import optimizers
from tensorweave.init_ops import glorot_uniform_initializer
from tensorweave.nn import rnn, rnn_cell
from tensorweave.ops import array
from tensorweave.train import optimizer as optimizer_lib
from tensorweave.train import training_util
from tensorweave.variable_scope import variable_scope

_DEFAULT_LEARNING_RATE = 0.05
_DEFAULT_CLIP_NORM = 5.0
_CELL_TYPES = {"basic_rnn": rnn_cell.BasicRNNCell, "lstm": rnn_cell.BasicLSTMCell,
               "gru": rnn_cell.GRUCell}
USE_DEFAULT = object()  # no cell_type given


def _single_rnn_cell(num_units, cell_type):
    cell_class = _CELL_TYPES.get(cell_type, cell_type)
    if not (isinstance(cell_class, type) and issubclass(cell_class, rnn_cell.RNNCell)):
        raise ValueError(f"Supported cell types are {list(_CELL_TYPES)}; got {cell_type}")
    return cell_class(num_units=num_units)


def make_rnn_cell_fn(num_units, cell_type="basic_rnn"):
    """rnn_cell_fn(mode): one cell of `cell_type` per entry of num_units (a MultiRNNCell of
    them when several)."""
    def rnn_cell_fn(mode):
        cells = [_single_rnn_cell(n, cell_type) for n in num_units]
        return cells[0] if len(cells) == 1 else rnn_cell.MultiRNNCell(cells)
    return rnn_cell_fn


def _concatenate_context_input(sequence_input, context_input):
    """context_input [batch, d1] repeated at each step of sequence_input [batch, T, d0]."""
    if sequence_input.shape.ndims not in (None, 3):
        raise ValueError("sequence_input must have rank 3")
    if context_input.shape.ndims not in (None, 2):
        raise ValueError("context_input must have rank 2")
    for t, what in ((sequence_input, "sequence_input"), (context_input, "context_input")):
        if t.dtype is not dtypes.float32:
            raise TypeError(f"{what} must have dtype float32; got {t.dtype.name}.")
    padded_length = array.shape(sequence_input)[1]
    tiled = array.tile(array.expand_dims(context_input, 1),
                       array.concat([[1], array.reshape(padded_length, [1]), [1]], 0))
    # as TF's shape inference reads the constant parts of the multiples
    tiled.set_shape([context_input.shape[0], sequence_input.shape[1], context_input.shape[1]])
    return array.concat([sequence_input, tiled], 2)


def _select_last_activations(activations, sequence_lengths):
    """activations[i, sequence_lengths[i] - 1, :] for each row i: [batch, k]."""
    with name_scope("select_last_activations", values=[activations, sequence_lengths]):
        shape = array.shape(activations)
        batch_size, padded_length, units = shape[0], shape[1], shape[2]
        starts = array.cast(array.range_(batch_size) * padded_length, dtypes.int64)
        last = starts + array.cast(sequence_lengths, dtypes.int64) - 1
        flat = array.reshape(activations, array.stack([batch_size * padded_length, units]))
        selected = array.gather(flat, last)
        selected.set_shape([activations.shape[0], activations.shape[2]])
        return selected


def rnn_logit_fn_builder(output_units, rnn_cell_fn, sequence_feature_columns,
                         context_feature_columns, return_sequences=False):
    """logit_fn(features, mode) of the RNN model, built in the current variable scope."""
    if not isinstance(output_units, int):
        raise ValueError(f"output_units must be an int.  Given type: {type(output_units)}")

    def rnn_logit_fn(features, mode):
        with variable_scope("sequence_input_layer", values=tuple(features.values())):
            sequence_input, sequence_length = fc.sequence_input_layer(
                features=features, feature_columns=sequence_feature_columns)
            summary.histogram("sequence_length", sequence_length)
            if context_feature_columns:
                context_input = fc.input_layer(features=features,
                                               feature_columns=context_feature_columns)
                sequence_input = _concatenate_context_input(sequence_input, context_input)
        outputs, _ = rnn.dynamic_rnn(rnn_cell_fn(mode), sequence_input,
                                     sequence_length=sequence_length, dtype=dtypes.float32)
        if not return_sequences:
            outputs = _select_last_activations(outputs, sequence_length)
        with variable_scope("logits", values=(outputs,)):
            return layers.dense(outputs, units=output_units, activation=None,
                                kernel_initializer=glorot_uniform_initializer())
    return rnn_logit_fn


def _rnn_model_fn(features, labels, mode, head, rnn_cell_fn, sequence_feature_columns,
                  context_feature_columns, return_sequences, optimizer):
    if not isinstance(features, dict):
        raise ValueError(f"features should be a dictionary of `Tensor`s. Given type: "
                         f"{type(features)}")
    if not isinstance(optimizer, optimizer_lib.Optimizer):
        optimizer = clip_gradients_by_norm(
            optimizers.get_optimizer_instance(optimizer, learning_rate=_DEFAULT_LEARNING_RATE),
            _DEFAULT_CLIP_NORM)
    with variable_scope("rnn", values=tuple(features.values())):
        logit_fn = rnn_logit_fn_builder(head.logits_dimension, rnn_cell_fn,
                                        sequence_feature_columns, context_feature_columns,
                                        return_sequences)
        logits = logit_fn(features=features, mode=mode)

        def train_op_fn(loss):
            return optimizer.minimize(loss, global_step=training_util.get_global_step())
        return head.create_estimator_spec(features=features, mode=mode, labels=labels,
                                          train_op_fn=train_op_fn, logits=logits)


def _checked_rnn_cell_fn(rnn_cell_fn, num_units, cell_type):
    if rnn_cell_fn and (num_units or cell_type is not USE_DEFAULT):
        raise ValueError("num_units and cell_type must not be specified when using "
                         "rnn_cell_fn")
    if not rnn_cell_fn:
        return make_rnn_cell_fn(num_units, "basic_rnn" if cell_type is USE_DEFAULT
                                else cell_type)
    return rnn_cell_fn


class RNNEstimator(estimator_lib.Estimator):
    """An RNN over sequence feature columns under any head."""

    def __init__(self, head, sequence_feature_columns, context_feature_columns=None,
                 num_units=None, cell_type=USE_DEFAULT, rnn_cell_fn=None,
                 return_sequences=False, model_dir=None, optimizer="Adagrad",
                 input_layer_partitioner=None, config=None):
        rnn_cell_fn = _checked_rnn_cell_fn(rnn_cell_fn, num_units, cell_type)
        sequence_columns = tuple(sequence_feature_columns or ())
        context_columns = tuple(context_feature_columns or ())

        def model_fn(features, labels, mode):
            return _rnn_model_fn(features, labels, mode, head, rnn_cell_fn, sequence_columns,
                                 context_columns, return_sequences, optimizer)
        super().__init__(model_fn=model_fn, model_dir=model_dir, config=config)


class RNNClassifier(RNNEstimator):
    """An RNN classifier: the binary logistic head for n_classes == 2, else softmax, with
    SUM_OVER_BATCH_SIZE loss reduction by default."""

    def __init__(self, sequence_feature_columns, context_feature_columns=None, num_units=None,
                 cell_type=USE_DEFAULT, rnn_cell_fn=None, model_dir=None, n_classes=2,
                 weight_column=None, label_vocabulary=None, optimizer="Adagrad",
                 loss_reduction=losses.Reduction.SUM_OVER_BATCH_SIZE,
                 input_layer_partitioner=None, config=None):
        head = head_lib.binary_or_multi_class_head(n_classes, weight_column, label_vocabulary,
                                                   loss_reduction)
        super().__init__(head, sequence_feature_columns, context_feature_columns, num_units,
                         cell_type, rnn_cell_fn, False, model_dir, optimizer,
                         input_layer_partitioner, config)
