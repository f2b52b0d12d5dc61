"""Queue op types (TF 1.x's data_flow_ops queues): FIFOQueueV2, PaddingFIFOQueueV2,
RandomShuffleQueueV2, PriorityQueueV2 and the QueueEnqueue/Dequeue/Close/Size/IsClosed ops.

A queue op outputs a resource handle naming the queue in the Session's state; the queue is
made on the op's first run (TensorFlow's "_<id>_<op name>", or its `shared_name`). The data
and its order live in a store defined here (FIFO, random shuffle, priority); waiting, locking,
deadlines and cancellation are the Session's (`state.blocking`, runtime/blocking.py), so
several threads (QueueRunners) can use one queue at once.
"""
import collections
import heapq

import numpy as np

from tensorweave.core import dtypes, errors
from tensorweave.core.constants import constant_value
from tensorweave.core.graph import create_op
from tensorweave.core.registry import NOT_DIFFERENTIABLE, register_op
from tensorweave.core.tensor_shape import TensorShape, unknown_shape
from tensorweave.ops import philox

_UNBOUNDED = -1


# --- element specs ---------------------------------------------------------------------------
def _numpy_dtype(dtype):
    return np.dtype(dtype.as_numpy_dtype if isinstance(dtype, dtypes.DType) else dtype)


def _dims(shape):
    """A shape attr entry (TensorShape, tuple or list) as a tuple of ints/None, or None."""
    if shape is None:
        return None
    if isinstance(shape, TensorShape):
        return shape.as_tuple()
    return tuple(shape)


def _empty_value(dtype):
    return b"" if dtype == object else np.zeros((), dtype)


def shape_text(dims):
    return "[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


class Spec:
    """What a queue holds: one dtype and (optional, possibly partial) shape per component."""

    def __init__(self, component_types, shapes):
        self.dtypes = [_numpy_dtype(t) for t in component_types]
        shapes = [_dims(s) for s in shapes or ()]
        self.shapes = shapes if shapes else [None] * len(self.dtypes)

    def element(self, components, kind, name, batched):
        """The components of one element (or, when `batched`, of a batch) checked against the
        spec: a tuple of arrays; InvalidArgumentError naming the mismatch."""
        if len(components) != len(self.dtypes):
            raise errors.InvalidArgumentError(
                None, None, f"{kind} '{name}' expects {len(self.dtypes)} components, got "
                f"{len(components)}")
        values = []
        for i, (value, dtype, dims) in enumerate(zip(components, self.dtypes, self.shapes)):
            value = np.asarray(value)
            if value.dtype != dtype:
                raise errors.InvalidArgumentError(
                    None, None, f"Type mismatch in tuple component {i}. Expected "
                    f"{dtypes.as_dtype(dtype).name}, got {dtypes.as_dtype(value.dtype).name}")
            shape = value.shape[1:] if batched else value.shape
            if dims is not None and (len(dims) != len(shape) or any(
                    d is not None and d != s for d, s in zip(dims, shape))):
                what = "Shape mismatch in tuple component"
                raise errors.InvalidArgumentError(
                    None, None, f"{what} {i}. Expected {shape_text(dims)}, got "
                    f"{shape_text(shape)}")
            values.append(value)
        return values


# --- stores: the elements and their order ----------------------------------------------------
class FifoStore:
    """First in, first out."""

    floor = 0

    def __init__(self, kind, spec, capacity):
        self.kind = kind
        self.spec = spec
        self.capacity = capacity
        self._items = collections.deque()

    def size(self):
        return len(self._items)

    def push(self, element):
        self._items.append(element)

    def take(self):
        return self._items.popleft()

    def restore(self, elements):
        self._items.extendleft(reversed(elements))


class PhiloxWords:
    """TensorFlow's PhiloxRandom(seed, seed2) read one 32-bit word at a time (its
    SingleSampleAdapter): the stream a seeded RandomShuffleQueue draws from."""

    _GROUPS = 64  # Philox calls computed at once

    def __init__(self, seed, seed2):
        self._key = (seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF)
        self._high = (seed2 & 0xFFFFFFFF, (seed2 >> 32) & 0xFFFFFFFF)
        self._counter = 0
        self._words = []

    def next(self):
        if not self._words:
            low = self._counter + np.arange(self._GROUPS, dtype=np.uint64)
            counters = np.empty((self._GROUPS, 4), np.uint64)
            counters[:, 0] = low & np.uint64(0xFFFFFFFF)
            counters[:, 1] = low >> np.uint64(32)
            counters[:, 2], counters[:, 3] = self._high
            self._counter += self._GROUPS
            self._words = philox.philox(counters, self._key).reshape(-1).tolist()[::-1]
        return self._words.pop()


