"""The whole participant journey, as a person on a phone would go through it."""

from __future__ import annotations

from pathlib import Path

from domain.texts import texts
from domain.workshop_file import load_workshop_file
from handlers.facilitator.menus import FACILITATOR_COMMANDS, PARTICIPANT_COMMANDS
from tests.conftest import OWNER, RunningBot
from tests.support.chat import Chat
from tests.support.reading import visible


async def test_start_shows_workshop_and_first_consent(chat: Chat) -> None:
    calls = await chat.say(f"/start {chat.invite}")
    texts = chat.texts(calls)
    assert "Welcome to Getting to appointments" in texts[0]
    assert "How the community transport scheme is run and advertised" in texts[0]
    assert "Can we keep your answers?" in texts[1]
    assert chat.buttons() == [
        "Yes, I agree to take part",
        "No, thank you",
        "Tell me more first",
    ]
    # The level and what it cannot change are one tap away.
    more = chat.texts(await chat.press("Tell me more first"))[0]
    assert "<b>co-design</b>" in more
    assert "What it cannot change" in more
    assert "Where the hospital and clinics are" in more


async def test_whole_journey(chat: Chat, bot: RunningBot) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    assert "hear what happens" in chat.last_text()
    await chat.press("Yes, send me updates")
    assert "May we quote you?" in chat.last_text()
    await chat.press("Please don't quote me")
    assert "how we work together" in chat.last_text()
    await chat.press("Start the questions")
    assert chat.last_text().startswith("<i>Question 1 of 6</i>")
    assert "What is important to you?" in chat.last_text()
    assert chat.buttons() == ["Skip", "Pause"]

    await chat.say("Seeing my grandchildren")
    assert "Question 2 of 6" in chat.last_text()
    assert chat.buttons() == ["« Back", "Skip", "Pause"]
    await chat.say("Cooking")
    await chat.say("Get out of the house more")
    assert "Question 4 of 6" in chat.last_text()
    assert "Type the name" in chat.last_text()
    await chat.say("My daughter")
    assert "How often are you in touch with <b>My daughter</b>?" in chat.last_text()
    await chat.press("Every week")
    await chat.press("Phone")
    await chat.press("Practical help")
    await chat.press("Done with this person")
    assert "add another person?" in chat.last_text()
    await chat.press("That's everyone")
    assert "Question 5 of 6" in chat.last_text()
    await chat.say("Go to the seaside")
    await chat.say("My GP thinks I should walk more")
    review = chat.last_text()
    assert "Your answers for Getting to appointments" in review
    assert "Seeing my grandchildren" in review
    assert "My daughter – Every week – Phone, Practical help" in review
    assert "Change 1" in chat.buttons()
    await chat.press("Submit my answers")
    assert "Thank you." in chat.last_text()
    assert "What happens next:" in chat.last_text()

    storage = bot.storage
    member = await storage.participants.get(1, 4242)
    assert member is not None
    assert member.status == "submitted"
    assert member.pseudonym.startswith("P-")
    answers = await storage.answers.for_participant(member.id)
    assert len(answers) == 6
    consents = await storage.participants.consents(member.id)
    assert consents["take_part"].granted
    assert consents["updates"].granted
    assert not consents["quote"].granted
    assert consents["take_part"].method == "telegram-button"
    assert len(consents["take_part"].text_sha256) == 64


def _listed(help_text: str) -> list[str]:
    """The commands /help lists, in order, with the description each is given."""
    return [line.split(" – ")[0][1:] for line in help_text.splitlines() if line.startswith("/")]


async def test_help_lists_every_command_in_the_participant_menu(chat: Chat) -> None:
    calls = await chat.say("/help")
    text = chat.texts(calls)[0]
    assert _listed(text) == list(PARTICIPANT_COMMANDS)
    for name in PARTICIPANT_COMMANDS:
        assert f"/{name} – {texts().label(f'commands.{name}')}" in text
    assert "send STOP" in text  # how to stop messages
    assert "For facilitators" not in text


async def test_help_lists_every_command_in_the_facilitator_menu(bot: RunningBot) -> None:
    chat = bot.chat(OWNER, "Priya")
    calls = await chat.say("/help")
    text = chat.texts(calls)[0]
    assert _listed(text) == list(PARTICIPANT_COMMANDS + FACILITATOR_COMMANDS)
    for name in ("action", "update", "report", "session"):
        assert f"/{name} – " in text
    assert "For facilitators" in text


async def _to_relationships(chat: Chat) -> None:
    await chat.join(chat.invite)
    for answer in ("Family", "Cooking", "Get out more"):
        await chat.say(answer)


async def test_own_words_are_said_back_and_each_person_has_a_line(chat: Chat) -> None:
    await _to_relationships(chat)
    await chat.say("My sister")
    calls = await chat.say("twice a month")
    assert 'Kept in your own words: "twice a month".' in chat.texts(calls)[-1]
    calls = await chat.say("walks by the canal")
    assert 'Kept in your own words: "twice a month", "walks by the canal".' in chat.last_text()
    await chat.press("Phone")
    await chat.press("Done with this person")
    await chat.press("Add another person")
    await chat.say("J.")
    await chat.press("Every week")
    await chat.press("Done with this person")
    await chat.press("That's everyone")
    await chat.say("Go to the seaside")
    await chat.say("Walk more")
    lines = "\n• My sister – twice a month – walks by the canal, Phone\n• J. – Every week\n"
    assert lines in chat.last_text()  # the review
    calls = await chat.say("/mine")
    assert lines in chat.texts(calls)[0]


async def test_the_ground_rules_and_the_relationships_question_agree(chat: Chat) -> None:
    await chat.say(f"/start {chat.invite}")
    await chat.press("Yes, I agree to take part")
    await chat.press("No updates, thanks")
    await chat.press("Please don't quote me")
    rules = visible(chat.last_text())
    assert "don't name" not in rules
    assert "Please don't share their private details." in rules
    assert 'a first name, initials or who they are to you ("my sister")' in rules
    await chat.press("Start the questions")
    for answer in ("Family", "Cooking", "Get out more"):
        await chat.say(answer)
    assert 'a first name, initials or who they are to you, like "my sister"' in chat.last_text()


async def test_a_choice_typed_is_said_back_as_the_answer_kept(
    bot: RunningBot, tmp_path: Path
) -> None:
    path = tmp_path / "lunch.toml"
    path.write_text(LUNCH, encoding="utf-8")
    workshop = await bot.storage.workshops.create(load_workshop_file(path))
    chat = bot.chat(user_id=99)
    await chat.join(workshop.invite_code)
    calls = await chat.say("2")
    assert chat.texts(calls)[0] == "Got it: <b>1pm</b>."
    assert "Question 2 of 2" in chat.texts(calls)[-1]
    await chat.press("« Back")
    calls = await chat.press("Either")  # tapped: the button says it already
    assert "Got it" not in "".join(chat.texts(calls))


LUNCH = """
title = "Day centre lunches"
purpose = "Lunch times at the day centre."
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
