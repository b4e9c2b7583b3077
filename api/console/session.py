"""Signing in and out of the console: the API's accounts, throttling and tokens; the
token travels in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assess.api.console.web import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    CheckedForm,
    ConsoleRoute,
    is_https,
    new_sign_in_token,
    page,
    services_of,
    set_session,
)
from assess.api.sign_in_gate import Throttled
from assess.infrastructure.accounts import NAME_PATTERN

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

WRONG = "用户名或密码不正确。"


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never another host (`//host`, `https://…`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_form(request: Request, next: str | None = None) -> Response:
    return _form(request, _safe_next(next))


def _form(
    request: Request, target: str, message: str | None = None, status_code: int = 200
) -> Response:
    token = new_sign_in_token()
    response = page(
        request,
        "sign_in.html",
        status_code,
        next=target,
        sign_in_token=token,
        message=message,
        account=None,
    )
    response.set_cookie(
        SIGN_IN_COOKIE, token, httponly=True, samesite="strict", secure=is_https(request)
    )
    return response


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2048)] = "",
    sign_in_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The form's token must match the cookie set with the form (no session yet to bind
    it to); then the API's sign-in gate: the same accounts, failures counted per name."""
    target = _safe_next(next)
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, sign_in_token):
        return _form(request, target, "登录表单已失效，请重新登录。", 403)
    if not NAME_PATTERN.fullmatch(username):
        return _form(request, target, WRONG, 401)
    services = services_of(request)
    gate = services.sign_in
    if gate.crowded():
        return _form(request, target, "登录人数过多，请稍后再试。", 429)
    try:
        account = await gate.check(username, password)
    except Throttled as refusal:
        message = f"该用户登录失败次数过多，请在 {refusal.seconds} 秒后再试。"
        return _form(request, target, message, 429)
    if account is None:
        return _form(request, target, WRONG, 401)
    token, _ = services.tokens.issue(account)
    response = RedirectResponse(target, status_code=303)
    set_session(response, request, token, int(services.tokens.lifetime.total_seconds()))
    response.delete_cookie(SIGN_IN_COOKIE)
    return response


@router.post("/sign-out", dependencies=[CheckedForm])
async def sign_out() -> Response:
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
