"""Evidence files (佐证材料) on the console's forms, and their download route.

A form that takes files posts them as multipart under `files`. All of them are read
and checked (count, size, type by content) before anything is stored, and the action
they are for is tried on a private copy of the cycle: a bad file, or an action the
domain refuses, refuses the whole form with nothing stored. Only then is each file
stored as the account's upload (`application.files.upload_for`) and named in the
action's `attachments`, which the form's route performs as it performs any action.

Reading a file is the API's rule (`application.files.readable_file`): whoever may read
an event attaching it, or the account that uploaded it; anything else is 404.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from assess.api.console.web import ConsoleRoute, ConsoleViewer, services_of
from assess.api.routers.files import file_response
from assess.application.access import Viewer
from assess.application.files import MIB, file_name, max_file_mb, readable_file, sniff, upload_for
from assess.application.service import AssessApp
from assess.domain.attachments import MEDIA_TYPES, MOST_PER_ACTION, Uploaded
from assess.domain.errors import DomainError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

FIELD = "files"  # the forms' file input (claim_commendation has a text field `evidence`)
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.ofd"
KINDS = "/".join(MEDIA_TYPES.values())  # PDF/JPEG/PNG/DOCX/XLSX/OFD
DIGEST = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class Chosen:
    """A file a form posted, read and checked, not stored yet."""

    name: str
    content: bytes
    media_type: str
    sha256: str

    def attachment(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "name": self.name,
            "media_type": self.media_type,
            "size": len(self.content),
        }


def limit_mb(request: Request) -> int:
    return max_file_mb(services_of(request).app.env)


async def chosen_files(request: Request, form: Any) -> list[Chosen]:
    """Every file the form posted under `files`, each read up to the limit and judged
    by its content; the first bad one refuses them all, in Chinese, naming it. An empty
    file input (no file chosen) gives none; the same bytes chosen twice count once."""
    limit = limit_mb(request)
    posted = [
        entry
        for entry in form.getlist(FIELD)
        if isinstance(entry, UploadFile) and (entry.filename or entry.size)
    ]
    if len(posted) > MOST_PER_ACTION:
        raise DomainError(
            "invalid_value", f"佐证材料最多 {MOST_PER_ACTION} 个，本次选择了 {len(posted)} 个"
        )
    chosen: dict[str, Chosen] = {}
    for entry in posted:
        try:
            name = file_name(entry.filename)
        except DomainError:
            raise DomainError(
                "invalid_value", f"文件名“{entry.filename or ''}”不可用：请改名后重新选择"
            ) from None
        content = await entry.read(limit * MIB + 1)
        if len(content) > limit * MIB:
            raise DomainError("invalid_value", f"文件“{name}”超过 {limit} MB，未保存任何文件")
        if not content:
            raise DomainError("invalid_value", f"文件“{name}”是空文件，未保存任何文件")
        media_type = sniff(content)
        if media_type is None:
            raise DomainError(
                "invalid_value",
                f"文件“{name}”不是 {KINDS} 文件（按文件内容判断，与扩展名无关），未保存任何文件",
            )
        digest = hashlib.sha256(content).hexdigest()
        chosen.setdefault(digest, Chosen(name, content, media_type, digest))
    return list(chosen.values())


def with_files(
    app: AssessApp, viewer: Viewer, action: dict[str, Any], chosen: list[Chosen]
) -> dict[str, Any]:
    """The action naming the chosen files, once the domain accepts it on a private copy
    of the cycle (refused: nothing stored) and the files are stored as the account's
    uploads. Without files, the action as it is."""
    if not chosen:
        return action
    action = {**action, "attachments": [file.attachment() for file in chosen]}
    would_be = {file.sha256: Uploaded(len(file.content), file.media_type) for file in chosen}
    app.cycle(viewer.cycle).perform(action, account=viewer.account, files=would_be)
    for file in chosen:
        upload_for(app, viewer, file.name, file.content)
    return action


@router.get("/c/{cycle_id}/files/{sha256}")
def download(request: Request, viewer: ConsoleViewer, sha256: str, inline: str = "") -> Response:
    """A file the viewer may read, under its original name; `inline=1` shows an image in
    the page (anything else is always a download)."""
    if not DIGEST.fullmatch(sha256):
        raise DomainError("not_found", "no such file")
    listed, content = readable_file(services_of(request).app, viewer, sha256)
    return file_response(listed, content, inline == "1")
