"""Glossary: RFM scores and segments, value tiers and revenue concentration (sql/analytics/customer_rfm.sql,
docs/segments.md; thresholds config/rules.toml [rfm]) and the clusters (insight/clustering.py, whose label
thresholds are constants of that module, not config)."""

from __future__ import annotations

from config.glossary.model import Entry, RuleReader, Table, num, pct

RFM = "RFM & value"
CLUSTERS = "Clusters"
RFM_TAB = [("segmentation", "RFM segments"), ("segmentation", "Recency × frequency × monetary")]


def rfm_entries(v: RuleReader) -> list[Entry]:
    def r(key: str) -> str:
        return num(v("rfm", key))

    entries = [v.entry(
        "Recency, frequency, monetary", RFM,
        "Three measures of a customer's buying (or, without orders, usage) behaviour, all time.",
        "Basis orders, when the warehouse holds any order: recency = days since the last order, frequency = orders, "
        "monetary = net revenue (orders − refunds). Otherwise basis usage: days since the last usage day, days with "
        "usage, usage events. One basis for everyone, counted from the newest data date.",
        appears_in=RFM_TAB, source="docs/segments.md")]

    entries.append(v.entry(
        "R, F and M scores", RFM,
        "A customer's recency, frequency and monetary value as quintiles, 1 (worst) to 5 (best).",
        "Among the n customers with activity on the basis, with b customers ranking strictly worse and t with the "
        "same value: p = (b + t/2) ÷ n and score = 1 + ⌊5p⌋ (p < 0.2 → 1 … p ≥ 0.8 → 5). Fewer days since the "
        "last activity is better. A customer without activity scores 1, 1, 1.",
        appears_in=RFM_TAB, source="docs/segments.md"))

    entries.append(v.entry(
        "RFM segment", RFM,
        "A customer's group by their R, F and M scores.",
        "The FIRST rule that matches, in this order; a customer without activity on the basis is Lost before any "
        "rule:",
        table=Table(("#", "Segment", "Rule", "Meaning"), (
            ("1", "Champions", f"r ≥ {r('champions_min_r')} and f ≥ {r('champions_min_f')} and "
                               f"m ≥ {r('champions_min_m')}", "bought recently, often, much"),
            ("2", "Loyal", f"r ≥ {r('loyal_min_r')} and f ≥ {r('loyal_min_f')}", "frequent, still around"),
            ("3", "Potential Loyalists", f"r ≥ {r('potential_loyalists_min_r')} and "
                                         f"f ≥ {r('potential_loyalists_min_f')}", "recent, moderately frequent"),
            ("4", "New", f"r ≥ {r('new_min_r')}", "recent, first purchase"),
            ("5", "Can't Lose", f"r ≤ {r('cant_lose_max_r')} and f ≥ {r('cant_lose_min_f')} and "
                                f"m ≥ {r('cant_lose_min_m')}", "were the best, long gone"),
            ("6", "At Risk", f"r ≤ {r('at_risk_max_r')} and (f ≥ {r('at_risk_min_f')} or "
                             f"m ≥ {r('at_risk_min_m')})", "were frequent or valuable, slipping away"),
            ("7", "Hibernating", f"r ≥ {r('hibernating_min_r')}", "low recency, low frequency"),
            ("8", "Lost", "everything else", "lowest on all counts"))),
        appears_in=[("segmentation", "RFM segments"), ("segmentation", "Segment comparison")],
        source="docs/segments.md"))

    entries.append(v.entry(
        "Value", RFM,
        "The amount a customer is worth for value tiers and revenue concentration.",
        "Net revenue when the warehouse holds orders; else lifetime value when any customer has one; else usage "
        "events. All time.",
        appears_in=[("segmentation", "Value tiers"), ("segmentation", "Revenue concentration")],
        source="docs/segments.md"))

    platinum, gold, silver = r("tier_platinum_top_pct"), r("tier_gold_top_pct"), r("tier_silver_top_pct")
    entries.append(v.entry(
        "Value tier", RFM,
        "A customer's rank by value among all customers, in four tiers.",
        "By position among all customers ranked by value, highest first (ties share a tier):",
        table=Table(("Tier", "Rule"), (
            ("Platinum", f"the top {pct(platinum)}"),
            ("Gold", f"the rest of the top {pct(gold)}"),
            ("Silver", f"the rest of the top {pct(silver)}"),
            ("Bronze", "everyone else, and every customer with a value ≤ 0"))),
        appears_in=[("segmentation", "Value tiers")], source="docs/segments.md"))

    entries.append(v.entry(
        "Revenue concentration (top x %)", RFM,
        "The share of all value held by the customers with the highest value.",
        "Over the customers in view with a value > 0: the top x % = the ⌈x × n ÷ 100⌉ customers with the largest "
        "values; share = their value ÷ the total.",
        appears_in=[("segmentation", "Top 1 % of customers"), ("segmentation", "Revenue concentration")],
        source="sql/queries/segmentation/revenue_concentration.sql"))
    entries.append(v.entry(
        "Gini coefficient", RFM,
        "How unequally value is spread over customers: 0 = everyone the same, towards 1 = one customer holds all.",
        "Over the n values > 0 sorted ascending x₁ ≤ … ≤ xₙ: G = 2 Σ i·xᵢ ÷ (n Σ xᵢ) − (n + 1) ÷ n.",
        appears_in=[("segmentation", "Gini coefficient")],
        source="sql/queries/segmentation/revenue_concentration.sql"))
    return entries


