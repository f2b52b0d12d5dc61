"""RNN cells (TF's tf.nn.rnn_cell / tf.contrib.rnn): one time step of a recurrent network.

A cell maps (inputs [batch, depth], state) to (output, new_state). Its variables are made on
the first call, in a variable scope named after the cell ("basic_lstm_cell", ...) inside the
caller's scope, so `tf.nn.dynamic_rnn` creates TF's names, e.g. `rnn/basic_lstm_cell/kernel`
and `rnn/basic_lstm_cell/bias`; later calls reuse them.

    cell = tf.nn.rnn_cell.BasicLSTMCell(128)
    outputs, state = tf.nn.dynamic_rnn(cell, inputs, dtype=tf.float32)
"""
import collections
import numbers

from tensorweave import init_ops
from tensorweave.core import dtypes
from tensorweave.core.constants import constant_value, convert_to_tensor
from tensorweave.core.graph import get_default_graph, name_scope
from tensorweave.core.operation import Tensor
from tensorweave.core.tensor_shape import TensorShape, as_shape
from tensorweave.ops import array, lstm_ops, math_ops, nn_ops, random_ops
from tensorweave.util import nest
from tensorweave.variable_scope import get_variable, variable_scope

_ACTIVATIONS = {"tanh": math_ops.tanh, "sigmoid": math_ops.sigmoid, "relu": nn_ops.relu,
                "elu": nn_ops.elu, "softsign": nn_ops.softsign, "softplus": nn_ops.softplus,
                "linear": lambda x: x}


def _activation(activation):
    if activation is None:
        return math_ops.tanh
    if isinstance(activation, str):
        try:
            return _ACTIVATIONS[activation]
        except KeyError:
            raise ValueError(f"Unknown activation function: {activation}") from None
    return activation


def size_as_shape(size):
    """A state or output size (int, TensorShape, list of dims, or a Tensor holding them) as a
    TensorShape; a Tensor's is its constant value where known, else of unknown rank (as TF)."""
    if isinstance(size, Tensor):
        value = constant_value(size)
        if value is None:
            return TensorShape(None)
        return TensorShape([int(d) for d in value.reshape([-1])])
    return TensorShape([size]) if isinstance(size, numbers.Integral) else as_shape(size)


def _zero_state(state_size, batch_size, dtype):
    """Zeros shaped [batch_size] + s for each s in the (nested) `state_size` (TF's
    _zero_state_tensors; public as zero_state_tensors)."""
    static_batch = batch_size if not isinstance(batch_size, Tensor) else \
        constant_value(batch_size)

    def zeros(size):
        dims = size_as_shape(size).as_list()
        z = array.zeros([batch_size] + dims, dtype=dtype)
        z.set_shape([None if static_batch is None else int(static_batch)] + dims)
        return z
    if isinstance(state_size, TensorShape):
        return zeros(state_size)
    return nest.map_structure(zeros, state_size)


zero_state_tensors = _zero_state


def assert_like_rnncell(name, cell):
    """Raises TypeError unless `cell` has output_size, state_size, zero_state or
    get_initial_state, and is callable: what TF's RNN drivers accept, Keras cells included."""
    problems = [f"'{a}' property is missing" for a in ("output_size", "state_size")
                if not hasattr(cell, a)]
    if not hasattr(cell, "zero_state") and not hasattr(cell, "get_initial_state"):
        problems.append("either 'zero_state' or 'get_initial_state' method is required")
    if not callable(cell):
        problems.append("is not callable")
    if problems:
        raise TypeError(f"The argument {name!r} ({cell}) is not an RNNCell: "
                        f"{', '.join(problems)}.")


def _zero_state_scope(cell, batch_size):
    """The name scope `<CellClass>ZeroState` that a cell's zero_state builds in."""
    return name_scope(type(cell).__name__ + "ZeroState",
                      values=[batch_size] if isinstance(batch_size, Tensor) else None)


def _gates(inputs, h, kernel, bias):
    """W [inputs, h] + b: the affine map every cell applies to its input and state."""
    return nn_ops.bias_add(math_ops.matmul(array.concat([inputs, h], 1), kernel), bias)


