"""tf.keras.initializers as TF 1.15 has them: TF's initializer classes (with Keras' defaults
for the random ones), the Keras names and get/serialize/deserialize.

    init = tf.keras.initializers.get("glorot_uniform")
    w = tf.Variable(init((784, 10)))
"""
from tensorweave import init_ops
from tensorweave.core import dtypes
from tensorweave.keras.utils import generic_utils

Initializer = init_ops.Initializer


def _name(dtype):
    return dtypes.as_dtype(dtype).name


class Zeros(init_ops.Zeros):
    """All zeros."""

    def get_config(self):
        return {"dtype": _name(self.dtype)}


class Ones(init_ops.Ones):
    """All ones."""

    def get_config(self):
        return {"dtype": _name(self.dtype)}


class Constant(init_ops.Constant):
    """All `value`."""

    def get_config(self):
        value = self.value
        if hasattr(value, "tolist"):
            value = value.tolist()
        return {"value": value, "dtype": _name(self.dtype)}


class RandomNormal(init_ops.RandomNormal):
    """Normal draws; Keras' default stddev is 0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed,
                "dtype": _name(self.dtype)}


class RandomUniform(init_ops.RandomUniform):
    """Uniform draws; Keras' default range is [-0.05, 0.05)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(minval=minval, maxval=maxval, seed=seed, dtype=dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed,
                "dtype": _name(self.dtype)}


class TruncatedNormal(init_ops.TruncatedNormal):
    """Normal draws cut at two standard deviations; Keras' default stddev is 0.05."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(mean=mean, stddev=stddev, seed=seed, dtype=dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed,
                "dtype": _name(self.dtype)}


class VarianceScaling(init_ops.VarianceScaling):
    """Draws with variance scale / n (n = fan_in, fan_out or their mean)."""

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed, "dtype": _name(self.dtype)}


class Orthogonal(init_ops.Orthogonal):
    """A (gain-scaled) random orthogonal matrix."""

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed, "dtype": _name(self.dtype)}


class Identity(init_ops.Identity):
    """gain times the identity matrix (2D shapes only)."""

    def get_config(self):
        return {"gain": self.gain, "dtype": _name(self.dtype)}


class GlorotUniform(VarianceScaling):
    """Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed,
                         dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": _name(self.dtype)}


class GlorotNormal(VarianceScaling):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(scale=1.0, mode="fan_avg", distribution="truncated_normal", seed=seed,
                         dtype=dtype)

    def get_config(self):
        return {"seed": self.seed, "dtype": _name(self.dtype)}


def lecun_normal(seed=None):
    """Truncated normal with stddev sqrt(1 / fan_in)."""
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal",
                           seed=seed)


def lecun_uniform(seed=None):
    """Uniform in [-limit, limit], limit = sqrt(3 / fan_in)."""
    return VarianceScaling(scale=1.0, mode="fan_in", distribution="uniform", seed=seed)


def he_normal(seed=None):
    """Truncated normal with stddev sqrt(2 / fan_in)."""
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal",
                           seed=seed)


def he_uniform(seed=None):
    """Uniform in [-limit, limit], limit = sqrt(6 / fan_in)."""
    return VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform", seed=seed)


# Keras' lower-case names.
zero = zeros = Zeros
one = ones = Ones
constant = Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
identity = Identity
orthogonal = Orthogonal
glorot_normal = GlorotNormal
glorot_uniform = GlorotUniform

_OBJECTS = {name: value for name, value in dict(globals()).items()
            if not name.startswith("_") and (isinstance(value, type) or callable(value))
            and name not in ("Initializer", "dtypes", "init_ops", "generic_utils")}
# Files written by TF 2.x or standalone Keras name these classes too.
_OBJECTS.update({
    "HeNormal": he_normal, "HeUniform": he_uniform, "LecunNormal": lecun_normal,
    "LecunUniform": lecun_uniform, "ConstantV2": Constant, "ZerosV2": Zeros, "OnesV2": Ones,
    "GlorotUniformV2": GlorotUniform, "GlorotNormalV2": GlorotNormal,
})


def serialize(initializer):
    """{'class_name': ..., 'config': ...}."""
    return generic_utils.serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The initializer a config (or a name) describes."""
    if isinstance(config, dict) and config.get("class_name") in ("HeNormal", "HeUniform",
                                                                 "LecunNormal", "LecunUniform"):
        seed = (config.get("config") or {}).get("seed")
        return _OBJECTS[config["class_name"]](seed=seed)
    return generic_utils.deserialize_keras_object(
        config, module_objects=_OBJECTS, custom_objects=custom_objects,
        printable_module_name="initializer")


def get(identifier):
    """None -> None; a name or config -> that initializer; a callable -> itself."""
    return generic_utils.get_from_identifier(identifier, deserialize, "initializer")