def cluster_entries(v: RuleReader) -> list[Entry]:
    # The rule thresholds of the cluster names are constants of insight.clustering; read from there so that
    # this text follows them (imported here: scikit-learn is only loaded when the glossary is built).
    from insight import clustering as c

    k_range = f"{c.K_RANGE.start}–{c.K_RANGE.stop - 1}"
    groups = "; ".join(f"{name}: {', '.join(features)}" for name, features in c.FEATURE_GROUPS.items())
    low_sd = num(abs(c.LOW_SD))
    return [
        v.entry("Cluster", CLUSTERS,
                "A group of customers who are alike on the features chosen, found by the algorithm rather than by a "
                "rule.",
                f"Feature groups ({groups}); counts, days and money log-scaled, every feature standardised. KMeans "
                f"tries k = {k_range} and keeps the best silhouette; DBSCAN finds dense groups and sets outliers "
                f"apart. Fewer than {num(c.MIN_CUSTOMERS)} customers in view: no clustering.",
                appears_in=[("segmentation", "Clusters")], source="docs/segments.md#clustering"),
        v.entry("Cluster name", CLUSTERS,
                "A cluster's name, from its averages compared with all customers in view (× = times the average; "
                "sd = standard deviations).",
                "The FIRST rule that matches; repeated names are numbered by size (Regular, Regular 2):",
                table=Table(("Name", "Rule"), (
                    ("Dormant", f"recency ≥ {num(c.GONE_RATIO)}× and frequency ≤ {num(c.LOW_RATIO)}×; without RFM: "
                                f"usage events and active days ≤ {num(c.NO_USE_RATIO)}×"),
                    ("Power", f"frequency and monetary ≥ {num(c.HIGH_RATIO)}× and recency ≤ {num(c.RECENT_RATIO)}×; "
                              f"without RFM: usage ≥ {num(c.HIGH_RATIO)}×; and no sentiment, trend or rating "
                              f"{low_sd} sd or more below the average"),
                    ("At-Risk", f"sentiment, trend or rating {low_sd} sd or more below the average, or tickets "
                                f"≥ {num(c.HIGH_RATIO)}×"),
                    ("Regular", "anything else: near the average"),
                    (c.OUTLIERS, "DBSCAN noise: in no dense region"))),
                appears_in=[("segmentation", "Clusters")], source="docs/segments.md#clustering"),
        v.entry("Silhouette", CLUSTERS,
                "How well separated the clusters are, −1 to 1: higher is better.",
                "Computed on a fixed sample of the clustered customers.",
                appears_in=[("segmentation", "Clusters: Silhouette")], source="docs/segments.md#clustering"),
        v.entry("Davies–Bouldin index", CLUSTERS,
                "How much the clusters overlap, 0 or more: lower is better.",
                appears_in=[("segmentation", "Clusters: Davies–Bouldin")], source="docs/segments.md#clustering"),
        v.entry("Calinski–Harabasz index", CLUSTERS,
                "Spread between clusters against spread within them: higher is better, with no fixed scale (compare "
                "choices on the same data).",
                appears_in=[("segmentation", "Clusters: Calinski–Harabasz")], source="docs/segments.md#clustering"),
    ]
