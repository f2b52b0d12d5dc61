"""Horovod's API on tensorweave: `horovod.tensorflow` is `tensorweave.horovod.tensorflow` when a
program runs under `python -m tensorweave` (see docs/distributed.md)."""
