"""Read-views benchmark (issue 12, SPEC §8): rebuilding the views from the log, reads
from them beside reads from the events, and how far the views trail a write load.

    .venv/bin/python -m bench.views [--only sqlite|postgres] [--events 500000] [--profile]

1. Rebuild: `--cycles` generated performance-evaluation cycles (one `submit_score` per
   score, every other one with complications: ten results versions) totalling at least
   `--events` events; imported (timed apart), then `ViewRunner.reset(VIEWS)` + `run()`
   timed in a fresh process, beside a raw read of the same rows through the same
   driver (keyset pages of the runner's batch size, and one fetchall for information).
2. Results page: a `--units`-unit cycle (performance-evaluation, score sheets,
   complications) among `--list-cycles` cycles: `app.results_page(cycle, limit=100,
   offset=k)` (and with a category) from the events (views never run) and from the
   views, each in a fresh process, and the same pages over HTTP (uvicorn child,
   ASSESS_VIEWS off, then on).
3. Cycles list: `app.cycles()` over those cycles, from the events and from the views.
4. View lag (PostgreSQL only): bench.api_load's server and 32 POST clients writing single
   scores to a `--units`-unit cycle in assessment for `--seconds`, with the background
   follower on; a separate connection samples the log's max(id) and the views' positions
   every 20 ms. Then the same with the server's follower off and `assess views run
   --follow` in a process of its own, and with no views at all (ASSESS_VIEWS=false).

SQLite is a temporary file; PostgreSQL a fresh database, dropped afterwards. The
summary (markdown) is printed and written with the raw figures to `--out` (.txt, .json).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from assess.application.service import AssessApp
from assess.application.views import VIEWS, answers_noted
from assess.demo import generate_season
from assess.infrastructure.accounts import AccountStore, password_hasher
from assess.infrastructure.persistence import normalise_url, open_application
from bench import api_load
from bench.baseline import raw_log_scan

EVENTS_TABLE = "assess_events"
TRACKING_TABLE = "view_tracking"
SCHEMES = ("group-party-org", "leadership-team", "performance-evaluation")
READ_CYCLE = "2025-bench-results"
ADMIN = "bench-admin"
SAMPLE_SECONDS = 0.02
ITEMS = 30  # performance-evaluation items in the rebuild cycles: ≈ 90 events per unit


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = sorted(value * 1000 for value in seconds)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {
        "n": len(ms),
        "p50_ms": round(cuts[49], 3),
        "p95_ms": round(cuts[94], 3),
        "max_ms": round(ms[-1], 3),
    }


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for the child processes started inside."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# ---- 1. rebuild -------------------------------------------------------------------------


def phase_load_log(url: str, events: int, cycles: int) -> dict[str, Any]:
    """`cycles` performance-evaluation cycles, one submit_score per score, ≥ `events`."""
    units = max(14, math.ceil(events / cycles / (ITEMS * 3)))
    app = open_application(AssessApp, url)
    total, seconds = 0, 0.0
    for n in range(cycles):
        season = generate_season(
            "performance-evaluation",
            units,
            seed=100 + n,
            complications=n % 2 == 1,
            items=ITEMS,
            sheets=False,
        )
        season["cycle"]["id"] = f"2025-bench-log-{n:02d}"
        started = time.perf_counter()
        total += app.import_season(season).events
        seconds += time.perf_counter() - started
        print(f"  imported cycle {n + 1}/{cycles} ({total:,} events)", file=sys.stderr)
    app.close()
    return {"events": total, "cycles": cycles, "units": units, "import_seconds": seconds}


def rebuild(
    app: AssessApp, marks: list[tuple[float, int]] | None = None
) -> tuple[int, float, float]:
    """reset + run from scratch: events applied, reset seconds, total seconds. `marks`
    gets (seconds since the start, events so far) after each batch."""
    from assess.infrastructure.view_runner import ViewRunner

    runner = ViewRunner(app)
    started = time.perf_counter()
    runner.reset(VIEWS)
    reset = time.perf_counter() - started

    def progress(events: int, position: int) -> None:
        if marks is not None:
            marks.append((time.perf_counter() - started, events))

    applied = runner.run(progress=progress)
    return applied, reset, time.perf_counter() - started


def segment_rates(marks: list[tuple[float, int]], parts: int = 5) -> list[int]:
    """Events/s over each successive `parts`-th of the events applied."""
    if not marks:
        return []
    total = marks[-1][1]
    rates, last_t, last_n = [], 0.0, 0
    for part in range(1, parts + 1):
        moment, count = next((t, n) for t, n in marks if n >= total * part / parts)
        rates.append(round((count - last_n) / max(moment - last_t, 1e-9)))
        last_t, last_n = moment, count
    return rates


def phase_rebuild(url: str) -> dict[str, Any]:
    """From scratch in a fresh process, then the raw reads of the same rows."""
    from assess.infrastructure.view_runner import BATCH

    app = open_application(AssessApp, url)
    last = app.recorder.max_notification_id() or 0
    marks: list[tuple[float, int]] = []
    applied, reset, seconds = rebuild(app, marks)
    peak = peak_rss_mib()  # before the raw reads, whose fetchall holds every row
    statuses = {row["view"]: row["lag"] for row in _runner(app).status()}
    app.close()
    paged_rows, paged = raw_log_scan(url, EVENTS_TABLE, last, BATCH)
    full_rows, full = raw_log_scan(url, EVENTS_TABLE, last, None)
    if not paged_rows == full_rows == last:
        raise RuntimeError(f"raw scans read {paged_rows} and {full_rows} rows of {last}")
    return {
        "events": applied,
        "log": last,
        "reset_seconds": reset,
        "seconds": seconds,
        "events_per_s": applied / seconds,
        "events_per_s_by_fifth": segment_rates(marks),
        "lag_after": statuses,
        "peak_rss_mib": peak,
        "raw_paged_rows_per_s": paged_rows / paged,
        "raw_fetchall_rows_per_s": full_rows / full,
        "batch": BATCH,
    }


def _runner(app: AssessApp) -> Any:
    from assess.infrastructure.view_runner import ViewRunner

    return ViewRunner(app)


def phase_profile(url: str, out: str) -> dict[str, Any]:
    """The rebuild again under cProfile; the top functions by own time."""
    app = open_application(AssessApp, url)
    profiler = cProfile.Profile()
    profiler.enable()
    applied, _, seconds = rebuild(app)
    profiler.disable()
    app.close()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(out + ".prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)
    Path(out).write_text(text.getvalue(), encoding="utf-8")
    top = []
    raw: Any = stats.stats  # type: ignore[attr-defined]
    for (file, line, name), (_, calls, own, cumulative, _) in sorted(
        raw.items(), key=lambda item: -item[1][2]
    )[:15]:
        top.append(
            {
                "function": f"{file}:{line}({name})",
                "calls": calls,
                "own_s": own,
                "cum_s": cumulative,
            }
        )
    return {"events": applied, "profiled_seconds": seconds, "top_own_time": top, "file": out}


# ---- 2 and 3. reads -----------------------------------------------------------------------


def phase_load_reads(url: str, units: int, cycles: int) -> dict[str, Any]:
    """One `units`-unit cycle with results and `cycles - 1` small ones; an admin account."""
    app = open_application(AssessApp, url)
    big = generate_season("performance-evaluation", units, seed=12, complications=True)
    big["cycle"]["id"] = READ_CYCLE
    total = app.import_season(big).events
    for n in range(cycles - 1):
        scheme = SCHEMES[n % len(SCHEMES)]
        season = generate_season(scheme, 20, seed=n, complications=n % 4 == 0)
        season["cycle"]["id"] = f"{2000 + n // 10}-bench-{n:02d}"
        total += app.import_season(season).events
    app.close()
    accounts = AccountStore(url, password_hasher(1, 1024))
    accounts.add(ADMIN, api_load.PASSWORD, admin=True)
    accounts.close()
    return {"events": total, "cycles": cycles}


def page_plan(app: AssessApp, calls: int) -> list[dict[str, Any]]:
    """The same pages for every path: 4/5 unfiltered at offsets across the cycle, 1/5
    filtered by a category (rotating), at offsets across that category."""
    document, total = app.results_page(READ_CYCLE)
    by_category: dict[str, int] = {}
    for row in document["results"]:
        by_category[row["category"]] = by_category.get(row["category"], 0) + 1
    categories = sorted(by_category)
    chooser = random.Random(12)
    plan: list[dict[str, Any]] = []
    for n in range(calls):
        if n % 5 == 4:
            category = categories[n // 5 % len(categories)]
            size = by_category[category]
            plan.append({"category": category, "offset": chooser.randrange(max(size - 50, 1))})
        else:
            plan.append({"category": None, "offset": chooser.randrange(max(total - 50, 1))})
    return plan


def phase_reads(url: str, calls: int, expect: str) -> dict[str, Any]:
    """In a fresh process: `calls` results pages, then `calls` cycle lists. The first call
    of each (cold) is reported apart. `expect`: where every answer must come from."""
    app = open_application(AssessApp, url)
    plan_app = open_application(AssessApp, url)
    plan = page_plan(plan_app, calls)
    plan_app.close()
    results: dict[str, list[float]] = {"all": [], "unfiltered": [], "category": []}
    with answers_noted() as noted:
        first = _timed(lambda: app.results_page(READ_CYCLE, limit=100, offset=0))
        for page in plan:
            kind = "category" if page["category"] else "unfiltered"
            started = time.perf_counter()
            app.results_page(
                READ_CYCLE, category=page["category"], offset=page["offset"], limit=100
            )
            seconds = time.perf_counter() - started
            results["all"].append(seconds)
            results[kind].append(seconds)
        first_list = _timed(app.cycles)
        listed = [_timed(app.cycles) for _ in range(calls)]
    wrong = [answer for answer in noted if answer != expect]
    if wrong:
        raise RuntimeError(f"expected every read {expect}, {len(wrong)} were {wrong[0]}")
    count = len(app.cycles())
    app.close()
    return {
        "path": expect,
        "results_first_ms": round(first * 1000, 2),
        "results": {kind: percentiles(values) for kind, values in results.items()},
        "cycles_first_ms": round(first_list * 1000, 2),
        "cycles": {**percentiles(listed), "listed": count},
    }


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def phase_views_run(url: str) -> dict[str, Any]:
    app = open_application(AssessApp, url)
    runner = _runner(app)
    started = time.perf_counter()
    applied = runner.run()
    seconds = time.perf_counter() - started
    app.close()
    return {"events": applied, "seconds": seconds}


def http_reads(url: str, views: bool, calls: int) -> dict[str, Any]:
    """The same pages over HTTP, one client, each request after the last's answer."""
    with environment(ASSESS_VIEWS="true" if views else "false"):
        server, base = api_load.start_server(url, 1)
    try:
        plan_app = open_application(AssessApp, url)
        plan = page_plan(plan_app, calls)
        plan_app.close()
        with httpx.Client(base_url=base, timeout=60) as client:
            form = {"username": ADMIN, "password": api_load.PASSWORD}
            reply = client.post("/auth/token", data=form)
            reply.raise_for_status()
            headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
            answered: dict[str, int] = {}
            seconds: list[float] = []
            for page in [{"category": None, "offset": 0}, *plan]:
                params: dict[str, Any] = {"limit": 100, "offset": page["offset"]}
                if page["category"]:
                    params["category"] = page["category"]
                started = time.perf_counter()
                reply = client.get(f"/cycles/{READ_CYCLE}/results", params=params, headers=headers)
                seconds.append(time.perf_counter() - started)
                reply.raise_for_status()
                view = reply.headers.get("X-Assess-View", "none")
                answered[view] = answered.get(view, 0) + 1
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "views": views,
        "first_ms": round(seconds[0] * 1000, 2),
        **percentiles(seconds[1:]),
        "x_assess_view": answered,
    }


