"""runtime/accel: the switch, the variants against the reference kernels, and process tuning
(what each part changes, observed from outside)."""
import os
import subprocess
import sys
import textwrap
import types

import numpy as np
import pytest

import tensorweave as tf
from tensorweave.runtime import accel
from tensorweave.runtime.accel import openblas, process_tuning, zero_page


# --- the switch ------------------------------------------------------------------------------
def _relu_variant_runs(monkeypatch, config=None):
    """Whether a Session with `config` runs relu's variant (and the value it gets)."""
    seen = []
    monkeypatch.setattr(zero_page, "relu", lambda x: seen.append(1) or np.maximum(x, 0))
    x = tf.placeholder(tf.float32, [2])
    with tf.Session(config=config) as sess:
        value = sess.run(tf.nn.relu(x), {x: [-1.0, 2.0]})
    np.testing.assert_array_equal(value, [0.0, 2.0])
    return bool(seen)


def test_variants_are_on_by_default_and_off_by_config_or_environment(monkeypatch):
    monkeypatch.delenv(accel.ENVIRONMENT_VARIABLE, raising=False)
    assert _relu_variant_runs(monkeypatch)
    assert not _relu_variant_runs(monkeypatch, tf.ConfigProto(accel=False))
    monkeypatch.setenv(accel.ENVIRONMENT_VARIABLE, "0")
    assert not _relu_variant_runs(monkeypatch)
    assert _relu_variant_runs(monkeypatch, tf.ConfigProto(accel=None)) is False
    assert accel.setting() is False and accel.setting(tf.ConfigProto(accel=True)) is True


def test_process_tuning_is_opt_in(monkeypatch):
    calls = []
    monkeypatch.setattr(accel, "tune_process", lambda: calls.append(1))
    monkeypatch.delenv(accel.ENVIRONMENT_VARIABLE, raising=False)
    tf.Session().close()
    assert not calls
    tf.Session(config=tf.ConfigProto(accel=True)).close()
    monkeypatch.setenv(accel.ENVIRONMENT_VARIABLE, "1")
    tf.Session().close()
    assert len(calls) == 2


def test_while_bodies_and_dataset_functions_follow_the_session(monkeypatch):
    """Sub-Plans bind kernels as the Session that runs them does."""
    seen = []
    monkeypatch.setattr(zero_page, "relu", lambda x: seen.append(1) or np.maximum(x, 0))
    x = tf.constant([-1.0, 2.0])
    loop = tf.while_loop(lambda i, v: i < 2, lambda i, v: (i + 1, tf.nn.relu(v - 1)), [0, x])
    data = tf.data.Dataset.from_tensors(x).map(tf.nn.relu)
    got = data.make_one_shot_iterator().get_next()
    with tf.Session(config=tf.ConfigProto(accel=False)) as sess:
        sess.run([loop, got])
    assert not seen
    with tf.Session() as sess:
        sess.run([loop, got])
    assert seen


# --- relu against the zero page --------------------------------------------------------------
def test_relu_outputs_are_fresh_arrays_and_its_zeros_stay_zero():
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (), (0, 5), (70000,), (2, 3, 4), (200, 1000)]  # the buffer grows twice
    for dtype in (np.float32, np.float64, np.float16):
        for shape in shapes:
            x = np.asarray(rng.standard_normal(shape), dtype)
            out = zero_page.relu(x)
            np.testing.assert_array_equal(out, np.maximum(x, 0))
            assert out.dtype == dtype and out.shape == shape
            if shape:
                out[...] = 7  # the caller owns its output
            assert not zero_page.zeros_to_read(x).any()
    with pytest.raises(ValueError, match="read-only"):
        zero_page.zeros_to_read(np.ones(3, np.float32))[0] = 1


def test_relu_keeps_a_bounded_number_of_zero_views():
    _, kept = zero_page.cached_views()
    for n in range(1, 3 * kept):
        zero_page.relu(np.ones(n, np.float32))
    assert zero_page.cached_views()[0] <= kept


