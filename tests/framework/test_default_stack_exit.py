"""Default graph/session contexts entered and never left print nothing at interpreter exit."""
import subprocess
import sys

import tensorweave as tf

SCRIPT = """
import tensorweave as tf
sess = tf.InteractiveSession()            # enters its graph and stays default
print(tf.constant(3).eval() + 39)
g = tf.Graph()
g.as_default().__enter__()                # a program's own never-left default graph
tf.Session(graph=g).as_default().__enter__()
"""


def test_never_left_contexts_are_silent_at_exit():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "42"
    assert "Exception ignored" not in done.stderr, done.stderr


def test_graph_and_session_contexts_nest_and_unwind():
    outer, inner = tf.Graph(), tf.Graph()
    with outer.as_default():
        with inner.as_default() as entered:
            assert entered is inner and tf.get_default_graph() is inner
        assert tf.get_default_graph() is outer
        sess = tf.Session(graph=outer)
        with sess.as_default() as s:
            assert s is sess and tf.get_default_session() is sess
        assert tf.get_default_session() is not sess
        sess.close()
    assert tf.get_default_graph() is not outer


def test_interactive_session_close_restores_the_default_graph():
    before = tf.get_default_graph()
    g = tf.Graph()
    sess = tf.InteractiveSession(graph=g)
    assert tf.get_default_graph() is g and tf.get_default_session() is sess
    sess.close()
    assert tf.get_default_graph() is before and tf.get_default_session() is None
