"""Trucks that share their site: FIFO queues at the loaders and the dump, dispatch, the stockpile.

Uncoupled, a truck's queues last a random draw around a mean (`twins.truck.cycle`). At a site that
is a system (`twins.system`), the queues emerge from the fleet instead. Inside a tick the site is
a small discrete-event simulation, compiled (numba) and exact at any tick length:

- every truck runs its cycle (`cycle.advance`) until the tick ends or it reaches a point where
  the site decides: it arrives at its loader (`AT_LOADER`), at the dump (`AT_DUMP`), or leaves the
  dump (`LEFT_DUMP`, where dispatch sends it to a loader);
- those moments, and the moments a loader or a dump bay becomes free, are events taken in time
  order from a heap (ties: arrivals first, then by twin order, which is the global order);
- a loader serves one truck at a time, first in first out: the truck spots and is loaded with
  the loader's own passes (bucket, fill factor, swing time as its wear leaves them); a dump has a
  number of bays, each taking one truck at a time; a truck that waits burns idle fuel.
- A truck dumps only if the site's run-of-mine stockpile has room for its payload (else it waits
  at the dump until the mill has drawn enough); what it dumps lands on the stockpile.

Who waits carries over ticks: a truck keeps the time it joined its queue (`queued_at_s`), so the
order is first-come first-served across tick boundaries, and a truck that breaks down in a queue
keeps its place for when it is repaired (those behind it are served meanwhile). A loader that is
down serves no one; under a dynamic dispatch rule its queue is sent to the site's other loaders.
A truck being loaded when its loader fails is finished (the loader's repair starts after).

Machines that interact are stepped in one shard (`engine.run.plan` groups a site's machines), so
results do not depend on how the fleet is sharded.
"""

from __future__ import annotations

import heapq
import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from aurum.twins.jit import kernel
from aurum.twins.truck.cycle import (
    QUEUE_DUMP,
    QUEUE_LOAD,
    Cycle,
    Engine,
    Protection,
    Tables,
    advance,
    spend_passes,
)

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

# Dispatch rules (`twins.system.DISPATCH` names and documents them).
FIXED, SHORTEST_QUEUE, EARLIEST_SERVICE, NEEDIEST = 0, 1, 2, 3

# Event types, in the order ties are taken: arrivals, then a free loader, then a free bay.
_TRUCK, _LOADER_FREE, _BAY_FREE = 0, 1, 2


class Trucks(NamedTuple):
    """The site's view of each truck of the batch, (n,); updated in place."""

    coupled: NDArray[np.bool_]  # at a site with loaders (else its queues are draws)
    site: I64  # the truck's site, index into `Sites`
    loader: I64  # the loader it is sent to (index into `Loaders`; -1: none yet)
    queued_at_s: F64  # when it joined its current queue [s since the run's start]
    payload_t: F64  # rated payload
    spot_s: F64  # spotting at the loader
    dump_s: F64  # tipping at the dump
    load_s: F64  # duration of its current/next loading [s] (the loader's passes)


class Loaders(NamedTuple):
    """The loaders of the batch's sites, (L,), ordered by site; updated in place."""

    site: I64
    available: NDArray[np.bool_]  # may load this tick (not failed, not in maintenance)
    bucket_m3: F64
    fill: F64  # effective fill factor (its teeth's wear lowers it)
    loose_t_m3: F64  # loose density of the ore it digs
    swing_s: F64  # effective swing cycle
    free_at_s: F64  # when its current loading ends
    busy_from_s: F64  # its latest loading: start ...
    busy_to_s: F64  # ... and end (= free_at_s)
    pending_t: F64  # tonnes of that loading, booked when it ends
    open: I64  # trucks sent to it and not yet served
    last_sent_s: F64  # when it was last sent a truck
    duty_s: F64  # out: seconds of this tick spent loading
    loaded_t: F64  # out: tonnes whose loading ended this tick
    served: I64  # out: trucks whose loading started this tick


class Sites(NamedTuple):
    """Per site of the batch, (S,): loaders, dump bays, stockpile; updated in place."""

    loader_lo: I64  # its loaders are Loaders[lo:hi]
    loader_hi: I64
    bays: I64  # dump bays (a crusher's pockets or a tipping point's lanes)
    bay_free_at_s: F64  # (S, max bays): when each bay is free
    capacity_t: F64  # stockpile capacity (inf: no stockpile, the dump takes everything)
    committed_t: F64  # stockpile level + payloads being dumped
    dispatch: I64  # the site's dispatch rule


