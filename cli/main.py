"""The `assess` command line: import seasons, act on cycles, read results and audits.

Each command imports what it uses (the application, the store, rich) when it runs, so
that `assess --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from assess.cli.files import attach, export, files, restore
from assess.cli.serve import serve, users
from assess.cli.views import views
from assess.domain.errors import DomainError
from assess.domain.schemes import SCHEME_IDS

if TYPE_CHECKING:
    from assess.application.service import AssessApp

EXIT_VERIFICATION_FAILED = 1
EXIT_REFUSED = 2
EXIT_STORE_FAILED = 3
F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_REFUSED)


def output_option(*choices: str, help: str | None = None) -> Callable[[F], F]:
    """`--format`: the first choice is the default."""
    return click.option(
        "--format",
        "output",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=help,
    )


def emit(document: Any, output: str, human: Callable[[Any], None]) -> None:
    """JSON for machines, or the human rendering."""
    if output == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        human(document)


XLSX_FILE_HELP = "With --format xlsx (and only then): the file to write; - for stdout."


def check_xlsx_file(output: str, out_file: str | None) -> None:
    """-o goes with --format xlsx, and xlsx needs it: a workbook is not for a terminal."""
    if output == "xlsx" and out_file is None:
        fail("--format xlsx writes a workbook: give -o FILE.xlsx")
    if output != "xlsx" and out_file is not None:
        fail("-o is for --format xlsx; other formats are written to stdout")
    if out_file == "-" and sys.stdout.isatty():
        fail("refusing to write a workbook to a terminal: give -o FILE.xlsx or redirect")


def write_xlsx(workbook: bytes, out_file: str | None) -> None:
    if out_file == "-":
        sys.stdout.buffer.write(workbook)
        return
    assert out_file is not None
    try:
        Path(out_file).write_bytes(workbook)
    except OSError as error:
        fail(f"cannot write {out_file}: {error.strerror or error}")
    click.echo(f"wrote {out_file} ({len(workbook)} bytes)", err=True)


@contextmanager
def refusals() -> Iterator[None]:
    """Refusals and unreadable files end the command with exit 2 and one clear line."""
    from assess.application.season import SeasonError

    try:
        yield
    except (DomainError, SeasonError) as error:
        if isinstance(error, DomainError) and error.code == "integrity":
            click.echo(f"error: {error}", err=True)  # stored events that do not verify
            sys.exit(EXIT_VERIFICATION_FAILED)
        fail(str(error))


class StoreNotOpened(Exception):
    """The event store could not be opened at all (its file or directory)."""


class AssessGroup(click.Group):
    """Ends a command the event store failed (unreachable, missing, refusing the sign-in,
    read-only, full, timed out) with one line and exit 3, rather than a traceback;
    ``--debug`` lets the traceback through."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise  # click's own ends (`--help` among them), before anything is imported
        except Exception as error:
            from assess.infrastructure.store_errors import describe, is_store_failure

            failed = isinstance(error, StoreNotOpened) or is_store_failure(error)
            if ctx.params.get("debug") or not failed:
                raise
            message = f"error: the event store is unavailable: {describe(error)}"
            click.echo(message, err=True)
            sys.exit(EXIT_STORE_FAILED)


EPILOG = """\b
Exit codes:
  0  done (verify: everything holds)
  1  verification failed: verify found a problem, or stored events do not
     reproduce the results recorded for a version (integrity)
  2  refused: invalid input, a refused action, an unknown cycle or file
  3  the event store is unavailable or failing: unreachable, missing database,
     failed sign-in, read-only or full SQLite file, a timeout
"""


@click.group(
    cls=AssessGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EPILOG,
)
@click.option(
    "--db",
    envvar="ASSESS_DB",
    metavar="URL",
    help="Event store: sqlite:///path (default sqlite:///assess.db) or postgresql://…  "
    "[env ASSESS_DB]",
)
@click.option(
    "--account",
    envvar="ASSESS_ACCOUNT",
    metavar="NAME",
    help="The account recorded in every event this command stores (SPEC §4.1); "
    "default cli:<operating-system user>  [env ASSESS_ACCOUNT]",
)
@click.option(
    "--debug", is_flag=True, help="Show the traceback of a store failure (exit 3) instead."
)
@click.pass_context
def cli(ctx: click.Context, db: str | None, account: str | None, debug: bool) -> None:
    """assess — event-sourced annual assessment cycles (综合考核)."""
    ctx.obj = _LazyApp(db, account or os_account())
    ctx.call_on_close(ctx.obj.close)


