"""`assess serve --demo` for real: uvicorn on a free local port, spoken to over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import store_agnostic

SERVE = "from assess.cli.serve import serve; serve(prog_name='assess serve')"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live(db: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = _free_port()
    env = {**os.environ, "ASSESS_ARGON2_TIME_COST": "1", "ASSESS_ARGON2_MEMORY_KIB": "1024"}
    env["ASSESS_MAX_BODY_MB"] = "1"  # the body limit, tried without sending much
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
            "2025-T02",  # still being scored: the newcomer's unit enters its sheets
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
    assert f"web console: {base}/\n" in output


@store_agnostic  # the failures table is checked on both stores in test_sign_in.py
def test_sign_in_is_throttled_over_a_real_socket(live: tuple[str, subprocess.Popen]) -> None:
    base, _ = live
    wrong = {"username": "od", "password": "not the password"}
    with httpx.Client(base_url=base, timeout=10) as client:
        assert [client.post("/auth/token", data=wrong).status_code for _ in range(5)] == [401] * 5
        refused = client.post("/auth/token", data={"username": "od", "password": "demo"})
        assert refused.status_code == 429 and refused.json()["error"] == "too_many_requests"
        assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
        assert refused.headers["Cache-Control"] == "no-store"


def test_the_edge_holds_over_a_real_socket(live: tuple[str, subprocess.Popen]) -> None:
    """Body limit (1 MiB here) before sign-in, headers, request ids, kept connections."""
    base, _ = live
    host, port = base.removeprefix("http://").split(":")
    actions = "/cycles/2025-leadership-team/actions"
    # A declared 68 MB body: refused at once, though not one byte of it is sent.
    raw = http.client.HTTPConnection(host, int(port), timeout=10)
    raw.putrequest("POST", actions)
    raw.putheader("Content-Type", "application/json")
    raw.putheader("Content-Length", str(68 * 10**6))
    raw.endheaders()
    refused = raw.getresponse()
    assert refused.status == 413 and refused.getheader("connection") == "close"
    assert json.loads(refused.read())["error"] == "too_large"
    raw.close()
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(1024):  # 64 MiB offered, 64 KiB at a time
            sent.append(1)
            yield b" " * 64 * 1024

    with httpx.Client(base_url=base, timeout=10) as client:
        try:
            chunked = client.post(actions, content=chunks())
            assert chunked.status_code == 413 and chunked.json()["error"] == "too_large"
        except httpx.TransportError:  # the server closed while the rest was being sent
            pass
        assert len(sent) < 512  # what socket buffers hold at most: the rest is never read
    with httpx.Client(base_url=base, timeout=10) as client:
        under = client.post(actions, content=b" " * (1024 * 1024 - 10))
        assert under.status_code == 401  # read, then refused for want of a token
        echoed = client.get("/cycles", headers={"X-Request-ID": "live-1"})
        assert echoed.status_code == 401 and echoed.json()["request_id"] == "live-1"
        assert echoed.headers["x-request-id"] == "live-1"
        assert "server" not in echoed.headers
        assert echoed.headers["x-content-type-options"] == "nosniff"
        assert echoed.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in echoed.headers["content-security-policy"]
    # Errors keep the connection: three refusals and an answer on one socket.
    kept = http.client.HTTPConnection(host, int(port), timeout=10)
    for path, status in (("/cycles", 401), ("/nowhere", 404), ("/healthz", 200)):
        kept.request("GET", path)
        reply = kept.getresponse()
        reply.read()
        assert reply.status == status and reply.getheader("connection") != "close"
    kept.request("PATCH", "/cycles")
    reply = kept.getresponse()
    reply.read()
    assert reply.status == 405 and reply.getheader("allow") == "GET, POST"
    kept.close()
