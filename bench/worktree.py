"""Benchmarks run beside a baseline: an earlier commit's code, from a git worktree mapped
onto the `assess` package through PYTHONPATH, in the same run; and the benchmark's own
module run in a child process (on that code or this)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("domain", "application", "infrastructure", "api", "cli", "demo")


def spawn(module: str, args: list[str], pythonpath: str | None) -> subprocess.Popen:
    """`python -m module args` without this shell's ASSESS_* settings; with `pythonpath`,
    on the baseline's code. Its standard output is piped (text)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSESS_")}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    command = [sys.executable, "-m", module, *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def baseline_path(commit: str, work: Path) -> str:
    """A git worktree of `commit` and a folder whose `assess/` maps onto it."""
    tree = work / "tree"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit],
        check=True,
        capture_output=True,
    )
    package = work / "path" / "assess"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for folder in FOLDERS:
        (package / folder).symlink_to(tree / folder)
    pythonpath = str(work / "path")
    check = [sys.executable, "-c", "import assess.api; print(assess.api.__file__)"]
    found = subprocess.run(
        check,
        env={**os.environ, "PYTHONPATH": pythonpath},
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the baseline's assess.api resolves to {found}")
    return pythonpath


def remove_worktree(work: Path) -> None:
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(work / "tree")],
        check=False,
        capture_output=True,
    )
    shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def codes(baseline: str | None, now: str = "after") -> Iterator[list[tuple[str, str | None]]]:
    """The code to measure, as (label, PYTHONPATH or None for this checkout): the
    baseline's first when one is given; its worktree is removed afterwards."""
    if baseline is None:
        yield [(now, None)]
        return
    work = Path(tempfile.mkdtemp(prefix="assess-base-"))
    try:
        yield [(f"before ({baseline})", baseline_path(baseline, work)), (now, None)]
    finally:
        remove_worktree(work)
