"""TF1's `tf.logging`: Python logging through a logger named 'tensorflow'.

    tf.logging.set_verbosity(tf.logging.INFO)
    tf.logging.info('step %d: loss = %.2f', step, loss)   # INFO:tensorflow:step 10: loss = 0.31

As in TF 1.15 the default verbosity is inherited from the root logger (WARN unless configured),
and messages go to stderr (stdout and INFO in an interactive shell) unless the root logger
already has handlers.
"""

import logging
import os
import sys
import threading
import traceback
from logging import DEBUG, ERROR, FATAL, INFO, WARN  # noqa: F401  (re-exported as tf.logging.*)

_logger = None
_logger_lock = threading.Lock()
_THIS_FILE = os.path.normcase(__file__)
_SKIPPED_FILES = (_THIS_FILE, os.path.normcase(logging.__file__))


def _user_frame():
    """The innermost stack frame outside this module and the logging package."""
    frame = sys._getframe(1)
    while frame is not None and os.path.normcase(frame.f_code.co_filename) in _SKIPPED_FILES:
        frame = frame.f_back
    return frame


def _find_user_caller(stack_info=False, stacklevel=1):
    """Logger.findCaller that reports the user's line instead of this module's wrappers."""
    frame = _user_frame()
    if frame is None:
        return '(unknown file)', 0, '(unknown function)', None
    stack = ''.join(traceback.format_stack(frame)) if stack_info else None
    return frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, stack


def _is_interactive():
    return hasattr(sys, 'ps1') or bool(sys.flags.interactive)


def get_logger():
    """The 'tensorflow' logger; on first use it gets its own stream handler, unless the root
    logger has handlers already (absl's under tf.app.run): its records then go to those."""
    global _logger
    if _logger is not None:
        return _logger
    with _logger_lock:
        if _logger is None:
            logger = logging.getLogger('tensorflow')
            logger.findCaller = _find_user_caller
            if not logging.getLogger().handlers:
                stream = sys.stderr
                if _is_interactive():
                    logger.setLevel(INFO)
                    stream = sys.stdout
                handler = logging.StreamHandler(stream)
                handler.setFormatter(logging.Formatter(logging.BASIC_FORMAT))
                logger.addHandler(handler)
                # its own handler prints; a root handler added later (absl's, logging's
                # basicConfig) would print every record again
                logger.propagate = False
            _logger = logger
    return _logger


def log(level, msg, *args, **kwargs):
    get_logger().log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    get_logger().debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs):
    get_logger().info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs):
    get_logger().warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs):
    get_logger().error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs):
    """Logs at FATAL; like TF's, it does not exit."""
    get_logger().critical(msg, *args, **kwargs)


vlog = log


def TaskLevelStatusMessage(msg):  # pylint: disable=invalid-name
    error(msg)


def flush():
    for handler in get_logger().handlers:
        handler.flush()


def log_if(level, msg, condition, *args):
    """Logs `msg % args` at `level` when `condition` holds."""
    if condition:
        log(level, msg, *args)


_calls_per_site = {}


def _count_call_site():
    """How many times the calling user line has asked before (0 on its first call)."""
    frame = _user_frame()
    site = (frame.f_code.co_filename, frame.f_lineno) if frame is not None else ('<unknown>', 0)
    count = _calls_per_site.get(site, 0)
    _calls_per_site[site] = count + 1
    return count


def log_every_n(level, msg, n, *args):
    """Logs on the 1st, (n+1)th, (2n+1)th ... call from the same source line."""
    log_if(level, msg, _count_call_site() % n == 0, *args)


def log_first_n(level, msg, n, *args):
    """Logs only the first `n` calls from the same source line."""
    log_if(level, msg, _count_call_site() < n, *args)


def get_verbosity():
    """The logging threshold in effect (logging.WARN = 30 by default)."""
    return get_logger().getEffectiveLevel()


def set_verbosity(v):
    """Sets the threshold: messages below level `v` are dropped."""
    get_logger().setLevel(v)
