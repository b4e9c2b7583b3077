"""A cycle carried whole from one store to another: its events and its evidence files.

`export_cycle` writes a zip (`assess-export/1`): `manifest.json`, `events.json` (every
event in full, as `assess audit --format json` gives it, with its link to the one before)
and `files/<sha256>`, the bytes of each file an event attaches. `restore_cycle` stores
such an archive in a store that lacks the cycle, exactly as recorded (positions,
recording times, accounts, chain), so that `verify` passes there and every results
digest is the same. It checks the whole archive before storing anything: the chain
from the first event to the last, the replay and every recorded results digest, and
each attached file's bytes against its digest, type and size. The chain carries no
key: whoever may write the archive may also recompute it, so compare the restored
head with one kept elsewhere (`assess verify CYCLE --expect-head HASH`).

The files are stored first, then every event in one transaction of the recorder: the
file store keeps its own transactions. Should the events fail after the files went in
(the store failing, or the same cycle restored at that moment), what stays is files
stored once by content and upload rows, which a second attempt finds and reuses.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from assess.application import library
from assess.application.audit import export_records
from assess.application.files import FileStore, sniff
from assess.application.service import SNAPSHOT_AFTER
from assess.domain.attachments import SHA256, attachments_of
from assess.domain.chain import GENESIS, event_content, link
from assess.domain.cycle import Cycle, cycle_uuid
from assess.domain.errors import DomainError
from assess.domain.events import PREVIOUS_RELEASE, CycleCreated, CycleEvent
from assess.domain.results import digest, results_array

if TYPE_CHECKING:
    from assess.application.service import AssessApp

log = logging.getLogger("assess.application")

FORMAT = "assess-export/1"
MANIFEST, EVENTS, FILES = "manifest.json", "events.json", "files/"
EVENT_CLASSES: dict[str, type[CycleEvent]] = {
    cls.__name__: cls for cls in PREVIOUS_RELEASE if cls is not CycleEvent
}
RECORD_FIELDS = ("position", "event", "recorded", "actor", "role", "at", "data", "chain")


# ---- export ----------------------------------------------------------------------------


def export_cycle(app: AssessApp, cycle_id: str) -> bytes:
    """The cycle's events and attached files as an `assess-export/1` zip. A file that is
    missing or no longer hashes to its digest is `integrity`: an export vouches for
    every file it carries."""
    events = app.events_of(cycle_id)
    records = export_records(events)
    digests = list(dict.fromkeys(e["sha256"] for r in records for e in attachments_of(r["data"])))
    manifest = {
        "format": FORMAT,
        "cycle": cycle_id,
        "events": len(records),
        "head": records[-1]["chain"],
        "files": len(digests),
        "exported": datetime.now(UTC).isoformat(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, _json(manifest))
        archive.writestr(EVENTS, _json(records))
        for sha256, content in _stored_files(app, cycle_id, digests):
            # Scans and office files are compressed already.
            archive.writestr(FILES + sha256, content, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


def _stored_files(app: AssessApp, cycle_id: str, digests: list[str]) -> Iterable[tuple[str, bytes]]:
    if not digests:
        return
    store = _files(app)
    for sha256, content in store.read_many(digests):
        if content is None or hashlib.sha256(content).hexdigest() != sha256:
            what = "is missing" if content is None else "no longer hashes to its digest"
            raise DomainError(
                "integrity",
                f"cycle {cycle_id!r}: the stored file {sha256} {what}; run assess verify",
            )
        yield sha256, content


def _files(app: AssessApp) -> FileStore:
    if app.files is None:
        raise DomainError("invalid_value", "this store keeps no files")
    return app.files


# ---- restore ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """What a restore stored."""

    cycle: str
    events: int
    files: int
    head: str

    def as_dict(self) -> dict[str, Any]:
        return {"cycle": self.cycle, "events": self.events, "files": self.files, "head": self.head}


def restore_cycle(app: AssessApp, archive: bytes, account: str) -> Restored:
    """The archive's cycle stored as recorded, or nothing: a broken archive is
    `invalid_value` naming its first problem, a cycle the store has is `duplicate`.
    Each file gets an upload row under the account of each event that attaches it
    (`account`, the restoring one, for an event that records none), under the name
    that event gives it, so that its submitter may attach it again."""
    manifest, records, package = _read_archive(archive)
    cycle_id = manifest["cycle"]
    if app.recorder.select_events(cycle_uuid(cycle_id), limit=1):
        raise DomainError("duplicate", f"cycle {cycle_id!r} exists already")
    events, cycle = _checked_events(records, cycle_id)
    if manifest.get("events") != len(events) or manifest.get("head") != events[-1].chain:
        raise _invalid("the manifest's count of events or head is not that of the events")
    contents = _checked_files(package, events, manifest)
    uploads = _uploads(events, account)
    if contents:
        store = _files(app)
        for (sha256, owner), (name, media_type) in uploads.items():
            store.put(sha256, media_type, contents[sha256], cycle_id, owner, name)
    stored = [app.mapper.to_stored_event(event) for event in events]
    try:
        app.recorder.insert_events(stored)  # one transaction: every event or none
    except IntegrityError:  # the cycle was stored meanwhile
        raise DomainError("duplicate", f"cycle {cycle_id!r} exists already") from None
    _snapshot(app, cycle)
    return Restored(cycle_id, len(events), len(contents), events[-1].chain)


def manifest_of(archive: bytes) -> dict[str, Any]:
    """The manifest of an export (what it holds: cycle, events, head, files)."""
    return _read_archive(archive)[0]


def _invalid(message: str) -> DomainError:
    return DomainError("invalid_value", f"the archive is not a restorable export: {message}")


def _read_archive(archive: bytes) -> tuple[dict[str, Any], list[Any], zipfile.ZipFile]:
    """The manifest, the event records and the open zip, their shapes checked."""
    try:
        package = zipfile.ZipFile(io.BytesIO(archive))
        manifest = json.loads(package.read(MANIFEST))
        records = json.loads(package.read(EVENTS))
    except KeyError as missing:
        raise _invalid(f"{missing.args[0]} is missing") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise _invalid("not a zip file") from None
    except (ValueError, RecursionError):  # JSON that does not parse (or UTF-8 that does not)
        raise _invalid(f"{MANIFEST} or {EVENTS} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _invalid(f"the manifest does not say format {FORMAT}")
    if not isinstance(manifest.get("cycle"), str) or not manifest["cycle"]:
        raise _invalid("the manifest names no cycle")
    if not isinstance(records, list) or not records:
        raise _invalid(f"{EVENTS} is not a list of events")
    return manifest, records, package


def _snapshot(app: AssessApp, cycle: Cycle) -> None:
    """A large cycle's snapshot, as its writes would have left one, so that its first
    read does not replay every event; best effort: the events stand without it."""
    if app.snapshots is None or cycle.version < SNAPSHOT_AFTER:
        return
    try:
        library.snapshot(app, cycle)
    except Exception as error:  # noqa: BLE001 - the events are stored whatever happened
        log.warning(
            "cycle %r restored, but no snapshot taken (%s: %s)",
            cycle.cycle_id,
            type(error).__name__,
            library.first_line(error),
        )


def _checked_events(records: list[Any], cycle_id: str) -> tuple[list[CycleEvent], Cycle]:
    """The events rebuilt from their records: positions 1..n, each record's chain
    recomputed from its content and the chain before, and the events replayed with
    every recorded results digest recomputed."""
    events: list[CycleEvent] = []
    previous, cycle = GENESIS, None
    for position, record in enumerate(records, start=1):
        event = _event_of(record, position, previous, cycle_id)
        try:
            cycle = event.mutate(cycle)
        except Exception as error:  # noqa: BLE001 - any failure to replay is a finding
            raise _invalid(f"event {position} cannot be replayed ({error})") from None
        if "digest" in event.data and digest(results_array(cycle)) != event.data["digest"]:
            raise _invalid(f"event {position}: the results do not reproduce its digest")
        events.append(event)
        previous = event.chain
    assert cycle is not None
    return events, cycle


def _event_of(record: Any, position: int, previous: str, cycle_id: str) -> CycleEvent:
    where = f"event {position}"
    if not isinstance(record, dict) or any(key not in record for key in RECORD_FIELDS):
        raise _invalid(f"{where} lacks one of {', '.join(RECORD_FIELDS)}")
    if record["position"] != position:
        raise _invalid(f"{where} is missing (found position {record['position']})")
    if record.get("previous", previous) != previous:
        raise _invalid(f"{where} does not link to event {position - 1}")
    name = record["event"]
    cls = EVENT_CLASSES.get(name) if isinstance(name, str) else None
    if cls is None or (cls is CycleCreated) != (position == 1):
        raise _invalid(f"{where}: {name!r} cannot stand there")
    if not isinstance(record["data"], dict):
        raise _invalid(f"{where}: its data is not an object")
    fields = {key: record.get(key) for key in ("actor", "role", "at", "data", "account")}
    if record.get("request") is not None:
        fields["request"] = record["request"]
    try:
        timestamp = datetime.fromisoformat(record["recorded"])
        chain = link(event_content(name, position, timestamp, fields, previous))
    except (TypeError, ValueError):
        raise _invalid(f"{where} is malformed") from None
    if timestamp.tzinfo is None or chain != record["chain"]:
        raise _invalid(f"{where} ({name}) does not match its hash: its content was changed")
    extra = {"originator_topic": get_topic(Cycle)} if cls is CycleCreated else {}
    header = record["data"].get("cycle")
    if cls is CycleCreated and (not isinstance(header, dict) or header.get("id") != cycle_id):
        raise _invalid(f"{where} creates another cycle than the manifest names")
    return cls(  # type: ignore[call-arg]
        originator_id=cycle_uuid(cycle_id),
        originator_version=position,
        timestamp=timestamp,
        chain=chain,
        **extra,
        **fields,
    )


def _uploads(events: list[CycleEvent], account: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(digest, account) -> (name, media type): one upload row per file and account that
    attached it, under the first name that account gave it."""
    rows: dict[tuple[str, str], tuple[str, str]] = {}
    for event in events:
        for entry in attachments_of(event.data):
            rows.setdefault(
                (entry["sha256"], event.account or account), (entry["name"], entry["media_type"])
            )
    return rows


