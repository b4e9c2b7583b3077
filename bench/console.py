"""Web console benchmark (issue 13): server time per page for a 2,000-unit cycle, and
the weight of a first load.

    .venv/bin/python -m bench.console [--units 2000] [--calls 60] [--out bench/out/console]

A `--units`-unit performance-evaluation cycle (score sheets, complications: several
results versions) and another still in assessment (half its organisation sheets not
entered: the entry grid of the assessor `as0`) are imported into a temporary SQLite file,
the read views are brought
current, and the app (`create_app`, views on, its follower running) is driven in process
through Starlette's TestClient, signed in as an admin through the console's own sign-in
form. The time of a page is the request's wall time in the client: the ASGI app, the
database and template rendering, without a network or a browser. Each page is asked
`--calls` times after one warm-up; p50/p95/max are reported, and the status (a page that
is not there, e.g. the entry grid before it is built, is reported as such).

Page weight: the HTML of each page and every script and stylesheet it links under
/assets/ (the first load: nothing cached), uncompressed and gzip-compressed (level 6).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from assess.api.app import create_app
from assess.api.settings import Settings
from assess.application.service import AssessApp
from assess.demo import generate_season
from assess.infrastructure.accounts import AccountStore, password_hasher
from assess.infrastructure.persistence import open_application
from assess.infrastructure.view_runner import ViewRunner

CYCLE = "2025-console-bench"
OPEN = "2025-console-bench-open"  # the same, still in assessment: the entry grid
ADMIN, PASSWORD = "bench-admin", "bench-admin-password-1"
ASSESSOR = "bench-assessor"  # holds `as0` (organisation evaluation) in OPEN
BUDGET_MS = 100
WEIGHT_BUDGET = 1_500_000
ASSET = re.compile(r'(?:href|src)="(/assets/[^"]+\.(?:css|js))"')


def load(url: str, units: int) -> dict[str, Any]:
    app = open_application(AssessApp, url)
    season = generate_season("performance-evaluation", units, seed=13, complications=True)
    season["cycle"]["id"] = CYCLE
    started = time.perf_counter()
    events = app.import_season(season).events
    imported = time.perf_counter() - started
    open_season = generate_season("performance-evaluation", units, seed=14)
    open_season["cycle"]["id"] = OPEN
    actions = open_season["actions"]
    closing = next(i for i, a in enumerate(actions) if a["do"] == "close_scoring")
    scored = [a for a in actions[:closing] if a.get("method") != "org" or hash(a["unit"]) % 2]
    app.import_season({**open_season, "actions": scored})
    started = time.perf_counter()
    ViewRunner(app).run()
    views = time.perf_counter() - started
    app.close()
    accounts = AccountStore(url, password_hasher(1, 1024))
    accounts.add(ADMIN, PASSWORD, admin=True)
    accounts.add(ASSESSOR, PASSWORD)
    accounts.bind(ASSESSOR, OPEN, "as0")
    accounts.close()
    return {"events": events, "import_s": round(imported, 2), "views_s": round(views, 2)}


def sign_in(client: TestClient, name: str = ADMIN) -> None:
    form = client.get("/sign-in").text
    token = re.search(r'name="sign_in_token" value="([^"]+)"', form)
    assert token is not None
    answer = client.post(
        "/sign-in",
        data={"username": name, "password": PASSWORD, "sign_in_token": token[1], "next": "/"},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")


def pages(units: int) -> dict[str, str]:
    base = f"/c/{CYCLE}"
    middle = units // 2 // 50 * 50
    return {
        "results": f"{base}/results",
        "audit (first page)": f"{base}/audit",
        "audit (a middle page)": f"{base}/audit?offset={middle}",
        "audit (filtered: verb)": f"{base}/audit?verb=submit_sheet",
        "audit (htmx table)": f"{base}/audit?offset={middle}",
        "charts": f"{base}/charts",
        "overview": base,
    }


def timed(client: TestClient, path: str, calls: int, htmx: bool) -> dict[str, Any]:
    headers = {"HX-Request": "true", "HX-Target": "audit-table"} if htmx else {}
    first = client.get(path, headers=headers)
    seconds = []
    for _ in range(calls):
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        seconds.append(time.perf_counter() - started)
        assert answer.status_code == first.status_code
    seconds.sort()
    ms = [s * 1000 for s in seconds]
    return {
        "status": first.status_code,
        "bytes": len(first.content),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[max(int(len(ms) * 0.95) - 1, 0)], 1),
        "max_ms": round(ms[-1], 1),
    }


def weight(client: TestClient, path: str) -> dict[str, Any]:
    html = client.get(path).content
    assets = sorted(set(ASSET.findall(html.decode())))
    bodies = [html] + [client.get(asset).content for asset in assets]
    return {
        "assets": assets,
        "bytes": sum(len(body) for body in bodies),
        "gzip_bytes": sum(len(gzip.compress(body, 6)) for body in bodies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--out", default="bench/out/console")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/console.db"
        loaded = load(url, args.units)
        settings = Settings(secret="x" * 32, argon2_time_cost=1, argon2_memory_kib=1024)
        timings, weights = {}, {}
        with TestClient(create_app(url, settings)) as client:
            sign_in(client)
            for name, path in pages(args.units).items():
                timings[name] = timed(client, path, args.calls, htmx="htmx" in name)
                if "htmx" not in name and timings[name]["status"] == 200:
                    weights[name] = weight(client, path)
        with TestClient(create_app(url, settings)) as client:  # the assessor's own session
            sign_in(client, ASSESSOR)
            name, path = "entry (the organisation evaluation's grid)", f"/c/{OPEN}/entry"
            timings[name] = timed(client, path, args.calls, htmx=False)
            weights[name] = weight(client, path)
    report = {"units": args.units, "load": loaded, "pages": timings, "weights": weights}
    lines = [
        f"{args.units}-unit performance-evaluation cycle, {loaded['events']} events, SQLite, "
        f"in-process TestClient, {args.calls} calls per page after a warm-up",
        "",
        "| page | status | HTML bytes | p50 ms | p95 ms | max ms | p95 ≤ 100 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, t in timings.items():
        ok = "yes" if t["p95_ms"] <= BUDGET_MS else "NO"
        ok = ok if t["status"] == 200 else "(not served)"
        lines.append(
            f"| {name} | {t['status']} | {t['bytes']} | {t['p50_ms']} | {t['p95_ms']} "
            f"| {t['max_ms']} | {ok} |"
        )
    lines += [
        "",
        "| page (first load) | HTML+CSS+JS bytes | gzip bytes | ≤ 1.5 MB |",
        "|---|---|---|---|",
    ]
    for name, w in weights.items():
        ok = "yes" if w["bytes"] <= WEIGHT_BUDGET else "NO"
        lines.append(f"| {name} | {w['bytes']} | {w['gzip_bytes']} | {ok} |")
    summary = "\n".join(lines)
    print(summary)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".txt").write_text(summary + "\n")
    out.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
