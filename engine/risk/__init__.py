"""Training and evaluating the failure-risk models the twins score themselves with (ONNX).

`data` (run-to-failure fleets and their labelled rows), `train`, `onnx_graph` (the model as an
ONNX graph), `evaluate` and `metrics` (model vs the rule baseline on held-out seeds),
`policy_study` (risk-based vs other maintenance policies), `runs` (in-process runs for them).
Scoring itself lives in twins.risk; the `risk:` block of a scenario in engine.scenario.risk.

May import: engine.run, engine.scenario, engine.errors, twins. Never engine.cli.
"""
