"""The loading unit kind (CAT 6060-class diesel face shovel): `model` (the kind: parameters,
channels, the tick, the coupling state a site system reads and writes) and `modes` (failure
modes).

May import: the shared machinery of twins, physics, esg. Never another kind.
"""