def _check_kernel_rows(inputs, h, kernel):
    """Raises MatMul's ValueError where [inputs, h] does not fit the kernel's rows, as TF's
    cells do (their W [x, h] is a MatMul) before a fused LSTM op would run: a cell built for
    one input depth called on another, e.g. one cell object in every layer of a MultiRNNCell.
    `inputs` is [batch, depth] or time-major [time, batch, depth]."""
    depth, units = inputs.shape[-1].value, h.shape[-1].value
    rows, cols = kernel.shape.as_list() if kernel.shape.ndims == 2 else (None, None)
    if None in (depth, units, rows) or depth + units == rows:
        return
    batch = h.shape[0].value if h.shape.ndims == 2 else None
    name = get_default_graph().unique_name("MatMul", mark_as_used=False)

    def dim(d):
        return "?" if d is None else d
    raise ValueError(f"Dimensions must be equal, but are {depth + units} and {rows} for "
                     f"'{name}' (op: 'MatMul') with input shapes: [{dim(batch)},"
                     f"{depth + units}], [{rows},{dim(cols)}].")


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """The state of an LSTM cell: memory `c` and output `h`, in that order."""

    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype is not h.dtype:
            raise TypeError(f"Inconsistent internal state: {c.dtype.name} vs {h.dtype.name}")
        return c.dtype


class RNNCell:
    """An RNN cell: subclasses give `state_size`, `output_size`, `build(inputs_shape)` (make
    variables with `add_variable`) and `call(inputs, state) -> (output, new_state)`."""

    _default_name = "rnn_cell"

    def __init__(self, trainable=True, name=None, dtype=None, _reuse=None, **kwargs):
        self.trainable = trainable
        self._name = name
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype)
        self._reuse = _reuse
        self._scope = None
        self._variables = []
        self.built = False

    # --- what a subclass describes ----------------------------------------------------------
    @property
    def state_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        raise NotImplementedError("Abstract method")

    def build(self, inputs_shape):
        """Creates the cell's variables (called once, on the first call)."""

    def call(self, inputs, state):
        raise NotImplementedError("Abstract method")

    def block_lstm_config(self):
        """How this cell runs over a whole sequence as one BlockLSTM op per LSTM layer (a
        BlockLSTMConfig or MultiBlockLSTMConfig; tf.nn.dynamic_rnn then does so), or None where
        it cannot: by default, and for any cell whose step is its own `call`."""
        return None

    # --- calling ----------------------------------------------------------------------------
    @property
    def name(self):
        return self._scope.name if self._scope is not None else \
            (self._name or self._default_name)

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, inputs, state, scope=None):
        """Runs one step: (output, new_state). The first call makes the variables."""
        return self._in_scope(self.call, inputs, state, scope=scope)

    def _in_scope(self, method, inputs, *args, scope=None):
        """method(inputs, *args) in the cell's scope, its variables made on the first call."""
        if self._scope is None or scope is not None:
            with self._open_scope(scope) as captured:
                self._scope = captured
                inputs = self._convert(inputs)
                if not self.built:
                    self._build_once(inputs)
                return method(inputs, *args)
        with variable_scope(self._scope, reuse=True, auxiliary_name_scope=False), \
                name_scope(self._scope.original_name_scope):
            return method(self._convert(inputs), *args)

    def _open_scope(self, scope):
        if scope is not None:
            return variable_scope(scope, reuse=self._reuse)
        base = self._name or self._default_name
        if self._reuse:
            return variable_scope(base, reuse=True)
        return variable_scope(None, default_name=base)

    def _convert(self, inputs):
        return nest.map_structure(convert_to_tensor, inputs)

    def _build_once(self, inputs):
        first = nest.flatten(inputs)[0]
        if self._dtype is None:
            self._dtype = first.dtype
        self.build(first.shape)
        self.built = True

    def add_variable(self, name, shape, dtype=None, initializer=None, trainable=True):
        """A variable of this cell, `<cell scope>/<name>` (TF's Layer.add_variable)."""
        variable = get_variable(name, shape=shape, dtype=dtype or self._dtype,
                                initializer=initializer, trainable=trainable and self.trainable)
        self._variables.append(variable)
        return variable

    add_weight = add_variable

    def zero_state(self, batch_size, dtype):
        """Zero-filled state(s) of shape [batch_size, s] for each s in `state_size`."""
        with _zero_state_scope(self, batch_size):
            return _zero_state(self.state_size, batch_size, dtype)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        if inputs is not None:
            inputs = convert_to_tensor(inputs)
            batch_size = inputs.shape[0].value or array.shape(inputs)[0]
            dtype = inputs.dtype
        if batch_size is None or dtype is None:
            raise ValueError(f"batch_size and dtype cannot be None while constructing initial "
                             f"state: batch_size={batch_size}, dtype={dtype}")
        return self.zero_state(batch_size, dtype)

    # --- variables --------------------------------------------------------------------------
    def _all_variables(self):
        """The cell's variables; cells made of other cells list theirs."""
        return list(self._variables)

    @property
    def variables(self):
        return self._all_variables()

    weights = variables

    @property
    def trainable_variables(self):
        return [v for v in self._all_variables() if v.trainable]

    trainable_weights = trainable_variables

    @property
    def non_trainable_variables(self):
        return [v for v in self._all_variables() if not v.trainable]

    non_trainable_weights = non_trainable_variables


