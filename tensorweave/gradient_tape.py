"""tf.GradientTape in graph mode, as TF 1.15 supports it.

    with tf.GradientTape() as tape:
        y = x * x            # x watched with tape.watch(x), or a trainable variable read here
    dy_dx = tape.gradient(y, x)

The tape records the window of graph ops created while it is active (op creation indices).
`gradient` differentiates through the recorded ops that depend on a watched tensor or
variable only: ops made outside the tape (or by a tape not watching what they read) hold
their inputs constant, so an unwatched source gets None, as in TensorFlow.
"""
import contextlib

import numpy as np

from tensorweave import nest
from tensorweave import variables
from tensorweave.core.constants import convert_to_tensor
from tensorweave.core.graph import GraphKeys, get_default_graph
from tensorweave.core.operation import Tensor
from tensorweave.gradients import UnconnectedGradients, gradients
from tensorweave.ops import array

__all__ = ["GradientTape"]


class GradientTape:
    """Records the ops made in its context for later differentiation (graph mode)."""

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._graph = None
        self._windows = []  # [first creation index, last (None while recording)]
        self._watched = []  # tensors
        self._watched_vars = []
        self._used = False

    # --- recording ---------------------------------------------------------------------------
    def __enter__(self):
        self._push()
        return self

    def __exit__(self, *exc):
        if self._recording:
            self._pop()

    @property
    def _recording(self):
        return bool(self._windows) and self._windows[-1][1] is None

    def _push(self):
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to "
                             "re-enter an already-active tape.")
        graph = get_default_graph()
        if self._graph is None:
            self._graph = graph
        elif graph is not self._graph:
            raise ValueError("A GradientTape records one graph; it was used with another.")
        self._windows.append([graph.last_op_id, None])

    def _pop(self):
        self._windows[-1][1] = self._graph.last_op_id

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops created in this context are not recorded."""
        if not self._recording:
            raise RuntimeError("Trying to stop recording a tape which is not recording.")
        self._pop()
        try:
            yield
        finally:
            self._push()

    @contextlib.contextmanager
    def _ensure_recording(self):
        """Records the ops of this context (jacobian's slicing of the target), as TF does."""
        if self._recording:
            yield
            return
        self._push()
        try:
            yield
        finally:
            self._pop()

    def reset(self):
        """Forgets everything recorded and watched (the tape keeps recording if it was)."""
        recording = self._recording
        self._windows, self._watched, self._watched_vars, self._used = [], [], [], False
        if recording:
            self._push()

    def watch(self, tensor):
        """Watches a tensor or variable (or a nested structure of them)."""
        for item in nest.flatten(tensor):
            if isinstance(item, variables.Variable):
                if item not in self._watched_vars:
                    self._watched_vars.append(item)
                continue
            if not isinstance(item, Tensor):
                raise ValueError(f"Passed in object of type {type(item)}, not tf.Tensor")
            if not (item.dtype.is_floating or item.dtype.is_complex):
                continue  # TF watches only trainable dtypes
            if self._graph is None:
                self._graph = item.graph
            if all(item is not w for w in self._watched):
                self._watched.append(item)

    def _recorded(self, op):
        index = op.creation_index
        return op.graph is self._graph and any(
            start < index <= (self._graph.last_op_id if end is None else end)
            for start, end in self._windows)

    def watched_variables(self):
        """The variables watched: by `watch`, and trainable ones read by recorded ops."""
        watched = list(self._watched_vars)
        if self._watch_accessed_variables and self._graph is not None:
            by_tensor = {}
            for var in self._graph.get_collection(GraphKeys.TRAINABLE_VARIABLES):
                if isinstance(var, variables.Variable):
                    by_tensor[var._ref()] = var
                    by_tensor[var.value()] = var
            for op in self._graph.get_operations():
                if not self._recorded(op):
                    continue
                for t in op.inputs:
                    var = by_tensor.get(t)
                    if var is not None and var not in watched:
                        watched.append(var)
        return tuple(watched)

    # --- differentiating ---------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(target)/d(sources), with sources' structure; None (or zeros, with
        unconnected_gradients="zero") for a source the target does not depend on through
        recorded ops."""
        if self._used and not self._persistent:
            raise RuntimeError("GradientTape.gradient can only be called once on "
                               "non-persistent tapes.")
        if self._graph is None:
            raise ValueError("The tape recorded nothing.")
        self._used = True
        if self._recording and not self._persistent:
            self._pop()
        targets = [convert_to_tensor(t) for t in nest.flatten(target)]
        flat_sources = nest.flatten(sources)
        grads_out = None if output_gradients is None else nest.flatten(output_gradients)
        tracked, passing = self._tracked()
        xs, known = [], []
        for source in flat_sources:
            if isinstance(source, variables.Variable):
                known.append(source._ref() in tracked)
                xs.append(source._ref())
            else:
                tensor = convert_to_tensor(source)
                known.append(tensor in tracked)
                xs.append(tensor)
        stops = self._stops(targets, tracked, passing)
        results = [None] * len(xs)
        wanted = [i for i, ok in enumerate(known) if ok]
        if wanted and any(t in tracked for t in targets):
            with self._graph.as_default():
                grads = gradients(targets, [xs[i] for i in wanted],
                                                grad_ys=grads_out, stop_gradients=stops)
            for i, g in zip(wanted, grads):
                results[i] = g
        if unconnected_gradients == UnconnectedGradients.ZERO:
            with self._graph.as_default():
                results = [array.zeros_like(x) if g is None else g for g, x in zip(results, xs)]
        elif unconnected_gradients != UnconnectedGradients.NONE:
            raise ValueError(f"Unknown value for unconnected_gradients: "
                             f"{unconnected_gradients!r}")
        return nest.pack_sequence_as(sources, results)

    def _tracked(self):
        """(tensors derived from watched ones through recorded ops, ops gradients cross)."""
        tracked = set(self._watched)
        passing = set()
        for var in self.watched_variables():
            tracked.update((var._ref(), var.value()))
            passing.update((var.op, var.value().op))
        for op in self._graph.get_operations():
            if self._recorded(op) and any(t in tracked for t in op.inputs):
                tracked.update(op.outputs)
                passing.add(op)
        return tracked, passing

    @staticmethod
    def _stops(targets, tracked, passing):
        """The outputs of the ops, reached back from the targets, that gradients must not
        cross: every op outside the recorded, watched computation."""
        stops, seen, stack = [], set(), [t.op for t in targets]
        while stack:
            op = stack.pop()
            if op in seen:
                continue
            seen.add(op)
            if op in passing:
                stack.extend(t.op for t in op.inputs)
            else:
                stops.extend(t for t in op.outputs if t not in tracked)
        return stops

    def jacobian(self, target, sources, unconnected_gradients=(
            UnconnectedGradients.NONE), parallel_iterations=None,
                 experimental_use_pfor=True):
        """d(target[i...])/d(source) for every element of target: shaped target.shape +
        source.shape (target's size must be known while building the graph)."""
        target = convert_to_tensor(target)
        if not target.shape.is_fully_defined():
            raise ValueError(f"jacobian needs a target of known shape, got {target.shape}")
        persistent, self._persistent = self._persistent, True
        try:
            flat_sources = nest.flatten(sources)
            size = int(np.prod(target.shape.as_list(), dtype=np.int64))
            with self._graph.as_default():
                with self._ensure_recording():
                    flat_target = array.reshape(target, [size])
                    slices = [flat_target[i] for i in range(size)]
                rows = [self.gradient(slices[i], flat_sources,
                                      unconnected_gradients=unconnected_gradients)
                        for i in range(size)]
                out = []
                for j, source in enumerate(flat_sources):
                    column = [row[j] for row in rows]
                    if all(g is None for g in column):
                        out.append(None)
                        continue
                    source = source.value() if isinstance(source, variables.Variable) \
                        else convert_to_tensor(source)
                    column = [array.zeros_like(source) if g is None else g for g in column]
                    out.append(array.reshape(array.stack(column),
                                             target.shape.as_list() + source.shape.as_list()))
        finally:
            self._persistent = persistent
        self._used = True
        return nest.pack_sequence_as(sources, out)

    def batch_jacobian(self, target, source, unconnected_gradients=(
            UnconnectedGradients.NONE), parallel_iterations=None,
                       experimental_use_pfor=True):
        """d(target[b, i...])/d(source[b, j...]) for each batch row b: shaped
        target.shape + source.shape[1:]; rows must not depend on other rows."""
        target = convert_to_tensor(target)
        source_tensor = source.value() if isinstance(source, variables.Variable) \
            else convert_to_tensor(source)
        dims = target.shape.as_list()
        if target.shape.ndims is None or any(d is None for d in dims[1:]):
            raise ValueError(f"batch_jacobian needs a target of known inner shape, got "
                             f"{target.shape}")
        if dims[0] is not None and source_tensor.shape.as_list()[0] not in (None, dims[0]):
            raise ValueError("Need first dimension of target shape and source shape to match")
        inner = int(np.prod(dims[1:], dtype=np.int64))
        persistent, self._persistent = self._persistent, True
        try:
            with self._graph.as_default():
                with self._ensure_recording():
                    flat = array.reshape(target, [-1, inner])
                    slices = [flat[:, i] for i in range(inner)]
                columns = [self.gradient(slices[i], source,
                                         unconnected_gradients=unconnected_gradients)
                           for i in range(inner)]
                if all(g is None for g in columns):
                    result = None
                else:
                    columns = [array.zeros_like(source_tensor) if g is None else g
                               for g in columns]
                    stacked = array.stack(columns, axis=1)
                    batch = array.shape(source_tensor)[:1]
                    result = array.reshape(stacked, array.concat(
                        [batch, dims[1:] + source_tensor.shape.as_list()[1:]], 0))
        finally:
            self._persistent = persistent
        self._used = True
        return result