def os_account() -> str:
    """`cli:<operating-system user>`, or `cli:unknown` where the system cannot say."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - getuser raises OSError, KeyError, ... by platform
        return "cli:unknown"


class _LazyApp:
    """Checks the URL and opens the event store only for commands that need them;
    `account` is the account the command's events record."""

    def __init__(self, db: str | None, account: str) -> None:
        self.db = db
        self.account = account
        self._url: str | None = None
        self._app: AssessApp | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            from assess.infrastructure.persistence import resolve_url

            try:
                self._url = resolve_url(self.db)
            except ValueError as error:
                fail(str(error))
        return self._url

    def get(self) -> AssessApp:
        if self._app is None:
            from assess.application.service import AssessApp
            from assess.infrastructure.persistence import open_application

            try:
                self._app = open_application(AssessApp, self.url)
            except ValueError as error:  # a setting such as ASSESS_DB_POOL_TIMEOUT=abc
                fail(str(error))
            except OSError as error:  # e.g. the SQLite file's directory cannot be made
                raise StoreNotOpened(str(error)) from error
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None


def store_of(ctx: click.Context) -> _LazyApp:
    store = ctx.find_object(_LazyApp)
    assert store is not None, "the assess group sets the store up"
    return store


def app_of(ctx: click.Context) -> AssessApp:
    return store_of(ctx).get()


@cli.command("import")
@click.argument("season_file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, season_file: Path) -> None:
    """Create a cycle from SEASON_FILE (JSON or YAML) and apply its actions atomically."""
    from assess.application.season import read_season

    with refusals():
        season = read_season(season_file)
        applied = app_of(ctx).import_season(season, account=store_of(ctx).account)
    click.echo(
        f"cycle {applied.cycle}: {applied.events} events stored, stage {applied.stage}"
        + (f", results version {applied.version}" if applied.version else "")
    )


@cli.command()
@click.argument("cycle")
@click.argument("batch_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--idempotency-key",
    "key",
    metavar="KEY",
    help="Names this batch (1 to 200 printable ASCII characters): run again with the same "
    "key and file, it stores nothing and prints the first answer; with another file, it "
    "is refused.",
)
@click.pass_context
def act(ctx: click.Context, cycle: str, batch_file: Path, key: str | None) -> None:
    """Apply the actions in BATCH_FILE (a JSON/YAML list) to CYCLE, all or none."""
    from assess.application.season import read_batch
    from assess.domain.requests import request_of

    account = store_of(ctx).account
    with refusals():
        actions = read_batch(batch_file)
        request = request_of(key, {"account": account, "actions": actions})
        applied = app_of(ctx).act(cycle, actions, account=account, request=request)
    if applied.repeated:
        click.echo(f"already stored by an earlier request with key {key}; nothing stored now:")
    click.echo(
        f"cycle {applied.cycle}: {applied.events} events stored, stage {applied.stage}"
        + (f", results version {applied.version}" if applied.version else "")
    )


@cli.command()
@click.argument("cycle")
@click.option("--version", "version", type=click.IntRange(min=1), help="A past results version.")
@output_option("json", "table", "csv", "xlsx", help="xlsx: an Excel workbook, written to -o FILE.")
@click.option("-o", "--output-file", "out_file", metavar="FILE", help=XLSX_FILE_HELP)
@click.option("--category", help="Only the units of this category.")
@click.option(
    "--as-of",
    metavar="TIMESTAMP",
    help="The version that stood then (ISO date or date-time, by the events' `at`).",
)
@click.option(
    "--position", type=click.IntRange(min=1), help="The version that stood after event N."
)
@click.pass_context
def results(
    ctx: click.Context,
    cycle: str,
    version: int | None,
    output: str,
    out_file: str | None,
    category: str | None,
    as_of: str | None,
    position: int | None,
) -> None:
    """The results of CYCLE (the latest version unless --version, --as-of or --position)."""
    from assess.application.exports import results_csv
    from assess.application.service import OneVersionOnly
    from assess.cli import render

    try:  # before the store is opened
        OneVersionOnly.check(version, as_of, position)
    except OneVersionOnly:
        fail("give only one of --version, --as-of and --position")
    check_xlsx_file(output, out_file)
    with refusals():
        document = app_of(ctx).results_at(cycle, version, as_of=as_of, position=position)
    if category is not None:
        rows = [row for row in document["results"] if row["category"] == category]
        document = {**document, "results": rows}
    if output == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=1))
    elif output == "xlsx":
        from assess.application.workbooks import results_workbook

        with refusals():
            workbook = results_workbook(app_of(ctx), cycle, document=document)
        write_xlsx(workbook, out_file)
    elif output == "csv":
        sys.stdout.buffer.write(results_csv(document["results"]))
    else:
        render.results_table(document)


