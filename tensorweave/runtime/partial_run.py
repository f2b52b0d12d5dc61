"""Session.partial_run: one step of a graph run in parts, the feeds given and the fetches taken
as the caller goes (TF's partial_run_setup / partial_run).

Each part is an ordinary run whose feeds are the part's own plus the values earlier parts were
fed or produced that no op may make twice: their fetches and the outputs of the stateful ops
they ran (random draws, dequeues), so later parts see the same draws, as in TF's single step.
Ops without state may run again (same inputs, same values). A part that would run a stateful op a
second time (reached only through a control dependency, or inside a cond or loop whose values
are not kept) raises UnimplementedError naming the op. Once every feed was fed and every
fetch taken, the handle is gone, as in TF.
"""
import itertools

from tensorweave.core.errors import InvalidArgumentError, UnimplementedError
from tensorweave.core.operation import Tensor
from tensorweave.ops.control.contexts import loop_of
from tensorweave.runtime.fetch import FetchMapper, expand_feeds
from tensorweave.util import nest

_handles = itertools.count(1)


class PartialRun:
    """The feeds and fetches a setup allows, those given so far, and the values kept."""

    def __init__(self, graph, fetches, feeds, feed_tensor):
        self.graph = graph
        self.allowed_fetches = {e.name for e in FetchMapper(graph, fetches).elements}
        keys = expand_feeds(dict.fromkeys(nest.flatten(feeds or [])))
        self.allowed_feeds = {feed_tensor(k).name for k in keys}
        self.fed, self.fetched = set(), set()
        self.kept = {}  # tensor -> value (fed, fetched, drawn), fed to every later part
        self.ran = set()  # the stateful ops with inputs that ran
        self.handle = f"partial_run_{next(_handles)}"

    def run_part(self, run, fetches, feed_dict, feed_tensor):
        """Runs (`run`: the Session's run) what `fetches` need beyond the earlier parts."""
        fed = {}
        for key, value in expand_feeds(dict(feed_dict or {})).items():
            tensor = feed_tensor(key)
            if tensor.name not in self.allowed_feeds:
                raise _invalid(f"The feed {tensor.name} was not specified in "
                               f"partial_run_setup.")
            if tensor.name in self.fed:
                raise _invalid(f"The feed {tensor.name} has already been fed.")
            fed[tensor] = value
        mapper = FetchMapper(self.graph, fetches)
        for element in mapper.elements:
            if element.name not in self.allowed_fetches:
                raise _invalid(f"The fetch {element.name} was not specified in "
                               f"partial_run_setup.")
            if element.name in self.fetched:
                raise _invalid(f"The fetch {element.name} has already been fetched.")
        ops = self._ops_to_run(mapper.elements, set(self.kept) | set(fed))
        keep = [t for op in ops if _keepable(op) for t in op.outputs]
        values = run(list(mapper.elements) + keep, {**self.kept, **fed})
        count = len(mapper.elements)
        self.fed.update(t.name for t in fed)
        self.kept.update(fed)
        self.fetched.update(e.name for e in mapper.elements)
        self.kept.update((e, v) for e, v in zip(mapper.elements, values) if isinstance(e, Tensor))
        self.kept.update(zip(keep, values[count:]))
        self.ran.update(op for op in ops if _stateful_with_inputs(op))
        return mapper.build(values[:count])

    @property
    def done(self):
        """Whether every feed was fed and every fetch taken: the step is over, as TF ends it."""
        return self.fed == self.allowed_feeds and self.fetched == self.allowed_fetches

    def _ops_to_run(self, elements, known):
        """The ops a run of `elements` runs when the `known` tensors are fed."""
        ops, stack = set(), list(elements)
        while stack:
            element = stack.pop()
            if isinstance(element, Tensor):
                if element in known:
                    continue
                if element.name in self.allowed_feeds:
                    raise _invalid(f"Fetch {element.name} can't be computed from the feeds "
                                   f"that have been fed so far.")
                element = element.op
            if element in ops:
                continue
            if element in self.ran:
                raise UnimplementedError(
                    None, element, f"partial_run: op {element.name} ran in an earlier part of "
                    f"this partial run and would run again (tensorweave keeps the values of "
                    f"stateful ops outside tf.cond and loops only)")
            ops.add(element)
            stack.extend(element.inputs)
            stack.extend(element.control_inputs)
        return ops


def _stateful_with_inputs(op):
    return op.op_def.stateful and bool(op.inputs)


def _keepable(op):
    """Whether a part keeps op's outputs: a stateful op with inputs (not an update of a
    variable, whose output is the variable) outside tf.cond branches and loops."""
    return (_stateful_with_inputs(op) and not op.op_def.ref_count(op.inputs)
            and loop_of(op) == (None, False))


def _invalid(message):
    return InvalidArgumentError(None, None, message)
