"""tf.contrib.rnn's research cells with a single state, with TF 1.15's variable names and
step equations: UGRNNCell, IntersectionRNNCell, SRUCell, IndRNNCell, IndyGRUCell,
MinimalRNNCell, CFNCell; and CompiledWrapper (a cell run in a jit scope). The LSTM-like ones
are in research_lstm_cells.

    cell = tf.contrib.rnn.SRUCell(64)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)   # rnn/sru_cell/kernel ...
"""
from tensorweave import init_ops
from tensorweave.contrib.compiler import jit
from tensorweave.contrib.rnn import cell_parts
from tensorweave.contrib.rnn.cells import CellWrapperBase
from tensorweave.core import registry
from tensorweave.keras import activations, initializers
from tensorweave.nn.rnn_cell import SizedCell, input_depth
from tensorweave.ops import array, math_ops, nn_ops
from tensorweave.variable_scope import get_variable_scope, variable_scope

__all__ = ["UGRNNCell", "IntersectionRNNCell", "SRUCell", "IndRNNCell", "IndyGRUCell",
           "MinimalRNNCell", "CFNCell", "CompiledWrapper"]


# --- single-state cells ----------------------------------------------------------------------
class UGRNNCell(SizedCell):
    """The update-gate RNN (Collins et al. 2017): g, c from [x, h] (`kernel`, `bias`);
    h' = g h + (1 - g) act(c) with g = sigmoid(. + forget_bias)."""

    _default_name = "ugrnn_cell"

    def __init__(self, num_units, initializer=None, forget_bias=1.0, activation=math_ops.tanh,
                 reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._state_size = self._output_size = num_units
        self._initializer = initializer
        self._forget_bias = forget_bias
        self._activation = activation

    def call(self, inputs, state):
        cell_parts.known_input_size(inputs)
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            matrix = cell_parts.affine([inputs, state], 2 * self._num_units, True)
            g_act, c_act = array.split(matrix, 2, axis=1)
            c = self._activation(c_act)
            g = math_ops.sigmoid(g_act + self._forget_bias)
            new_state = g * state + (1.0 - g) * c
        return new_state, new_state


class IntersectionRNNCell(SizedCell):
    """The intersection RNN (+RNN, Collins et al. 2017), for deep stacks: a state gated
    through time and an output gated through depth (input size must equal num_units, or
    `num_in_proj` projects the input with `in_projection/kernel`, `bias`)."""

    _default_name = "intersection_rnn_cell"

    def __init__(self, num_units, num_in_proj=None, initializer=None, forget_bias=1.0,
                 y_activation=nn_ops.relu, reuse=None):
        super().__init__(_reuse=reuse)
        self._num_units = num_units
        self._state_size = self._output_size = num_units
        self._initializer = initializer
        self._forget_bias = forget_bias
        self._num_input_proj = num_in_proj
        self._y_activation = y_activation

    def call(self, inputs, state):
        n = self._num_units
        size = cell_parts.known_input_size(inputs)
        with variable_scope(get_variable_scope(), initializer=self._initializer):
            if size != n:
                if not self._num_input_proj:
                    raise ValueError("Must have input size == output size for Intersection "
                                     "RNN. To fix, num_in_proj should be set to num_units at "
                                     "cell init.")
                with variable_scope("in_projection"):
                    inputs = cell_parts.affine(inputs, n, True)
            matrix = cell_parts.affine([inputs, state], 4 * n, True)
            gh_act, h_act, gy_act, y_act = (matrix[:, k * n:(k + 1) * n] for k in range(4))
            h = math_ops.tanh(h_act)
            y = self._y_activation(y_act)
            gh = math_ops.sigmoid(gh_act + self._forget_bias)
            gy = math_ops.sigmoid(gy_act + self._forget_bias)
            new_state = gh * state + (1.0 - gh) * h
            new_y = gy * inputs + (1.0 - gy) * y
        return new_y, new_state


class SRUCell(SizedCell):
    """The simple recurrent unit (Lei et al. 2017): x `kernel` gives x~, f, r and a highway
    term; c' = f c + (1 - f) x~, h = r act(c') + (1 - r) highway (`bias` on f and r)."""

    _default_name = "sru_cell"

    def __init__(self, num_units, activation=None, reuse=None, name=None, **kwargs):
        super().__init__(_reuse=reuse, name=name, **kwargs)
        self._num_units = num_units
        self._state_size = self._output_size = num_units
        self._activation = activation or math_ops.tanh

    def build(self, inputs_shape):
        depth = input_depth(inputs_shape)
        self._kernel = self.add_variable("kernel", [depth, 4 * self._num_units])
        self._bias = self.add_variable("bias", [2 * self._num_units],
                                       initializer=init_ops.zeros_initializer())

    def call(self, inputs, state):
        x_bar, f_part, r_part, highway = array.split(math_ops.matmul(inputs, self._kernel), 4,
                                                     axis=1)
        f, r = array.split(math_ops.sigmoid(nn_ops.bias_add(
            array.concat([f_part, r_part], 1), self._bias)), 2, axis=1)
        c = f * state + (1.0 - f) * x_bar
        return r * self._activation(c) + (1.0 - r) * highway, c


class IndRNNCell(SizedCell):
    """The independently recurrent cell (Li et al. 2018): h' = act(x `kernel_w` + h *
    `kernel_u` + `bias`), one recurrent weight per unit (uniform in [-1, 1])."""

    _default_name = "ind_rnn_cell"

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self._num_units = num_units
        self._state_size = self._output_size = num_units
        self._activation = activation or math_ops.tanh

    def build(self, inputs_shape):
        depth, n = input_depth(inputs_shape), self._num_units
        self._kernel_w = self.add_variable("kernel_w", [depth, n])
        self._kernel_u = self.add_variable("kernel_u", [1, n], initializer=(
            init_ops.random_uniform_initializer(-1, 1, dtype=self._dtype)))
        self._bias = self.add_variable("bias", [n], initializer=(
            init_ops.zeros_initializer(dtype=self._dtype)))

    def call(self, inputs, state):
        out = self._activation(nn_ops.bias_add(
            math_ops.matmul(inputs, self._kernel_w) + state * self._kernel_u, self._bias))
        return out, out


class IndyGRUCell(SizedCell):
    """GRUCell with diagonal recurrent weights: gates from x `gates/kernel_w` + tile(h, 2) *
    `gates/kernel_u` + `gates/bias` (ones), the candidate from x `candidate/kernel` +
    r h * `candidate/kernel_u` + `candidate/bias`."""

    _default_name = "indy_gru_cell"

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None):
        super().__init__(_reuse=reuse, name=name, dtype=dtype)
        self._num_units = num_units
        self._state_size = self._output_size = num_units
        self._activation = activation or math_ops.tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    def build(self, inputs_shape):
        depth, n = input_depth(inputs_shape), self._num_units

        def recurrent():
            return init_ops.random_uniform_initializer(-1, 1, dtype=self._dtype)

        self._gate_kernel_w = self.add_variable("gates/kernel_w", [depth, 2 * n],
                                                initializer=self._kernel_initializer)
        self._gate_kernel_u = self.add_variable("gates/kernel_u", [1, 2 * n],
                                                initializer=recurrent())
        self._gate_bias = self.add_variable("gates/bias", [2 * n], initializer=(
            self._bias_initializer or init_ops.constant_initializer(1.0, dtype=self._dtype)))
        self._candidate_kernel_w = self.add_variable("candidate/kernel", [depth, n],
                                                     initializer=self._kernel_initializer)
        self._candidate_kernel_u = self.add_variable("candidate/kernel_u", [1, n],
                                                     initializer=recurrent())
        self._candidate_bias = self.add_variable("candidate/bias", [n], initializer=(
            self._bias_initializer or init_ops.zeros_initializer(dtype=self._dtype)))

    def call(self, inputs, state):
        gates = math_ops.matmul(inputs, self._gate_kernel_w) + \
            array.tile(state, [1, 2]) * self._gate_kernel_u
        r, u = array.split(math_ops.sigmoid(nn_ops.bias_add(gates, self._gate_bias)), 2,
                           axis=1)
        candidate = math_ops.matmul(inputs, self._candidate_kernel_w) + \
            r * state * self._candidate_kernel_u
        c = self._activation(nn_ops.bias_add(candidate, self._candidate_bias))
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class _KerasStyleCell(SizedCell):
    """A single-state cell of `units` whose activation and initializers take Keras names (TF
    1.15's MinimalRNNCell and CFNCell)."""

    def __init__(self, units, activation="tanh", kernel_initializer="glorot_uniform",
                 bias_initializer="ones", name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.units = units
        self._state_size = self._output_size = units
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)


