"""Errors as answers: users' mistakes → 4xx with every problem; anything else → a generic 500.

Never a stack trace in a response: unexpected exceptions are logged with an id that the answer
quotes, so an operator can find the traceback.
"""

from __future__ import annotations

import logging
import secrets

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from engine.errors import AurumError, Problem, RunError, ScenarioError

log = logging.getLogger("aurum.api")


class UnknownScenarioError(ScenarioError):
    """A name that is not one of the shipped scenarios."""


class RunNotFoundError(RunError):
    """No run of that id here."""


class ConflictError(RunError):
    """The run is not in a state that allows this (not live, no saved state)."""


class BusyError(RunError):
    """Too many runs in progress."""


STATUS: list[tuple[type[AurumError], int]] = [
    (UnknownScenarioError, 404),
    (RunNotFoundError, 404),
    (ConflictError, 409),
    (BusyError, 429),
    (ScenarioError, 422),
    (RunError, 503),
    (AurumError, 422),
]


def answer(status: int, detail: str, problems: list[Problem] | None = None) -> JSONResponse:
    body = {"detail": detail, "problems": [p.to_dict() for p in problems or []]}
    return JSONResponse(body, status_code=status)


def _aurum(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AurumError)
    status = next(code for cls, code in STATUS if isinstance(exc, cls))
    first = exc.problems[0].message if exc.problems else "bad request"
    return answer(status, first, exc.problems)


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


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    ref = secrets.token_hex(4)
    log.error("internal error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
    return answer(500, f"internal error (reference {ref}); the details are in the server log")


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(AurumError, _aurum)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
