"""The steam boiler kind (50 t/h, gas, diesel or coal): `model` (the kind: parameters, channels,
the tick), `tick` (the compiled tick) and `modes` (failure modes).

May import: the shared machinery of twins, physics, esg. Never another kind.
"""
