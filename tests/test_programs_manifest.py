"""The manifest of real TF1 programs (tests/programs/MANIFEST.toml) is well formed.

The programs themselves are slow and run only through tools/run_programs.py, never here.
"""
import hashlib
import importlib.util
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location(
    "run_programs", os.path.join(ROOT, "tools", "run_programs.py"))
run_programs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_programs)


def test_manifest_is_well_formed():
    programs = run_programs.load_manifest()
    assert programs
    problems = [p for p in run_programs.validate(programs) if "does not exist" not in p]
    assert problems == []
    for p in programs:
        assert len(p["sha256"]) == 64, p["name"]


def test_present_copies_are_unchanged():
    """Every program copy this checkout has is byte for byte the one the manifest names.
    Copies are kept out of git, so a machine has all, some (those fetched on it) or none."""
    programs = run_programs.load_manifest()
    present = [p for p in programs
               if os.path.exists(os.path.join(run_programs.PROGRAMS, p["file"]))]
    if not present:
        pytest.skip("the program files are not in this checkout (see tests/programs/README.md)")
    for p in present:
        for entry in [p] + p.get("support", []):
            with open(os.path.join(run_programs.PROGRAMS, entry["file"]), "rb") as f:
                assert hashlib.sha256(f.read()).hexdigest() == entry["sha256"], entry["file"]


def test_support_files_and_order_are_declared():
    programs = run_programs.load_manifest()
    names = [p["name"] for p in programs]
    for p in programs:
        for extra in p.get("support", []):
            assert len(extra["sha256"]) == 64 and extra["file"] != p["file"], p["name"]
        if "after" in p:
            assert names.index(p["after"]) < names.index(p["name"]), p["name"]


def test_checks_read_numbers_as_promised():
    output = "Epoch: 0001 cost= 1.5\nEpoch: 0002 cost= 0.5\nAccuracy: 0.91\n"
    held, text = run_programs.evaluate(
        {"regex": r"cost= ([-+\d.e]+)", "op": "decreasing"}, output, True)
    assert held and "1.5 -> 0.5" in text
    held, _ = run_programs.evaluate(
        {"regex": r"Accuracy: ([\d.]+)", "op": ">=", "value": 0.95}, output, True)
    assert held is False
    held, _ = run_programs.evaluate(
        {"regex": r"Accuracy: ([\d.]+)", "op": ">=", "value": 0.9, "when": "completed"},
        output, False)
    assert held is None
    kind, line = run_programs.last_error(
        "Traceback (most recent call last):\n  File \"x\", line 1\nKeyError: 'a'\n")
    assert kind == "KeyError" and line == "KeyError: 'a'"
    held, text = run_programs.evaluate(
        {"regex": r"cost= ([-+\d.e]+)", "op": "~=", "value": 0.5, "tol": 1e-9, "pick": 1},
        output, True)
    assert held and "0.5 ~= 0.5" in text
    held, text = run_programs.evaluate(
        {"regex": r"cost= ([-+\d.e]+)", "op": "~=", "value": 0.5, "tol": 1e-9, "pick": 5},
        output, True)
    assert held is False and "no match #5" in text


class RunOptions:
    """The command-line options run_one reads: this Python, no MNIST, full time limits."""
    python = tensorflow = sys.executable
    mnist_dir = extra_site = ""
    sitecustomize = keep_logs = None
    limit_scale = 1.0


def test_outside_reason_renames_a_failure_only(tmp_path, monkeypatch):
    program = {"name": "p", "file": "p.py", "judged": "completion", "time_limit": 10,
               "outside": "calls np.float, which NumPy 2 removed", "checks": []}
    monkeypatch.setattr(run_programs, "PROGRAMS", str(tmp_path))

    (tmp_path / "p.py").write_text("import numpy\nnumpy.float\n")
    result = run_programs.run_one(program, RunOptions)
    assert result["status"] == "outside" and "NumPy 2" in result["detail"]
    assert "AttributeError" in result["detail"]
    (tmp_path / "p.py").write_text("print('fine')\n")
    assert run_programs.run_one(program, RunOptions)["status"] == "passed"
    assert run_programs.validate([dict(program, outside="")]) != []


def test_a_program_judged_on_completion_fails_when_it_does_not_finish(tmp_path, monkeypatch):
    """A hang (or a run too slow for the limit) is a failure, not a pass on the numbers so
    far; a program judged "partial" is judged on them."""
    program = {"name": "p", "file": "p.py", "judged": "completion", "time_limit": 5,
               "checks": [{"regex": r"loss (\d+)", "op": "finite"}]}
    monkeypatch.setattr(run_programs, "PROGRAMS", str(tmp_path))

    (tmp_path / "p.py").write_text("import time\nprint('loss 3', flush=True)\ntime.sleep(60)\n")
    result = run_programs.run_one(program, RunOptions)
    assert (result["status"], result["error_type"]) == ("failed", "did not finish")
    assert run_programs.run_one(dict(program, judged="partial"), RunOptions)["status"] == "limit-ok"
