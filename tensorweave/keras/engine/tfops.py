"""The graph ops Keras layers compose, gathered under their tf. names (one import for the
layer modules; every name is defined where the core keeps it)."""
# pylint: disable=unused-import
from tensorweave.core.constants import constant, convert_to_tensor, constant_value  # noqa
from tensorweave.core.graph import control_dependencies, get_default_graph, name_scope  # noqa
from tensorweave.core.tensor_shape import TensorShape, Dimension  # noqa
from tensorweave.core import dtypes  # noqa
from tensorweave.ops.array.shapes import (reshape, transpose, expand_dims, squeeze,  # noqa
                                          shape, rank, size)
from tensorweave.ops.array.join import concat, tile, pad, split  # noqa
from tensorweave.ops.array.construct import (stack, unstack, zeros, ones, zeros_like,  # noqa
                                             ones_like, fill)
from tensorweave.ops.array.index import gather, one_hot, where, strided_slice  # noqa
from tensorweave.ops.array.index import slice_ as slice, range_ as range  # noqa
from tensorweave.ops.array.convert import cast, identity, stop_gradient  # noqa
from tensorweave.ops.array.inputs import placeholder, placeholder_with_default  # noqa
from tensorweave.ops.array.rearrange import reverse  # noqa
from tensorweave.ops.math_ops import (matmul, reduce_sum, reduce_mean, reduce_max,  # noqa
                                      reduce_min, reduce_prod, reduce_any, maximum, minimum,
                                      square, sqrt, exp, log, abs, sign, clip_by_value, equal,
                                      not_equal, greater, less, argmax, add_n,
                                      sigmoid, tanh, pow, rsqrt, floor, is_nan, add)
from tensorweave.ops.math_ops import logical_and, multiply, subtract, greater_equal  # noqa
from tensorweave.ops.control.cond import cond  # noqa
from tensorweave.ops.control.while_loop import while_loop  # noqa
from tensorweave.ops.control.grouping import group, no_op  # noqa
from tensorweave.ops.random_ops import random_uniform, random_normal  # noqa
from tensorweave.ops.state_ops import assign, assign_add, assign_sub  # noqa
from tensorweave.ops import nn_ops, conv_ops, norm_ops  # noqa
from tensorweave.ops.linalg.composites import tensordot  # noqa
from tensorweave.gradients import gradients  # noqa
from tensorweave.variables import Variable  # noqa
from tensorweave.nn import conv_nd  # noqa
