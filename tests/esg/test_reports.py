"""HTML and XLSX reports from plain inputs: self-contained, complete, readable back."""

from __future__ import annotations

import io

import numpy as np
import pytest

from aurum import esg

CATS = {"diesel_l": "1.A.2.g.vii", "electricity_kwh": "electricity"}


def _input() -> esg.ReportInput:
    plan = esg.build_plan(
        [esg.SiteSpec("pit", "CL"), esg.SiteSpec("plant", "AU-WA-NWIS")],
        [("diesel_l", "1.A.2.g.vii"), ("electricity_kwh", "electricity")],
    )
    cols: dict[str, list[object]] = {"period": [], "twin_id": [], "kind": [], "product_t": []}
    cols |= {c: [] for c in esg.COLUMNS} | {"mb_fallback": []}
    for hour in range(6):
        act = {"diesel_l": np.array([100.0, 120, 0]), "electricity_kwh": np.array([0, 0, 5e3])}
        led = esg.account(plan, act, CATS, [0, 0, 1])
        for name, values in led.columns().items():
            cols[name] += list(values)
        cols["mb_fallback"] += list(led.mb_fallback)
        cols["period"] += [np.datetime64("2025-01-01T00:00") + np.timedelta64(hour, "h")] * 3
        cols["twin_id"] += ["TRUCK-1", "TRUCK-2", "MILL-1"]
        cols["kind"] += ["truck", "truck", "mill"]
        cols["product_t"] += [300.0, 300.0, 900.0]
    table = {k: np.asarray(v) for k, v in cols.items()}
    wear = {"twin_id": np.array(["TRUCK-1"]), "mode": np.array(["tyre"]), "co2e_kg": [12.5]}
    return esg.ReportInput(
        table, plan.records, "AR6", "ipcc", "Demo", "run test", plan.embedded_gwp, plan.notes, wear
    )


def test_html_is_self_contained_and_complete() -> None:
    html = esg.report_html(_input())
    assert html.startswith("<!doctype html>") and html.count("<svg") >= 3
    assert "src=" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    for text in (
        "Scope 2 (market-based)",
        "Cost of wear in carbon",
        "cl-sen-2023",
        "gwp-ar6-ch4-fossil",
        "nga2024-au-wa-nwis-scope2",
        "fallback",
        "TRUCK-1",
    ):
        assert text in html, text


def test_xlsx_reads_back_with_the_same_totals() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    inp = _input()
    wb = openpyxl.load_workbook(io.BytesIO(esg.report_xlsx(inp)))
    assert {"Summary", "By period", "By twin", "By kind", "Wear", "Factors", "Notes"} <= set(
        wb.sheetnames
    )
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    expected = esg.co2e(inp.table, "AR6")
    assert summary["Scope 1"] == pytest.approx(float(np.sum(expected["scope1"])))
    ids = [row[0] for row in wb["Factors"].iter_rows(min_row=2, values_only=True)]
    assert "ipcc2006-t3.3.1-diesel-industry" in ids and "gwp-ar6-n2o" in ids
