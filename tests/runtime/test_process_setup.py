"""The first Session's process tuning: what each part changes, observed from outside."""
import os
import subprocess
import sys
import textwrap

import pytest

from tensorweave.runtime import blas, process_setup

IDLE_CPU = textwrap.dedent("""
    import threading
    import time
    import numpy as np
    from tensorweave.runtime.process_setup import prepare_process
    if {other_thread}:
        threading.Thread(target=time.sleep, args=(2,), daemon=True).start()
    if {prepare}:
        prepare_process()
    square = np.ones((512, 512), np.float32)
    square @ square
    before = time.process_time()
    time.sleep(0.3)
    print(time.process_time() - before)
""")


def idle_cpu_seconds_after_product(prepare, other_thread=False):
    """CPU seconds the process burns in 0.3 s of sleep right after a matrix product."""
    env = dict(os.environ)
    env.pop(process_setup._BLAS_TIMEOUT_VARIABLE, None)
    env.pop("OPENBLAS_NUM_THREADS", None)
    script = IDLE_CPU.format(prepare=prepare, other_thread=other_thread)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True)
    return float(done.stdout)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS runs no worker threads")
def test_blas_threads_sleep_soon_after_a_product_once_prepared():
    if blas.loaded_openblas() is None:
        pytest.skip("NumPy's BLAS here is not OpenBLAS")
    assert idle_cpu_seconds_after_product(prepare=False) > 0.03  # OpenBLAS's default: spin
    assert idle_cpu_seconds_after_product(prepare=True) < 0.03
    # another Python thread could be inside a product: OpenBLAS's threads are left alone
    assert idle_cpu_seconds_after_product(prepare=True, other_thread=True) > 0.03


def test_prepare_leaves_the_environment_as_it_was():
    before = dict(os.environ)
    process_setup._shorten_blas_spin()
    assert dict(os.environ) == before