LayerRNNCell = RNNCell


def _input_depth(inputs_shape):
    depth = inputs_shape[-1].value if inputs_shape.ndims else None
    if depth is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {inputs_shape}")
    return depth


input_depth = _input_depth  # public: contrib's cells build with it


class SizedCell(RNNCell):
    """A cell whose state and output sizes are set when it is made (`_state_size`,
    `_output_size`); contrib's research and convolutional cells share it."""

    @property
    def state_size(self):
        return self._state_size

    @property
    def output_size(self):
        return self._output_size


class _UnitsCell(RNNCell):
    """A cell of `num_units` units and an activation; its state and output are `num_units`
    wide unless a subclass says otherwise."""

    def __init__(self, num_units, activation, reuse, name, dtype, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = num_units
        self._activation = _activation(activation)

    @property
    def state_size(self):
        return self._num_units

    @property
    def output_size(self):
        return self._num_units

    def _add_affine(self, prefix, rows, cols, kernel_init=None, bias_init=None):
        """`<prefix>kernel` [rows, cols] and `<prefix>bias` [cols] (zeros unless given)."""
        kernel = self.add_variable(prefix + "kernel", [rows, cols], initializer=kernel_init)
        bias = self.add_variable(prefix + "bias", [cols], initializer=bias_init or
                                 init_ops.zeros_initializer(dtype=self._dtype))
        return kernel, bias


class BasicRNNCell(_UnitsCell):
    """output = new_state = activation(W [inputs, state] + b)."""

    _default_name = "basic_rnn_cell"

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(num_units, activation, reuse, name, dtype, **kwargs)

    def build(self, inputs_shape):
        n = self._num_units
        self._kernel, self._bias = self._add_affine("", _input_depth(inputs_shape) + n, n)

    def call(self, inputs, state):
        output = self._activation(_gates(inputs, state, self._kernel, self._bias))
        return output, output


class GRUCell(_UnitsCell):
    """The gated recurrent unit: gates r, u = sigmoid(W [x, h] + b);
    c = activation(W_c [x, r * h] + b_c); h' = u * h + (1 - u) * c."""

    _default_name = "gru_cell"

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None, **kwargs):
        super().__init__(num_units, activation, reuse, name, dtype, **kwargs)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    def build(self, inputs_shape):
        depth, n = _input_depth(inputs_shape), self._num_units
        kernel_init, bias_init = self._kernel_initializer, self._bias_initializer
        self._gate_kernel, self._gate_bias = self._add_affine(
            "gates/", depth + n, 2 * n, kernel_init,
            bias_init or init_ops.constant_initializer(1.0, dtype=self._dtype))
        self._candidate_kernel, self._candidate_bias = self._add_affine(
            "candidate/", depth + n, n, kernel_init, bias_init)

    def call(self, inputs, state):
        gates = math_ops.sigmoid(_gates(inputs, state, self._gate_kernel, self._gate_bias))
        r, u = array.split(gates, 2, axis=1)
        c = self._activation(_gates(inputs, r * state, self._candidate_kernel,
                                    self._candidate_bias))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class _LSTMBase(_UnitsCell):
    """What both LSTM cells share: forget bias, and a state that is LSTMStateTuple(c, h) or,
    with state_is_tuple=False, c and h concatenated."""

    def __init__(self, num_units, forget_bias, state_is_tuple, activation, reuse, name, dtype,
                 **kwargs):
        super().__init__(num_units, activation, reuse, name, dtype, **kwargs)
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple

    def _split_state(self, state, num_or_size_splits):
        return state if self._state_is_tuple else \
            array.split(state, num_or_size_splits, axis=1)

    def _join_state(self, c, h):
        return LSTMStateTuple(c, h) if self._state_is_tuple else array.concat([c, h], 1)

    def _fused(self):
        """True where the step is one LSTMBlockCell op (tanh activation, a numeric forget
        bias); the same numbers as the composite of ops, computed in fewer passes."""
        return self._activation is math_ops.tanh and \
            isinstance(self._forget_bias, numbers.Real)

    _cell_clip = None
    _use_peepholes = False

    def _peepholes(self):
        return (None, None, None)

    def block_lstm_config(self):
        """A BlockLSTMConfig where the cell's step is one LSTMBlockCell op (see _fused) and its
        class keeps the LSTM's own `call`; None otherwise."""
        if type(self).call not in (BasicLSTMCell.call, LSTMCell.call) or not self._fused():
            return None
        return BlockLSTMConfig(self)


