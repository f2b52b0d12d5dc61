"""Runs the real TF1 programs listed in tests/programs/MANIFEST.toml and checks their numbers.

    python tools/run_programs.py                       # every program, on tensorweave
    python tools/run_programs.py gan mnist_deep        # only these
    python tools/run_programs.py --jobs 2 --limit-scale 0.5
    python tools/run_programs.py --tensorflow /work/tfenv/bin/python   # the same under a real TF

Each program runs in its own subprocess (`python -m tensorweave PROGRAM args`, or
`PYTHON PROGRAM args` with --tensorflow) in a fresh temporary directory, with
TENSORWEAVE_MNIST_DIR, OPENBLAS_NUM_THREADS=1 and MPLBACKEND=Agg set, stopped at its time limit.
A program with `workdir` runs there instead (an absolute path, kept: two programs that share
files through relative paths name the same one). Support files with `into_cwd` are copied into
the working directory at that relative path (data files the program opens by name); `dirs`
are directories made there first (ones the program's repository holds and it writes into).
MNIST's files are symlinked into the program's `mnist_dirs`, and written decompressed (without
`.gz`, as a program's own download step leaves them) into its `mnist_unzipped_dirs`; a program
with `after` waits for that program (run first, added to the selection if absent) and fails
unless it passed (or, judged "partial", held its numbers to its limit: the files it wrote by
then are the input). A program's `stdin` text is its standard input (answers to its input()
prompts); others read an empty one.
To compare with TF 1.x behaviour on TF 2: `--tensorflow /work/tfenv/bin/python --sitecustomize
tests/programs/shims/tf1_on_tf2.py` (tf.compat.v1 as `tensorflow`, v2 behaviour off).
Status per program:
  passed     ran to its end and every check held
  limit-ok   judged "partial": stopped at its time limit with no error, and the checks on the
             numbers so far held
  failed     an exception (its type and the last line of the error), a non-zero exit, a check
             that did not hold (the check is named), or, judged "completion", still running at
             its time limit ("did not finish": a hang, or too slow for a scaled-down limit)
  outside    failed as `failed` would say, and the manifest's `outside` names a reason outside
             tensorweave's scope (NumPy 2 removed an API it calls, eager execution, TF 0.x
             argument order); a program with `outside` that runs is judged as any other
  skipped    the file is missing, or a module it needs (matplotlib, scipy) cannot be imported
Output: a table, then one line `N passed, N failed, N outside, N skipped` (limit-ok counts as
passed there and is also shown on its own).
"""
import argparse
import contextlib
import gzip
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS = os.path.join(ROOT, "tests", "programs")
MANIFEST = os.path.join(PROGRAMS, "MANIFEST.toml")
DEFAULT_MNIST = "/work/shared/data/mnist"
DEFAULT_EXTRA_SITE = os.path.expanduser("~/.cache/tw-programs/site")
OPS = (">=", "<=", "==", "~=", "decreasing", "increasing", "finite", "present")
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def load_manifest(path=MANIFEST):
    with open(path, "rb") as f:
        return tomllib.load(f)["program"]


def validate(programs):
    """Problems with the manifest's form, as a list of sentences (empty when well formed)."""
    problems = []
    names = set()
    for p in programs:
        name = p.get("name", "?")
        for key in ("name", "file", "repo", "path", "license", "time_limit", "judged", "promise"):
            if key not in p:
                problems.append(f"{name}: no {key}")
        if name in names:
            problems.append(f"{name}: listed twice")
        names.add(name)
        if "outside" in p and not (isinstance(p["outside"], str) and p["outside"]):
            problems.append(f"{name}: outside must be a sentence")
        if p.get("judged") not in ("completion", "partial"):
            problems.append(f"{name}: judged must be completion or partial")
        if not os.path.exists(os.path.join(PROGRAMS, p.get("file", ""))):
            problems.append(f"{name}: {p.get('file')} does not exist")
        for extra in p.get("support", []):
            for key in ("file", "path", "commit", "sha256"):
                if key not in extra:
                    problems.append(f"{name}: support file without {key}")
            if not os.path.exists(os.path.join(PROGRAMS, extra.get("file", ""))):
                problems.append(f"{name}: {extra.get('file')} does not exist")
        if "stdin" in p and not isinstance(p["stdin"], str):
            problems.append(f"{name}: stdin must be text")
        if "workdir" in p and not os.path.isabs(p["workdir"]):
            problems.append(f"{name}: workdir must be an absolute path")
        if "after" in p and p["after"] not in names:
            problems.append(f"{name}: after {p['after']!r}, which is not listed before it")
        for c in p.get("checks", []):
            if c.get("op") not in OPS:
                problems.append(f"{name}: unknown check op {c.get('op')!r}")
            try:
                if re.compile(c["regex"]).groups != 1:
                    problems.append(f"{name}: regex {c['regex']!r} needs one group")
            except (KeyError, re.error) as e:
                problems.append(f"{name}: bad regex ({e})")
            if c.get("op") in (">=", "<=", "==", "~=") and "value" not in c:
                problems.append(f"{name}: check {c['regex']!r} has no value")
            if c.get("op") == "~=" and "tol" not in c:
                problems.append(f"{name}: check {c['regex']!r} (~=) has no tol")
    return problems