class ShuffleStore:
    """Elements taken at random (TensorFlow's draw: word % size, the last element moved into
    the hole), keeping `min_after_dequeue` while the queue is open."""

    def __init__(self, kind, spec, capacity, min_after_dequeue, words):
        self.kind = kind
        self.spec = spec
        self.capacity = capacity
        self.floor = min_after_dequeue
        self._items = []
        self._words = words

    def size(self):
        return len(self._items)

    def push(self, element):
        self._items.append(element)

    def take(self):
        index = self._words.next() % len(self._items)
        element = self._items[index]
        self._items[index] = self._items[-1]
        self._items.pop()
        return element

    def restore(self, elements):
        self._items.extend(reversed(elements))


class PriorityStore:
    """Smallest priority (component 0, an int64 scalar) first; equal ones in arrival order."""

    floor = 0

    def __init__(self, kind, spec, capacity):
        self.kind = kind
        self.spec = spec
        self.capacity = capacity
        self._heap = []
        self._arrivals = 0

    def size(self):
        return len(self._heap)

    def push(self, element):
        heapq.heappush(self._heap, (int(element[0]), self._arrivals, element))
        self._arrivals += 1

    def take(self):
        return heapq.heappop(self._heap)[2]

    def restore(self, elements):
        for element in elements:
            self.push(element)


# --- the queue ops ---------------------------------------------------------------------------
def _handle(name):
    return np.array(name.encode("utf-8"), dtype=object)


def _handle_shape(**attrs):
    return [(dtypes.resource, TensorShape([]))]


def _create(state, op_name, container, shared_name, make_store):
    blocking = state.blocking
    return _handle(blocking.handle_for(
        op_name, container, shared_name, lambda name: blocking.queue(make_store(), name)))


def _fifo_kernel(state, op_name, *, component_types, shapes, capacity, container,
                 shared_name):
    spec = Spec(component_types, shapes)
    return _create(state, op_name, container, shared_name,
                   lambda: FifoStore("FIFOQueue", spec, capacity))


def _padding_fifo_kernel(state, op_name, *, component_types, shapes, capacity, container,
                         shared_name):
    spec = Spec(component_types, shapes)
    return _create(state, op_name, container, shared_name,
                   lambda: FifoStore("PaddingFIFOQueue", spec, capacity))


def _shuffle_kernel(state, op_name, *, component_types, shapes, capacity, min_after_dequeue,
                    seed, seed2, container, shared_name):
    spec = Spec(component_types, shapes)
    if seed == 0 and seed2 == 0:  # unseeded: a random stream
        seed, seed2 = (int(v) for v in state.random_generator(op_name, 0, 0).integers(
            0, 2 ** 63, size=2))

    def make():
        return ShuffleStore("RandomShuffleQueue", spec, capacity, min_after_dequeue,
                            PhiloxWords(seed, seed2))
    return _create(state, op_name, container, shared_name, make)


def _priority_kernel(state, op_name, *, component_types, shapes, capacity, container,
                     shared_name):
    spec = Spec([dtypes.int64] + list(component_types),
                [()] + list(shapes) if shapes else None)
    return _create(state, op_name, container, shared_name,
                   lambda: PriorityStore("PriorityQueue", spec, capacity))


def _check_shapes_attr(op_type, component_types, shapes, partial=False):
    if shapes and len(shapes) != len(component_types):
        raise ValueError(f"{op_type} requires as many shapes as component types, got "
                         f"{len(shapes)} shapes and {len(component_types)} types")
    if not partial and any(not TensorShape(_dims(s)).is_fully_defined() for s in shapes or ()):
        raise ValueError(f"{op_type} requires fully defined shapes, got "
                         f"{[TensorShape(_dims(s)) for s in shapes]}")


def _queue_shape(op_type, partial=False):
    def rule(*, component_types, shapes, **attrs):
        _check_shapes_attr(op_type, component_types, shapes, partial)
        if partial and not shapes and component_types:
            raise ValueError(f"{op_type} requires the shapes of its components (dimensions may "
                             "be unknown)")
        return _handle_shape()
    return rule


