"""Bad input gets a clear, kind reply and never a crash or lost data."""

from __future__ import annotations

import pytest

from chat.callbacks.journey import (
    ConsentDecision,
    ConsentNext,
    ConsentStep,
    Decision,
    Erase,
    EraseStep,
    ShareFor,
)
from domain.workshop_file import load_workshop_file
from storage.kinds import Purpose
from storage.models import Workshop
from tests.conftest import EXAMPLE, OWNER, RunningBot
from tests.support.chat import Chat

NOT_TEXT = ("sticker", "photo", "voice", "location")


@pytest.mark.parametrize("kind", NOT_TEXT)
async def test_non_text_while_a_question_waits(chat: Chat, kind: str) -> None:
    await chat.join(chat.invite)
    calls = await getattr(chat, kind)()
    texts = chat.texts(calls)
    assert (
        texts[0] == "I can only keep typed answers for now. Please type your answer, or tap Skip."
    )
    assert "Question 1 of 6" in texts[1]


@pytest.mark.parametrize("kind", NOT_TEXT)
async def test_non_text_with_no_workshop(bot: RunningBot, kind: str) -> None:
    chat = bot.chat()
    calls = await getattr(chat, kind)()
    assert "I can only read typed messages" in chat.texts(calls)[0]


async def test_non_text_while_sharing_and_consenting(chat: Chat) -> None:
    await chat.say(f"/start {chat.invite}")
    calls = await chat.sticker()
    assert "Please use the buttons above" in chat.texts(calls)[0]
    await chat.press("Yes, I agree to take part")
    await chat.press("No updates, thanks")
    await chat.press("Please don't quote me")
    await chat.say("/share")
    calls = await chat.voice()
    assert "typed views" in chat.texts(calls)[0]


