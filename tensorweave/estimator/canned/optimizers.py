"""Optimizer arguments of the canned estimators: a name, an Optimizer, or a callable."""
from tensorweave import train

_BY_NAME = {
    "Adagrad": train.AdagradOptimizer,
    "Adam": train.AdamOptimizer,
    "Ftrl": train.FtrlOptimizer,
    "RMSProp": train.RMSPropOptimizer,
    "SGD": train.GradientDescentOptimizer,
}


def get_optimizer_instance(opt, learning_rate=None):
    """`opt` as an Optimizer: names get `learning_rate`; callables are called without args."""
    if isinstance(opt, str):
        if opt not in _BY_NAME:
            raise ValueError(f"Unsupported optimizer name: {opt}. Supported names are: "
                             f"{tuple(sorted(_BY_NAME))}")
        if learning_rate is None:
            raise ValueError("learning_rate must be specified when opt is string.")
        return _BY_NAME[opt](learning_rate=learning_rate)
    if callable(opt) and not isinstance(opt, train.Optimizer):
        opt = opt()
    if not isinstance(opt, train.Optimizer):
        raise ValueError(f"The given object is not an Optimizer instance. Given: {opt}")
    return opt
