"""No request blocks the event loop: `/healthz` answers at once while another request
replays a large cycle (a real uvicorn, so the event loop and thread pool are real)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from assess.application.service import AssessApp
from assess.demo import generate_season
from assess.infrastructure.persistence import open_application
from tests.api.test_live import _free_port, _wait_until_healthy
from tests.cpu_turns import cpu_turn

CYCLE = "2025-leadership-team"
PASSWORD = "admin-password"
HEALTHY_WITHIN = 0.1  # seconds
# The slowest answers may meet a garbage-collector pause in the server, which stops every
# thread, or a busy CPU (two cores shared with the suite's other worker): the bound is for
# four in five, and the median answer within TYPICAL. A blocked event loop fails both by
# far: an answer asked during a replay then waits for its end, so the waits spread evenly
# over the replay's length (over 0.15 s, checked), a median of half of it or more.
SHARE = 0.8
TYPICAL = 0.05  # seconds
ATTEMPTS = 2


@pytest.fixture(scope="module")
def large_cycle(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[int]]:
    """A 2,000-unit cycle with several results versions, imported in one batch, so its one
    snapshot comes after every version: each past version is a replay from the start."""
    url = f"sqlite:///{tmp_path_factory.mktemp('large') / 'events.db'}"
    app = open_application(AssessApp, url)
    try:
        season = generate_season(scheme="leadership-team", units=2000, seed=1, complications=True)
        app.import_season(season)
        versions = [entry["version"] for entry in app.inspect(CYCLE, lambda c: c.versions)]
    finally:
        app.close()
    return url, versions[:-1]


@contextmanager
def serving(url: str) -> Iterator[str]:
    """A fresh process on the store: nothing of the cycle is cached yet."""
    port = _free_port()
    env = {
        **os.environ,
        "ASSESS_DB": url,
        "ASSESS_ADMIN_PASSWORD": PASSWORD,
        "ASSESS_SECRET": "event-loop-test-" + "x" * 32,
        "ASSESS_ARGON2_TIME_COST": "1",
        "ASSESS_ARGON2_MEMORY_KIB": "1024",
        # The results must come from replays, which is what this test is about; from
        # the read views they would not replay anything.
        "ASSESS_VIEWS": "false",
    }
    command = [sys.executable, "-m", "uvicorn", "assess.api.app:create_app", "--factory"]
    command += ["--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_healthz_answers_while_a_large_replay_is_in_progress(
    large_cycle: tuple[str, list[int]],
) -> None:
    """Timed with the CPU to itself as far as these tests go (no browser test meanwhile:
    tests/cpu_turns.py). A machine shared with other work can still stall a few answers:
    a second fresh server gets its chance. A blocked event loop fails both, each answer
    waiting for a whole replay."""
    url, past_versions = large_cycle
    waits: list[float] = []
    for _ in range(ATTEMPTS):
        with cpu_turn(exclusive=True), serving(url) as server:
            waits = healthz_waits(server, past_versions)
        quick = sum(wait < HEALTHY_WITHIN for wait in waits)
        if quick >= SHARE * len(waits) and waits[len(waits) // 2] <= TYPICAL:
            return
    pytest.fail(f"/healthz waits (s): {[round(w, 3) for w in waits]}")


def healthz_waits(server: str, past_versions: list[int]) -> list[float]:
    """How long each /healthz asked while a cold results request was in flight took."""
    token = httpx.post(
        f"{server}/auth/token", data={"username": "admin", "password": PASSWORD}, timeout=10
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    flights: list[tuple[float, float]] = []  # (sent, answered) of each results request
    statuses: list[int] = []
    done = threading.Event()

    def read_past_versions() -> None:
        """Each past version is computed by replaying the cycle from its first event."""
        try:
            with httpx.Client(base_url=server, headers=headers, timeout=60) as client:
                for version in past_versions:
                    sent = time.monotonic()
                    reply = client.get(f"/cycles/{CYCLE}/results?version={version}&limit=1")
                    flights.append((sent, time.monotonic()))
                    statuses.append(reply.status_code)
        finally:
            done.set()

    reader = threading.Thread(target=read_past_versions)
    polls: list[tuple[float, float]] = []  # (sent, answered) of each /healthz
    with httpx.Client(base_url=server, timeout=60) as client:
        reader.start()
        while not done.is_set():
            sent = time.monotonic()
            assert client.get("/healthz").status_code == 200
            polls.append((sent, time.monotonic()))
            time.sleep(0.01)
    reader.join()

    assert statuses == [200] * len(past_versions) and len(past_versions) >= 3
    slowest = max(answered - sent for sent, answered in flights)
    assert slowest > 0.15, "the replay must take long enough for the test to mean anything"
    # Asked while a results request was in flight, and answered before it ended too.
    asked = [(sent, got) for sent, got in polls if any(a < sent < b for a, b in flights)]
    within = [(sent, got) for sent, got in asked if any(a < sent and got < b for a, b in flights)]
    assert len(within) >= 3, "/healthz was not answered while a results request was in flight"
    return sorted(got - sent for sent, got in asked)
