"""Maintenance policies behind one interface and an explicit registry, and their settings.

`config` (the scenario's `maintenance:` block: policy, crews, costs) and `policies`
(run-to-failure, time-based, condition-based, risk-based). The workshop that dispatches crews
at run time is `engine.run.workshop`.

May import: nothing else of the engine (the scenario language and the run both build on it).
"""
