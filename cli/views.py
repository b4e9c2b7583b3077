"""`assess views`: the read views of SPEC §8 — their status, keeping them current, and
rebuilding them from the event log."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

import click

from assess.application.views import VIEWS

if TYPE_CHECKING:
    from assess.infrastructure.view_runner import ViewRunner

EXIT_LOST = 1


@click.group()
def views() -> None:
    """The read views (cycles, results, audit, history): tables beside the events that
    answer the everyday reads; reads fall back to the events while a view is behind."""


def _runner(ctx: click.Context, batch: int | None = None) -> ViewRunner:
    from assess.cli.main import app_of
    from assess.infrastructure.view_runner import BATCH, ViewRunner

    return ViewRunner(app_of(ctx), batch=batch or BATCH)


batch_option = click.option(
    "--batch",
    type=click.IntRange(min=1, max=100_000),
    help="Notifications applied per transaction  [default: 2000]",
)


@views.command()
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def status(ctx: click.Context, output: str) -> None:
    """Each view: the last notification it processed, the log's last, and the lag."""
    rows = _runner(ctx).status()
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("视图 view", "已处理 processed", "日志末尾 last", "滞后 lag")
    for row in rows:
        table.add_row(row["view"], str(row["processed"]), str(row["last"]), str(row["lag"]))
    Console().print(table)


@views.command()
@click.option("--follow", is_flag=True, help="Keep running: apply new events as they come.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.01, max=60),
    default=0.1,
    show_default=True,
    help="Seconds between looks at the log when following.",
)
@batch_option
@click.pass_context
def run(ctx: click.Context, follow: bool, interval: float, batch: int | None) -> None:
    """Bring every view up to the end of the event log (and, with --follow, keep them
    there until stopped with Ctrl-C or SIGTERM)."""
    from assess.infrastructure.view_runner import LostPlace

    runner = _runner(ctx, batch)
    try:
        if not follow:
            started = time.perf_counter()
            events = runner.run()
            _done("views up to date", events, time.perf_counter() - started, runner)
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        click.echo("following the event log; Ctrl-C to stop", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            runner.follow(stop, interval)
    except LostPlace as error:
        _lost(error)


@views.command()
@click.argument("view", required=False, type=click.Choice(VIEWS))
@batch_option
@click.pass_context
def rebuild(ctx: click.Context, view: str | None, batch: int | None) -> None:
    """Drop VIEW (every view if none is named) and rebuild it from the start of the log,
    with a progress bar. Reads of it go to the events meanwhile."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    runner = _runner(ctx, batch)
    chosen = [view] if view else list(VIEWS)
    runner.reset(chosen)
    last = runner.recorder.max_notification_id() or 0
    started = time.perf_counter()
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} notifications"),
        TextColumn("{task.fields[rate]} events/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task(f"rebuilding {', '.join(chosen)}", total=last, rate="-")

        def progress(events: int, position: int) -> None:
            rate = events / max(time.perf_counter() - started, 1e-9)
            bar.update(task, completed=min(position, last), rate=f"{rate:,.0f}")

        events = runner.run(progress=progress)
        bar.update(task, completed=last)
    _done(f"rebuilt {', '.join(chosen)}", events, time.perf_counter() - started, runner)


def _done(what: str, events: int, seconds: float, runner: Any) -> None:
    position = min((p or 0) for p in runner.positions.values())
    rate = f" ({events / seconds:,.0f} events/s)" if events and seconds > 0 else ""
    click.echo(
        f"{what}: {events:,} events applied in {seconds:.2f} s{rate}; at notification {position}"
    )


def _lost(error: Exception) -> None:
    click.echo(f"error: {error}; run `assess views rebuild`", err=True)
    sys.exit(EXIT_LOST)
