"""The XLSX emissions workbook, returned as bytes (openpyxl; the engine writes the file).

Sheets: Partial run (first, only for a run that did not finish: what it covers), Summary (by
scope and gas), By period, By twin, By kind/site/country (when the table has them), Wear,
Factors, Notes. Values are plain numbers, so the workbook opens anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

import numpy as np

from aurum.esg.ledger import GASES, SCOPE_LABELS, SCOPES, column_name
from aurum.esg.reportdata import (
    Grouped,
    ReportInput,
    by_key,
    by_period,
    factor_rows,
    gas_totals,
    scope_totals,
)


def report_xlsx(inp: ReportInput) -> bytes:
    """The workbook as bytes (requires openpyxl)."""
    from openpyxl import Workbook

    wb = Workbook()
    if inp.partial:  # the first sheet, the one the workbook opens on
        _sheet(wb.active, "Partial run", ["notice"], [[inp.partial]])
        wb.active.column_dimensions["A"].width = 120
        _sheet(wb.create_sheet(), "Summary", *_summary(inp))
    else:
        _sheet(wb.active, "Summary", *_summary(inp))
    _grouped(wb.create_sheet(), "By period", "period", by_period(inp))
    _grouped(wb.create_sheet(), "By twin", "twin_id", by_key(inp, "twin_id"))
    for key in ("kind", "site", "country"):
        if key in inp.table:
            _grouped(wb.create_sheet(), f"By {key}", key, by_key(inp, key))
    if inp.wear is not None:
        _sheet(wb.create_sheet(), "Wear", *_wear(inp))
    rows = factor_rows(inp)
    _sheet(
        wb.create_sheet(),
        "Factors",
        list(rows[0]) if rows else [],
        [list(r.values()) for r in rows],
    )
    notes = [[f"{s}: embedded GWP {', '.join(v)}"] for s, v in inp.embedded_gwp.items()]
    _sheet(wb.create_sheet(), "Notes", ["note"], notes + [[n] for n in inp.notes])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _summary(inp: ReportInput) -> tuple[list[str], list[list[Any]]]:
    totals, gases = scope_totals(inp), gas_totals(inp)
    header = ["scope", f"kg CO2e ({inp.gwp_set})", *(f"kg {g}" for g in GASES)]
    rows = [
        [SCOPE_LABELS[s], totals[s], *(gases.get(column_name(s, g), 0.0) for g in GASES)]
        for s in SCOPES
    ]
    rows.append(["Total (scope 2 location-based)", totals["total"]])
    rows.append(["Total (scope 2 market-based)", totals["total_market"]])
    return header, rows


def _grouped(ws: Any, title: str, key: str, g: Grouped) -> None:
    measures = list(g.values)
    header = [key, *(f"{m}_kg_co2e" if m != "product_t" else m for m in measures)]
    rows = [[label, *(float(g.values[m][i]) for m in measures)] for i, label in enumerate(g.labels)]
    _sheet(ws, title, header, rows)


def _wear(inp: ReportInput) -> tuple[list[str], list[list[Any]]]:
    assert inp.wear is not None
    twin = np.asarray(inp.wear["twin_id"]).astype(str)
    mode = np.asarray(inp.wear.get("mode", np.full(len(twin), "all"))).astype(str)
    kg = np.asarray(inp.wear["co2e_kg"], dtype=float)
    return ["twin_id", "mode", "co2e_kg"], [
        [t, m, float(k)] for t, m, k in zip(twin, mode, kg, strict=True)
    ]


def _sheet(ws: Any, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    ws.title = title
    ws.append(list(header))
    for row in rows:
        ws.append([float(v) if isinstance(v, np.floating) else v for v in row])
    ws.freeze_panes = "A2"
