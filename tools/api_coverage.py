"""How much of TF 1.15's public `tf` namespace tensorweave has, by namespace.

    python tools/api_coverage.py              # the table
    python tools/api_coverage.py --missing tf.nn   # the names missing under tf.nn
    python tools/api_coverage.py --core            # the core namespaces (issue 17), with the
                                                   # missing names docs/compatibility.md lists

The names come from `tools/tf1_api.txt` (TF 2.15's `tf.compat.v1`, contrib excluded). A name
counts as present when `tensorweave.<path>` resolves by attribute access.
"""
import argparse
import collections
import os
import sys

NAMES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf1_api.txt")
COMPATIBILITY_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                  "docs", "compatibility.md")

# The core namespaces: the top level and the namespaces every TF1 program leans on.
CORE_NAMESPACES = (
    "tf", "tf.math", "tf.linalg", "tf.nn", "tf.random", "tf.dtypes", "tf.initializers",
    "tf.debugging", "tf.errors", "tf.compat", "tf.test", "tf.train", "tf.bitwise", "tf.signal",
    "tf.spectral", "tf.manip", "tf.nest", "tf.graph_util", "tf.config", "tf.resource_loader",
    "tf.version", "tf.profiler", "tf.logging", "tf.app", "tf.flags", "tf.gfile")


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


def listed_names(path=COMPATIBILITY_FILE):
    """The `tf.` names docs/compatibility.md lists (in backticks) as not implemented."""
    if not os.path.exists(path):
        return set()
    import re
    with open(path, encoding="utf-8") as f:
        return set(re.findall(r"`(tf\.[A-Za-z0-9_.]+)`", f.read()))


def core_report(table):
    """The core namespaces' coverage, and their missing names split by whether
    docs/compatibility.md lists them."""
    listed = listed_names()
    print(f"{'namespace':<22}{'have':>6}{'of':>6}{'%':>7}{'listed':>8}{'unlisted':>9}")
    have_all = total_all = listed_all = 0
    unlisted_names = []
    for ns in CORE_NAMESPACES:
        have, missing = table.get(ns, ([], []))
        total = len(have) + len(missing)
        in_doc = [n for n in missing if n in listed]
        unlisted_names += [n for n in missing if n not in listed]
        have_all, total_all, listed_all = (have_all + len(have), total_all + total,
                                           listed_all + len(in_doc))
        print(f"{ns:<22}{len(have):>6}{total:>6}{100 * len(have) / max(total, 1):>7.1f}"
              f"{len(in_doc):>8}{len(missing) - len(in_doc):>9}")
    print(f"{'core':<22}{have_all:>6}{total_all:>6}{100 * have_all / total_all:>7.1f}"
          f"{listed_all:>8}{total_all - have_all - listed_all:>9}")
    if unlisted_names:
        print("\nmissing and not listed in docs/compatibility.md:")
        print(" ".join(sorted(unlisted_names)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", metavar="NAMESPACE",
                        help="list the missing names under this namespace ('tf' = top level)")
    parser.add_argument("--core", action="store_true",
                        help="the core namespaces, with what docs/compatibility.md lists")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import tensorweave
    table = coverage(tensorweave, read_names())
    if args.core:
        core_report(table)
        return
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
