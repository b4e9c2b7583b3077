"""Turns at the CPU between xdist workers, for tests that time a server's answers: while
one of them runs (an exclusive turn), no browser test runs (each takes a shared turn),
since Chromium alone can take both cores of these machines. A lock file in the system's
temporary folder, held with flock for the length of a test."""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK = Path(tempfile.gettempdir()) / "assess-tests-cpu.lock"


@contextmanager
def cpu_turn(exclusive: bool) -> Iterator[None]:
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
