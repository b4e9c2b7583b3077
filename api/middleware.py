"""The HTTP edge, as pure ASGI middleware: what every request meets before any route.

- `Edge` (outermost of ours): a request id (`X-Request-ID`, carried by every error body
  too), the security headers, `X-Assess-View` (SPEC §8: `current` when the reads came
  from current read views, `behind` when any came from the events), and one log line
  per unexpected exception, answered 500 `internal` here so that neither Starlette nor
  uvicorn logs it again or drops the keep-alive connection.
- `BodyLimit`: SPEC §5's `ASSESS_MAX_BODY_MB`, on the raw stream, before any
  authentication: a `Content-Length` over it is refused without reading a byte; a body
  without one (chunked) is counted as it arrives and refused once the count passes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from uuid import uuid4

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assess.api.errors import internal_error, log, request_id, too_large
from assess.application.views import answered_from, answers_noted
from assess.domain.attachments import MOST_PER_ACTION

INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Fit for the coming server-rendered console: its scripts and styles are files of this
# server (no inline script), it is framed by no one, and its forms post only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}
MIB = 1024 * 1024


class Edge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        rid = incoming if INCOMING_ID.fullmatch(incoming) else uuid4().hex
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = rid
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)  # a page may set a CSP of its own
                view = answered_from(noted)
                if view is not None:
                    headers["X-Assess-View"] = view
            await send(message)

        token = request_id.set(rid)
        try:
            with answers_noted() as noted:
                await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception(
                "unexpected error on %s %s (request %s)", scope["method"], scope["path"], rid
            )
            if not started:  # else the response is cut short, which the client sees
                await internal_error()(scope, receive, send_with_headers)
        finally:
            request_id.reset(token)


class BodyTooLarge(Exception):
    """Raised from `receive` once the body passes the limit; whatever the app makes of
    it (FastAPI turns a failed body read into a 400), the client gets the 413."""


def upload_limits(max_file_mib: int) -> list[tuple[re.Pattern[str], int]]:
    """The bodies that carry evidence files, and their limits in MiB: one file (and its
    form's few bytes) to `POST /cycles/{id}/files`, up to ten with a console form of a
    verb that takes them (年中督查 on the cycle page, the review forms, filing and
    answering an appeal, whose form the preview button may post without script). The
    file's own limit is checked where it is read."""
    with_files = MOST_PER_ACTION * max_file_mib + 1
    return [
        (re.compile(r"/cycles/[^/]+/files"), max_file_mib + 1),
        (
            re.compile(r"/c/[^/]+/do/(claim_commendation|record_supervision|record_criticism)"),
            with_files,
        ),
        (re.compile(r"/c/[^/]+/review/(apply_veto|propose_adjustment|correct_score)"), with_files),
        (re.compile(r"/c/[^/]+/appeals(/[^/]+/(resolve|preview))?"), with_files),
    ]


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        max_mib: int,
        larger: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.max_mib = max_mib
        self.larger = larger

    def limit_of(self, path: str) -> int:
        """The limit in MiB of a request to `path`."""
        for pattern, mib in self.larger:
            if pattern.fullmatch(path):
                return max(mib, self.max_mib)
        return self.max_mib

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_mib = self.limit_of(scope["path"])
        max_bytes = max_mib * MIB
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
            await too_large(max_mib)(scope, receive, send)
            return
        received = 0
        exceeded = answered = refused = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def send_unless_refused(message: Message) -> None:
            nonlocal answered, refused
            if not exceeded or answered:
                answered = True
                await send(message)
            elif not refused and message["type"] == "http.response.start":
                refused = True  # the app's own answer to the failed read is dropped
                await too_large(max_mib)(scope, receive, send)

        try:
            await self.app(scope, counted_receive, send_unless_refused)
        except Exception:
            if not exceeded:
                raise
            if not (answered or refused):
                await too_large(max_mib)(scope, receive, send)
