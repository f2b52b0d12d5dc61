"""Faults on two processes: every scenario ends within a bounded time with an error naming the
rank or the tensor (never a hang)."""
import pytest

from horovod_helpers import mpirun, needs_mpi, single

pytestmark = needs_mpi


def test_a_rank_that_raises_stops_the_others_naming_it():
    result = mpirun(2, "faults.py", "raise", timeout=60)
    assert result.returncode != 0
    assert "ValueError: boom on purpose" in result.stdout
    assert "AbortedError: Horovod: rank 1 failed (ValueError: boom on purpose); stopping " \
           "rank 0" in result.stdout, result.stdout
    assert "finished rank" not in result.stdout


def test_a_killed_rank_stops_the_job():
    result = mpirun(2, "faults.py", "kill", timeout=60)
    assert result.returncode != 0
    assert "process rank 1" in result.stdout and "signal 9" in result.stdout, result.stdout


@pytest.mark.parametrize("mode, message", [
    ("shapes", "Mismatched allreduce tensor shapes: 'gradient_w' has shape [3] on rank 0 but "
               "[4] on rank 1"),
    ("order", "Mismatched collectives: rank 0 is at allreduce of 'gradient_w' while rank 1 "
              "is at allreduce of 'gradient_b'"),
    ("exit_early", "Horovod has been shut down on rank 1"),
])
def test_mismatches_name_the_tensor_or_rank(mode, message):
    result = mpirun(2, "faults.py", mode, timeout=60)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout


def test_a_stalled_rank_is_named_after_the_stall_limit():
    result = mpirun(2, "faults.py", "stall", timeout=60, HOROVOD_STALL_SHUTDOWN_TIME_SECONDS=2,
                    HOROVOD_STALL_CHECK_TIME_SECONDS=1)
    assert result.returncode != 0
    assert "ranks [1] have not reached it" in result.stdout, result.stdout
    assert "DeadlineExceededError: Horovod: allreduce 'gradient_w' stalled" in result.stdout
    assert "ranks [1] did not reach it" in result.stdout


def test_without_mpirun_the_program_is_one_process():
    result = single("faults.py", "shapes")
    assert result.returncode == 0 and "finished rank 0" in result.stdout, result.stdout
