"""Evidence files (佐证材料) of a cycle: upload one, list those you may read, download one.

An action then names an uploaded file in its `attachments` (`{sha256, name, media_type,
size}`, as the upload answered), and its event records that list under the chain.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile
from pydantic import BaseModel, Field

from assess.api.deps import AppDep, CycleId, ViewerDep
from assess.api.idempotency import CONTENT_KEYED
from assess.api.models import AttachmentOut
from assess.api.routers.cycles import REFUSALS
from assess.application.files import (
    MIB,
    TooLarge,
    max_file_mb,
    readable_file,
    upload_for,
    visible_files,
)

router = APIRouter(prefix="/cycles", tags=["files"])
Digest = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{64}$", description="The file's SHA-256.")]
IMAGES = ("image/jpeg", "image/png")


class UploadOut(AttachmentOut):
    new: bool = Field(description="False: the same bytes were stored before, and are kept once.")


class FileEventOut(BaseModel):
    position: int
    verb: str
    actor: str
    name: str = Field(description="The name the event gives the file.")


class FileOut(AttachmentOut):
    events: list[FileEventOut] = Field(
        description="The events that attach it (none yet: your own upload, not attached)."
    )
    uploaded_by_you: bool


@router.post(
    "/{cycle_id}/files",
    dependencies=[CONTENT_KEYED],
    status_code=201,
    response_model=UploadOut,
    responses={**REFUSALS, 413: {"description": "Over ASSESS_MAX_FILE_MB (20 MiB)."}},
)
def post_file(
    cycle_id: CycleId,
    viewer: ViewerDep,
    app: AppDep,
    file: Annotated[UploadFile, File(description="A PDF, JPEG, PNG, DOCX, XLSX or OFD file.")],
    name: Annotated[
        str | None, Form(description="The name to show (default: the file's own).")
    ] = None,
) -> dict[str, Any]:
    """Stores an evidence file for your account in this cycle, judged by its content:
    PDF, JPEG, PNG, DOCX, XLSX or OFD, at most `ASSESS_MAX_FILE_MB`. The answer is the
    `attachments` entry an action names it with. The same bytes are stored once; until an
    action attaches it, only your account sees it. Roles that attach nothing (auditor,
    rater) may not upload."""
    limit = max_file_mb(app.env)
    content = file.file.read(limit * MIB + 1)
    if len(content) > limit * MIB:
        raise TooLarge(limit)
    done = upload_for(app, viewer, name or file.filename, content)
    return {**done.attachment(), "new": done.new}


@router.get("/{cycle_id}/files", response_model=list[FileOut], responses=REFUSALS)
def list_files(cycle_id: CycleId, viewer: ViewerDep, app: AppDep) -> list[dict[str, Any]]:
    """The files you may read: those attached to events your audit trail shows (a unit:
    events that concern it; a rater: its own acts; the assessing side: all), then your own
    uploads not attached yet."""
    return visible_files(app, viewer)


@router.get(
    "/{cycle_id}/files/{sha256}",
    response_class=Response,
    responses={**REFUSALS, 200: {"content": {"application/octet-stream": {}}}},
)
def get_file(
    cycle_id: CycleId,
    sha256: Digest,
    viewer: ViewerDep,
    app: AppDep,
    inline: Annotated[bool, Query(description="Images: shown in the page, not saved.")] = False,
) -> Response:
    """The file's bytes, under its name. 404 for a file you may not read, as for one that
    does not exist; a stored file that no longer hashes to its digest is never served."""
    listed, content = readable_file(app, viewer, sha256)
    return file_response(listed, content, inline)


def file_response(listed: dict[str, Any], content: bytes, inline: bool = False) -> Response:
    """The bytes with their type and name; an image may be shown inline, nothing else."""
    how = "inline" if inline and listed["media_type"] in IMAGES else "attachment"
    return Response(
        content,
        media_type=listed["media_type"],
        headers={
            "Content-Disposition": f"{how}; filename*=UTF-8''{quote(listed['name'])}",
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=3600",
        },
    )