# --- LSTM cells over a whole sequence as BlockLSTM ops -------------------------------------
def block_lstm_config_of(cell):
    """`cell.block_lstm_config()`, or None for a cell without that method."""
    config = getattr(cell, "block_lstm_config", None)
    return None if config is None else config()


class BlockLSTMLayer(collections.namedtuple("BlockLSTMLayer", ("config", "c", "h", "hs", "cs"))):
    """One LSTM layer run as a BlockLSTM op: its initial state (c, h) and its outputs hs and
    cell states cs over time, [time, batch, units], zero past the steps it ran."""

    __slots__ = ()


class BlockLSTMConfig:
    """How one LSTM cell runs over a whole time-major sequence as one BlockLSTM op: its gate
    settings (`num_units`, `forget_bias`, `cell_clip` (None: no clipping), `use_peephole`), its
    state layout (`state_is_tuple`) and its variables, made in the cell's scope on first run.

        config = cell.block_lstm_config()   # None where the cell cannot run so
        layers = config.run(inputs, state, steps)
    """

    def __init__(self, cell):
        self.cell = cell
        self.num_units = cell._num_units
        self.forget_bias = cell._forget_bias
        self.cell_clip = cell._cell_clip
        self.use_peephole = cell._use_peepholes
        self.state_is_tuple = cell._state_is_tuple

    @property
    def layers(self):
        """The configs of the LSTM layers, bottom up: this one."""
        return (self,)

    def split_state(self, state):
        """(c, h) of a state of this cell."""
        return tuple(self.cell._split_state(state, [self.num_units] * 2))

    def join_state(self, c, h):
        """The cell's state holding c and h."""
        return self.cell._join_state(c, h)

    def run(self, inputs, state, steps, scope=None):
        """[BlockLSTMLayer]: the cell from `state` over the first `steps` (an int64 scalar) of
        time-major `inputs` [time, batch, depth], in the cell's scope."""
        return self.cell._in_scope(self._run, inputs, state, steps, scope=scope)

    def _run(self, inputs, state, steps):
        c, h = self.split_state(state)
        _check_kernel_rows(inputs, h, self.cell._kernel)
        _, cs, _, _, _, _, hs = lstm_ops.block_lstm(
            steps, inputs, c, h, self.cell._kernel, *self.cell._peepholes(), b=self.cell._bias,
            forget_bias=self.forget_bias,
            cell_clip=-1.0 if self.cell_clip is None else self.cell_clip,
            use_peephole=self.use_peephole)
        return [BlockLSTMLayer(self, c, h, hs, cs)]


