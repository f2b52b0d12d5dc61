"""The embedding projector of a real TensorBoard server shows what tensorweave wrote: the
projector config (visualize_embeddings), the embedding tensor from the checkpoint, and the
metadata, through the projector plugin's HTTP API."""
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

import tensorweave as tf

pytest.importorskip("tensorboard.plugins.projector.projector_plugin")


def _serve(logdir):
    command = [shutil.which("tensorboard")] if shutil.which("tensorboard") else [
        sys.executable, "-m", "tensorboard.main"]
    process = subprocess.Popen(command + ["--logdir", str(logdir), "--host", "127.0.0.1",
                                          "--port", "0", "--reload_interval", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline, lines = time.monotonic() + 90, []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        if match:
            return process, match.group(1)
    process.kill()
    pytest.fail("TensorBoard did not start:\n" + "".join(lines))


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _poll(fetch, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = fetch()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail("timed out waiting for TensorBoard's projector")


def test_tensorboard_projector_serves_our_embedding(tmp_path):
    projector = tf.contrib.tensorboard.plugins.projector
    table = np.arange(40, dtype=np.float32).reshape(10, 4) / 7
    (tmp_path / "metadata.tsv").write_text("".join(f"word{i}\n" for i in range(10)))
    with tf.Graph().as_default():
        embedding = tf.Variable(table, name="word_embedding")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            checkpoint = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"))
            writer = tf.summary.FileWriter(str(tmp_path))
            config = projector.ProjectorConfig()
            entry = config.embeddings.add()
            entry.tensor_name = embedding.op.name
            entry.metadata_path = "metadata.tsv"
            # the same values as a TSV tensor file: TensorBoard reads those without TensorFlow
            np.savetxt(tmp_path / "table.tsv", table, delimiter="\t", fmt="%.8g")
            from_file = config.embeddings.add()
            from_file.tensor_name = "table_from_tsv"
            from_file.tensor_path = "table.tsv"
            from_file.metadata_path = "metadata.tsv"
            config.model_checkpoint_path = checkpoint
            projector.visualize_embeddings(writer, config)
            writer.close()
    process, url = _serve(tmp_path)
    try:
        runs = _poll(lambda: json.loads(_get(url + "/data/plugin/projector/runs")))
        run = runs[0]
        info = json.loads(_get(f"{url}/data/plugin/projector/info?run={run}"))
        names = [e["tensorName"] for e in info["embeddings"]]
        assert names == ["word_embedding", "table_from_tsv"]
        served = np.frombuffer(_get(f"{url}/data/plugin/projector/tensor?run={run}"
                                    f"&name=table_from_tsv&num_rows=10"), dtype=np.float32)
        np.testing.assert_allclose(served.reshape(10, 4), table, rtol=1e-7)
        # the checkpoint's tensor: TensorBoard reads checkpoints only with TensorFlow installed
        try:
            served = np.frombuffer(_get(f"{url}/data/plugin/projector/tensor?run={run}"
                                        f"&name=word_embedding&num_rows=10"), dtype=np.float32)
            np.testing.assert_array_equal(served.reshape(10, 4), table)
        except urllib.error.HTTPError as e:
            assert e.code == 400  # "not found in checkpoint dir" from TensorBoard's TF stub
        metadata = _get(f"{url}/data/plugin/projector/metadata?run={run}"
                        f"&name=word_embedding&num_rows=10").decode()
        assert metadata.split() == [f"word{i}" for i in range(10)]
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
