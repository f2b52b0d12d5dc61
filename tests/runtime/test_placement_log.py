"""log_device_placement: like TF's placer, the first run logs every op of the graph (not only
the ops it runs), and the first run after the graph grew logs the whole graph again."""
import tensorweave as tf

_CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


def _logged(err):
    return [line.split(":")[0] for line in err.splitlines() if line.endswith(_CPU)]


def test_first_run_logs_the_whole_graph_and_growth_logs_it_again(capsys):
    a, b = tf.constant(1.0, name="a"), tf.constant(2.0, name="b")
    c = tf.add(a, b, name="c")
    d = tf.multiply(a, b, name="d")
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        assert sess.run(c) == 3.0
        assert sorted(_logged(capsys.readouterr().err)) == ["a", "b", "c", "d"]
        assert sess.run(d) == 2.0  # a new plan, but no new ops: nothing logged
        assert _logged(capsys.readouterr().err) == []
        e = tf.subtract(a, b, name="e")
        assert sess.run(c) == 3.0
        assert sorted(_logged(capsys.readouterr().err)) == ["a", "b", "c", "d", "e"]
        assert sess.run(e) == -1.0
        assert _logged(capsys.readouterr().err) == []
    assert "(Sub)" not in capsys.readouterr().err


def test_nothing_is_logged_without_the_option(capsys):
    c = tf.add(tf.constant(1.0), tf.constant(2.0))
    with tf.Session() as sess:
        sess.run(c)
    assert _logged(capsys.readouterr().err) == []