# ---- 4. lag under write load -----------------------------------------------------------


def libpq_dsn(url: str) -> str:
    return make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(False)


class LagSampler(threading.Thread):
    """Every SAMPLE_SECONDS, in its own connection: the log's max(id) and the slowest
    view's position (0 while a view has none)."""

    def __init__(self, url: str) -> None:
        super().__init__(name="lag-sampler", daemon=True)
        import psycopg2

        self.connection = psycopg2.connect(libpq_dsn(url))
        self.connection.autocommit = True
        self.samples: list[tuple[float, int, int]] = []
        self.stop = threading.Event()

    def sample(self) -> tuple[float, int, int]:
        cursor = self.connection.cursor()
        before = time.perf_counter()
        cursor.execute(
            f"SELECT (SELECT max(id) FROM {EVENTS_TABLE}), "
            f"(SELECT min(notification_id) FROM {TRACKING_TABLE}), "
            f"(SELECT count(*) FROM {TRACKING_TABLE})"
        )
        last, slowest, views = cursor.fetchone()
        moment = (before + time.perf_counter()) / 2
        return moment, last or 0, (slowest or 0) if views == len(VIEWS) else 0

    def run(self) -> None:
        tick = time.perf_counter()
        while not self.stop.is_set():
            self.samples.append(self.sample())
            tick += SAMPLE_SECONDS
            self.stop.wait(max(tick - time.perf_counter(), 0))

    def finish(self, timeout: float) -> None:
        """Sample on until the views reach the log's last id as the load ended."""
        last = self.sample()[1]
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline and (not self.samples or self.samples[-1][2] < last):
            time.sleep(SAMPLE_SECONDS)
        self.stop.set()
        self.join()
        self.connection.close()


