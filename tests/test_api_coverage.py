"""TF 1.15's public names: the core namespaces are at least 95% present, and every core name
tensorweave lacks is listed, with its reason, in docs/compatibility.md."""
import importlib.util
import pathlib
import re

import tensorweave

_TOOL = pathlib.Path(__file__).resolve().parents[1] / "tools" / "api_coverage.py"
_spec = importlib.util.spec_from_file_location("api_coverage", _TOOL)
api_coverage = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(api_coverage)


def _core_table():
    table = api_coverage.coverage(tensorweave, api_coverage.read_names())
    return {ns: table.get(ns, ([], [])) for ns in api_coverage.CORE_NAMESPACES}


def test_core_namespaces_are_at_least_95_percent_present():
    table = _core_table()
    have = sum(len(h) for h, _ in table.values())
    total = sum(len(h) + len(m) for h, m in table.values())
    assert have / total >= 0.95, f"core coverage {have}/{total}"


def test_every_missing_core_name_is_listed_in_the_compatibility_page():
    listed = api_coverage.listed_names()
    missing = sorted(n for _, m in _core_table().values() for n in m if n not in listed)
    assert not missing, f"missing and not in docs/compatibility.md: {missing}"


def test_listed_names_are_really_missing():
    """A name implemented since must leave the "not provided" section (where provided names
    are written without their `tf.` prefix)."""
    table = api_coverage.coverage(tensorweave, api_coverage.read_names())
    present = {n for h, _ in table.values() for n in h}
    text = pathlib.Path(api_coverage.COMPATIBILITY_FILE).read_text(encoding="utf-8")
    section = text.split("## Names not provided", 1)[1].split("## Names that behave", 1)[0]
    stale = sorted(n for n in re.findall(r"`(tf\.[A-Za-z0-9_.]+)`", section) if n in present)
    assert not stale, f"listed as not provided but present: {stale}"
