"""The haul truck kind (CAT 793F-class): `model` (the kind: parameters, channels, the tick),
`cycle` (the compiled haul cycle), `tick` (the compiled end of a tick), `modes` (failure modes).

May import: the shared machinery of twins (kind, shard, failures, faults, rng, ...), physics,
esg. Never another kind.
"""
