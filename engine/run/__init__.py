"""A run: from a checked scenario to shards on Ray, the coordinator's loop and its tables.

`plan` (scenario → twins grouped in shards), `actors` (shard actors and the coordinator on Ray),
`loop` (the coordinator loop: clock, epochs, maintenance, emissions, recording), `recorder`
(Parquet epoch by epoch), `fleetstate` (the fleet's live state), `workshop` (crews), `kpis`,
`summary`, `manifest`, `checkpoint` and `resume`, `runner` (`simulate`/`start`, the Python API),
`result` (what a run hands back), `capacity` (will it fit?), `report` (emissions report),
`progress` (on screen and in Jupyter), `reaper` (no Ray left behind), `precompile`.

May import: engine.scenario, engine.maintenance, engine.errors, twins, esg; Ray lives here.
"""
