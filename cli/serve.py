"""`assess serve` (the HTTP API under uvicorn) and `assess users` (accounts).

Both take the database from the group's `--db` (or `ASSESS_DB`) and accept their
own `--db` too. Register with `cli.add_command(serve)` and `cli.add_command(users)`.
The API (FastAPI, uvicorn) and the store (SQLAlchemy) are imported inside the commands,
so that `assess --help` and the other commands do not pay for them.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from assess.domain.errors import DomainError

if TYPE_CHECKING:
    from assess.infrastructure.accounts import AccountStore

EXIT_REFUSED = 2
db_option = click.option(
    "--db", metavar="URL", help="Event store URL (overrides the global --db and ASSESS_DB)."
)
reason_option = click.option("--reason", help="Why: recorded in the account directory.")


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_REFUSED)


def database_url(ctx: click.Context, db: str | None) -> str:
    """This command's --db, else the group's (--db / ASSESS_DB), else the default."""
    from assess.infrastructure.persistence import resolve_url

    try:
        if db:
            return resolve_url(db)
        return getattr(ctx.find_root().obj, "url", None) or resolve_url(None)
    except ValueError as error:
        fail(str(error))


@click.command()
@click.option("--host", help="Address to listen on  [default: 127.0.0.1, env ASSESS_HOST]")
@click.option("--port", type=int, help="Port  [default: 8000, env ASSESS_PORT]")
@db_option
@click.option("--demo", is_flag=True, help="Load the demo seasons and accounts (if absent).")
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, db: str | None, demo: bool
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from assess.api.app import create_app, service_key
    from assess.api.settings import Settings
    from assess.infrastructure.signing_key import KeyRefused

    url = database_url(ctx, db)
    settings = Settings()
    settings = settings.model_copy(
        update={
            "host": host or settings.host,
            "port": port or settings.port,
            "demo": settings.demo or demo,
        }
    )
    try:  # refused here with one line, rather than by the server with a traceback
        key = service_key(url, settings)
    except KeyRefused as error:
        fail(str(error))
    if demo:
        _prepare_demo(url, getattr(ctx.find_root().obj, "account", None))
    base = f"http://{settings.host}:{settings.port}"
    click.echo(f"assess API on {base}  (docs {base}/docs)  event store {_shown(url)}")
    click.echo(f"web console: {base}/")
    click.echo(f"tokens signed with {key.source}")
    # No `server: uvicorn` banner: what runs the API is nobody's business.
    app = create_app(url, settings)
    uvicorn.run(app, host=settings.host, port=settings.port, server_header=False)


def _prepare_demo(url: str, account: str | None) -> None:
    from assess.api.demo import load_demo
    from assess.application.service import AssessApp
    from assess.infrastructure.accounts import AccountStore
    from assess.infrastructure.persistence import open_application

    app = open_application(AssessApp, url)
    accounts = AccountStore(url)
    try:
        demo = load_demo(app, accounts, account)
    finally:
        accounts.close()
        app.close()
    click.echo(demo.seasons.summary())
    click.echo(
        "demo accounts (name / password: actors); their passwords are exempt from the "
        "password rules and known to all: never for real use"
    )
    for name, password, holds in demo.accounts:
        click.echo(f"  {name} / {password}: {holds}")


def _shown(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


@click.group()
def users() -> None:
    """API accounts: add, list, reset a password, disable or enable, grant admin, bind to a
    cycle's actor; every change is an event of the account directory (`assess users
    audit`). These commands act on the database directly, as its operator: no password
    of an account is asked for."""


@users.command("add")
@click.argument("name")
@db_option
@click.option("--admin", is_flag=True, help="May create cycles and manage accounts.")
@click.option(
    "--actor",
    "actors",
    multiple=True,
    metavar="CYCLE=ACTOR",
    help="Act as ACTOR in CYCLE (repeatable).",
)
@click.password_option(help="Prompted for if not given.")
@reason_option
@click.pass_context
def add(
    ctx: click.Context,
    name: str,
    db: str | None,
    admin: bool,
    actors: tuple[str, ...],
    password: str,
    reason: str | None,
) -> None:
    """Create account NAME (password: at least 10 characters, not the name)."""
    pairs = [_pair(entry) for entry in actors]
    with _accounts(ctx, db) as store:
        for cycle, actor in pairs:
            _require_actor(store.url, cycle, actor)
        store.add(name, password, admin=admin, actors=dict(pairs), by=by_of(ctx), reason=reason)
    click.echo(f"account {name} added" + (" (admin)" if admin else ""))


@users.command("list")
@db_option
@click.pass_context
def list_(ctx: click.Context, db: str | None) -> None:
    """Every account with its actors."""
    with _accounts(ctx, db) as store:
        for account in store.all():
            held = ", ".join(f"{cycle}={actor}" for cycle, actor in sorted(account.actors.items()))
            shown = " (admin)" if account.admin else ""
            shown += " (disabled)" if account.disabled else ""
            click.echo(f"{account.name}{shown}  {held}".rstrip())


@users.command("passwd")
@click.argument("name")
@db_option
@click.password_option(help="Prompted for if not given.")
@reason_option
@click.pass_context
def passwd(
    ctx: click.Context, name: str, db: str | None, password: str, reason: str | None
) -> None:
    """Reset the password of account NAME, as the database's operator (an admin's reset:
    the current password is not asked for). Every token issued to NAME before stops
    working. Over the API an account changes its own with its current password."""
    with _accounts(ctx, db) as store:
        store.set_password(name, password, by=by_of(ctx), reason=reason)
    click.echo(f"password of {name} changed; its earlier tokens are revoked")


@users.command("disable")
@click.argument("name")
@db_option
@reason_option
@click.pass_context
def disable(ctx: click.Context, name: str, db: str | None, reason: str | None) -> None:
    """Disable account NAME: it can no longer sign in and its tokens stop working. It is
    never deleted: its history and bindings stay. Refused for the last enabled admin."""
    with _accounts(ctx, db) as store:
        store.disable(name, by=by_of(ctx), reason=reason)
    click.echo(f"account {name} disabled")


@users.command("enable")
@click.argument("name")
@db_option
@reason_option
@click.pass_context
def enable(ctx: click.Context, name: str, db: str | None, reason: str | None) -> None:
    """Let disabled account NAME sign in again (its earlier tokens stay revoked)."""
    with _accounts(ctx, db) as store:
        store.enable(name, by=by_of(ctx), reason=reason)
    click.echo(f"account {name} enabled")


@users.command("admin")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Revoke admin instead of granting it.")
@db_option
@reason_option
@click.pass_context
def admin_(ctx: click.Context, name: str, revoke: bool, db: str | None, reason: str | None) -> None:
    """Grant admin to account NAME (with --revoke: take it away, which also revokes its
    tokens; refused for the last enabled admin)."""
    with _accounts(ctx, db) as store:
        store.set_admin(name, not revoke, by=by_of(ctx), reason=reason)
    click.echo(f"account {name} is {'no longer ' if revoke else ''}an admin")


@users.command("bind")
@click.argument("name")
@click.argument("cycle")
@click.argument("actor")
@db_option
@reason_option
@click.pass_context
def bind(
    ctx: click.Context, name: str, cycle: str, actor: str, db: str | None, reason: str | None
) -> None:
    """Let account NAME act as ACTOR in CYCLE."""
    with _accounts(ctx, db) as store:
        _require_actor(store.url, cycle, actor)
        store.bind(name, cycle, actor, by=by_of(ctx), reason=reason)
    click.echo(f"account {name} acts as {actor} in {cycle}")


@users.command("unbind")
@click.argument("name")
@click.argument("cycle")
@db_option
@reason_option
@click.pass_context
def unbind(ctx: click.Context, name: str, cycle: str, db: str | None, reason: str | None) -> None:
    """Account NAME no longer acts in CYCLE."""
    with _accounts(ctx, db) as store:
        store.unbind(name, cycle, by=by_of(ctx), reason=reason)
    click.echo(f"account {name} acts in {cycle} no more")


@users.command("audit")
@click.option("--account-name", "name", metavar="NAME", help="Only events about or by NAME.")
@db_option
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: every event in full, with its hash.",
)
@click.pass_context
def audit(ctx: click.Context, name: str | None, db: str | None, output: str) -> None:
    """The account directory's events in order: position, time, by, event, data, reason."""
    with _accounts(ctx, db) as store:
        events = store.audit(name)
    if output == "json":
        click.echo(json.dumps(events, ensure_ascii=False, indent=1))
        return
    for event in events:
        data = json.dumps(event["data"], ensure_ascii=False, sort_keys=True)
        why = f"  ({event['reason']})" if event["reason"] else ""
        click.echo(
            f"{event['position']:>5}  {event['recorded']}  {event['by']}  {event['event']}  "
            f"{data}{why}"
        )


def verify_accounts(ctx: click.Context) -> dict[str, Any]:
    """`assess verify --accounts`: the directory's report, as a document."""
    with _accounts(ctx, None) as store:
        return store.verify().as_dict()


def by_of(ctx: click.Context) -> str:
    """The account this command acts as (SPEC §4.1: --account, ASSESS_ACCOUNT, cli:user)."""
    found = getattr(ctx.find_root().obj, "account", None)
    if found:
        return str(found)
    from assess.cli.main import os_account

    return os_account()


class _accounts:
    """The account store of the command's database; refusals exit 2 with one line."""

    def __init__(self, ctx: click.Context, db: str | None) -> None:
        self.url = database_url(ctx, db)

    def __enter__(self) -> AccountStore:
        from assess.infrastructure.accounts import AccountStore

        self.store = AccountStore(self.url)
        return self.store

    def __exit__(self, kind, error, trace) -> None:
        self.store.close()
        if isinstance(error, DomainError):
            fail(str(error))


def _require_actor(url: str, cycle: str, actor: str) -> None:
    from assess.application.access import require_bindable
    from assess.application.service import AssessApp
    from assess.infrastructure.persistence import open_application

    app = open_application(AssessApp, url)
    try:
        require_bindable(app, cycle, actor)
    finally:
        app.close()


def _pair(entry: str) -> tuple[str, str]:
    cycle, sep, actor = entry.partition("=")
    if not sep or not cycle or not actor:
        fail(f"--actor {entry!r}: expected CYCLE=ACTOR")
    return cycle, actor