def lags(samples: list[tuple[float, int, int]]) -> dict[str, Any]:
    """Per id past the first sample: when the slowest view reached it minus when the log
    first showed it."""
    if not samples:
        return {"ids": 0}
    start = samples[0][1]
    seen: dict[int, float] = {}
    reached: dict[int, float] = {}
    log_mark = view_mark = start
    for moment, last, slowest in samples:
        for number in range(log_mark + 1, last + 1):
            seen[number] = moment
        log_mark = max(log_mark, last)
        for number in range(max(view_mark, start) + 1, slowest + 1):
            reached[number] = moment
        view_mark = max(view_mark, slowest)
    values = [reached[n] - seen[n] for n in seen if n in reached]
    gaps = [b[0] - a[0] for a, b in zip(samples, samples[1:], strict=False)]
    return {
        "ids": len(seen),
        "unreached": len(seen) - len(values),
        "samples": len(samples),
        "sample_gap_p50_ms": round(statistics.median(gaps) * 1000, 1) if gaps else None,
        **(percentiles(values) if values else {}),
    }


def wait_current(url: str, timeout: float) -> bool:
    sampler = LagSampler(url)
    deadline = time.perf_counter() + timeout
    try:
        while time.perf_counter() < deadline:
            _, last, slowest = sampler.sample()
            if slowest >= last:
                return True
            time.sleep(0.1)
        return False
    finally:
        sampler.connection.close()


