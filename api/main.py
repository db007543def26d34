"""The FastAPI app: `create_app(settings)`; `aurum serve` runs it with uvicorn."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from aurum.api import errors
from aurum.api.config import Settings, get_settings
from aurum.api.manager import RunManager, Starter
from aurum.api.metrics import Metrics, TimingMiddleware
from aurum.api.models import ErrorPublic, RunCreate
from aurum.api.routes import dashboard, history, runs, state, stream, system

log = logging.getLogger("aurum.api")
DESCRIPTION = """Digital twins of an industrial fleet: start runs, read live and past twin state,
alerts, emissions and telemetry, follow a run as it advances. POST and DELETE need the
`X-API-Key` header; reads may too (AURUM_READS_NEED_KEY)."""


def with_key(settings: Settings) -> tuple[Settings, bool]:
    """The settings with an API key: the configured one, or a fresh random one (True)."""
    if settings.api_key is not None and settings.api_key.get_secret_value():
        return settings, False
    key = SecretStr(secrets.token_urlsafe(24))
    return settings.model_copy(update={"api_key": key}), True


def create_app(
    settings: Settings | None = None, *, connect: bool = False, starter: Starter | None = None
) -> FastAPI:
    """The app; `connect` starts or joins Ray at startup (else the first run does)."""
    settings, generated = with_key(settings or get_settings())
    if generated:
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        log.warning("no AURUM_API_KEY set: this server's key is %s", key)
    manager = RunManager(settings, starter)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if connect:
            await run_in_threadpool(manager.connect)
        yield
        await run_in_threadpool(manager.close)

    app = FastAPI(title="AurumAI Twin", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.manager = manager
    app.state.metrics = Metrics(manager)
    app.add_middleware(errors.CatchAll)  # inside the timing, so a 500 is counted as one
    app.add_middleware(TimingMiddleware, metrics=app.state.metrics)
    errors.install(app)
    for module in (runs, state, history, stream, system, dashboard):
        app.include_router(module.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated spec, with RunCreate added and errors documented as ErrorPublic."""
    if app.openapi_schema is None:
        spec = FastAPI.openapi(app)
        schemas = spec["components"]["schemas"]
        for model in (RunCreate, ErrorPublic):
            doc = model.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(doc.pop("$defs", {}))
            schemas[model.__name__] = doc
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = _replace_refs(spec)
    return app.openapi_schema


def _replace_refs(node: Any) -> Any:
    old = "#/components/schemas/HTTPValidationError"
    if isinstance(node, dict):
        if node.get("$ref") == old:
            return {"$ref": "#/components/schemas/ErrorPublic"}
        return {k: _replace_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_refs(v) for v in node]
    return node
