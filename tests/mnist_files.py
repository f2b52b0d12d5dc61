"""Where the end-to-end tests find the real MNIST files, and a mark that skips without them.

Importable by name from any test (pytest puts tests/, the root conftest's folder, on sys.path).
"""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MNIST_DIR = Path(os.environ.get("TENSORWEAVE_MNIST_DIR", REPO.parent / "shared" / "data" /
                                "mnist"))
needs_mnist = pytest.mark.skipif(
    not (MNIST_DIR / "train-images-idx3-ubyte.gz").is_file(),
    reason=f"MNIST files not found in {MNIST_DIR} (set TENSORWEAVE_MNIST_DIR)")
