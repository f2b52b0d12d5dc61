"""Op table rows for NearestNeighbors, KmeansPlusPlusInitialization and KMC2ChainInitialization
(tensorweave/ops/clustering_ops.py); the samplers' references are TensorFlow's own draws
(tests/fixtures/factorization_reference.npz)."""
import pathlib
import sys

import numpy as np

from op_case import Case
from tensorweave.ops import clustering_ops  # noqa: F401 - registers the op types

_FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
sys.path.insert(0, str(_FIXTURES))
import factorization_cases  # noqa: E402

_REF = np.load(_FIXTURES / "factorization_reference.npz")
_RAW = factorization_cases.raw_op_inputs()


def _nearest(points, centers, k):
    """Brute force: squared distances, ascending, ties to the lower center."""
    d = ((points[:, None, :].astype(np.float64) - centers[None, :, :]) ** 2).sum(-1)
    order = np.argsort(d, axis=1, kind="stable")[:, :min(int(k), len(centers))]
    return order.astype(np.int64), np.take_along_axis(d, order, 1).astype(np.float32)


def _tensorflow_kmeans_pp(points, num, seed, retries):
    return _REF[f"kmeans_pp/{int(num)}/{int(seed)}/{int(retries)}"]


def _tensorflow_kmc2(distances, seed):
    return _REF[f"kmc2/{int(seed)}"]


_I64 = np.int64
CASES = [
    Case("NearestNeighbors", [_RAW["points"], _RAW["centers"], _I64(k)], _nearest, tag=f"k{k}",
         ref_tol=(1e-5, 1e-5))
    for k in factorization_cases.NEAREST_K
] + [
    Case("KmeansPlusPlusInitialization", [_RAW["points"], _I64(5), _I64(seed), _I64(retries)],
         _tensorflow_kmeans_pp, tag=f"seed{seed}-retries{retries}")
    for _, seed, retries in factorization_cases.KMEANS_PP_ARGS[:6]
] + [
    Case("KMC2ChainInitialization", [_RAW["distances"], _I64(seed)], _tensorflow_kmc2,
         tag=f"seed{seed}")
    for seed in factorization_cases.KMC2_SEEDS
]
