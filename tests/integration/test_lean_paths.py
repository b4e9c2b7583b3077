"""The lean write and verify paths (issue 16) store and check exactly what the library's
own paths do: the same attributes in the same order, the same payload bytes, the same
hashes; chunks of one import commit together or not at all; the garbage collector is
as it was; a store with a compressor goes the library's way and verifies the same."""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import sqlalchemy

from assess.application import library
from assess.application.batches import LARGE_BATCH, perform_batch
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.demo import generate_season
from assess.domain.cycle import Cycle, cycle_uuid
from assess.infrastructure.persistence import normalise_url, open_application
from tests.conftest import EXAMPLES, SCHEMES

TRICKY = '引号"反斜杠\\ 换行\n制表\t 表情😀 行分隔\u2028 斜杠/ <b>&amp;'


def seasons() -> list[dict[str, Any]]:
    found = [orjson.loads((EXAMPLES / f"{scheme}.season.json").read_bytes()) for scheme in SCHEMES]
    generated = generate_season("group-party-org", units=16, seed=5, complications=True)
    generated["cycle"]["id"] = "lean-generated"
    return [*found, generated]


def decided(season: dict[str, Any]) -> Cycle:
    cycle = Cycle.create(season, account="importer")
    perform_batch(cycle, season["actions"], account="importer")
    return cycle


@pytest.fixture
def app(db: str) -> Iterator[AssessApp]:
    application = open_application(AssessApp, db)
    yield application
    application.close()


def test_events_are_built_as_the_librarys_constructor_builds_them() -> None:
    for season in seasons():
        for event in decided(season).pending_events[1:]:
            rebuilt = type(event)(**vars(event))
            assert list(vars(event)) == list(vars(rebuilt))
            assert vars(event) == vars(rebuilt)


def test_payloads_are_the_mappers_byte_for_byte(app: AssessApp) -> None:
    cycles = [decided(season) for season in seasons()]
    early = seasons()[0]
    early["actions"] = early["actions"][:1]  # items published: actors may still retire
    tricky = decided(early)
    tricky.perform(
        {"do": "retire_actor", "by": "od", "actor": "aud", "reason": TRICKY}, account=TRICKY
    )
    events = [event for cycle in [*cycles, tricky] for event in cycle.pending_events]
    assert len(events) > 300
    for event in events:
        lean = library.encode_plain_json(app, event)
        mapped = app.mapper.to_stored_event(event)
        assert (lean.topic, lean.state) == (mapped.topic, mapped.state)
        assert (lean.originator_id, lean.originator_version) == (
            mapped.originator_id,
            mapped.originator_version,
        )


def test_a_value_orjson_would_write_otherwise_goes_through_the_mapper(app: AssessApp) -> None:
    from decimal import Decimal

    event = decided(seasons()[0]).pending_events[3]
    odd = copy.copy(event)
    object.__setattr__(odd, "__dict__", {**vars(event), "data": {"figure": Decimal("1.50")}})
    assert library.encode_plain_json(app, odd).state == app.mapper.to_stored_event(odd).state


def test_an_import_stored_in_chunks_commits_whole_or_not_at_all(
    app: AssessApp, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library, "CHUNK", 7)
    season = seasons()[0]
    cycle = decided(season)
    events = len(cycle.pending_events)
    # Another writer holds a position in the fifth chunk: the whole import must fail.
    engine = sqlalchemy.create_engine(normalise_url(db))
    oid = cycle_uuid(season["cycle"]["id"])
    with engine.begin() as c:
        key = oid.bytes if engine.dialect.name == "sqlite" else str(oid)
        c.execute(
            sqlalchemy.text(
                "INSERT INTO assess_events (originator_id, originator_version, topic, state) "
                "VALUES (:oid, 30, 'x', :state)"
            ),
            {"oid": key, "state": b"{}"},
        )
    with pytest.raises(Exception):  # noqa: B017, PT011 - the store's duplicate, as it reports it
        app.import_season(season)
    with engine.begin() as c:
        c.execute(sqlalchemy.text("DELETE FROM assess_events"))
        assert c.execute(sqlalchemy.text("SELECT count(*) FROM assess_events")).scalar() == 0
    engine.dispose()
    app.forget(season["cycle"]["id"])
    assert app.import_season(season).events == events
    report = verify_cycle(app, season["cycle"]["id"])
    assert report.ok and report.events == events, report.failure
    assert app.results(season["cycle"]["id"])["digest"] == _expected_digest(season)


