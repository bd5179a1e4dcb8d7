"""Skip, Back, Pause, Resume, review and change, the relationships group, other kinds."""

from __future__ import annotations

from pathlib import Path

from domain.workshop_file import load_workshop_file
from tests.conftest import RunningBot
from tests.support.chat import Chat


async def test_skip_keeps_going_and_records_a_skip(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.press("Skip")
    assert "Question 2 of 6" in chat.last_text()
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.skipped for a in answers.values()] == [True]


async def test_back_shows_previous_answer_and_replaces_it(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("My dog")
    await chat.press("« Back")
    assert "Question 1 of 6" in chat.last_text()
    assert "Your answer so far: <i>My dog</i>" in chat.last_text()
    await chat.say("My dog and my garden")
    assert "Question 2 of 6" in chat.last_text()
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.value for a in answers.values()] == ["My dog and my garden"]


async def test_pause_then_resume_continues_at_same_question(chat: Chat) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    await chat.say("Singing")
    await chat.press("Pause")
    assert "Paused. Everything you have answered so far is saved." in chat.last_text()
    calls = await chat.say("this is not an answer")
    assert "paused" in chat.texts(calls)[0]
    await chat.say("/resume")
    assert "Question 3 of 6" in chat.last_text()


async def test_tapping_the_invite_link_again_resumes(chat: Chat) -> None:
    await chat.join(chat.invite)
    await chat.say("Family")
    await chat.press("Pause")
    calls = await chat.say(f"/start {chat.invite}")
    texts = chat.texts(calls)
    assert "Welcome back" in texts[0]
    assert "Question 2 of 6" in texts[-1]


async def test_not_now_after_ground_rules_pauses_before_question_one(chat: Chat) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    await chat.press("No updates, thanks")
    await chat.press("Please don't quote me")
    await chat.press("Not now")
    assert "Paused" in chat.last_text()
    await chat.say("/resume")
    assert "Question 1 of 6" in chat.last_text()


async def _answer_all(chat: Chat) -> None:
    await chat.join(chat.invite)
    for text in ("Family", "Singing", "Walk more"):
        await chat.say(text)
    await chat.press("Skip")  # relationships
    await chat.say("Visit Wales")
    await chat.say("Rest")


async def test_review_change_returns_to_review(chat: Chat, bot: RunningBot) -> None:
    await _answer_all(chat)
    assert "Your answers for" in chat.last_text()
    await chat.press("Change 3")
    assert "Question 3 of 6 – changing your answer" in chat.last_text()
    await chat.say("Sleep better")
    review = chat.last_text()
    assert "Your answers for" in review
    assert "Sleep better" in review
    assert "Walk more" not in review
    await chat.press("Submit my answers")
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    assert member.status == "submitted"
    assert member.submitted_at is not None


async def test_back_while_changing_returns_to_review_unchanged(chat: Chat) -> None:
    await _answer_all(chat)
    await chat.press("Change 1")
    await chat.press("« Back")
    assert "Your answers for" in chat.last_text()
    assert "Family" in chat.last_text()


async def test_typing_on_review_screen_is_not_kept(chat: Chat, bot: RunningBot) -> None:
    await _answer_all(chat)
    calls = await chat.say("extra words")
    assert "Use the buttons below" in chat.texts(calls)[0]
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert all(a.value != "extra words" for a in answers.values())


