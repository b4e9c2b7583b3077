"""Request bodies read with exact numbers (SPEC §2.0): a JSON number becomes a Decimal,
never a float, before the request models see it.

A route of this class hands FastAPI a request whose `json()` is `loads_exact`; FastAPI's
own body reading, validation, error handling and OpenAPI documentation stay as they are
(a malformed body still raises `json.JSONDecodeError`, reported as 422 `invalid_value`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from assess.application.season import loads_exact


class ExactJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_exact(await self.body())
        return self._json


class ExactJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactJSONRequest(request.scope, request.receive))

        return exact
