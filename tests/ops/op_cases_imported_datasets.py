"""Op-table rows of TensorFlow's dataset ops that run from imported graphs, and of its function
calls: each op type is checked by running a .meta TensorFlow wrote that holds it (fixtures of
tests/fixtures/make_tf_data_graphs_fixture.py) against TensorFlow's elements or outputs."""
import importlib.util
import pathlib

import numpy as np

from tensorweave.train import meta_graph

_TEST = pathlib.Path(__file__).parents[1] / "data" / "test_imported_dataset_ops.py"
_spec = importlib.util.spec_from_file_location("imported_dataset_checks", _TEST)
checks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checks)


def _pipeline(name):
    def check():  # seeded shuffles included: they give TF's order
        got, want = checks._run_pipeline(name), checks._expected(name)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            for a, b in zip(g, w):
                checks._same(a, b)
    return check


def _training():
    _, losses = checks._train("train")
    np.testing.assert_allclose(losses, checks.MANIFEST["train"]["losses"], rtol=1e-5)


def _function_calls():
    checks.test_function_calls_give_tensorflow_outputs()


# op type -> the fixture that holds it (in its graph or in a function of its library)
_WHERE = {
    "MapDataset": "map_filter", "FilterDataset": "map_filter",
    "FlatMapDataset": "flat_map_interleave", "InterleaveDataset": "flat_map_interleave",
    "ShuffleDataset": "shuffle_repeat_batch",
    "ShuffleAndRepeatDataset": "shuffle_and_repeat",
    "PaddedBatchDatasetV2": "padded_batch",
    "ZipDataset": "zip_concat_cache", "ConcatenateDataset": "zip_concat_cache",
    "CacheDataset": "zip_concat_cache", "ShardDataset": "zip_concat_cache",
    "UnbatchDataset": "unbatch_skip_take",
    "ParallelMapDatasetV2": "parallel", "MapAndBatchDataset": "parallel",
    "ParallelInterleaveDatasetV4": "parallel",
    "LegacyParallelInterleaveDatasetV2": "legacy_parallel_interleave",
    "TFRecordDataset": "parse_example", "TextLineDataset": "text_lines",
    "FixedLengthRecordDatasetV2": "fixed_length",
}

SESSION_CASES = {op_type: _pipeline(name) for op_type, name in _WHERE.items()}
SESSION_CASES.update({
    "DatasetFromFunction": _training,
    "OneShotIteratorFromDataset": _training,
    "PartitionedCall": _function_calls,
    "StatefulPartitionedCall": _function_calls,
})


def _older_form(name, newer, older, inputs):
    """Pipeline `name` with its `newer` nodes written as TensorFlow's older op type `older`,
    whose data inputs `inputs(node inputs, graph_def)` gives."""
    def check():
        meta = meta_graph.read_meta_graph_file(str(checks.FIXTURES / f"{name}.meta"))
        nodes = [n for n in meta.graph_def.node if n.op == newer]
        assert nodes
        for node in nodes:
            node.op = older
            data = inputs(list(node.input), meta.graph_def)
            del node.input[:]
            node.input.extend(data)
        got, want = checks._run_pipeline(name, meta), checks._expected(name)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            for a, b in zip(g, w):
                checks._same(a, b)
    return check


def _with_sloppy(data, graph_def):
    """Legacy parallel interleave's inputs with ParallelInterleaveDataset's `sloppy` input."""
    const = graph_def.node.add(name="sloppy_for_v1", op="Const")
    const.attr["dtype"].type = 10  # DT_BOOL
    const.attr["value"].tensor.dtype = 10
    const.attr["value"].tensor.bool_val.append(False)
    return data[:-2] + [const.name] + data[-2:]


# forms TensorFlow 2.15's compat.v1 no longer writes: its graphs rewritten to them
SESSION_CASES.update({
    "PaddedBatchDataset": _older_form("padded_batch", "PaddedBatchDatasetV2",
                                      "PaddedBatchDataset", lambda d, g: d[:-1]),
    "ParallelMapDataset": _older_form("parallel", "ParallelMapDatasetV2", "ParallelMapDataset",
                                      lambda d, g: d),
    "ParallelInterleaveDatasetV2": _older_form(
        "parallel", "ParallelInterleaveDatasetV4", "ParallelInterleaveDatasetV2",
        lambda d, g: d[:-3] + d[-1:]),
    "ParallelInterleaveDatasetV3": _older_form(
        "parallel", "ParallelInterleaveDatasetV4", "ParallelInterleaveDatasetV3",
        lambda d, g: d[:-3] + d[-1:]),
    "ParallelInterleaveDataset": _older_form(
        "legacy_parallel_interleave", "LegacyParallelInterleaveDatasetV2",
        "ParallelInterleaveDataset", _with_sloppy),
})
