"""Large fleets flat out: generated fleets of any size and what they cost (`aurum loadtest`).

`loadtest` (a fleet of N twins by kind mix, run and measured: throughput, memory, latency and
where the time went). Whether a run fits the machine is engine.run.capacity.

May import: engine.run, engine.scenario, engine.errors. Never engine.cli.
"""