@cli.command()
@click.argument("cycle")
@click.option("--version", "version", type=click.IntRange(min=1), help="A past results version.")
@output_option("json", "table")
@click.pass_context
def stats(ctx: click.Context, cycle: str, version: int | None, output: str) -> None:
    """Statistics of a results version of CYCLE (SPEC §10): spread of finals and grades per
    category, each submitter's lean, self-evaluation gaps (the latest version by default)."""
    from assess.application.stats import stats as statistics
    from assess.cli import render

    with refusals():
        document = statistics(app_of(ctx), cycle, version)
    emit(document, output, render.stats_tables)


@cli.command()
@click.argument("cycle")
@click.option("--version", "version", type=click.IntRange(min=1), help="A past results version.")
@click.option("-o", "out_file", required=True, help="The file to write: FILE.pdf or FILE.html.")
@click.pass_context
def report(ctx: click.Context, cycle: str, version: int | None, out_file: str) -> None:
    """The printable report of CYCLE in Chinese (the latest version by default): charts,
    ranking, vetoes, caps, appeals, statistics and what changed per version. The PDF
    needs a CJK font (`apt-get install fonts-noto-cjk`); the HTML report does not."""
    suffix = Path(out_file).suffix.lower()
    if suffix not in (".pdf", ".html"):
        fail(f"-o {out_file}: the report is written as .pdf or .html, not {suffix or 'no suffix'}")
    from assess.api.report import report_html, report_pdf

    with refusals():
        html = report_html(app_of(ctx), cycle, version)
        content = report_pdf(html) if suffix == ".pdf" else html.encode("utf-8")
    try:
        Path(out_file).write_bytes(content)
    except OSError as error:
        fail(f"-o {out_file}: {error.strerror or error}")
    click.echo(f"{cycle}: report written to {out_file}")


@cli.command()
@click.pass_context
def cycles(ctx: click.Context) -> None:
    """List the cycles with scheme, year, stage and latest results version; a cycle whose
    stored events cannot be read is listed as corrupt, with the reason."""
    from assess.cli import render

    render.cycles_table(app_of(ctx).cycles())


@cli.command()
@click.argument("cycle")
@click.option("--unit", help="Only the events that concern this unit.")
@output_option(
    "table",
    "json",
    "csv",
    "xlsx",
    help="json and csv: every event in full, with its hash; xlsx: the table's rows as an "
    "Excel workbook, written to -o FILE.",
)
@click.option("-o", "--output-file", "out_file", metavar="FILE", help=XLSX_FILE_HELP)
@click.pass_context
def audit(
    ctx: click.Context, cycle: str, unit: str | None, output: str, out_file: str | None
) -> None:
    """The events of CYCLE in order: position, time, actor, role, account, verb, summary,
    reason."""
    from assess.application.audit import export_records
    from assess.application.exports import audit_csv
    from assess.cli import render

    check_xlsx_file(output, out_file)
    with refusals():
        if output == "xlsx":
            from assess.application.workbooks import audit_workbook

            write_xlsx(audit_workbook(app_of(ctx), cycle, unit), out_file)
            return
        if output == "table":  # from the `audit` view where it is current
            render.audit_table(app_of(ctx).audit(cycle, unit)[0])
            return
        events = app_of(ctx).events_of(cycle)
    if output == "json":
        click.echo(json.dumps(export_records(events, unit), ensure_ascii=False, indent=1))
    else:
        sys.stdout.buffer.write(audit_csv(export_records(events, unit)))


