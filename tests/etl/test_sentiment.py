"""Offline sentiment scoring (etl/enrich/sentiment.py). Accuracy on the labelled corpus is measured in
test_sentiment_quality.py; these tests pin the contract and a few clear cases."""

from __future__ import annotations

import socket

import pytest

from etl.enrich import language as language_module
from etl.enrich import sentiment as sentiment_module
from etl.enrich.sentiment import METHODS, SENTIMENT_VERSION, score_sentiments
from etl.sources.contract import SUPPORTED_LANGUAGES

# Written for these tests (not taken from the labelled corpus).
CLEAR = {
    "en": ("The new release is fantastic and the support team was really helpful.",
           "Awful service, the app crashes every day and my refund never arrived."),
    "fr": ("Équipe très sympathique et produit excellent, je suis ravi.",
           "Service horrible, l'application est lente et la facture est fausse."),
    "de": ("Ein wunderbares Produkt, die Beratung war kompetent und freundlich.",
           "Furchtbarer Service, die Software ist langsam und die Rechnung ist falsch."),
    "es": ("Un producto estupendo y un equipo muy amable, estoy encantado.",
           "Un servicio horrible, la aplicación es lenta y la factura está mal."),
    "it": ("Un prodotto splendido e un servizio clienti gentilissimo, sono felice.",
           "Servizio pessimo, l'applicazione è lenta e la fattura è sbagliata."),
    "pt": ("Um produto maravilhoso e uma equipe muito simpática, estou feliz.",
           "Serviço horrível, o aplicativo é lento e a fatura está errada."),
}


def test_version_and_methods() -> None:
    assert isinstance(SENTIMENT_VERSION, str) and SENTIMENT_VERSION
    assert set(METHODS) == set(SUPPORTED_LANGUAGES)
    assert all(isinstance(text, str) and text and "\n" not in text for text in METHODS.values())


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_clear_positive_and_negative(language: str) -> None:
    positive, negative = score_sentiments(list(CLEAR[language]), [language, language])
    assert positive is not None and positive > 0
    assert negative is not None and negative < 0


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_scores_are_within_minus_one_and_one(language: str) -> None:
    texts = [
        *CLEAR[language],
        "!!!!!!",
        "GREAT GREAT GREAT!!! excellent perfect wonderful amazing :) :D",
        "terrible horrible awful worst disgusting!!! :( " * 20,
        "a",
        "12 345 67",
    ]
    for score in score_sentiments(texts, [language] * len(texts)):
        assert score is not None and -1.0 <= score <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "\n", None])
def test_blank_text_is_none(text: str | None) -> None:
    assert score_sentiments([text], ["en"]) == [None]
    assert score_sentiments([text], ["de"]) == [None]


@pytest.mark.parametrize("language", [None, "klingon", "nl", ""])
def test_unsupported_language_falls_back_to_english(language: str | None) -> None:
    texts = [CLEAR["en"][0], CLEAR["en"][1], "Le service client a été très réactif."]
    assert score_sentiments(texts, [language] * 3) == score_sentiments(texts, ["en"] * 3)


def test_language_names_and_tags_are_normalized() -> None:
    text = CLEAR["fr"][1]
    expected = score_sentiments([text], ["fr"]) * 3
    assert score_sentiments([text, text, text], ["FR", "french", "fr-CA"]) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The product is not good."),
        ("fr", "Le produit n'est pas bon."),
        ("de", "Das Produkt ist nicht gut."),
        ("es", "El producto no es bueno."),
        ("it", "Il prodotto non è buono."),
        ("pt", "O produto não é bom."),
    ],
)
def test_negation_flips_a_positive_word(language: str, text: str) -> None:
    (score,) = score_sentiments([text], [language])
    assert score is not None and score < 0


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Die App startet nicht mehr."),
        ("it", "Il prodotto non funziona."),
        ("es", "El programa no arranca."),
    ],
)
def test_negation_without_sentiment_word_is_weakly_negative(language: str, text: str) -> None:
    (score,) = score_sentiments([text], [language])
    assert score is not None and -0.5 < score < 0


def test_inflected_forms_are_found_through_lemmas() -> None:
    # "schlechten"/"enttäuschenden" and "sbagliate" are not lexicon entries; their lemmas are.
    scores = score_sentiments(
        ["Wir hatten einen schlechten, enttäuschenden Tag.", "Le risposte erano sbagliate."], ["de", "it"]
    )
    assert all(score is not None and score < 0 for score in scores)


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        score_sentiments(["a", "b"], ["en"])


def test_empty_batch() -> None:
    assert score_sentiments([], []) == []


def test_everything_loads_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building every analyzer and the language detector from scratch opens no connection."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(sentiment_module, "_scorers", {})
    monkeypatch.setattr(language_module, "_detector", None)
    for language in SUPPORTED_LANGUAGES:
        assert score_sentiments([CLEAR[language][0]], [language])[0] is not None
    assert language_module.detect_languages([CLEAR["de"][1]]) == ["de"]


def test_nan_text_and_language_from_a_dataframe() -> None:
    nan = float("nan")
    scores = score_sentiments([nan, CLEAR["en"][0]], ["en", nan])  # type: ignore[list-item]
    assert scores[0] is None
    assert scores[1] == score_sentiments([CLEAR["en"][0]], ["en"])[0]


def test_absolute_superlatives_take_the_base_adjective_intensified() -> None:
    from etl.enrich.sentiment import get_scorer

    italian = get_scorer("it")
    # "gentile" and "scadente" are in the Italian lexicon, their -issimo forms are not
    assert italian("gentilissimo") > italian("gentile") > 0
    assert italian("scadentissimo") < italian("scadente") < 0
    spanish = get_scorer("es")
    assert spanish("lentísimo") < spanish("lento") < 0


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "Todo llegó sin problemas."),
        ("it", "Consegna senza problemi."),
        ("it", "Nessun problema con la consegna."),
    ],
)
def test_negative_indefinites_negate(language: str, text: str) -> None:
    # "sin"/"senza"/"nessun" negate the complaint word, as "no"/"non" would.
    (score,) = score_sentiments([text], [language])
    assert score is not None and score > 0


def test_contrast_and_concessive_clauses_carry_the_verdict() -> None:
    from etl.enrich.sentiment import get_scorer

    spanish = get_scorer("es")
    # "bueno" outweighs "lento" in the lexicon; the connector decides which one the sentence means.
    assert spanish("El producto es bueno, pero el envío fue lento.") < 0
    assert spanish("El envío fue lento, pero el producto es bueno.") > 0
    assert spanish("Aunque el producto es bueno, el envío fue lento.") < 0
    assert spanish("Aunque el envío fue lento, el producto es bueno.") > 0


def test_degree_adverbs_intensify_the_next_word() -> None:
    from etl.enrich.sentiment import get_scorer

    spanish = get_scorer("es")
    assert spanish("El envío fue muy lento.") < spanish("El envío fue lento.") < 0


def test_spanish_clitics_are_not_read_as_yes() -> None:
    from etl.enrich.sentiment import get_scorer

    # simplemma lemmatises "se"/"lo"/"le" and the lexicon's "sí" to the same "él"; only "sí" itself is rated.
    spanish = get_scorer("es")
    assert spanish("se lo le") == 0
    assert spanish("Sí") > 0
