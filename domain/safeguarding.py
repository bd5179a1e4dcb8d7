"""Risk phrases: words in a message that mean a person may need help now.

Checked in every message at any step, before consent too. Matching is on whole words,
case-insensitive, ignoring punctuation and invisible characters: "KILL-MYSELF!!" matches
"kill myself"; the phrase's words must appear together and whole ("abuse" matches
"Abuse." but not "disabused").
"""

from __future__ import annotations

import re
import unicodedata

DEFAULT_RISK_PHRASES = (
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "end my life",
    "end it all",
    "want to die",
    "self harm",
    "self harming",
    "harm myself",
    "hurt myself",
    "hurting myself",
    "cut myself",
    "abuse",
    "abused",
    "abusing me",
    "not safe",
    "unsafe",
    "hurt me",
    "hurts me",
    "hurting me",
    "hits me",
    "beat me",
    "beats me",
)

# Zero-width spaces and joiners, direction marks and isolates, soft hyphens, BOMs.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_NOT_A_WORD = re.compile(r"[^\w]+|_+")


def normalise(text: str) -> str:
    """Lower case, invisible characters dropped, punctuation and spacing as one space."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    text = text.replace("\u2019", "'").replace("'", "")  # "don't" and "don’t" are one word
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


def compile_phrases(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """The phrases as they are matched (normalised, empty ones dropped, no repeats)."""
    return tuple(dict.fromkeys(p for p in (normalise(p) for p in phrases) if p))


def risk_phrase(text: str, phrases: tuple[str, ...] = DEFAULT_RISK_PHRASES) -> str | None:
    """The first risk phrase the message uses, as normalised, or None."""
    padded = f" {normalise(text)} "
    for phrase in compile_phrases(phrases):
        if f" {phrase} " in padded:
            return phrase
    return None