class MultiBlockLSTMConfig:
    """How a MultiRNNCell of LSTM cells runs as one BlockLSTM op per layer, each layer fed the
    outputs of the one below: `parts` are its cells' configs, `layers` every LSTM layer's."""

    def __init__(self, cell, parts):
        self.cell = cell
        self.parts = tuple(parts)

    @property
    def layers(self):
        return tuple(layer for part in self.parts for layer in part.layers)

    def run(self, inputs, state, steps, scope=None):
        """[BlockLSTMLayer], bottom up, each cell in the scope `cell_<k>` its call gives it."""
        return self.cell._in_scope(self._run, inputs, state, steps, scope=scope)

    def _run(self, inputs, state, steps):
        layers, outputs = [], inputs
        for k, (part, part_state) in enumerate(zip(self.parts, state)):
            with variable_scope(f"cell_{k}"):
                layers += part.run(outputs, part_state, steps)
            outputs = layers[-1].hs
        return layers


class BasicLSTMCell(_LSTMBase):
    """The basic LSTM: i, j, f, o = split(W [x, h] + b);
    c' = c * sigmoid(f + forget_bias) + sigmoid(i) * activation(j);
    h' = activation(c') * sigmoid(o). The state is LSTMStateTuple(c, h)."""

    _default_name = "basic_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(num_units, forget_bias, state_is_tuple, activation, reuse, name, dtype,
                         **kwargs)

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    def build(self, inputs_shape):
        n = self._num_units
        self._kernel, self._bias = self._add_affine("", _input_depth(inputs_shape) + n, 4 * n)

    def call(self, inputs, state):
        c, h = self._split_state(state, 2)
        if self._fused():
            _check_kernel_rows(inputs, h, self._kernel)
            _, new_c, _, _, _, _, new_h = lstm_ops.lstm_block_cell(
                inputs, c, h, self._kernel, b=self._bias, forget_bias=self._forget_bias)
            return new_h, self._join_state(new_c, new_h)
        i, j, f, o = array.split(_gates(inputs, h, self._kernel, self._bias), 4, axis=1)
        forget_bias = convert_to_tensor(self._forget_bias, dtype=f.dtype)
        new_c = math_ops.add(math_ops.multiply(c, math_ops.sigmoid(math_ops.add(f, forget_bias))),
                             math_ops.multiply(math_ops.sigmoid(i), self._activation(j)))
        new_h = math_ops.multiply(self._activation(new_c), math_ops.sigmoid(o))
        return new_h, self._join_state(new_c, new_h)


class LSTMCell(SizedCell, _LSTMBase):
    """The LSTM with optional peepholes (w_f_diag, w_i_diag, w_o_diag), cell clipping and a
    projection of the output to `num_proj` units (`projection/kernel`)."""

    _default_name = "lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None,
                 forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(num_units, forget_bias, state_is_tuple, activation, reuse, name, dtype,
                         **kwargs)
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = num_proj
        self._proj_clip = proj_clip
        out = num_proj or num_units
        self._state_size = LSTMStateTuple(num_units, out) if state_is_tuple else num_units + out
        self._output_size = out

    def build(self, inputs_shape):
        depth, n = _input_depth(inputs_shape), self._num_units
        init = self._initializer
        self._kernel, self._bias = self._add_affine("", depth + (self._num_proj or n), 4 * n,
                                                    init)
        if self._use_peepholes:
            self._w_f_diag = self.add_variable("w_f_diag", [n], initializer=init)
            self._w_i_diag = self.add_variable("w_i_diag", [n], initializer=init)
            self._w_o_diag = self.add_variable("w_o_diag", [n], initializer=init)
        if self._num_proj is not None:
            self._proj_kernel = self.add_variable("projection/kernel", [n, self._num_proj],
                                                  initializer=init)

    def _fused(self):
        return super()._fused() and self._cell_clip is None and self._num_proj is None

    def _peepholes(self):
        return (self._w_i_diag, self._w_f_diag, self._w_o_diag) if self._use_peepholes else \
            super()._peepholes()

    def call(self, inputs, state):
        c_prev, m_prev = self._split_state(state, [self._num_units, self._output_size])
        if self._fused():
            _check_kernel_rows(inputs, m_prev, self._kernel)
            _, c, _, _, _, _, m = lstm_ops.lstm_block_cell(
                inputs, c_prev, m_prev, self._kernel, *self._peepholes(), b=self._bias,
                forget_bias=self._forget_bias, use_peephole=self._use_peepholes)
            return m, self._join_state(c, m)
        sigmoid = math_ops.sigmoid
        i, j, f, o = array.split(_gates(inputs, m_prev, self._kernel, self._bias), 4, axis=1)
        if self._use_peepholes:
            c = (sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev +
                 sigmoid(i + self._w_i_diag * c_prev) * self._activation(j))
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = math_ops.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = math_ops.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = math_ops.clip_by_value(m, -self._proj_clip, self._proj_clip)
        return m, self._join_state(c, m)


