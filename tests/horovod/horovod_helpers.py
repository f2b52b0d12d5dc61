"""Runs programs under mpirun for the Horovod tests (tensorweave.horovod.run's flags)."""
import os
import pathlib
import subprocess
import sys

import pytest

from tensorweave.horovod import run

PROGRAMS = pathlib.Path(__file__).parent / "programs"
REPO = pathlib.Path(__file__).resolve().parents[2]
AVAILABLE, REASON = run.mpi_available()
needs_mpi = pytest.mark.skipif(not AVAILABLE, reason=REASON)


def environment(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["PYTHONUNBUFFERED"] = "1"
    env.update({k: str(v) for k, v in extra.items()})
    return env


def mpirun(np, program, *args, timeout=240, **env):
    """Runs tests/horovod/programs/PROGRAM under `python -m tensorweave` on `np` processes;
    returns the CompletedProcess (stdout and stderr merged)."""
    command = run.mpirun_command(np, [str(PROGRAMS / program), *map(str, args)])
    command = [c for c in command]  # -x names the variables set below in the environment
    for name in ("PYTHONPATH", "PYTHONUNBUFFERED"):
        if name not in command:
            command[1:1] = ["-x", name]
    return subprocess.run(command, env=environment(**env), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout, cwd=str(REPO))


def single(program, *args, timeout=240, **env):
    """Runs the program as one process, without mpirun."""
    command = [sys.executable, "-m", "tensorweave", str(PROGRAMS / program), *map(str, args)]
    clean = {k: v for k, v in environment(**env).items() if not k.startswith(("OMPI_", "PMI"))}
    return subprocess.run(command, env=clean, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, cwd=str(REPO))
