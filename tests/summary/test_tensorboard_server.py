"""End to end: the real `tensorboard --logdir` serves our event files. Its HTTP data API must
return the scalars, histograms and graph we wrote; where Chromium is installed, a headless
screenshot of the scalars dashboard must show the loss curve.

TensorBoard runs on 127.0.0.1 only, with a port the OS picks, and is stopped by the test."""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed")

import tensorweave as tf  # noqa: E402

STEPS = 20
TRACED_STEP = 10


def _tensorboard_command():
    executable = shutil.which("tensorboard")
    if executable:
        return [executable]
    return [sys.executable, "-m", "tensorboard.main"]


@pytest.fixture(scope="module")
def served_logdir(tmp_path_factory):
    """Writes a run 'train' (loss scalars, a histogram, the graph) and serves it; yields
    (base URL, expected losses)."""
    logdir = tmp_path_factory.mktemp("tensorboard_logs")
    losses = []
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None], name="inputs")
        with tf.name_scope("model"):
            loss = tf.reduce_mean(tf.square(x), name="mean_square")
        tf.summary.scalar("loss", loss)
        tf.summary.histogram("x", x)
        merged = tf.summary.merge_all()
        with tf.Session() as sess, tf.summary.FileWriter(str(logdir / "train"),
                                                         sess.graph) as writer:
            for step in range(STEPS):
                batch = np.linspace(-1, 1, 9).astype(np.float32) * 3.0 / (1 + step)
                traced = {}
                if step == TRACED_STEP:  # a FULL_TRACE run, as mnist_with_summaries does
                    traced = {"options": tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                              "run_metadata": tf.RunMetadata()}
                summary, value = sess.run([merged, loss], {x: batch}, **traced)
                if traced:
                    writer.add_run_metadata(traced["run_metadata"], "step%03d" % step, step)
                writer.add_summary(summary, step)
                losses.append(float(np.float32(value)))
    del graph
    process = subprocess.Popen(
        _tensorboard_command() + ["--logdir", str(logdir), "--host", "127.0.0.1", "--port", "0",
                                  "--reload_interval", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = _wait_for_url(process)
        _wait_for(lambda: _get_json(url + "/data/plugin/scalars/tags").get("train", {})
                  .get("loss"), "TensorBoard to load the run")
        yield url, losses
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_url(process, timeout=90):
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line)
        match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        if match:
            return match.group(1)
    pytest.fail("TensorBoard did not start:\n" + "".join(lines))


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _get_json(url):
    return json.loads(_get(url))


def _wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}")


def test_scalars_through_the_http_api(served_logdir):
    url, losses = served_logdir
    assert "train" in _get_json(url + "/data/runs")
    points = _get_json(url + "/data/plugin/scalars/scalars?run=train&tag=loss")
    assert [p[1] for p in points] == list(range(STEPS))
    assert [p[2] for p in points] == losses


def test_histograms_through_the_http_api(served_logdir):
    url, _ = served_logdir
    events = _get_json(url + "/data/plugin/histograms/histograms?run=train&tag=x")
    assert [e[1] for e in events] == list(range(STEPS))
    buckets = events[0][2]  # [left, right, count] triples
    assert sum(b[2] for b in buckets) == 9


def test_graph_through_the_http_api(served_logdir):
    url, _ = served_logdir
    graph_text = _get(url + "/data/plugin/graphs/graph?run=train&conceptual=false").decode()
    names = re.findall(r'^  name: "([^"]+)"', graph_text, re.M)
    assert {"inputs", "model/mean_square", "loss", "x", "Merge/MergeSummary"} <= set(names)
    assert 'op: "ScalarSummary"' in graph_text


def test_run_metadata_through_the_graph_dashboard_api(served_logdir):
    url, _ = served_logdir
    tag = "step%03d" % TRACED_STEP
    info = _get_json(url + "/data/plugin/graphs/info")
    assert info["train"]["tags"][tag]["profile"] is True
    text = _get(url + f"/data/plugin/graphs/run_metadata?run=train&tag={tag}").decode()
    assert 'device: "/job:localhost/replica:0/task:0/device:CPU:0"' in text
    assert 'timeline_label: "model/mean_square = Mean(model/Square)"' in text
    assert 'node_name: "Merge/MergeSummary"' in text
    assert "requested_bytes: 36" in text  # the fed float32[9] batch and its square


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_scalars_dashboard_screenshot_shows_the_loss_curve(served_logdir, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    pytest.importorskip("PIL")
    from PIL import Image
    url, _ = served_logdir
    shot = tmp_path / "scalars.png"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=1200,900", "--virtual-time-budget=15000",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         url + "/#scalars"],  # the SVG scalars dashboard (the time series one needs WebGL)
        capture_output=True, text=True, timeout=180)
    assert shot.is_file(), done.stderr[-2000:]
    if os.environ.get("TENSORWEAVE_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["TENSORWEAVE_KEEP_SCREENSHOT"])
    rgb = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    # the run's curve is drawn in orange in the card area right of the sidebar, below the
    # toolbar; nothing else there is orange
    ys, xs = np.nonzero((red > 200) & (green > 60) & (green < 170) & (blue < 130))
    keep = (xs > 320) & (ys > 180)
    ys, xs = ys[keep], xs[keep]
    assert xs.size > 150, "no curve in the screenshot of the scalars dashboard"
    left, right = np.percentile(xs, 10), np.percentile(xs, 90)
    # the loss falls: its left end is drawn higher (smaller y) than its right end
    assert ys[xs <= left].mean() < ys[xs >= right].mean() - 20
