"""What every console page shares: the templates, the signed-in account and its view of a
cycle, form tokens, and refusals shown as pages.

Pages are plain `def` routes (they read the store) of routers whose route class is
`ConsoleRoute`: a refusal (`DomainError`) is answered with the error page in Chinese and
the status the API would give; a missing or expired session sends the browser to the
sign-in page. Reading rights are the API's (`application/access.py`): a page asks the
`Viewer` exactly as the API's routes do, and no rule lives in a template.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from assess.api.access import viewer_of
from assess.api.console import labels
from assess.api.deps import Services, account_of_token
from assess.api.errors import STATUS_OF_CODE, Unauthorized
from assess.application.access import Viewer
from assess.application.files import max_file_mb
from assess.domain.errors import DomainError
from assess.domain.policy import admit
from assess.infrastructure.accounts import Account

HERE = Path(__file__).parent
SESSION_COOKIE = "assess_session"
SIGN_IN_COOKIE = "assess_sign_in"  # the sign-in form's token, before there is a session
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(labels=labels, CSRF_FIELD=CSRF_FIELD)
templates.env.filters.update(labels.FILTERS)


class SignInNeeded(Exception):
    """No session, or one that is no longer good: to the sign-in page."""


class FormRefused(Exception):
    """A form posted without its form token (CSRF), or with another session's."""


def services_of(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


# ---- the session ---------------------------------------------------------------------


def console_account(request: Request) -> Account:
    """The account of the session cookie: the API's token, checked as the API checks it
    (expiry, disabled accounts, revoked sessions)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInNeeded
    try:
        account = account_of_token(services_of(request), token)
    except Unauthorized:
        raise SignInNeeded from None
    request.state.csrf = form_token(request, token)
    request.state.account = account
    return account


ConsoleAccount = Annotated[Account, Depends(console_account)]


def form_token(request: Request, session: str) -> str:
    """The token every form of this session carries: a keyed hash of the session."""
    return services_of(request).tokens.mac(f"csrf:{session}")[:40]


async def checked_form(request: Request) -> None:
    """A state-changing request must carry the session's form token, as a form field or
    (htmx) a header; the session cookie alone, which a foreign page can make the browser
    send, is not enough (SameSite=Strict already keeps it from cross-site requests)."""
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        raise SignInNeeded
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, form_token(request, session)):
        raise FormRefused


CheckedForm = Depends(checked_form)


def set_session(response: Response, request: Request, token: str, seconds: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=seconds,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/",
    )


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def new_sign_in_token() -> str:
    return secrets.token_urlsafe(24)


# ---- one cycle, as the signed-in account sees it ---------------------------------------


def console_viewer(request: Request, cycle_id: str, account: ConsoleAccount) -> Viewer:
    """The account looking at the cycle of the page (permission_denied, not_found, as
    over the API)."""
    services = services_of(request)
    return viewer_of(services.app, cycle_id, services.actors.of(cycle_id), account)


ConsoleViewer = Annotated[Viewer, Depends(console_viewer)]


def may(viewer: Viewer, verb: str, **fields: Any) -> bool:
    """Whether the verb policy (`domain/policy.admit`, as the domain applies it) lets the
    viewer's actor use `verb` now, with `fields` that choose among its stages (as `kind`
    does for define_item): a form or button is shown only then; the domain still decides
    the action itself."""
    if viewer.actor is None:
        return False
    state = viewer.state
    action = {"do": verb, "by": viewer.actor, **fields}
    try:
        admit(action, state.summary["scheme"], state.stage, state.actors)
    except DomainError:
        return False
    return True


# ---- pages -------------------------------------------------------------------------------


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page (or an htmx fragment) with what every template may use."""
    account = getattr(request.state, "account", None)
    context.setdefault("account", account)
    context.setdefault("csrf", getattr(request.state, "csrf", ""))
    context.setdefault("fragment", request.headers.get("HX-Request") == "true")
    context.setdefault("max_file_mb", max_file_mb(services_of(request).app.env))
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    return page(request, "error.html", status_code, title=title, message=message)


def refused(request: Request, error: DomainError) -> HTMLResponse:
    status_code = STATUS_OF_CODE.get(error.code, 422)
    title = labels.ERROR_TITLES.get(error.code, "操作未完成")
    return error_page(request, status_code, title, labels.in_chinese(error.message))


class ConsoleRoute(APIRoute):
    """Refusals as pages: DomainError → the error page with the API's status; no session
    → the sign-in page (a 303, or `HX-Redirect` for htmx); a form without its token →
    403."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded:
                target = "/sign-in?next=" + quote(request.url.path, safe="/")
                if request.headers.get("HX-Request") == "true":
                    return Response(status_code=204, headers={"HX-Redirect": target})
                return RedirectResponse(target, status_code=303)
            except FormRefused:
                return error_page(
                    request, 403, "表单已失效", "表单缺少有效的安全令牌：请刷新页面后重试。"
                )
            except DomainError as error:
                return refused(request, error)

        return handle
