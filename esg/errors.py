"""Exceptions of the esg layer: a user's mistake names the field, the value and what is accepted.

`EsgInputError` covers scenario-level input (unknown region, fuel channel, category, factor set,
GWP set, a factor override with a wrong unit). The engine maps it to its own Problem type using
`path`, `value` and `accepted`. `FactorDataError` is a defect in a factor file (shipped or
user-supplied): duplicate keys, unknown units, inconsistent values.
"""

from __future__ import annotations

from collections.abc import Iterable


class EsgInputError(ValueError):
    """Bad input to the emissions layer.

    Attributes:
        path: where the bad value sits, e.g. ``sites[pit-1].region`` or ``gwp_set``.
        value: the value given.
        accepted: what would have been accepted (sorted, as strings).
    """

    def __init__(self, path: str, value: object, accepted: Iterable[str], problem: str) -> None:
        self.path = path
        self.value = value
        self.accepted = tuple(accepted)
        self.problem = problem
        shown = ", ".join(self.accepted) if self.accepted else "(nothing)"
        super().__init__(f"{path}: {problem}: {value!r}; accepted: {shown}")


class FactorDataError(ValueError):
    """A factor file is inconsistent (duplicate key, bad unit, value outside its own range...)."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")