async def test_relationships_add_another_and_typed_support(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    await chat.say("Mum")
    await chat.press("Every day")
    await chat.press("In person")
    await chat.press("Phone")
    await chat.press("✓ Phone")  # tapped again: removed
    assert chat.buttons()[:2] == ["✓ In person", "Phone"]
    await chat.say("She drives me to clinic")
    await chat.press("Done with this person")
    await chat.press("Add another person")
    assert "Who else?" in chat.last_text()
    await chat.say("Neighbour Ann")
    await chat.say("most days")
    await chat.press("Done with this person")
    await chat.press("That's everyone")
    assert "Question 5 of 6" in chat.last_text()
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    questions = await bot.storage.workshops.questions(1)
    answer = await bot.storage.answers.get(member.id, questions[3].id)
    assert answer is not None
    assert answer.value == {
        "entries": [
            {
                "who": "Mum",
                "how_often": "Every day",
                "support": ["In person", "She drives me to clinic"],
                "complete": True,
            },
            {"who": "Neighbour Ann", "how_often": "most days", "support": [], "complete": True},
        ]
    }


async def test_skip_mid_relationship_keeps_what_was_told(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    await chat.say("Brother")
    await chat.press("Skip")
    assert "Question 5 of 6" in chat.last_text()
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    questions = await bot.storage.workshops.questions(1)
    answer = await bot.storage.answers.get(member.id, questions[3].id)
    assert answer is not None
    assert not answer.skipped
    assert answer.value["entries"][0]["who"] == "Brother"


CUSTOM = """
title = "Day centre lunches"
purpose = "Choose how lunches work."
engagement_level = "consult"
can_change = ["The menu"]
cannot_change = ["The price"]
who_decides = "The centre manager"
decide_by = "June 2027"
hear_back = "We will tell you in May."

[[questions]]
key = "meal"
kind = "choice"
prompt = "Which lunch time suits you?"
options = ["12 noon", "1pm", "Either"]

[[questions]]
key = "happy"
kind = "scale"
prompt = "How happy are you with lunches now?"
options = ["Not at all", "Very"]
"""


async def test_choice_and_scale_questions(bot: RunningBot, tmp_path: Path) -> None:
    path = tmp_path / "lunch.toml"
    path.write_text(CUSTOM, encoding="utf-8")
    workshop = await bot.storage.workshops.create(load_workshop_file(path))
    chat = bot.chat(user_id=99)
    await chat.join(workshop.invite_code)
    assert "Question 1 of 2" in chat.last_text()
    assert chat.buttons() == ["12 noon", "1pm", "Either", "Skip", "Pause"]
    calls = await chat.say("half past")
    assert "Please tap one of the answers" in chat.texts(calls)[0]
    await chat.say("2")  # typing the number of an option works too
    assert "Question 2 of 2" in chat.last_text()
    assert "1 = Not at all, 5 = Very" in chat.last_text()
    await chat.press("4")
    assert "Your answers for Day centre lunches" in chat.last_text()
    member = await bot.storage.participants.get(workshop.id, 99)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert sorted(a.value for a in answers.values() if isinstance(a.value, str)) == ["1pm"]
    assert [a.value for a in answers.values() if isinstance(a.value, int)] == [4]


async def test_long_answer_is_kept_whole_and_can_continue(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    part_one = "word " * 819  # 4,095 characters: Telegram would have split here
    await chat.say(part_one)
    assert "long answer" in chat.last_text()
    assert chat.buttons() == ["Next question »"]
    await chat.say("and the end of it")
    assert "Question 2 of 6" in chat.last_text()
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    questions = await bot.storage.workshops.questions(1)
    answer = await bot.storage.answers.get(member.id, questions[0].id)
    assert answer is not None
    assert answer.value == part_one.strip() + "\nand the end of it"


async def test_long_answer_next_button_moves_on(chat: Chat) -> None:
    await chat.join(chat.invite)
    await chat.say("x" * 4096)
    await chat.press("Next question »")
    assert "Question 2 of 6" in chat.last_text()


async def test_change_with_a_long_answer_returns_to_review(chat: Chat) -> None:
    await chat.join(chat.invite)
    for _ in range(6):
        await chat.press("Skip")
    await chat.press("Change 1")
    await chat.say("z" * 4096)
    await chat.press("Next question »")
    assert "Your answers for" in chat.last_text()


async def test_change_then_pause_then_resume_returns_to_review(chat: Chat) -> None:
    await chat.join(chat.invite)
    for _ in range(6):
        await chat.press("Skip")
    await chat.press("Change 2")
    await chat.press("Pause")
    await chat.say("/resume")
    assert "Question 2 of 6 – changing your answer" in chat.last_text()
    await chat.say("Baking")
    assert "Your answers for" in chat.last_text()
    assert "Baking" in chat.last_text()


async def test_start_without_code_when_reviewing(chat: Chat) -> None:
    await chat.join(chat.invite)
    for _ in range(6):
        await chat.press("Skip")
    calls = await chat.say("/start")
    text = chat.texts(calls)[0]
    assert "ready to check and submit" in text
    assert "question 7" not in text


async def test_half_told_relationship_has_no_none(chat: Chat) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    await chat.say("My sister")
    await chat.press("Skip")
    await chat.press("« Back")
    assert "• My sister" in chat.last_text()
    assert "None" not in chat.last_text()


async def _values(bot: RunningBot, workshop_id: int = 1, user_id: int = 4242) -> list[object]:
    member = await bot.storage.participants.get(workshop_id, user_id)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    return [a.value for _, a in sorted(answers.items())]


async def test_back_keeps_the_saved_answer(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("My dog")
    await chat.press("« Back")
    assert "Your answer so far: <i>My dog</i>" in chat.last_text()
    assert "Skip" not in chat.buttons()
    assert "Keep this answer" in chat.buttons()
    await chat.press("Keep this answer")
    assert "Question 2 of 6" in chat.last_text()
    assert await _values(bot) == ["My dog"]


async def test_clearing_an_answer_is_its_own_button(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    await chat.say("My dog")
    await chat.press("« Back")
    await chat.press("Clear this answer")
    assert "Question 2 of 6" in chat.last_text()
    assert await _values(bot) == [None]
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    answers = await bot.storage.answers.for_participant(member.id)
    assert [a.skipped for a in answers.values()] == [True]


async def test_an_old_skip_cannot_erase_an_answer_kept_after_back(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    old_skip = chat.sent()[-1].buttons[-2][1]  # Skip on question 1
    await chat.say("My dog")
    await chat.press("« Back")
    await chat.press_data(old_skip)
    assert await _values(bot) == ["My dog"]


async def test_back_to_a_choice_keeps_it(bot: RunningBot, tmp_path: Path) -> None:
    path = tmp_path / "lunch.toml"
    path.write_text(CUSTOM, encoding="utf-8")
    workshop = await bot.storage.workshops.create(load_workshop_file(path))
    chat = bot.chat(user_id=99)
    await chat.join(workshop.invite_code)
    await chat.press("1pm")
    await chat.press("« Back")
    assert "Your answer so far: <i>1pm</i>" in chat.last_text()
    assert "Skip" not in chat.buttons()
    await chat.press("Keep this answer")
    assert "Question 2 of 2" in chat.last_text()
    await chat.press("4")
    await chat.press("Change 2")
    assert "Your answer so far: <i>4</i>" in chat.last_text()
    await chat.press("Keep this answer")
    assert "Your answers for Day centre lunches" in chat.last_text()
    assert await _values(bot, workshop.id, 99) == ["1pm", 4]
    await chat.press("Change 1")
    await chat.press("Clear this answer")
    assert await _values(bot, workshop.id, 99) == [None, 4]


async def test_back_to_relationships_keeps_the_people(chat: Chat, bot: RunningBot) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    await chat.say("Mum")
    await chat.press("Every day")
    await chat.press("Done with this person")
    await chat.press("That's everyone")
    await chat.press("« Back")
    assert "• Mum – Every day" in chat.last_text()
    assert "Skip" not in chat.buttons()
    await chat.press("That's everyone")
    assert "Question 5 of 6" in chat.last_text()
    questions = await bot.storage.workshops.questions(1)
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    answer = await bot.storage.answers.get(member.id, questions[3].id)
    assert answer is not None
    assert [e["who"] for e in answer.value["entries"]] == ["Mum"]
    await chat.press("« Back")
    await chat.press("Clear this answer")
    answer = await bot.storage.answers.get(member.id, questions[3].id)
    assert answer is not None
    assert answer.skipped


async def test_a_relationship_detail_over_the_limit_is_refused_not_cut(
    chat: Chat, bot: RunningBot
) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    questions = await bot.storage.workshops.questions(1)
    member = await bot.storage.participants.get(1, 4242)
    assert member is not None
    long_name = "My neighbour " + "x" * 300
    calls = await chat.say(long_name)
    texts = chat.texts(calls)
    assert texts[0] == (
        "That is longer than I can keep for who they are: up to 200 characters, and yours "
        "has 313. Please send it again, shorter. I haven't kept it."
    )
    assert "Type the name of someone important to you" in texts[-1]
    assert await bot.storage.answers.get(member.id, questions[3].id) is None
    await chat.say("My neighbour")
    calls = await chat.say("y" * 201)
    assert "up to 200 characters, and yours has 201" in chat.texts(calls)[0]
    await chat.say("Every week")
    calls = await chat.say("z" * 250)
    assert "for one kind of contact or support: up to 200" in chat.texts(calls)[0]
    await chat.say("z" * 200)  # exactly at the limit: kept whole
    answer = await bot.storage.answers.get(member.id, questions[3].id)
    assert answer is not None
    entry = answer.value["entries"][0]
    assert (entry["who"], entry["how_often"], entry["support"]) == (
        "My neighbour",
        "Every week",
        ["z" * 200],
    )


async def test_the_relationship_prompts_state_the_limit(chat: Chat) -> None:
    await chat.join(chat.invite)
    for _ in range(3):
        await chat.press("Skip")
    assert "(up to 200 characters)" in chat.last_text()
