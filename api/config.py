"""Runtime settings of the API server (where and how it serves), from AURUM_* variables."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from aurum.engine.catalogue import scenarios_dir
from aurum.engine.scenario.durations import parse_duration

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Server settings; every field can be set as AURUM_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="AURUM_", extra="ignore", frozen=True)

    api_key: SecretStr | None = Field(None, description="Key for POST/DELETE (X-API-Key)")
    reads_need_key: bool = Field(False, description="GET endpoints also need the key")
    runs_dir: Path = Field(Path("runs"), description="Folder of runs/<run-id>/")
    scenarios_dir: Path = Field(default_factory=scenarios_dir, description="Shipped scenarios")
    address: str | None = Field(None, description="Ray cluster address (None = local Ray)")
    risk_models: dict[str, Path] = Field(
        default_factory=dict,
        description="Risk models requests may name besides the shipped ones: name → .onnx file "
        '(AURUM_RISK_MODELS=\'{"truck-v2": "/srv/models/truck-v2.onnx"}\')',
    )
    max_body_bytes: int = Field(1_000_000, ge=1, description="Largest POST body accepted")
    max_twins: int = Field(100_000, ge=1, description="Most twins in one run")
    max_duration: timedelta = Field(timedelta(days=31), description="Longest simulated span")
    max_actors: int = Field(64, ge=1, description="Most shard actors in one run")
    max_live_runs: int = Field(4, ge=1, description="Most runs in progress at once")
    poll_s: float = Field(0.2, gt=0, description="How often live runs' progress is polled")
    stream_heartbeat_s: float = Field(15.0, gt=0, description="SSE keep-alive interval")

    @field_validator("max_duration", mode="before")
    @classmethod
    def _duration(cls, v: object) -> timedelta:
        return parse_duration(v)


@cache
def get_settings() -> Settings:
    """Settings from the environment (read once)."""
    return Settings()
