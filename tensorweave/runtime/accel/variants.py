"""The variant registry and the switch that turns variants and process tuning on and off.

A variant is a faster kernel for one op type, with the reference kernel's signature and
results (within floating-point reassociation). `register_variant(op_type, choose)` adds
`choose(op) -> kernel or None`; a Plan asks `variant_for(op)` once, when it binds the op's
kernel, and binds the reference kernel where no variant chose to run.

The switch, strongest first: `ConfigProto(accel=...)` of the Session, then the environment
variable TENSORWEAVE_ACCEL:

    accel=False / TENSORWEAVE_ACCEL=0   reference kernels only; the process is left alone
    accel=None  / unset                 variants on; the process is left alone (the default)
    accel=True  / TENSORWEAVE_ACCEL=1   variants on, and the first such Session tunes the
                                        process (process_tuning.py)
"""
import os

ENVIRONMENT_VARIABLE = "TENSORWEAVE_ACCEL"
_choosers = {}  # op type -> [choose, ...], in registration order


def register_variant(op_type, choose):
    """Adds `choose(op) -> kernel or None` to the variants of `op_type`."""
    _choosers.setdefault(op_type, []).append(choose)


def variant_for(op):
    """The first kernel a variant of op's type chooses for `op`, or None."""
    for choose in _choosers.get(op.type, ()):
        kernel = choose(op)
        if kernel is not None:
            return kernel
    return None


def writing(kernel):
    """Marks a variant kernel that also takes `out=` as its op type's `writes_into` does, so
    that a Plan may give it a dying input's buffer (in_place.py)."""
    kernel.writes_into = kernel
    return kernel


def op_types_with_variants():
    return sorted(_choosers)


def setting(config=None):
    """False (off), None (variants only) or True (variants and process tuning), from the
    session config's `accel` field, else from TENSORWEAVE_ACCEL."""
    chosen = getattr(config, "accel", None)
    if chosen is not None:
        return bool(chosen)
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower()
    if value in ("0", "false", "off", "no"):
        return False
    if value in ("1", "true", "on", "yes"):
        return True
    return None


def variants_enabled(config=None):
    return setting(config) is not False
