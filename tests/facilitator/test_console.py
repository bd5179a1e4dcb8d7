"""The facilitator console, driven from Telegram as a busy facilitator would."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import zxingcpp
from PIL import Image

from domain.texts import texts
from domain.workshop_file import load_workshop_file
from storage.models import Workshop
from tests.conftest import EXAMPLE, OWNER, RunningBot
from tests.support.chat import Chat


async def _owner(bot: RunningBot) -> Chat:
    return bot.chat(user_id=OWNER, name="Olu")


async def _participant_with_answers(
    bot: RunningBot, workshop: Workshop, user_id: int, *texts: str
) -> Chat:
    chat = bot.chat(user_id=user_id, name=f"Person{user_id}")
    await chat.join(workshop.invite_code, quote=user_id % 2 == 0)
    for text in texts:
        await chat.say(text)
    return chat


def _qr(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1
    return found[0].text


async def test_new_workshop_step_by_step(bot: RunningBot) -> None:
    owner = await _owner(bot)
    await owner.say("/newworkshop")
    assert "Step 1 of 12" in owner.last_text()
    await owner.say("Warm homes <lab> & friends")
    await owner.say("Find out what keeps people warm in winter.")
    assert owner.buttons()[0] == "Inform: we tell people what is happening"
    await owner.press("Co-design: we design it together")
    await owner.say("The winter support scheme\nHow grants are advertised")
    await owner.say("The national energy price cap")
    await owner.say("The council's housing board")
    await owner.say("1 March 2027")
    await owner.press('"What matters to you" (six questions)')
    await owner.press("Europe/London")
    await owner.press("1 year")
    await owner.press("Every 2 weeks")
    confirm = owner.last_text()
    assert "Warm homes &lt;lab&gt; &amp; friends" in confirm
    assert "The winter support scheme; How grants are advertised" in confirm
    calls = await owner.press("Create the workshop")
    assert "Created workshop 1" in owner.texts(calls)[0]
    posters = bot.fake.files_sent()
    assert len(posters) == 1
    workshop = await bot.storage.workshops.get(1)
    assert workshop is not None
    assert workshop.title == "Warm homes <lab> & friends"
    assert workshop.engagement_level == "co-design"
    assert workshop.can_change == ("The winter support scheme", "How grants are advertised")
    assert workshop.update_cadence_days == 14
    assert "people's views" in workshop.hear_back  # plain text, not escaped HTML
    assert len(await bot.storage.workshops.questions(1)) == 6
    assert _qr(posters[0][1]) == f"https://t.me/doingwith_test_bot?start={workshop.invite_code}"
    assert await bot.storage.facilitators.is_facilitator(1, OWNER)
    assert any(
        c.method == "setMyCommands" and c.params.get("scope", {}).get("chat_id") == OWNER
        for c in bot.fake.calls
    )


QUESTIONS_TOML = b"""
[[questions]]
key = "travel"
kind = "choice"
prompt = "How do you usually travel to appointments?"
options = ["Bus", "Car", "Walk"]

[[questions]]
key = "ease"
kind = "scale"
prompt = "How easy is it?"

