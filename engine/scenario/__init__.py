"""The scenario language: what to simulate, read from YAML and checked once, at the boundary.

`model` (the pydantic schema), `loader` (read and check a file, every problem with its line and
field path), `file` (a file read defensively: size, encoding, alias bombs, depth), `semantics`
and `times` (checks across fields), `extends` (variants that say only what differs),
`durations`, `twin_ids`, `injections`, `risk` (the `risk:` block) and `emissions` (the esg plan).

May import: engine.errors, engine.maintenance, twins, esg. Never engine.run or above.
"""
