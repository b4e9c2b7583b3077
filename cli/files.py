"""Evidence files (佐证材料) from the command line, and a cycle carried to another store.

`assess attach` uploads files for the CLI's account and prints the attachment objects
an action names; `assess files` lists a cycle's files and `assess files get` writes
one out; `assess export` and `assess restore` move a cycle with its files as one zip
(application/transfer.py). The CLI is the operator's tool: it acts for its account
without an actor's permission, as `assess act` does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

if TYPE_CHECKING:
    from assess.application.files import FileStore, Upload
    from assess.application.service import AssessApp

OUT_FILE = click.Path(dir_okay=False, path_type=Path)
SHORTEST_PREFIX = 6  # hex digits of a digest enough to name a file of the cycle


@click.command()
@click.argument("cycle")
@click.argument("paths", metavar="FILE...", nargs=-1, required=True, type=Path)
@click.option("--name", help="The name to show the file under (one FILE only); default: its own.")
@click.pass_context
def attach(ctx: click.Context, cycle: str, paths: tuple[Path, ...], name: str | None) -> None:
    """Upload FILE... to CYCLE for this command's account and print the JSON list of
    attachments to paste into an action's `attachments`. Every file is checked (type by
    content: PDF, JPEG, PNG, DOCX, XLSX or OFD; size by ASSESS_MAX_FILE_MB) before any
    is stored."""
    from assess.application.files import max_file_mb, upload
    from assess.cli.main import app_of, fail, refusals, store_of

    if name is not None and len(paths) > 1:
        fail("--name names one file: give a single FILE with it")
    contents = [(name or path.name, _read(path)) for path in paths]
    account = store_of(ctx).account
    with refusals():
        app = app_of(ctx)
        _existing(app, cycle)
        limit = max_file_mb(app.env)
        for shown, content in contents:  # a dry run: the same checks, nothing kept
            upload(cast("FileStore", _NothingKept()), cycle, account, shown, content, limit)
        if app.files is None:
            fail("this store keeps no files")
        done = [upload(app.files, cycle, account, n, c, limit) for n, c in contents]
    for each in done:
        click.echo(_uploaded_line(each), err=True)
    click.echo(json.dumps([each.attachment() for each in done], ensure_ascii=False, indent=1))


def _read(path: Path) -> bytes:
    from assess.cli.main import fail

    try:
        return path.read_bytes()
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}")


def _existing(app: AssessApp, cycle: str) -> None:
    """`not_found` unless the store holds the cycle (its first event is enough)."""
    from assess.domain.cycle import cycle_uuid
    from assess.domain.errors import DomainError

    if not app.recorder.select_events(cycle_uuid(cycle), limit=1):
        raise DomainError("not_found", f"no cycle {cycle!r}")


class _NothingKept:
    """A file store that keeps nothing: `upload` against it only checks the file."""

    def put(self, *_: Any) -> bool:
        return False


def _uploaded_line(done: Upload) -> str:
    state = "stored" if done.new else "already stored"
    return f"{state}: {done.name} ({done.media_type}, {done.size} bytes, {done.sha256[:12]})"


class _ListByDefault(click.Group):
    """`assess files CYCLE` lists: arguments that name no subcommand go to `list`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_ListByDefault)
def files() -> None:
    """The evidence files of a cycle: `assess files CYCLE` lists them, `assess files get
    CYCLE SHA256 -o FILE` writes one out."""


@files.command("list")
@click.argument("cycle")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def list_files(ctx: click.Context, cycle: str, output: str) -> None:
    """Every file of CYCLE: those its events attach (with the events), then the uploads
    no event attaches yet (with who uploaded them, when)."""
    from assess.cli.main import app_of, emit, refusals
    from assess.cli.render import files_tables

    with refusals():
        document = _listing(app_of(ctx), cycle)
    emit(document, output, files_tables)


