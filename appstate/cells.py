"""Text cells that a spreadsheet would run as formulas (CSV injection): one rule for every file a user opens in
Excel — the audit and feedback CSVs (appstate/), the tabs' Excel and CSV exports (reports/excel.py, reports/exports.py).
Standard library only: appstate must not import the reports' pandas."""

from __future__ import annotations

# = + - @ start a formula in Excel, LibreOffice and Google Sheets; a tab or a carriage return before one hides it
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_looking(value: str) -> bool:
    """True for a text a spreadsheet would read as a formula; a lone "-" or "+" (a dash in a table) is text."""
    return len(value) > 1 and value.startswith(FORMULA_START)


def spreadsheet_safe(value: str) -> str:
    """`value` with a quote in front when it looks like a formula: spreadsheets then show it as text."""
    return "'" + value if formula_looking(value) else value
