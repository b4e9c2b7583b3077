"""Evidence files (佐证材料): upload, who may read them, and what events attach them.

An upload is checked by its content, not its name (`sniff`): PDF, JPEG, PNG, DOCX,
XLSX or OFD, at most `ASSESS_MAX_FILE_MB` (20 by default). Its bytes are stored once
by their SHA-256, with a row saying who uploaded them to which cycle under which name
(`FileStore`, infrastructure/file_store.py). An action names uploaded files in its
`attachments` (domain/attachments.py), and its event records them.

Reading (SPEC §4): a file is visible to whoever may read an event of the cycle that
attaches it, as the audit trail scopes each viewer (a unit reads the files of events that
concern it, a rater those of its own acts, the assessing side everything), and to the
account that uploaded it to the cycle. Anything else is `not_found`, as a file that does
not exist: a unit learns nothing of another unit's evidence.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from assess.application.audit import with_units
from assess.domain.attachments import (
    MEDIA_TYPES,
    SHA256,
    Uploaded,
    attachments_of,
    check_file_name,
)
from assess.domain.attachments import VERBS as ATTACHING_VERBS
from assess.domain.errors import DomainError
from assess.domain.events import VERB_OF_EVENT, CycleEvent
from assess.domain.policy import VERB_POLICY
from assess.domain.texts import NAME, checked_text

if TYPE_CHECKING:  # the application and the viewer import this module
    from assess.application.access import Viewer
    from assess.application.service import AssessApp

MIB = 1024 * 1024
DEFAULT_MAX_FILE_MB = 20
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX, XLSX = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
OFD = "application/ofd"
assert set(MEDIA_TYPES) == {PDF, JPEG, PNG, DOCX, XLSX, OFD}
ACCEPTED = "PDF, JPEG, PNG, DOCX, XLSX or OFD"


class FileStore(Protocol):
    """Where the bytes and the uploads are kept (infrastructure/file_store.py)."""

    def put(
        self, digest: str, media_type: str, content: bytes, cycle: str, account: str, name: str
    ) -> bool: ...

    def uploaded(self, cycle: str, account: str, digests: Iterable[str]) -> dict[str, Uploaded]: ...

    def uploads(self, cycle: str, account: str | None = None) -> list[dict[str, Any]]: ...

    def read(self, digest: str) -> bytes | None: ...

    def read_many(self, digests: Iterable[str]) -> Iterator[tuple[str, bytes | None]]: ...


class TooLarge(DomainError):
    """A file over the limit (HTTP 413 `too_large`)."""

    def __init__(self, limit_mb: int) -> None:
        super().__init__(
            "invalid_value", f"the file is larger than {limit_mb} MiB (ASSESS_MAX_FILE_MB)"
        )


# ---- what a file is --------------------------------------------------------------------


def sniff(content: bytes) -> str | None:
    """The file's type by its first bytes (and, for the zip-based formats, the parts
    their standards require), or None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    return None


def _zip_kind(content: bytes) -> str | None:
    """DOCX and XLSX are Office Open XML packages (`[Content_Types].xml` and their main
    part); OFD (GB/T 33190) is a zip whose root holds `OFD.xml`."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def max_file_mb(env: Any) -> int:
    """`ASSESS_MAX_FILE_MB` (the application's env reads `ASSESS_` settings)."""
    raw = env.get("MAX_FILE_MB") if env is not None else None
    try:
        limit = int(raw) if raw not in (None, "") else DEFAULT_MAX_FILE_MB
    except ValueError:
        raise DomainError(
            "invalid_value", f"ASSESS_MAX_FILE_MB must be a whole number, got {raw!r}"
        ) from None
    if limit < 1:
        raise DomainError("invalid_value", "ASSESS_MAX_FILE_MB must be at least 1")
    return limit


def file_name(raw: str | None) -> str:
    """The name a file is shown and downloaded under: the last part of what the client
    sent (a browser may send a path), checked as any name."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise DomainError("invalid_value", "the file needs a name")
    check_file_name(name, "the file's name")
    return checked_text(name, "name", NAME)


def attaching_verbs(scheme: str, role: str | None, stage: str | None = None) -> list[str]:
    """The verbs that take attachments the role uses in this scheme (in this stage)."""
    return [
        verb
        for verb in ATTACHING_VERBS
        if scheme in VERB_POLICY[verb].schemes
        and role in VERB_POLICY[verb].roles_of(scheme)
        and (stage is None or stage in VERB_POLICY[verb].stages)
    ]


# ---- uploading -------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """An uploaded file as an action names it, and whether its bytes were new."""

    sha256: str
    name: str
    media_type: str
    size: int
    new: bool

    def attachment(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
        }


def upload(
    files: FileStore,
    cycle: str,
    account: str,
    name: str | None,
    content: bytes,
    limit_mb: int,
) -> Upload:
    """The file checked and stored (once per content) for `account` in `cycle`; a file
    over the limit or of another type stores nothing."""
    shown = file_name(name)
    if len(content) > limit_mb * MIB:
        raise TooLarge(limit_mb)
    if not content:
        raise DomainError("invalid_value", f"{shown} is empty")
    media_type = sniff(content)
    if media_type is None:
        raise DomainError(
            "invalid_value", f"{shown} is not a {ACCEPTED} file (judged by its content)"
        )
    digest = hashlib.sha256(content).hexdigest()
    new = files.put(digest, media_type, content, cycle, account, shown)
    return Upload(digest, shown, media_type, len(content), new)


def named_digests(actions: Iterable[Any]) -> set[str]:
    """Every digest the actions' `attachments` name (unchecked: the domain checks them)."""
    found = set()
    for action in actions:
        listed = action.get("attachments") if isinstance(action, dict) else None
        for entry in listed if isinstance(listed, list) else ():
            digest = entry.get("sha256") if isinstance(entry, dict) else None
            if isinstance(digest, str) and SHA256.fullmatch(digest.lower()):
                found.add(digest.lower())
    return found


# ---- reading ---------------------------------------------------------------------------


@dataclass
class Attached:
    """A file as the cycle's events name it: where, by whom, under which names."""

    sha256: str
    name: str
    media_type: str
    size: int
    events: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "name": self.name,
            "media_type": self.media_type,
            "size": self.size,
            "events": self.events,
        }


