"""A site as a system: the machines that share loaders, a dump and a stockpile, stepped together.

A `SiteShard` holds a batch (`Shard`) per kind of the machines of one or more sites and advances
them tick by tick in a fixed order, passing what they share between them:

1. trucks (`twins.truck.haulage`): FIFO queues at the loaders and the dump, dispatch, the
   stockpile's room; they deliver onto the stockpile;
2. loaders: each loads for the seconds the trucks' queue gave it and books the tonnes it loaded;
3. mills: each draws its feed from its site's stockpile; a mill whose stockpile is empty is
   `STARVED` (its hours counted), one that empties it mid-tick mills what was there;
4. the other kinds (boilers ...), which share nothing yet.

A site is a system when it has trucks and loaders; its trucks then queue for them (elsewhere
trucks keep their drawn queue times, and loaders serve a steady stream of their own), and a
stockpile, if the site declares one, feeds its mills (elsewhere a mill's feed never runs out).
Interacting machines are always in one `SiteShard` (`engine.run.plan` groups them by site), and
every choice inside a tick is taken in time order, ties in global twin order, so results do not
depend on how the fleet is sharded.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.twins.params import ParamArrays
from aurum.twins.schedule import Job
from aurum.twins.shard import AVAILABLE, EpochResult, Shard
from aurum.twins.site import DISPATCH_RULES, Environment, SiteConditions
from aurum.twins.truck.cycle import DUMP, LOAD, QUEUE_DUMP, QUEUE_LOAD, RETURN, SPOT
from aurum.twins.truck.haulage import Loaders, Sites, Trucks

__all__ = ["DISPATCH", "SiteShard", "interacts", "match_factor"]

# The dispatch rules a site may choose (`SiteConditions.haulage.dispatch`), with their source.
DISPATCH: dict[str, str] = {
    "fixed": "each truck keeps one loader, assigned round robin in truck order (a fixed "
    "assignment, as in OpenMines' FixedGroup)",
    "shortest_queue": "to the available loader with the fewest trucks sent and not yet loaded "
    "(OpenMines' SQ dispatcher; Munirathinam & Yingling 1994 review the rule)",
    "earliest_service": "to the available loader that would start loading it first "
    "(shortest expected wait: SPTF in OpenMines)",
    "neediest": "to the loader furthest behind its share of the flow: time since it was last "
    "sent a truck × its digging rate − tonnes already sent (the flow-rate rule of "
    "DISPATCH-style systems, White & Olson 1986)",
}
assert tuple(DISPATCH) == DISPATCH_RULES

# Loader state the system writes before each of the loaders' ticks, and reads for the trucks.
_LOADER_IN = ("coupled", "duty_s", "loaded_t")
_ORDER = ("truck", "loader", "mill")  # then every other kind, in name order
EMPTY_T = 1e-6  # a stockpile below this is empty


def interacts(site: SiteConditions, kinds_here: Iterable[str]) -> bool:
    """Whether a site's machines interact: it has trucks and loaders (they queue for them)."""
    return {"loader", "truck"} <= set(kinds_here)


def match_factor(trucks: ParamArrays, env: Environment, loaders: ParamArrays) -> float:
    """Burt & Caccetta's (2007) match factor of one site's heterogeneous fleet: Σ over trucks of
    1 / (cycle time without queueing) ÷ Σ over loaders of 1 / (loading time per truck).

    A truck's cycle is its road both ways, spotting, loading and dumping, from its route tables
    (queues left out), its loading being the site's loaders' mean; a loader's loading time per
    truck is spotting + its passes for the mean truck's payload × its swing time, both at their
    design values (`physics.loader.service_load_s`).
    """
    from aurum.twins.truck.model import build_route  # the kind's own tables

    route = build_route(trucks, env)
    seconds = route.length * route.pace + route.duration
    per = route.per_twin(seconds)
    first = route.first
    queues = per[:, first[QUEUE_LOAD]] + per[:, first[QUEUE_DUMP]]
    own_load = per[:, first[LOAD]]
    spot = per[:, first[SPOT]]
    payload = float(np.mean(trucks["payload_t"]))
    loose = loaders["bank_density_t_m3"] / (1.0 + loaders["swell_frac"])
    fill = loaders["bucket_fill_frac"]
    passes = np.ceil(payload / (loaders["bucket_m3"] * fill * loose) - 1e-9)
    load_s = passes * loaders["swing_s"]
    cycle = per.sum(axis=1) - queues - own_load + float(np.mean(load_s))
    loading = float(np.mean(spot)) + load_s
    return float(np.sum(1.0 / cycle) / np.sum(1.0 / loading))


