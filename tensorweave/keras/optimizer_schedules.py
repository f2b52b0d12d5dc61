"""tf.keras.optimizers.schedules: learning rates as functions of the step.

    lr = tf.keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.9)
    opt = tf.keras.optimizers.SGD(learning_rate=lr)
"""
from tensorweave.keras.utils import generic_utils
from tensorweave.train import learning_rate_decay as decay


class LearningRateSchedule:
    """A callable `schedule(step) -> learning rate tensor`, serializable by its config."""

    def __call__(self, step):
        raise NotImplementedError("Learning rate schedule must override __call__")

    def get_config(self):
        raise NotImplementedError("Learning rate schedule must override get_config")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _Decay(LearningRateSchedule):
    """A schedule computed by `_decay`, one of tf.train's decay functions, from the initial
    learning rate, the step and the constructor's other arguments (all of them its config)."""

    def _keep(self, arguments):
        """Keeps the constructor's `arguments` (its locals()) as attributes and config keys."""
        self._config_keys = [key for key in arguments if key not in ("self", "__class__")]
        for key in self._config_keys:
            setattr(self, key, arguments[key])

    def __call__(self, step):
        config = self.get_config()
        return self._decay(config.pop("initial_learning_rate"), step, **config)

    def get_config(self):
        return {key: getattr(self, key) for key in self._config_keys}


class ExponentialDecay(_Decay):
    """initial * decay_rate ** (step / decay_steps) (floored with staircase)."""
    _decay = staticmethod(decay.exponential_decay)

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self._keep(locals())


class PiecewiseConstantDecay(_Decay):
    """values[i] while step is in the i-th interval between boundaries."""

    def __init__(self, boundaries, values, name=None):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of "
                             "values")
        self._keep(locals())

    def __call__(self, step):
        return decay.piecewise_constant(step, self.boundaries, self.values, name=self.name)


class PolynomialDecay(_Decay):
    """From initial to end_learning_rate along (1 - step / decay_steps) ** power."""
    _decay = staticmethod(decay.polynomial_decay)

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name=None):
        self._keep(locals())


class InverseTimeDecay(_Decay):
    """initial / (1 + decay_rate * step / decay_steps)."""
    _decay = staticmethod(decay.inverse_time_decay)

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self._keep(locals())


class CosineDecay(_Decay):
    """Cosine decay from initial to alpha * initial over decay_steps."""
    _decay = staticmethod(decay.cosine_decay)

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None):
        self._keep(locals())


class CosineDecayRestarts(_Decay):
    """Cosine decay with warm restarts (SGDR)."""
    _decay = staticmethod(decay.cosine_decay_restarts)

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name=None):
        self._keep(locals())


_OBJECTS = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
                                     InverseTimeDecay, CosineDecay, CosineDecayRestarts)}


def serialize(learning_rate_schedule):
    return generic_utils.serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    return generic_utils.deserialize_keras_object(
        config, module_objects=_OBJECTS, custom_objects=custom_objects,
        printable_module_name="decay")
