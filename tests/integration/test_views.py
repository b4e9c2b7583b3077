"""The read views (SPEC §8) on both stores: they answer as the events do, byte for byte;
stopped anywhere and resumed they equal a clean rebuild; kept up batch by batch they
equal a rebuild; two runners never apply anything twice; on PostgreSQL they wait for
a writer in flight rather than skip its ids."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest
import sqlalchemy
from sqlalchemy import select, text

from assess.application.appeals import appeals_of
from assess.application.audit import audit_rows
from assess.application.organisation import history, tree
from assess.application.service import AssessApp
from assess.application.views import VIEWS, answers_noted
from assess.demo import generate_season
from assess.demo.organisation import organisation_seasons
from assess.domain.cycle import cycle_uuid
from assess.domain.errors import DomainError
from assess.domain.results import digest
from assess.infrastructure import view_tables as tables
from assess.infrastructure.persistence import normalise_url, open_application
from assess.infrastructure.view_runner import Conflict, ViewRunner
from tests.conftest import EXAMPLES, SCHEMES

SCHEME_IDS = ("group-party-org", "leadership-team", "performance-evaluation")


def seasons() -> list[dict[str, Any]]:
    """The shared examples, a generated season with complications per scheme, and the
    demo's organisation tree."""
    found = [orjson.loads((EXAMPLES / f"{scheme}.season.json").read_bytes()) for scheme in SCHEMES]
    for number, scheme in enumerate(SCHEME_IDS):
        season = generate_season(scheme=scheme, units=16, seed=number + 3, complications=True)
        season["cycle"]["id"] = f"g-{scheme}"
        found.append(season)
    return found + organisation_seasons()  # two levels, two years: a tree to show


@pytest.fixture
def app(db: str) -> Iterator[AssessApp]:
    application = open_application(AssessApp, db)
    for season in seasons():
        application.import_season(season)
    yield application
    application.close()