@cli.command()
@click.argument("cycle", required=False)
@click.option("--expect-head", metavar="HASH", help="The chain head as kept elsewhere.")
@click.option("--accounts", is_flag=True, help="Verify the account directory's chain too.")
@output_option("text", "json")
@click.pass_context
def verify(
    ctx: click.Context, cycle: str | None, expect_head: str | None, accounts: bool, output: str
) -> None:
    """Replay every stored event of CYCLE: re-check the hash chain, recompute every
    results version against its recorded digests. With --accounts (CYCLE then optional),
    replay the account directory and compare it with the stored accounts. Exit 0 only
    if all holds."""
    from assess.cli.serve import verify_accounts

    if cycle is None and not accounts:
        fail("give CYCLE, --accounts, or both")
    document: dict[str, Any] = {}
    if cycle is not None:
        from assess.application.verify import verify_cycle

        with refusals():
            document = verify_cycle(app_of(ctx), cycle, expect_head).as_dict()
    if accounts:
        document["accounts"] = verify_accounts(ctx)
    emit(document, output, _verification)
    ok = document.get("ok", True) and document.get("accounts", {}).get("ok", True)
    sys.exit(0 if ok else 1)


def _verification(document: dict[str, Any]) -> None:
    from assess.cli import render

    if "cycle" in document:
        render.verification(document)
    if "accounts" in document:
        render.directory_verification(document["accounts"])


@cli.command()
@click.argument("cycle")
@click.argument("first", type=click.IntRange(min=1))
@click.argument("second", type=click.IntRange(min=1))
@output_option("table", "json")
@click.pass_context
def diff(ctx: click.Context, cycle: str, first: int, second: int, output: str) -> None:
    """Per unit, what changed between results versions FIRST and SECOND, and which events
    caused it (a unit no event touched moved because others did)."""
    from assess.cli import render

    with refusals():
        document = app_of(ctx).diff(cycle, first, second)
    emit(document, output, render.diff_table)


@cli.command()
@click.argument("cycle")
@output_option("table", "json")
@click.pass_context
def structure(ctx: click.Context, cycle: str, output: str) -> None:
    """What CYCLE asks for: its units, items and actors, each ordered by id."""
    from assess.application.structure import structure as structure_of
    from assess.cli import render

    with refusals():
        document = structure_of(app_of(ctx), cycle, with_actors=True)
    emit(document, output, render.structure_tables)


@cli.command()
@click.argument("cycle")
@click.argument("actor")
@output_option("table", "json")
@click.pass_context
def todo(ctx: click.Context, cycle: str, actor: str, output: str) -> None:
    """The inputs close_scoring would still miss in CYCLE that ACTOR may submit now."""
    from assess.application.structure import todo as todo_of
    from assess.cli import render

    with refusals():
        document = todo_of(app_of(ctx), cycle, actor)
    emit(document, output, render.todo_table)


@cli.command()
@click.argument("cycle")
@click.option("--for", "actor", required=True, help="The actor the template is for.")
@click.option(
    "-o", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.xlsx"
)
@click.pass_context
def template(ctx: click.Context, cycle: str, actor: str, out: Path) -> None:
    """An Excel score sheet of what ACTOR may enter in CYCLE now (fill, then import-sheet)."""
    from assess.application.sheets import template as template_of

    with refusals():
        data = template_of(app_of(ctx), cycle, actor)
    try:
        out.write_bytes(data)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror or error}")
    click.echo(f"template for {actor} in {cycle} written to {out}")


