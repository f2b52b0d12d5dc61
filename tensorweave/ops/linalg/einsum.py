"""Einsum (TF's Einsum op: one or two operands, `...` broadcasting) and Cross."""
import numpy as np

from tensorweave.core import errors
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import create_op
from tensorweave.core.registry import register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import array, math_ops
from tensorweave.ops._common import one

ELLIPSIS = "..."
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


# --- equations -------------------------------------------------------------------------------
def split_subscripts(subscripts):
    """'a...bc' -> ['a', '...', 'b', 'c']; ValueError for other characters."""
    tokens, rest = [], subscripts.replace(" ", "")
    while rest:
        if rest.startswith(ELLIPSIS):
            tokens.append(ELLIPSIS)
            rest = rest[3:]
        elif rest[0] in _LETTERS:
            tokens.append(rest[0])
            rest = rest[1:]
        else:
            raise ValueError(f"Einsum: invalid character {rest[0]!r} in subscripts "
                             f"{subscripts!r}")
    if tokens.count(ELLIPSIS) > 1:
        raise ValueError(f"Einsum: more than one ellipsis in subscripts {subscripts!r}")
    return tokens


def parse_equation(equation, count):
    """(input token lists, output token list) of `equation` for `count` operands; an implicit
    output is the labels used once, sorted, after `...` when an input has one."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    inputs = [split_subscripts(s) for s in lhs.split(",")]
    if len(inputs) != count:
        raise ValueError(f"Einsum: the equation {equation!r} has {len(inputs)} input "
                         f"subscripts but {count} operands were given")
    if arrow:
        output = split_subscripts(rhs)
    else:
        labels = [t for s in inputs for t in s if t != ELLIPSIS]
        output = ([ELLIPSIS] if any(ELLIPSIS in s for s in inputs) else []) + sorted(
            label for label in set(labels) if labels.count(label) == 1)
    known = {t for s in inputs for t in s}
    for t in output:
        if t not in known:
            raise ValueError(f"Einsum: output subscript {t!r} of {equation!r} appears in no "
                             "input")
        if t != ELLIPSIS and output.count(t) > 1:
            raise ValueError(f"Einsum: output subscript {t!r} of {equation!r} repeats")
    return inputs, output


def join_equation(inputs, output):
    return ",".join("".join(s) for s in inputs) + "->" + "".join(output)


def fresh_labels(used, count):
    """`count` letters not in `used`."""
    free = [c for c in _LETTERS if c not in used]
    if len(free) < count:
        raise ValueError("Einsum: too many distinct subscripts")
    return free[:count]


def _operand_dims(tokens, shape, equation):
    """({label: dim}, the ellipsis dims as a TensorShape or None if unknown) of one operand."""
    labels = [t for t in tokens if t != ELLIPSIS]
    dims = shape.as_tuple()
    if dims is None:
        return {}, None if ELLIPSIS in tokens else TensorShape([])
    if len(dims) < len(labels) or (ELLIPSIS not in tokens and len(dims) != len(labels)):
        raise ValueError(f"Einsum: subscripts {''.join(tokens)!r} of {equation!r} do not fit "
                         f"an input of shape {shape}")
    if ELLIPSIS not in tokens:
        return dict(zip(tokens, dims)), TensorShape([])
    at = tokens.index(ELLIPSIS)
    after = len(tokens) - at - 1
    out = dict(zip(tokens[:at], dims[:at]))
    out.update(zip(tokens[at + 1:], dims[len(dims) - after:]))
    return out, TensorShape(list(dims[at:len(dims) - after]))


# --- Einsum ----------------------------------------------------------------------------------
def _einsum_shape(*operands, equation):
    dtype = operands[0].dtype
    for t in operands[1:]:
        if t.dtype is not dtype:
            raise TypeError(f"Einsum requires inputs of one dtype, got {dtype.name} and "
                            f"{t.dtype.name}")
    inputs, output = parse_equation(equation, len(operands))
    sizes, ellipsis = {}, TensorShape([])
    for tokens, t in zip(inputs, operands):
        labelled, dots = _operand_dims(tokens, t.shape, equation)
        for label, d in labelled.items():
            seen = sizes.get(label)
            if seen is not None and d is not None and seen != d:
                raise ValueError(f"Dimensions must be equal, but are {seen} and {d} for "
                                 f"'Einsum' (equation {equation!r}) with input shapes: "
                                 + ", ".join(str(o.shape) for o in operands) + ".")
            sizes[label] = d if seen is None else seen
        ellipsis = None if dots is None or ellipsis is None else array.broadcast_shapes(
            ellipsis, dots)
    if ELLIPSIS in output and ellipsis is None:
        return [(dtype, unknown_shape())]
    dims = []
    for t in output:
        dims.extend(ellipsis.as_list() if t == ELLIPSIS else [sizes.get(t)])
    return [(dtype, TensorShape(dims))]


def _einsum_kernel(*operands, equation):
    inputs, output = parse_equation(equation, len(operands))
    explicit = join_equation(inputs, output)
    if len(operands) == 1:
        return np.array(np.einsum(explicit, operands[0]))  # a copy, never a view of the input
    return np.asarray(np.einsum(explicit, *operands, optimize=len(operands) > 1))


def _einsum_grad(op, dy):
    inputs, output = parse_equation(op.attrs["equation"], len(op.inputs))
    grads = []
    for i, x in enumerate(op.inputs):
        others = [(s, t) for j, (s, t) in enumerate(zip(inputs, op.inputs)) if j != i]
        grads.append(operand_gradient(x, inputs[i], dy, output, others))
    return grads


def operand_gradient(x, x_subs, dy, out_subs, others):
    """The gradient of einsum's operand `x` (subscripts x_subs) given dy (subscripts out_subs)
    and the other operands [(subscripts, tensor)]: an einsum of dy with the others over x's
    distinct labels; labels only x has are broadcast back with ones, repeated ones put on the
    diagonal, a broadcast ellipsis summed."""
    core = []
    for t in x_subs:
        if t not in core:
            core.append(t)
    present = {t for s in [out_subs] + [s for s, _ in others] for t in s}
    kept = [t for t in core if t in present]
    parts = [out_subs] + [s for s, _ in others]
    grad = dy if parts == [kept] else einsum_tokens(parts, kept, [dy] + [t for _, t in others])
    if kept != core:  # labels (or the ellipsis) only x has: broadcast with ones of x's shape
        grad = einsum_tokens([kept, x_subs], core, [grad, array.ones_like(x)])
    if ELLIPSIS in core:
        grad = _sum_ellipsis(grad, core, x if core == x_subs else
                             einsum_tokens([x_subs], core, [x]))
    renamed, pairs, used = [], [], set(x_subs)
    for position, t in enumerate(x_subs):  # repeated labels: the gradient is on the diagonal
        if t != ELLIPSIS and x_subs.index(t) != position:
            new = fresh_labels(used, 1)[0]
            used.add(new)
            renamed.append(new)
            pairs.append((t, new, position))
        else:
            renamed.append(t)
    current = list(core)
    for t, new, position in pairs:
        target = [tok for tok in renamed if tok in current or tok == new]
        dim = x.shape.as_tuple()[position] if ELLIPSIS not in x_subs and \
            x.shape.ndims is not None else None
        size = dim if dim is not None else array.shape(x)[_axis_of(x_subs, position)]
        grad = einsum_tokens([current, [t, new]], target, [grad, eye_of_size(size, x.dtype)])
        current = target
    return grad


def _axis_of(tokens, position):
    """The axis (negative after an ellipsis) of the token at `position`."""
    if ELLIPSIS in tokens and position > tokens.index(ELLIPSIS):
        return position - len(tokens)
    return position


def _sum_ellipsis(grad, core, like):
    """grad summed over the ellipsis axes along which `like` was broadcast."""
    at = core.index(ELLIPSIS)
    if at == 0:
        return array.sum_to_shape(grad, like)
    front = [ELLIPSIS] + [t for t in core if t != ELLIPSIS]
    moved = array.sum_to_shape(einsum_tokens([core], front, [grad]),
                               einsum_tokens([core], front, [like]))
    return einsum_tokens([front], core, [moved])


register_op("Einsum", shape=_einsum_shape, kernel=_einsum_kernel, grad=_einsum_grad)


def einsum_tokens(inputs, output, operands):
    """One Einsum op from token lists."""
    return one(create_op("Einsum", list(operands), name="Einsum",
                         equation=join_equation(inputs, output)))


def eye_of_size(n, dtype):
    """The n x n identity, n a Python int or a scalar int tensor."""
    if isinstance(n, int):
        return convert_to_tensor(np.eye(n, dtype=dtype.as_numpy_dtype))
    index = array.range_(n)
    return array.cast(math_ops.equal(array.expand_dims(index, 1), array.expand_dims(index, 0)),
                      dtype)


def einsum(equation, *inputs, **kwargs):
    """TF's tf.einsum: Einsum ops, operands contracted pairwise left to right when more than
    two are given. Example: `einsum('ij,jk->ik', a, b)` is matmul(a, b)."""
    name = kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"invalid keyword arguments for this function: {sorted(kwargs)}")
    operands = [convert_to_tensor(t) for t in inputs]
    if not operands:
        raise ValueError("Einsum requires at least one operand")
    subs, output = parse_equation(equation, len(operands))
    while len(operands) > 2:
        needed = {t for s in subs[2:] + [output] for t in s}
        joined = []
        for t in subs[0] + subs[1]:
            if t in needed and t not in joined:
                joined.append(t)
        operands = [einsum_tokens(subs[:2], joined, operands[:2])] + operands[2:]
        subs = [joined] + subs[2:]
    return one(create_op("Einsum", operands, name=name or "Einsum",
                         equation=join_equation(subs, output)))


# --- Cross -----------------------------------------------------------------------------------
def _cross_shape(a, b):
    if a.dtype is not b.dtype:
        raise TypeError(f"Cross requires inputs of one dtype, got {a.dtype.name} and "
                        f"{b.dtype.name}")
    if not a.shape.is_compatible_with(b.shape):
        raise ValueError(f"Cross requires inputs of one shape, got {a.shape} and {b.shape}")
    shape = a.shape.merge_with(b.shape)
    if shape.ndims == 0:
        raise ValueError("Cross requires inputs of rank at least 1, got scalars")
    if shape.ndims is not None and shape.as_tuple()[-1] not in (None, 3):
        raise ValueError(f"Dimension must be 3 but is {shape.as_tuple()[-1]} for 'Cross' with "
                         f"input shapes: {a.shape}, {b.shape}.")
    return [(a.dtype, shape)]


def _cross_kernel(a, b):
    if a.shape != b.shape:
        raise errors.InvalidArgumentError(None, None, f"a and b must be the same shape: "
                                          f"{list(a.shape)} vs {list(b.shape)}")
    return np.cross(a, b).astype(a.dtype, copy=False)


register_op("Cross", shape=_cross_shape, kernel=_cross_kernel,
            grad=lambda op, dz: [cross(op.inputs[1], dz), cross(dz, op.inputs[0])])


def cross(a, b, name=None):
    """The cross product of 3-vectors along the last axis of `a` and `b`."""
    a = convert_to_tensor(a)
    b = convert_to_tensor(b, dtype=a.dtype)
    return one(create_op("Cross", [a, b], name=name or "Cross"))
