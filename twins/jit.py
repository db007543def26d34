"""Compiled kernels: numba, and the physics equations compiled for one twin at a time.

A kind's tick over numpy arrays costs one interpreter round trip and one temporary array per
operation (~3–8 µs each at a few thousand twins); a kernel that loops over the twins once does
the same work in registers. Kernels take the batch's arrays and update them in place.

`for_scalars(physics.truck)` is the physics module compiled for floats: the very functions
(same code objects), run with a numpy whose `asarray` and `where` pass scalars through (over
arrays they wrap their result; a 0-d array per call would cost more than the equation), and
with the other physics functions they call compiled the same way. So a kernel states each
equation once, in `physics`, with its source; nothing is written twice.

Compiled code is cached on disk beside its source (`__pycache__`, or numba's per-user cache when
the package folder is read-only): a new process (a Ray actor) loads it in ~0.2 s instead of
compiling it; shards load theirs when built (`Kind.warm_up`). The cache is keyed by argument
types (a read-only array is another type) and filled at install (`python -m
aurum.engine.run.precompile`).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

_cache: dict[str, types.SimpleNamespace] = {}


def kernel(f: Callable[..., Any]) -> Any:
    """Compile a kernel, cached on disk."""
    return numba.njit(cache=True, nogil=True)(f)


def inline(f: Callable[..., Any]) -> Any:
    """Compile a helper into its callers: a call taking the batch's arrays would count
    references on each of them (~100 ns), more than the few operations it computes."""
    return numba.njit(cache=True, nogil=True, inline="always")(f)


@inline
def _pass_through(x: Any) -> Any:
    return x


@inline
def _choose(condition: bool, a: Any, b: Any) -> Any:
    return a if condition else b


def _scalar_numpy() -> types.ModuleType:
    """numpy, but `asarray` and `where` pass floats through (over floats only)."""
    m = types.ModuleType("numpy_for_scalars")
    m.__dict__.update({k: getattr(np, k) for k in dir(np) if not k.startswith("__")})
    m.asarray = _pass_through  # type: ignore[attr-defined]
    m.where = _choose  # type: ignore[attr-defined]
    return m


def for_scalars(module: types.ModuleType) -> types.SimpleNamespace:
    """The functions of a physics module compiled for floats (lazily, on first call)."""
    name = module.__name__
    if name in _cache:
        return _cache[name]
    env = dict(vars(module))
    env["np"] = _scalar_numpy()
    out = types.SimpleNamespace()
    _cache[name] = out
    for attr, f in vars(module).items():
        if not isinstance(f, types.FunctionType):
            continue
        if f.__module__ == name:
            clone = types.FunctionType(f.__code__, env, attr, f.__defaults__, f.__closure__)
            clone.__qualname__ = f"scalar.{f.__qualname__}"  # its own cache entry
            setattr(out, attr, numba.njit(cache=True, nogil=True)(clone))
            env[attr] = getattr(out, attr)
        elif f.__module__.startswith(("physics.", "aurum.physics.")):  # from another physics module
            env[attr] = getattr(for_scalars(sys.modules[f.__module__]), f.__name__)
    return out