@cli.command("import-sheet")
@click.argument("cycle")
@click.argument("sheet_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "actor", required=True, help="The actor the sheet's entries are by.")
@click.pass_context
def import_sheet(ctx: click.Context, cycle: str, sheet_file: Path, actor: str) -> None:
    """Apply a filled template as one batch: every problem is listed, cell by cell, and
    then nothing is stored."""
    from assess.application.sheets import import_sheet as apply_sheet

    try:
        data = sheet_file.read_bytes()
    except OSError as error:
        fail(f"cannot read {sheet_file}: {error.strerror or error}")
    with refusals():
        applied = apply_sheet(app_of(ctx), cycle, data, actor, account=store_of(ctx).account)
    click.echo(
        f"cycle {applied.cycle}: {applied.events} events stored, stage {applied.stage}"
        + (f", results version {applied.version}" if applied.version else "")
    )


@cli.command()
@click.argument("year", type=click.IntRange(0, 9999))
@output_option("table", "json")
@click.pass_context
def tree(ctx: click.Context, year: int, output: str) -> None:
    """The cycles of YEAR (0: those without a year) and which cycle runs which (一级考核一级):
    units, grade counts of the latest version, and the cycles run by its units."""
    from assess.application.organisation import tree as tree_of
    from assess.cli import render

    with refusals():
        document = tree_of(app_of(ctx), year)
    emit(document, output, render.tree_table)


@cli.command()
@click.argument("unit")
@output_option("table", "json")
@click.pass_context
def history(ctx: click.Context, unit: str, output: str) -> None:
    """UNIT's figures across cycles and years: one line per cycle that holds it and has
    results, from its latest version, ordered by year."""
    from assess.application.organisation import history as history_of
    from assess.cli import render
    from assess.domain.texts import ID, checked_text

    with refusals():
        checked_text(unit, "UNIT", ID)
        document = history_of(app_of(ctx), unit)
    emit(document, output, render.history_table)


@cli.group()
def appeal() -> None:
    """Appeal review: the case file, and a dry run of the answer."""


@appeal.command("show")
@click.argument("cycle")
@click.argument("appeal_id", metavar="APPEAL")
@output_option("text", "json")
@click.pass_context
def appeal_show(ctx: click.Context, cycle: str, appeal_id: str, output: str) -> None:
    """The case file: the appeal, the unit's published figures and their inputs (who,
    when), supervision findings, the answer and its corrections."""
    from assess.application.appeals import case_file
    from assess.cli import render

    with refusals():
        document = case_file(app_of(ctx), cycle, appeal_id)
    emit(document, output, render.case_file)


@appeal.command("preview")
@click.argument("cycle")
@click.argument("appeal_id", metavar="APPEAL")
@click.option(
    "--corrections",
    "corrections_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A JSON/YAML list of corrections, as in resolve_appeal.",
)
@click.option("--outcome", type=click.Choice(["upheld", "dismissed"]), default="upheld")
@output_option("text", "json")
@click.pass_context
def appeal_preview(
    ctx: click.Context,
    cycle: str,
    appeal_id: str,
    corrections_file: Path | None,
    outcome: str,
    output: str,
) -> None:
    """What resolving APPEAL with these corrections would change, for the appellant
    and every other unit. Nothing is stored."""
    from assess.application.appeals import preview_resolution
    from assess.application.season import read_batch
    from assess.cli import render

    with refusals():
        corrections = read_batch(corrections_file) if corrections_file else []
        document = preview_resolution(app_of(ctx), cycle, appeal_id, corrections, outcome)
    emit(document, output, render.preview)


@cli.command("demo-season")
@click.option("--scheme", type=click.Choice(SCHEME_IDS), required=True)
@click.option("--units", type=click.IntRange(min=2), default=20, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--complications", is_flag=True, help="Ties, vetoes, caps, corrections, appeals.")
@click.option(
    "--items",
    type=click.IntRange(min=1),
    help="Number of items (leadership-team, performance-evaluation).",
)
@click.option("--per-score", is_flag=True, help="One submit_score per score instead of sheets.")
@click.option(
    "--year",
    type=click.IntRange(1, 9998),
    help="The cycle's year (default: the demo's, 2025); its id is YEAR-SCHEME, its actions "
    "are dated in it and early the next year (an import refuses dates in the future).",
)
@click.option("--run-by", metavar="ORG", help="The id of the organisation that runs the cycle.")
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
    year: int | None,
    run_by: str | None,
    output: Path | None,
) -> None:
    """Write a realistic generated season, valid and complete through publication."""
    from assess.cli.season_files import dump_season
    from assess.demo import YEAR, generate_season, season_json
    from assess.domain.season_header import organisation_id

    try:
        if run_by is not None:
            organisation_id(run_by, "--run-by")
        season = generate_season(
            scheme,
            units,
            seed,
            complications=complications,
            items=items,
            sheets=not per_score,
            year=year or YEAR,
            run_by=run_by,
        )
    except DomainError as error:
        fail(error.message)
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
    from assess.cli import render
    from assess.demo import demo_cycle, load_demo_seasons

    app = app_of(ctx)
    with refusals():
        click.echo(load_demo_seasons(app, units, account=store_of(ctx).account).summary())
        for scheme in SCHEME_IDS:
            render.results_table(app.results(demo_cycle(scheme)))
    click.echo(f"event store: {store_of(ctx).url}")


cli.add_command(serve)
cli.add_command(users)
cli.add_command(views)
cli.add_command(attach)
cli.add_command(files)
cli.add_command(export)
cli.add_command(restore)


def main() -> None:
    cli(prog_name="assess")
