"""The SAG mill kind (12 m, 20 MW): `model` (the kind: parameters, channels, the tick) and
`modes` (failure modes).

May import: the shared machinery of twins, physics, esg. Never another kind.
"""