def reads(app: AssessApp) -> tuple[bytes, set[str]]:
    """Every read the views answer, for every cycle, and where the answers came from."""
    out: dict[str, Any] = {}
    with answers_noted() as noted:
        out["cycles"] = app.cycles()
        for entry in out["cycles"]:
            cycle = entry["cycle"]
            versions = entry["version"] or 0
            units = sorted(app.cycle(cycle).units)
            for version in range(1, versions + 1):
                out[f"{cycle} results {version}"] = app.results(cycle, version)
                out[f"{cycle} page {version}"] = app.results_page(cycle, version, offset=2, limit=3)
                for other in {version - 1, versions} - {0, version}:  # the one before, the last
                    out[f"{cycle} diff {version} {other}"] = app.diff(cycle, version, other)
            out[f"{cycle} latest"] = _or_refusal(
                lambda c, u: app.results_page(c, unit=u), cycle, units[0]
            )
            if versions:
                out[f"{cycle} category"] = app.results_page(
                    cycle, category=out[f"{cycle} latest"][0]["results"][0]["category"], limit=2
                )
            out[f"{cycle} audit"] = app.audit(cycle)
            rows = out[f"{cycle} audit"][0]
            for unit in units[:4]:
                out[f"{cycle} audit {unit}"] = app.audit(cycle, unit=unit, offset=1, limit=5)
            middle = datetime.fromisoformat(rows[len(rows) // 2]["recorded"])
            out[f"{cycle} audit filtered"] = app.audit(
                cycle,
                verb=rows[-1]["verb"],
                actor=rows[-1]["actor"],
                since=middle - timedelta(microseconds=1),
                until=middle + timedelta(days=1),
            )
            out[f"{cycle} appeals"] = appeals_of(app, cycle)
            out[f"{cycle} appeals {units[0]}"] = appeals_of(app, cycle, units[0])
            for position in range(1, entry["events"] + 1, 13):
                out[f"{cycle} at {position}"] = _or_refusal(app.version_at, cycle, position)
            for moment in ("2025-01-01", "2025-06-30", "2025-12-31T12:00:00", "2026-12-31"):
                out[f"{cycle} as of {moment}"] = _or_refusal(
                    lambda c, m: app.version_at(c, as_of=m), cycle, moment
                )
        for year in sorted({entry["year"] for entry in out["cycles"]}):
            out[f"tree {year}"] = tree(app, year)
        held = sorted({unit for entry in out["cycles"] for unit in app.cycle(entry["cycle"]).units})
        for unit in held[::3]:
            out[f"history {unit}"] = history(app, unit)
    return orjson.dumps(out, option=orjson.OPT_SORT_KEYS), set(noted)


def _or_refusal(read: Any, *args: Any) -> Any:
    try:
        return read(*args)
    except DomainError as error:
        return [error.code, error.message]


def dump(app: AssessApp) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table, and the tracked positions, in key order."""
    engine = app.recorder.datastore.engine  # type: ignore[attr-defined]
    found = {}
    with engine.connect() as connection:
        for table in tables.metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            found[table.name] = [
                tuple(row) for row in connection.execute(select(table).order_by(*keys))
            ]
        tracking = tables.tracking_recorder(app.recorder.datastore).tracking_table  # type: ignore[attr-defined]
        found["tracking"] = sorted(tuple(row) for row in connection.execute(select(tracking)))
    return found


def rebuilt(app: AssessApp) -> dict[str, list[tuple[Any, ...]]]:
    runner = ViewRunner(app)
    runner.reset(VIEWS)
    runner.run()
    return dump(app)


def test_views_answer_as_the_events_do(app: AssessApp) -> None:
    from_events, where = reads(app)
    assert where == {"behind"}
    ViewRunner(app).run()
    from_views, where = reads(app)
    assert where == {"current"}
    assert from_views == from_events


def test_results_rows_reproduce_the_recorded_digests_and_audit_rows_the_trail(
    app: AssessApp,
) -> None:
    ViewRunner(app).run()
    for entry in app.cycles():
        cycle = app.cycle(entry["cycle"])
        for version in cycle.versions:
            with answers_noted() as noted:
                document, total = app.results_page(entry["cycle"], version["version"])
            assert noted == ["current"]
            assert total == len(cycle.units)
            assert digest(document["results"]) == version["digest"] == document["digest"]
        with answers_noted() as noted:
            rows, total = app.audit(entry["cycle"])
        assert noted == ["current"]
        assert rows == audit_rows(app.events_of(entry["cycle"])) and total == cycle.version


def test_stopped_anywhere_and_resumed_the_views_equal_a_clean_rebuild(app: AssessApp) -> None:
    clean = rebuilt(app)
    last = app.recorder.max_notification_id() or 0
    for batch, stops in ((7, range(1, last, max(last // 4, 1))), (100, (last // 2 + 3, last - 1))):
        for stop in stops:
            first = ViewRunner(app, batch=batch)
            first.reset(VIEWS)
            first.run(until=stop)
            assert {first.tracking.max_tracking_id(view) for view in VIEWS} == {stop}
            ViewRunner(app, batch=batch).run()  # a new process: nothing kept in memory
            assert dump(app) == clean, f"stopped at {stop} (batches of {batch})"


class Crash(Exception):
    pass


class CrashingRunner(ViewRunner):
    """Dies inside the transaction of its `crash_at`-th batch, rows written, not committed."""

    crash_at = 1
    batches = 0

    def _write_rows(self, connection: Any, batch: Any) -> None:
        super()._write_rows(connection, batch)
        self.batches += 1
        if self.batches == self.crash_at:
            raise Crash


def test_a_crash_between_writing_rows_and_committing_repeats_and_loses_nothing(
    app: AssessApp,
) -> None:
    clean = rebuilt(app)
    for crash_at in (1, 2, 5, 9):
        runner = CrashingRunner(app, batch=37)
        runner.reset(VIEWS)
        runner.crash_at = crash_at
        with pytest.raises(Crash):
            runner.run()
        standing = {runner.tracking.max_tracking_id(view) for view in VIEWS}
        assert standing == ({None} if crash_at == 1 else {37 * (crash_at - 1)})
        ViewRunner(app, batch=37).run()
        assert dump(app) == clean, f"crashed in batch {crash_at}"


def test_views_kept_up_batch_by_batch_equal_a_rebuild(db: str) -> None:
    app = open_application(AssessApp, db)
    runner = ViewRunner(app, batch=5)
    try:
        for number, scheme in enumerate(SCHEME_IDS):
            season = generate_season(scheme=scheme, units=16, seed=number, complications=True)
            actions = season.pop("actions")
            app.import_season({**season, "actions": actions[:3]})
            cycle = season["cycle"]["id"]
            for start in range(3, len(actions), 4):
                app.act(cycle, copy.deepcopy(actions[start : start + 4]))
                runner.run()
        kept = dump(app)
        assert kept == rebuilt(app)
        from_views, where = reads(app)
        assert where == {"current"}
    finally:
        app.close()


def test_two_runners_on_one_database_apply_each_event_once(db: str, app: AssessApp) -> None:
    clean = rebuilt(app)
    ViewRunner(app).reset(VIEWS)
    others = [open_application(AssessApp, db) for _ in range(2)]
    try:
        # Told apart by the compare-and-set of positions: one runner's batch is refused.
        late = ViewRunner(others[0], batch=50)
        ViewRunner(others[1], batch=50).run()
        with pytest.raises(Conflict):
            late.step()
        assert late.run() == 0
        assert dump(app) == clean
        # And racing, from scratch, in small batches.
        ViewRunner(app).reset(VIEWS)
        racers = [ViewRunner(other, batch=11) for other in others]
        failures: list[BaseException] = []

        def race(racer: ViewRunner) -> None:
            try:
                racer.run()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                failures.append(error)

        threads = [threading.Thread(target=race, args=(racer,)) for racer in racers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert dump(app) == clean
    finally:
        for other in others:
            other.close()


def test_a_cycle_whose_events_were_changed_is_read_from_its_events(db: str, app: AssessApp) -> None:
    """Views stop following a cycle whose events do not reproduce a recorded digest, or
    do not read; its reads then go to the events, which refuse them as they would."""
    score = next(e for e in app.events_of(SCORED) if "value" in e.data)
    value = orjson.dumps(score.data["value"])
    _rewrite(app, SCORED, score.originator_version, lambda s: s.replace(value, b'"1"', 1))
    _rewrite(app, "2025-leadership-team", 5, lambda state: b"not json")
    app.forget(SCORED)
    app.forget("2025-leadership-team")
    before, _ = _listing_and_refusals(app)
    ViewRunner(app).run()
    after, where = _listing_and_refusals(app)
    assert after == before
    assert "behind" in where
    assert [e["stage"] for e in orjson.loads(after)[0] if e["cycle"] == "2025-leadership-team"] == [
        "corrupt"
    ]


SCORED = "2025-group-party-org"


def _rewrite(app: AssessApp, cycle: str, position: int, change: Any) -> None:
    """Change a stored event behind the application's back."""
    events = app.recorder._table  # type: ignore[attr-defined]
    where = (events.c.originator_id == cycle_uuid(cycle)) & (
        events.c.originator_version == position
    )
    engine = app.recorder.datastore.engine  # type: ignore[attr-defined]
    with engine.begin() as connection:
        state = bytes(connection.execute(select(events.c.state).where(where)).scalar_one())
        changed = change(state)
        assert changed != state
        connection.execute(events.update().where(where).values(state=changed))


def _listing_and_refusals(app: AssessApp) -> tuple[bytes, set[str]]:
    with answers_noted() as noted:
        listing = app.cycles()
        refusals = [
            _or_refusal(app.results, entry["cycle"], version)
            for entry in listing
            for version in range(1, (entry["version"] or 0) + 1)
        ]
    return orjson.dumps([listing, refusals]), set(noted)


def test_the_horizon_waits_for_a_writer_in_flight_on_postgresql(db: str, app: AssessApp) -> None:
    """Writers do not lock the events table: an id drawn by a transaction still open may
    commit after higher ones. The views stop below it until that transaction ends."""
    if not db.startswith("postgres"):
        pytest.skip("SQLite writers take turns: ids commit in order")
    runner = ViewRunner(app)
    runner.run()
    engine = sqlalchemy.create_engine(normalise_url(db))
    try:
        with engine.connect() as in_flight:
            held = in_flight.execute(  # a writer at work: its id drawn, not committed
                text(
                    "INSERT INTO assess_events (originator_id, originator_version, topic, state)"
                    " VALUES (gen_random_uuid(), 1, 'x', '\\x00') RETURNING id"
                )
            ).scalar()
            _write_something(app)
            newest = app.recorder.max_notification_id()
            assert newest is not None and newest > held
            for _ in range(3):
                runner.run(patience=0.05)
            assert max(runner.positions.values()) < held  # type: ignore[type-var]
            with answers_noted() as noted:
                app.audit(_WRITTEN)
            assert noted == ["behind"]
            in_flight.rollback()
        runner.run()
        assert set(runner.positions.values()) == {newest}
        with answers_noted() as noted:
            rows, _ = app.audit(_WRITTEN)
        assert noted == ["current"] and rows == audit_rows(app.events_of(_WRITTEN))
    finally:
        engine.dispose()


_WRITTEN = "in-flight"


def _write_something(app: AssessApp) -> None:
    """A new cycle: its events are the newest in the log."""
    season = generate_season(scheme="performance-evaluation", units=2, seed=9)
    season["cycle"]["id"] = _WRITTEN
    app.import_season(season)
