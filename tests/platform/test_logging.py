"""tf.logging: the 'tensorflow' logger, verbosity, TF's format and the counted helpers."""

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tensorweave.platform import tf_logging

REPO_ROOT = Path(__file__).resolve().parents[2]


class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def records():
    """Records the 'tensorflow' logger emits at INFO and above during one test."""
    logger = tf_logging.get_logger()
    level = logger.level
    handler = _ListHandler()
    logger.addHandler(handler)
    tf_logging.set_verbosity(tf_logging.INFO)
    yield handler.records
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_constants_are_python_logging_levels():
    assert (tf_logging.DEBUG, tf_logging.INFO, tf_logging.WARN, tf_logging.ERROR,
            tf_logging.FATAL) == (10, 20, 30, 40, 50)


def test_logger_is_named_tensorflow():
    assert tf_logging.get_logger() is logging.getLogger('tensorflow')


def _fresh_process(program):
    done = subprocess.run([sys.executable, '-c', textwrap.dedent(program)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def test_own_handler_and_no_second_copy_through_a_later_root_handler():
    done = _fresh_process("""
        import logging, sys
        from tensorweave.platform import tf_logging
        tf_logging.warning('before')
        logging.basicConfig(stream=sys.stdout, format='root:%(message)s')
        tf_logging.warning('after')
    """)
    assert done.stderr == 'WARNING:tensorflow:before\nWARNING:tensorflow:after\n'
    assert done.stdout == ''


def test_first_use_after_the_root_is_configured_logs_through_the_root():
    # as under tf.app.run: absl puts its handler on the root logger before main runs
    done = _fresh_process("""
        import logging, sys
        logging.basicConfig(stream=sys.stdout, format='root:%(levelname)s:%(message)s')
        from tensorweave.platform import tf_logging
        tf_logging.set_verbosity(tf_logging.INFO)
        tf_logging.info('shown %d', 1)
    """)
    assert done.stdout == 'root:INFO:shown 1\n'
    assert done.stderr == ''


def test_set_and_get_verbosity(records):
    tf_logging.set_verbosity(tf_logging.ERROR)
    assert tf_logging.get_verbosity() == tf_logging.ERROR
    tf_logging.warning('dropped')
    tf_logging.error('kept %s', 'this')
    assert [record.getMessage() for record in records] == ['kept this']


def test_every_level_function(records):
    tf_logging.set_verbosity(tf_logging.DEBUG)
    tf_logging.debug('d')
    tf_logging.info('i')
    tf_logging.warn('w')
    tf_logging.warning('w2')
    tf_logging.error('e')
    tf_logging.fatal('f')
    tf_logging.log(tf_logging.INFO, 'l %d', 1)
    assert [(record.levelno, record.getMessage()) for record in records] == [
        (10, 'd'), (20, 'i'), (30, 'w'), (30, 'w2'), (40, 'e'), (50, 'f'), (20, 'l 1')]


def test_records_point_at_the_callers_line(records):
    tf_logging.info('where')
    assert records[0].pathname == __file__ and records[0].funcName == (
        'test_records_point_at_the_callers_line')


def test_log_every_n_and_first_n(records):
    for i in range(10):
        tf_logging.log_every_n(tf_logging.INFO, 'every %d', 3, i)
    for i in range(10):
        tf_logging.log_first_n(tf_logging.INFO, 'first %d', 2, i)
    assert [record.getMessage() for record in records] == [
        'every 0', 'every 3', 'every 6', 'every 9', 'first 0', 'first 1']


def test_default_verbosity_and_format_in_a_fresh_process():
    program = textwrap.dedent("""
        from tensorweave.platform import tf_logging as logging
        print(logging.get_verbosity())
        logging.info('hidden')
        logging.warning('careful %d', 1)
        logging.set_verbosity(logging.INFO)
        logging.info('shown')
    """)
    done = subprocess.run([sys.executable, '-c', program], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == '30\n'
    assert done.stderr == 'WARNING:tensorflow:careful 1\nINFO:tensorflow:shown\n'