class SiteShard:
    """The machines of some sites, each kind a `Shard`, advanced together tick by tick."""

    def __init__(self, parts: dict[str, Shard], sites: tuple[SiteConditions, ...]) -> None:
        rank = {k: i for i, k in enumerate(_ORDER)}
        self.parts = dict(sorted(parts.items(), key=lambda kv: (rank.get(kv[0], 99), kv[0])))
        self.sites = sites
        first = next(iter(self.parts.values()))
        self.timing = first.timing
        used = sorted({int(s) for p in self.parts.values() for s in p.env.site_index})
        self.local = {g: i for i, g in enumerate(used)}  # global site → index in this shard
        self.global_sites = np.array(used, dtype=np.intp)
        self.trucks = self.parts.get("truck")
        self.loaders = self.parts.get("loader")
        self.mills = self.parts.get("mill")
        self._build()
        if self.trucks is not None:
            self.trucks.site = _View(self)

    # --- set-up -------------------------------------------------------------------------

    def _site_of(self, shard: Shard) -> NDArray[np.int64]:
        return np.array([self.local[int(s)] for s in shard.env.site_index], dtype=np.int64)

    def _build(self) -> None:
        n_sites = len(self.global_sites)
        conf = [self.sites[int(g)].haulage for g in self.global_sites]
        # loaders, ordered by site (stable: twin order within a site)
        if self.loaders is not None:
            lsite = self._site_of(self.loaders)
            self.lperm = np.argsort(lsite, kind="stable")
            lsite = lsite[self.lperm]
        else:
            self.lperm = np.zeros(0, dtype=np.intp)
            lsite = np.zeros(0, dtype=np.int64)
        lo = np.searchsorted(lsite, np.arange(n_sites), side="left").astype(np.int64)
        hi = np.searchsorted(lsite, np.arange(n_sites), side="right").astype(np.int64)
        has_loaders = hi > lo
        bays = np.array([c.dump_bays if c is not None else 1 for c in conf], dtype=np.int64)
        cap = [c.stockpile.capacity_t if c and c.stockpile else np.inf for c in conf]
        level = [c.stockpile.initial_t if c and c.stockpile else 0.0 for c in conf]
        rule = [DISPATCH_RULES.index(c.dispatch) if c is not None else 0 for c in conf]
        self.has_stockpile = np.array([c is not None and c.stockpile is not None for c in conf])
        self.level_t = np.array(level, dtype=np.float64)
        self.sites_arr = Sites(
            loader_lo=lo,
            loader_hi=hi,
            bays=bays,
            bay_free_at_s=np.zeros((n_sites, int(bays.max(initial=1)))),
            capacity_t=np.array(cap, dtype=np.float64),
            committed_t=self.level_t.copy(),
            dispatch=np.array(rule, dtype=np.int64),
        )
        nl = len(lsite)
        z = np.zeros(nl)
        self.loaders_arr = Loaders(
            site=lsite,
            available=np.ones(nl, dtype=np.bool_),
            bucket_m3=z.copy(),
            fill=z.copy(),
            loose_t_m3=z.copy(),
            swing_s=z.copy(),
            free_at_s=z.copy(),
            busy_from_s=z.copy(),
            busy_to_s=z.copy(),
            pending_t=z.copy(),
            open=np.zeros(nl, dtype=np.int64),
            last_sent_s=z.copy(),
            duty_s=z.copy(),
            loaded_t=z.copy(),
            served=np.zeros(nl, dtype=np.int64),
        )
        if self.loaders is not None:
            s = self.loaders.state
            for name in _LOADER_IN:
                s[name] = np.asarray(s[name], dtype=np.float64)
            s["coupled"][:] = 1.0
            p = {k: v[self.lperm] for k, v in self.loaders.params.items()}
            self.loaders_arr.bucket_m3[:] = p["bucket_m3"]
            self.loaders_arr.loose_t_m3[:] = p["bank_density_t_m3"] / (1.0 + p["swell_frac"])
        if self.trucks is not None:
            self._build_trucks(has_loaders, lo, hi)
        self._mill_site = self._site_of(self.mills) if self.mills is not None else None
        # mills fed by a stockpile draw in turn within their site: their order, and for each
        # the position of its site's first mill in that order
        ms = self._mill_site if self._mill_site is not None else np.zeros(0, dtype=np.int64)
        fed = np.flatnonzero(self.has_stockpile[ms]) if len(ms) else np.zeros(0, np.intp)
        self._mill_order = fed[np.argsort(ms[fed], kind="stable")]
        groups = ms[self._mill_order]
        change = groups[1:] != groups[:-1]
        self._mill_first = np.flatnonzero(np.r_[True, change]) if len(groups) else groups
        self._mill_group = np.cumsum(np.r_[False, change]) if len(groups) else groups

    def _build_trucks(
        self, has_loaders: NDArray[np.bool_], lo: NDArray[np.int64], hi: NDArray[np.int64]
    ) -> None:
        t = self.trucks
        assert t is not None
        site = self._site_of(t)
        coupled = has_loaders[site]
        route = t.kind.route(t.params, t.env)  # type: ignore[attr-defined]
        table = route.duration
        spot = table[route.row + route.first[SPOT]]
        dump = table[route.row + route.first[DUMP]]
        self.truck_site = site
        self.truck_static = (coupled, site, t.params["payload_t"].copy(), spot, dump)
        s = t.state
        s["loader_index"] = np.asarray(s["loader_index"], dtype=np.int64)
        if not coupled.any():
            return
        # a coupled truck's loading lasts what its loader's passes take (> 0 marks it coupled);
        # until a loader first serves it, the loading its own parameters describe
        unset = coupled & (s["loading_s"] <= 0.0)
        s["loading_s"][unset] = route.load_s[unset]
        # fixed assignment: round robin over the site's loaders, in truck order
        for k in range(len(self.global_sites)):
            mine = np.flatnonzero(coupled & (site == k))
            count = hi[k] - lo[k]
            if count and t.epoch == 0:
                s["loader_index"][mine] = lo[k] + np.arange(len(mine)) % count
        if t.epoch > 0:
            return  # resumed: the state already holds the queues
        # the shift starts with the trucks spread along the road (`Truck.initial`); those at a
        # loader or at the dump wait there, in truck order, for the site to serve them
        phase = s["phase_code"].astype(np.intp)
        at_loader = coupled & ((phase == QUEUE_LOAD) | (phase == SPOT) | (phase == LOAD))
        at_dump = coupled & ((phase == QUEUE_DUMP) | (phase == DUMP))
        for mask, ph in ((at_loader, QUEUE_LOAD), (at_dump, QUEUE_DUMP)):
            s["phase_code"][mask] = float(ph)
            s["leg_index"][mask] = 0.0
            s["phase_left_s"][mask] = np.inf
            s["leg_left_m"][mask] = 0.0
            s["queued_at_s"][mask] = 0.0
        s["payload_t"][at_loader] = 0.0
        s["payload_t"][at_dump] = t.params["payload_t"][at_dump]
        sent = coupled & ((phase == RETURN) | at_loader)
        np.add.at(self.loaders_arr.open, s["loader_index"][sent], 1)

    # --- what the trucks' kernel sees (`ctx.site`) ----------------------------------------

    def trucks_view(self, state: dict[str, Any]) -> Trucks:
        coupled, site, payload, spot, dump = self.truck_static
        return Trucks(
            coupled,
            site,
            state["loader_index"],
            state["queued_at_s"],
            payload,
            spot,
            dump,
            state["loading_s"],
        )

    # --- the epoch ----------------------------------------------------------------------

    @property
    def n(self) -> int:
        return sum(p.n for p in self.parts.values())

    @property
    def epoch(self) -> int:
        return next(iter(self.parts.values())).epoch

    @property
    def done(self) -> bool:
        return next(iter(self.parts.values())).done

    def run_epoch(self, jobs: Iterable[Job] = ()) -> list[EpochResult]:
        """Advance every machine through the next epoch; a result per kind."""
        began = time.perf_counter()
        jobs = list(jobs)
        spans = {k: p.begin_epoch(jobs) for k, p in self.parts.items()}
        t0, t1 = next(iter(spans.values()))
        every = self.timing.telemetry_every
        samples = [t for t in range(t0, t1) if (t + 1) % every == 0]
        shape = (len(samples), len(self.global_sites))
        seen = {k: np.zeros(shape) for k in ("stockpile_t", "loader_queue", "dump_queue")}
        row = 0
        for tick in range(t0, t1):
            self._tick(tick)
            if row < len(samples) and samples[row] == tick:
                self._sample(seen, row)
                row += 1
        took = time.perf_counter() - began
        results = [p.end_epoch(took) for p in self.parts.values()]
        results[0].site = {"site": self.global_sites.copy(), **seen}
        return results

    def _sample(self, seen: dict[str, NDArray[np.float64]], row: int) -> None:
        """The site's readings at a telemetry tick: stockpile level and trucks in each queue."""
        seen["stockpile_t"][row] = np.where(self.has_stockpile, self.level_t, np.nan)
        t = self.trucks
        if t is None:
            return
        waiting = t.state["phase_left_s"] == np.inf
        phase = t.state["phase_code"]
        n = len(self.global_sites)
        for key, ph in (("loader_queue", QUEUE_LOAD), ("dump_queue", QUEUE_DUMP)):
            mask = waiting & (phase == ph)
            seen[key][row] = np.bincount(self.truck_site[mask], minlength=n)

    def _tick(self, tick: int) -> None:
        la, L = self.loaders_arr, self.loaders
        if L is not None:
            la.available[:] = (L.machine == AVAILABLE)[self.lperm]
            la.fill[:] = L.state["fill_factor_frac"][self.lperm]
            la.swing_s[:] = L.state["swing_s"][self.lperm]
        delivered = np.zeros(len(self.global_sites))
        for kind, part in self.parts.items():
            if kind == "loader" and L is not None:
                L.state["duty_s"][self.lperm] = la.duty_s
                L.state["loaded_t"][self.lperm] = la.loaded_t
            if kind == "mill":
                self._mill_tick(part, tick)
                continue
            out = part.tick(tick)
            part.count(tick, out)
            if kind == "truck":
                delivered += np.bincount(
                    self.truck_site, weights=out.production, minlength=len(delivered)
                )
        self.level_t += delivered

    def _mill_tick(self, mills: Shard, tick: int) -> None:
        """Mills draw their feed from their site's stockpile, in twin order."""
        site = self._mill_site
        assert site is not None
        fed = self.has_stockpile[site]
        mills.hold = fed & (self.level_t[site] <= EMPTY_T)
        out = mills.tick(tick)
        order = self._mill_order  # fed mills, by site then twin order
        if len(order):
            want = out.production[order]
            s = site[order]
            before = np.cumsum(want) - want  # what the mills before it drew, all sites ...
            before -= before[self._mill_first][self._mill_group]  # ... made per site
            take = np.clip(np.maximum(self.level_t[s], 0.0) - before, 0.0, want)
            out.production[order] = take
            drawn = np.bincount(s, weights=take, minlength=len(self.level_t))
            self.level_t -= drawn
            self.sites_arr.committed_t[:] -= drawn
        mills.count(tick, out)

    # --- checkpoints ----------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        return {
            "parts": {k: p.state_dict() for k, p in self.parts.items()},
            "level_t": self.level_t.copy(),
            "loaders": {f: np.array(v, copy=True) for f, v in self.loaders_arr._asdict().items()},
            "sites": {f: np.array(v, copy=True) for f, v in self.sites_arr._asdict().items()},
        }

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        for k, p in self.parts.items():
            p.load_state_dict(saved["parts"][k])
        self.level_t[:] = saved["level_t"]
        for f, v in saved["loaders"].items():
            getattr(self.loaders_arr, f)[...] = v
        for f, v in saved["sites"].items():
            getattr(self.sites_arr, f)[...] = v
        if self.trucks is not None:
            s = self.trucks.state
            s["loader_index"] = np.asarray(s["loader_index"], dtype=np.int64)
        if self.loaders is not None:
            for name in _LOADER_IN:
                self.loaders.state[name] = np.asarray(self.loaders.state[name], np.float64)


class _View:
    """What a truck's tick sees of its site (`TickContext.site`)."""

    def __init__(self, system: SiteShard) -> None:
        self.system = system
        self.loaders = system.loaders_arr
        self.sites = system.sites_arr

    def trucks(self, state: dict[str, Any]) -> Trucks:
        return self.system.trucks_view(state)
