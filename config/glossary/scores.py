"""Glossary: the health score (sql/analytics/customer_health.sql, docs/health.md) and the churn model (insight/churn.py,
docs/churn.md), with every weight, window, band and action rule from config/rules.toml [health] and [churn_model]."""

from __future__ import annotations

from config.glossary.model import Entry, RuleReader, Table, count, days, num, share

HEALTH = "Health"
CHURN = "Churn model"
# (weakest-measure key, name): the seven measures in the order of the model (ties of the weakest measure go first)
MEASURES = (("sentiment_level", "Sentiment level"), ("sentiment_trend", "Sentiment trend"), ("tickets", "Ticket load"),
            ("rating", "Rating"), ("usage_recency", "Usage recency"), ("usage_frequency", "Usage frequency"),
            ("adoption", "Adoption"))
HEALTH_TABS = [("retention", "Health distribution"), ("retention", "Largest falls in health: Weakest measure"),
               ("customer", "Health score: weakest")]


def health_entries(v: RuleReader) -> list[Entry]:
    weights = tuple((name, share(v("health", f"weight_{key}"))) for key, name in MEASURES)
    entries = [v.entry(
        "Health score", HEALTH,
        "A 0–100 score of how well a customer is doing, from seven measures each scored 0–100.",
        "Health = Σ weight × sub-score ÷ Σ weight over the measures that can be computed for the customer (a missing "
        "measure's weight is shared out over the others in proportion). As of the newest data date; the date range "
        "does not apply.",
        table=Table(("Measure", "Weight"), weights),
        appears_in=[("customer", "Health score"), ("retention", "Health distribution"),
                    ("retention", "Health by segment")],
        source="docs/health.md")]

    window = v("health", "sentiment_window_days")
    entries.append(v.entry(
        "Sentiment level (health)", HEALTH,
        "The health measure for how positive the customer's recent texts are.",
        f"avg = mean sentiment of the customer's texts of the last {days(window)}; sub-score = 50 × (avg + 1).",
        appears_in=HEALTH_TABS, source="docs/health.md"))
    full = v("health", "sentiment_trend_full_change")
    entries.append(v.entry(
        "Sentiment trend (health)", HEALTH,
        "The health measure for whether the customer's sentiment is rising or falling.",
        f"change = the average sentiment of the last {days(v('health', 'sentiment_window_days'))} − that of the "
        f"{num(v('health', 'sentiment_window_days'))} days before; sub-score = 50 + 50 × change ÷ {num(full)}, "
        f"within 0–100 (no change = 50, +{num(full)} or more = 100).",
        appears_in=HEALTH_TABS, source="docs/health.md"))
    ticket_weights = ", ".join(f"{name} {num(v('health', f'ticket_weight_{name.lower()}'))}"
                               for name in ("Critical", "High", "Medium", "Low", "Unclassified"))
    zero = v("health", "ticket_load_zero_score")
    entries.append(v.entry(
        "Ticket load (health)", HEALTH,
        "The health measure for how many and how urgent the customer's recent tickets are.",
        f"load = the sum of the priority weights ({ticket_weights}) of the tickets opened in the last "
        f"{days(v('health', 'ticket_window_days'))}; sub-score = 100 × (1 − load ÷ {num(zero)}), 0 from a load of "
        f"{num(zero)} on; no ticket = 100.",
        appears_in=HEALTH_TABS, source="docs/health.md"))
    entries.append(v.entry(
        "Rating (health)", HEALTH,
        "The health measure for the customer's recent review ratings.",
        f"Mean star rating (1–5) of the last {days(v('health', 'rating_window_days'))}; sub-score = 25 × (avg − 1).",
        appears_in=HEALTH_TABS, source="docs/health.md"))
    zero_days = v("health", "usage_recency_zero_days")
    entries.append(v.entry(
        "Usage recency (health)", HEALTH,
        "The health measure for how recently the customer's team used the product.",
        f"sub-score = 100 × (1 − days since the last usage day ÷ {num(zero_days)}), 0 from {days(zero_days)} on "
        "and for a team that never used it.",
        appears_in=HEALTH_TABS, source="docs/health.md"))
    full_days = v("health", "usage_frequency_full_days")
    entries.append(v.entry(
        "Usage frequency (health)", HEALTH,
        "The health measure for how often the customer's team uses the product.",
        f"sub-score = 100 × days with usage in the last {days(v('health', 'usage_frequency_window_days'))} ÷ "
        f"{num(full_days)}, at most 100.",
        appears_in=HEALTH_TABS, source="docs/health.md"))
    products = v("health", "adoption_full_products")
    entries.append(v.entry(
        "Adoption (health)", HEALTH,
        "The health measure for how many of the products the customer owns.",
        f"sub-score = 100 × products owned ÷ {num(products)}, at most 100 ({count(products, 'product')} or more "
        "= 100).",
        appears_in=HEALTH_TABS, source="docs/health.md"))

    green, yellow = v("health", "green_min_score"), v("health", "yellow_min_score")
    entries.append(v.entry(
        "Health band", HEALTH,
        "The health score in three colours.",
        "On the score rounded to one decimal:",
        table=Table(("Band", "Rule"), (("green", f"score ≥ {num(green)}"),
                                       ("yellow", f"score ≥ {num(yellow)} (and < {num(green)})"),
                                       ("red", f"score < {num(yellow)}"))),
        appears_in=[("customer", "Health score"), ("retention", "Healthy (green)"), ("retention", "Unhealthy (red)"),
                    ("retention", "Health distribution")],
        source="docs/health.md"))
    trend = v("health", "trend_days")
    entries.append(v.entry(
        "Health change", HEALTH,
        f"How much a customer's health moved in {days(trend)}.",
        f"Health score now − the score as of {days(trend)} before the newest data date, computed from the data up "
        "to that date.",
        appears_in=[("customer", "Health score"), ("retention", "Largest falls in health"),
                    ("retention", "Health by segment")],
        source="docs/health.md"))
    entries.append(v.entry(
        "Weakest measure", HEALTH,
        "The measure that costs a customer the most health points.",
        "Points lost = weight × (100 − sub-score) ÷ Σ weight; the largest wins (ties to the first in the weights "
        "table).",
        appears_in=[("customer", "Health score: weakest"), ("retention", "Largest falls in health")],
        source="docs/health.md"))
    return entries