@dataclass(frozen=True)
class Attaching:
    """An event that attaches files, with what reading rights ask of it."""

    position: int
    verb: str
    actor: str
    units: frozenset[str]  # the units it concerns (application.audit.with_units)
    attachments: tuple[dict[str, Any], ...]


def attaching_events(events: list[CycleEvent]) -> list[Attaching]:
    """The events that attach files, in order (`AssessApp.attaching_events` keeps them
    per cycle, so that a download does not read the whole cycle again)."""
    return [
        Attaching(
            event.originator_version,
            VERB_OF_EVENT.get(type(event).__name__, ""),
            event.actor,
            frozenset(units),
            tuple(attachments_of(event.data)),
        )
        for _, event, units in with_units(events)
        if attachments_of(event.data)
    ]


def attached_files(
    attaching: Iterable[Attaching], unit: str | None = None, actor: str | None = None
) -> dict[str, Attached]:
    """The files attached to the events that concern `unit` and were done by `actor`
    (None: any), by digest, in the order first attached."""
    found: dict[str, Attached] = {}
    for event in attaching:
        if (unit is not None and unit not in event.units) or (
            actor is not None and event.actor != actor
        ):
            continue
        for entry in event.attachments:
            file = found.get(entry["sha256"])
            if file is None:
                file = found[entry["sha256"]] = Attached(
                    entry["sha256"], entry["name"], entry["media_type"], entry["size"]
                )
            file.events.append(
                {
                    "position": event.position,
                    "verb": event.verb,
                    "actor": event.actor,
                    "name": entry["name"],
                }
            )
    return found


def attachments_in(events: Iterable[CycleEvent]) -> list[dict[str, Any]]:
    """Each file the given events attach, once, in order (for a case file)."""
    seen: dict[str, dict[str, Any]] = {}
    for event in events:
        for entry in attachments_of(event.data):
            seen.setdefault(entry["sha256"], {**entry, "position": event.originator_version})
    return list(seen.values())


# ---- what a viewer may see (SPEC §4) ---------------------------------------------------


def visible_files(app: AssessApp, viewer: Viewer) -> list[dict[str, Any]]:
    """The files of the cycle the viewer may read: those attached to events its audit
    trail shows, then its own uploads not attached yet (`events` empty)."""
    unit, actor = viewer.audit_scope(None, None)
    own = {upload["sha256"]: upload for upload in _own_uploads(app, viewer)}
    shown = [
        {**file.as_dict(), "uploaded_by_you": file.sha256 in own}
        for file in attached_files(app.attaching_events(viewer.cycle), unit, actor).values()
    ]
    attached = {file["sha256"] for file in shown}
    for digest, upload in own.items():
        if digest not in attached:
            shown.append(
                {
                    "sha256": digest,
                    "name": upload["name"],
                    "media_type": upload["media_type"],
                    "size": upload["size"],
                    "events": [],
                    "uploaded_by_you": True,
                }
            )
    return shown


def _own_uploads(app: AssessApp, viewer: Viewer) -> list[dict[str, Any]]:
    return [] if app.files is None else app.files.uploads(viewer.cycle, viewer.account)


def readable_file(app: AssessApp, viewer: Viewer, digest: str) -> tuple[dict[str, Any], bytes]:
    """A file the viewer may read, and its bytes; `not_found` otherwise, whether it
    exists or not. A file whose stored bytes do not hash to its digest is never
    served (`integrity`)."""
    digest = digest.lower()
    listed = next((f for f in visible_files(app, viewer) if f["sha256"] == digest), None)
    content = app.files.read(digest) if listed is not None and app.files is not None else None
    if listed is None or content is None:
        raise DomainError("not_found", f"no file {digest[:12]} in cycle {viewer.cycle}")
    if hashlib.sha256(content).hexdigest() != digest:
        raise DomainError(
            "integrity",
            f"the stored file {listed['name']} no longer hashes to its digest {digest[:12]}: "
            "run assess verify",
        )
    return listed, content


def upload_for(app: AssessApp, viewer: Viewer, name: str | None, content: bytes) -> Upload:
    """An upload by the viewer's account to its cycle: only an actor whose role acts
    with a verb that takes attachments may upload, and only in a stage where it may use
    one (nothing can be attached to a closed cycle)."""
    viewer.acting_actor()
    scheme, stage = viewer.state.summary["scheme"], viewer.state.stage
    if not attaching_verbs(scheme, viewer.role):
        raise DomainError(
            "permission_denied", f"role {viewer.role} attaches no evidence files in {scheme}"
        )
    if not attaching_verbs(scheme, viewer.role, stage):
        raise DomainError(
            "wrong_stage", f"a {viewer.role} attaches no evidence files while the cycle is {stage}"
        )
    if app.files is None:
        raise DomainError("invalid_value", "this store keeps no files")
    return upload(app.files, viewer.cycle, viewer.account, name, content, max_file_mb(app.env))
