"""/audit for owners (paged, newest first), /flags and /audit in the menus, and the audit
rows that safeguarding leaves."""

from __future__ import annotations

import json
from typing import Any

from chat.callbacks.safety import AuditPage
from handlers.facilitator.audit import PAGE
from storage.models import Workshop
from tests.conftest import OWNER, RunningBot
from tests.support.chat import Chat

FAY = 600
OWNERS_ONLY = "This is for the bot's owners only."
REFUSED = "This command is for facilitators."


def _menu(bot: RunningBot, user_id: int) -> list[str]:
    """The commands last set for this person's chat."""
    calls = [
        c
        for c in bot.fake.calls
        if c.method == "setMyCommands" and _scope(c.params).get("chat_id") == user_id
    ]
    assert calls, f"no menu for {user_id}"
    commands = calls[-1].params["commands"]
    if isinstance(commands, str):
        commands = json.loads(commands)
    return [c["command"] for c in commands]


def _scope(params: dict[str, Any]) -> dict[str, Any]:
    scope = params.get("scope") or {}
    if isinstance(scope, str):
        scope = json.loads(scope)
    return dict(scope)


async def test_owner_pages_through_the_audit_newest_first(
    bot: RunningBot, workshop: Workshop
) -> None:
    for n in range(PAGE + 5):
        await bot.storage.audit.record(FAY, "views", workshop_id=workshop.id, detail=f"n={n}")
    owner = bot.chat(user_id=OWNER, name="Owner")
    await owner.say("/audit")
    first = owner.last_text()
    assert first.startswith("<b>What facilitators did</b>, newest first")
    assert first.index(f"n={PAGE + 4}") < first.index(f"n={PAGE + 3}")  # newest first
    assert "n=4 " not in first
    assert not first.rstrip().endswith("n=4")
    assert first.count("• ") == PAGE
    assert owner.buttons() == ["Older »"]
    await owner.press("Older »")
    second = owner.last_text()
    assert "(older entries)" in second
    for n in range(5):
        assert f"n={n}" in second
    assert f"n={PAGE}" not in second
    assert owner.sent()[-1].buttons == []  # the last page: nothing older
    calls = await owner.press_data(AuditPage(1).pack())
    assert "nothing older" in owner.texts(calls)[0]


async def test_facilitators_and_strangers_cannot_read_the_audit(
    bot: RunningBot, workshop: Workshop
) -> None:
    await bot.storage.facilitators.add(workshop.id, FAY, OWNER, "Fay")
    await bot.storage.audit.record(OWNER, "export", workshop_id=workshop.id, detail="secret")
    fay = bot.chat(user_id=FAY, name="Fay")
    stranger = bot.chat(user_id=777, name="Stranger")
    await fay.say("/audit")
    assert fay.last_text() == OWNERS_ONLY
    await fay.press_data(AuditPage(1000).pack())
    assert fay.last_text() == OWNERS_ONLY
    await stranger.say("/audit")
    assert stranger.last_text().startswith(REFUSED)
    await stranger.press_data(AuditPage(1000).pack())
    assert stranger.last_text().startswith(REFUSED)
    for person in (fay, stranger):
        assert all("secret" not in t for t in person.texts(person.sent()))
    refused = [(e.actor, e.action) for e in await bot.storage.audit.entries() if not e.allowed]
    assert refused == [(FAY, "audit"), (FAY, "audit"), (777, "audit"), (777, "audit")]
    # The owner sees those refusals.
    owner = bot.chat(user_id=OWNER, name="Owner")
    await owner.say("/audit")
    assert owner.last_text().count("<b>refused</b>") == 4


async def test_flag_handling_and_refusals_show_in_the_audit(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    await bot.storage.facilitators.add(workshop.id, FAY, OWNER, "Fay")
    await chat.join(chat.invite)
    await chat.say("I want to end it all")
    fay = bot.chat(user_id=FAY, name="Fay")
    await fay.press("Mark 1 handled")
    owner = bot.chat(user_id=OWNER, name="Owner")
    await owner.say("/audit")
    page = owner.last_text()
    assert "flag-handled · workshop 1 · flag 1" in page
    assert "end it all" not in page  # the audit names the flag, never what was said


async def test_flags_in_the_menus_and_audit_for_owners_only(
    bot: RunningBot, workshop: Workshop
) -> None:
    await bot.storage.facilitators.add(workshop.id, FAY, OWNER, "Fay")
    await bot.app.post_init(bot.app)  # publishes the menus again, Fay's too
    assert "flags" in _menu(bot, FAY)
    assert "audit" not in _menu(bot, FAY)
    assert {"flags", "audit"} <= set(_menu(bot, OWNER))


async def test_flags_list_is_empty_for_a_new_facilitator(
    bot: RunningBot, workshop: Workshop
) -> None:
    await bot.storage.facilitators.add(workshop.id, FAY, OWNER, "Fay")
    fay = bot.chat(user_id=FAY, name="Fay")
    await fay.say("/flags")
    assert (
        fay.last_text() == "No safeguarding flags are waiting. Thank you for keeping an eye out."
    )
    assert fay.buttons() == []
