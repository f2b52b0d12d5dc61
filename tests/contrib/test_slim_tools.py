"""slim.model_analyzer and slim.summaries (outputs as TF-slim prints and names them)."""
import tensorweave as tf

slim = tf.contrib.slim


def test_model_analyzer_counts_and_prints(capsys):
    with tf.Graph().as_default() as graph:
        w = slim.model_variable("w", shape=[3, 4])
        b = tf.placeholder(tf.float32, [None, 2], name="ph")
        assert slim.model_analyzer.analyze_vars([w], print_info=True) == (12, 48)
        assert slim.model_analyzer.tensor_description(b) == "(float32 ?x2)"
        assert slim.model_analyzer.analyze_ops(graph) == sum(
            t.shape.num_elements() or 0 for op in graph.get_operations() for t in op.outputs)
    printed = capsys.readouterr().out.splitlines()
    assert printed[3] == "w:0 (float32 3x4) [12, bytes: 48]"
    assert printed[-2:] == ["Total size of variables: 12", "Total bytes of variables: 48"]


def test_summaries_names_prefixes_and_print():
    with tf.Graph().as_default():
        w = tf.constant([[0.0, 1.0], [0.0, 0.0]], name="w")
        printed = slim.summaries.add_scalar_summary(tf.reduce_sum(w, name="total"),
                                                    prefix="losses", print_summary=True)
        zeros = slim.summaries.add_zero_fraction_summary(w)
        hists = slim.summaries.add_histogram_summaries([w], prefix="h")
        assert printed.op.type == "Print"
        assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [printed, zeros] + hists
        with tf.Session() as sess:
            summary = tf.Summary.FromString(sess.run(tf.summary.merge([printed, zeros])))
        values = {v.tag: v.simple_value for v in summary.value}
        assert values == {"losses/total": 1.0, "w/Fraction_of_Zero_Values": 0.75}
