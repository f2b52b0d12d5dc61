"""tf.keras.wrappers.scikit_learn: KerasClassifier and KerasRegressor, the scikit-learn
estimator interface (fit/predict/score/get_params/set_params) around a function that builds a
compiled Keras model, as TF 1.15 has it. scikit-learn itself is not needed.

    clf = KerasClassifier(build_fn=make_model, epochs=5, batch_size=32, verbose=0)
    cross_val_score(clf, x, y, cv=3)   # with scikit-learn installed
"""
import copy
import inspect
import types

import numpy as np

from tensorweave.keras.engine.sequential import Sequential
from tensorweave.keras.engine.training import Model
from tensorweave.keras import losses
from tensorweave.keras.utils.np_utils import to_categorical


class BaseWrapper:
    """Keeps `build_fn` and `sk_params`; each fit builds a fresh model with the parameters
    build_fn takes and fits it with the ones Model.fit takes."""

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_callable(self):
        if self.build_fn is None:
            return self.__call__
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn.__call__
        return self.build_fn

    def check_params(self, params):
        """Raises ValueError for a parameter that neither Keras's fit/predict/evaluate nor
        build_fn takes."""
        legal = [Sequential.fit, Sequential.predict, Sequential.evaluate,
                 self._build_callable()]
        if isinstance(self, KerasClassifier):
            legal.append(Sequential.predict_classes)
        for name in params:
            if not any(_takes(fn, name) for fn in legal) and name != "nb_epoch":
                raise ValueError(f"{name} is not a legal parameter")

    def get_params(self, **params):  # noqa: ARG002 - scikit-learn passes deep=
        result = copy.deepcopy(self.sk_params)
        result.update({"build_fn": self.build_fn})
        return result

    def set_params(self, **params):
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def fit(self, x, y, **kwargs):
        """Builds a new model and fits it; returns the History."""
        build = self._build_callable()
        self.model = build(**self.filter_sk_params(build))
        loss = getattr(self.model, "loss", None)
        if is_categorical_crossentropy(loss) and len(np.shape(y)) != 2:
            y = to_categorical(y)
        fit_args = copy.deepcopy(self.filter_sk_params(Sequential.fit))
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    def filter_sk_params(self, fn, override=None):
        """The sk_params (then `override`) that `fn` takes by name."""
        override = override or {}
        out = {name: value for name, value in self.sk_params.items() if _takes(fn, name)}
        out.update({name: value for name, value in override.items() if _takes(fn, name)})
        return out


def is_categorical_crossentropy(loss):
    """Whether `loss` (a name, function or Loss object) is categorical cross-entropy."""
    return (loss == "categorical_crossentropy"
            or isinstance(loss, losses.CategoricalCrossentropy)
            or getattr(loss, "__name__", None) == "categorical_crossentropy"
            or getattr(loss, "fn", None) is losses.categorical_crossentropy)


def _takes(fn, name):
    try:
        return name in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def _predict_classes(model, x, **kwargs):
    probabilities = model.predict(x, **kwargs)
    if probabilities.shape[-1] > 1:
        return probabilities.argmax(axis=-1)
    return (probabilities > 0.5).astype("int32")


class KerasClassifier(BaseWrapper):
    """scikit-learn's classifier interface: labels may be any values (classes_ keeps them)."""

    def fit(self, x, y, sample_weight=None, **kwargs):
        y = np.array(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError(f"Invalid shape for y: {y.shape}")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """The predicted labels (values of classes_)."""
        kwargs = self.filter_sk_params(Sequential.predict_classes, kwargs)
        return self.classes_[_predict_classes(self.model, x, **kwargs)].reshape(-1)

    def predict_proba(self, x, **kwargs):
        """Class probabilities; a single sigmoid output becomes two columns [1 - p, p]."""
        kwargs = self.filter_sk_params(Sequential.predict_proba, kwargs)
        probabilities = self.model.predict(x, **kwargs)
        if probabilities.shape[1] == 1:
            probabilities = np.hstack([1 - probabilities, probabilities])
        return probabilities

    def score(self, x, y, **kwargs):
        """The model's accuracy on (x, y); the model must be compiled with an accuracy
        metric."""
        y = np.searchsorted(self.classes_, y)
        kwargs = self.filter_sk_params(Model.evaluate, kwargs)
        if is_categorical_crossentropy(getattr(self.model, "loss", None)) and \
                len(np.shape(y)) != 2:
            y = to_categorical(y)
        outputs = self.model.evaluate(x, y, **kwargs)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for name, output in zip(self.model.metrics_names, outputs):
            if name in ("accuracy", "acc"):
                return output
        raise ValueError("The model is not configured to compute accuracy. You should pass "
                         "`metrics=[\"accuracy\"]` to the `model.compile()` method.")


class KerasRegressor(BaseWrapper):
    """scikit-learn's regressor interface; score is the negated loss."""

    def predict(self, x, **kwargs):
        kwargs = self.filter_sk_params(Sequential.predict, kwargs)
        return np.squeeze(self.model.predict(x, **kwargs))

    def score(self, x, y, **kwargs):
        kwargs = self.filter_sk_params(Model.evaluate, kwargs)
        loss = self.model.evaluate(x, y, **kwargs)
        return -loss[0] if isinstance(loss, list) else -loss