def _checked_files(
    package: zipfile.ZipFile, events: list[CycleEvent], manifest: dict[str, Any]
) -> dict[str, bytes]:
    """The bytes of every attached file, each present in the archive and hashing to
    its digest, of its recorded type and size; no other file may ride along."""
    present = {
        info.filename[len(FILES) :]: info
        for info in package.infolist()
        if info.filename.startswith(FILES)
    }
    contents: dict[str, bytes] = {}
    for event in events:
        for entry in attachments_of(event.data):
            where = _attachment_where(event, entry)
            sha256 = entry["sha256"]
            if sha256 not in contents:
                contents[sha256] = _file_of(package, present.get(sha256), where, entry["size"])
            content = contents[sha256]
            if len(content) != entry["size"]:
                raise _invalid(f"{where}: the file is {len(content)} bytes, not {entry['size']}")
            if sniff(content) != entry["media_type"]:
                raise _invalid(f"{where}: the file is not of type {entry['media_type']}")
    stray = sorted(set(present) - set(contents))
    if stray:
        raise _invalid(f"{FILES}{stray[0]} is attached by no event")
    if manifest.get("files") != len(contents):
        raise _invalid(
            f"the manifest counts {manifest.get('files')} files, the events attach {len(contents)}"
        )
    return contents


