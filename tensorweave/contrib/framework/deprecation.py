"""contrib.framework's deprecation decorators, as TF 1.15's tensorflow.python.util.deprecation
has them: calling a decorated function (or passing a deprecated argument, or an argument value)
logs TF's notice once, then calls it as it is.

    @tf.contrib.framework.deprecated("2018-01-01", "Use g instead.")
    def f(x): ...
"""
import functools
import inspect
import sys

from tensorweave.platform import tf_logging as logging

__all__ = ["deprecated", "deprecated_arg_values", "deprecated_args"]


def _removal(date):
    return "in a future version" if date is None else f"after {date}"


def _notice(func, what, date, instructions):
    """TF's notice, naming the caller's file and line."""
    caller = sys._getframe(2)
    return (f"From {caller.f_code.co_filename}:{caller.f_lineno}: {what} is deprecated and "
            f"will be removed {_removal(date)}.\nInstructions for updating:\n{instructions}")


def _check(date, instructions):
    if not instructions:
        raise ValueError("Don't deprecate things without conversion instructions!")
    if date is not None and (len(date) != 10 or date[4] != "-" or date[7] != "-"):
        raise ValueError(f"Date must be YYYY-MM-DD, got {date!r}.")


def deprecated(date, instructions, warn_once=True):
    """Decorates a function or class so that calling it logs TF's deprecation notice."""
    _check(date, instructions)

    def decorate(func):
        warned = []

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if not (warn_once and warned):
                warned.append(True)
                logging.warning(_notice(func, f"{func.__qualname__} (from {func.__module__})",
                                        date, instructions))
            return func(*args, **kwargs)
        wrapper.__doc__ = f"{func.__doc__ or ''}\n\nTHIS FUNCTION IS DEPRECATED. It will be " \
                          f"removed {_removal(date)}.\nInstructions for updating:\n{instructions}"
        return wrapper
    return decorate


def deprecated_args(date, instructions, *deprecated_arg_names_or_tuples, warn_once=True):
    """Decorates a function whose named arguments are deprecated: passing one (or, for a
    (name, value) tuple, passing that value) logs TF's notice."""
    _check(date, instructions)
    if not deprecated_arg_names_or_tuples:
        raise ValueError("Specify which argument is deprecated.")
    specs = [(a, None, False) if isinstance(a, str) else (a[0], a[1], True)
             for a in deprecated_arg_names_or_tuples]

    def decorate(func):
        signature = inspect.signature(func)
        missing = [name for name, _, _ in specs if name not in signature.parameters]
        if missing:
            raise ValueError(f"The following deprecated arguments are not present in the "
                             f"function signature: {missing}")
        warned = set()

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs).arguments
            for name, value, by_value in specs:
                used = name in bound and (not by_value or bound[name] == value)
                if used and not (warn_once and name in warned):
                    warned.add(name)
                    given = f"{name}={value}" if by_value else name
                    logging.warning(_notice(func, f"calling {func.__qualname__} (from "
                                                  f"{func.__module__}) with {given}",
                                            date, instructions))
            return func(*args, **kwargs)
        return wrapper
    return decorate


def deprecated_arg_values(date, instructions, warn_once=True, **deprecated_kwargs):
    """Decorates a function some of whose argument values are deprecated (name=value)."""
    return deprecated_args(date, instructions, *deprecated_kwargs.items(), warn_once=warn_once)
