# A diagnostic shim, never part of a passing run: loaded as sitecustomize by
# `tools/run_programs.py --sitecustomize tests/programs/shims/float_dtype_name.py`, it lets
# as_dtype read TF's dtype alias 'float' (TF maps 'float' -> float32) so a run shows what a
# program meets after that first blocker. It changes nothing on disk.
from tensorweave.core import dtypes as _dtypes

_dtypes._BY_NAME.setdefault("float", _dtypes.float32)