def churn_entries(v: RuleReader) -> list[Entry]:
    from insight.churn import FEATURES  # imported here: scikit-learn is only loaded when the glossary is built

    horizon = v("churn_model", "horizon_days")
    entries = [v.entry(
        "Churn (model label)", CHURN,
        "What the churn model predicts: that a customer will have no activity in the coming period.",
        f"Churned = no interaction, product usage or order (amount > 0) on any day of the {days(horizon)} after the "
        "date the prediction is made for. Reviews and tickets are not activity.",
        appears_in=[("retention", "Churn probability")], source="docs/churn.md")]

    entries.append(v.entry(
        "Modelled customers", CHURN,
        "The customers the churn model is trained on and scores.",
        f"Signed up by the cutoff date and active in the {days(v('churn_model', 'horizon_days'))} up to it; the "
        "others have churned by the label's own definition (band Inactive).",
        source="docs/churn.md"))

    short, long = v("churn_model", "short_window_days"), v("churn_model", "long_window_days")
    features = tuple((feature.name, feature.description.format(short=num(short), long=num(long)))
                     for feature in FEATURES)
    entries.append(v.entry(
        "Churn probability", CHURN,
        "The model's probability that a customer churns, 0 to 100 %.",
        "A logistic regression trained at every load on this warehouse's own history; features (counts, days and "
        "money log-scaled, then standardised):",
        table=Table(("Feature", "Meaning"), features),
        appears_in=[("customer", "Churn risk: churn model"), ("retention", "Customers most at risk")],
        source="docs/churn.md"))

    high, medium = v("churn_model", "band_high_min"), v("churn_model", "band_medium_min")
    entries.append(v.entry(
        "Churn band", CHURN,
        "The churn probability in a few words (the rule-based Churn risk label is a separate measure).",
        "The first row that matches:",
        table=Table(("Band", "Rule"), (
            ("High", f"probability ≥ {share(high)}"),
            ("Medium", f"probability ≥ {share(medium)} (and < {share(high)})"),
            ("Low", f"probability < {share(medium)}"),
            ("Inactive", f"not modelled: no activity in the last {days(v('churn_model', 'horizon_days'))}"),
            ("Not scored", "signed up after the newest data date, or no model"))),
        appears_in=[("customer", "Churn risk: churn model"), ("retention", "High churn probability"),
                    ("retention", "Churn probability")],
        source="docs/churn.md"))

    entries.append(v.entry(
        "Churn reasons", CHURN,
        "Up to three reasons in words why the model puts a customer at risk.",
        f"A feature is a reason when it raises the customer's log-odds by at least "
        f"{num(v('churn_model', 'reason_min_contribution'))} against the average modelled customer, its value is on "
        "the risky side (e.g. few active days, many tickets) and it is known; the three largest, in order.",
        appears_in=[("customer", "Summary"), ("retention", "Customers most at risk")], source="docs/churn.md"))

    actions = v("churn_model", "actions")
    rows = tuple((a["band"], a["value_segment"], a["action"],
                  days(a["due_days"]) if a.get("due_days") is not None else "—") for a in actions)
    entries.append(v.entry(
        "Recommended action", CHURN,
        "What to do about a customer, by churn band and value segment.",
        "The FIRST row that matches the customer's churn band and value segment (\"any\" matches every segment):",
        table=Table(("Churn band", "Value segment", "Action", "Within"), rows),
        appears_in=[("customer", "Summary"), ("retention", "Recommended actions"),
                    ("retention", "Customers most at risk")],
        source="docs/churn.md"))

    entries.append(v.entry(
        "Training and hold-out", CHURN,
        "How the model is trained and checked on a period it did not see.",
        f"With N = {days(v('churn_model', 'horizon_days'))}: trained at newest data date − 2N, evaluated at − N "
        "(a later period: the hold-out), then refitted at − N and applied at the newest data date. No model when "
        f"fewer than {num(v('churn_model', 'min_training_rows'))} customers are modelled at either cutoff, or fewer "
        f"than {num(v('churn_model', 'min_class_rows'))} churners or stayers.",
        appears_in=[("retention", "Churn model quality")], source="docs/churn.md"))
    entries.append(v.entry(
        "ROC AUC", CHURN,
        "How well the model ranks churners above stayers on the hold-out period: 1 = perfectly, 0.5 = no better than "
        "chance (the constant baseline).",
        appears_in=[("retention", "Churn model quality")], source="docs/churn.md"))
    entries.append(v.entry(
        "Brier score", CHURN,
        "The mean squared error of the predicted probabilities on the hold-out period: lower is better.",
        "Compared with the baseline that predicts the training base rate for everyone.",
        appears_in=[("retention", "Churn model quality")], source="docs/churn.md"))
    entries.append(v.entry(
        "Calibration", CHURN,
        "Whether a predicted 30 % really means 30 % of such customers churn.",
        "Hold-out customers in 10 equal bins of predicted probability, each with its mean prediction and the churn "
        "rate observed; on the diagonal = well calibrated.",
        appears_in=[("retention", "Model calibration (hold-out)")], source="docs/churn.md"))
    return entries