def _number(text):
    try:
        return float(text)
    except ValueError:
        return float("nan")


def evaluate(check, output, completed):
    """(held: bool|None, description) for one check over a program's output; None = not applied."""
    if check.get("when", "always") == "completed" and not completed:
        return None, ""
    matches = re.findall(check["regex"], output)
    op = check["op"]
    label = check.get("label") or (check["regex"].split("(")[0].replace("\\", "")
                                   .rstrip(" :=").strip() or check["regex"])[:28]
    if op == "present":
        return bool(matches), f"{label}: {'found' if matches else 'absent'}"
    values = [_number(m) for m in matches]
    if not values:
        return False, f"{label}: no number printed"
    if op == "finite":
        bad = [v for v in values if not math.isfinite(v)]
        return not bad, f"{label}: {len(values)} values" + (f", {len(bad)} not finite" if bad else "")
    if op in ("decreasing", "increasing"):
        if len(values) < 2:
            return False, f"{label}: only {values[0]:g} printed"
        first, last = values[0], values[-1]
        held = last < first if op == "decreasing" else last > first
        return held, f"{label}: {first:g} -> {last:g}"
    pick = check.get("pick", "last")
    if isinstance(pick, int):
        if not -len(values) <= pick < len(values):
            return False, f"{label}: no match #{pick} ({len(values)} printed)"
        v = values[pick]
    else:
        v = values[0] if pick == "first" else values[-1]
    target = check["value"]
    if op == "~=":
        held = abs(v - target) <= check["tol"]
        return held, f"{label}: {v:g} ~= {target:g} (tol {check['tol']:g})"
    held = {">=": v >= target, "<=": v <= target, "==": v == target}[op]
    return held, f"{label}: {v:g} {op} {target:g}"


ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?(\w*(?:Error|Exception|Exit|Interrupt|Warning))\b:?(.*)$")


def last_error(output):
    """(exception type, last line) of a Python traceback in `output`, or (None, last line)."""
    lines = [l for l in output.splitlines() if l.strip()]
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("Traceback (most recent call last)"):
            for line in reversed(lines[i:]):
                m = ERROR_LINE.match(line.strip())
                if m and not line.startswith(" "):
                    return m.group(1), line.strip()
            return None, lines[-1].strip()
    return None, lines[-1].strip() if lines else ""


def modules_missing(python, modules, env):
    missing = []
    for mod in modules:
        r = subprocess.run([python, "-c", f"import {mod}"], env=env, capture_output=True)
        if r.returncode != 0:
            missing.append(mod)
    return missing


def link_mnist(directory, options):
    """Symlinks MNIST's four files into `directory` (made if absent) unless already there."""
    os.makedirs(directory, exist_ok=True)
    for f in MNIST_FILES:
        target = os.path.join(directory, f)
        if not os.path.exists(target) and os.path.exists(os.path.join(options.mnist_dir, f)):
            os.symlink(os.path.join(options.mnist_dir, f), target)


