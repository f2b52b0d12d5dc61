"""Starts a TF1 program on several processes with Open MPI's mpirun (as `horovodrun` does).

    python -m tensorweave.horovod.run -np 2 train.py --epochs 3
    python -m tensorweave.horovod.run -np 8 -H host1:4,host2:4 train.py
    python -m tensorweave.horovod.run -np 8 --hostfile hosts train.py

runs `mpirun <flags> -np N python -m tensorweave train.py ...` with what this environment
needs: `--oversubscribe` (more processes than cores is allowed), `--allow-run-as-root` when run
as root (containers), and the environment variables below, passed on to every rank. Open MPI's
default binding is kept (each rank bound to a core while there are enough): Horovod's
`--bind-to none` made a 4 MB allreduce 5x slower on a 2-core machine. `mpirun_command()` gives
the same list to tests and benchmarks.
"""
import argparse
import os
import shutil
import subprocess
import sys

# Passed to every rank with -x: BLAS threads stay as the caller set them, Python output is
# unbuffered so ranks' lines arrive in order, and the Horovod knobs reach every process.
FORWARDED = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONPATH",
             "PYTHONUNBUFFERED", "TENSORWEAVE_MNIST_DIR", "HOROVOD_FUSION_THRESHOLD",
             "HOROVOD_STALL_CHECK_TIME_SECONDS", "HOROVOD_STALL_SHUTDOWN_TIME_SECONDS")


def mpi_available():
    """(True, "") when mpirun and mpi4py are installed, else (False, the reason)."""
    if shutil.which("mpirun") is None:
        return False, "Open MPI's mpirun is not installed (apt-get install openmpi-bin " \
                      "libopenmpi-dev)"
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False, "mpi4py is not installed (pip install 'tensorweave[mpi]')"
    return True, ""


def mpirun_flags(hosts=None, hostfile=None):
    """mpirun's options for a tensorweave job on this machine (or on `hosts`/`hostfile`)."""
    flags = ["--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--allow-run-as-root")
    if hosts:
        flags += ["-H", hosts]
    if hostfile:
        flags += ["--hostfile", hostfile]
    for name in FORWARDED:
        if name in os.environ:
            flags += ["-x", name]
    return flags


def mpirun_command(np, program_args, python=None, hosts=None, hostfile=None, runner=True):
    """The command that runs `python -m tensorweave PROGRAM ARGS` (or `python ARGS` when
    `runner` is False) on `np` processes."""
    python = python or sys.executable
    head = [python, "-m", "tensorweave"] if runner else [python]
    return ["mpirun", *mpirun_flags(hosts, hostfile), "-np", str(np), *head, *program_args]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m tensorweave.horovod.run",
        description="Run a TF1 (Horovod) program on N processes with mpirun.")
    parser.add_argument("-np", "--num-proc", dest="np", type=int, required=True)
    parser.add_argument("-H", "--hosts", help="host1:slots,host2:slots")
    parser.add_argument("--hostfile", help="an Open MPI hostfile")
    parser.add_argument("--print-command", action="store_true",
                        help="print the mpirun command instead of running it")
    parser.add_argument("program", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    if not options.program:
        parser.error("give the program to run")
    command = mpirun_command(options.np, options.program, hosts=options.hosts,
                             hostfile=options.hostfile)
    if options.print_command:
        print(" ".join(command))
        return 0
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
