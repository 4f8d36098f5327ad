"""Glossary: product usage (teams, users, super users, stickiness, adoption), cohort retention, and the dates and
filters every tab shares. Windows and thresholds from config/rules.toml [usage], [retention], [dashboard], as the
marts (docs/marts.md) and the Retention tab's queries (docs/retention.md) read them."""

from __future__ import annotations

from config.glossary.model import Entry, RuleReader, Table, count, days, num

USAGE = "Usage"
RETENTION = "Retention"
DATES = "Dates & filters"
FILTER = ""


def usage_entries(v: RuleReader) -> list[Entry]:
    entries = [
        v.entry("Usage activity", USAGE,
                "A day on which a user used a product feature.",
                "A usage event with at least one event (a missing events_count counts as 1; 0 is not activity), "
                "counted per calendar day. Interactions, tickets and orders do not make a team or user active.",
                appears_in=[("usage", "Usage tab"), ("customer", "Team and product usage")],
                source="docs/marts.md#mart_usage_daily"),
        v.entry("Team", USAGE,
                "A customer account and its users: usage events are recorded per team (customer_id) and user.",
                "Team size = the team's users: those of the users file plus any user seen only in usage events. The "
                "sidebar's customer filters choose the teams.",
                appears_in=[("usage", "Check-up: Teams"), ("customer", "Team and product usage")],
                source="docs/marts.md#mart_team_activity"),
        v.entry("Active user", USAGE,
                "A user who used the product recently.",
                f"At least one day of usage activity in the last {days(v('usage', 'active_window_days'))} "
                "(counted from the newest data date).",
                appears_in=[("usage", "Check-up: Active in the last 30 days"), ("customer", "Users")],
                source="docs/marts.md#mart_user_activity"),
        v.entry("Active team", USAGE,
                "A team that used the product recently.",
                f"Its last usage day is less than {days(v('usage', 'active_window_days'))} before the newest data "
                "date (0 days = used on that date).",
                appears_in=[("usage", "Check-up: Active in the last 30 days"), ("usage", "Last activity per team")],
                source="docs/marts.md#mart_team_activity"),
        v.entry("Inactive team", USAGE,
                "A team that has stopped using the product, or never started.",
                f"Never used the product, or its last usage day is more than "
                f"{days(v('usage', 'inactive_team_after_days'))} before the newest data date (exactly "
                f"{num(v('usage', 'inactive_team_after_days'))} days is not yet inactive).",
                appears_in=[("usage", "Check-up: Inactive for over 6 months"), ("usage", "Last activity per team")],
                source="docs/marts.md#mart_team_activity"),
    ]
    active, inactive = v("usage", "active_window_days"), v("usage", "inactive_team_after_days")
    entries.append(v.entry(
        "Team activity status", USAGE,
        "Where a team stands by its last day of product use, as of the newest data date.",
        table=Table(("Status", "Last usage day"), (
            ("active", f"less than {days(active)} ago"),
            ("quiet", f"{days(active)} to {days(inactive)} ago"),
            ("inactive", f"more than {days(inactive)} ago"),
            ("never used", "no usage event at all (also counted as inactive)"))),
        appears_in=[("usage", "Last activity per team")], source="sql/queries/usage/last_activity_distribution.sql"))
    entries += [
        v.entry("Super user", USAGE,
                "A user who uses the product heavily.",
                f"At least {count(v('usage', 'super_user_min_actions'), 'action')} (usage events) in the last "
                f"{days(v('usage', 'super_user_window_days'))}; one action fewer is not a super user.",
                appears_in=[("usage", "Most active teams"), ("customer", "Users")],
                source="docs/marts.md#mart_user_activity"),
        v.entry("Favourite feature", USAGE,
                "The feature a user uses most.",
                f"The feature with the most events in the last {days(v('usage', 'active_window_days'))}; ties go "
                "to the alphabetically first; none without events in that window.",
                appears_in=[("customer", "Users")], source="docs/marts.md#mart_user_activity"),
        v.entry("Onboarded date", USAGE,
                "When a team started: the earliest join date of its users, else the customer's sign-up date.",
                appears_in=[("usage", "Recently onboarded teams")], source="docs/marts.md#mart_team_activity"),
        v.entry("Feature adoption", USAGE,
                "How widely a feature is used.",
                "Over the date range: teams that used the feature ÷ teams with any usage (team adoption); the same "
                "for users (user adoption).",
                appears_in=[("usage", "Features")], source="sql/queries/usage/feature_adoption.sql"),
        v.entry("Stickiness (DAU/MAU)", USAGE,
                "How often active users come back, per feature and over all features.",
                f"Over the last {days(v('usage', 'active_window_days'))} of the date range (all of it when shorter): "
                "DAU = the average number of users active per day, MAU = the users active on at least one of those "
                "days; stickiness = DAU ÷ MAU (1 = every active user, every day).",
                appears_in=[("usage", "Features")], source="sql/queries/usage/stickiness.sql"),
        v.entry("Usage funnel", USAGE,
                "How many users go on to use the features of a chosen list, in that order.",
                "Step 1: the first day in the date range a user used feature 1; step k: the first day, on or after "
                "step k−1 (the same day counts), they used feature k. Shares of step 1 and of the previous step, and "
                "the median days between steps.",
                appears_in=[("usage", "Features")], source="sql/queries/usage/funnel.sql"),
        v.entry("Features used together", USAGE,
                "Whether the teams or users of one feature also use another.",
                "Over the date range: the share of the users of a who also used b, and the phi coefficient (the "
                "correlation of \"used a\" with \"used b\", −1 to 1).",
                appears_in=[("usage", "Features")], source="sql/queries/usage/feature_correlation.sql"),
        v.entry("Team usage profile", USAGE,
                "A group of teams with a similar mix of features, found by clustering.",
                "Over a recent window of the newest data date: teams without use (\"No recent use\") and with very "
                "few events per member (\"Under-engaged\") are set apart; the others are clustered (KMeans) on the "
                "share of their events per feature and named from the features they use more than average.",
                appears_in=[("usage", "Team usage profiles")], source="insight/team_profiles.py"),
    ]
    return entries