def _listing(app: AssessApp, cycle: str) -> dict[str, Any]:
    from assess.application.files import attached_files, attaching_events

    attached = [
        file.as_dict() for file in attached_files(attaching_events(app.events_of(cycle))).values()
    ]
    known = {file["sha256"] for file in attached}
    uploads = app.files.uploads(cycle) if app.files is not None else []
    waiting = [upload for upload in uploads if upload["sha256"] not in known]
    return {"cycle": cycle, "attached": attached, "not_attached": waiting}


@files.command("get")
@click.argument("cycle")
@click.argument("digest", metavar="SHA256")
@click.option("-o", "out_file", required=True, type=OUT_FILE, help="The file to write.")
@click.pass_context
def get_file(ctx: click.Context, cycle: str, digest: str, out_file: Path) -> None:
    """Write the file of CYCLE whose SHA-256 is (or starts with, 6 digits at least)
    SHA256 to -o FILE. Bytes that no longer hash to the digest are not written (exit 1)."""
    from assess.cli.main import app_of, refusals

    with refusals():
        app = app_of(ctx)
        sha256, name, content = _stored_file(app, cycle, digest.lower())
    _write(out_file, content)
    click.echo(f"wrote {out_file}: {name} ({len(content)} bytes, {sha256[:12]})", err=True)


def _stored_file(app: AssessApp, cycle: str, digest: str) -> tuple[str, str, bytes]:
    import hashlib

    from assess.domain.errors import DomainError

    listing = _listing(app, cycle)
    names = {f["sha256"]: f["name"] for f in listing["not_attached"] + listing["attached"]}
    found = [sha256 for sha256 in names if sha256.startswith(digest)]
    if len(digest) < SHORTEST_PREFIX or len(found) != 1 or app.files is None:
        what = "names several files" if len(found) > 1 else "names no file"
        raise DomainError("not_found", f"{digest} {what} of cycle {cycle}")
    sha256 = found[0]
    content = app.files.read(sha256)
    if content is None:
        raise DomainError("not_found", f"the file {names[sha256]} ({sha256}) is not stored")
    if hashlib.sha256(content).hexdigest() != sha256:
        raise DomainError(
            "integrity",
            f"the stored file {names[sha256]} no longer hashes to its digest {sha256}: "
            f"run assess verify {cycle}",
        )
    return sha256, names[sha256], content


def _write(out_file: Path, content: bytes) -> None:
    from assess.cli.main import fail

    try:
        out_file.write_bytes(content)
    except OSError as error:
        fail(f"cannot write {out_file}: {error.strerror or error}")


@click.command()
@click.argument("cycle")
@click.option("-o", "out_file", required=True, type=OUT_FILE, help="The zip to write.")
@click.pass_context
def export(ctx: click.Context, cycle: str, out_file: Path) -> None:
    """Write CYCLE with its evidence files to -o FILE.zip (assess-export/1): every event
    in full with its hash, and the bytes of every attached file. Keep the printed head:
    `assess verify CYCLE --expect-head HEAD` checks a restored copy against it."""
    from assess.application.transfer import export_cycle, manifest_of
    from assess.cli.main import app_of, refusals

    with refusals():
        archive = export_cycle(app_of(ctx), cycle)
    _write(out_file, archive)
    manifest = manifest_of(archive)
    click.echo(
        f"cycle {cycle} exported to {out_file}: {manifest['events']} events, "
        f"{manifest['files']} files, head {manifest['head']}"
    )


@click.command()
@click.argument("archive", metavar="FILE.zip", type=Path)
@click.pass_context
def restore(ctx: click.Context, archive: Path) -> None:
    """Store the cycle exported to FILE.zip, exactly as recorded, in this store (which
    must not hold it). The whole archive is checked first (chain, results digests,
    every file); if anything is wrong nothing is stored."""
    from assess.application.transfer import restore_cycle
    from assess.cli.main import app_of, refusals, store_of

    content = _read(archive)
    with refusals():
        restored = restore_cycle(app_of(ctx), content, store_of(ctx).account)
    click.echo(
        f"cycle {restored.cycle} restored: {restored.events} events, {restored.files} files, "
        f"head {restored.head}"
    )
