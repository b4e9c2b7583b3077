"""Ingest benchmark (issues 3 and 16): a generated performance-evaluation season, one
submit_score per score (2,000 units × 30 items ≈ 180,000 events), imported and verified
on SQLite and PostgreSQL side by side, each against raw-driver baselines on the same
payloads in the same run.

    .venv/bin/python -m bench.ingest [--units 2000] [--items 30 | --events N] [--sheets]
        [--only sqlite|postgres] [--reps 3] [--cli] [--json]

Each repetition uses a fresh store (a new SQLite file; a new PostgreSQL database) and
runs each phase in a fresh process, so a cold start is cold and a peak RSS belongs to
that phase alone: import (`import_season`, in-process), results from a cold start,
full replay without snapshot, verify (`verify_cycle`); then the raw bulk insert and
raw scan of the stored payloads (bench/baseline.py). Rates are reported as the median
and the best (the least wall time) of the repetitions; ratios as the median of each
repetition's ingest/raw ratio and as best/best. CPU is this process's
(`time.process_time`); on PostgreSQL the server backends' CPU is added after "+" when
/proc shows them (a server on this machine).

`--cli` also imports the season once per store through the real command line
(`assess --db URL import season.json`, a child process) and reports its wall time, CPU
and peak RSS (`os.wait4`). `--events N` sizes the season to at least N score events
(e.g. `--events 600000`: 2,000 units × 100 items); `--reps 0 --cli` runs the command
line import alone.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.pool import Pool

from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.demo import generate_season, season_json
from assess.infrastructure.persistence import normalise_url, open_application
from bench.baseline import RawTiming, backend_cpu_seconds, raw_insert, raw_scan

CYCLE = "2025-performance-evaluation"
SCHEME = "performance-evaluation"
SCORES_PER_ITEM = 3  # self, organisation and social evaluation of each unit
STORES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
Row = dict[str, Any]


# ---- the phases, each run in its own process ---------------------------------------------


def peak_rss_mib() -> float:
    """This process's peak RSS since it started its program: VmHWM, the high-water mark
    of the memory exec made. Not ru_maxrss: Linux carries the parent's RSS at the fork
    over the exec into the child's ru_maxrss, so a large parent would show in it."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else 0.0


class BackendCpu:
    """CPU seconds of the PostgreSQL backends serving this process's pooled connections:
    each backend's pid is noted when its connection opens and its CPU read from /proc
    (at close, for connections closed on the way). None when /proc does not show them."""

    def __init__(self) -> None:
        self.final: dict[int, float | None] = {}
        self.start: dict[int, float | None] = {}
        event.listen(Pool, "connect", self._opened)
        event.listen(Pool, "close", self._closed)

    @staticmethod
    def _pid(connection: Any) -> int | None:
        get = getattr(connection, "get_backend_pid", None)  # psycopg2 only
        return get() if get is not None else None

    def _opened(self, connection: Any, _record: Any) -> None:
        pid = self._pid(connection)
        if pid is not None:
            self.final.setdefault(pid, None)

    def _closed(self, connection: Any, _record: Any) -> None:
        pid = self._pid(connection)
        if pid is not None:
            self.final[pid] = backend_cpu_seconds(pid)

    def _now(self, pid: int) -> float | None:
        final = self.final.get(pid)
        return final if final is not None else backend_cpu_seconds(pid)

    def mark(self) -> None:
        self.start = {pid: self._now(pid) for pid in self.final}

    def seconds(self) -> float | None:
        total = 0.0
        for pid in self.final:
            now = self._now(pid)
            if now is None:
                return None
            total += now - (self.start.get(pid) or 0.0)
        return total if self.final else None


@contextmanager
def timed(span: dict[str, Any], backends: BackendCpu | None = None) -> Iterator[None]:
    """Wall, CPU (this process) and server CPU seconds of the block, into `span`."""
    if backends is not None:
        backends.mark()
    cpu = time.process_time()
    started = time.perf_counter()
    yield
    span["seconds"] = time.perf_counter() - started
    span["cpu_seconds"] = time.process_time() - cpu
    span["server_cpu_seconds"] = backends.seconds() if backends is not None else None


