"""TF1's `tf.flags` (also `tf.app.flags`): absl.flags with TF 1.x's two conveniences.

    tf.app.flags.DEFINE_integer('max_steps', 2000, 'Number of steps to run trainer.')
    FLAGS = tf.app.flags.FLAGS
    print(FLAGS.max_steps)    # parses sys.argv on this first read when tf.app.run has not

1. DEFINE_string/integer/float/boolean also take TF's old keyword names
   (flag_name, default_value, docstring), with a deprecation warning.
2. Reading a flag before the command line is parsed parses sys.argv first, where absl would
   raise. Arguments no flag claims are left alone (as in `tf.app.run`), so a stray `-f` from a
   notebook kernel does not break the program.
"""

import functools
import sys

from absl.flags import *  # noqa: F401,F403  pylint: disable=wildcard-import
from absl import flags as _absl_flags

from tensorweave.platform import tf_logging as _tf_logging
from tensorweave.util import tf_decorator  # noqa: F401 - TF's flags module exposes it

# Flags defined through the wrappers below belong to the caller's module, not this one.
_absl_flags.disclaim_key_flags()

_OLD_KEYWORDS = {'flag_name': 'name', 'default_value': 'default', 'docstring': 'help'}


def _accepting_old_keywords(define):
    """`define` that also takes TF's pre-absl keyword names."""

    @functools.wraps(define)
    def define_accepting_old_keywords(*args, **kwargs):
        if any(keyword in _OLD_KEYWORDS for keyword in kwargs):
            _tf_logging.warning('Use of the keyword argument names (flag_name, default_value, '
                                'docstring) is deprecated, please use (name, default, help) '
                                'instead.')
            kwargs = {_OLD_KEYWORDS.get(key, key): value for key, value in kwargs.items()}
        return define(*args, **kwargs)

    return define_accepting_old_keywords


DEFINE_string = _accepting_old_keywords(_absl_flags.DEFINE_string)
DEFINE_boolean = _accepting_old_keywords(_absl_flags.DEFINE_boolean)
DEFINE_bool = DEFINE_boolean
DEFINE_float = _accepting_old_keywords(_absl_flags.DEFINE_float)
DEFINE_integer = _accepting_old_keywords(_absl_flags.DEFINE_integer)


class AutoParsingFlagValues:
    """absl FlagValues whose first read of a flag parses sys.argv (known flags only)."""

    def __init__(self, flag_values):
        object.__setattr__(self, '_flag_values', flag_values)

    def __getattr__(self, name):
        flag_values = self._flag_values
        if name in flag_values and not flag_values.is_parsed():
            flag_values(sys.argv or [''], known_only=True)
        return getattr(flag_values, name)

    def __setattr__(self, name, value):
        setattr(self._flag_values, name, value)

    def __delattr__(self, name):
        delattr(self._flag_values, name)

    def __dir__(self):
        return dir(self._flag_values)

    def __getitem__(self, name):
        return self._flag_values[name]

    def __setitem__(self, name, flag):
        self._flag_values[name] = flag

    def __contains__(self, name):
        return name in self._flag_values

    def __len__(self):
        return len(self._flag_values)

    def __iter__(self):
        return iter(self._flag_values)

    def __str__(self):
        return str(self._flag_values)

    def __call__(self, *args, **kwargs):
        return self._flag_values(*args, **kwargs)


FLAGS = AutoParsingFlagValues(_absl_flags.FLAGS)
