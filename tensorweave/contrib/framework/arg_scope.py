"""arg_scope: default keyword arguments for decorated functions, set for a block of code.

    with slim.arg_scope([slim.conv2d, slim.fully_connected], activation_fn=tf.nn.relu,
                        weights_regularizer=slim.l2_regularizer(0.0005)):
        net = slim.conv2d(images, 64, [3, 3], scope="conv1")

Only functions decorated with @add_arg_scope take part. Arguments given at the call win over the
scope's. A scope object (the dict `with arg_scope(...) as sc` yields) can be re-entered later:
`with arg_scope(sc): ...`. As in TF-slim the stack is one per process.
"""
import contextlib
import functools
import inspect

_ARG_STACK = [{}]  # each entry: {function key: {argument: value}}
_DECORATED = {}  # function key -> the names of its keyword arguments

__all__ = ["arg_scope", "add_arg_scope", "current_arg_scope", "has_arg_scope",
           "arg_scoped_arguments", "arg_scope_func_key"]


def arg_scope_func_key(op):
    """The key a function is known by in arg scopes."""
    return getattr(op, "_key_op", str(op))


def current_arg_scope():
    """The innermost scope: {function key: {argument: value}}."""
    return _ARG_STACK[-1]


@contextlib.contextmanager
def arg_scope(list_ops_or_scope, **kwargs):
    """Sets default `kwargs` for the functions in `list_ops_or_scope` (or re-enters a scope
    dict) for the block; yields the new scope dict."""
    if isinstance(list_ops_or_scope, dict):
        if kwargs:
            raise ValueError("When attempting to re-use a scope by suppling a dictionary, "
                             "kwargs must be empty.")
        scope = list_ops_or_scope.copy()
    else:
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope "
                            "(i.e. dict)")
        scope = current_arg_scope().copy()
        for op in list_ops_or_scope:
            if not has_arg_scope(op):
                raise ValueError(f"{_name_op(op)} is not decorated with @add_arg_scope")
            key = arg_scope_func_key(op)
            merged = dict(scope.get(key, {}))
            merged.update(kwargs)
            scope[key] = merged
    _ARG_STACK.append(scope)
    try:
        yield scope
    finally:
        _ARG_STACK.pop()


def _name_op(op):
    return (getattr(op, "__module__", None), getattr(op, "__name__", str(op)))


def _kwarg_names(func):
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return ()
    return tuple(p.name for p in parameters if p.default is not inspect.Parameter.empty)


def add_arg_scope(func):
    """Decorates `func` so that arg_scope can give it default arguments."""
    key = arg_scope_func_key(func)

    @functools.wraps(func)
    def func_with_args(*args, **kwargs):
        scope = current_arg_scope()
        if key in scope:
            merged = dict(scope[key])
            merged.update(kwargs)
            kwargs = merged
        return func(*args, **kwargs)
    _DECORATED[key] = _kwarg_names(func)
    func_with_args._key_op = key
    return func_with_args


def has_arg_scope(func):
    """True when `func` was decorated with add_arg_scope."""
    return arg_scope_func_key(func) in _DECORATED


def arg_scoped_arguments(func):
    """The keyword arguments of a decorated function that arg_scope can set."""
    if not has_arg_scope(func):
        raise ValueError(f"{_name_op(func)} is not decorated with @add_arg_scope")
    return list(_DECORATED[arg_scope_func_key(func)])
