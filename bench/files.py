"""Evidence files benchmark (issue 15): uploading, attaching and verifying N files of
M MiB, side by side with what the database and hashing alone allow.

    .venv/bin/python -m bench.files [--store postgres|sqlite|both] [--files 1000] [--mib 1]
        [--http-files 250] [--reps 3] [--json]

Each repetition starts from a fresh store (PostgreSQL: a new database, dropped
afterwards; SQLite: a file in a temporary folder) holding the group-party-org example up
to its first `publish_items` (the cycle in progress), opened as `assess serve` opens it
(cycles cached), then, in one process:

1. upload: N distinct files (`%PDF-1.7` and random bytes) through
   `application.files.upload`, spread over the ten unit actors' accounts;
2. upload over HTTP: `--http-files` other files, `POST /cycles/{id}/files` through
   FastAPI's TestClient (client and server in this process) as those accounts;
3. attach: `claim_commendation` actions by the unit actors, each naming 10 of the files
   of step 1, one `app.act` (one transaction) per action;
4. verify: `verify_cycle` over the cycle (chain, replay, each attached file read back
   and hashed);
5. attach again: the same files under new claims, after an ANALYZE of the store (a
   fresh PostgreSQL database has no statistics until autovacuum's first pass);
6. raw insert: the files of step 1 `executemany`d as (sha256, content) into a scratch
   table of the same column types, one transaction, through the same driver;
7. raw read: `SELECT sha256, content` of that table, streamed, and SHA-256 of each.

On PostgreSQL a CHECKPOINT precedes each step, so that no step pays for the dirty pages
of the last. CPU is the bench process's, and on PostgreSQL also the server processes'
serving its database (the shared WAL writer and checkpointer are not counted). Shares
of baseline: a step's files/s over the raw insert's (uploads) or raw read's (verify).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assess.application.files import Upload, upload
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.infrastructure.persistence import normalise_url, open_application, sqlite_path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT.parent / "shared" / "examples" / "group-party-org.season.json"
CYCLE = "2025-group-party-org"
MIB = 1024 * 1024
HEADER = b"%PDF-1.7\n"
PER_ACTION = 10
PASSWORD = "bench-files-password"
SCRATCH = "bench_files_raw"
SERVER_LIKE = {"AGGREGATE_CACHE_MAXSIZE": "16", "READ_STALENESS_MS": "200"}  # as `assess serve`
LABELS = {
    "upload": "upload (`application.files.upload`)",
    "upload_http": "upload over HTTP (`POST /cycles/{id}/files`)",
    "raw_insert": "baseline: raw insert, one transaction",
    "attach": f"attach ({PER_ACTION} files per `claim_commendation`, `app.act`)",
    "attach_analyzed": "attach again, the same files, after ANALYZE",
    "verify": "verify (`verify_cycle`)",
    "raw_read": "baseline: raw SELECT + SHA-256",
}
BASELINE = {"upload": "raw_insert", "upload_http": "raw_insert", "verify": "raw_read"}
"""The baseline each step is read against: its files/s as a share of the baseline's."""


def contents(count: int, size: int) -> list[bytes]:
    """`count` distinct PDF-looking files of `size` bytes."""
    return [HEADER + os.urandom(size - len(HEADER)) for _ in range(count)]


@contextmanager
def clock(into: dict[str, Any], step: str, url: str) -> Iterator[None]:
    """Wall and CPU seconds of the block, recorded under `step`: this process's, and on
    PostgreSQL those of the server processes serving the benchmark's database."""
    print(f"  {step} …", file=sys.stderr)
    server = backend_cpu(url)
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into[step] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    after = backend_cpu(url)
    if after:
        into[step]["server_cpu"] = sum(t - server.get(pid, 0.0) for pid, t in after.items())


def backend_cpu(url: str) -> dict[int, float]:
    """CPU seconds so far of each server process connected to this PostgreSQL database
    (not the shared WAL writer, checkpointer or background writer); {} on SQLite."""
    if url.startswith("sqlite"):
        return {}
    import psycopg2

    connection = psycopg2.connect(libpq(url))
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # gone, or the server runs elsewhere
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


# ---- the store -------------------------------------------------------------------------


def season_in_progress() -> dict[str, Any]:
    """The example up to and with its first `publish_items`: the cycle in progress."""
    season = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    actions = season["actions"]
    first = next(i for i, action in enumerate(actions) if action["do"] == "publish_items")
    return {**season, "actions": actions[: first + 1]}


