"""What a Session owns: variable values and random streams (never stored in the Graph)."""
import os

import numpy as np

from tensorweave.core.errors import FailedPreconditionError, InvalidArgumentError
from tensorweave.ops.philox import SeededStream
from tensorweave.runtime.blocking import BlockingResources


class SessionState:
    """Variable values by key, random generators by op, and library resources by name."""

    def __init__(self, variants=True):
        self.variables = {}
        self.generators = {}
        self.streams = {}
        # TF's default intra-op thread count: its multinomial kernel's stream depends on it
        self.intra_op_threads = schedulable_cpus()
        self.resources = {}
        self.blocking = BlockingResources()  # queues and readers (runtime/blocking.py)
        self.variants = variants  # whether Plans run over this state may use speed variants

    def close(self):
        """Ends the waits of blocked queue and reader ops (they raise CancelledError)."""
        self.blocking.cancel_all()

    @property
    def collectives(self):
        """The process's collective engine (runtime/collectives.py) the MPI op kernels call;
        FailedPreconditionError before hvd.init()."""
        from tensorweave.runtime import collectives  # MPI programs only: not at import
        return collectives.world()

    def read_variable(self, key):
        try:
            return self.variables[key]
        except KeyError:
            raise FailedPreconditionError(
                None, None, f"Attempting to use uninitialized value {key}") from None

    def has_variable(self, key):
        return key in self.variables

    def write_variable(self, key, value, validate_shape=True, copy=True):
        """Stores a copy of `value` as the variable's value (`value` itself with copy=False:
        an array nothing else holds)."""
        current = self.variables.get(key)
        if validate_shape and current is not None and current.shape != np.shape(value):
            raise InvalidArgumentError(
                None, None, f"Assign requires shapes of both tensors to match. lhs shape= "
                f"{list(current.shape)} rhs shape= {list(np.shape(value))}")
        stored = np.array(value, copy=True) if copy else value
        self.variables[key] = stored
        return stored

    def adopt_variable(self, key, value):
        """Makes `value`, an array only the caller holds, the variable's value in place of its
        current buffer when that has `value`'s shape and dtype and nothing but this state holds
        it, so no reader can tell it from TF's copy into that buffer; whether it did."""
        from tensorweave.runtime.accel import in_place  # loaded: only its Assign form calls
        current = self.variables.get(key)
        fits = (current.__class__ is np.ndarray and current.shape == value.shape
                and current.dtype == value.dtype and current.flags.owndata)
        current = None  # a local reference would count as a holder
        if not (fits and in_place.held_only_by(self.variables, key)):
            return False
        self.variables[key] = value
        return True

    def random_generator(self, op_name, seed, seed2):
        """The op's own stream: deterministic from (seed, seed2) unless both are 0."""
        rng = self.generators.get(op_name)
        if rng is None:
            rng = np.random.default_rng([seed, seed2] if (seed or seed2) else None)
            self.generators[op_name] = rng
        return rng

    def random_stream(self, op_name, seed, seed2):
        """The op's Philox stream, TensorFlow's GuardedPhiloxRandom: seeded (seed, seed2), or
        from fresh entropy when both are 0. Each run reserves the calls it reads."""
        stream = self.streams.get(op_name)
        if stream is None:
            if not (seed or seed2):
                seed, seed2 = (int.from_bytes(os.urandom(8), "little") for _ in range(2))
            stream = self.streams[op_name] = SeededStream(seed, seed2)
        return stream


def schedulable_cpus():
    """The cores this process may run on (its affinity mask: one under mpirun's binding)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
