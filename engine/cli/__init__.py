"""The `aurum` command: `main` (parser, validate, run, report, kinds, schema, completion) and a
module per sub-command (`study`, `risk`, `resume`, `loadtest`), registered as entry points of
`aurum.commands` (`aurum serve` comes from aurum.api). `args` holds the options every command
shares, so one meaning has one flag; `kinds` and `loadtest_report` draw what they print.

May import: every engine sub-package (it is the top of the engine's layers).
"""
