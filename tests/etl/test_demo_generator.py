"""Demo-data generator (etl/demo): determinism, contract schema, integrity and the realism the charts rely on.

Scale S only (about 145k rows, a couple of seconds per run); the data is generated once per module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.demo import texts
from etl.demo.generator import ENTITIES, SCALES, generate
from etl.sources import contract

END = pd.Timestamp("2026-10-31")
END_EXCLUSIVE = pd.Timestamp("2026-11-01")
EXPECTED_ARROW = {
    contract.STRING: pa.string(), contract.TEXT: pa.string(), contract.INTEGER: pa.int32(),
    contract.NUMBER: pa.float64(), contract.DATE: pa.date32(), contract.TIMESTAMP: pa.timestamp("us"),
}
ACTIVITY_DATES = {"interactions": "interaction_date", "reviews": "review_date", "tickets": "ticket_date",
                  "usage_events": "event_date", "orders": "order_date"}


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate("S", tmp_path_factory.mktemp("demo_s"))


@pytest.fixture(scope="module")
def frames(paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    return {entity: pq.read_table(path).to_pandas() for entity, path in paths.items()}


def test_writes_one_file_per_contract_entity(paths: dict[str, Path]) -> None:
    assert set(paths) == set(contract.ENTITIES) == set(ENTITIES)
    for entity, path in paths.items():
        assert path.name == f"{entity}.parquet"
        assert path.is_file()


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(
    paths: dict[str, Path], tmp_path: Path
) -> None:
    again = generate("S", tmp_path / "again", seed=42)
    for entity in ENTITIES:
        assert again[entity].read_bytes() == paths[entity].read_bytes(), entity
    other = generate("S", tmp_path / "other", seed=7)
    assert other["reviews"].read_bytes() != paths["reviews"].read_bytes()


def test_columns_follow_the_contract_with_parquet_types(paths: dict[str, Path]) -> None:
    for entity, path in paths.items():
        schema = pq.read_schema(path)
        expected = [c for c in contract.ENTITIES[entity].columns if c.name != "priority_level"]
        assert schema.names == [c.name for c in expected], entity
        for column in expected:
            assert schema.field(column.name).type == EXPECTED_ARROW[column.kind], (entity, column.name)
    # Priority is left for the ETL to classify from the ticket text.
    assert "priority_level" not in pq.read_schema(paths["tickets"]).names


def test_row_counts_match_the_scale(frames: dict[str, pd.DataFrame]) -> None:
    for entity, expected in SCALES["S"].items():
        assert len(frames[entity]) == expected, entity


def test_ids_are_unique_and_zero_padded(frames: dict[str, pd.DataFrame]) -> None:
    patterns = {("customers", "customer_id"): r"CUST-\d{4}", ("interactions", "interaction_id"): r"INT-\d{5}",
                ("reviews", "review_id"): r"REV-\d{5}", ("tickets", "ticket_id"): r"TICKET-\d{5}",
                ("users", "user_id"): r"USR-\d{4}", ("orders", "order_id"): r"ORD-\d{5}"}
    for (entity, column), pattern in patterns.items():
        ids = frames[entity][column]
        assert ids.is_unique, entity
        assert ids.str.fullmatch(pattern).all(), entity
    assert frames["customers"].customer_id.iloc[0] == "CUST-0001"


def test_references_resolve(frames: dict[str, pd.DataFrame]) -> None:
    customers = set(frames["customers"].customer_id)
    for entity in ("interactions", "reviews", "tickets", "usage_events", "users", "orders"):
        assert set(frames[entity].customer_id) <= customers, entity
    users = frames["users"].set_index("user_id").customer_id
    events = frames["usage_events"]
    assert set(events.user_id) <= set(users.index)
    # A usage event's team is the team of its user.
    assert (users.loc[events.user_id].to_numpy() == events.customer_id.to_numpy()).all()


def test_no_date_after_the_end_and_no_activity_before_sign_up(frames: dict[str, pd.DataFrame]) -> None:
    signup = pd.to_datetime(frames["customers"].set_index("customer_id").sign_up_date)
    assert signup.min() >= pd.Timestamp("2023-11-01") and signup.max() <= END
    for entity, column in ACTIVITY_DATES.items():
        df = frames[entity]
        assert df[column].max() < END_EXCLUSIVE, entity
        assert (df[column].to_numpy() >= signup.loc[df.customer_id].to_numpy()).all(), entity
    tickets = frames["tickets"]
    assert tickets.resolved_date.max() < END_EXCLUSIVE
    users = frames["users"]
    join = pd.to_datetime(users.join_date)
    assert (join.to_numpy() >= signup.loc[users.customer_id].to_numpy()).all()
    assert users.last_login_date.max() < END_EXCLUSIVE
    assert (users.last_login_date.dropna() >= join[users.last_login_date.notna()]).all()
    events = frames["usage_events"]
    user_join = join.set_axis(users.user_id)
    assert (events.event_date.to_numpy() >= user_join.loc[events.user_id].to_numpy()).all()


def test_ratings_and_resolution_dates(frames: dict[str, pd.DataFrame]) -> None:
    ratings = frames["reviews"].review_rating
    assert set(ratings.unique()) == {1, 2, 3, 4, 5}
    tickets = frames["tickets"]
    resolved = tickets.ticket_status.isin(["resolved", "closed"])
    assert tickets.resolved_date.notna().eq(resolved).all()  # set exactly for resolved/closed tickets
    done = tickets[resolved]
    assert (done.resolved_date > done.ticket_date).all()
    assert 0.75 < resolved.mean() < 0.97  # most tickets get resolved, recent ones are still open


def test_six_review_languages_in_the_intended_mix(frames: dict[str, pd.DataFrame]) -> None:
    share = frames["reviews"].review_language.value_counts(normalize=True)
    assert set(share.index) == set(texts.LANGUAGE_NAMES)
    assert 0.50 < share["english"] < 0.60
    assert all(0.05 < share[name] < 0.14 for name in texts.LANGUAGE_NAMES[1:])


def test_review_text_matches_rating_and_language(frames: dict[str, pd.DataFrame]) -> None:
    reviews = frames["reviews"]
    for code, lang in zip(texts.LANGS, texts.LANG_MODULES, strict=True):
        name = texts.LANGUAGE_NAMES[texts.LANGS.index(code)]
        for rating in range(1, 6):
            openers = tuple(o.format(product=p) for o in lang["review"][rating][0]
                            for p in texts.PRODUCT_NAMES)
            subset = reviews[(reviews.review_language == name) & (reviews.review_rating == rating)]
            assert len(subset) > 0, (code, rating)
            assert subset.review_text.map(lambda t, o=openers: t.startswith(o)).all(), (code, rating)


def test_satisfied_customers_rate_higher_than_frustrated(frames: dict[str, pd.DataFrame]) -> None:
    reviews = frames["reviews"].merge(frames["customers"][["customer_id", "persona"]], on="customer_id")
    mean = reviews.groupby("persona").review_rating.mean()
    assert set(mean.index) == {"new", "satisfied", "neutral", "mixed", "frustrated"}
    assert mean["satisfied"] >= 4.0
    assert mean["frustrated"] <= 2.5
    assert mean["satisfied"] - mean["frustrated"] >= 1.5
    # Frustrated customers file far more tickets per head than satisfied ones.
    tickets = frames["tickets"].merge(frames["customers"][["customer_id", "persona"]], on="customer_id")
    per_head = tickets.persona.value_counts() / frames["customers"].persona.value_counts()
    assert per_head["frustrated"] > 10 * per_head["satisfied"]


def test_ticket_texts_carry_urgency_and_remedy_cues(frames: dict[str, pd.DataFrame]) -> None:
    desc = frames["tickets"].ticket_description
    for cue in ("urgent", "urgente", "dringend", "as soon as possible", "blocking our whole team"):
        assert desc.str.contains(cue, case=False, regex=False).any(), cue
    for cue in ("I want a refund", "remboursé", "Rückerstattung", "cancel my subscription", "replacement"):
        assert desc.str.contains(cue, regex=False).any(), cue
    # English remedy words only (about 55% of tickets are English): many tickets ask for nothing.
    assert 0.1 < desc.str.contains("refund|credit|replacement|cancel", case=False).mean() < 0.5


def test_customer_attributes(frames: dict[str, pd.DataFrame]) -> None:
    customers = frames["customers"]
    ltv = customers.lifetime_value
    segments = pd.cut(ltv, [0, 500, 1000, np.inf], right=False, labels=["Low", "Medium", "High"])
    assert (segments.value_counts(normalize=True) > 0.10).all()  # all three value segments well represented
    assert ltv.max() > 20 * ltv.median()  # heavy tail
    assert customers.products_owned.between(1, 5).all()
    assert set(customers.segment) == {"Free", "Starter", "Business", "Enterprise"}
    assert customers.csm_owner.nunique() == 20
    assert customers.customer_name.notna().all() and customers.country.notna().all()


def test_teams_users_and_usage_shape(frames: dict[str, pd.DataFrame]) -> None:
    users, events = frames["users"], frames["usage_events"]
    team_size = users.groupby("customer_id").size()
    assert len(team_size) == len(frames["customers"])  # every team has at least one user
    assert (team_size <= 5).mean() > 0.75
    assert (team_size >= 50).sum() >= 1
    last30 = events[events.event_date >= END_EXCLUSIVE - pd.Timedelta(days=30)]
    actions = last30.groupby("user_id").events_count.sum()
    assert 0.01 < (actions >= 20).sum() / len(users) < 0.15  # a few super users
    last_event = events.groupby("customer_id").event_date.max()
    assert ((END_EXCLUSIVE - last_event).dt.days > 182).mean() > 0.03  # inactive teams exist
    signup = pd.to_datetime(frames["customers"].sign_up_date)
    assert (signup > END - pd.Timedelta(days=30)).sum() >= 20  # recently onboarded teams
    assert set(events.feature_name) == set(texts.FEATURES)
    assert events.events_count.min() >= 1


def test_activity_follows_the_week_and_december(frames: dict[str, pd.DataFrame]) -> None:
    dates = frames["usage_events"].event_date
    weekend = dates.dt.day_of_week >= 5
    assert weekend.mean() < 0.12  # two weekend days out of seven would be 0.29 without a weekly rhythm
    per_month = dates.dt.to_period("M").value_counts()
    assert per_month[pd.Period("2025-12")] < per_month[pd.Period("2025-11")]
    assert per_month[pd.Period("2025-12")] < per_month[pd.Period("2026-01")]


def test_orders_include_a_few_refunds(frames: dict[str, pd.DataFrame]) -> None:
    orders = frames["orders"]
    refunds = (orders.amount < 0).mean()
    assert 0.005 < refunds < 0.08
    assert orders.quantity.min() >= 1
    assert set(orders.product_id) <= set(texts.PRODUCT_IDS)


def test_unknown_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scale"):
        generate("XL", tmp_path)
