"""The fleet's twin ids, answered without listing them: a 10-million-twin `count:` is one range.

An entry is one id, or `count` ids `prefix + n` with n zero-padded to the width of `count`
(`engine.scenario.model.generated_ids`). Membership and clashes between entries are worked out from
the prefixes and counts, so checking a fleet costs its entries, not its twins.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Block:
    """The ids `prefix + n`, n = 1..count zero-padded to len(str(count))."""

    prefix: str
    count: int

    @property
    def width(self) -> int:
        return len(str(self.count))

    def id_of(self, n: int) -> str:
        return f"{self.prefix}{n:0{self.width}d}"

    def number(self, twin: str) -> int | None:
        """n if `twin` is one of this block's ids, else None."""
        rest = twin[len(self.prefix) :]
        if not twin.startswith(self.prefix) or len(rest) != self.width:
            return None
        if not (rest.isascii() and rest.isdigit()):
            return None
        n = int(rest)
        return n if 1 <= n <= self.count else None


@dataclass
class FleetIds:
    """Twin id → (entry index, its value) for single ids and ranges, and every clash found."""

    single: dict[str, tuple[int, Any]] = field(default_factory=dict)
    blocks: dict[str, list[tuple[int, Block, Any]]] = field(default_factory=dict)
    # every single id and block prefix under each of its digit-trims: "T-05" under "T-05",
    # "T-0" and "T-", so a new block finds what could clash with it without a scan
    under: dict[str, list[tuple[int, str, Block | None]]] = field(default_factory=dict)
    clashes: list[tuple[int, int, str]] = field(default_factory=list)  # (entry, earlier, id)

    def add_id(self, entry: int, twin: str, value: Any) -> None:
        earlier = self.find(twin)
        if earlier is not None:
            self.clashes.append((entry, earlier[0], twin))
            return
        self.single[twin] = (entry, value)
        for trim in _digit_trims(twin):
            self.under.setdefault(trim, []).append((entry, twin, None))

    def add_block(self, entry: int, block: Block, value: Any) -> None:
        clash = self._block_clash(block)
        if clash is not None:
            self.clashes.append((entry, *clash))
        self.blocks.setdefault(block.prefix, []).append((entry, block, value))
        for trim in _digit_trims(block.prefix):
            self.under.setdefault(trim, []).append((entry, block.prefix, block))

    def find(self, twin: str) -> tuple[int, Any] | None:
        """(entry index, value) of the entry that holds `twin`, or None."""
        if twin in self.single:
            return self.single[twin]
        for prefix in _digit_trims(twin):
            for entry, block, value in self.blocks.get(prefix, []):
                if block.number(twin) is not None:
                    return entry, value
        return None

    def _block_clash(self, new: Block) -> tuple[int, str] | None:
        """An earlier entry sharing an id with the new block: its prefix is the new one's less
        trailing digits, or the new one's plus digits (or a single id of that form)."""
        for prefix in _digit_trims(new.prefix):
            for entry, block, _ in self.blocks.get(prefix, []):
                shared = _first_shared(block, new)
                if shared is not None:
                    return entry, shared
        for entry, text, other in self.under.get(new.prefix, []):
            if other is None and new.number(text) is not None:
                return entry, text
            shared = _first_shared(other, new) if other is not None else None
            if shared is not None:
                return entry, shared
        return None


def _digit_trims(text: str) -> Iterator[str]:
    """`text` and `text` without 1, 2, … of its trailing ASCII digits."""
    yield text
    end = len(text)
    while end > 0 and text[end - 1].isascii() and text[end - 1].isdigit():
        end -= 1
        yield text[:end]


def _first_shared(a: Block, b: Block) -> str | None:
    """The first id two blocks both generate, if any."""
    short, long = (a, b) if len(a.prefix) <= len(b.prefix) else (b, a)
    extra = long.prefix[len(short.prefix) :]
    if not long.prefix.startswith(short.prefix) or short.width != len(extra) + long.width:
        return None
    if extra and not (extra.isascii() and extra.isdigit()):
        return None
    base = int(extra) * 10**long.width if extra else 0
    if base + 1 > short.count or long.count < 1:
        return None
    return long.id_of(1)
