"""The explicit registry of machine kinds. A new kind is one more line in `_builtin`."""

from __future__ import annotations

from aurum.twins.kind import Kind

_KINDS: dict[str, type[Kind]] = {}
_BUILTIN_LOADED = False


class UnknownKindError(KeyError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown kind {name!r}; registered kinds: {', '.join(names())}")


def register(kind: type[Kind]) -> type[Kind]:
    """Add a kind (usable as a class decorator). Names are unique."""
    if kind.name in _KINDS and _KINDS[kind.name] is not kind:
        raise ValueError(f"kind {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def _builtin() -> None:
    global _BUILTIN_LOADED  # noqa: PLW0603 - the registry is module state by design
    if _BUILTIN_LOADED:
        return
    _BUILTIN_LOADED = True
    from aurum.twins.boiler.model import Boiler
    from aurum.twins.loader.model import Loader
    from aurum.twins.mill.model import Mill
    from aurum.twins.truck.model import Truck

    for k in (Truck, Mill, Boiler, Loader):
        register(k)


def names() -> tuple[str, ...]:
    _builtin()
    return tuple(_KINDS)


def get(name: str) -> type[Kind]:
    _builtin()
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownKindError(name) from None


def all_kinds() -> tuple[type[Kind], ...]:
    return tuple(get(n) for n in names())