class MinimalRNNCell(_KerasStyleCell):
    """The minimal RNN (Chen et al. 2018): z = act(x W_x); h' = u h + (1 - u) z with
    u = sigmoid([z, h] [W; V] + `bias`); `kernel` stacks W_x, W and V ([input + 2 units,
    units]). Activation and initializers take Keras names."""

    _default_name = "minimal_rnn_cell"

    def build(self, inputs_shape):
        depth = input_depth(inputs_shape)
        self.kernel = self.add_variable("kernel", [depth + 2 * self.units, self.units],
                                        initializer=self.kernel_initializer)
        self.bias = self.add_variable("bias", [self.units], initializer=self.bias_initializer)

    def call(self, inputs, state):
        depth = cell_parts.known_input_size(inputs)
        feedforward_weight, gate_weight = array.split(self.kernel, [depth, 2 * self.units],
                                                      axis=0)
        feedforward = self.activation(math_ops.matmul(inputs, feedforward_weight))
        u = math_ops.sigmoid(nn_ops.bias_add(math_ops.matmul(
            array.concat([feedforward, state], 1), gate_weight), self.bias))
        new_h = u * state + (1 - u) * feedforward
        return new_h, new_h


class CFNCell(_KerasStyleCell):
    """The chaos-free network (Laurent & von Brecht 2017): gates theta, eta = sigmoid(h U +
    x V + b); h' = theta act(h) + (1 - eta) act(x W), with `kernel` = [V, W],
    `recurrent_kernel` = U and `bias`. Activation and initializers take Keras names."""

    _default_name = "cfn_cell"

    def build(self, inputs_shape):
        depth = input_depth(inputs_shape)
        self.kernel = self.add_variable("kernel", [depth, 3 * self.units],
                                        initializer=self.kernel_initializer)
        self.recurrent_kernel = self.add_variable("recurrent_kernel",
                                                  [self.units, 2 * self.units],
                                                  initializer=self.kernel_initializer)
        self.bias = self.add_variable("bias", [2 * self.units],
                                      initializer=self.bias_initializer)

    def call(self, inputs, state):
        cell_parts.known_input_size(inputs)
        v, w = array.split(self.kernel, [2 * self.units, self.units], axis=1)
        gates = math_ops.sigmoid(nn_ops.bias_add(
            math_ops.matmul(state, self.recurrent_kernel) + math_ops.matmul(inputs, v),
            self.bias))
        theta, eta = array.split(gates, 2, axis=1)
        new_h = theta * self.activation(state) + \
            (1 - eta) * self.activation(math_ops.matmul(inputs, w))
        return new_h, new_h


# --- wrappers --------------------------------------------------------------------------------
class CompiledWrapper(CellWrapperBase):
    """Runs `cell`'s step in tf.contrib.compiler.jit's scope: its ops get TF's XLA marks
    (stateless ops only unless `compile_stateful`); tensorweave runs them as usual."""

    def __init__(self, cell, compile_stateful=False):
        super().__init__()
        self._cell = cell
        self._compile_stateful = compile_stateful

    def _all_variables(self):
        return self._cell.variables

    def __call__(self, inputs, state, scope=None):
        if self._compile_stateful:
            compile_ops = True
        else:
            def compile_ops(node_def):
                return not registry.lookup(node_def.op).stateful
        with jit.experimental_jit_scope(compile_ops=compile_ops):
            return self._cell(inputs, state, scope=scope)