def write_load(url: str, args: argparse.Namespace, views: str) -> dict[str, Any]:
    """`views`: "on" (the server's background follower), "separate" (the server's off,
    `assess views run --follow` in a process of its own) or "off"."""
    start = open_application(AssessApp, url)
    position = start.cycle(api_load.WRITE_CYCLE).version
    start.close()
    with environment(ASSESS_VIEWS="true" if views == "on" else "false"):
        server, base = api_load.start_server(url, 1)
    follower = None
    if views == "separate":
        command = [str(Path(sys.executable).with_name("assess")), "--db", url, "views", "run"]
        follower = subprocess.Popen([*command, "--follow", "--interval", "0.05"])
    sampler = None
    try:
        if views != "off" and not wait_current(url, 120):
            raise RuntimeError("the views did not catch up with the loaded cycles")
        if views != "off":
            sampler = LagSampler(url)
            sampler.start()
        request = api_load.score_request(api_load.unit_ids(args.units))
        write = asyncio.run(api_load.run_phase(base, args.clients, args.seconds, "post", request))
        if sampler is not None:
            sampler.finish(timeout=60)
    finally:
        for process in (server, follower):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
    write["writes"] = api_load.check_writes(url, position, write.pop("outcomes"))
    write["views"] = views
    if sampler is not None:
        write["lag"] = lags(sampler.samples)
    return write


def measure_lag(args: argparse.Namespace) -> list[dict[str, Any]]:
    from tests.pg import fresh_database_url

    with fresh_database_url() as url:
        print("[PostgreSQL] lag: loading the write cycle …", file=sys.stderr)
        with contextlib.redirect_stdout(sys.stderr):
            api_load.load(url, args.units)
        run_phase("views-run", url, args)
        rows = []
        for views in ("on", "separate", "off"):
            print(f"[PostgreSQL] lag: write load, views {views} …", file=sys.stderr)
            rows.append(write_load(url, args, views))
    return rows


# ---- the run -------------------------------------------------------------------------