def unzip_mnist(directory, options):
    """Writes MNIST's four files decompressed into `directory` (made if absent)."""
    os.makedirs(directory, exist_ok=True)
    for f in MNIST_FILES:
        source, target = os.path.join(options.mnist_dir, f), os.path.join(directory, f[:-3])
        if not os.path.exists(target) and os.path.exists(source):
            with gzip.open(source, "rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)


def run_one(program, options):
    name = program["name"]
    path = os.path.join(PROGRAMS, program["file"])
    result = {"name": name, "judged": program["judged"], "seconds": 0.0, "checks": [],
              "status": "skipped", "detail": ""}
    if not os.path.exists(path):
        result["detail"] = f"missing file {program['file']}"
        return result
    env = dict(os.environ)
    env.update({"TENSORWEAVE_MNIST_DIR": options.mnist_dir, "OPENBLAS_NUM_THREADS": "1",
                "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "1"})
    if options.extra_site and os.path.isdir(options.extra_site):
        env["PYTHONPATH"] = options.extra_site + os.pathsep + env.get("PYTHONPATH", "")
    if options.sitecustomize:  # the shim loads tensorweave's input_data from this checkout
        env["PYTHONPATH"] = os.pathsep.join(
            [options.sitecustomize_dir, env.get("PYTHONPATH", ""), ROOT])
        env["TW_ROOT"] = ROOT
    missing = modules_missing(options.python, program.get("needs", []), env)
    if missing:
        result["detail"] = "needs " + ", ".join(missing)
        return result
    for target in program.get("cleanup", []):
        if os.path.isdir(target):
            shutil.rmtree(target, ignore_errors=True)
        elif os.path.exists(target):
            os.remove(target)
    limit = max(5.0, program["time_limit"] * options.limit_scale)
    if options.tensorflow:
        command = [options.tensorflow, path, *program.get("args", [])]
    else:
        command = [options.python, "-m", "tensorweave", path, *program.get("args", [])]
    if "workdir" in program:  # shared with the program it runs `after`: listed in cleanup
        os.makedirs(program["workdir"], exist_ok=True)
        place = contextlib.nullcontext(program["workdir"])
    else:
        place = tempfile.TemporaryDirectory(prefix=f"twprog-{name}-")
    with place as cwd:
        log_path = os.path.join(cwd, "output.log")
        for directory in program.get("mnist_dirs", []):
            link_mnist(os.path.join(cwd, directory), options)
        for directory in program.get("mnist_unzipped_dirs", []):
            unzip_mnist(os.path.join(cwd, directory), options)
        for directory in program.get("dirs", []):  # directories its repository holds
            os.makedirs(os.path.join(cwd, directory), exist_ok=True)
        for extra in program.get("support", []):  # data files the program opens by a cwd path
            if "into_cwd" in extra:
                target = os.path.join(cwd, extra["into_cwd"])
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(os.path.join(PROGRAMS, extra["file"]), target)
        start = time.monotonic()
        with open(log_path, "wb") as log:
            stdin = subprocess.DEVNULL
            if "stdin" in program:  # what a user types at the program's input() prompts
                stdin = tempfile.TemporaryFile()
                stdin.write(program["stdin"].encode())
                stdin.seek(0)
            proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=stdin, start_new_session=True)
            timed_out = False
            try:
                proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the group this run started, by its id
                proc.wait()
            if stdin is not subprocess.DEVNULL:
                stdin.close()
        result["seconds"] = time.monotonic() - start
        with open(log_path, "rb") as f:
            output = f.read().decode("utf-8", "replace")
        if options.keep_logs:
            os.makedirs(options.keep_logs, exist_ok=True)
            with open(os.path.join(options.keep_logs, name + ".log"), "w") as f:
                f.write(output)
    completed = not timed_out and proc.returncode == 0
    held_all = True
    for check in program.get("checks", []):
        held, text = evaluate(check, output, completed)
        if held is None:
            continue
        result["checks"].append(("ok " if held else "NO ") + text)
        held_all &= held
    if not timed_out and proc.returncode != 0:
        kind, line = last_error(output)
        result["status"] = "failed"
        result["error_type"] = kind or f"exit {proc.returncode}"
        result["detail"] = line[:300]
    elif not held_all:
        result["status"] = "failed"
        result["error_type"] = "promise not held"
        result["detail"] = "; ".join(c[3:] for c in result["checks"] if c.startswith("NO"))
    elif timed_out and program["judged"] == "completion":
        result["status"] = "failed"
        result["error_type"] = "did not finish"
        result["detail"] = f"still running at {limit:.0f}s"
    elif timed_out:
        result["status"] = "limit-ok"
        result["detail"] = f"stopped at {limit:.0f}s"
    else:
        result["status"] = "passed"
    if result["status"] == "failed" and program.get("outside"):
        result["status"] = "outside"
        result["detail"] = f"{program['outside']} [{result.get('error_type')}: {result['detail']}]"
    return result


def print_table(results, out=sys.stdout):
    width = max([len(r["name"]) for r in results] + [7])
    out.write(f"{'program':<{width}}  {'status':<8}  {'secs':>6}  checks / error\n")
    out.write("-" * (width + 80) + "\n")
    for r in results:
        what = " | ".join(r["checks"])
        if r["status"] == "failed" and r.get("error_type") != "promise not held":
            what = r["detail"] if r["detail"].startswith(r["error_type"]) else \
                f"{r['error_type']}: {r['detail']}"
        elif r["status"] in ("skipped", "outside") or (r["detail"] and r["status"] == "failed"):
            what = (what + " | " if what else "") + r["detail"]
        elif r["status"] == "limit-ok":
            what = (what + " | " if what else "") + r["detail"]
        out.write(f"{r['name']:<{width}}  {r['status']:<8}  {r['seconds']:6.1f}  {what}\n")
    counts = {s: sum(r["status"] == s for r in results)
              for s in ("passed", "limit-ok", "failed", "outside", "skipped")}
    out.write(f"\n{counts['passed'] + counts['limit-ok']} passed, {counts['failed']} failed, "
              f"{counts['outside']} outside, {counts['skipped']} skipped "
              f"({counts['passed']} ran to their end, "
              f"{counts['limit-ok']} held their numbers until the time limit)\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="run only these programs")
    parser.add_argument("--tensorflow", metavar="PYTHON",
                        help="run under this Python's real TensorFlow instead of tensorweave")
    parser.add_argument("--python", default=sys.executable,
                        help="the Python that runs `-m tensorweave` (default: this one)")
    parser.add_argument("--mnist-dir", default=os.environ.get("TENSORWEAVE_MNIST_DIR",
                                                              DEFAULT_MNIST))
    parser.add_argument("--extra-site", default=DEFAULT_EXTRA_SITE,
                        help="a directory put on PYTHONPATH for matplotlib/scipy, if it exists")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--limit-scale", type=float, default=1.0,
                        help="multiply every time limit by this")
    parser.add_argument("--sitecustomize", metavar="FILE",
                        help="diagnostics: load FILE as sitecustomize in every run (a shim that "
                             "lifts one blocker to see the next); results say so")
    parser.add_argument("--keep-logs", metavar="DIR", help="keep each program's output here")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--manifest", default=MANIFEST,
                        help="another manifest in the same form (file paths stay relative to "
                             "tests/programs)")
    parser.add_argument("--check-manifest", action="store_true",
                        help="only check the manifest's form and that its files exist")
    options = parser.parse_args(argv)
    options.sitecustomize_dir = None
    if options.sitecustomize:
        options.sitecustomize_dir = tempfile.mkdtemp(prefix="twprog-shim-")
        shutil.copy(options.sitecustomize, os.path.join(options.sitecustomize_dir,
                                                        "sitecustomize.py"))
        print(f"(with shim {options.sitecustomize}: results are diagnostics)", file=sys.stderr)
    programs = load_manifest(options.manifest)
    problems = validate(programs)
    if options.check_manifest or problems:
        for p in problems:
            print("manifest:", p)
        if options.check_manifest:
            print(f"{len(programs)} programs, {len(problems)} problems")
            return 1 if problems else 0
    if options.names:
        unknown = set(options.names) - {p["name"] for p in programs}
        if unknown:
            parser.error("not in the manifest: " + ", ".join(sorted(unknown)))
        programs = [p for p in programs if p["name"] in options.names]
    by_name = {p["name"]: p for p in load_manifest(options.manifest)}
    for p in list(programs):  # a program named by `after` runs too, and first
        if "after" in p and by_name[p["after"]] not in programs:
            programs.insert(programs.index(p), by_name[p["after"]])
    done = {}

    def run_after(program):
        if "after" in program:
            first = done[program["after"]].result()  # submitted earlier: running or finished
            held = first["status"] == "passed" or (
                first["status"] == "limit-ok" and first["judged"] == "partial")
            if not held:
                return {"name": program["name"], "judged": program["judged"], "seconds": 0.0,
                        "checks": [], "status": "failed", "error_type": "setup failed",
                        "detail": f"{program['after']} (which makes its input) {first['status']}",
                        **({"status": "outside", "detail": program["outside"]}
                           if program.get("outside") else {})}
        return run_one(program, options)

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = []
        for p in programs:
            done[p["name"]] = pool.submit(run_after, p)
            futures.append(done[p["name"]])
        results = []
        for future in futures:
            r = future.result()
            results.append(r)
            print(f"  {r['name']}: {r['status']} ({r['seconds']:.0f}s)", file=sys.stderr, flush=True)
    print_table(results)
    if options.json:
        with open(options.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
