"""TF's tf_decorator helpers (exposed as tf.flags.tf_decorator): decorators that keep the
decorated function's name, docs and signature visible, and can be unwrapped.

    def log_calls(fn):
        def wrapper(*args, **kwargs):
            return fn(*args, **kwargs)
        return tf_decorator.make_decorator(fn, wrapper)
"""
import functools
import inspect
from typing import Any, Dict  # noqa: F401 - tf_decorator's module exposes these names


class TFDecorator:
    """A callable wrapping `decorated_target`, remembering the decorator's name and docs."""

    def __init__(self, decorator_name, target, decorator_doc="", decorator_argspec=None):
        self._decorated_target = target
        self._decorator_name = decorator_name
        self._decorator_doc = decorator_doc
        self._decorator_argspec = decorator_argspec
        functools.update_wrapper(self, target, updated=())
        self.__wrapped__ = target

    decorated_target = property(lambda self: self._decorated_target)
    decorator_name = property(lambda self: self._decorator_name)
    decorator_doc = property(lambda self: self._decorator_doc)
    decorator_argspec = property(lambda self: self._decorator_argspec)

    def __get__(self, instance, owner):
        return self._decorated_target.__get__(instance, owner)

    def __call__(self, *args, **kwargs):
        return self._decorated_target(*args, **kwargs)


def make_decorator(target, decorator_func, decorator_name=None, decorator_doc="",
                   decorator_argspec=None):
    """`decorator_func` made to look like `target` (name, docs, signature) and to unwrap to
    it; returns `decorator_func`."""
    name = decorator_name or inspect.currentframe().f_back.f_code.co_name
    functools.update_wrapper(decorator_func, target)
    decorator_func.__wrapped__ = target
    decorator_func._tf_decorator = TFDecorator(name, target, decorator_doc,  # noqa: SLF001
                                               decorator_argspec)
    return decorator_func


def unwrap(maybe_tf_decorator):
    """([the TFDecorators found, outermost first], the innermost target)."""
    decorators = []
    current = maybe_tf_decorator
    while True:
        found = current if isinstance(current, TFDecorator) else getattr(
            current, "_tf_decorator", None)
        if not isinstance(found, TFDecorator):
            return decorators, current
        decorators.append(found)
        current = found.decorated_target


def rewrap(decorator_func, previous_target, new_target):
    """Replaces `previous_target` inside the decorator chain of `decorator_func` with
    `new_target`; returns the (outermost) decorator."""
    decorators, _ = unwrap(decorator_func)
    for decorator in decorators:
        if decorator.decorated_target is previous_target:
            decorator._decorated_target = new_target  # noqa: SLF001 - its own field
            return decorator_func
    return new_target if decorator_func is previous_target else decorator_func


def fullargspec_to_signature(fullargspec):
    """An inspect.Signature equal to `fullargspec` (an inspect.FullArgSpec)."""
    defaults = fullargspec.defaults or ()
    positional = fullargspec.args
    first_default = len(positional) - len(defaults)
    parameters = [inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
        default=defaults[i - first_default] if i >= first_default else inspect.Parameter.empty)
        for i, name in enumerate(positional)]
    if fullargspec.varargs:
        parameters.append(inspect.Parameter(fullargspec.varargs,
                                            inspect.Parameter.VAR_POSITIONAL))
    for name in fullargspec.kwonlyargs:
        default = (fullargspec.kwonlydefaults or {}).get(name, inspect.Parameter.empty)
        parameters.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                            default=default))
    if fullargspec.varkw:
        parameters.append(inspect.Parameter(fullargspec.varkw, inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(parameters)
