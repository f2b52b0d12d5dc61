"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot) and
their functional forms."""
from tensorweave.core.tensor_shape import TensorShape
from tensorweave.keras import backend as K
from tensorweave.keras.engine import tfops as T
from tensorweave.keras.engine.base_layer import Layer


class _Merge(Layer):
    """Combines a list of tensors of the same shape elementwise."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2:
            raise ValueError("A merge layer should be called on a list of at least 2 inputs. "
                             f"Got {len(input_shape) if isinstance(input_shape, list) else 1}"
                             " inputs.")
        self.built = True

    def call(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = self._merge(out, x)
        return out

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = [T.expand_dims(m, 0) for m in mask if m is not None]
        return T.reduce_all(T.cast(T.concat(masks, 0), "bool"), axis=0)

    def compute_output_shape(self, input_shape):
        return input_shape[0]


class Add(_Merge):
    def _merge(self, a, b):
        return T.add(a, b)


class Subtract(_Merge):
    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs")

    def call(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs")
        return T.subtract(inputs[0], inputs[1])


class Multiply(_Merge):
    def _merge(self, a, b):
        return T.multiply(a, b)


class Maximum(_Merge):
    def _merge(self, a, b):
        return T.maximum(a, b)


class Minimum(_Merge):
    def _merge(self, a, b):
        return T.minimum(a, b)


class Average(_Merge):
    def call(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = T.add(out, x)
        return out / len(inputs)


class Concatenate(_Merge):
    """Concatenates along `axis`."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 2:
            raise ValueError("A `Concatenate` layer should be called on a list of at least 2 "
                             "inputs")
        shapes = [TensorShape(s).as_list() for s in input_shape]
        reduced = []
        for s in shapes:
            s = list(s)
            del s[self.axis]
            reduced.append(s)
        for s in reduced[1:]:
            for a, b in zip(s, reduced[0]):
                if a is not None and b is not None and a != b:
                    raise ValueError(f"A `Concatenate` layer requires inputs with matching "
                                     f"shapes except for the concat axis. Got inputs shapes: "
                                     f"{[tuple(x) for x in shapes]}")
        self.built = True

    def call(self, inputs):
        return T.concat(list(inputs), axis=self.axis)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(T.ones_like(x, dtype="bool"))
            elif TensorShape(m.shape).ndims < TensorShape(x.shape).ndims:
                masks.append(T.expand_dims(m, -1))
            else:
                masks.append(m)
        return T.reduce_all(T.concat(masks, axis=self.axis), axis=-1)

    def compute_output_shape(self, input_shape):
        shapes = [TensorShape(s).as_list() for s in input_shape]
        out = list(shapes[0])
        for s in shapes[1:]:
            if out[self.axis] is None or s[self.axis] is None:
                out[self.axis] = None
                break
            out[self.axis] += s[self.axis]
        return TensorShape(out)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot product of two tensors over `axes` (optionally L2-normalized first)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def build(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs.")
        self.built = True

    def _axes_for(self, x1, x2):
        axes = self.axes if isinstance(self.axes, (list, tuple)) else [self.axes] * 2
        n1, n2 = TensorShape(x1.shape).ndims, TensorShape(x2.shape).ndims
        return [a % n if a < 0 else a for a, n in zip(axes, (n1, n2))]

    def call(self, inputs):
        x1, x2 = inputs
        axes = self._axes_for(x1, x2)
        if self.normalize:
            x1 = T.nn_ops.l2_normalize(x1, axis=axes[0])
            x2 = T.nn_ops.l2_normalize(x2, axis=axes[1])
        return K.batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        s1, s2 = [list(TensorShape(s).as_list()) for s in input_shape]
        axes = self.axes if isinstance(self.axes, (list, tuple)) else [self.axes] * 2
        axes = [a % len(s) if a < 0 else a for a, s in zip(axes, (s1, s2))]
        s1.pop(axes[0])
        s2.pop(axes[1])
        s2.pop(0)
        shape = s1 + s2
        if len(shape) == 1:
            shape += [1]
        return TensorShape(shape)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
