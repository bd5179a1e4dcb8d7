"""First contact: what a person must read from /start CODE to the first button is short and
plain, and says who decides, what it can change, that it is voluntary and how to stop."""

from __future__ import annotations

import pytest

from domain.texts import texts
from storage.models import Workshop
from tests.support.chat import Chat
from tests.support.reading import reading_ease, visible

MOST_BEFORE_BUTTON = 900
PLAIN = 60.0


async def _first_contact(chat: Chat) -> list[str]:
    """The visible texts sent for /start CODE, up to the message carrying the first button."""
    calls = await chat.say(f"/start {chat.invite}")
    shown = [c for c in calls if c.method == "sendMessage"]
    first = next(i for i, c in enumerate(shown) if c.buttons)
    return [visible(c.text) for c in shown[: first + 1]]


async def test_first_contact_is_short(chat: Chat) -> None:
    texts = await _first_contact(chat)
    assert sum(len(t) for t in texts) < MOST_BEFORE_BUTTON, texts


async def test_first_contact_is_plain(chat: Chat) -> None:
    texts = await _first_contact(chat)
    assert reading_ease("\n\n".join(texts)) >= PLAIN


async def test_first_contact_says_who_what_voluntary_and_how_to_stop(chat: Chat) -> None:
    text = "\n".join(await _first_contact(chat))
    assert "Getting to appointments: a 100-day lab" in text
    assert "The Northfield Place Partnership board" in text  # who decides
    assert "How the community transport scheme is run and advertised" in text
    assert "your choice" in text
    assert "STOP" in text
    assert "/forget" in text
    assert "365 days" in text
    assert "unless someone may be at risk of serious harm" in text  # when confidentiality ends
    assert chat.buttons() == ["Yes, I agree to take part", "No, thank you", "Tell me more first"]


@pytest.mark.parametrize(
    "name",
    [
        "journey/welcome",
        "journey/consent_take_part",
        "journey/consent_more",
        "journey/consent_updates",
        "journey/consent_quote",
    ],
)
async def test_each_welcome_and_consent_text_is_plain(name: str, workshop: Workshop) -> None:
    assert reading_ease(visible(texts().render(name, workshop=workshop))) >= PLAIN


def test_reading_ease_tells_plain_from_dense() -> None:
    plain = "It is your choice. You can stop at any time. Send STOP and I will not write again."
    dense = (
        "Participation necessitates acknowledgement of organisational data-processing "
        "responsibilities, notwithstanding individual confidentiality considerations."
    )
    assert reading_ease(plain) > 80 > 20 > reading_ease(dense)
