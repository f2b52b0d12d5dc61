"""tf.contrib.rnn.NTMCell: a Neural Turing Machine (Graves et al. 2014) around an RNN
controller, as TF 1.15 implements it (after Collier & Beel 2018): content and location
addressing by read and write heads over a memory of `memory_size` vectors.

    cell = tf.contrib.rnn.NTMCell(tf.contrib.rnn.LSTMCell(100), memory_size=128,
                                  memory_vector_dim=20, read_head_num=1, write_head_num=1)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
"""
import collections
import math

from tensorweave import init_ops
from tensorweave.core import dtypes
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import initializers
from tensorweave.nn.rnn_cell import RNNCell, assert_like_rnncell
from tensorweave.ops import array, control, math_ops, nn_ops
from tensorweave.ops.array import rearrange

__all__ = ["NTMCell", "NTMControllerState"]

NTMControllerState = collections.namedtuple(
    "NTMControllerState", ("controller_state", "read_vector_list", "w_list", "M", "time"))


def _linear_initializer(input_size):
    return init_ops.truncated_normal_initializer(stddev=1.0 / math.sqrt(input_size))


class NTMCell(RNNCell):
    """An NTM step: the controller reads [x, previous read vectors]; its output gives each
    head's key, key strength, interpolation gate, shift weights and sharpening
    (`parameters_kernel`, `parameters_bias`, clipped to +-clip_value) and each write head's
    erase and add vectors; the output is [controller output, read vectors] `output_kernel` +
    `output_bias`, clipped. On the first step (state time 0) the read vectors, head weights and
    memory start from the variables `initial_read_vector_<i>`, `initial_address_weights_<i>`
    and `memory`."""

    _default_name = "ntm_cell"

    def __init__(self, controller, memory_size, memory_vector_dim, read_head_num,
                 write_head_num, shift_range=1, output_dim=None, clip_value=20,
                 dtype=dtypes.float32, name=None):
        super().__init__(dtype=dtype, name=name)
        assert_like_rnncell("NTM RNN controller cell", controller)
        self.controller = controller
        self.memory_size = memory_size
        self.memory_vector_dim = memory_vector_dim
        self.read_head_num = read_head_num
        self.write_head_num = write_head_num
        self.clip_value = clip_value
        self.output_dim = output_dim
        self.shift_range = shift_range
        self.num_parameters_per_head = memory_vector_dim + 2 * shift_range + 4
        self.num_heads = read_head_num + write_head_num
        self.total_parameter_num = (self.num_parameters_per_head * self.num_heads +
                                    memory_vector_dim * 2 * write_head_num)

    @property
    def state_size(self):
        return NTMControllerState(
            controller_state=self.controller.state_size,
            read_vector_list=[self.memory_vector_dim] * self.read_head_num,
            w_list=[self.memory_size] * self.num_heads,
            M=TensorShape([self.memory_size * self.memory_vector_dim]),
            time=TensorShape([]))

    @property
    def output_size(self):
        return self.output_dim

    def build(self, inputs_shape):
        if self.output_dim is None:
            if inputs_shape[1].value is None:
                raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: "
                                 f"{inputs_shape}")
            self.output_dim = inputs_shape[1].value
        controller_size = self.controller.output_size
        read_size = controller_size + self.memory_vector_dim * self.read_head_num
        self._params_kernel = self.add_variable(
            "parameters_kernel", [controller_size, self.total_parameter_num],
            initializer=_linear_initializer(controller_size))
        self._params_bias = self.add_variable(
            "parameters_bias", [self.total_parameter_num],
            initializer=init_ops.constant_initializer(0.0, dtype=self._dtype))
        self._output_kernel = self.add_variable("output_kernel", [read_size, self.output_dim],
                                                initializer=_linear_initializer(read_size))
        self._output_bias = self.add_variable(
            "output_bias", [self.output_dim],
            initializer=init_ops.constant_initializer(0.0, dtype=self._dtype))
        self._init_read_vectors = [
            self.add_variable(f"initial_read_vector_{i}", [1, self.memory_vector_dim],
                              initializer=initializers.glorot_uniform())
            for i in range(self.read_head_num)]
        self._init_address_weights = [
            self.add_variable(f"initial_address_weights_{i}", [1, self.memory_size],
                              initializer=initializers.glorot_uniform())
            for i in range(self.num_heads)]
        self._memory = self.add_variable(
            "memory", [self.memory_size, self.memory_vector_dim],
            initializer=init_ops.constant_initializer(1e-6, dtype=self._dtype))

    @staticmethod
    def _repeat(x, batch, static_batch):
        """`x` repeated `batch` times along a new first axis (`static_batch` when known)."""
        x = array.expand_dims(x, 0)
        out = array.tile(x, array.concat([array.reshape(batch, [1]),
                                          array.ones([x.shape.ndims - 1], dtypes.int32)], 0))
        out.set_shape([static_batch] + x.shape.as_list()[1:])
        return out

    def _first_step_or(self, time, initial, previous):
        """cond(time == 0, initial, previous) for a list, unpacked as TF's cond leaves it."""
        chosen = control.cond(math_ops.equal(time, 0), initial, lambda: previous)
        return chosen if isinstance(chosen, list) else [chosen]

    def call(self, x, prev_state):
        static_batch = x.shape[0].value
        batch = array.shape(x)[0]
        time = prev_state.time

        def initial_read_vectors():
            return [self._repeat(math_ops.tanh(array.squeeze(math_ops.matmul(
                array.ones([1, 1]), v))), batch, static_batch)
                for v in self._init_read_vectors]
        prev_read_vectors = self._first_step_or(time, initial_read_vectors,
                                                list(prev_state.read_vector_list))
        controller_input = array.concat([x] + prev_read_vectors, axis=1)
        controller_output, controller_state = self.controller(controller_input,
                                                              prev_state.controller_state)
        parameters = math_ops.clip_by_value(
            nn_ops.bias_add(math_ops.matmul(controller_output, self._params_kernel),
                            self._params_bias), -self.clip_value, self.clip_value)
        head_width = self.num_parameters_per_head * self.num_heads
        head_parameters = array.split(parameters[:, :head_width], self.num_heads, axis=1)
        erase_add = array.split(parameters[:, head_width:], 2 * self.write_head_num, axis=1)

        def initial_weights():
            return [self._repeat(nn_ops.softmax(array.squeeze(math_ops.matmul(
                array.ones([1, 1]), v))), batch, static_batch)
                for v in self._init_address_weights]
        prev_weights = self._first_step_or(time, initial_weights, list(prev_state.w_list))
        prev_memory = control.cond(math_ops.equal(time, 0),
                                   lambda: self._repeat(self._memory, batch, static_batch),
                                   lambda: prev_state.M)
        d, s = self.memory_vector_dim, self.shift_range
        w_list = []
        for i, p in enumerate(head_parameters):
            key = math_ops.tanh(p[:, 0:d])
            strength = nn_ops.softplus(p[:, d])
            gate = math_ops.sigmoid(p[:, d + 1])
            shift = nn_ops.softmax(p[:, d + 2:d + 2 + 2 * s + 1])
            sharpen = nn_ops.softplus(p[:, -1]) + 1
            w_list.append(self._address(key, strength, gate, shift, sharpen, prev_memory,
                                        prev_weights[i]))
        read_vectors = [math_ops.reduce_sum(array.expand_dims(w, 2) * prev_memory, axis=1)
                        for w in w_list[:self.read_head_num]]
        memory = prev_memory
        for i, w in enumerate(w_list[self.read_head_num:]):
            w = array.expand_dims(w, axis=2)
            erase = array.expand_dims(math_ops.sigmoid(erase_add[2 * i]), axis=1)
            add = array.expand_dims(math_ops.tanh(erase_add[2 * i + 1]), axis=1)
            memory = memory * (array.ones_like(memory) - math_ops.matmul(w, erase)) + \
                math_ops.matmul(w, add)
        output = math_ops.clip_by_value(nn_ops.bias_add(math_ops.matmul(
            array.concat([controller_output] + read_vectors, axis=1), self._output_kernel),
            self._output_bias), -self.clip_value, self.clip_value)
        return output, NTMControllerState(controller_state=controller_state,
                                          read_vector_list=read_vectors, w_list=w_list,
                                          M=memory, time=time + 1)

    def _address(self, key, strength, gate, shift, sharpen, prev_memory, prev_w):
        """Head weights: content focus (cosine similarity sharpened by `strength`),
        interpolation with the previous weights, circular shift, sharpening."""
        key = array.expand_dims(key, axis=2)
        inner = math_ops.matmul(prev_memory, key)
        key_norm = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(key), axis=1,
                                                     keepdims=True))
        memory_norm = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(prev_memory), axis=2,
                                                        keepdims=True))
        similarity = array.squeeze(inner / (memory_norm * key_norm + 1e-8), axis=[2])
        amplified = math_ops.exp(array.expand_dims(strength, axis=1) * similarity)
        content = amplified / math_ops.reduce_sum(amplified, axis=1, keepdims=True)
        gate = array.expand_dims(gate, axis=1)
        interpolated = gate * content + (1 - gate) * prev_w
        n, s = self.memory_size, self.shift_range
        rows = array.shape(shift)[0]
        shift = array.concat([shift[:, :s + 1],
                              array.zeros(array.stack([rows, n - (2 * s + 1)])),
                              shift[:, -s:]], axis=1)
        doubled = array.concat([rearrange.reverse_v2(shift, axis=[1]),
                                rearrange.reverse_v2(shift, axis=[1])], axis=1)
        shift_matrix = array.stack([doubled[:, n - i - 1:2 * n - i - 1] for i in range(n)],
                                   axis=1)
        shifted = math_ops.reduce_sum(array.expand_dims(interpolated, axis=1) * shift_matrix,
                                      axis=2)
        sharpened = math_ops.pow(shifted, array.expand_dims(sharpen, axis=1))
        return sharpened / math_ops.reduce_sum(sharpened, axis=1, keepdims=True)

    def zero_state(self, batch_size, dtype):
        return NTMControllerState(
            controller_state=self.controller.zero_state(batch_size, dtype),
            read_vector_list=[array.zeros([batch_size, self.memory_vector_dim])
                              for _ in range(self.read_head_num)],
            w_list=[array.zeros([batch_size, self.memory_size])
                    for _ in range(self.num_heads)],
            M=array.zeros([batch_size, self.memory_size, self.memory_vector_dim]),
            time=0)