def test_relu_zeros_are_read_only_without_mmap_flags_too(monkeypatch):
    monkeypatch.setattr(zero_page, "mmap", types.SimpleNamespace())  # as on Windows
    zeros = np.frombuffer(zero_page.zero_memory(1 << 12), np.float32)
    assert not zeros.any() and not zeros.flags.writeable


# --- process tuning ------------------------------------------------------------------------------
IDLE_CPU = textwrap.dedent("""
    import threading
    import time
    import numpy as np
    from tensorweave.runtime.accel import tune_process
    if {other_thread}:
        threading.Thread(target=time.sleep, args=(2,), daemon=True).start()
    if {prepare}:
        tune_process()
    square = np.ones((512, 512), np.float32)
    square @ square
    before = time.process_time()
    time.sleep(0.3)
    print(time.process_time() - before)
""")


def idle_cpu_seconds_after_product(prepare, other_thread=False):
    """CPU seconds the process burns in 0.3 s of sleep right after a matrix product."""
    env = dict(os.environ)
    env.pop(process_tuning.BLAS_TIMEOUT_VARIABLE, None)
    env.pop("OPENBLAS_NUM_THREADS", None)
    script = IDLE_CPU.format(prepare=prepare, other_thread=other_thread)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True)
    return float(done.stdout)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS runs no worker threads")
def test_blas_threads_sleep_soon_after_a_product_once_tuned():
    if openblas.loaded_openblas() is None:
        pytest.skip("NumPy's BLAS here is not OpenBLAS")
    assert idle_cpu_seconds_after_product(prepare=False) > 0.03  # OpenBLAS's default: spin
    assert idle_cpu_seconds_after_product(prepare=True) < 0.03
    # another Python thread could be inside a product: OpenBLAS's threads are left alone
    assert idle_cpu_seconds_after_product(prepare=True, other_thread=True) > 0.03


def test_tuning_leaves_the_environment_as_it_was():
    before = dict(os.environ)
    process_tuning.shorten_blas_spin()
    assert dict(os.environ) == before


class _FakeOpenBLAS:
    def __init__(self, threads):
        self.threads, self.calls = threads, []

    def openblas_get_num_threads(self):
        return self.threads

    def openblas_set_num_threads(self, n):
        self.calls.append(n)


def _load_follower(tmp_path, monkeypatch, threads=2, cpus=2):
    from tensorweave.runtime.accel import blas_threads
    blas = _FakeOpenBLAS(threads)
    monkeypatch.setattr(blas_threads.openblas, "loaded_openblas", lambda: blas)
    for name in blas_threads.USER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    load = tmp_path / "loadavg"
    load.write_text("0.5 0.5 0.5 1/100 1\n")
    monkeypatch.setattr(blas_threads, "LOAD_FILE", str(load))
    monkeypatch.setattr(blas_threads, "TASKS_DIR", str(tmp_path / "no tasks"))  # just us
    monkeypatch.setattr(blas_threads.os, "cpu_count", lambda: cpus)
    clock = [0.0]
    monkeypatch.setattr(blas_threads.time, "monotonic", lambda: clock[0])
    follower = blas_threads._Follower()

    def reading(runnable, seconds=1.0):
        load.write_text(f"0.5 0.5 0.5 {runnable}/100 1\n")
        clock[0] += seconds
        follower.follow()
    return follower, blas, reading


def test_blas_threads_drop_to_one_at_once_when_the_cores_are_full(tmp_path, monkeypatch):
    follower, blas, reading = _load_follower(tmp_path, monkeypatch)
    assert follower.enabled and follower.current == 2
    reading(2)                      # us and one other on two cores: keep both threads
    assert blas.calls == []
    reading(3)                      # two others fill both cores: one thread, at once
    assert blas.calls == [1] and follower.current == 1
    for _ in range(3):
        reading(1)
    assert blas.calls == [1]        # a free core for three readings: not yet
    reading(3)
    reading(1)
    reading(1)
    reading(1)
    assert blas.calls == [1]        # the busy reading started the count again
    reading(1)
    assert blas.calls == [1, 2] and follower.current == 2


