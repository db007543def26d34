"""The machine kinds, each a batch of twins stepped as arrays (struct-of-arrays).

One folder per kind (`truck/`, `mill/`, `boiler/`, `loader/`: the kind, its compiled tick, its
failure modes) beside the machinery they share: `kind` (the contract every kind meets),
`registry`, `conformance` (the check every registered kind passes), `shard` (a batch of twins of
one kind), `failures` and `faults` (failure modes, sensor faults), `rng` (keyed random draws),
`clock`, `schedule`, `events`, `params`, `site`, `jit` (compiled kernels), `risk` (ONNX risk
scoring). A new kind is a new folder here, registered in `registry`.

May import: physics, esg. Never the engine, the API or Ray.
"""
