"""One exception family for users' mistakes, each naming file, field path, bad value and remedy.

The CLI turns an `AurumError` into its lines and exit code 2; the API into a 4xx with the same
`problems`. Any other exception reaching a user is a bug.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's input."""

    message: str
    path: str = ""  # field path, e.g. fleet[2].params.payload_t
    value: Any = None
    file: str = ""
    line: int | None = None  # 1-based line in `file`
    accepted: str = ""  # what would have been accepted

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        head = ": ".join(x for x in (where, self.path) if x) or "input"
        text = f"{head}: {self.message}"
        if self.value is not None and not isinstance(self.value, dict | list):
            text += f" (got {self.value!r})"
        if self.accepted:
            text += f"; accepted: {self.accepted}"
        return text

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if isinstance(d["value"], dict | list):
            d["value"] = None
        return d


class AurumError(Exception):
    """A mistake in what the user asked for (never a bug in the engine)."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ScenarioError(AurumError):
    """A scenario file that cannot be run as written."""


class RunError(AurumError):
    """A run that cannot start or continue (unreachable cluster, missing run folder, ...)."""
