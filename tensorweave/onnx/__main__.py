"""python -m tensorweave.onnx export|ops (see tensorweave/onnx/cli.py)."""
import sys

from tensorweave.onnx import cli

sys.exit(cli.main())
