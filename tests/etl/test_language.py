"""Language normalisation and offline detection (etl/enrich/language.py)."""

from __future__ import annotations

import pytest

from etl.enrich.language import detect_languages, normalize_language
from etl.sources.contract import SUPPORTED_LANGUAGES


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("french", "fr"),
        ("French", "fr"),
        ("FR", "fr"),
        ("fra", "fr"),
        ("fre", "fr"),
        ("français", "fr"),
        ("pt-BR", "pt"),
        ("PT-br", "pt"),
        ("pt_BR", "pt"),
        ("português", "pt"),
        ("en-GB", "en"),
        (" english ", "en"),
        ("Deutsch", "de"),
        ("spa", "es"),
        ("ita", "it"),
        (None, None),
        ("", None),
        ("   ", None),
        ("klingon", None),
        ("nl", None),
        ("zh-CN", None),
    ],
)
def test_normalize_language(value: str | None, expected: str | None) -> None:
    assert normalize_language(value) == expected


def test_normalize_language_only_returns_supported_codes() -> None:
    for code in SUPPORTED_LANGUAGES:
        assert normalize_language(code) == code
        assert normalize_language(code.upper()) == code


SENTENCES = {
    "en": "The invoice I received this month charges me twice for the same licence.",
    "fr": "La facture de ce mois-ci me compte deux fois la même licence.",
    "de": "Die Rechnung für diesen Monat berechnet mir dieselbe Lizenz zweimal.",
    "es": "La factura de este mes me cobra dos veces la misma licencia.",
    "it": "La fattura di questo mese mi addebita due volte la stessa licenza.",
    "pt": "A fatura deste mês me cobra duas vezes pela mesma licença.",
}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_detects_one_real_sentence_per_language(language: str) -> None:
    assert detect_languages([SENTENCES[language]]) == [language]


def test_detects_a_batch_in_order_with_repeats() -> None:
    texts = [SENTENCES[code] for code in SUPPORTED_LANGUAGES]
    texts = texts + texts[::-1]
    expected = list(SUPPORTED_LANGUAGES) + list(SUPPORTED_LANGUAGES)[::-1]
    assert detect_languages(texts) == expected


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None, "12345", "!!! ???"])
def test_blank_or_letterless_text_is_none(text: str | None) -> None:
    assert detect_languages([text]) == [None]


def test_not_confident_is_none() -> None:
    # One ambiguous word, and a language outside the six (Dutch): no confident answer.
    assert detect_languages(["ok", "Het pakket kwam te laat aan en de klantenservice reageerde niet."]) == [
        None,
        None,
    ]


def test_empty_batch() -> None:
    assert detect_languages([]) == []


def test_long_text_is_detected() -> None:
    assert detect_languages([SENTENCES["de"] * 200]) == ["de"]


def test_nan_from_a_dataframe_is_treated_as_missing() -> None:
    assert normalize_language(float("nan")) is None  # type: ignore[arg-type]
    assert detect_languages([float("nan")]) == [None]  # type: ignore[list-item]