register_op("FIFOQueueV2", shape=_queue_shape("FIFOQueueV2"), kernel=_fifo_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("PaddingFIFOQueueV2", shape=_queue_shape("PaddingFIFOQueueV2", partial=True),
            kernel=_padding_fifo_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("RandomShuffleQueueV2", shape=_queue_shape("RandomShuffleQueueV2"),
            kernel=_shuffle_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("PriorityQueueV2", shape=_queue_shape("PriorityQueueV2"), kernel=_priority_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)


def _queue(state, handle):
    return state.blocking.get(handle.item() if isinstance(handle, np.ndarray) else handle)


def _check_handle(op_type, handle):
    if handle.dtype not in (dtypes.resource, dtypes.string):
        raise TypeError(f"{op_type} requires a queue handle (resource), got {handle.dtype.name}")


# --- enqueue ---------------------------------------------------------------------------------
def _enqueue_shape_rule(op_type, batched):
    def rule(handle, *components, Tcomponents=None, timeout_ms=-1):
        _check_handle(op_type, handle)
        if batched:
            for c in components:
                if c.shape.ndims == 0:
                    raise ValueError(f"{op_type} requires components of rank >= 1 (a batch "
                                     f"of elements), got {c.name} of shape {c.shape}")
            sizes = {c.shape.as_tuple()[0] for c in components if c.shape.ndims}
            sizes.discard(None)
            if len(sizes) > 1:
                raise ValueError(f"{op_type} requires components of one batch size, got "
                                 f"{sorted(sizes)}")
        return []
    return rule


def _enqueue_kernel(state, op_name, handle, *components, Tcomponents=None, timeout_ms=-1):
    queue = _queue(state, handle)
    values = queue.store.spec.element(components, queue.store.kind, queue.name, False)
    queue.enqueue([tuple(np.array(v, dtype=v.dtype) for v in values)])
    return ()


def _enqueue_many_kernel(state, op_name, handle, *components, Tcomponents=None,
                         timeout_ms=-1):
    queue = _queue(state, handle)
    values = queue.store.spec.element(components, queue.store.kind, queue.name, True)
    sizes = {v.shape[0] for v in values}
    if len(sizes) > 1:
        raise errors.InvalidArgumentError(
            None, None, f"Shape mismatch in tuple component 1. Expected [{values[0].shape[0]},"
            f"...], got {shape_text(values[1].shape)}")
    count = sizes.pop() if sizes else 0
    queue.enqueue([tuple(np.array(v[i], dtype=v.dtype) for v in values)
                   for i in range(count)])
    return ()


register_op("QueueEnqueueV2", shape=_enqueue_shape_rule("QueueEnqueueV2", False),
            kernel=_enqueue_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("QueueEnqueueManyV2", shape=_enqueue_shape_rule("QueueEnqueueManyV2", True),
            kernel=_enqueue_many_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)


# --- dequeue ---------------------------------------------------------------------------------
def queue_component_shapes(handle):
    """The component shapes the queue op making `handle` declares (unknown when it is not
    known while building: a fed handle), as TensorShapes; priority first for a PriorityQueue."""
    op = handle.op
    if op.type not in _QUEUE_TYPES or not op.attrs.get("shapes"):
        return None
    shapes = [TensorShape(_dims(s)) for s in op.attrs["shapes"]]
    return [TensorShape([])] + shapes if op.type == "PriorityQueueV2" else shapes


_QUEUE_TYPES = ("FIFOQueueV2", "PaddingFIFOQueueV2", "RandomShuffleQueueV2", "PriorityQueueV2")


def _dequeue_shape_rule(op_type, batch):
    def rule(handle, *n, component_types, timeout_ms=-1):
        _check_handle(op_type, handle)
        shapes = queue_component_shapes(handle)
        if shapes is None or len(shapes) != len(component_types):
            shapes = [unknown_shape()] * len(component_types)
        if batch == "many":
            size = constant_value(n[0])
            lead = [None if size is None else int(size)]
        elif batch == "up_to":
            lead = [None]
        else:
            return list(zip(component_types, shapes))
        return [(t, TensorShape(lead).concatenate(s)) for t, s in zip(component_types, shapes)]
    return rule


def _batch(queue, elements):
    """The elements (tuples) stacked component by component; padded for a padding queue."""
    spec = queue.store.spec
    parts = []
    for i, (dtype, dims) in enumerate(zip(spec.dtypes, spec.shapes)):
        values = [element[i] for element in elements]
        if not values:
            if dims is None or any(d is None for d in dims):
                if queue.store.kind != "PaddingFIFOQueue" or dims is None:
                    raise errors.InvalidArgumentError(
                        None, None, f"{queue.store.kind} '{queue.name}': dequeuing no elements "
                        "needs fully defined component shapes")
            parts.append(np.zeros((0,) + tuple(d or 0 for d in dims or ()), dtype))
            continue
        shapes = {v.shape for v in values}
        if len(shapes) > 1:
            if queue.store.kind != "PaddingFIFOQueue":
                raise errors.InvalidArgumentError(
                    None, None, f"{queue.store.kind} '{queue.name}': shape mismatch in tuple "
                    f"component {i} of the dequeued elements ({sorted(shapes)}): give the "
                    "queue component shapes, or use a PaddingFIFOQueue")
            if len({len(s) for s in shapes}) > 1:
                raise errors.InvalidArgumentError(
                    None, None, f"{queue.store.kind} '{queue.name}': component {i} has "
                    f"elements of different ranks {sorted(shapes)}")
            full = tuple(max(sizes) for sizes in zip(*shapes))
            batch = np.full((len(values),) + full, _empty_value(dtype), dtype)
            for row, value in zip(batch, values):
                row[tuple(slice(0, s) for s in value.shape)] = value
            parts.append(batch)
        else:
            parts.append(np.stack(values))
    return parts


def _outputs(parts):
    return tuple(parts) if len(parts) != 1 else parts[0]


def _dequeue_kernel(state, op_name, handle, *, component_types, timeout_ms=-1):
    queue = _queue(state, handle)
    (element,) = queue.dequeue(1)
    return _outputs(list(element))


def _dequeue_many_kernel(state, op_name, handle, n, *, component_types, timeout_ms=-1):
    count = int(n)
    if count < 0:
        raise errors.InvalidArgumentError(None, None,
                                          f"Request failed: n must be >= 0, got {count}")
    queue = _queue(state, handle)
    return _outputs(_batch(queue, queue.dequeue(count)))


def _dequeue_up_to_kernel(state, op_name, handle, n, *, component_types, timeout_ms=-1):
    count = int(n)
    if count < 0:
        raise errors.InvalidArgumentError(None, None,
                                          f"Request failed: n must be >= 0, got {count}")
    queue = _queue(state, handle)
    return _outputs(_batch(queue, queue.dequeue(count, allow_smaller=True)))


register_op("QueueDequeueV2", shape=_dequeue_shape_rule("QueueDequeueV2", None),
            kernel=_dequeue_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("QueueDequeueManyV2", shape=_dequeue_shape_rule("QueueDequeueManyV2", "many"),
            kernel=_dequeue_many_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("QueueDequeueUpToV2", shape=_dequeue_shape_rule("QueueDequeueUpToV2", "up_to"),
            kernel=_dequeue_up_to_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)


# --- close, size, is_closed ------------------------------------------------------------------
def _close_shape(handle, *, cancel_pending_enqueues=False):
    _check_handle("QueueCloseV2", handle)
    return []


def _close_kernel(state, op_name, handle, *, cancel_pending_enqueues=False):
    _queue(state, handle).close(cancel_pending_enqueues)
    return ()


def _scalar_rule(op_type, dtype):
    def rule(handle):
        _check_handle(op_type, handle)
        return [(dtype, TensorShape([]))]
    return rule


def _size_kernel(state, op_name, handle):
    return np.array(_queue(state, handle).size(), np.int32)


def _is_closed_kernel(state, op_name, handle):
    return np.array(_queue(state, handle).is_closed())


register_op("QueueCloseV2", shape=_close_shape, kernel=_close_kernel, stateful=True,
            grad=NOT_DIFFERENTIABLE)
register_op("QueueSizeV2", shape=_scalar_rule("QueueSizeV2", dtypes.int32), kernel=_size_kernel,
            stateful=True, grad=NOT_DIFFERENTIABLE)
register_op("QueueIsClosedV2", shape=_scalar_rule("QueueIsClosedV2", dtypes.bool),
            kernel=_is_closed_kernel, stateful=True, grad=NOT_DIFFERENTIABLE)


# --- builders (tensorweave/queues.py checks the arguments and names the ops) ----------------
def queue_op(op_type, name, **attrs):
    """The handle of a new queue op of `op_type` ("FIFOQueueV2", ...)."""
    if op_type not in _QUEUE_TYPES:
        raise ValueError(f"{op_type!r} is not a queue op type")
    attrs.setdefault("container", "")
    attrs.setdefault("shared_name", "")
    attrs.setdefault("capacity", _UNBOUNDED)
    return create_op(op_type, [], name=name, **attrs).outputs[0]


def enqueue(handle, components, name, many=False):
    """The op adding one element (or, `many`, a batch of them) to the queue."""
    return create_op("QueueEnqueueManyV2" if many else "QueueEnqueueV2",
                     [handle] + list(components), name=name,
                     Tcomponents=[c.dtype for c in components], timeout_ms=-1)


def dequeue(handle, component_types, name, n=None, up_to=False):
    """The dequeued tensors: one element, or `n` of them (at most `n` with `up_to`)."""
    if n is None:
        op = create_op("QueueDequeueV2", [handle], name=name,
                       component_types=list(component_types), timeout_ms=-1)
    else:
        op = create_op("QueueDequeueUpToV2" if up_to else "QueueDequeueManyV2", [handle, n],
                       name=name, component_types=list(component_types), timeout_ms=-1)
    return op.outputs


def close(handle, cancel_pending_enqueues, name):
    return create_op("QueueCloseV2", [handle], name=name,
                     cancel_pending_enqueues=bool(cancel_pending_enqueues))


def size(handle, name):
    return create_op("QueueSizeV2", [handle], name=name).outputs[0]


def is_closed(handle, name):
    return create_op("QueueIsClosedV2", [handle], name=name).outputs[0]
