"""What-if and policy studies: variants × replications with common random numbers, compared
with confidence intervals (`aurum study`, `aurum compare`, `engine.study(...)`).

`model` (the study file), `grid` (parameter grids), `plan` (variants as scenarios, runs),
`execute`/`job`/`tasks` (runs here or as Ray tasks, resumable), `metrics`, `stats`, `result`,
`table`, `report` and `svg` (the HTML report), `compare` (finished runs side by side).

May import: engine.run, engine.scenario, engine.errors. Never engine.cli.
"""
