"""Contract tests generated from the OpenAPI schema (schemathesis), against uvicorn on a
free local port: no input, however odd, makes the API answer 5xx, and every answer
matches the documented schema. A request the schema allows may still be refused by
the rules of SPEC §3 (the cycle's stage, the actor's role…), so schemathesis's
"schema-valid request accepted" check does not apply here.

Besides schemathesis's own positive and negative data, about half the cases are made
hostile before they are sent: one value of the body, the query or the path replaced by a
NUL, an unpaired surrogate, a control character, a text over every limit, a number far
beyond any bound (10**29, 10**400, NaN, Infinity) or a deep nesting; or a key of the body
replaced by a hostile text. None may make the API answer 5xx, and a NUL or a surrogate in
the body is never accepted."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from assess.api.app import create_app
from assess.api.auth import Tokens
from assess.application.service import AssessApp
from assess.demo import generate_season
from assess.infrastructure.accounts import Account, AccountStore, password_hasher
from assess.infrastructure.persistence import open_application
from tests.api.conftest import SECRET, settings_for_tests
from tests.api.test_live import _free_port

CYCLE = "2025-group-party-org"
MAX_EXAMPLES = 10
UNSTORABLE = ["\x00", "a\x00b", "\ud800", "x\udfffy"]  # never accepted anywhere in a body
HOSTILE_TEXTS = [*UNSTORABLE, "\x1b[2J", "a\u0085b", "\u202e", "x" * 10_001]
URL_TEXTS = ["\x00", "a\x00b", "\x1b", "\u202e", "x" * 300]  # a URL holds no surrogate
HUGE_NUMBERS: list[Any] = [10**29, -(10**29), 10**400, float("nan"), float("-inf"), 1e308]
DEEP: list[Any] = [0]
for _ in range(600):
    DEEP = [DEEP]

schema = schemathesis.openapi.from_dict(create_app("sqlite:///:memory:").openapi())


def _seed(url: str) -> None:
    """The demo group-party-org cycle, and an admin account holding `od` in it."""
    app = open_application(AssessApp, url)
    app.import_season(generate_season("group-party-org", 16, seed=1, complications=True))
    app.close()
    accounts = AccountStore(url, password_hasher(1, 1024))
    accounts.add("root", "root-password", admin=True)
    accounts.bind("root", CYCLE, "od")
    accounts.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'assess.db'}"
        yield from _serve(url)
        return
    from tests.pg import fresh_database_url

    with fresh_database_url() as url:
        yield from _serve(url)


def _serve(url: str) -> Iterator[str]:
    _seed(url)
    port = _free_port()
    config = uvicorn.Config(create_app(url, settings_for_tests()), port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _schema_only(case: schemathesis.Case) -> bool:
    """A boundary case of the actions body (the coverage phase: ~500 of them, one per
    field bound of each verb) is refused or accepted by the request's validation, before
    any store is read: sent on one store only, it keeps the run short. Fuzzed and hostile
    cases go to both."""
    return case.operation.path.endswith("/actions") and case.meta.phase.name == "coverage"


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value: each leaf, and each object as a place for a new key."""
    if isinstance(value, dict):
        places = [(*path, None)]
        for key, inner in value.items():
            places += _places(inner, (*path, key))
        return places
    if isinstance(value, list):
        return [place for n, inner in enumerate(value) for place in _places(inner, (*path, n))]
    return [path]


def _replaced(value: Any, path: tuple[Any, ...], new: Any, as_key: bool) -> Any:
    """`value` with the leaf at `path` replaced by `new`, or (`as_key`) with `new` added as
    a key of the object at `path`."""
    if not path or (as_key and len(path) == 1):
        if as_key and isinstance(value, dict):
            return {**value, new: 1}
        return new
    head, *rest = path
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], tuple(rest), new, as_key)}
    copy = list(value)
    copy[head] = _replaced(copy[head], tuple(rest), new, as_key)
    return copy


HOSTILE_MARK = "X-Test-Hostile"  # on a case whose body now holds a NUL or a surrogate


@schema.hook
def flatmap_case(context: Any, case: schemathesis.Case) -> st.SearchStrategy[schemathesis.Case]:
    return _hostile(case)


@st.composite
def _hostile(draw: st.DrawFn, case: schemathesis.Case) -> schemathesis.Case:
    """The case as generated, or with one value of its body, query or path (or a key of
    its body) replaced by a hostile one."""
    parts = ["none"]
    if isinstance(case.body, dict | list):
        parts += ["body", "body"]  # where most hostile values can go
    if case.query:
        parts.append("query")
    if case.path_parameters:
        parts.append("path")
    part = draw(st.sampled_from(parts))
    if part == "body":
        place = draw(st.sampled_from(_places(case.body)))
        as_key = place[-1:] == (None,)
        pool = [*UNSTORABLE, *HOSTILE_TEXTS] + ([] if as_key else [*HUGE_NUMBERS, DEEP])
        new = draw(st.sampled_from(pool))
        # Sent as written here: `requests` refuses NaN, and a surrogate cannot be UTF-8.
        case.body = json.dumps(_replaced(case.body, place, new, as_key)).encode()
        case.headers[HOSTILE_MARK] = "unstorable" if new in UNSTORABLE else "body"
    elif part in ("query", "path"):
        values = dict(case.query if part == "query" else case.path_parameters)
        values[draw(st.sampled_from(sorted(values)))] = draw(
            st.sampled_from([*URL_TEXTS, *HUGE_NUMBERS])
        )
        if part == "query":
            case.query = values
        else:
            case.path_parameters = values
        case.headers[HOSTILE_MARK] = part
    # Left as generated, the case's positive or negative label: schemathesis would check
    # the changed case against the schema again, and its validator cannot read a surrogate.
    case.freeze_metadata()
    return case


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_makes_the_api_fail(
    case: schemathesis.Case, served: str, request: pytest.FixtureRequest
) -> None:
    if _schema_only(case) and request.node.callspec.params["served"] != "sqlite":
        return
    token, _ = Tokens(SECRET, hours=1).issue(Account("root", admin=True))
    hostile = (case.headers or {}).get(HOSTILE_MARK)
    # A hostile value may stand where a generated one broke the schema: the case's label
    # says nothing of it any more, so only the checks that hold for any input are made.
    excluded = [positive_data_acceptance, *([negative_data_rejection] if hostile else [])]
    response = case.call_and_validate(
        base_url=served,
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=excluded,
    )
    if hostile == "unstorable":
        assert response.status_code >= 400, response.text
