"""AurumAI Twin: digital twins of an industrial fleet, in one import package.

    from aurum import engine
    r = engine.simulate("scenarios/demo.yaml")

Sub-packages, each layer importing only those below it:

- `aurum.api`      HTTP API and dashboard (FastAPI) over the engine
- `aurum.engine`   scenarios, runs on Ray, studies, risk models, load tests, the `aurum` CLI
- `aurum.twins`    the machine kinds: physics over batches of twins, failure modes, sensors
- `aurum.physics`  plain equations over arrays, with their published sources
- `aurum.esg`      emissions accounting from emission factors kept as data

In a checkout, aurum/<name> links to the repository's top-level folder of that name.
"""

from importlib import metadata

try:
    __version__ = metadata.version("aurum-twin")
except metadata.PackageNotFoundError:  # a checkout that was not installed
    __version__ = "0+unknown"
