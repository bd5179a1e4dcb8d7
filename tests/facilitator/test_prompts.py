"""Facilitator prompts: one open at a time, closed after a quiet spell, and their buttons
expire with them."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CommandHandler
from telegram.request import RequestData

import conversations.facilitator as facilitator_conversation
from chat.callbacks import facilitator
from chat.callbacks.loop import FACILITATOR, PARTICIPANT, StartUpdate
from conversations.facilitator import action as action_flow
from conversations.facilitator import drafts
from conversations.facilitator import update as update_flow
from conversations.facilitator.drafts import TIMEOUT_MINUTES
from domain.workshop_file import load_workshop_file
from storage.models import Workshop
from tests.conftest import EXAMPLE, OWNER, BotFactory, RunningBot
from tests.support.loop import people_in, record_action, run_jobs

TIMED_OUT = "That prompt was closed after 30 minutes of quiet, and nothing from it was kept."
GONE = "That is no longer there"


async def test_a_quiet_prompt_times_out_kindly(bot: RunningBot, workshop: Workshop) -> None:
    owner = bot.chat(OWNER, "Olu")
    await owner.join(workshop.invite_code)  # an owner who also takes part
    queue = bot.app.job_queue
    assert queue is not None
    queue.scheduler.start(paused=True)  # jobs are run by hand below, not by the clock
    try:
        await owner.say("/close")
        timeouts = [j for j in queue.jobs() if j.callback.__name__ == "_trigger_timeout"]
        assert len(timeouts) == 1
        before = len(owner.sent())
        await timeouts[0].run(bot.app)
        assert [c.text for c in owner.sent()[before:]] == [
            f"{TIMED_OUT} Send the command again to start over."
        ]
    finally:
        queue.scheduler.shutdown(wait=False)
    # What is typed next is an answer again, not a closing message.
    await owner.say("Family")
    still = await bot.storage.workshops.get(workshop.id)
    assert still is not None
    assert still.is_open
    member = await bot.storage.participants.get(workshop.id, OWNER)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.value for a in answers.values()] == ["Family"]


async def test_a_closed_prompt_does_not_time_out(bot: RunningBot, workshop: Workshop) -> None:
    owner = bot.chat(OWNER, "Olu")
    queue = bot.app.job_queue
    assert queue is not None
    queue.scheduler.start(paused=True)
    try:
        await owner.say("/close")
        await owner.say("/cancel")
        assert [j for j in queue.jobs() if j.callback.__name__ == "_trigger_timeout"] == []
    finally:
        queue.scheduler.shutdown(wait=False)


async def test_starting_update_while_action_is_half_written_switches(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    await owner.say("/action")
    await owner.say("A second action, never finished")
    assert "What is its status?" in owner.last_text()
    await owner.say("/update")
    assert "Which actions is it about?" in owner.last_text()
    # The action's status buttons went with its prompt.
    calls = await owner.press("In progress")
    assert owner.texts(calls)[0].startswith(GONE)
    await owner.press("Evening buses on route 47")
    await owner.press("Next: write the message")
    await owner.say("Thank you all.")
    await owner.press("Send now")
    await run_jobs(bot)
    actions = await bot.storage.actions.of_workshop(workshop.id)
    assert [a.title for a in actions] == ["Evening buses on route 47"]
    assert len(await bot.storage.updates.of_workshop(workshop.id)) == 1


async def test_buttons_of_a_finished_prompt_have_expired(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    await owner.say("/update")
    await owner.press("Next: write the message")
    await owner.say("Thank you all.")
    await owner.press("Send now")
    for label in ("Send now", "Send later…", "Next: write the message", "Save the action"):
        calls = await owner.press(label)
        assert owner.texts(calls) == [owner.texts(calls)[0]], label
        assert owner.texts(calls)[0].startswith(GONE), label
    assert len(await bot.storage.updates.of_workshop(workshop.id)) == 1
    assert len(await bot.storage.actions.of_workshop(workshop.id)) == 1
    # A closing prompt answered "keep it open": its other button changes nothing.
    await owner.say("/close")
    await owner.press("Keep it open")
    calls = await owner.press("Close without a message")
    assert owner.texts(calls)[0].startswith(GONE)
    still = await bot.storage.workshops.get(workshop.id)
    assert still is not None
    assert still.is_open
    # And a set-up that was cancelled says how to start a new one.
    await owner.say("/newworkshop")
    await owner.say("/cancel")
    calls = await owner.press("Cancel")
    assert "Send /newworkshop to start a new one" in owner.texts(calls)[0]


async def test_the_role_is_checked_again_when_the_answer_arrives(
    bot: RunningBot, workshop: Workshop
) -> None:
    await bot.storage.facilitators.add(workshop.id, 600, OWNER, "Fay")
    fay = bot.chat(user_id=600, name="Fay")
    await fay.say("/themes")
    await fay.press("New theme")
    await bot.storage.facilitators.remove(workshop.id, 600)
    calls = await fay.say("transport")
    assert fay.texts(calls)[0].startswith("This command is for facilitators.")
    assert await bot.storage.themes.of_workshop(workshop.id) == []
    # The prompt closed with the refusal: the next message is not taken either.
    calls = await fay.say("transport")
    assert await bot.storage.themes.of_workshop(workshop.id) == []


async def test_reading_views_keeps_a_prompt_open(bot: RunningBot, workshop: Workshop) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await owner.say("/views")
    await owner.say("/themes")
    await owner.press("New theme")
    await owner.press("Everything, newest first")
    await owner.say("money")
    assert [t.name for t in await bot.storage.themes.of_workshop(workshop.id)] == [
        "money",
        "transport",
    ]


def test_every_facilitator_family_is_known_as_one() -> None:
    assert facilitator.PickWorkshop in FACILITATOR
    assert facilitator.NewSave in FACILITATOR
    assert StartUpdate in FACILITATOR
    assert not set(PARTICIPANT) & set(FACILITATOR)


async def test_a_half_written_action_survives_a_restart(make_bot: BotFactory) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    owner = first.chat(OWNER, "Olu")
    await owner.say("/action")
    await owner.say("Evening buses on route 47")
    not_possible = dict(owner.sent()[-1].buttons)["Not possible"]
    await first.stop()

    second = await make_bot()
    second.clock.advance(minutes=TIMEOUT_MINUTES - 5)  # quiet, but not for long
    owner = second.chat(OWNER, "Olu")
    await owner.press_data(not_possible)
    await owner.say("The route is run by another council")
    await owner.press("Save the action")
    [action] = await second.storage.actions.of_workshop(workshop.id)
    assert action.title == "Evening buses on route 47"
    assert action.status == "not_possible"


async def test_a_prompt_left_open_across_a_restart_times_out_when_next_used(
    make_bot: BotFactory,
) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    owner = first.chat(OWNER, "Olu")
    await owner.join(workshop.invite_code)  # an owner who also takes part
    await owner.say("/close")
    await first.stop()

    second = await make_bot()
    second.clock.advance(minutes=TIMEOUT_MINUTES + 1)
    owner = second.chat(OWNER, "Olu")
    calls = await owner.say("Family")
    assert owner.texts(calls)[0] == f"{TIMED_OUT} Send the command again to start over."
    still = await second.storage.workshops.get(workshop.id)
    assert still is not None
    assert still.is_open
    member = await second.storage.participants.get(workshop.id, OWNER)
    assert member is not None
    answers = await second.storage.answers.for_participant(member.id)
    assert [a.value for a in answers.values()] == ["Family"]
    # Closed: the next message is an answer too, with nothing said about the prompt.
    calls = await owner.say("Friends")
    assert not any(TIMED_OUT in text for text in owner.texts(calls))


async def test_a_closing_button_left_across_a_restart_times_out(make_bot: BotFactory) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    owner = first.chat(OWNER, "Olu")
    await owner.say("/close")
    silently = dict(owner.sent()[-1].buttons)["Close without a message"]
    await first.stop()

    second = await make_bot()
    second.clock.advance(minutes=TIMEOUT_MINUTES + 1)
    owner = second.chat(OWNER, "Olu")
    calls = await owner.press_data(silently)
    assert owner.texts(calls) == [f"{TIMED_OUT} Send the command again to start over."]
    still = await second.storage.workshops.get(workshop.id)
    assert still is not None
    assert still.is_open


async def test_a_button_that_opens_no_prompt_keeps_the_open_one(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await record_action(owner)
    [action] = await bot.storage.actions.of_workshop(workshop.id)
    await owner.say("/update")
    await owner.press("Next: write the message")
    # An old status button, a forged one and a stale cancel: none of them is a prompt.
    await owner.press_data(f"ac:set:{action.id}:done")
    await owner.press_data("ac:set:999999:done")
    await owner.press_data("up:cancel:999999")
    await owner.press_data(f"ac:edit:{action.id}")
    changed = await bot.storage.actions.get(action.id)
    assert changed is not None
    assert changed.status == "done"
    await owner.say("Thank you all.")
    await owner.press("Send now")
    [sent] = await bot.storage.updates.of_workshop(workshop.id)
    assert sent.body == "Thank you all."


def test_every_callback_of_the_conversation_keeps_what_it_takes() -> None:
    conversation = facilitator_conversation.build()
    handlers = list(facilitator_conversation.every_handler(conversation))
    assert len(handlers) > 40
    let_through = [h.callback for h in handlers if not drafts.takes(h.callback)]
    assert set(let_through) == {facilitator_conversation.leave, facilitator_conversation.timed_out}


def test_a_flow_with_a_callback_that_lets_the_update_through_is_refused() -> None:
    async def careless(update: object, context: object) -> None:
        return None

    flow = drafts.Flow(
        entry_points=[CommandHandler("careless", careless)],
        states={},
        store=update_flow.DRAFT,
        command="/careless",
    )
    with pytest.raises(ValueError, match="careless would let a later group take the update"):
        facilitator_conversation.build([*facilitator_conversation.BUILT, flow])


async def test_closing_an_unfinished_prompt_says_so(bot: RunningBot, workshop: Workshop) -> None:
    owner = bot.chat(OWNER, "Olu")
    await owner.join(workshop.invite_code)
    await owner.say("/update")
    calls = await owner.say("/help")
    texts = owner.texts(calls)
    assert texts[0] == "I've closed your unfinished /update; nothing from it was kept."
    assert len(texts) > 1  # and /help is answered
    # A participant's button closes it too, and goes on.
    await owner.say("/action")
    await owner.say("Evening buses")
    calls = await owner.press_data(f"up:optin:{workshop.id}")
    assert owner.texts(calls)[0] == (
        "I've closed your unfinished /action; nothing from it was kept."
    )
    # With nothing open, a command says nothing of the sort.
    calls = await owner.say("/help")
    assert not any("I've closed" in text for text in owner.texts(calls))


async def test_a_step_button_from_an_older_draft_changes_nothing(
    bot: RunningBot, workshop: Workshop
) -> None:
    await people_in(bot, workshop)
    owner = bot.chat(OWNER, "Olu")
    await owner.say("/update")
    await owner.press("Next: write the message")
    await owner.say("The first message, abandoned")
    older = dict(owner.sent()[-1].buttons)["Send now"]
    await owner.say("/update")
    await owner.press("Next: write the message")
    await owner.say("The second message")
    newer = dict(owner.sent()[-1].buttons)["Send now"]
    assert older != newer
    calls = await owner.press_data(older)
    assert owner.texts(calls) == [owner.texts(calls)[0]]
    assert owner.texts(calls)[0].startswith(GONE)
    assert await bot.storage.updates.of_workshop(workshop.id) == []
    # The open draft is untouched: its own button still works.
    await owner.press_data(newer)
    [sent] = await bot.storage.updates.of_workshop(workshop.id)
    assert sent.body == "The second message"


async def test_a_closing_button_from_an_older_prompt_changes_nothing(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = bot.chat(OWNER, "Olu")
    await owner.say("/close")
    older = dict(owner.sent()[-1].buttons)["Close without a message"]
    await owner.say("/close")
    newer = dict(owner.sent()[-1].buttons)["Keep it open"]
    calls = await owner.press_data(older)
    assert owner.texts(calls)[0].startswith(GONE)
    still = await bot.storage.workshops.get(workshop.id)
    assert still is not None
    assert still.is_open
    await owner.press_data(newer)
    assert "open" in owner.last_text()


def test_drafts_read_back_hold_their_enums() -> None:
    from types import SimpleNamespace

    from chat.callbacks.facilitator import Field, ItemKind
    from conversations.facilitator import action, edit, theme
    from storage.kinds import ActionStatus

    context: Any = SimpleNamespace(user_data={"action": {"workshop": 1, "status": "not_possible"}})
    found = action.DRAFT.get(context)
    assert found is not None
    assert found.status is ActionStatus.NOT_POSSIBLE
    context.user_data = {"edit": {"workshop": 1, "field": "update_cadence_days"}}
    edited = edit.DRAFT.get(context)
    assert edited is not None
    assert edited.field is Field.UPDATE_CADENCE_DAYS
    context.user_data = {"theme": {"workshop": 1, "kind": "v", "item": 3}}
    named = theme.DRAFT.get(context)
    assert named is not None
    assert named.kind is ItemKind.VIEW
    # A value no version of the flow wrote is no draft at all.
    context.user_data = {"action": {"workshop": 1, "status": "sideways"}}
    assert action.DRAFT.get(context) is None


# ---- each step is kept before its prompt is shown ------------------------------------------


class KeptAtPrompt:
    """Copies the database the moment the bot sends a prompt: what a kill -9 just after it
    went out would leave. Persistence, which writes only every few seconds, writes then
    too, as it may: what it has is from before the step."""

    def __init__(self, bot: RunningBot, db_path: Path, fragment: str) -> None:
        self.db_path = db_path
        self.copy = db_path.with_name("at-prompt.db")
        self.taken = False
        send = bot.fake.do_request

        async def do_request(
            url: str,
            method: str,
            request_data: RequestData | None = None,
            read_timeout: Any = None,
            write_timeout: Any = None,
            connect_timeout: Any = None,
            pool_timeout: Any = None,
        ) -> tuple[int, bytes]:
            params = request_data.parameters if request_data is not None else {}
            if url.endswith("/sendMessage") and fragment in str(params.get("text", "")):
                assert not self.taken, "the prompt was sent twice"
                await bot.app.update_persistence()
                live, copy = sqlite3.connect(db_path), sqlite3.connect(self.copy)
                with closing(live), closing(copy):
                    live.backup(copy)
                self.taken = True
            timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
            return await send(url, method, request_data, *timeouts)

        # A spy on this one fake: the instance's method is replaced, not the class's.
        bot.fake.do_request = do_request  # type: ignore[method-assign]

    async def crash_back_to_it(self, bot: RunningBot) -> None:
        """Crash, and leave the database as it was when the prompt went out."""
        assert self.taken, "the prompt was never sent"
        await bot.crash()
        for leftover in ("-wal", "-shm"):
            self.db_path.with_name(self.db_path.name + leftover).unlink(missing_ok=True)
        shutil.copyfile(self.copy, self.db_path)


async def test_a_typed_action_title_is_kept_across_a_crash_at_its_prompt(
    make_bot: BotFactory, db_path: Path
) -> None:
    first = await make_bot()
    await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    at_prompt = KeptAtPrompt(first, db_path, "What was done, or will be done?")
    await first.chat(OWNER, "Olu").say("/action")
    await at_prompt.crash_back_to_it(first)

    second = await make_bot()
    owner = second.chat(OWNER, "Olu")
    calls = await owner.say("Evening buses on route 47")
    assert owner.texts(calls) == ["What is its status?"]
    await owner.press("In progress")
    await owner.press("Save the action")
    [action] = await second.storage.actions.of_workshop(1)
    assert (action.title, action.status) == ("Evening buses on route 47", "in_progress")


async def test_a_typed_update_body_is_kept_across_a_crash_at_its_prompt(
    make_bot: BotFactory, db_path: Path
) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    await people_in(first, workshop)
    owner = first.chat(OWNER, "Olu")
    await record_action(owner)
    await owner.say("/update")
    await owner.press("Evening buses on route 47")
    at_prompt = KeptAtPrompt(first, db_path, "Write the message (at most")
    await owner.press("Next: write the message")
    await at_prompt.crash_back_to_it(first)

    second = await make_bot()
    owner = second.chat(OWNER, "Olu")
    calls = await owner.say("The 47 now runs until 11pm.")
    assert any("The 47 now runs until 11pm." in text for text in owner.texts(calls))
    assert "Send it now, or choose a time?" in owner.texts(calls)[-1]
    await owner.press("Send now")
    [update] = await second.storage.updates.of_workshop(workshop.id)
    assert update.body == "The 47 now runs until 11pm."


async def test_a_typed_closing_message_is_kept_across_a_crash_at_its_prompt(
    make_bot: BotFactory, db_path: Path
) -> None:
    first = await make_bot()
    workshop = await first.storage.workshops.create(load_workshop_file(EXAMPLE))
    at_prompt = KeptAtPrompt(first, db_path, "Type one now")
    await first.chat(OWNER, "Olu").say("/close")
    await at_prompt.crash_back_to_it(first)

    second = await make_bot()
    owner = second.chat(OWNER, "Olu")
    calls = await owner.say("Thank you all; see you at the library in May.")
    assert "is now closed to new people" in owner.texts(calls)[0]
    closed = await second.storage.workshops.get(workshop.id)
    assert closed is not None
    assert not closed.is_open
    assert closed.closing_message == "Thank you all; see you at the library in May."


async def test_a_step_is_kept_in_the_row_persistence_would_write(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = bot.chat(OWNER, "Olu")
    await owner.say("/action")
    await owner.say("Evening buses on route 47")
    kept = await bot.storage.conversations.load(facilitator_conversation.NAME)
    assert kept == {(OWNER, OWNER): action_flow.State.STATUS}
    [data] = (await bot.storage.user_data.load()).values()
    draft = data["action"]
    assert isinstance(draft, dict)
    assert draft["title"] == "Evening buses on route 47"
    # The conversation holds the same key and state in memory (persistence's source).
    [conversation] = bot.app.handlers[-1]  # the group of the facilitator prompts
    assert conversation.name == facilitator_conversation.NAME
    assert dict(conversation._conversations) == kept
    # An ended prompt is gone from both, without waiting for persistence.
    await owner.say("/cancel")
    assert await bot.storage.conversations.load(facilitator_conversation.NAME) == {}
    assert "action" not in next(iter((await bot.storage.user_data.load()).values()), {})


async def test_a_typed_workshop_title_is_kept_across_a_crash_at_its_step(
    make_bot: BotFactory, db_path: Path
) -> None:
    first = await make_bot()
    owner = first.chat(OWNER, "Olu")
    await owner.say("/newworkshop")
    at_prompt = KeptAtPrompt(first, db_path, "What is it for, in a sentence")
    await owner.say("Bus routes in Leith")
    await at_prompt.crash_back_to_it(first)

    second = await make_bot()
    owner = second.chat(OWNER, "Olu")
    calls = await owner.say("To decide which evening routes to keep.")
    [shown] = owner.texts(calls)
    assert "Step 3 of" in shown
    assert "How much can participants' views change things?" in shown
