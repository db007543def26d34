"""Dependencies of the routes: settings, the run manager, the run a path names, access checks."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, Security
from fastapi.security import APIKeyHeader, APIKeyQuery

from aurum.api.config import Settings
from aurum.api.manager import RunManager
from aurum.api.models import RUN_ID_PATTERN
from aurum.api.views import RunView

key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The server's key (AURUM_API_KEY)"
)
key_query = APIKeyQuery(
    name="api_key", auto_error=False, description="The key as a query parameter (reads only)"
)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_manager(request: Request) -> RunManager:
    manager: RunManager = request.app.state.manager
    return manager


SettingsDep = Annotated[Settings, Depends(get_settings)]
ManagerDep = Annotated[RunManager, Depends(get_manager)]
RunId = Annotated[str, Path(pattern=RUN_ID_PATTERN, description="Run id, as POST /runs gave")]


def check_key(given: str | None, settings: Settings) -> None:
    """401 without a key, 403 with a wrong one."""
    if not given:
        raise HTTPException(
            401, "an API key is needed (X-API-Key header)", {"WWW-Authenticate": "APIKey"}
        )
    expected = settings.api_key.get_secret_value() if settings.api_key else ""
    if not expected or not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(403, "wrong API key")


async def require_key(
    settings: SettingsDep, key: Annotated[str | None, Security(key_header)]
) -> None:
    """Mutating endpoints: always keyed."""
    check_key(key, settings)


async def read_access(
    settings: SettingsDep,
    key: Annotated[str | None, Security(key_header)],
    query_key: Annotated[str | None, Security(key_query)],
) -> None:
    """Reads: open, or keyed when AURUM_READS_NEED_KEY is set (header or ?api_key=)."""
    if settings.reads_need_key:
        check_key(key or query_key, settings)


async def get_run(run_id: RunId, manager: ManagerDep) -> RunView:
    return manager.get(run_id)


RunDep = Annotated[RunView, Depends(get_run)]
WriteAccess = [Depends(require_key)]
ReadAccess = [Depends(read_access)]