def _attachment_where(event: CycleEvent, entry: Any) -> str:
    """How a problem with this attachment is named; an entry without its four fields
    is one."""
    position = event.originator_version
    if (
        not isinstance(entry, dict)
        or not isinstance(entry.get("sha256"), str)
        or not SHA256.fullmatch(entry["sha256"])
        or not isinstance(entry.get("name"), str)
        or not entry["name"]
        or type(entry.get("size")) is not int
        or not isinstance(entry.get("media_type"), str)
    ):
        raise _invalid(f"event {position}: an attachment lacks its digest, name, size or type")
    return f"event {position} attaches {entry['name']} ({entry['sha256']})"


def _file_of(
    package: zipfile.ZipFile, info: zipfile.ZipInfo | None, where: str, size: int
) -> bytes:
    """The file's bytes from the archive, hashing to the digest its name gives; its
    size is checked before it is read (the zip says how large it is)."""
    if info is None:
        raise _invalid(f"{where}: the file is missing")
    if info.file_size != size:
        raise _invalid(f"{where}: the file is {info.file_size} bytes, not {size}")
    try:
        content = package.read(info)
    except (zipfile.BadZipFile, OSError, EOFError):  # a damaged member fails its CRC
        raise _invalid(f"{where}: the file cannot be read from the archive") from None
    found = hashlib.sha256(content).hexdigest()
    if found != info.filename[len(FILES) :]:
        raise _invalid(f"{where}: the file hashes to {found} instead")
    return content
