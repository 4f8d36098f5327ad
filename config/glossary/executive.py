"""Glossary: the executive summary's findings, their thresholds and recommended actions (config/rules.toml
[executive], reports/findings.py, docs/executive.md)."""

from __future__ import annotations

import re

from config.glossary.model import Entry, RuleReader, Table, count, num, pct, signed

DATES = "Dates & filters"  # the summary is of a view: its filters and date range
WHERE = [("", "Report bar: Executive summary")]
# what an action's {placeholder} stands for, as the glossary prints it
PLACEHOLDERS = {"overdue": "N", "category": "<largest category>", "customers": "N", "inactive": "M"}


def executive_entries(v: RuleReader) -> list[Entry]:
    entries = [v.entry(
        "Executive summary", DATES,
        "A one- or two-page summary of a view: the headline KPIs, the key findings in sentences, each judged good, "
        "watch or act, and the recommended actions.",
        f"Each finding is a number of a tab for the view's filters, judged by the thresholds below; when the data "
        f"has the previous period of the same length, the change against it is stated, and a change for the worse "
        f"of at least the given size moves the finding one level up (good → watch → act). At most "
        f"{count(v('executive', 'max_findings'), 'finding')}, most severe first (the others are named). Too little "
        f"data gives no finding but a note: fewer than {count(v('executive', 'min_customers'), 'customer')} (or "
        f"teams), {count(v('executive', 'min_tickets'), 'ticket')} or {count(v('executive', 'min_reviews'), 'review')} "
        "in view, or in the previous period for a change.",
        appears_in=WHERE, source="docs/executive.md")]

    def e(key: str) -> object:
        return v("executive", key)

    month = e("retention_month")
    rows = (
        ("Support targets", "Support", f"SLA breach rate ≥ {pct(e('sla_breach_watch_pct'))}",
         f"≥ {pct(e('sla_breach_act_pct'))}", f"up {num(e('sla_breach_rise_pp'))} points or more"),
        ("Churn forecast", "Retention", f"customers at High churn probability ≥ {pct(e('churn_forecast_watch_pct'))}",
         f"≥ {pct(e('churn_forecast_act_pct'))}", "—"),
        ("High churn risk", "Overview", f"active customers at High churn risk ≥ {pct(e('churn_risk_watch_pct'))}",
         f"≥ {pct(e('churn_risk_act_pct'))}", f"up {num(e('churn_risk_rise_pp'))} points or more"),
        ("Customer health", "Retention", f"customers in the red health band ≥ {pct(e('red_health_watch_pct'))}",
         f"≥ {pct(e('red_health_act_pct'))}",
         f"up {num(e('red_health_rise_pp'))} points or more in {count(v('health', 'trend_days'), 'day')}"),
        ("Sentiment", "Sentiment", f"average sentiment < {signed(e('sentiment_watch_below'))}",
         f"< {signed(e('sentiment_act_below'))}", f"down {num(e('sentiment_fall'))} or more"),
        ("Ticket volume", "Support", f"tickets up {pct(e('ticket_rise_watch_pct'))} or more on the previous period",
         f"up {pct(e('ticket_rise_act_pct'))} or more", "—"),
        ("Product rating", "Product", f"average rating < {num(e('rating_watch_below'))}",
         f"< {num(e('rating_act_below'))}", f"down {num(e('rating_fall'))} or more"),
        ("Inactive teams", "Usage", f"teams without usage for over "
         f"{count(v('usage', 'inactive_team_after_days'), 'day')} ≥ {pct(e('inactive_teams_watch_pct'))}",
         f"≥ {pct(e('inactive_teams_act_pct'))}",
         f"up {num(e('inactive_teams_rise_pp'))} points or more in {count(e('usage_change_days'), 'day')}"),
        ("Retention", "Retention", f"month-{num(month)} retention < {pct(e('retention_watch_below_pct'))}",
         f"< {pct(e('retention_act_below_pct'))}",
         f"a drop-off (a fall of {num(v('retention', 'drop_off_min_pp'))} points or more)"),
        ("High Value customers", "Segmentation",
         f"their average sentiment {num(e('high_value_gap_watch'))} or more below all customers'",
         f"{num(e('high_value_gap_act'))} or more below", "—"),
    )
    entries.append(v.entry(
        "Executive findings", DATES,
        "The ten things the executive summary judges, with the tab whose numbers each one states.",
        "Watch / act from: the level at which a finding is judged so (≥: from that value on; <: strictly under it). "
        "One level up: the change against the previous period (or the given days) that makes it one level worse.",
        table=Table(("Finding", "Tab", "Watch from", "Act from", "One level up when"), rows),
        appears_in=WHERE, source="docs/executive.md"))

    actions = (("Support targets", "sla"), ("Churn forecast", "churn_forecast"), ("High churn risk", "churn_risk"),
               ("Customer health", "health"), ("Sentiment", "sentiment"), ("Ticket volume", "tickets"),
               ("Product rating", "rating"), ("Inactive teams", "inactive_teams"), ("Retention", "retention"),
               ("High Value customers", "high_value"))
    entries.append(v.entry(
        "Executive recommended actions", DATES,
        "The action the executive summary recommends for a finding judged watch or act (none when good).",
        "Numbered in the summary in the order of the findings, most severe first. N and M stand for numbers of the "
        "view (the tickets past their target, the customers likely to stop and those already inactive).",
        table=Table(("Finding", "Recommended action"),
                    tuple((name, _placeholders(e(f"action_{key}"))) for name, key in actions)),
        appears_in=WHERE, source="docs/executive.md"))
    return entries


def _placeholders(action: object) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PLACEHOLDERS.get(m.group(1), m.group(0)), str(action))