class MultiRNNCell(RNNCell):
    """Cells applied in sequence, each in variable scope `cell_<k>`; the state is the tuple
    of the cells' states."""

    _default_name = "multi_rnn_cell"

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not isinstance(cells, (list, tuple)):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        self._cells = list(cells)
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(nest.is_sequence(c.state_size) for c in self._cells):
            raise ValueError(f"Some cells return tuples of states, but the flag state_is_tuple "
                             f"is not set. State sizes are: {[c.state_size for c in cells]}")

    @property
    def state_size(self):
        if self._state_is_tuple:
            return tuple(c.state_size for c in self._cells)
        return sum(c.state_size for c in self._cells)

    @property
    def output_size(self):
        return self._cells[-1].output_size

    def zero_state(self, batch_size, dtype):
        if not self._state_is_tuple:
            return super().zero_state(batch_size, dtype)
        with _zero_state_scope(self, batch_size):
            return tuple(c.zero_state(batch_size, dtype) for c in self._cells)

    def call(self, inputs, state):
        out, new_states, offset = inputs, [], 0
        for k, cell in enumerate(self._cells):
            with variable_scope(f"cell_{k}"):
                if self._state_is_tuple:
                    cell_state = state[k]
                else:
                    size = cell.state_size
                    cell_state = state[:, offset:offset + size]
                    offset += size
                out, new_state = cell(out, cell_state)
                new_states.append(new_state)
        if self._state_is_tuple:
            return out, tuple(new_states)
        return out, array.concat(new_states, 1)

    def _all_variables(self):
        return [v for c in self._cells for v in c.variables]

    def block_lstm_config(self):
        """A MultiBlockLSTMConfig where every cell has a config and the states are a tuple (and
        the class keeps MultiRNNCell's `call`); None otherwise."""
        if type(self).call is not MultiRNNCell.call or not self._state_is_tuple:
            return None
        parts = [block_lstm_config_of(cell) for cell in self._cells]
        return None if None in parts else MultiBlockLSTMConfig(self, parts)


class _Wrapper(RNNCell):
    """A cell around another; calls go straight to the wrapped cell (no scope of its own)."""

    def __init__(self, cell):
        super().__init__()
        if not all(hasattr(cell, a) for a in ("output_size", "state_size", "zero_state")) or \
                not callable(cell):
            raise TypeError(f"The argument 'cell' ({cell}) is not an RNNCell.")
        self._cell = cell

    @property
    def wrapped_cell(self):
        return self._cell

    @property
    def state_size(self):
        return self._cell.state_size

    @property
    def output_size(self):
        return self._cell.output_size

    def zero_state(self, batch_size, dtype):
        with _zero_state_scope(self, batch_size):
            return self._cell.zero_state(batch_size, dtype)

    def _all_variables(self):
        return self._cell.variables


def _keep_prob(value, what):
    t = convert_to_tensor(value)
    known = constant_value(t)
    if known is None:
        return t
    if not 0 <= float(known) <= 1:
        raise ValueError(f"Parameter {what} must be between 0 and 1: {float(known)}")
    return float(known)


