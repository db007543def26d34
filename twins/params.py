"""Parameters of a kind: pydantic models whose every field names its unit and its source.

A kind's parameter model is what a scenario's `params:` block is validated against; its defaults
are the reference machine. `stack` turns the per-twin models into struct-of-arrays for the batch.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

Tag = Literal["V", "D", "A"]


def param(
    default: Any,
    unit: str,
    source: str,
    tag: Tag = "A",
    description: str = "",
    **constraints: Any,
) -> Any:
    """A parameter field: default, unit, provenance tag (V seen / D derived / A assumed), source."""
    extra: dict[str, Any] = {"unit": unit, "tag": tag, "source": source}
    text = f"{description} [{unit}]" if description else f"[{unit}]"
    return Field(default, description=text, json_schema_extra=extra, **constraints)


class KindParams(BaseModel):
    """Base of every kind's parameter model: strict, immutable, documented."""

    # no `inf`/`nan`: a parameter that is not finite turns a twin's tables into NaN
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @classmethod
    def provenance(cls) -> dict[str, dict[str, str]]:
        """unit, tag and source of every field, for manifests and reports."""
        out: dict[str, dict[str, str]] = {}
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra
            out[name] = dict(extra) if isinstance(extra, dict) else {}  # type: ignore[arg-type]
        return out

    @classmethod
    def categories(cls, name: str) -> tuple[str, ...]:
        """The accepted labels of a categorical (Literal) field, in code order."""
        annotation = cls.model_fields[name].annotation
        return tuple(str(a) for a in typing.get_args(annotation))


ParamArrays = dict[str, NDArray[Any]]


def stack(models: Sequence[KindParams]) -> ParamArrays:
    """Struct-of-arrays of a batch's parameters: floats as float64, labels as int codes."""
    if not models:
        raise ValueError("cannot stack an empty batch")
    cls = type(models[0])
    out: ParamArrays = {}
    for name in cls.model_fields:
        values = [getattr(m, name) for m in models]
        labels = cls.categories(name)
        if labels:
            out[name] = np.array([labels.index(v) for v in values], dtype=np.int16)
        elif isinstance(values[0], bool):
            out[name] = np.array(values, dtype=bool)
        else:
            out[name] = np.array(values, dtype=np.float64)
    return out


def take(arrays: dict[str, NDArray[Any]], index: NDArray[np.intp]) -> dict[str, NDArray[Any]]:
    """The rows `index` of every array in a struct-of-arrays."""
    return {k: v[index] for k, v in arrays.items()}


def distinct(params: ParamArrays, site_index: NDArray[np.intp]) -> tuple[NDArray[np.intp], ...]:
    """Twins alike (same site, same parameters): the first twin of each distinct kind of twin,
    and each twin's kind as an index into those (constants are then computed, and kept in
    cache, once per kind of twin rather than once per twin)."""
    keys = np.column_stack([site_index, *(np.asarray(v, np.float64) for v in params.values())])
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return first.astype(np.intp), inverse.ravel().astype(np.intp)
