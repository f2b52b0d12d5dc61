# A comparison shim, never part of a tensorweave run: loaded as sitecustomize by
# `tools/run_programs.py --tensorflow /work/tfenv/bin/python --sitecustomize
# tests/programs/shims/tf1_on_tf2.py`, it lets a TF 1.x program run unmodified on TensorFlow 2.x:
# `import tensorflow` gives tf.compat.v1 with v2 behaviour disabled (the package's own submodules
# still import), and `tensorflow.examples.tutorials.mnist.input_data` (gone from TF 2) is
# tensorweave's NumPy-only copy of that loader, read from $TENSORWEAVE_MNIST_DIR.
# tf.contrib stays absent, as in every TF 2.
import importlib.util
import os
import sys
import types

try:
    import tensorflow as _real
    import tensorflow.compat.v1 as _v1
except ImportError:
    _real = None
if _real is not None:
    _v1.disable_v2_behavior()

    class _TF1(types.ModuleType):
        def __getattr__(self, name):
            return getattr(_v1, name)

    _face = _TF1("tensorflow")
    _face.__path__ = _real.__path__
    _face.__file__ = _real.__file__
    _face.__spec__ = _real.__spec__
    sys.modules["tensorflow"] = _face
    _here = os.path.dirname(os.path.abspath(__file__))
    _loader = os.path.join(os.environ.get("TW_ROOT", "/work/main"), "tensorweave", "examples",
                           "tutorials", "mnist", "input_data.py")
    for _name in ("tensorflow.examples", "tensorflow.examples.tutorials",
                  "tensorflow.examples.tutorials.mnist"):
        _pkg = types.ModuleType(_name)
        _pkg.__path__ = []
        sys.modules[_name] = _pkg
    if os.path.exists(_loader):
        _spec = importlib.util.spec_from_file_location(
            "tensorflow.examples.tutorials.mnist.input_data", _loader)
        _mod = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_mod)
        sys.modules[_spec.name] = _mod
        sys.modules["tensorflow.examples.tutorials.mnist"].input_data = _mod
    sys.modules["tensorflow.examples.tutorials"].mnist = sys.modules[
        "tensorflow.examples.tutorials.mnist"]
    sys.modules["tensorflow.examples"].tutorials = sys.modules["tensorflow.examples.tutorials"]