def phase_import(url: str, units: int, items: int, sheets: bool) -> Row:
    backends = BackendCpu()
    season = generate_season(SCHEME, units, seed=7, items=items, sheets=sheets)
    app = open_application(AssessApp, url)
    span: Row = {}
    with timed(span, backends):
        applied = app.import_season(season)
    return {"events": applied.events, **span, "peak_rss_mib": peak_rss_mib()}


def phase_results(url: str) -> Row:
    """A new process: open the store, compute every unit's results, then reload the cycle."""
    started = time.perf_counter()
    app = open_application(AssessApp, url)
    document = app.results(CYCLE)
    results_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cycle = app.cycle(CYCLE)  # snapshot plus the events after it
    return {
        "results_cold_seconds": results_seconds,
        "units": len(document["results"]),
        "reload_seconds": time.perf_counter() - started,
        "events": cycle.version,
        "peak_rss_mib": peak_rss_mib(),
    }


def phase_replay(url: str) -> Row:
    """The aggregate rebuilt from every event, no snapshot: the worst case."""
    app = open_application(AssessApp, url)
    started = time.perf_counter()
    cycle_id = app.cycle(CYCLE).id
    events: list[Any] = list(app.events.get(cycle_id))  # CycleEvent, with mutate()
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    aggregate = None
    for stored in events:
        aggregate = stored.mutate(aggregate)
    return {
        "seconds": read_seconds + time.perf_counter() - started,
        "events": len(events),
    }


def phase_verify(url: str) -> Row:
    """`assess verify` on the cycle: chain, replay and every version's digest."""
    backends = BackendCpu()
    app = open_application(AssessApp, url)
    span: Row = {}
    with timed(span, backends):
        report = verify_cycle(app, CYCLE)
    if not report.ok:
        raise SystemExit(f"verify failed: {report.failure}")
    versions = [c["recorded"] for c in report.checks if c["what"] == "version"]
    return {"events": report.events, **span, "digest": versions[-1] if versions else None}


PHASES: dict[str, Callable[[argparse.Namespace], Row]] = {
    "import": lambda a: phase_import(a.url, a.units, a.items, a.sheets),
    "results": lambda a: phase_results(a.url),
    "replay": lambda a: phase_replay(a.url),
    "verify": lambda a: phase_verify(a.url),
}


# ---- one repetition on one fresh store ----------------------------------------------------


class BenchFailed(Exception):
    """A phase failed: its message is one line."""


