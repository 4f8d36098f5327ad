"""Acceptance test of the offline sentiment methods: sign accuracy per language on the labelled corpus
tests/etl/data/sentiment_labelled/{lang}.tsv (`pos|neg<TAB>text`, '#' lines are comments).

A sentence counts as right when its score has the label's sign (> 0 for pos, < 0 for neg); 0 is wrong.
The target is 80 % per language. Measured figures and the method per language: docs/sentiment.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.enrich.sentiment import score_sentiments
from etl.sources.contract import SUPPORTED_LANGUAGES

CORPUS_DIR = Path(__file__).parent / "data" / "sentiment_labelled"
TARGET = 0.80
MIN_PER_LABEL = 30

# Languages whose method is known to measure below TARGET on this corpus (figure at the time of writing),
# kept visible as strict xfails rather than failing every CI run: when a method improves past the target,
# the strict xfail turns into a failure and the entry must be removed. See docs/sentiment.md.
BELOW_TARGET: dict[str, str] = {}


def load_corpus(language: str) -> list[tuple[str, str]]:
    path = CORPUS_DIR / f"{language}.tsv"
    assert path.is_file(), f"labelled corpus missing: {path}"
    rows: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        label, sep, text = line.partition("\t")
        label = label.strip().lower()
        assert sep and label in ("pos", "neg") and text.strip(), f"{path.name}:{number}: bad line"
        rows.append((label, text))
    return rows


def accuracy(rows: list[tuple[str, str]], language: str) -> float:
    scores = score_sentiments([text for _, text in rows], [language] * len(rows))
    right = sum(
        1
        for (label, _), score in zip(rows, scores, strict=True)
        if score is not None and (score > 0 if label == "pos" else score < 0)
    )
    return right / len(rows)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_corpus_has_enough_of_each_label(language: str) -> None:
    labels = [label for label, _ in load_corpus(language)]
    assert labels.count("pos") >= MIN_PER_LABEL, labels.count("pos")
    assert labels.count("neg") >= MIN_PER_LABEL, labels.count("neg")


@pytest.mark.parametrize(
    "language",
    [
        pytest.param(code, marks=pytest.mark.xfail(strict=True, reason=BELOW_TARGET[code]))
        if code in BELOW_TARGET
        else code
        for code in SUPPORTED_LANGUAGES
    ],
)
def test_sign_accuracy(language: str) -> None:
    rows = load_corpus(language)
    positives = sum(1 for label, _ in rows if label == "pos")
    negatives = len(rows) - positives
    measured = accuracy(rows, language)
    print(f"sentiment accuracy {language}: {measured:.1%} of {len(rows)} ({positives} pos, {negatives} neg)")
    assert measured >= TARGET, f"{language}: {measured:.1%} < {TARGET:.0%}"
