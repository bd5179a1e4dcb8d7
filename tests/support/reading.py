"""What a person has to read: visible characters and Flesch reading ease of Telegram HTML.

Flesch reading ease = 206.835 − 1.015 × (words / sentences) − 84.6 × (syllables / words).
Syllables are counted by a vowel-group heuristic (close to a dictionary count for plain
English); a sentence ends at . ! ? or at a line break, since a heading, a bullet or a line
is read as one unit on a phone.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^<>]+>")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n+")
_VOWELS = re.compile(r"[aeiouy]+")


def visible(html_text: str) -> str:
    """The text Telegram shows for a message in HTML parse mode."""
    return html.unescape(_TAG.sub("", html_text))


def syllables(word: str) -> int:
    w = word.lower().replace("’", "'").split("'")[0]
    count = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1  # a silent final e: "make", "these"
    if w.endswith("ed") and not w.endswith(("ted", "ded")) and count > 1:
        count -= 1  # "asked", "agreed"
    return max(count, 1)


def reading_ease(text: str) -> float:
    """Flesch reading ease of plain text (higher is easier; 60 to 70 is plain English)."""
    sentences = [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    words = _WORD.findall(text)
    if not words:
        return 100.0
    total = sum(syllables(w) for w in words)
    return 206.835 - 1.015 * len(words) / len(sentences) - 84.6 * total / len(words)
