"""The button family of /language: which language to be spoken to in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chat.callbacks.data import CallbackData, str_field

# A language code as the catalogs are named: 'pl', 'gd', 'pt_BR'.
LANGUAGE_CODE = r"[a-z]{2,3}(?:_[A-Za-z0-9]{2,8})?"


@dataclass(frozen=True, slots=True)
class PickLanguage(CallbackData):
    """Speak to me in this language from now on: ``lang:pl``."""

    prefix: ClassVar[str] = "lang"
    code: str = str_field(LANGUAGE_CODE)
