"""Linear algebra op types, one module per family: einsum and cross products (`einsum.py`),
matrix helpers gradients build with (`matrix.py`), decompositions, solvers and determinants,
matrix functions; `ops/linalg_ops.py` hands the public names on."""
