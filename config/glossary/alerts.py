"""Glossary: KPI alerts and the metrics they can watch (config/rules.toml [alerts], docs/schedules.md)."""

from __future__ import annotations

from config.glossary.model import Entry, RuleReader, Table

DATES = "Dates & filters"  # alerts watch a saved view: its filters and date range


def alert_entries(v: RuleReader) -> list[Entry]:
    metrics = v("alerts", "metrics")
    rows = tuple((m["label"], m["id"], f"{m['query']}.sql: {m['column']}", m["unit"] or "—") for m in metrics)
    return [v.entry(
        "KPI alert", DATES,
        "An email sent when a KPI of a saved view (its filters and date range) crosses a threshold: strictly above "
        "or below it.",
        "Checked by every scheduler run (the server's, every minute, or customer-insight schedule run) after the data "
        "or the alert changed. Once per crossing: it fires when the condition becomes true (also at its first check "
        "when it already is), stays silent while it stays true and is re-armed when it becomes false. The metrics it "
        "can watch, each the number of the tab's KPI card for the same filters:",
        table=Table(("Metric", "Id", "Query and column", "Unit"), rows),
        appears_in=[("", "Report bar: Schedule")], source="docs/schedules.md")]
