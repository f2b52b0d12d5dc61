"""Array ops, one module per family: graph inputs, passing values on and casting, building
tensors from values, shapes, broadcasting, joining and splitting, indexing. TensorFlow's
tensor-input forms of these ops (Dynamic<Op>) are in `dynamic.py`, which imports math ops."""
from tensorweave.ops.array.inputs import placeholder, placeholder_with_default
from tensorweave.ops.array.convert import (identity, stop_gradient, cast, to_float, to_double,
                                           to_int32, to_int64)
from tensorweave.ops.array.construct import (holds_tensor, stacked_ints, fill, zeros, ones,
                                             zeros_like, ones_like, stack, unstack)
from tensorweave.ops.array.shapes import (shape_tensor, shape_argument, shape, size, rank,
                                          as_shape_tensor, reshape, transpose, expand_dims,
                                          squeeze)
from tensorweave.ops.array.broadcast import broadcast_shapes, broadcast_to, sum_to_shape
from tensorweave.ops.array.join import (concat, split_pieces, split, tile, pad_kernel,
                                        mirror_pad_grad_kernel, pad)
from tensorweave.ops.array.index import (newaxis, getitem, STRIDED_SLICE_MASKS, strided_slice_key,
                                         slice_, strided_slice, gather, unsorted_segment_sum,
                                         one_hot, select, where, range_, reverse_sequence)

__all__ = [
    "placeholder", "placeholder_with_default", "identity", "stop_gradient", "cast", "to_float",
    "to_double", "to_int32", "to_int64", "holds_tensor", "stacked_ints", "fill",
    "zeros", "ones", "zeros_like", "ones_like", "stack", "unstack", "shape_tensor",
    "shape_argument", "shape", "size", "rank", "as_shape_tensor", "reshape", "transpose",
    "expand_dims", "squeeze", "broadcast_shapes", "broadcast_to", "sum_to_shape", "concat",
    "split_pieces", "split", "tile", "pad_kernel", "mirror_pad_grad_kernel", "pad", "newaxis",
    "getitem", "STRIDED_SLICE_MASKS", "strided_slice_key", "slice_", "strided_slice", "gather",
    "unsorted_segment_sum", "one_hot", "select", "where", "range_", "reverse_sequence",
]