def passes(payload_t: float, bucket_m3: float, fill: float, loose_t_m3: float) -> float:
    """Bucket passes to fill a truck: whole passes, the last one topping up (MineLab's rule,
    `physics.truck.loading_passes`, rounded up: a loader cannot swing a fraction of a pass)."""
    return math.ceil(payload_t / (bucket_m3 * fill * loose_t_m3) - 1e-9)


_passes = kernel(passes)


@kernel
def step_site(  # noqa: PLR0912, PLR0915 - one event loop, read top to bottom
    r: Tables,
    c: Cycle,
    e: Engine,
    prot: Protection,
    payload_t: F64,
    queue_load: F64,
    queue_dump: F64,
    max_passes: int,
    tick_end_s: float,
    dt_s: float,
    trucks: Trucks,
    loaders: Loaders,
    sites: Sites,
) -> None:
    """One tick of every truck of the batch, coupled ones through their sites' queues."""
    t0 = tick_end_s - dt_s
    n = len(c.phase)
    _open_tick(loaders, t0, tick_end_s)
    heap = [(0.0, 0, 0)]
    heap.pop()
    waiting = np.zeros(n, dtype=np.bool_)
    nxt = np.full(n, -1, dtype=np.int64)  # linked FIFO queues
    lq_head, lq_tail = np.full(len(loaders.site), -1), np.full(len(loaders.site), -1)
    dq_head, dq_tail = np.full(len(sites.bays), -1), np.full(len(sites.bays), -1)
    l_event, d_event = np.zeros(len(loaders.site), np.bool_), np.zeros(len(sites.bays), np.bool_)

    # 1. trucks that are moving run to the end of the tick or to their first stop (one loop
    # over the batch: `cycle.spend_passes`); uncoupled ones draw their queues
    stops = np.zeros(n, dtype=np.int64)
    for i in range(n):
        waiting[i] = trucks.coupled[i] and c.time_s[i] > 0.0 and c.left_s[i] == math.inf
        if waiting[i]:
            stops[i] = -1  # queued before this tick: the site moves it
    spend_passes(r, c, e, prot, payload_t, queue_load, queue_dump, max_passes,
                 np.where(trucks.coupled, trucks.load_s, 0.0), stops)  # fmt: skip
    for i in range(n):
        if stops[i] > 0:
            heapq.heappush(heap, (tick_end_s - c.time_s[i], _TRUCK, i))

    # 2. those already waiting line up again in the order they came (the batch is in global
    # order, so a stable sort on the time keeps ties in twin order)
    old = np.flatnonzero(waiting)
    old = old[np.argsort(trucks.queued_at_s[old], kind="mergesort")]
    for w in old:
        if c.phase[w] == QUEUE_LOAD:
            s = trucks.site[w]
            if not loaders.available[trucks.loader[w]] and sites.dispatch[s] != FIXED:
                _send(trucks, loaders, sites, w, t0, True)
            _append(nxt, lq_head, lq_tail, trucks.loader[w], w)
        else:
            _append(nxt, dq_head, dq_tail, trucks.site[w], w)
    for k in range(len(loaders.site)):
        if lq_head[k] >= 0 and loaders.available[k]:
            heapq.heappush(heap, (max(loaders.free_at_s[k], t0), _LOADER_FREE, k))
            l_event[k] = True
    for s in range(len(sites.bays)):
        if dq_head[s] >= 0:
            heapq.heappush(heap, (max(_first_bay(sites, s)[1], t0), _BAY_FREE, s))
            d_event[s] = True

    # 3. events in time order
    while len(heap) > 0:
        t, kind, x = heapq.heappop(heap)
        if kind == _TRUCK:
            i, ph = x, c.phase[x]
            trucks.queued_at_s[i] = t
            if ph == QUEUE_LOAD:
                k = trucks.loader[i]
                if k < 0 or (not loaders.available[k] and sites.dispatch[trucks.site[i]] != FIXED):
                    _send(trucks, loaders, sites, i, t, k >= 0)
                    k = trucks.loader[i]
                _append(nxt, lq_head, lq_tail, k, i)
                if not l_event[k] and loaders.available[k]:
                    heapq.heappush(heap, (max(loaders.free_at_s[k], t), _LOADER_FREE, k))
                    l_event[k] = True
            elif ph == QUEUE_DUMP:
                s = trucks.site[i]
                _append(nxt, dq_head, dq_tail, s, i)
                if not d_event[s]:
                    heapq.heappush(heap, (max(_first_bay(sites, s)[1], t), _BAY_FREE, s))
                    d_event[s] = True
            else:  # left the dump: dispatch, then on its way
                _send(trucks, loaders, sites, i, t, False)
                _go_on(r, c, e, prot, payload_t, max_passes, tick_end_s, trucks, heap, i)
        elif kind == _LOADER_FREE:
            k = x
            l_event[k] = False
            if t >= tick_end_s:
                continue  # next tick
            i = _pop(nxt, lq_head, lq_tail, k)
            _serve_at_loader(r, c, e, prot, payload_t, max_passes, tick_end_s, trucks, loaders,
                             i, k, t)  # fmt: skip
            _go_on(r, c, e, prot, payload_t, max_passes, tick_end_s, trucks, heap, i)
            if lq_head[k] >= 0 and loaders.free_at_s[k] < tick_end_s:
                heapq.heappush(heap, (loaders.free_at_s[k], _LOADER_FREE, k))
                l_event[k] = True
        else:
            s = x
            d_event[s] = False
            if t >= tick_end_s:
                continue
            i = dq_head[s]
            if sites.committed_t[s] + c.payload[i] > sites.capacity_t[s]:
                continue  # the stockpile is full: the dump waits for the mill to draw
            _pop(nxt, dq_head, dq_tail, s)
            b, _ = _first_bay(sites, s)
            _wait_until(r, c, e, prot, payload_t, max_passes, tick_end_s, trucks, i, t)
            sites.committed_t[s] += c.payload[i]
            sites.bay_free_at_s[s, b] = t + trucks.dump_s[i]
            _go_on(r, c, e, prot, payload_t, max_passes, tick_end_s, trucks, heap, i)
            if dq_head[s] >= 0:
                free = _first_bay(sites, s)[1]
                if free < tick_end_s:
                    heapq.heappush(heap, (max(free, t), _BAY_FREE, s))
                    d_event[s] = True

    # 4. who still waits spends the rest of the tick in its queue, idling
    for i in range(n):
        waiting[i] = trucks.coupled[i] and c.time_s[i] > 0.0 and c.left_s[i] == math.inf
        stops[i] = 0 if waiting[i] else -1
    spend_passes(r, c, e, prot, payload_t, queue_load, queue_dump, max_passes, trucks.load_s,
                 stops)  # fmt: skip