def _expected_digest(season: dict[str, Any]) -> str:
    scheme = season["cycle"]["scheme"]
    versions = orjson.loads((EXAMPLES / f"{scheme}.versions.json").read_bytes())
    return str(versions[-1]["digest"])


def test_the_garbage_collector_is_paused_for_a_large_batch_only_and_restored(
    app: AssessApp,
) -> None:
    season = generate_season("performance-evaluation", units=15, seed=2, items=30, sheets=False)
    assert len(season["actions"]) >= LARGE_BATCH
    seen: list[bool] = []
    original = library.save_aggregate

    def watching(application: Any, aggregate: Any) -> Any:
        seen.append(gc.isenabled())
        return original(application, aggregate)

    mp = pytest.MonkeyPatch()
    mp.setattr(library, "save_aggregate", watching)
    try:
        app.import_season(season)
        small = orjson.loads((EXAMPLES / "leadership-team.season.json").read_bytes())
        app.import_season(small)
        gc.disable()
        try:
            other = copy.deepcopy(season)
            other["cycle"]["id"] = "lean-other"
            app.import_season(other)
            assert not gc.isenabled()  # left as the caller had it
        finally:
            gc.enable()
    finally:
        mp.undo()
    assert seen == [False, True, False]
    assert gc.isenabled()


def test_a_store_with_a_compressor_takes_the_librarys_paths_and_verifies(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'zipped.db'}"
    zipped = open_application(
        AssessApp, url, COMPRESSOR_TOPIC="eventsourcing.compressor:ZlibCompressor"
    )
    plain = open_application(AssessApp, f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        assert not library.reads_plain_json(zipped)
        season = seasons()[1]
        zipped.import_season(season)
        plain.import_season(season)
        cycle = season["cycle"]["id"]
        first, second = verify_cycle(zipped, cycle), verify_cycle(plain, cycle)
        assert first.ok and second.ok, (first.failure, second.failure)
        assert (first.events, first.versions, first.digests_matched) == (
            second.events,
            second.versions,
            second.digests_matched,
        )
        assert zipped.results(cycle)["digest"] == plain.results(cycle)["digest"]
    finally:
        zipped.close()
        plain.close()


def test_verify_reads_the_recording_time_as_stored(app: AssessApp, db: str) -> None:
    """The lean verify hashes the stored ISO text itself: a row whose time was rewritten
    to another spelling of the same moment no longer matches its hash."""
    season = seasons()[1]
    app.import_season(season)
    cycle = season["cycle"]["id"]
    assert verify_cycle(app, cycle).ok
    engine = sqlalchemy.create_engine(normalise_url(db))
    with engine.begin() as c:
        row = c.execute(
            sqlalchemy.text("SELECT id, state FROM assess_events ORDER BY id LIMIT 1 OFFSET 4")
        ).one()
        state = orjson.loads(bytes(row.state))
        text = state["timestamp"]["_data_"]
        state["timestamp"]["_data_"] = text.replace("+00:00", "Z") if "+00:00" in text else text
        c.execute(
            sqlalchemy.text("UPDATE assess_events SET state = :s WHERE id = :i"),
            {"s": orjson.dumps(state), "i": row.id},
        )
    engine.dispose()
    report = verify_cycle(app, cycle)
    assert not report.ok and report.position == 5, report.failure
