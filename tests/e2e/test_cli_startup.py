"""`assess --help` (and a command's help) starts without the API or the store: FastAPI,
uvicorn and SQLAlchemy are imported only by the commands that use them."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from assess.cli.main import cli

HEAVY = ("fastapi", "uvicorn", "sqlalchemy", "eventsourcing_sqlalchemy")
HELPS = (["--help"], ["serve", "--help"], ["cycles", "--help"], ["users", "add", "--help"])
# Runs the helps, prints the heavy modules then loaded and then (a control that the probe
# sees them at all) those loaded after importing the API and its server.
PROBE = f"""
import sys
from assess.cli.main import cli
for args in {HELPS!r}:
    try:
        cli.main(args, prog_name="assess")
    except SystemExit as exit:
        assert exit.code == 0, (args, exit.code)
print(sorted(m for m in {HEAVY!r} if m in sys.modules))
import assess.api.app, uvicorn
print(sorted(m for m in {HEAVY!r} if m in sys.modules))
"""


def test_help_loads_neither_the_api_nor_the_store() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    *help_text, after_help, after_api = result.stdout.splitlines()
    for args in HELPS:
        assert f"Usage: assess {' '.join(args[:-1])}".rstrip() in "\n".join(help_text)
    assert after_help == "[]"
    assert after_api == str(sorted(HEAVY))


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
    return paths


COMMANDS = _command_paths(cli)


def test_every_command_is_listed() -> None:
    assert {"serve", "users", "demo", "demo-season", "results", "appeal"} <= {
        path[0] for path in COMMANDS
    }
    assert ("users", "add") in COMMANDS and ("appeal", "preview") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_still_has_its_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {' '.join(path)}" in result.output