[[about_you]]
key = "age"
prompt = "Which age group are you in?"
options = ["Under 25", "25 to 64", "65 or over"]
targets = { "65 or over" = 40 }
"""


async def _new_workshop_until_questions(owner: Chat) -> None:
    await owner.say("/newworkshop")
    for text in ("Buses", "Better buses"):
        await owner.say(text)
    await owner.press("Consult: we ask, others decide")
    for text in ("Routes", "Fares", "The bus company", "June 2027"):
        await owner.say(text)


async def test_new_workshop_with_uploaded_questions(bot: RunningBot) -> None:
    owner = await _owner(bot)
    await _new_workshop_until_questions(owner)
    await owner.press("My own questions (send a file)")
    calls = await owner.document("questions.toml", QUESTIONS_TOML)
    assert 'Got 2 questions and 1 optional "about you" question.' in owner.texts(calls)[0]
    await owner.press("Europe/London")
    await owner.say("30")  # typed days instead of a button
    await owner.press("Every week")
    await owner.press("Create the workshop")
    questions = await bot.storage.workshops.questions(1)
    assert [q.kind for q in questions] == ["choice", "scale"]
    about = await bot.storage.about.questions(1)
    assert about[0].targets == {"65 or over": 40.0}
    workshop = await bot.storage.workshops.get(1)
    assert workshop is not None
    assert workshop.retention_days == 30


async def test_new_workshop_bad_input_is_explained(bot: RunningBot) -> None:
    owner = await _owner(bot)
    await owner.say("/newworkshop")
    calls = await owner.say("x" * 121)
    assert "at most 120 characters" in owner.texts(calls)[0]
    await owner.say("Buses")
    await owner.say("Purpose")
    calls = await owner.say("typed instead of tapping")
    assert "use the buttons" in owner.texts(calls)[0]
    await owner.press("Consult: we ask, others decide")
    for text in ("Routes", "Fares", "The bus company", "June 2027"):
        await owner.say(text)
    await owner.press("My own questions (send a file)")
    calls = await owner.document(
        "questions.toml",
        b'[[questions]]\nkey = "a"\nkind = "text"\nprompt = "Q"\ncolour = "red"\n',
    )
    assert "line 5, field 'colour' (question 1): unknown field" in html.unescape(
        owner.texts(calls)[0]
    )
    calls = await owner.document("questions.toml", b"[[questions]\nnot toml")
    assert "not valid TOML" in owner.texts(calls)[0]
    calls = await owner.document("questions.toml", b"\xff\xfe")
    assert "not UTF-8" in owner.texts(calls)[0]
    calls = await owner.say("/cancel")
    assert "no workshop was created" in owner.texts(calls)[0]
    assert await bot.storage.workshops.all() == []


async def test_retention_abc_is_refused_kindly(bot: RunningBot) -> None:
    owner = await _owner(bot)
    await _new_workshop_until_questions(owner)
    await owner.press('"What matters to you" (six questions)')
    await owner.say("Europe/London")
    calls = await owner.say("abc")
    assert "whole number of days from 1 to 3650" in owner.texts(calls)[0]
    await owner.say("365")
    assert "How often should participants hear back" in owner.last_text()


async def test_workshops_and_editing_a_field(bot: RunningBot, workshop: Workshop) -> None:
    owner = await _owner(bot)
    await _participant_with_answers(bot, workshop, 11, "Family")
    calls = await owner.say("/workshops")
    listing = owner.texts(calls)[0]
    assert "1. Getting to appointments" in listing
    assert "1 taking part, 0 sent their answers" in listing
    await owner.say("/workshop")
    assert "Invite link:" in owner.last_text()
    await owner.press("Title")
    calls = await owner.say("New <b>title</b>")
    assert owner.texts(calls)[0].startswith("Saved: title.")  # and the Polish is taken off
    changed = await bot.storage.workshops.get(workshop.id)
    assert changed is not None
    assert changed.title == "New <b>title</b>"
    assert "New &lt;b&gt;title&lt;/b&gt;" in owner.last_text()
    await owner.press("How long answers are kept")
    calls = await owner.say("forever")
    assert "whole number of days" in owner.texts(calls)[0]
    await owner.say("90")
    await owner.press("Engagement level")
    await owner.press("Inform: we tell people what is happening")
    changed = await bot.storage.workshops.get(workshop.id)
    assert changed is not None
    assert changed.retention_days == 90
    assert changed.engagement_level == "inform"


async def test_invite_sends_link_and_poster_that_scans(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = await _owner(bot)
    calls = await owner.say("/invite")
    link = f"https://t.me/doingwith_test_bot?start={workshop.invite_code}"
    assert link in owner.texts(calls)[0]
    name, png = bot.fake.files_sent()[-1]
    assert name == f"invite-poster-{workshop.id}.png"
    assert _qr(png) == link


async def test_close_with_a_message_then_reopen(bot: RunningBot, workshop: Workshop) -> None:
    owner = await _owner(bot)
    member = await _participant_with_answers(bot, workshop, 12, "Family")
    await owner.say("/close")
    assert "Close Getting to appointments" in owner.last_text()
    await owner.say("Thank you all. We will report back in May.")
    assert "is now closed" in owner.last_text()
    late = bot.chat(user_id=13)
    calls = await late.say(f"/start {workshop.invite_code}")
    assert "Thank you all. We will report back in May." in late.texts(calls)[0]
    calls = await member.say("/mine")
    assert "Family" in member.texts(calls)[0]
    await owner.say("/workshop")
    await owner.press("Open again")
    reopened = await bot.storage.workshops.get(workshop.id)
    assert reopened is not None
    assert reopened.is_open


async def test_facilitator_invite_works_once(bot: RunningBot, workshop: Workshop) -> None:
    owner = await _owner(bot)
    calls = await owner.say("/addfacilitator")
    text = owner.texts(calls)[0]
    code = text.split("start=")[1].split()[0]
    assert code.startswith("f_")
    assert len(code) >= 24
    helper = bot.chat(user_id=77, name="Hana")
    calls = await helper.say(f"/start {code}")
    assert "You are now a facilitator" in helper.texts(calls)[0]
    assert await bot.storage.facilitators.is_facilitator(workshop.id, 77)
    other = bot.chat(user_id=78)
    calls = await other.say(f"/start {code}")
    assert "expired or has already been used" in other.texts(calls)[0]
    assert not await bot.storage.facilitators.is_facilitator(workshop.id, 78)
    calls = await helper.say("/team")
    assert "Hana (you)" in helper.texts(calls)[0]
    await owner.say("/team")
    assert "Hana" in owner.last_text()
    await owner.press("Remove Hana")
    assert not await bot.storage.facilitators.is_facilitator(workshop.id, 77)
    calls = await helper.say("/views")
    assert helper.texts(calls)[0].startswith("This command is for facilitators.")
    assert any(c.method == "deleteMyCommands" for c in bot.fake.calls)


async def test_facilitator_invite_expires_after_7_days(
    bot: RunningBot, workshop: Workshop
) -> None:
    code = await bot.storage.facilitators.create_invite(workshop.id, OWNER)
    await bot.storage.db.execute(
        "UPDATE facilitator_invites SET expires_at = '2000-01-01T00:00:00+00:00'"
    )
    late = bot.chat(user_id=79)
    calls = await late.say(f"/start {code}")
    assert "expired" in late.texts(calls)[0]
    assert not await bot.storage.facilitators.is_facilitator(workshop.id, 79)


async def test_views_pages_show_pseudonyms_and_tagging_works(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = await _owner(bot)
    for user_id in range(20, 27):
        await _participant_with_answers(bot, workshop, user_id, f"Answer from {user_id} <i>&")
    await owner.say("/views")
    assert "7 answers and views" in owner.last_text()
    await owner.press("Everything, newest first")
    page = owner.last_text()
    assert "1–5 of 7" in page
    assert "P-" in page
    assert "Person2" not in page
    assert "&lt;i&gt;&amp;" in page
    assert owner.buttons()[:5] == ["Tag 1", "Tag 2", "Tag 3", "Tag 4", "Tag 5"]
    await owner.press("Older »")
    assert "6–7 of 7" in owner.last_text()
    await owner.press("Tag 6")
    await owner.press("New theme")
    await owner.say("Transport <b>")
    assert "✓ Transport &lt;b&gt;" in owner.buttons()[0] or "✓ Transport <b>" in owner.buttons()[0]
    counts = await bot.storage.themes.counts(workshop.id)
    assert [(c.theme.name, c.items, c.participants) for c in counts] == [("Transport <b>", 1, 1)]
    await owner.press("✓ Transport <b>")
    counts = await bot.storage.themes.counts(workshop.id)
    assert counts[0].items == 0


async def test_themes_create_rename_merge(bot: RunningBot, workshop: Workshop) -> None:
    owner = await _owner(bot)
    await _participant_with_answers(bot, workshop, 30, "Buses")
    await owner.say("/themes")
    await owner.press("New theme")
    await owner.say("transport")
    await owner.press("New theme")
    calls = await owner.say("TRANSPORT")
    assert "already a theme" in owner.texts(calls)[0]
    await owner.say("buses")
    item = (await bot.storage.feed.items(workshop.id))[0]
    themes = {t.name: t for t in await bot.storage.themes.of_workshop(workshop.id)}
    await bot.storage.themes.tag(themes["buses"].id, "answer", item.id, OWNER)
    await owner.say("/themes")
    await owner.press("Rename a theme")
    await owner.press("transport")
    await owner.say("getting there")
    await owner.press("Merge two themes")
    await owner.press("buses")
    await owner.press("getting there")
    counts = await bot.storage.themes.counts(workshop.id)
    assert [(c.theme.name, c.items) for c in counts] == [("getting there", 1)]


async def test_export_csv_and_json_without_telegram_ids(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = await _owner(bot)
    await _participant_with_answers(bot, workshop, 40, "=SUM(A1)", "Cooking")
    gone = await _participant_with_answers(bot, workshop, 41, "Withdrawn words")
    await gone.say("/forget")
    await gone.press("Yes, erase it")
    await owner.say("/export")
    (csv_name, csv_bytes), (json_name, json_bytes) = bot.fake.files_sent()[-2:]
    assert csv_name.endswith(".csv")
    assert json_name.endswith(".json")
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "pseudonym",
        "type",
        "question_number",
        "question",
        "text",
        "themes",
        "time",
        "may_quote",
    ]
    assert [r["text"] for r in rows] == ["'=SUM(A1)", "Cooking"]
    assert rows[0]["may_quote"] == "yes"
    for blob in (csv_bytes, json_bytes):
        text = blob.decode("utf-8-sig")
        for secret in ("Person40", "Person41", "Withdrawn words", "4040", str(OWNER)):
            assert secret not in text
        assert '"40"' not in text
        assert ",40," not in text
    document = json.loads(json_bytes)
    assert len(document["rows"]) == 2
    entries = await bot.storage.audit.entries(workshop.id)
    assert [(e.action, e.detail) for e in entries if e.action == "export"] == [
        ("export", "rows=2")
    ]


async def test_stats_text_and_chart(bot: RunningBot, workshop: Workshop) -> None:
    owner = await _owner(bot)
    await _participant_with_answers(bot, workshop, 50, "A", "B")
    curious = bot.chat(user_id=51)
    await curious.say(f"/start {workshop.invite_code}")
    calls = await owner.say("/stats")
    text = owner.texts(calls)[0]
    assert "Opened the link: 2" in text
    assert "Agreed to take part: 1" in text
    assert "Started answering: 1" in text
    assert "Sent their answers: 0 (0% of those who agreed)" in text
    photos = bot.fake.files_sent("sendPhoto")
    image = Image.open(io.BytesIO(photos[-1][1]))
    assert image.format == "PNG"
    assert image.size[0] > 500


ABOUT_AGE = """
[[about_you]]
key = "age"
prompt = "Your age group?"
options = ["Under 65", "65 or over"]
targets = { "65 or over" = 50 }
"""


async def test_about_you_feeds_representativeness_and_is_not_exported(
    bot: RunningBot, tmp_path: Path
) -> None:
    path = tmp_path / "w.toml"
    path.write_text(
        EXAMPLE.read_text(encoding="utf-8") + ABOUT_AGE,
        encoding="utf-8",
    )
    workshop = await bot.storage.workshops.create(load_workshop_file(path))
    person = bot.chat(user_id=60)
    await person.join(workshop.invite_code)
    for _ in range(6):
        await person.press("Skip")
    await person.press("Submit my answers")
    assert "short question" in person.last_text()
    await person.press("Yes, I'll answer")
    assert "Your age group?" in person.last_text()
    await person.press("Under 65")
    assert "That's everything" in person.last_text()
    owner = await _owner(bot)
    calls = await owner.say(f"/stats {workshop.id}")
    text = owner.texts(calls)[0]
    assert "Under 65: 1 (100%)" in text
    assert "65 or over: 0 (0%) – target 50% ⚠ under target" in text
    await owner.say(f"/export {workshop.id}")
    for _name, blob in bot.fake.files_sent()[-2:]:
        assert b"Under 65" not in blob
    await person.say("/forget")
    await person.press("Yes, erase it")
    assert await bot.storage.db.fetchall("SELECT * FROM about_answers") == []


async def test_who_to_ask_goes_on_the_poster_from_the_workshop_screen(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = bot.chat(OWNER, "Olu")
    await owner.say(f"/workshop {workshop.id}")
    await owner.press("Who to ask")
    assert "It goes on the invite poster" in owner.last_text()
    await owner.say("Ask Priya on 0141 496 0000")
    saved = await bot.storage.workshops.get(workshop.id)
    assert saved is not None
    assert saved.contact == "Ask Priya on 0141 496 0000"
    assert "Ask Priya on 0141 496 0000" in owner.last_text()
    await owner.press("Who to ask")
    await owner.say("-")
    cleared = await bot.storage.workshops.get(workshop.id)
    assert cleared is not None
    assert cleared.contact == ""


async def test_a_cadence_edit_keeps_the_default_hear_back_true_in_one_write(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = await _owner(bot)
    default = texts().plain(
        "facilitator/workshop/default_hear_back", days=workshop.update_cadence_days
    )
    await bot.storage.workshops.update(workshop.id, "hear_back", default)
    statements: list[str] = []
    await owner.press_data(f"we:update_cadence_days:{workshop.id}")
    await bot.storage.db.conn.set_trace_callback(statements.append)
    try:
        await owner.say("9")
    finally:
        await bot.storage.db.conn.set_trace_callback(None)
    edited = await bot.storage.workshops.get(workshop.id)
    assert edited is not None
    assert edited.update_cadence_days == 9
    assert edited.hear_back == texts().plain("facilitator/workshop/default_hear_back", days=9)
    writes = [s for s in statements if s.lstrip().upper().startswith("UPDATE WORKSHOPS")]
    assert len(writes) == 1, writes
    # A text someone wrote is theirs: a new cadence leaves it as it is.
    await bot.storage.workshops.update(workshop.id, "hear_back", "We meet monthly.")
    await owner.press_data(f"we:update_cadence_days:{workshop.id}")
    await owner.say("30")
    edited = await bot.storage.workshops.get(workshop.id)
    assert edited is not None
    assert edited.update_cadence_days == 30
    assert edited.hear_back == "We meet monthly."


async def test_feed_items_say_what_they_are(bot: RunningBot, workshop: Workshop) -> None:
    from storage.kinds import FeedKind

    await _participant_with_answers(bot, workshop, 501, "Buses")
    [item] = await bot.storage.feed.items(workshop.id)
    assert item.kind is FeedKind.ANSWER
    again = await bot.storage.feed.item(FeedKind.ANSWER, item.id)
    assert again is not None
    assert again.kind is FeedKind.ANSWER


async def test_tag_and_theme_toggle_presses_are_answered_once(
    bot: RunningBot, workshop: Workshop
) -> None:
    owner = await _owner(bot)
    await _participant_with_answers(bot, workshop, 40, "Buses")
    await bot.storage.themes.create(workshop.id, "transport")
    await owner.say("/views")
    presses = [
        await owner.press("Everything, newest first"),
        await owner.press("Tag 1"),
        await owner.press("transport"),
        await owner.press("✓ transport"),
    ]
    for calls in presses:
        assert [c.method for c in calls].count("answerCallbackQuery") == 1
    counts = await bot.storage.themes.counts(workshop.id)
    assert [c.items for c in counts] == [0]