class DropoutWrapper(_Wrapper):
    """Dropout on the inputs, outputs and (except LSTM memory `c`) state of a cell, with a new
    mask at each step."""

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None):
        super().__init__(cell)
        self._input_keep_prob = _keep_prob(input_keep_prob, "input_keep_prob")
        self._output_keep_prob = _keep_prob(output_keep_prob, "output_keep_prob")
        self._state_keep_prob = _keep_prob(state_keep_prob, "state_keep_prob")
        self._seed = seed
        self._state_filter = dropout_state_filter_visitor
        self._variational_recurrent = variational_recurrent
        self._noise = {}
        if variational_recurrent:
            if dtype is None:
                raise ValueError("When variational_recurrent=True, dtype must be provided")
            if self._active(self._input_keep_prob):
                if input_size is None:
                    raise ValueError("When variational_recurrent=True and input_keep_prob < 1.0 "
                                     "or is unknown, input_size must be provided")
                self._noise["input"] = self._batch_noise("input", input_size, dtype)
            self._noise["state"] = self._batch_noise("state", cell.state_size, dtype)
            self._noise["output"] = self._batch_noise("output", cell.output_size, dtype)

    def _batch_noise(self, salt, sizes, dtype):
        """Uniform [1] + size noise for each size in `sizes`: one mask for every step and
        every batch row (variational recurrent dropout)."""
        flat = [size_as_shape(s).as_list() for s in nest.flatten(sizes)]
        return [random_ops.random_uniform([1] + dims, seed=self._seed_for(salt, k),
                                          dtype=dtype) for k, dims in enumerate(flat)]

    def _seed_for(self, salt, index):
        """A per-(salt, index) op seed derived from the wrapper's seed, or None."""
        if self._seed is None:
            return None
        import hashlib  # only seeded wrappers need it; it is slow to import
        digest = hashlib.md5(f"{self._seed}{salt}_{index}".encode()).hexdigest()
        return int(digest[:8], 16) & 0x7FFFFFFF

    def _dropout(self, values, salt, keep_prob, keep=None):
        flat = nest.flatten(values)
        keep = [True] * len(flat) if keep is None else keep
        if self._variational_recurrent:
            out = [self._variational(v, noise, keep_prob) if drop else v
                   for v, noise, drop in zip(flat, self._noise[salt], keep)]
        else:
            out = [nn_ops.dropout(v, keep_prob=keep_prob, seed=self._seed_for(salt, k)) if drop
                   else v for k, (v, drop) in enumerate(zip(flat, keep))]
        return nest.pack_sequence_as(values, out)

    @staticmethod
    def _variational(value, noise, keep_prob):
        """value / keep_prob where floor(keep_prob + noise) is 1, else 0."""
        out = math_ops.div(value, keep_prob) * math_ops.floor(keep_prob + noise)
        out.set_shape(value.shape)
        return out

    def _state_mask(self, state):
        """Which state tensors get dropout: all but the `c` of LSTMStateTuples by default."""
        if self._state_filter is not None:
            return [bool(self._state_filter(s)) for s in nest.flatten(state)]
        mask = []

        def visit(s):
            if isinstance(s, LSTMStateTuple):
                mask.extend([False] * len(nest.flatten(s.c)) + [True] * len(nest.flatten(s.h)))
            elif nest.is_sequence(s):
                for child in (s.values() if isinstance(s, dict) else s):
                    visit(child)
            else:
                mask.append(True)
        visit(state)
        return mask

    @staticmethod
    def _active(keep_prob):
        return not isinstance(keep_prob, float) or keep_prob < 1

    def __call__(self, inputs, state, scope=None):
        if self._active(self._input_keep_prob):
            inputs = self._dropout(inputs, "input", self._input_keep_prob)
        output, new_state = self._cell(inputs, state, scope=scope)
        if self._active(self._state_keep_prob):
            new_state = self._dropout(new_state, "state", self._state_keep_prob,
                                      self._state_mask(new_state))
        if self._active(self._output_keep_prob):
            output = self._dropout(output, "output", self._output_keep_prob)
        return output, new_state


class ResidualWrapper(_Wrapper):
    """Adds the cell's inputs to its outputs (or applies `residual_fn(inputs, outputs)`)."""

    def __init__(self, cell, residual_fn=None):
        super().__init__(cell)
        self._residual_fn = residual_fn

    def __call__(self, inputs, state, scope=None):
        outputs, new_state = self._cell(inputs, state, scope=scope)
        if self._residual_fn is not None:
            return self._residual_fn(inputs, outputs), new_state
        return nest.map_structure(lambda i, o: i + o, inputs, outputs), new_state


class DeviceWrapper(_Wrapper):
    """Builds the wrapped cell's ops on `device`."""

    def __init__(self, cell, device):
        super().__init__(cell)
        self._device = device

    def zero_state(self, batch_size, dtype):
        with get_default_graph().device(self._device):
            return super().zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        with get_default_graph().device(self._device):
            return self._cell(inputs, state, scope=scope)