@kernel
def _open_tick(loaders: Loaders, t0: float, t1: float) -> None:
    """Per loader: the part of its latest loading that falls in this tick, and its tonnes if it
    ends in it."""
    for k in range(len(loaders.site)):
        start, end = max(loaders.busy_from_s[k], t0), min(loaders.busy_to_s[k], t1)
        loaders.duty_s[k] = max(0.0, end - start)
        loaders.loaded_t[k] = 0.0
        loaders.served[k] = 0
        if loaders.pending_t[k] > 0.0 and loaders.busy_to_s[k] <= t1:
            loaders.loaded_t[k] += loaders.pending_t[k]
            loaders.pending_t[k] = 0.0


@kernel
def _append(nxt: I64, head: I64, tail: I64, q: int, i: int) -> None:
    nxt[i] = -1
    if head[q] < 0:
        head[q] = i
    else:
        nxt[tail[q]] = i
    tail[q] = i


@kernel
def _pop(nxt: I64, head: I64, tail: I64, q: int) -> int:
    i = head[q]
    head[q] = nxt[i]
    if head[q] < 0:
        tail[q] = -1
    nxt[i] = -1
    return int(i)


@kernel
def _first_bay(sites: Sites, s: int) -> tuple[int, float]:
    """The dump bay of site s that is free first, and when."""
    b, at = 0, math.inf
    for j in range(sites.bays[s]):
        if sites.bay_free_at_s[s, j] < at:
            b, at = j, sites.bay_free_at_s[s, j]
    return b, at