def test_blas_threads_do_not_count_this_process_threads_as_load(tmp_path, monkeypatch):
    from tensorweave.runtime.accel import blas_threads
    follower, blas, reading = _load_follower(tmp_path, monkeypatch)
    tasks = tmp_path / "task"
    for tid, state in [(11, "R"), (12, "R"), (13, "S")]:  # us, a spinning worker, a sleeper
        (tasks / str(tid)).mkdir(parents=True)
        (tasks / str(tid) / "stat").write_text(f"{tid} (python (x) y) {state} 1 2 3\n")
    monkeypatch.setattr(blas_threads, "TASKS_DIR", str(tasks))
    assert blas_threads.own_runnable() == 2  # a ")" in the name does not confuse it
    reading(3)                      # one other process's thread: keep both threads
    assert blas.calls == []
    reading(4)                      # two others: one thread
    assert blas.calls == [1]


def test_blas_threads_read_the_load_at_most_every_check_interval(tmp_path, monkeypatch):
    from tensorweave.runtime.accel import blas_threads
    follower, blas, reading = _load_follower(tmp_path, monkeypatch)
    reading(1)
    reading(5, seconds=blas_threads.CHECK_SECONDS / 10)  # too soon: not read
    assert blas.calls == []
    reading(5)
    assert blas.calls == [1]


def test_blas_threads_left_alone_where_the_user_chose_or_there_is_one(tmp_path, monkeypatch):
    follower, _, _ = _load_follower(tmp_path, monkeypatch, threads=1)
    assert not follower.enabled
    follower, _, _ = _load_follower(tmp_path, monkeypatch)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    from tensorweave.runtime.accel import blas_threads
    assert not blas_threads._Follower().enabled


def test_blas_threads_find_the_thread_count_of_the_openblas_numpy_loaded():
    """NumPy 2's wheels name OpenBLAS's functions scipy_openblas_*64_: the follower must find
    them there too (it was silently off with those wheels)."""
    from tensorweave.runtime.accel import blas_threads
    library = openblas.loaded_openblas()
    if library is None:
        pytest.skip("NumPy's BLAS is not an OpenBLAS found in /proc/self/maps")
    get_threads, set_threads = blas_threads.thread_functions(library)
    before = int(get_threads())
    set_threads(1)
    try:
        assert int(get_threads()) == 1
    finally:
        set_threads(before)
    assert int(get_threads()) == before


def test_callables_follow_the_load_before_each_run_as_session_run_does(monkeypatch):
    """Keras fit runs through make_callable: its runs must read the load too."""
    calls = []
    monkeypatch.setattr(accel, "follow_load", lambda: calls.append(1))
    x = tf.placeholder(tf.float32, [])
    with tf.Session() as sess:
        run = sess.make_callable(x * 2.0, [x])
        before = len(calls)
        assert [run(1.0), run(2.0)] == [2.0, 4.0]
        assert len(calls) == before + 2
        sess.run(x * 2.0, {x: 3.0})
        assert len(calls) == before + 3
    with tf.Session(config=tf.ConfigProto(accel=False)) as sess:
        before = len(calls)
        sess.make_callable(x * 2.0, [x])(1.0)
        assert len(calls) == before  # variants off: the process is left alone


def test_helper_threads_count_the_cores_this_process_may_run_on():
    """Under mpirun each rank is bound to one core: no helper thread then shares it."""
    code = textwrap.dedent("""
        import os
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        from tensorweave.runtime.accel import sliced_updates
        from tensorweave.runtime.state import schedulable_cpus
        print(schedulable_cpus(), sliced_updates.HELPERS, sliced_updates.helper_pool())
    """)
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no affinity masks on this platform")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["1", "0", "None"]
