"""Command-line flags the tutorials share beyond TensorFlow's own."""


def add_seed_flag(parser):
    """Adds `--seed` (default None) to an argparse parser: a tensorweave addition that sets the
    graph-level random seed and the data shuffling seed, for reproducible runs."""
    parser.add_argument("--seed", type=int, default=None,
                        help="Graph-level random seed and data shuffling seed (tensorweave "
                        "addition, for reproducible runs).")