@kernel
def _wait_until(
    r: Tables, c: Cycle, e: Engine, prot: Protection, payload_t: F64, max_passes: int,
    tick_end_s: float, trucks: Trucks, i: int, t: float,
) -> None:  # fmt: skip
    """Truck i idles in its queue until t, when its wait ends."""
    advance(r, c, e, prot, i, payload_t[i], 1.0, 1.0, max(tick_end_s - t, 0.0), max_passes,
            trucks.load_s[i])  # fmt: skip
    c.left_s[i] = 0.0


@kernel
def _go_on(
    r: Tables, c: Cycle, e: Engine, prot: Protection, payload_t: F64, max_passes: int,
    tick_end_s: float, trucks: Trucks, heap: list[tuple[float, int, int]], i: int,
) -> None:  # fmt: skip
    """Truck i goes on with its cycle to the tick's end or its next stop (an event then)."""
    stop = advance(r, c, e, prot, i, payload_t[i], 1.0, 1.0, 0.0, max_passes, trucks.load_s[i])
    if stop != 0:
        heapq.heappush(heap, (tick_end_s - c.time_s[i], _TRUCK, i))


@kernel
def _serve_at_loader(
    r: Tables, c: Cycle, e: Engine, prot: Protection, payload_t: F64, max_passes: int,
    tick_end_s: float, trucks: Trucks, loaders: Loaders, i: int, k: int, t: float,
) -> None:  # fmt: skip
    """Loader k takes truck i at t: the truck spots, then is loaded with k's passes."""
    _wait_until(r, c, e, prot, payload_t, max_passes, tick_end_s, trucks, i, t)
    load = _passes(
        trucks.payload_t[i], loaders.bucket_m3[k], loaders.fill[k], loaders.loose_t_m3[k]
    )
    trucks.load_s[i] = load * loaders.swing_s[k]
    end = t + trucks.spot_s[i] + trucks.load_s[i]
    loaders.busy_from_s[k], loaders.busy_to_s[k], loaders.free_at_s[k] = t, end, end
    loaders.duty_s[k] += min(end, tick_end_s) - t
    loaders.served[k] += 1
    if end <= tick_end_s:
        loaders.loaded_t[k] += trucks.payload_t[i]
    else:
        loaders.pending_t[k] = trucks.payload_t[i]
    if loaders.open[k] > 0:
        loaders.open[k] -= 1


@kernel
def _send(trucks: Trucks, loaders: Loaders, sites: Sites, i: int, t: float, again: bool) -> None:
    """Dispatch: choose the loader truck i goes to (at t), by its site's rule.

    fixed: the loader it was assigned (round robin over the site's loaders in truck order);
    shortest_queue: the available loader with the fewest trucks sent and not yet served
    (OpenMines' SQ); earliest_service: the available loader that would start loading it first,
    from when each is free and the loadings already owed to it (shortest processing time);
    neediest: the available loader furthest behind its share of the flow, (time since it was
    last sent a truck) × (its digging rate) − (tonnes already on their way to it): the
    flow-rate rule of DISPATCH-style systems (White & Olson 1986). Ties go to the lower index.
    """
    s = trucks.site[i]
    rule = sites.dispatch[s]
    old = trucks.loader[i]
    if again and old >= 0 and loaders.open[old] > 0:
        loaders.open[old] -= 1
    best, score = old, math.inf
    if rule != FIXED or old < 0:
        for k in range(sites.loader_lo[s], sites.loader_hi[s]):
            if not loaders.available[k] and rule != FIXED:
                continue
            pay = trucks.payload_t[i]
            cycle = (
                trucks.spot_s[i]
                + _passes(pay, loaders.bucket_m3[k], loaders.fill[k], loaders.loose_t_m3[k])
                * loaders.swing_s[k]
            )
            if rule == SHORTEST_QUEUE:
                v = float(loaders.open[k])
            elif rule == EARLIEST_SERVICE:
                v = max(loaders.free_at_s[k], t) + loaders.open[k] * cycle
            elif rule == NEEDIEST:
                v = -((t - loaders.last_sent_s[k]) * pay / cycle - loaders.open[k] * pay)
            else:
                v = float(k)  # fixed, first time: the first loader (the plan assigns them)
            if v < score:
                best, score = k, v
    if best < 0:
        best = sites.loader_lo[s]
    trucks.loader[i] = best
    loaders.open[best] += 1
    loaders.last_sent_s[best] = t
