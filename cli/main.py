"""The `assess` command line: import seasons, act on cycles, read results and audits."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

from application.audit import audit_rows
from application.demo_season import dump_season, generate_season, season_json
from application.season import SeasonError, read_batch, read_season
from application.service import AssessApp
from cli import render
from domain.errors import DomainError
from domain.rules import SCHEMES
from infrastructure.persistence import open_application, resolve_url

EXIT_REFUSED = 2


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_REFUSED)


@contextmanager
def refusals() -> Iterator[None]:
    """Refusals and unreadable files end the command with exit 2 and one clear line."""
    try:
        yield
    except (DomainError, SeasonError) as error:
        fail(str(error))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="ASSESS_DB",
    metavar="URL",
    help="Event store: sqlite:///path (default sqlite:///assess.db) or postgresql://…  "
    "[env ASSESS_DB]",
)
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """assess — event-sourced annual assessment cycles (综合考核)."""
    try:
        url = resolve_url(db)
    except ValueError as error:
        fail(str(error))
    ctx.obj = _LazyApp(url)


class _LazyApp:
    """Opens the event store only for commands that need it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._app: AssessApp | None = None

    def get(self) -> AssessApp:
        if self._app is None:
            self._app = open_application(AssessApp, self.url)
        return self._app


def app_of(ctx: click.Context) -> AssessApp:
    return ctx.find_object(_LazyApp).get()


@cli.command("import")
@click.argument("season_file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, season_file: Path) -> None:
    """Create a cycle from SEASON_FILE (JSON or YAML) and apply its actions atomically."""
    with refusals():
        season = read_season(season_file)
        applied = app_of(ctx).import_season(season)
    click.echo(
        f"cycle {applied.cycle}: {applied.events} events stored, stage {applied.stage}"
        + (f", results version {applied.version}" if applied.version else "")
    )


@cli.command()
@click.argument("cycle")
@click.argument("batch_file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def act(ctx: click.Context, cycle: str, batch_file: Path) -> None:
    """Apply the actions in BATCH_FILE (a JSON/YAML list) to CYCLE, all or none."""
    with refusals():
        actions = read_batch(batch_file)
        applied = app_of(ctx).act(cycle, actions)
    click.echo(
        f"cycle {applied.cycle}: {applied.events} events stored, stage {applied.stage}"
        + (f", results version {applied.version}" if applied.version else "")
    )


@cli.command()
@click.argument("cycle")
@click.option("--version", "version", type=click.IntRange(min=1), help="A past results version.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "table", "csv"]),
    default="json",
    show_default=True,
)
@click.option("--category", help="Only the units of this category.")
@click.pass_context
def results(
    ctx: click.Context, cycle: str, version: int | None, output: str, category: str | None
) -> None:
    """The results of CYCLE (the latest version unless --version is given)."""
    with refusals():
        document = app_of(ctx).results(cycle, version)
    if category is not None:
        rows = [row for row in document["results"] if row["category"] == category]
        document = {**document, "results": rows}
    if output == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=1))
    elif output == "csv":
        sys.stdout.buffer.write(render.results_csv(document).encode("utf-8-sig"))
    else:
        render.results_table(document)


@cli.command()
@click.pass_context
def cycles(ctx: click.Context) -> None:
    """List the cycles with scheme, year, stage and latest results version."""
    render.cycles_table(app_of(ctx).cycles())


@cli.command()
@click.argument("cycle")
@click.option("--unit", help="Only the events that concern this unit.")
@click.pass_context
def audit(ctx: click.Context, cycle: str, unit: str | None) -> None:
    """The events of CYCLE in order: position, time, actor, role, verb, summary, reason."""
    with refusals():
        events = app_of(ctx).events_of(cycle)
    render.audit_table(audit_rows(events, unit))


@cli.command("demo-season")
@click.option("--scheme", type=click.Choice(SCHEMES), required=True)
@click.option("--units", type=click.IntRange(min=2), default=20, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--complications", is_flag=True, help="Ties, vetoes, caps, corrections, appeals.")
@click.option("--items", type=click.IntRange(min=1), help="Number of items (B and C).")
@click.option("--per-score", is_flag=True, help="One submit_score per score instead of sheets.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (.json or .yaml); standard output as JSON if omitted.",
)
def demo_season(
    scheme: str,
    units: int,
    seed: int,
    complications: bool,
    items: int | None,
    per_score: bool,
    output: Path | None,
) -> None:
    """Write a realistic generated season, valid and complete through publication."""
    try:
        season = generate_season(
            scheme, units, seed, complications=complications, items=items, sheets=not per_score
        )
    except ValueError as error:
        fail(str(error))
    if output is None:
        click.echo(season_json(season), nl=False)
    else:
        dump_season(season, output)
        click.echo(f"wrote {output}: {len(season['actions'])} actions", err=True)


@cli.command()
@click.option("--units", type=click.IntRange(min=16), default=16, show_default=True)
@click.pass_context
def demo(ctx: click.Context, units: int) -> None:
    """Load one demo season per scheme (if absent) and show each scheme's results."""
    app = app_of(ctx)
    for number, scheme in enumerate(SCHEMES, start=1):
        season = generate_season(scheme, units, seed=number, complications=True)
        cycle_id = season["cycle"]["id"]
        with refusals():
            if not any(entry["cycle"] == cycle_id for entry in app.cycles()):
                applied = app.import_season(season)
                click.echo(f"imported {cycle_id}: {applied.events} events")
            render.results_table(app.results(cycle_id))
    click.echo(f"event store: {ctx.find_object(_LazyApp).url}")


def main() -> None:
    cli(prog_name="assess")
