"""The executive summary's findings as data: what the numbers of the tabs say, in sentences, judged "good", "watch"
or "act" by the thresholds of config/rules.toml [executive] (docs/executive.md).

Each finding is a small pure function of the rows its tab's own queries return (the frames of overview/kpis,
support/sla_breach_rate, health/health_bands, ...), so that every number in a sentence is a number of a tab, and
the rules are tested on hand-made rows. `collect_findings` runs those queries for a view, for the period in view and
for the previous period of the same length (Filters.previous_period, as the Overview KPI cards do), and ranks the
findings. Too little data gives a Note ("fewer than 20 tickets in view") instead of a finding: a rate over a handful
of records is not something to act on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from config.rules import load_rules
from dashapp.figures.common import is_missing

SEVERITIES = ("act", "watch", "good")  # most severe first
# topic order among findings of equal severity: what an executive should read first
TOPICS = ("Support targets", "Churn forecast", "High churn risk", "Customer health", "Sentiment", "Ticket volume",
          "Product rating", "Inactive teams", "Retention", "High Value customers")
Rules = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Finding:
    topic: str
    severity: str       # "good" | "watch" | "act"
    text: str           # sentences with the tab's numbers
    action: str | None  # the recommended action (findings judged "watch" or "act"), from [executive] action_*
    tab: str            # the tab id whose numbers these are


@dataclass(frozen=True)
class Note:
    """A topic without a finding, and why (too little data in view)."""
    topic: str
    text: str
    tab: str


@dataclass
class Summary:
    findings: list[Finding] = field(default_factory=list)  # at most max_findings, most severe first
    notes: list[Note] = field(default_factory=list)
    left_out: list[Finding] = field(default_factory=list)  # the least severe findings beyond max_findings
    comparison: str | None = None                          # "the previous 90 days (…)", None without one


# ---------------------------------------------------------------- judging and wording

# Values are compared rounded to this many decimals: 0.25 - 0.2 is 0.04999999999999999 in floating point, and a
# fall of "0.05" must meet a threshold of 0.05.
PRECISION = 9


def level(value: float, watch: float, act: float) -> str:
    """Higher is worse: "act" from `act` on, "watch" from `watch` on (both inclusive)."""
    value = round(value, PRECISION)
    return "act" if value >= act else "watch" if value >= watch else "good"


def level_below(value: float, watch_below: float, act_below: float) -> str:
    """Lower is worse: "act" under `act_below`, "watch" under `watch_below` (both strict)."""
    value = round(value, PRECISION)
    return "act" if value < act_below else "watch" if value < watch_below else "good"


def worse_by(delta: float, threshold: float) -> bool:
    """A change for the worse of `delta` (positive = worse) meets `threshold` (inclusive)."""
    return round(delta, PRECISION) >= threshold


def escalate(severity: str) -> str:
    return {"good": "watch", "watch": "act"}.get(severity, "act")


def change(delta: float, fmt: str, unit: str = "") -> str:
    """'up 1.2 points' / 'down 0.05' / 'unchanged', as formatted with `fmt` (the tab's format of the value)."""
    size = fmt.format(abs(delta)).lstrip("+")
    if float(size.replace(",", "")) == 0:
        return "unchanged"
    return f"{'up' if delta > 0 else 'down'} {size}{unit}"


def _action(rules: Rules, topic_key: str, severity: str, **values: Any) -> str | None:
    if severity == "good":
        return None
    return rules["executive"][f"action_{topic_key}"].format_map(_Keep(values))


class _Keep(dict):
    """str.format_map values: a placeholder the action does not know stays as written instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _enough(row: Mapping[str, Any] | None, column: str, minimum: int) -> bool:
    return row is not None and not is_missing(row.get(column)) and int(row[column]) >= minimum


def months_text(days: int) -> str:
    """182 -> 'over 6 months' (as the Usage tab names it), 45 -> 'over 45 days'."""
    return f"over {round(days / 30.44)} months" if days >= 60 else f"over {days} days"


# ---------------------------------------------------------------- one function per finding

def churn_risk(kpis: Mapping[str, Any], previous: Mapping[str, Any] | None, period: str, rules: Rules,
               risk_filter: tuple[str, ...] = ()) -> Finding | Note:
    """overview/kpis: % of the customers active in the period labelled High churn risk. With the view filtered on
    churn risk (`risk_filter`) that share is the filter's doing, not a finding."""
    ex, topic = rules["executive"], "High churn risk"
    if risk_filter:
        return Note(topic, f"the view keeps only customers at {' or '.join(risk_filter)} churn risk, so their share "
                           "says nothing here.", "overview")
    customers = int(kpis.get("active_customers") or 0)
    if customers < ex["min_customers"] or is_missing(kpis.get("pct_high_churn_risk")):
        return Note(topic, f"fewer than {ex['min_customers']} customers active in view ({customers}).", "overview")
    pct = float(kpis["pct_high_churn_risk"])
    severity = level(pct, ex["churn_risk_watch_pct"], ex["churn_risk_act_pct"])
    text = (f"{pct:.1f} % of the {customers:,} customers active in the period are at high churn risk (a label from "
            "their sentiment and tickets)")
    if _enough(previous, "active_customers", ex["min_customers"]) and not is_missing(previous["pct_high_churn_risk"]):
        before = float(previous["pct_high_churn_risk"])
        text += f", {change(pct - before, '{:.1f}', ' points')} from {before:.1f} % in {period}"
        if worse_by(pct - before, ex["churn_risk_rise_pp"]):
            severity = escalate(severity)
    return Finding(topic, severity, text + ".", _action(rules, "churn_risk", severity), "overview")


def sentiment(kpis: Mapping[str, Any], previous: Mapping[str, Any] | None, period: str,
              rules: Rules) -> Finding | Note:
    """overview/kpis: average sentiment (−1..1) of the interactions, reviews and tickets in view."""
    ex, topic = rules["executive"], "Sentiment"
    customers = int(kpis.get("active_customers") or 0)
    if customers < ex["min_customers"] or is_missing(kpis.get("avg_sentiment")):
        return Note(topic, f"fewer than {ex['min_customers']} customers with interactions, reviews or tickets in view "
                           f"({customers}).", "sentiment")
    value = float(kpis["avg_sentiment"])
    severity = level_below(value, ex["sentiment_watch_below"], ex["sentiment_act_below"])
    text = (f"The average sentiment of what customers wrote and said (interactions, reviews and tickets) is "
            f"{value:+.2f} on a scale from -1 to +1")
    if _enough(previous, "active_customers", ex["min_customers"]) and not is_missing(previous["avg_sentiment"]):
        before = float(previous["avg_sentiment"])
        text += f", {change(value - before, '{:.2f}')} from {before:+.2f} in {period}"
        if worse_by(before - value, ex["sentiment_fall"]):
            severity = escalate(severity)
    return Finding(topic, severity, text + ".", _action(rules, "sentiment", severity), "sentiment")


def rating(kpis: Mapping[str, Any], reviews: int, previous: Mapping[str, Any] | None, previous_reviews: int,
           period: str, rules: Rules) -> Finding | Note:
    """overview/kpis avg_rating (1–5); the reviews counted by product/rating_distribution."""
    ex, topic = rules["executive"], "Product rating"
    if reviews < ex["min_reviews"] or is_missing(kpis.get("avg_rating")):
        return Note(topic, f"fewer than {ex['min_reviews']} reviews in view ({reviews}).", "product")
    value = float(kpis["avg_rating"])
    severity = level_below(value, ex["rating_watch_below"], ex["rating_act_below"])
    text = f"Customers rate the product {value:.2f} out of 5 on average ({reviews:,} reviews)"
    if previous is not None and previous_reviews >= ex["min_reviews"] and not is_missing(previous.get("avg_rating")):
        before = float(previous["avg_rating"])
        text += f", {change(value - before, '{:.2f}')} from {before:.2f} in {period}"
        if worse_by(before - value, ex["rating_fall"]):
            severity = escalate(severity)
    return Finding(topic, severity, text + ".", _action(rules, "rating", severity), "product")


def support_targets(sla: Mapping[str, Any], resolution: Mapping[str, Any], previous: Mapping[str, Any] | None,
                    period: str, rules: Rules) -> Finding | Note:
    """support/sla_breach_rate and support/resolution_rate: tickets past their resolution target (SLA)."""
    ex, topic = rules["executive"], "Support targets"
    measured = int(sla.get("measured_tickets") or 0)
    if measured < ex["min_tickets"] or is_missing(sla.get("sla_breach_rate_pct")):
        return Note(topic, f"fewer than {ex['min_tickets']} tickets with a resolution target in view ({measured}).",
                    "support")
    rate = float(sla["sla_breach_rate_pct"])
    severity = level(rate, ex["sla_breach_watch_pct"], ex["sla_breach_act_pct"])
    text = f"{rate:.1f} % of the {measured:,} tickets that could be checked missed their resolution target"
    if _enough(previous, "measured_tickets", ex["min_tickets"]) and not is_missing(previous["sla_breach_rate_pct"]):
        before = float(previous["sla_breach_rate_pct"])
        text += f" ({change(rate - before, '{:.1f}', ' points')} from {before:.1f} % in {period})"
        if worse_by(rate - before, ex["sla_breach_rise_pp"]):
            severity = escalate(severity)
    overdue, open_tickets = int(sla["breached_unresolved_tickets"]), int(sla["unresolved_tickets"])
    text += f". {overdue:,} of the {open_tickets:,} tickets still open are already past it"
    if not is_missing(resolution.get("resolution_rate_pct")):
        text += f"; {float(resolution['resolution_rate_pct']):.1f} % of all tickets are resolved or closed"
    return Finding(topic, severity, text + ".", _action(rules, "sla", severity, overdue=f"{overdue:,}"), "support")


def ticket_volume(totals: Mapping[str, Any], categories: pd.DataFrame, previous: Mapping[str, Any] | None,
                  previous_categories: pd.DataFrame | None, period: str, rules: Rules) -> Finding | Note:
    """support/ticket_totals and support/tickets_by_category, against the previous period: a change in volume needs
    that period; without it the largest category is still named, in a note."""
    ex, topic = rules["executive"], "Ticket volume"
    tickets = int(totals.get("tickets") or 0)
    if tickets < ex["min_tickets"]:
        return Note(topic, f"fewer than {ex['min_tickets']} tickets in view ({tickets}).", "support")
    top = categories.iloc[0]
    category, in_category = str(top["ticket_category"]), int(top["tickets"])
    largest = f"the largest category is {category} with {in_category:,} tickets ({100.0 * in_category / tickets:.0f} %"
    if not is_missing(top["avg_sentiment"]):
        largest += f", average sentiment {float(top['avg_sentiment']):+.2f}"
    largest += ")"
    if not _enough(previous, "tickets", ex["min_tickets"]):
        return Note(topic, f"no earlier period with at least {ex['min_tickets']} tickets to compare with; "
                           f"{tickets:,} tickets in view, {largest}.", "support")
    before = int(previous["tickets"])
    rise = 100.0 * (tickets - before) / before
    severity = level(rise, ex["ticket_rise_watch_pct"], ex["ticket_rise_act_pct"])
    text = f"{tickets:,} tickets were opened, {change(rise, '{:.0f}', ' %')} from {before:,} in {period}; {largest}"
    earlier = (previous_categories.loc[previous_categories["ticket_category"] == category, "tickets"]
               if previous_categories is not None else [])
    if len(earlier) and int(earlier.iloc[0]):
        text += f", {change(100.0 * (in_category / int(earlier.iloc[0]) - 1), '{:.0f}', ' %')} on {period}"
    return Finding(topic, severity, text + ".",
                   _action(rules, "tickets", severity, category=top["ticket_category"]), "support")


def customer_health(bands: pd.DataFrame, rules: Rules) -> Finding | Note:
    """health/health_bands: the red band's share and its change over [health] trend_days."""
    ex, topic = rules["executive"], "Customer health"
    by_band = bands.set_index("health_band") if not bands.empty else bands
    scored = int(by_band["customers"].sum()) if not bands.empty else 0
    if scored < ex["min_customers"]:
        return Note(topic, f"fewer than {ex['min_customers']} customers with a health score in view ({scored}).",
                    "retention")
    red, green = by_band.loc["red"], by_band.loc["green"]
    pct, before = 100.0 * float(red["share_of_customers"]), 100.0 * float(red["previous_share_of_customers"])
    severity = level(pct, ex["red_health_watch_pct"], ex["red_health_act_pct"])
    days = int(rules["health"]["trend_days"])
    healthy = f"{100.0 * float(green['share_of_customers']):.1f} % are healthy (green)"
    if not int(red["customers"]) and not before:
        text = f"No customer is in poor health (the red band), nor was {days} days earlier; {healthy}"
    else:
        text = (f"{pct:.1f} % of customers ({int(red['customers']):,}) are in poor health (the red band), "
                f"{change(pct - before, '{:.1f}', ' points')} from {before:.1f} % {days} days earlier; {healthy}")
    if worse_by(pct - before, ex["red_health_rise_pp"]):
        severity = escalate(severity)
    return Finding(topic, severity, text + ".", _action(rules, "health", severity), "retention")


def churn_forecast(summary: pd.DataFrame, evaluation: Mapping[str, Any], rules: Rules) -> Finding | Note:
    """churn/churn_summary (customers per churn band) and the model's status (churn/churn_evaluation)."""
    ex, topic = rules["executive"], "Churn forecast"
    status = str(evaluation.get("status") or "no model")
    if status != "ok":
        why = ("there is too little history to train the churn model" if status.startswith("insufficient")
               else "the churn model could not be built")
        return Note(topic, f"no forecast: {why}.", "retention")
    by_band = summary.set_index("churn_band")
    customers = int(summary["customers"].sum())
    if customers < ex["min_customers"]:
        return Note(topic, f"fewer than {ex['min_customers']} customers in view ({customers}).", "retention")
    high, inactive = by_band.loc["High"], by_band.loc["Inactive"]
    pct = 100.0 * float(high["share"])
    severity = level(pct, ex["churn_forecast_watch_pct"], ex["churn_forecast_act_pct"])
    horizon = int(rules["churn_model"]["horizon_days"])
    text = (f"The churn model expects {int(high['customers']):,} customers ({pct:.1f} %) to stop all activity in "
            f"the next {horizon} days; {int(inactive['customers']):,} more ({100.0 * float(inactive['share']):.1f} %) "
            f"have had no activity for {horizon} days already")
    return Finding(topic, severity, text + ".",
                   _action(rules, "churn_forecast", severity, customers=f"{int(high['customers']):,}",
                           inactive=f"{int(inactive['customers']):,}"), "retention")


def inactive_teams(checkup: Mapping[str, Any], earlier: Mapping[str, Any] | None, rules: Rules) -> Finding | Note:
    """usage/checkup now, and executive/inactive_teams_earlier [executive] usage_change_days before."""
    ex, topic = rules["executive"], "Inactive teams"
    if not int(checkup.get("usage_rows") or 0):
        return Note(topic, "no product usage data is loaded.", "usage")
    teams = int(checkup.get("teams") or 0)
    if teams < ex["min_customers"]:
        return Note(topic, f"fewer than {ex['min_customers']} teams in view ({teams}).", "usage")
    inactive = int(checkup["inactive_teams_6m"])
    pct = 100.0 * inactive / teams
    severity = level(pct, ex["inactive_teams_watch_pct"], ex["inactive_teams_act_pct"])
    text = (f"{inactive:,} of {teams:,} teams ({pct:.1f} %) have not used the product for "
            f"{months_text(int(rules['usage']['inactive_team_after_days']))}, "
            f"{int(checkup['never_used_teams']):,} of them never")
    if _enough(earlier, "earlier_teams", ex["min_customers"]):
        before = 100.0 * int(earlier["earlier_inactive_teams_6m"]) / int(earlier["earlier_teams"])
        text += (f" ({change(pct - before, '{:.1f}', ' points')} from {before:.1f} % "
                 f"{ex['usage_change_days']} days earlier)")
        if worse_by(pct - before, ex["inactive_teams_rise_pp"]):
            severity = escalate(severity)
    return Finding(topic, severity, text + ".", _action(rules, "inactive_teams", severity), "usage")


def retention(curve: pd.DataFrame, rules: Rules) -> Finding | Note:
    """retention/retention_curve: retention [executive] retention_month months after sign-up, and drop-offs."""
    ex, topic = rules["executive"], "Retention"
    month = int(ex["retention_month"])
    row = curve[curve["months_since_signup"] == month] if not curve.empty else curve
    customers = int(row["customers"].iloc[0]) if len(row) else 0
    if customers < ex["min_customers"]:
        so_far = (f"no customer in view has been a customer for {month} months yet" if not customers else
                  f"fewer than {ex['min_customers']} customers in view have been customers for {month} months "
                  f"({customers})")
        return Note(topic, f"{so_far}: the date range picks customers by their sign-up month; a longer range "
                           "takes earlier ones.", "retention")
    pct, cohorts = float(row["retention_pct"].iloc[0]), int(row["cohorts"].iloc[0])
    severity = level_below(pct, ex["retention_watch_below_pct"], ex["retention_act_below_pct"])
    text = (f"{pct:.1f} % of customers were still active {month} months after signing up ({customers:,} customers "
            f"in {cohorts:,} monthly cohorts)")
    drops = curve[curve["is_drop_off"]]
    min_pp = rules["retention"]["drop_off_min_pp"]
    if len(drops):
        first = drops.iloc[0]
        text += (f"; retention falls by {abs(float(first['change_pp'])):.1f} points from month "
                 f"{int(first['months_since_signup']) - 1} to month {int(first['months_since_signup'])}")
        severity = escalate(severity)
    else:
        text += f"; no month-to-month fall of {min_pp:g} points or more"
    return Finding(topic, severity, text + ".", _action(rules, "retention", severity), "retention")


def high_value(profile: pd.DataFrame, kpis: Mapping[str, Any], rules: Rules) -> Finding | Note:
    """segmentation/value_segment_profile against overview/kpis: are the High Value customers less happy?"""
    ex, topic = rules["executive"], "High Value customers"
    rows = profile.set_index("value_segment")
    high = rows.loc["High Value"]
    customers = int(high["customers"])
    if customers < ex["min_customers"] or is_missing(high["avg_sentiment"]) or is_missing(kpis.get("avg_sentiment")):
        return Note(topic, f"fewer than {ex['min_customers']} High Value customers with sentiment in view "
                           f"({customers}).", "segmentation")
    if not int(rows.drop(index="High Value")["customers"].sum()):
        return Note(topic, "only High Value customers are in view: there is no one to compare them with.",
                    "segmentation")
    mine, everyone = float(high["avg_sentiment"]), float(kpis["avg_sentiment"])
    severity = level(everyone - mine, ex["high_value_gap_watch"], ex["high_value_gap_act"])
    others = ", ".join(f"{name} {float(rows.loc[name, 'tickets_per_customer']):.1f}"
                       for name in ("Medium Value", "Low Value")
                       if name in rows.index and not is_missing(rows.loc[name, "tickets_per_customer"]))
    text = (f"The {customers:,} High Value customers have an average sentiment of {mine:+.2f}, against "
            f"{everyone:+.2f} for all customers in view; they opened {float(high['tickets_per_customer']):.1f} "
            "tickets each in the period") + (f" ({others})" if others else "")
    return Finding(topic, severity, text + ".", _action(rules, "high_value", severity), "segmentation")


# ---------------------------------------------------------------- ranking

def rank(items: list[Finding | Note], max_findings: int) -> Summary:
    """Findings most severe first (ties in TOPICS order), at most `max_findings` (a summary that fits two pages);
    the ones beyond it, the least severe, go to left_out: the report still names them."""
    found = sorted((i for i in items if isinstance(i, Finding)),
                   key=lambda f: (SEVERITIES.index(f.severity), TOPICS.index(f.topic) if f.topic in TOPICS else 99))
    return Summary(found[:max_findings], [i for i in items if isinstance(i, Note)], found[max_findings:])


# ---------------------------------------------------------------- the view's findings

def collect_findings(reader: Any, filters: Any, rules: Rules | None = None) -> Summary:
    """Run the tabs' queries for the view (and the previous period where a finding compares) and judge them."""
    rules = rules or load_rules()
    bounds = reader.date_bounds()
    before = filters.previous_period(*bounds)
    start, end = filters.date_from or bounds[0], filters.date_to or bounds[1]
    days = (end - start).days + 1
    period = f"the previous {days:,} days"

    def row(name: str, view: Any = filters, **params: Any) -> dict[str, Any]:
        frame = reader.query(name, view, **params)
        return frame.iloc[0].to_dict() if len(frame) else {}

    def reviews(view: Any) -> int:
        return int(reader.query("product/rating_distribution", view)["reviews"].sum())

    kpis, kpis_before = row("overview/kpis"), row("overview/kpis", before)
    evaluation = reader.query("churn/churn_evaluation")
    steps: list[Callable[[], Finding | Note]] = [
        lambda: support_targets(row("support/sla_breach_rate"), row("support/resolution_rate"),
                                row("support/sla_breach_rate", before), period, rules),
        lambda: churn_forecast(reader.query("churn/churn_summary", filters),
                               evaluation.iloc[0].to_dict() if len(evaluation) else {}, rules),
        lambda: churn_risk(kpis, kpis_before, period, rules, tuple(filters.churn_risks)),
        lambda: customer_health(reader.query("health/health_bands", filters), rules),
        lambda: sentiment(kpis, kpis_before, period, rules),
        lambda: ticket_volume(row("support/ticket_totals"), reader.query("support/tickets_by_category", filters),
                              row("support/ticket_totals", before),
                              reader.query("support/tickets_by_category", before), period, rules),
        lambda: rating(kpis, reviews(filters), kpis_before, reviews(before), period, rules),
        lambda: inactive_teams(row("usage/checkup"), row("executive/inactive_teams_earlier"), rules),
        lambda: retention(reader.query("retention/retention_curve", filters, data_start=bounds[0]), rules),
        lambda: high_value(reader.query("segmentation/value_segment_profile", filters), kpis, rules),
    ]
    summary = rank([step() for step in steps], int(rules["executive"]["max_findings"]))
    if int(kpis_before.get("active_customers") or 0):
        prev_from, prev_to = before.date_from, before.date_to
        summary.comparison = f"{period} ({prev_from:%d %b %Y} – {prev_to:%d %b %Y})"
    return summary