def run_phase(name: str, url: str, args: argparse.Namespace) -> Row:
    command = [sys.executable, "-m", "bench.ingest", "--phase", name, "--url", url]
    command += ["--units", str(args.units), "--items", str(args.items)]
    command += ["--sheets"] if args.sheets else []
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise BenchFailed(f"the {name} phase failed: {lines[-1]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def stored_payloads(url: str) -> list[bytes]:
    engine = sqlalchemy.create_engine(normalise_url(url))
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT state FROM assess_events ORDER BY id"))
        payloads = [bytes(row[0]) for row in rows]
    engine.dispose()
    return payloads


def timing(raw: RawTiming) -> Row:
    return {
        "rows": raw.rows,
        "seconds": raw.wall_seconds,
        "cpu_seconds": raw.cpu_seconds,
        "server_cpu_seconds": raw.server_cpu_seconds,
    }


def one_rep(label: str, url: str, args: argparse.Namespace) -> Row:
    progress(f"[{label}] import …")
    imported = run_phase("import", url, args)
    progress(f"[{label}] results from a cold start …")
    results = run_phase("results", url, args)
    progress(f"[{label}] full replay …")
    replay = run_phase("replay", url, args)
    progress(f"[{label}] verify …")
    verified = run_phase("verify", url, args)
    progress(f"[{label}] raw insert and scan of the same payloads …")
    payloads = stored_payloads(url)
    if len(payloads) != imported["events"]:
        raise BenchFailed(f"{len(payloads)} rows stored, {imported['events']} events imported")
    return {
        "import": imported,
        "results": results,
        "replay": replay,
        "verify": verified,
        "raw_insert": timing(raw_insert(url, payloads)),
        "raw_scan": timing(raw_scan(url, payloads)),
    }


@contextmanager
def fresh_store(store: str, folder: Path, name: str) -> Iterator[str]:
    if store == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    import pytest

    from tests.pg import fresh_database_url

    try:
        with fresh_database_url() as url:
            yield url
    except (pytest.skip.Exception, pytest.fail.Exception) as error:
        raise BenchFailed(str(error.msg).splitlines()[0]) from None


# ---- the command line import --------------------------------------------------------------


# A small go-between runs the command and waits for it: the command's ru_maxrss then
# starts from this small process's memory at the fork, not from the benchmark's.
LAUNCHER = """
import json, os, subprocess, sys, time
with open(sys.argv[1], "w") as out, open(sys.argv[2], "w") as err:
    started = time.perf_counter()
    child = subprocess.Popen(sys.argv[3:], stdout=out, stderr=err)
    _, status, usage = os.wait4(child.pid, 0)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "status": os.waitstatus_to_exitcode(status),
                  "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mib": usage.ru_maxrss / 1024}))
"""


def cli_import(url: str, season_file: Path, folder: Path) -> Row:
    """`assess --db URL import FILE` as a child process: its wall, CPU and peak RSS."""
    out, err = folder / "import.out", folder / "import.err"
    command = [sys.executable, "-c", LAUNCHER, str(out), str(err)]
    command += [str(Path(sys.executable).parent / "assess"), "--db", url, "import"]
    done = subprocess.run([*command, str(season_file)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchFailed(f"the command line import could not run: {done.stderr.strip()}")
    figures = json.loads(done.stdout)
    said, complaint = out.read_text(), err.read_text()
    if figures.pop("status") != 0:
        lines = complaint.strip().splitlines() or ["no message"]
        raise BenchFailed(f"assess import failed: {lines[-1]}")
    found = re.search(r": (\d+) events stored", said)
    if found is None:
        raise BenchFailed(f"assess import said: {said.strip()}")
    return {"events": int(found.group(1)), **figures}


# ---- summaries and the report -------------------------------------------------------------


def rate(span: Row, count: str = "events") -> float:
    return span[count] / span["seconds"]


def us_per(span: Row, key: str, count: str = "events") -> float | None:
    value = span.get(key)
    return None if value is None else value / span[count] * 1e6


def middle(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if len(known) == len(values) and known else None


def summarise(label: str, reps: list[Row]) -> Row:
    """Median and best of each rate, and the ingest/raw and verify/scan ratios."""
    events = {rep["import"]["events"] for rep in reps}
    if len(events) != 1:
        raise BenchFailed(f"{label}: the repetitions stored different numbers of events")

    def rates(phase: str, count: str = "events") -> Row:
        values = [rate(rep[phase], count) for rep in reps]
        spans = [rep[phase] for rep in reps]
        return {
            "per_rep": values,
            "median": statistics.median(values),
            "best": max(values),
            "cpu_us": middle([us_per(s, "cpu_seconds", count) for s in spans]),
            "server_cpu_us": middle([us_per(s, "server_cpu_seconds", count) for s in spans]),
        }

    def ratio(ours: Row, raw: Row) -> Row:
        per_rep = [a / b for a, b in zip(ours["per_rep"], raw["per_rep"], strict=True)]
        median = statistics.median(per_rep)
        return {"per_rep": per_rep, "median": median, "of_bests": ours["best"] / raw["best"]}

    ingest, insert = rates("import"), rates("raw_insert", "rows")
    verify, scan = rates("verify"), rates("raw_scan", "rows")
    digests = sorted({rep["verify"]["digest"] or "" for rep in reps})
    return {
        "store": label,
        "events": events.pop(),
        "ingest": ingest,
        "raw_insert": insert,
        "ingest_ratio": ratio(ingest, insert),
        "verify": verify,
        "verify_seconds": statistics.median(rep["verify"]["seconds"] for rep in reps),
        "raw_scan": scan,
        "verify_ratio": ratio(verify, scan),
        "import_peak_rss_mib": max(rep["import"]["peak_rss_mib"] for rep in reps),
        "results_cold_seconds": statistics.median(
            rep["results"]["results_cold_seconds"] for rep in reps
        ),
        "reload_seconds": statistics.median(rep["results"]["reload_seconds"] for rep in reps),
        "results_peak_rss_mib": max(rep["results"]["peak_rss_mib"] for rep in reps),
        "full_replay_seconds": statistics.median(rep["replay"]["seconds"] for rep in reps),
        "digests": digests,
        "reps": reps,
    }


def cpu_cell(figures: Row) -> str:
    cell = f"{figures['cpu_us']:.1f}"
    if figures["server_cpu_us"] is not None:
        cell += f" + {figures['server_cpu_us']:.1f}"
    return cell


def rate_cell(figures: Row) -> str:
    return f"{figures['median']:,.0f} ({figures['best']:,.0f})"


def ratio_cell(figures: Row) -> str:
    reps = "/".join(f"{value * 100:.0f}" for value in figures["per_rep"])
    return f"**{percent(figures['median'])}** ({reps})"


def percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def report(document: Row) -> str:
    summaries, reps = document["stores"], document["reps"]
    lines = [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; season: {document['season']}; "
        + (f"{reps} repetition(s) per store, each on a fresh store; " if reps else "")
        + f"run took {document['seconds']:.0f} s",
    ]
    if summaries:
        lines += [
            "",
            "Rates: median of the repetitions (best). CPU: µs per event or row in this "
            "process (+ the PostgreSQL backend's). Ratio: median of the per-repetition "
            "ratios (each repetition's), then best/best.",
            "",
            "| store | events | ingest events/s | CPU µs/event | raw insert rows/s | "
            "CPU µs/row | ingest/raw (≥ 25 %) | of bests | import peak RSS |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in summaries:
            lines.append(
                f"| {row['store']} | {row['events']:,} | {rate_cell(row['ingest'])} | "
                f"{cpu_cell(row['ingest'])} | {rate_cell(row['raw_insert'])} | "
                f"{cpu_cell(row['raw_insert'])} | {ratio_cell(row['ingest_ratio'])} | "
                f"{percent(row['ingest_ratio']['of_bests'])} | "
                f"{row['import_peak_rss_mib']:,.0f} MiB |"
            )
        lines += [
            "",
            "| store | verify | verify events/s | CPU µs/event | raw scan rows/s | "
            "CPU µs/row | verify/scan (≥ 30 %) | of bests |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in summaries:
            lines.append(
                f"| {row['store']} | {row['verify_seconds']:.1f} s | {rate_cell(row['verify'])} | "
                f"{cpu_cell(row['verify'])} | {rate_cell(row['raw_scan'])} | "
                f"{cpu_cell(row['raw_scan'])} | {ratio_cell(row['verify_ratio'])} | "
                f"{percent(row['verify_ratio']['of_bests'])} |"
            )
        lines += [
            "",
            "| store | results, cold start | reload cycle | full replay, no snapshot | "
            "results peak RSS | results digest |",
            "|---|---|---|---|---|---|",
        ]
        for row in summaries:
            digest = ", ".join(d[:16] for d in row["digests"]) or "none"
            lines.append(
                f"| {row['store']} | {row['results_cold_seconds']:.2f} s | "
                f"{row['reload_seconds']:.2f} s | {row['full_replay_seconds']:.2f} s | "
                f"{row['results_peak_rss_mib']:,.0f} MiB | {digest} |"
            )
        digests = {d for row in summaries for d in row["digests"]}
        same = "the same in every repetition and store" if len(digests) == 1 else "DIFFERS"
        lines += ["", f"results digest: {same}"]
    if document["cli"]:
        lines += [
            "",
            "Through the command line (`assess --db URL import season.json`, one child "
            "process; CPU and peak RSS are that process's):",
            "",
            "| store | events | wall | events/s | CPU | peak RSS (≤ 1 GiB) |",
            "|---|---|---|---|---|---|",
        ]
        for row in document["cli"]:
            lines.append(
                f"| {row['store']} | {row['events']:,} | {row['seconds']:.1f} s | "
                f"{rate(row):,.0f} | {row['cpu_seconds']:.1f} s | "
                f"{row['peak_rss_mib']:,.0f} MiB |"
            )
    return "\n".join(lines)


# ---- the run -------------------------------------------------------------------------------


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Parser(argparse.ArgumentParser):
    """Bad flags: one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def at_least(least: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
        return value

    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = Parser(prog="bench.ingest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=at_least(1), default=2000)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--items", type=at_least(1), help="Items of the season (default 30).")
    size.add_argument(
        "--events", type=at_least(1), help="Items enough for N score events at --units."
    )
    parser.add_argument(
        "--sheets", action="store_true", help="One submit_sheet per unit and method instead."
    )
    parser.add_argument("--only", choices=sorted(STORES))
    parser.add_argument("--reps", type=at_least(0), default=3, help="Repetitions per store.")
    parser.add_argument("--cli", action="store_true", help="Also import through `assess import`.")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.events is not None:
        if args.sheets:
            parser.error("--events counts one submit_score per score: not with --sheets")
        args.items = math.ceil(args.events / (SCORES_PER_ITEM * args.units))
    elif args.items is None:
        args.items = 30
    if args.phase and not args.url:
        parser.error("--phase needs --url")
    if not args.phase and args.reps == 0 and not args.cli:
        parser.error("nothing to measure: --reps 0 without --cli")
    return args


def measure(args: argparse.Namespace) -> Row:
    started = time.perf_counter()
    stores = [args.only] if args.only else list(STORES)
    shape = "submit_sheet per unit and method" if args.sheets else "submit_score per score"
    document: Row = {
        "season": f"{SCHEME}, {args.units:,} units × {args.items} items, one {shape}",
        "units": args.units,
        "items": args.items,
        "sheets": args.sheets,
        "reps": args.reps,
        "stores": [],
        "cli": [],
    }
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for store in stores:
            label = STORES[store]
            reps = []
            for number in range(1, args.reps + 1):
                with fresh_store(store, folder, f"bench-{number}") as url:
                    reps.append(one_rep(f"{label} {number}/{args.reps}", url, args))
            if reps:
                document["stores"].append(summarise(label, reps))
        if args.cli:
            season_file = folder / "season.json"
            progress(f"writing the season ({args.units:,} units × {args.items} items) …")
            season = generate_season(
                SCHEME, args.units, seed=7, items=args.items, sheets=args.sheets
            )
            season_file.write_text(season_json(season), encoding="utf-8")
            del season
            for store in stores:
                with fresh_store(store, folder, "bench-cli") as url:
                    progress(f"[{STORES[store]}] assess import …")
                    imported = cli_import(url, season_file, folder)
                    document["cli"].append({"store": STORES[store], **imported})
    document["seconds"] = time.perf_counter() - started
    return document


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return
    try:
        document = measure(args)
    except BenchFailed as error:
        print(f"bench.ingest: {error}", file=sys.stderr)
        raise SystemExit(1) from None
    print(json.dumps(document, indent=1) if args.json else report(document))


if __name__ == "__main__":
    main()
