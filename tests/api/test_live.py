"""`assess serve --demo` for real: uvicorn on a free local port, spoken to over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

SERVE = "from assess.cli.serve import serve; serve(prog_name='assess serve')"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live(db: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = _free_port()
    env = {**os.environ, "ASSESS_ARGON2_TIME_COST": "1", "ASSESS_ARGON2_MEMORY_KIB": "1024"}
    env.pop("ASSESS_SECRET", None)
    command = [sys.executable, "-c", SERVE, "--db", db, "--port", str(port), "--demo"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, server)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_healthy(base: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(server.stdout.read().decode() if server.stdout else "exited")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become healthy")


def test_serve_demo_answers_over_a_real_socket(live: tuple[str, subprocess.Popen]) -> None:
    base, server = live
    with httpx.Client(base_url=base, timeout=10) as client:
        token = client.post("/auth/token", data={"username": "unit", "password": "demo"})
        assert token.status_code == 200, token.text
        unit = {"Authorization": f"Bearer {token.json()['access_token']}"}
        cycles = client.get("/cycles", headers=unit).json()
        assert [c["cycle"] for c in cycles] == [
            "2025-group-party-org",
            "2025-leadership-team",
            "2025-performance-evaluation",
        ]
        results = client.get("/cycles/2025-leadership-team/results", headers=unit).json()
        assert results["total"] == 16  # published: every unit
        refused = client.post(
            "/cycles/2025-leadership-team/actions", json={"do": "close_cycle"}, headers=unit
        )
        assert refused.status_code == 403 and refused.json()["action_index"] == 0
        assert client.get("/cycles").status_code == 401
        assert client.get("/openapi.json").json()["info"]["title"] == "assess"
    server.terminate()
    output = server.communicate(timeout=30)[0].decode()
    assert f"{base}/docs" in output and "admin / admin" in output and "unit / demo" in output
