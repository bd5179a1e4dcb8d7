"""Risk phrases: words in a message that mean a person may need help now.

Checked in every message at any step, before consent too. Matching is on whole words,
case-insensitive, ignoring punctuation and invisible characters: "KILL-MYSELF!!" matches
"kill myself"; the phrase's words must appear together and whole ("abuse" matches
"Abuse." but not "disabused").
"""

from __future__ import annotations

import re
import unicodedata

ENGLISH = (
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

# Checked in every message whatever the person's language: someone may write in either.
# With and without Polish letters, as people often type without them on a phone.
POLISH = (
    "samobójstwo", "samobojstwo", "samobójcze", "samobojcze", "samobójczych",
    "samobojczych", "zabić się", "zabic sie", "zabiję się", "zabije sie", "zabiję sie",
    "się zabić", "sie zabic", "się zabiję", "sie zabije", "zabić siebie", "zabic siebie",
    "chcę umrzeć", "chce umrzec", "chcę umrzec", "nie chcę żyć", "nie chce zyc",
    "odebrać sobie życie", "odebrac sobie zycie", "skończyć ze sobą", "skonczyc ze soba",
    "samookaleczenie", "samookaleczam", "tnę się", "tne sie", "krzywdzę się",
    "krzywdze sie", "zrobić sobie krzywdę", "zrobic sobie krzywde", "przemoc", "przemocy",
    "bije mnie", "biją mnie", "bija mnie", "krzywdzi mnie", "krzywdzą mnie",
    "krzywdza mnie", "nie jestem bezpieczna", "nie jestem bezpieczny", "boję się go",
    "boje sie go", "boję się jej", "boje sie jej", "molestuje mnie", "molestowanie",
)  # fmt: skip
DEFAULT_RISK_PHRASES = ENGLISH + POLISH

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
