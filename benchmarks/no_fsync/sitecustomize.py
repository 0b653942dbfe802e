"""Benchmark peer only: HA with ``os.fsync`` made a no-op (the journal before fsync).

Put on PYTHONPATH by ``benchmarks/delivery.py`` for the "without fsync" side;
never used by tests or by the integration.
"""

import os


def _no_fsync(fd: object) -> None:
    """Skip the flush to the disk itself."""


os.fsync = _no_fsync
