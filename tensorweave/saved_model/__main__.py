"""python -m tensorweave.saved_model show|run (see tensorweave/saved_model/cli.py)."""
import sys

from tensorweave.saved_model import cli

sys.exit(cli.main())