def retention_entries(v: RuleReader) -> list[Entry]:
    return [
        v.entry("Cohort", RETENTION,
                "The customers who signed up in the same calendar month.",
                "The date range picks whole cohorts (those whose sign-up month overlaps it); each is followed to the "
                "newest data month.",
                appears_in=[("retention", "Monthly retention by sign-up cohort")], source="docs/retention.md"),
        v.entry("Active in a month", RETENTION,
                "What counts as a customer still being there, for retention and the churn model.",
                "Any interaction, product usage event or order (amount > 0) dated in the month. Reviews, tickets "
                "and refunds are not activity: a complaint or a cancellation is not retention.",
                appears_in=[("retention", "Monthly retention by sign-up cohort")],
                source="sql/analytics/mart_customer_active_months.sql"),
        v.entry("Retention rate", RETENTION,
                "The share of a cohort still active a given number of months after signing up.",
                "Customers of the cohort active in month k ÷ customers in the cohort; month 0 is the sign-up month "
                "itself. The average curve and the month-1/3/12 cards weight the cohorts in view by size.",
                appears_in=[("retention", "Retention curves"), ("retention", "Month-1 retention")],
                source="docs/retention.md"),
        v.entry("Month in progress", RETENTION,
                "The newest month, not yet over, whose rate is still rising.",
                "Shown on the heatmap with *, left out of the curves, averages and drop-offs; months before the "
                "activity data starts are blank, not 0 %.",
                appears_in=[("retention", "Monthly retention by sign-up cohort")], source="docs/retention.md"),
        v.entry("Drop-off", RETENTION,
                "A month after sign-up where retention falls sharply.",
                f"A step from month k−1 to month k where retention, measured over the same cohorts, falls by "
                f"{num(v('retention', 'drop_off_min_pp'))} percentage points or more, measured over at least "
                f"{count(v('retention', 'drop_off_min_customers'), 'customer')}; smaller steps are noise and never "
                "drop-offs.",
                appears_in=[("retention", "Retention curves"), ("retention", "Largest monthly fall")],
                source="docs/retention.md"),
        v.entry("Largest monthly fall", RETENTION,
                "The biggest fall of the average retention from one month to the next.",
                f"The most negative step among those measured over at least "
                f"{count(v('retention', 'drop_off_min_customers'), 'customer')} (the earliest on a tie), in "
                "percentage points; named even when it is not a drop-off.",
                appears_in=[("retention", "Largest monthly fall")], source="docs/retention.md"),
    ]


def dates_entries(v: RuleReader) -> list[Entry]:
    return [
        v.entry("Newest data date (as-of date)", DATES,
                "The date every \"last N days\", \"days since\" and \"inactive for\" counts from: the newest activity "
                "in the warehouse, never today's date.",
                "The latest date of any interaction, review, ticket, usage event or order (sign-up dates are not "
                "activity). Shown in the header as \"data up to\".",
                appears_in=[(FILTER, "Header: data up to")], source="docs/marts.md#warehouse_as_of"),
        v.entry("Last N days", DATES,
                "A window of N calendar days ending on the newest data date, that date included.",
                "The days d with 0 ≤ as-of date − d < N: with N = 30 and an as-of date of 30 June, 1 June is in and "
                "31 May is out.",
                source="docs/marts.md"),
        v.entry("Date range", DATES,
                "The period whose records (interactions, reviews, tickets) the tabs count.",
                "Presets (last 7, 30, 90 days, year to date, all time) end on the newest data date. Customer labels, "
                "RFM, health, churn and clusters are as of the newest data and ignore it; retention uses it to pick "
                "cohorts.",
                appears_in=[(FILTER, "Sidebar: Date range filter")], source="README.md"),
        v.entry("Weekly or monthly", DATES,
                "The time step of the trend charts.",
                f"Weekly for date ranges up to {days(v('dashboard', 'monthly_after_days'))}, monthly for longer ones.",
                appears_in=[("overview", "Sentiment trend"), ("sentiment", "Average sentiment over time by source"),
                            ("support", "Ticket volume"), ("product", "Average rating over time")],
                source="config/rules.toml [dashboard]"),
        v.entry("Previous period", DATES,
                "The period of the same length just before the date range, for the change shown on a KPI card.",
                "No change is shown when nothing happened in it (e.g. for \"all time\").",
                appears_in=[("overview", "KPI cards")], source="dashapp/tabs/overview.py"),
        v.entry("Customers in view", DATES,
                "The customers the customer filters keep (value segment, persona, churn risk, upsell).",
                "Shown in the header with the records in view.",
                appears_in=[(FILTER, "Header: customers and records in view")],
                source="sql/snippets/customer_in_view.sql"),
        v.entry("Records in view", DATES,
                "The interactions, reviews and tickets of the customers in view dated within the date range.",
                "The interaction type filter applies to interactions only, the review language filter to reviews "
                "only.",
                appears_in=[(FILTER, "Header: customers and records in view")],
                source="sql/snippets/records_in_view.sql"),
        v.entry("Customers active in the period", DATES,
                "The customers with at least one record in view: the base of the Overview's high churn risk share.",
                "Share = customers active in the period at High churn risk ÷ customers active in the period.",
                appears_in=[("overview", "Customers at high churn risk")], source="sql/queries/overview/kpis.sql"),
    ]
