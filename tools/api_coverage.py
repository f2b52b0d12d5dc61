"""How much of TF 1.15's public `tf` namespace tensorweave has, by namespace.

    python tools/api_coverage.py              # the table
    python tools/api_coverage.py --missing tf.nn   # the names missing under tf.nn

The names come from `tools/tf1_api.txt` (TF 2.15's `tf.compat.v1`, contrib excluded). A name
counts as present when `tensorweave.<path>` resolves by attribute access.
"""
import argparse
import collections
import os
import sys

NAMES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf1_api.txt")


def read_names(path=NAMES_FILE):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip().startswith("tf.")]


def resolves(root, dotted):
    """True if `root.<dotted path without the leading 'tf.'>` exists."""
    obj = root
    for part in dotted.split(".")[1:]:
        try:
            obj = getattr(obj, part)
        except Exception:  # a lazy namespace whose optional extra is missing counts as absent
            return False
    return True


def namespace_of(dotted):
    """'tf.nn.relu' -> 'tf.nn'; 'tf.matmul' -> 'tf' (the top level)."""
    parts = dotted.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else "tf"


def coverage(root, names):
    """{namespace: (present names, missing names)}."""
    table = collections.defaultdict(lambda: ([], []))
    for name in names:
        table[namespace_of(name)][0 if resolves(root, name) else 1].append(name)
    return dict(table)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", metavar="NAMESPACE",
                        help="list the missing names under this namespace ('tf' = top level)")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import tensorweave
    table = coverage(tensorweave, read_names())
    if args.missing:
        for name in sorted(table.get(args.missing, ([], []))[1]):
            print(name)
        return
    rows = sorted(table.items(), key=lambda kv: -(len(kv[1][0]) + len(kv[1][1])))
    print(f"{'namespace':<28}{'have':>6}{'of':>6}{'%':>7}")
    for ns, (have, missing) in rows:
        total = len(have) + len(missing)
        print(f"{ns:<28}{len(have):>6}{total:>6}{100 * len(have) / total:>7.1f}")
    have = sum(len(h) for h, _ in table.values())
    total = sum(len(h) + len(m) for h, m in table.values())
    print(f"{'all':<28}{have:>6}{total:>6}{100 * have / total:>7.1f}")


if __name__ == "__main__":
    main()