def run_phase(name: str, url: str, args: argparse.Namespace, *extra: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.views", "--phase", name, "--url", url]
    command += ["--events", str(args.events), "--cycles", str(args.cycles)]
    command += ["--units", str(args.units), "--list-cycles", str(args.list_cycles)]
    command += ["--calls", str(args.calls), *extra]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(label: str, url: str, reads_url: str, args: argparse.Namespace) -> dict[str, Any]:
    row: dict[str, Any] = {"store": label}
    if "rebuild" in args.parts:
        print(f"[{label}] importing the log …", file=sys.stderr)
        row["load"] = run_phase("load-log", url, args)
        print(f"[{label}] rebuild …", file=sys.stderr)
        row["rebuild"] = run_phase("rebuild", url, args)
        if args.profile:
            print(f"[{label}] rebuild under cProfile …", file=sys.stderr)
            out = str(args.out.with_name(f"views_profile_{label.lower()}.txt"))
            row["profile"] = run_phase("profile", url, args, "--profile-out", out)
    if "reads" in args.parts:
        print(f"[{label}] reads: loading {args.list_cycles} cycles …", file=sys.stderr)
        row["reads_load"] = run_phase("load-reads", reads_url, args)
        print(f"[{label}] reads from the events …", file=sys.stderr)
        row["events_path"] = run_phase("reads", reads_url, args, "--expect", "behind")
        row["http_events"] = http_reads(reads_url, False, args.calls)
        row["views_run"] = run_phase("views-run", reads_url, args)
        print(f"[{label}] reads from the views …", file=sys.stderr)
        row["views_path"] = run_phase("reads", reads_url, args, "--expect", "current")
        row["http_views"] = http_reads(reads_url, True, args.calls)
    return row


def report(rows: list[dict[str, Any]], lag: list[dict[str, Any]], args: argparse.Namespace) -> str:
    command = " ".join(["python -m bench.views", *sys.argv[1:]])
    lines = [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; command: {command}",
    ]
    rebuilt = [row for row in rows if "rebuild" in row]
    if rebuilt:
        lines += [
            "",
            "| store | cycles × units | events | import | rebuild (reset + run) | events/s | "
            "raw paged rows/s | ratio (≥ 25 %) | raw fetchall rows/s | rebuild peak RSS |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rebuilt:
            load, built = row["load"], row["rebuild"]
            ratio = built["events_per_s"] / built["raw_paged_rows_per_s"]
            lines.append(
                f"| {row['store']} | {load['cycles']} × {load['units']} | {built['events']:,} | "
                f"{load['import_seconds']:.1f} s | {built['seconds']:.1f} s | "
                f"{built['events_per_s']:,.0f} | {built['raw_paged_rows_per_s']:,.0f} | "
                f"{ratio:.1%} | {built['raw_fetchall_rows_per_s']:,.0f} | "
                f"{built['peak_rss_mib']:,.0f} MiB |"
            )
        lines.append("")
        for row in rebuilt:
            fifths = ", ".join(f"{rate:,}" for rate in row["rebuild"]["events_per_s_by_fifth"])
            lines.append(f"{row['store']} rebuild events/s by fifth of the log: {fifths}")
        for row in rebuilt:
            if "profile" in row:
                lines += ["", f"cProfile, {row['store']} rebuild (own time, top 10):"]
                for entry in row["profile"]["top_own_time"][:10]:
                    lines.append(
                        f"- {entry['function']}: {entry['own_s']:.2f} s own, "
                        f"{entry['cum_s']:.2f} s cumulative, {entry['calls']:,} calls"
                    )
    read = [row for row in rows if "views_path" in row]
    if read:
        lines += [
            "",
            f"Results page, `results_page({READ_CYCLE!r}, limit=100, offset=k)` on a "
            f"{args.units:,}-unit cycle, {args.calls} calls (1 in 5 with a category); "
            "first (cold) call apart:",
            "",
            "| store | path | first | p50 | p95 (≤ 10 ms on views) | max | "
            "category p95 | HTTP first | HTTP p50 | HTTP p95 | HTTP max |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in read:
            for path, http in (("events_path", "http_events"), ("views_path", "http_views")):
                got, web = row[path], row[http]
                every = got["results"]["all"]
                lines.append(
                    f"| {row['store']} | {'views' if path == 'views_path' else 'events'} | "
                    f"{got['results_first_ms']:.1f} ms | {every['p50_ms']:.2f} ms | "
                    f"{every['p95_ms']:.2f} ms | {every['max_ms']:.1f} ms | "
                    f"{got['results']['category']['p95_ms']:.2f} ms | {web['first_ms']:.1f} ms | "
                    f"{web['p50_ms']:.2f} ms | {web['p95_ms']:.2f} ms | {web['max_ms']:.1f} ms |"
                )
        lines += [
            "",
            f"Cycles list, `app.cycles()` over {args.list_cycles} cycles, {args.calls} calls:",
            "",
            "| store | path | first | p50 | p95 (≤ 50 ms on views) | max |",
            "|---|---|---|---|---|---|",
        ]
        for row in read:
            for path in ("events_path", "views_path"):
                got = row[path]
                listed = got["cycles"]
                lines.append(
                    f"| {row['store']} | {'views' if path == 'views_path' else 'events'} | "
                    f"{got['cycles_first_ms']:.1f} ms | {listed['p50_ms']:.2f} ms | "
                    f"{listed['p95_ms']:.2f} ms | {listed['max_ms']:.1f} ms |"
                )
    if lag:
        lines += [
            "",
            f"Write load, PostgreSQL: {args.clients} clients posting single `submit_score` "
            f"actions to a {args.units:,}-unit cycle, {args.seconds:.0f} s (+ 2 s warm-up):",
            "",
            "| views | requests | req/s | POST p50 | POST p95 | POST max | accepted / stored / "
            "lost / dup | lag p50 | lag p95 (≤ 1 s) | lag max | ids (unreached) |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in lag:
            writes = row["writes"]
            got = row.get("lag")
            lag_cells = (
                f"{got['p50_ms']:.0f} ms | {got['p95_ms']:.0f} ms | {got['max_ms']:.0f} ms | "
                f"{got['ids']:,} ({got['unreached']}) |"
                if got and "p50_ms" in got
                else "– | – | – | – |"
            )
            lines.append(
                f"| {row['views']} | {row['requests']:,} | "
                f"{row['throughput_per_s']:,.0f} | {row['p50_ms']:.1f} ms | "
                f"{row['p95_ms']:.1f} ms | {row['max_ms']:.0f} ms | "
                f"{writes['accepted']:,} / {writes['stored']:,} / {writes['lost']} / "
                f"{writes['duplicated_or_unexpected']} | {lag_cells}"
            )
    return "\n".join(lines)


def child(args: argparse.Namespace) -> dict[str, Any]:
    phases: dict[str, Callable[[], dict[str, Any]]] = {
        "load-log": lambda: phase_load_log(args.url, args.events, args.cycles),
        "rebuild": lambda: phase_rebuild(args.url),
        "profile": lambda: phase_profile(args.url, args.profile_out),
        "load-reads": lambda: phase_load_reads(args.url, args.units, args.list_cycles),
        "reads": lambda: phase_reads(args.url, args.calls, args.expect),
        "views-run": lambda: phase_views_run(args.url),
    }
    return phases[args.phase]()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="One store only.")
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=["rebuild", "reads", "lag"],
        default=["rebuild", "reads", "lag"],
        help="What to measure (lag: PostgreSQL only).",
    )
    parser.add_argument("--events", type=int, default=500_000, help="Events to rebuild, at least.")
    parser.add_argument("--cycles", type=int, default=10, help="Cycles the rebuild log has.")
    parser.add_argument(
        "--units", type=int, default=2000, help="Units of the results and write-load cycles."
    )
    parser.add_argument("--list-cycles", type=int, default=50, help="Cycles for the reads.")
    parser.add_argument("--calls", type=int, default=500, help="Read calls per path.")
    parser.add_argument("--clients", type=int, default=32, help="Write-load clients.")
    parser.add_argument("--seconds", type=float, default=20.0, help="Write-load duration.")
    parser.add_argument("--profile", action="store_true", help="Also profile each rebuild.")
    parser.add_argument("--out", type=Path, default=Path("bench/out/views.txt"))
    parser.add_argument(
        "--phase",
        choices=["load-log", "rebuild", "profile", "load-reads", "reads", "views-run"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--expect", choices=["current", "behind"], help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(child(args)))
        return

    from tests.pg import fresh_database_url

    rows: list[dict[str, Any]] = []
    if args.only in (None, "sqlite") and {"rebuild", "reads"} & set(args.parts):
        with tempfile.TemporaryDirectory() as folder:
            log_url = f"sqlite:///{Path(folder) / 'log.db'}"
            rows.append(measure("SQLite", log_url, f"sqlite:///{Path(folder) / 'reads.db'}", args))
    if args.only in (None, "postgres") and {"rebuild", "reads"} & set(args.parts):
        with fresh_database_url() as log_url, fresh_database_url() as reads_url:
            rows.append(measure("PostgreSQL", log_url, reads_url, args))
    lag = measure_lag(args) if args.only in (None, "postgres") and "lag" in args.parts else []
    text = report(rows, lag, args)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    figures = {"rows": rows, "lag": lag}
    args.out.with_suffix(".json").write_text(json.dumps(figures, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
