"""The customer's key quote (etl/enrich/quotes.py)."""

from __future__ import annotations

import pytest

from etl.enrich.quotes import cue_balance, key_quote, split_sentences


def test_negative_customer_gets_the_most_negative_sentence() -> None:
    texts = [
        "Hi team. The dashboard crashes every time I export. Please fix it.",
        "Worst product ever, totally useless and I want my money back.",
    ]
    # Mean -0.55 < 0. Scores: "The dashboard crashes..." = -0.6 - 0.25 (crashes) = -0.85;
    # "Worst product ever..." = -0.5 - 2 * 0.25 (worst, useless) = -1.0 -> the most negative.
    assert key_quote(texts, [-0.6, -0.5]) == "Worst product ever, totally useless and I want my money back."


def test_within_one_text_the_sentence_with_the_opinion_words_wins() -> None:
    text = "Hi team. The dashboard crashes every time I export. Please fix it."
    assert key_quote([text], [-0.6]) == "The dashboard crashes every time I export."


def test_positive_customer_gets_the_most_positive_sentence() -> None:
    texts = ["The setup was slow. Support was excellent and the reports save me hours.", "It is fine I guess."]
    # Mean 0.4 >= 0. "The setup was slow." = 0.7 - 0.25 = 0.45; "Support was excellent..." = 0.7 + 0.25 = 0.95;
    # "It is fine I guess." = 0.1.
    assert key_quote(texts, [0.7, 0.1]) == "Support was excellent and the reports save me hours."


def test_a_mean_of_exactly_zero_counts_as_positive() -> None:
    texts = ["The export keeps failing on large files.", "The new charts are great for our weekly meeting."]
    # Mean 0: the most positive. "The export keeps failing..." = -0.5 - 0.25 = -0.75; "The new charts..." =
    # 0.5 + 0.25 = 0.75 (a negative direction would have picked the first).
    assert key_quote(texts, [-0.5, 0.5]) == "The new charts are great for our weekly meeting."


def test_ties_go_to_the_earliest_sentence() -> None:
    texts = ["We use it every single day.", "Our whole team uses it daily."]
    assert key_quote(texts, [0.4, 0.4]) == "We use it every single day."
    assert key_quote(list(reversed(texts)), [0.4, 0.4]) == "Our whole team uses it daily."


def test_short_sentences_only_when_nothing_longer() -> None:
    assert key_quote(["Thanks! The reports are handy for our Monday meeting."], [0.8]) == (
        "The reports are handy for our Monday meeting."
    )
    assert key_quote(["Thanks!"], [0.8]) == "Thanks!"


def test_missing_and_nan_sentiments_are_ignored_for_the_mean() -> None:
    texts = ["Terrible support, nobody answers.", "The reports look great in the new version."]
    # Mean of the known score (-0.7) is negative.
    assert key_quote(texts, [-0.7, None]) == "Terrible support, nobody answers."
    assert key_quote(texts, [-0.7, float("nan")]) == "Terrible support, nobody answers."
    # No known score: mean treated as 0 -> the most positive sentence by its opinion words.
    assert key_quote(texts, [None, None]) == "The reports look great in the new version."


def test_trimmed_to_max_words_with_an_ellipsis() -> None:
    text = "The new billing page is confusing, slow, and it hides the invoice download behind three menus."
    assert key_quote([text], [-0.4], max_words=7) == "The new billing page is confusing, slow…"
    assert key_quote([text], [-0.4], max_words=16) == text  # exactly 16 words: not cut
    assert key_quote([text], [-0.4], max_words=15) == (
        "The new billing page is confusing, slow, and it hides the invoice download behind three…"
    )
    long_text = " ".join(f"word{i}" for i in range(40)) + "."
    assert key_quote([long_text], [0.1]) == " ".join(f"word{i}" for i in range(25)) + "…"


def test_surrounding_quotes_are_removed() -> None:
    assert key_quote(['"The reports are wonderful and easy to share."'], [0.9]) == (
        "The reports are wonderful and easy to share."
    )
    assert key_quote(["« Le support est excellent et très rapide. »"], [0.9]) == (
        "Le support est excellent et très rapide."
    )


def test_none_when_there_is_no_text() -> None:
    assert key_quote([], []) is None
    assert key_quote(["", "   "], [0.2, -0.3]) is None
    assert key_quote([None], [0.3]) is None  # type: ignore[list-item]
    assert key_quote(["..."], [0.3]) is None


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        key_quote(["a"], [])
    with pytest.raises(ValueError, match="max_words"):
        key_quote(["a b c"], [0.1], max_words=0)


def test_sentence_splitter() -> None:
    text = ("Hi team. The export crashes every time I click it! Why?? I waited... and waited. Nothing… "
            "Then it died.\nNew line here")
    assert split_sentences(text) == [
        "Hi team.", "The export crashes every time I click it!", "Why??", "I waited... and waited.",
        "Nothing…", "Then it died.", "New line here",
    ]
    assert split_sentences('Mr. Smith agreed, e.g. the export works. She said "stop." Done') == [
        "Mr. Smith agreed, e.g. the export works.", 'She said "stop."', "Done",
    ]
    assert split_sentences("“Worst support ever,” he said. Version 2.5 is out.") == [
        "“Worst support ever,” he said.", "Version 2.5 is out.",
    ]


def test_opinion_words_and_their_negation() -> None:
    assert cue_balance("Great product, thanks") == 2
    assert cue_balance("Terrible, useless and slow") == -3
    assert cue_balance("This is not good") == -1
    assert cue_balance("Produit décevant et très lent") == -2  # French, accents ignored
    assert cue_balance("Sehr zufrieden, danke!") == 2
    assert cue_balance("The invoice arrived on Tuesday") == 0
