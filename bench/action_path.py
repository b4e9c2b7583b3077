"""The path of one action from HTTP to the stored event and back, counted.

    .venv/bin/python -m bench.action_path

Imports the shared group-party-org example up to its first year-end score, then POSTs
that score through the API (TestClient, SQLite) with a profiler on every thread, and
counts what the request ran of our own code: calls, distinct functions, modules, and
the hops (a call from one of our modules into another), and how deep our own frames
are when the event reaches the recorder's insert.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("domain", "application", "infrastructure", "api")
OURS = tuple(f"{ROOT / folder}/" for folder in LAYERS)
EXAMPLE = ROOT.parent / "shared" / "examples" / "group-party-org.season.json"


def split_season() -> tuple[dict[str, Any], dict[str, Any]]:
    """The season up to its first year-end score, and that score."""
    season = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    actions = season["actions"]
    index = next(
        i
        for i, action in enumerate(actions)
        if action["do"] == "submit_score" and action.get("component") == "year_end"
    )
    return {**season, "actions": actions[:index]}, actions[index]


class Tracer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.hops = 0
        self.depth_at_insert: int | None = None
        self.active = False

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if not self.active or event != "call" or not frame.f_code.co_filename.startswith(OURS):
            return
        module = frame.f_code.co_filename[len(str(ROOT)) + 1 :]
        self.calls.append((module, frame.f_code.co_qualname))
        caller = frame.f_back
        while caller is not None and not caller.f_code.co_filename.startswith(OURS):
            caller = caller.f_back
        if caller is not None and caller.f_code.co_filename != frame.f_code.co_filename:
            self.hops += 1
        if frame.f_code.co_name == "_core_insert" and self.depth_at_insert is None:
            depth, outer = 0, frame
            while outer is not None:
                depth += outer.f_code.co_filename.startswith(OURS)
                outer = outer.f_back
            self.depth_at_insert = depth


PASSWORD = "scorer-password"


def main() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    from fastapi.testclient import TestClient

    from assess.api.app import create_app
    from assess.api.settings import Settings
    from assess.application.service import AssessApp
    from assess.infrastructure.accounts import AccountStore, password_hasher
    from assess.infrastructure.persistence import open_application

    before, action = split_season()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/path.db"
        app = open_application(AssessApp, url)
        app.import_season(before)
        app.close()
        accounts = AccountStore(url, password_hasher(1, 1024))
        accounts.add("scorer", PASSWORD)
        accounts.bind("scorer", before["cycle"]["id"], action["by"])
        accounts.close()
        settings = Settings(secret="s" * 40, argon2_time_cost=1, argon2_memory_kib=1024)
        tracer = Tracer()  # on every thread started from here on, counting when active
        threading.setprofile(tracer)
        with TestClient(create_app(url, settings)) as client:
            token = client.post("/auth/token", data={"username": "scorer", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            cycle = before["cycle"]["id"]
            client.get(f"/cycles/{cycle}", headers=headers)  # warm: the cycle is cached
            body = {key: value for key, value in action.items() if key != "by"}
            sys.setprofile(tracer)
            tracer.active = True
            answer = client.post(f"/cycles/{cycle}/actions", json=body, headers=headers)
            tracer.active = False
            sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    modules = list(dict.fromkeys(module for module, _ in tracer.calls))
    print(f"calls into our code:       {len(tracer.calls)}")
    print(f"distinct functions:        {len(set(tracer.calls))}")
    print(f"modules:                   {len(modules)}")
    print(f"hops between our modules:  {tracer.hops}")
    print(f"our frames at the insert:  {tracer.depth_at_insert}")
    print("modules in order of first call: " + " → ".join(modules))


if __name__ == "__main__":
    main()
