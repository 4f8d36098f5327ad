"""The one rule for text cells a spreadsheet would run as formulas (appstate/cells.py), used by the audit and
feedback CSVs and the tabs' exports."""

from __future__ import annotations

import pytest

from appstate.cells import spreadsheet_safe


@pytest.mark.parametrize(("value", "written"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=HYPERLINK(\"http://evil\")", "'\r=HYPERLINK(\"http://evil\")"),  # was let through by the audit's CSV
    ("-", "-"),                   # a dash in a table is text already
    ("a=b", "a=b"),
    ("", ""),
    ("Great product", "Great product"),
])
def test_formula_looking_text_gets_a_quote_in_front(value, written):
    assert spreadsheet_safe(value) == written