def unit_actors(season: dict[str, Any]) -> list[tuple[str, str]]:
    """(actor, unit) of each unit actor; its account is named after the actor."""
    return [(a["id"], a["unit"]) for a in season["actors"] if a["role"] == "unit"]


def account_of(actor: str) -> str:
    return f"bench-{actor}"


def checkpoint(url: str) -> None:
    """PostgreSQL: dirty pages written out before a step (SQLite: nothing to do)."""
    if not url.startswith("sqlite"):
        run_sql(url, "CHECKPOINT")


def run_sql(url: str, sql: str) -> None:
    """One statement through the bare driver, outside a transaction."""
    if url.startswith("sqlite"):
        import sqlite3

        connection: Any = sqlite3.connect(sqlite_path(url) or "", isolation_level=None)
    else:
        import psycopg2

        connection = psycopg2.connect(libpq(url))
        connection.autocommit = True
    try:
        connection.cursor().execute(sql)
    finally:
        connection.close()


def libpq(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(False)


# ---- the product's steps ---------------------------------------------------------------


def step_upload(
    app: AssessApp, files: list[bytes], actors: list[tuple[str, str]], limit: int
) -> list[Upload]:
    """File i goes to the account of the unit actor whose action will attach it."""
    assert app.files is not None
    done = []
    for i, content in enumerate(files):
        actor, _ = actors[i // PER_ACTION % len(actors)]
        name = f"佐证材料-{i:05d}.pdf"
        done.append(upload(app.files, CYCLE, account_of(actor), name, content, limit))
    if not all(file.new for file in done):
        raise RuntimeError("an upload was not new: the files are not distinct")
    return done


def step_attach(
    app: AssessApp, uploads: list[Upload], actors: list[tuple[str, str]], claims: str
) -> int:
    """One claim per 10 files, by the actor whose account uploaded them; claim ids
    `claims` + a number."""
    actions = 0
    for start in range(0, len(uploads), PER_ACTION):
        actor, unit = actors[start // PER_ACTION % len(actors)]
        action = {
            "do": "claim_commendation",
            "by": actor,
            "unit": unit,
            "claim": f"{claims}{start // PER_ACTION:05d}",
            "level": "provincial",
            "title": "获评先进基层党组织",
            "evidence": "表彰文件",
            "attachments": [file.attachment() for file in uploads[start : start + PER_ACTION]],
        }
        app.act(CYCLE, [action], account_of(actor))
        actions += 1
    return actions


def step_verify(app: AssessApp, expected: int) -> None:
    report = verify_cycle(app, CYCLE)
    if not report.ok or report.files_checked != expected:
        raise RuntimeError(f"verify: {report.failure or report.files_checked} files checked")


def http_client(url: str, actors: list[tuple[str, str]], limit: int) -> Any:
    """A TestClient on the API (views off), and each unit account's auth header."""
    from fastapi.testclient import TestClient

    from assess.api.app import create_app
    from assess.api.settings import Settings
    from assess.infrastructure.accounts import AccountStore, password_hasher

    accounts = AccountStore(url, password_hasher(1, 1024))
    for actor, _ in actors:
        accounts.add(account_of(actor), PASSWORD)
        accounts.bind(account_of(actor), CYCLE, actor)
    accounts.close()
    settings = Settings(
        secret="b" * 32,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        views=False,
        max_file_mb=limit,
    )
    return TestClient(create_app(url, settings))


def step_upload_http(client: Any, files: list[bytes], actors: list[tuple[str, str]]) -> None:
    headers = {}
    for actor, _ in actors:
        form = {"username": account_of(actor), "password": PASSWORD}
        answer = client.post("/auth/token", data=form)
        answer.raise_for_status()
        headers[actor] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    for i, content in enumerate(files):
        actor, _ = actors[i // PER_ACTION % len(actors)]
        sent = {"file": (f"佐证材料-HTTP-{i:05d}.pdf", content, "application/pdf")}
        answer = client.post(f"/cycles/{CYCLE}/files", files=sent, headers=headers[actor])
        if answer.status_code != 201 or not answer.json()["new"]:
            raise RuntimeError(f"upload {i}: {answer.status_code} {answer.text[:200]}")


# ---- the baselines ---------------------------------------------------------------------


class RawTable:
    """The scratch table through the bare driver (sqlite3 / psycopg2), as `files` types
    its columns: sha256 VARCHAR(64) primary key, content BLOB / BYTEA."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            import sqlite3

            self.conn: Any = sqlite3.connect(sqlite_path(url) or "", isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.mark = "?"
        else:
            import psycopg2

            self.conn = psycopg2.connect(libpq(url))
            self.mark = "%s"
        blob = "BLOB" if self.sqlite else "BYTEA"
        self._run(f"DROP TABLE IF EXISTS {SCRATCH}")
        self._run(
            f"CREATE TABLE {SCRATCH} (sha256 VARCHAR(64) PRIMARY KEY, content {blob} NOT NULL)"
        )

    def _run(self, sql: str) -> None:
        self.conn.cursor().execute(sql)
        if not self.sqlite:
            self.conn.commit()

    def insert(self, rows: list[tuple[str, bytes]]) -> None:
        """`executemany` in one transaction, committed."""
        cursor = self.conn.cursor()
        if self.sqlite:
            cursor.execute("BEGIN")
        sql = f"INSERT INTO {SCRATCH} (sha256, content) VALUES ({self.mark}, {self.mark})"
        cursor.executemany(sql, rows)
        if self.sqlite:
            cursor.execute("COMMIT")
        else:
            self.conn.commit()

    def read_and_hash(self) -> tuple[int, float]:
        """Every row read (streamed: 16 rows a fetch on PostgreSQL) and hashed; the rows
        and the seconds spent hashing. A row that does not hash to its key is an error."""
        if self.sqlite:
            cursor = self.conn.cursor()
        else:
            cursor = self.conn.cursor(name="bench_files_scan")
            cursor.itersize = 16
        cursor.execute(f"SELECT sha256, content FROM {SCRATCH}")
        rows, hashing = 0, 0.0
        for digest, content in cursor:
            started = time.perf_counter()
            if hashlib.sha256(content).hexdigest() != digest:
                raise RuntimeError(f"raw row {digest} does not hash to its key")
            hashing += time.perf_counter() - started
            rows += 1
        cursor.close()
        if not self.sqlite:
            self.conn.commit()
        return rows, hashing

    def close(self) -> None:
        try:
            self._run(f"DROP TABLE IF EXISTS {SCRATCH}")
        finally:
            self.conn.close()


# ---- one repetition --------------------------------------------------------------------


def repetition(url: str, files: list[bytes], other: list[bytes], limit: int) -> dict[str, Any]:
    """Every step once on a fresh store at `url`: {step: {wall, cpu, server_cpu}}."""
    season = season_in_progress()
    actors = unit_actors(season)
    app = open_application(AssessApp, url, **SERVER_LIKE)
    app.import_season(season)
    got: dict[str, Any] = {}
    try:
        checkpoint(url)
        with clock(got, "upload", url):
            uploads = step_upload(app, files, actors, limit)
        if other:
            with http_client(url, actors, limit) as client:
                checkpoint(url)
                with clock(got, "upload_http", url):
                    step_upload_http(client, other, actors)
        checkpoint(url)
        with clock(got, "attach", url):
            step_attach(app, uploads, actors, "B")
        checkpoint(url)
        with clock(got, "verify", url):
            step_verify(app, len(files))
        run_sql(url, "ANALYZE")  # what autovacuum (PostgreSQL) would do within a minute
        checkpoint(url)
        with clock(got, "attach_analyzed", url):
            step_attach(app, uploads, actors, "A")
    finally:
        app.close()
    rows = [(file.sha256, content) for file, content in zip(uploads, files, strict=True)]
    raw = RawTable(url)
    try:
        checkpoint(url)
        with clock(got, "raw_insert", url):
            raw.insert(rows)
        checkpoint(url)
        with clock(got, "raw_read", url):
            read, hashing = raw.read_and_hash()
    finally:
        raw.close()
    if read != len(rows):
        raise RuntimeError(f"raw read {read} rows of {len(rows)}")
    got["raw_read"]["hashing"] = hashing
    return got


@contextmanager
def fresh_store(store: str) -> Iterator[str]:
    if store == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'files.db'}"
    else:
        from tests.pg import fresh_database_url

        with fresh_database_url() as url:
            yield url


def counts(args: argparse.Namespace) -> dict[str, tuple[int, str, float | None]]:
    """Each step's (count, what is counted, MiB moved)."""
    actions = -(-args.files // PER_ACTION)
    files = (args.files, "files", args.files * args.mib)
    return {
        "upload": files,
        "upload_http": (args.http_files, "files", args.http_files * args.mib),
        "raw_insert": files,
        "attach": (actions, "actions", None),
        "attach_analyzed": (actions, "actions", None),
        "verify": files,
        "raw_read": files,
    }


def measure(
    store: str, args: argparse.Namespace, files: list[bytes], other: list[bytes]
) -> dict[str, Any]:
    """The repetitions on one store, and min/median of each step."""
    runs = []
    for n in range(args.reps):
        print(f"[{store}] repetition {n + 1}/{args.reps}", file=sys.stderr)
        with fresh_store(store) as url:
            runs.append(repetition(url, files, other, args.limit))
    steps: dict[str, Any] = {}
    for step, (count, unit, mib) in counts(args).items():
        taken = [run[step] for run in runs if step in run]
        if not taken:
            continue
        walls = [t["wall"] for t in taken]
        median = statistics.median(walls)
        steps[step] = {
            "count": count,
            "unit": unit,
            "wall_min": min(walls),
            "wall_median": median,
            "walls": walls,
            "cpu_median": statistics.median(t["cpu"] for t in taken),
            "server_cpu_median": (
                statistics.median(t["server_cpu"] for t in taken)
                if all("server_cpu" in t for t in taken)
                else None
            ),
            "per_s": count / median,
            "mib_per_s": None if mib is None else mib / median,
        }
        if step == "raw_read":
            steps[step]["hashing_median"] = statistics.median(t["hashing"] for t in taken)
    for step, base in BASELINE.items():
        if step in steps:
            steps[step]["share_of_baseline"] = steps[step]["per_s"] / steps[base]["per_s"]
            best = steps[step]["count"] / steps[step]["wall_min"]
            steps[step]["share_of_baseline_min"] = best / (
                steps[base]["count"] / steps[base]["wall_min"]
            )
    return {"store": store, "steps": steps}


# ---- report ----------------------------------------------------------------------------


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        f"machine: {machine()}; {args.files:,} files × {args.mib:g} MiB "
        f"({args.http_files:,} over HTTP), {args.reps} repetitions, each on a fresh store; "
        "rates from the median wall (shares also from the min walls)",
        "",
        "| store | step | n | wall min | wall median | per s | MiB/s | CPU, bench process "
        "| CPU, database server | share of baseline, median (min) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for step, got in result["steps"].items():
            share, best = got.get("share_of_baseline"), "share_of_baseline_min"
            mib = "–" if got["mib_per_s"] is None else f"{got['mib_per_s']:,.1f}"
            server = got["server_cpu_median"]
            lines.append(
                f"| {result['store']} | {LABELS[step]} | {got['count']:,} {got['unit']} | "
                f"{got['wall_min']:.2f} s | {got['wall_median']:.2f} s | "
                f"{got['per_s']:,.1f} | {mib} | {got['cpu_median']:.2f} s | "
                f"{'–' if server is None else f'{server:.2f} s'} | "
                f"{'–' if share is None else f'{share:.0%} ({got[best]:.0%})'} |"
            )
    for result in results:
        read = result["steps"]["raw_read"]
        lines.append(
            f"\n{result['store']}: SHA-256 alone took {read['hashing_median']:.2f} s of the raw "
            f"read ({args.files * args.mib / read['hashing_median']:,.0f} MiB/s)."
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--store", choices=["postgres", "sqlite", "both"], default="postgres")
    parser.add_argument("--files", type=int, default=1000, help="Files per upload step.")
    parser.add_argument("--mib", type=float, default=1.0, help="Size of each file, MiB.")
    parser.add_argument(
        "--http-files",
        type=int,
        default=250,
        help="Files uploaded over HTTP (at most --files; 0 skips the step).",
    )
    parser.add_argument("--reps", type=int, default=3, help="Repetitions, each a fresh store.")
    parser.add_argument(
        "--json", action="store_true", help="Print the figures as JSON (the table to stderr)."
    )
    args = parser.parse_args()
    size = int(args.mib * MIB)
    if args.files < 1 or args.reps < 1 or size <= len(HEADER) or args.http_files < 0:
        parser.error("--files and --reps must be at least 1, --mib more than a few bytes")
    args.http_files = min(args.http_files, args.files)
    args.limit = max(20, -(-size // MIB))
    print(f"making {args.files + args.http_files:,} files of {size:,} bytes …", file=sys.stderr)
    files = contents(args.files, size)
    other = contents(args.http_files, size)
    stores = ["postgres", "sqlite"] if args.store == "both" else [args.store]
    results = [measure(store, args, files, other) for store in stores]
    if args.json:
        figures = {"machine": machine(), "files": args.files, "mib": args.mib, "reps": args.reps}
        figures["http_files"] = args.http_files
        print(table(results, args), file=sys.stderr)
        print(json.dumps({**figures, "stores": results}, indent=1))
    else:
        print(table(results, args))


if __name__ == "__main__":
    main()