FORGED = [
    "",
    "x",
    "wm",
    "wm:skip",
    "wm:skip:abc",
    "wm:skip:0:1",
    "wm:pick:0:999",
    "wm:often:0:99",
    "wm:sup:0:99",
    "rv:change:99",
    "rv:submit:1",
    "cons:yes:take_part:AAAAAAAAAAAAAAAAAAAAAA",
    "cons:yes:admin:AAAAAAAAAAAAAAAAAAAAAA",
    "cons:go:AAAAAAAAAAAAAAAAAAAAAA",
    "sh:pick:99999",
    "sh:done",
    "fg:yes:99999",
    "fg:pick:1; DROP TABLE answers",
    # every family of participant buttons, well formed but not for this place
    "wm:skip:0",  # the question before
    "wm:back:5",  # a question not reached
    "wm:supdone:1",  # a relationships step on a text question
    "wm:more:1",
    "wm:enough:1",
    "wm:pick:answer:1:0",  # an option of a question that has none
    "wm:pick:often:1:0",
    "wm:pick:support:1:0",
    "wm:pick:often:1:999",
    "rv:change:0",  # not on the review screen
    "rv:submit",
    "cons:no:quote:AAAAAAAAAAAAAAAAAAAAAA",  # no such workshop
    "cons:step:more:AAAAAAAAAAAAAAAAAAAAAA",
    "cons:step:later:AAAAAAAAAAAAAAAAAAAAAA",
    "sh:pick:1:2",
    "sh:later",
    "fg:pick:99999",
    "fg:erase:1",
    "ab:yes",  # not submitted yet
    "ab:no:1",
    "ab:pick:0:0",
    "ab:skip:0",
    "fb:yes:999",  # an update never sent to them
    "fb:maybe:1",
    "fb:skip:999",
    # buttons from before their family changed shape
    "wm:pick:1:0",
    "wm:often:1:0",
    "wm:sup:1:0",
    "cons:more:AAAAAAAAAAAAAAAAAAAAAA",
    "é" * 40,
    "a" * 200,
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_callback_data_changes_nothing(
    chat: Chat, bot: RunningBot, data: str
) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    before = await _snapshot(bot)
    calls = await chat.press_data(data)
    texts = chat.texts(calls)
    assert texts[0] == "That button has expired. Here is where you were."
    assert "Question 2 of 6" in texts[-1]
    assert await _snapshot(bot) == before
    assert any(c.method == "answerCallbackQuery" for c in calls)


async def _snapshot(bot: RunningBot) -> list[tuple[object, ...]]:
    rows = []
    for table in ("participants", "consents", "answers", "views"):
        for row in await bot.storage.db.fetchall(f"SELECT * FROM {table} ORDER BY id"):
            values = dict(row)
            values.pop("last_seen_at", None)
            # which message shows the screen: it is shown again, so this moves on
            values.pop("screen_message_id", None)
            values.pop("screen_buttons", None)
            rows.append((table, *values.values()))
    return rows


async def test_buttons_cannot_reach_another_workshop_or_person(bot: RunningBot) -> None:
    first = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    second = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    alice, bob = bot.chat(user_id=1, name="Alice"), bot.chat(user_id=2, name="Bob")
    await alice.join(first.invite_code)
    await alice.say("/share")
    await alice.say("Alice's private view")
    await bob.join(second.invite_code)
    # Bob forges buttons naming Alice's workshop: he is not a member, so nothing happens.
    for data in (
        ShareFor(first.id).pack(),
        Erase(EraseStep.CONFIRM, first.id).pack(),
        ConsentDecision(Decision.YES, Purpose.UPDATES, first.invite_code, "Ab_9").pack(),
        ConsentNext(ConsentStep.GO, first.invite_code).pack(),
    ):
        calls = await bob.press_data(data)
        assert bob.texts(calls)[0].startswith("That button has expired")
    alice_member = await bot.storage.participants.get(first.id, 1)
    assert alice_member is not None
    assert [v.text for v in await bot.storage.views.drafts(alice_member.id)] == [
        "Alice's private view"
    ]
    assert await bot.storage.participants.get(first.id, 2) is None


async def test_query_too_old_is_survived(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    bot.fake.fail(
        "answerCallbackQuery", 400, "Bad Request: query is too old and response timeout expired"
    )
    await chat.press("Skip")
    assert "Question 2 of 6" in chat.last_text()


async def test_unknown_command_shows_where_you_are(chat: Chat) -> None:
    await chat.join(chat.invite)
    calls = await chat.say("/frobnicate")
    texts = chat.texts(calls)
    assert texts[0] == "I don't know that command. Send /help to see what I can do."
    assert "Question 1 of 6" in texts[1]


async def test_help_mid_question_keeps_place(chat: Chat) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    calls = await chat.say("/help")
    texts = chat.texts(calls)
    assert "<b>Commands</b>" in texts[0]
    assert "Samaritans" in texts[0]
    assert "Question 2 of 6" in texts[1]
    await chat.say("Knitting")
    assert "Question 3 of 6" in chat.last_text()


async def test_help_while_consenting_shows_the_consent_again(chat: Chat) -> None:
    await chat.say(f"/start {chat.invite}")
    calls = await chat.say("/help")
    assert "Can we keep your answers?" in chat.texts(calls)[-1]


async def test_group_chat_gets_one_reply_nothing_stored_and_bot_leaves(
    bot: RunningBot, workshop: Workshop
) -> None:
    chat = bot.chat()
    chat.chat = {"id": -100123, "type": "supergroup", "title": "Carers group"}
    calls = await chat.say(f"/start {workshop.invite_code}")
    assert [c.method for c in calls] == ["sendMessage", "leaveChat"]
    assert "only work in private chats" in calls[0].text
    await chat.say("my view in a group")
    rows = await bot.storage.db.fetchall("SELECT * FROM participants")
    assert rows == []


async def test_bot_added_to_group_leaves(bot: RunningBot) -> None:
    chat = bot.chat()
    group = {"id": -42, "type": "group", "title": "Friends"}
    update = {
        "chat": group,
        "from": chat.user,
        "date": 0,
        "old_chat_member": {
            "status": "left",
            "user": {"id": 777000111, "is_bot": True, "first_name": "d"},
        },
        "new_chat_member": {
            "status": "member",
            "user": {"id": 777000111, "is_bot": True, "first_name": "d"},
        },
    }
    calls = await chat.send(update, kind="my_chat_member")
    assert [c.method for c in calls] == ["sendMessage", "leaveChat"]


async def test_edited_message_updates_its_answer(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("Famly")
    typo_id = chat.last_message_id
    calls = await chat.edit(typo_id, "Family")
    assert "updated your answer" in chat.texts(calls)[0]
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.value for a in answers.values()] == ["Family"]
    assert member.position == 1  # the edit did not move the person on


async def test_edited_message_that_was_not_kept(chat: Chat, bot: RunningBot) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.say("typed on the consent screen")
    calls = await chat.edit(chat.last_message_id, "edited")
    assert "wasn't one I kept" in chat.texts(calls)[0]
    assert await bot.storage.db.fetchall("SELECT * FROM answers") == []


async def test_second_start_same_workshop_mid_questions(chat: Chat) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    calls = await chat.say(f"/start {chat.invite}")
    assert "Question 2 of 6" in chat.texts(calls)[-1]


async def test_second_start_other_workshop_pauses_the_first(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    other = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    await chat.join(chat.invite)
    await chat.say("Family")
    await chat.say(f"/start {other.invite_code}")
    assert "Can we keep your answers?" in chat.last_text()
    first = await bot.storage.participants.get(workshop.id, 4242)
    assert first is not None
    assert first.status == "answering"  # only reading about the other one so far
    await chat.press("Yes, I agree to take part")
    first = await bot.storage.participants.get(workshop.id, 4242)
    assert first is not None
    assert first.status == "paused"
    assert first.position == 1


async def test_back_to_the_first_workshop_answers_go_there(
    chat: Chat, bot: RunningBot, workshop: Workshop
) -> None:
    other = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    await chat.join(chat.invite)
    await chat.say("Family")
    await chat.join(other.invite_code)
    calls = await chat.say(f"/start {chat.invite}")
    assert "Welcome back to <b>Getting to appointments" in chat.texts(calls)[0]
    assert "Question 2 of 6" in chat.last_text()
    await chat.say("meant for the first workshop")
    first = await bot.storage.participants.get(workshop.id, 4242)
    second = await bot.storage.participants.get(other.id, 4242)
    assert first is not None
    assert second is not None
    first_answers = await bot.storage.answers.for_participant(first.id)
    assert sorted(a.value for a in first_answers.values()) == [
        "Family",
        "meant for the first workshop",
    ]
    assert await bot.storage.answers.for_participant(second.id) == {}
    assert second.status == "paused"


async def test_closed_invite_mid_questions_leaves_questions_alone(
    chat: Chat, bot: RunningBot
) -> None:
    closed = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    await bot.storage.workshops.set_status(closed.id, "closed")
    await chat.join(chat.invite)
    await chat.say(f"/start {closed.invite_code}")
    await chat.say("Family")
    assert "Question 2 of 6" in chat.last_text()


async def test_same_message_delivered_twice_is_kept_once(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    message = chat._message(text="Family")
    await chat.send(message)
    calls = await chat.send(message)  # Telegram redelivers after a crash
    assert chat.texts(calls) == []
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    assert member.position == 1


async def test_html_in_answers_and_views_is_escaped(chat: Chat) -> None:
    await chat.join(chat.invite)
    await chat.say('<b>&"</b> <script>')
    await chat.press("« Back")
    assert (
        "Your answer so far: <i>&lt;b&gt;&amp;&#34;&lt;/b&gt; &lt;script&gt;</i>"
        in chat.last_text()
    )
    await chat.say("/share")
    await chat.say('Buses <b>&"</b>')
    await chat.press("Done – share it")
    assert "<blockquote>Buses &lt;b&gt;&amp;&#34;&lt;/b&gt;</blockquote>" in chat.last_text()


async def test_cancel_mid_questions_keeps_answers(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    calls = await chat.say("/cancel")
    assert "Paused" in chat.texts(calls)[0]
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    assert len(await bot.storage.answers.for_participant(member.id)) == 1
    calls = await chat.say("/cancel")
    assert "nothing to stop" in chat.texts(calls)[0]


async def _answers(bot: RunningBot, workshop_id: int = 1) -> list[object]:
    member = await bot.storage.participants.get(workshop_id, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    return [a.value for _, a in sorted(answers.items())]


async def test_editing_part_of_a_long_answer_does_not_shrink_it(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("y" * 4096)
    await chat.say("tail")
    calls = await chat.edit(chat.last_message_id, "edited tail")
    assert "wasn't one I kept" in chat.texts(calls)[0]
    assert await _answers(bot) == ["y" * 4096 + "\ntail"]


async def test_editing_an_answer_later_skipped_changes_nothing(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    await chat.say("First try")
    first_id = chat.last_message_id
    await chat.press("« Back")
    await chat.press("Clear this answer")
    await chat.edit(first_id, "Second try")
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.skipped for a in answers.values()] == [True]


async def test_expired_button_with_nowhere_to_go(bot: RunningBot) -> None:
    chat = bot.chat()
    calls = await chat.press_data("wm:skip:0")
    assert chat.texts(calls) == ["That button no longer works. Send /help to see what you can do."]


def _photo(chat: Chat, caption: str) -> dict[str, object]:
    size = {"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}
    return chat._message(photo=[size], caption=caption)


async def test_a_photo_caption_is_the_answer(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    calls = await chat.send(_photo(chat, "My garden"))
    texts = chat.texts(calls)
    assert texts[0] == (
        "I can't keep pictures or files, so I have kept the words you wrote with it."
    )
    assert "Question 2 of 6" in texts[-1]
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.value for a in answers.values()] == ["My garden"]


async def test_a_caption_at_a_relationship_step_is_kept(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    await chat.send(_photo(chat, "Mum"))
    assert "How often are you in touch with <b>Mum</b>?" in chat.last_text()
    calls = await chat.sticker()  # at a relationship step: answered, shown again
    assert "I can only keep typed answers" in chat.texts(calls)[0]
    assert "How often are you in touch with <b>Mum</b>?" in chat.texts(calls)[-1]


async def test_a_press_with_empty_data_changes_nothing_mid_prompt(bot: RunningBot) -> None:
    owner = bot.chat(OWNER, "Olu")
    await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    await owner.say("/action")
    await owner.say("Evening buses on route 47")
    assert "In progress" in owner.buttons()  # the status step's buttons are showing
    calls = await owner.press_data("")
    assert [c.method for c in calls].count("answerCallbackQuery") == 1
    assert "That button no longer works" in " ".join(owner.texts(calls))
    await owner.press("In progress")  # the status step is still open
    assert "Save the action" in owner.buttons()
