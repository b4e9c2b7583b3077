"""Changes made directly in the database are found by `verify`, on both stores."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import pytest
import sqlalchemy
from eventsourcing.cryptography import AESCipher
from sqlalchemy import text

from assess.application import library
from assess.application.season import read_season
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.domain.cycle import Cycle
from assess.infrastructure.persistence import normalise_url, open_application
from tests.conftest import EXAMPLES, SCHEMES

CYCLE = "2025-group-party-org"
COMPRESSED = {"COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor"}
ENCRYPTED = {
    "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
    "CIPHER_KEY": AESCipher.create_key(16),
}
ENCODINGS = {"plain": {}, "compressed": COMPRESSED, "encrypted": ENCRYPTED}
Stored = tuple[AssessApp, sqlalchemy.Engine]


def _stored(db: str, **env: str) -> Iterator[Stored]:
    app = open_application(AssessApp, db, **env)
    app.import_season(read_season(EXAMPLES / "group-party-org.season.json"))
    engine = sqlalchemy.create_engine(normalise_url(db))
    yield app, engine
    engine.dispose()
    app.close()


@pytest.fixture
def stored(db: str) -> Iterator[Stored]:
    yield from _stored(db)


@pytest.fixture
def compressed(db: str) -> Iterator[Stored]:
    yield from _stored(db, **COMPRESSED)


@pytest.fixture
def encrypted(db: str) -> Iterator[Stored]:
    yield from _stored(db, **ENCRYPTED)


def state_of(engine: sqlalchemy.Engine, position: int, table: str = "assess_events") -> bytes:
    with engine.connect() as connection:
        query = text(f"SELECT state FROM {table} WHERE originator_version = :v")
        return bytes(connection.execute(query, {"v": position}).scalar_one())


def execute(engine: sqlalchemy.Engine, sql: str, **params: object) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)


def set_state(engine: sqlalchemy.Engine, position: int, state: bytes, table: str = "assess_events"):
    execute(
        engine, f"UPDATE {table} SET state = :s WHERE originator_version = :v", s=state, v=position
    )


def test_an_untouched_cycle_verifies(stored) -> None:
    app, _ = stored
    report = verify_cycle(app, CYCLE)
    assert report.ok, report.failure
    assert (report.events, report.versions, report.digests_matched) == (54, 8, 10)
    assert verify_cycle(app, CYCLE, expect_head=report.head).ok


def test_one_changed_byte(stored) -> None:
    app, engine = stored
    state = state_of(engine, 3)
    assert b'"value":"87.79"' in state
    set_state(engine, 3, state.replace(b'"value":"87.79"', b'"value":"87.78"'))
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 3
    assert "does not match its hash" in report.failure


def test_two_events_swapped(stored) -> None:
    app, engine = stored
    execute(
        engine, "UPDATE assess_events SET originator_version = -1 WHERE originator_version = 10"
    )
    execute(
        engine, "UPDATE assess_events SET originator_version = 10 WHERE originator_version = 11"
    )
    execute(
        engine, "UPDATE assess_events SET originator_version = 11 WHERE originator_version = -1"
    )
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 10


def test_one_event_deleted(stored) -> None:
    app, engine = stored
    execute(engine, "DELETE FROM assess_events WHERE originator_version = 20")
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 20 and "missing" in report.failure


def test_a_forged_event_inserted(stored) -> None:
    app, engine = stored
    head = verify_cycle(app, CYCLE).head
    with engine.begin() as connection:
        row = connection.execute(
            text(
                "SELECT originator_id, topic, state FROM assess_events WHERE originator_version = 3"
            )
        ).one()
        connection.execute(
            text(
                "INSERT INTO assess_events (originator_id, originator_version, topic, state) "
                "VALUES (:i, 55, :t, :s)"
            ),
            {"i": row.originator_id, "t": row.topic, "s": row.state},
        )
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 55
    assert not verify_cycle(app, CYCLE, expect_head=head).ok


def test_a_tail_cut_off_is_caught_by_the_expected_head(stored) -> None:
    app, engine = stored
    head = verify_cycle(app, CYCLE).head
    execute(engine, "DELETE FROM assess_events WHERE originator_version = 54")
    assert verify_cycle(app, CYCLE).ok  # a shorter chain is still a chain...
    report = verify_cycle(app, CYCLE, expect_head=head)
    assert not report.ok and "expected" in report.failure  # ...but not the one kept elsewhere


def test_a_tampered_snapshot(stored) -> None:
    app, engine = stored
    app.snapshots.put([Cycle.Snapshot.take(app.cycle(CYCLE))])
    assert verify_cycle(app, CYCLE).snapshots_checked == 1
    snapshot = state_of(engine, 54, table="assess_snapshots")
    assert b'"99.41"' in snapshot
    set_state(engine, 54, snapshot.replace(b'"99.41"', b'"99.42"'), table="assess_snapshots")
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 54 and "snapshot" in report.failure


def test_a_tampered_snapshot_does_not_hide_a_tampered_event(stored) -> None:
    app, engine = stored
    app.snapshots.put([Cycle.Snapshot.take(app.cycle(CYCLE))])
    state = state_of(engine, 3)
    set_state(engine, 3, state.replace(b'"value":"87.79"', b'"value":"97.79"'))
    snapshot = state_of(engine, 54, table="assess_snapshots")
    set_state(engine, 54, snapshot.replace(b'"87.79"', b'"97.79"'), table="assess_snapshots")
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 3


# ---- stored states the library compressed or encrypted: read through its mapper --------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_shared_example_verifies_however_it_is_stored(db: str, encoding: str) -> None:
    app = open_application(AssessApp, db, **ENCODINGS[encoding])
    try:
        assert library.reads_plain_json(app) is (encoding == "plain")
        for scheme in SCHEMES:
            applied = app.import_season(read_season(EXAMPLES / f"{scheme}.season.json"))
            library.snapshot(app, app.cycle(applied.cycle))
            report = verify_cycle(app, applied.cycle)
            assert report.ok, report.failure
            assert (report.events, report.snapshots_checked) == (applied.position, 1)
            assert report.versions == applied.version and report.digests_matched > report.versions
    finally:
        app.close()


def test_one_changed_byte_of_a_compressed_event(compressed: Stored) -> None:
    app, engine = compressed
    state = state_of(engine, 3)
    set_state(engine, 3, state[:-5] + bytes([state[-5] ^ 1]) + state[-4:])
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 3
    assert "cannot be decoded" in report.failure


def test_a_changed_value_in_a_recompressed_event(compressed: Stored) -> None:
    app, engine = compressed
    state = zlib.decompress(state_of(engine, 3))
    assert b'"value":"87.79"' in state
    set_state(engine, 3, zlib.compress(state.replace(b'"value":"87.79"', b'"value":"87.78"')))
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 3
    assert "does not match its hash" in report.failure


def test_a_tampered_compressed_snapshot(compressed: Stored) -> None:
    app, engine = compressed
    library.snapshot(app, app.cycle(CYCLE))
    snapshot = zlib.decompress(state_of(engine, 54, table="assess_snapshots"))
    assert b'"99.41"' in snapshot
    changed = zlib.compress(snapshot.replace(b'"99.41"', b'"99.42"'))
    set_state(engine, 54, changed, table="assess_snapshots")
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 54 and "snapshot" in report.failure


def test_one_changed_byte_of_an_encrypted_event(encrypted: Stored) -> None:
    app, engine = encrypted
    assert verify_cycle(app, CYCLE).ok
    state = state_of(engine, 7)
    set_state(engine, 7, state[:20] + bytes([state[20] ^ 1]) + state[21:])
    report = verify_cycle(app, CYCLE)
    assert not report.ok and report.position == 7
    assert "cannot be decoded" in report.failure
