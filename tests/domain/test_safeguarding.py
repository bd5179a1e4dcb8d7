"""domain/safeguarding.py: risk phrases found as whole words, whatever the punctuation."""

from __future__ import annotations

import pytest

from domain.config import Settings
from domain.errors import ConfigError
from domain.safeguarding import DEFAULT_RISK_PHRASES, normalise, risk_phrase
from tests.conftest import TOKEN


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("I want to kill myself", "kill myself"),
        ("KILL-MYSELF!!", "kill myself"),
        ("kill\u200bmyself", None),  # a zero-width space joins, it does not separate
        ("kill \u200bmyself", "kill myself"),
        ("I have been self-harming", "self harming"),
        ("thoughts of suicide.", "suicide"),
        ("He hurts me.", "hurts me"),
        ("I'm not safe at home", "not safe"),
        ("\u202eI'm NOT safe", "not safe"),  # a direction mark is ignored
        ("Abuse", "abuse"),
        ("I was disabused of that", None),  # whole words only
        ("a suicidesque plot", None),
        ("the buses are unsafe after dark", "unsafe"),
        ("I love cooking", None),
        ("", None),
    ],
)
def test_risk_phrases_are_found_as_whole_words(text: str, phrase: str | None) -> None:
    assert risk_phrase(text) == phrase


def test_normalising_folds_case_punctuation_and_apostrophes() -> None:
    assert normalise("  Don’t   HURT—me…  ") == "dont hurt me"


def test_the_phrases_are_configurable() -> None:
    base = {"TELEGRAM_BOT_TOKEN": TOKEN}
    assert Settings.from_env(base).risk_phrases == DEFAULT_RISK_PHRASES
    only = Settings.from_env(base | {"DOINGWITH_RISK_PHRASES": "Not Coping, scared of him"})
    assert only.risk_phrases == ("not coping", "scared of him")
    assert risk_phrase("I'm not coping!", only.risk_phrases) == "not coping"
    assert risk_phrase("kill myself", only.risk_phrases) is None
    added = Settings.from_env(base | {"DOINGWITH_RISK_PHRASES": "+not coping"})
    assert added.risk_phrases[-1] == "not coping"
    assert risk_phrase("kill myself", added.risk_phrases) == "kill myself"
    with pytest.raises(ConfigError, match="DOINGWITH_RISK_PHRASES"):
        Settings.from_env(base | {"DOINGWITH_RISK_PHRASES": " , ,"})
