"""Errors as answers: users' mistakes → 4xx with every problem; anything else → a JSON 500.

Which `RunError`s are the service's: those that name no field of the request, or only the
server's own settings (the cluster's address, the run's execution, the runs folder). Those are
503 with Retry-After — the same request may succeed later. Every other `RunError` names what the
request asked for (a risk model, a fleet too big for this server, a run folder that cannot be
read) and is the user's: a 4xx, never a 5xx.

Never a stack trace in a response: unexpected exceptions are logged with an id that the answer
quotes, so an operator can find the traceback. `CatchAll` answers them itself, so the exception
never reaches the server and the keep-alive connection stays open.
"""

from __future__ import annotations

import logging
import math
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aurum.engine.errors import AurumError, Problem, RunError, ScenarioError

log = logging.getLogger("aurum.api")
RETRY_AFTER_S = 10  # a cluster that did not answer, or a full server: worth asking again soon
SERVICE_PATHS = frozenset({"", "address", "execution", "output.directory", "checkpoint"})


class UnknownScenarioError(ScenarioError):
    """A name that is not one of the shipped scenarios."""


class RunNotFoundError(RunError):
    """No run of that id here."""


class ConflictError(RunError):
    """The run is not in a state that allows this (not live, no saved state)."""


class UnreadableRunError(ConflictError):
    """A folder in the runs folder whose manifest.json does not describe a run this server reads."""

    def __init__(self, run_id: str, reason: str) -> None:
        self.run_id, self.reason = run_id, reason
        accepted = "a run folder written by `aurum run` or this API (or delete the folder)"
        msg = f"the run folder cannot be read: {reason}"
        super().__init__(Problem(msg, "run_id", run_id, accepted=accepted))


class BusyError(RunError):
    """Too many runs in progress."""


STATUS: list[tuple[type[AurumError], int]] = [
    (UnknownScenarioError, 404),
    (RunNotFoundError, 404),
    (ConflictError, 409),
    (BusyError, 429),
    (ScenarioError, 422),
    (AurumError, 422),
]


def status_of(exc: AurumError) -> int:
    """The HTTP status of a refusal: the service's RunErrors 503, every other mistake a 4xx."""
    if type(exc) is RunError and all(p.path in SERVICE_PATHS for p in exc.problems):
        return 503
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def answer(status: int, detail: str, problems: list[Problem] | None = None) -> JSONResponse:
    body = {"detail": detail, "problems": [_plain(p.to_dict()) for p in problems or []]}
    return JSONResponse(body, status_code=status)


def _plain(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem as strict JSON: a bad value that JSON cannot hold (NaN, a date) as text."""
    v = problem["value"]
    if isinstance(v, float) and not math.isfinite(v):
        problem["value"] = str(v)
    elif isinstance(v, int) and v.bit_length() > 512:
        problem["value"] = f"a {v.bit_length()}-bit integer"
    elif not isinstance(v, str | int | float | None):
        problem["value"] = str(v)[:200]
    return problem


def _aurum(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AurumError)
    status = status_of(exc)
    first = exc.problems[0].message if exc.problems else "bad request"
    resp = answer(status, first, exc.problems)
    if status in (429, 503):
        resp.headers["Retry-After"] = str(RETRY_AFTER_S)
    return resp


def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        Problem(
            str(e.get("msg", "invalid")),
            ".".join(str(x) for x in e.get("loc", ())),
            accepted=str((e.get("ctx") or {}).get("pattern", "")),
        )
        for e in exc.errors()
    ]
    return answer(422, "invalid request: " + "; ".join(str(p) for p in problems)[:300], problems)


def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    resp = answer(exc.status_code, str(exc.detail))
    resp.headers.update(exc.headers or {})
    return resp


def _reference(method: str, path: str, exc: BaseException) -> str:
    ref = secrets.token_hex(4)
    log.error("internal error %s on %s %s", ref, method, path, exc_info=exc)
    return f"internal error (reference {ref}); the details are in the server log"


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return answer(500, _reference(request.method, request.url.path, exc))


class CatchAll:
    """Pure ASGI middleware: an unexpected exception becomes a JSON 500 sent here, not re-raised.

    Starlette's own handler for Exception sends its answer and then re-raises, so the server
    closes the connection; answering here keeps it open. Once a response has begun (a stream)
    nothing can be answered any more, and the exception goes on to the server.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            detail = _reference(scope["method"], scope.get("path", ""), exc)
            await answer(500, detail)(scope, receive, send)


def install(app: FastAPI) -> None:
    """Register the handlers on the app (CatchAll is added by create_app, inside the timing)."""
    app.add_exception_handler(AurumError, _aurum)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
