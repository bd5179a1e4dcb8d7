"""Every admin command and button checks the role of whoever sent it, every time."""

from __future__ import annotations

from collections import Counter

from chat.callbacks.facilitator import Field, Pick
from domain.workshop_file import load_workshop_file
from storage.audit import REFUSALS_PER_ACTOR_PER_HOUR, REFUSALS_PER_HOUR
from storage.models import Workshop
from tests.conftest import EXAMPLE, OWNER, RunningBot
from tests.support.chat import Chat

ADMIN_COMMANDS = (
    "workshops", "workshop", "newworkshop", "invite", "views", "themes", "stats", "export",
    "team", "addfacilitator", "removefacilitator", "close", "action", "actions", "update",
    "scheduled", "report", "session", "flags", "audit",
)  # fmt: skip
REFUSED = "This command is for facilitators."
HARMLESS = (
    REFUSED,
    "That button no longer works. Send /help to see what you can do.",
    "Cancelled. Nothing was changed.",
)
TABLES = (
    "workshops", "questions", "participants", "consents", "answers", "views", "themes",
    "theme_tags", "facilitators", "facilitator_invites", "about_answers", "link_opens",
    "actions", "action_themes", "updates", "deliveries", "sessions", "feedback", "flags",
)  # fmt: skip


async def snapshot(bot: RunningBot) -> dict[str, list[tuple[object, ...]]]:
    found = {}
    for table in TABLES:
        rows = await bot.storage.db.fetchall(f"SELECT * FROM {table}")
        found[table] = sorted(tuple(r) for r in rows)
    return found


async def _setup(bot: RunningBot, workshop: Workshop) -> dict[str, int]:
    """A workshop with an answer, a view, two themes, a tag and a safeguarding flag."""
    person = bot.chat(user_id=500, name="Pat")
    await person.join(workshop.invite_code)
    await person.say("Buses")
    await person.say("/share")
    await person.say("More buses")
    await person.press("Done – share it")
    item = next(i for i in await bot.storage.feed.items(workshop.id) if i.kind == "answer")
    view = next(i for i in await bot.storage.feed.items(workshop.id) if i.kind == "view")
    one = await bot.storage.themes.create(workshop.id, "transport")
    two = await bot.storage.themes.create(workshop.id, "money")
    assert one is not None
    assert two is not None
    await bot.storage.themes.tag(one.id, "answer", item.id, OWNER)
    action = await bot.storage.actions.create(
        workshop.id, "Buses", "planned", None, [one.id], OWNER
    )
    later = await bot.storage.updates.create(
        workshop.id, "Later", [action.id], "2999-01-01T10:00:00+00:00", OWNER
    )
    pat = await bot.storage.participants.get(workshop.id, 500)
    assert pat is not None
    flag = await bot.storage.flags.raise_flag(
        500, "not safe", "I am not safe", workshop_id=workshop.id, participant_id=pat.id
    )
    ids = {"w": workshop.id, "a": item.id, "v": view.id, "t1": one.id, "t2": two.id}
    return {**ids, "ac": action.id, "up": later.id, "flag": flag.id}


def admin_buttons(ids: dict[str, int]) -> list[str]:
    w, a, v, t1, t2 = ids["w"], ids["a"], ids["v"], ids["t1"], ids["t2"]
    return [
        *(f"fw:{pick.value}:{w}" for pick in Pick),
        *(f"we:{field.value}:{w}" for field in Field),
        f"we:level:{w}:co-design",
        f"wc:skip:{w}:0a1b2c",
        f"wc:keep:{w}:0a1b2c",
        f"wc:reopen:{w}",
        f"vw:page:{w}:all:0",
        f"vw:q:{w}:0:0",
        f"vw:tag:a:{a}",
        f"vw:tag:v:{v}",
        f"vw:on:a:{a}:{t2}",
        f"vw:off:a:{a}:{t1}",
        f"vw:new:v:{v}",
        f"th:new:{w}",
        f"th:rename:{t1}",
        f"th:merge:{t1}",
        f"th:into:{t1}:{t2}",
        f"th:pick:{w}:merge",
        f"tm:remove:{w}:{OWNER}",
        f"ac:edit:{ids['ac']}",
        f"ac:set:{ids['ac']}:done",
        "ac:status:planned:0a1b2c",
        "ac:theme:1:0a1b2c",
        "ac:save:0a1b2c",
        f"up:start:{w}",
        "up:act:1:0a1b2c",
        "up:next:0a1b2c",
        "up:now:0a1b2c",
        "up:later:0a1b2c",
        f"up:cancel:{ids['up']}",
        "fi:skip:0a1b2c",
        "nw:level:inform:0a1b2c",
        "nw:questions:default:0a1b2c",
        "nw:tz:0a1b2c",
        "nw:days:retention:30:0a1b2c",
        "nw:save:0a1b2c",
        "nw:cancel:0a1b2c",
        "fi:cancel",
        f"sg:handled:{ids['flag']}",
        "au:older:1000",
    ]


async def _attempts(chat: Chat, ids: dict[str, int]) -> list[str]:
    """Every admin command (with and without a workshop number) and every admin button."""
    replies = []
    for name in ADMIN_COMMANDS:
        for text in (f"/{name}", f"/{name} {ids['w']}"):
            calls = await chat.say(text)
            replies += chat.texts(calls)[:1]
            # A typed follow-up must not be taken as an answer to an admin prompt.
            await chat.say("Hacked title")
    for data in admin_buttons(ids):
        calls = await chat.press_data(data)
        replies += chat.texts(calls)[:1]
        await chat.say("Hacked title")
    return replies


async def test_100_strangers_change_nothing(bot: RunningBot, workshop: Workshop) -> None:
    ids = await _setup(bot, workshop)
    before = await snapshot(bot)
    files_before = len(bot.fake.files_sent()) + len(bot.fake.files_sent("sendPhoto"))
    earlier = await bot.storage.audit.entries()
    refused: dict[int, int] = {}
    strangers = range(100_000, 100_100)
    for user_id in strangers:
        stranger = bot.chat(user_id=user_id, name="Stranger")
        replies = await _attempts(stranger, ids)
        for reply in replies:
            assert reply.startswith(HARMLESS), reply
        refused[user_id] = sum(reply.startswith(REFUSED) for reply in replies)
    assert await snapshot(bot) == before
    assert len(bot.fake.files_sent()) + len(bot.fake.files_sent("sendPhoto")) == files_before
    entries = (await bot.storage.audit.entries())[len(earlier) :]
    assert entries
    assert all(not e.allowed for e in entries)
    # Every refusal is recorded, up to the hourly limits: so many per person, so many in all
    # (the strangers come one after another, well within one hour).
    room = REFUSALS_PER_HOUR - sum(not e.allowed for e in earlier)
    expected: dict[int, int] = {}
    for user_id in strangers:
        expected[user_id] = min(refused[user_id], REFUSALS_PER_ACTOR_PER_HOUR, room)
        room -= expected[user_id]
    recorded = Counter(e.actor for e in entries)
    assert {u: recorded[u] for u in strangers} == expected
    assert len(entries) == sum(expected.values())
    assert sum(not e.allowed for e in earlier + entries) == REFUSALS_PER_HOUR  # all were hit
    assert all(refused[u] > REFUSALS_PER_ACTOR_PER_HOUR for u in strangers)  # the cap was hit


async def test_each_refusal_is_recorded_below_the_limit(
    bot: RunningBot, workshop: Workshop
) -> None:
    stranger = bot.chat(user_id=100_500, name="Stranger")
    for name in ADMIN_COMMANDS[:5]:
        calls = await stranger.say(f"/{name} {workshop.id}")
        assert stranger.texts(calls)[0].startswith(REFUSED)
    entries = [e for e in await bot.storage.audit.entries() if e.actor == 100_500]
    assert [(e.action, e.allowed) for e in entries] == [(n, False) for n in ADMIN_COMMANDS[:5]]


async def test_a_participant_is_refused_too(bot: RunningBot, workshop: Workshop) -> None:
    ids = await _setup(bot, workshop)
    before = await snapshot(bot)
    participant = bot.chat(user_id=500, name="Pat")
    for reply in await _attempts(participant, ids):
        assert reply.startswith(HARMLESS), reply
    # Pat's own journey is untouched: "Hacked title" was never taken as anything.
    assert await snapshot(bot) == before


async def test_facilitator_of_one_workshop_cannot_reach_another(
    bot: RunningBot, workshop: Workshop
) -> None:
    other = await bot.storage.workshops.create(load_workshop_file(EXAMPLE))
    theirs = await _setup(bot, other)
    await bot.storage.facilitators.add(workshop.id, 600, OWNER, "Fay")
    fay = bot.chat(user_id=600, name="Fay")
    before = await snapshot(bot)
    for command in ("workshop", "invite", "views", "themes", "stats", "export", "team", "close"):
        calls = await fay.say(f"/{command} {other.id}")
        assert fay.texts(calls)[0].startswith(REFUSED), command
    for data in admin_buttons(theirs):
        if data.startswith(
            ("nw:", "fi:", "ac:status", "ac:theme", "ac:save:0a1b2c", "up:act", "up:n", "up:l")
        ):
            continue  # steps of a draft she does not have: not about a workshop
        calls = await fay.press_data(data)
        if data.startswith("au:"):  # the audit log is not about a workshop: owners only
            assert fay.texts(calls)[0] == "This is for the bot's owners only."
            continue
        assert fay.texts(calls)[0].startswith(REFUSED), data
    mine = await bot.storage.themes.create(workshop.id, "mine")
    assert mine is not None
    for data in (f"th:into:{mine.id}:{theirs['t1']}", f"vw:on:a:{theirs['a']}:{mine.id}"):
        calls = await fay.press_data(data)
        assert fay.texts(calls)[0].startswith(REFUSED), data
    before["themes"] = sorted([*before["themes"], tuple(await _row(bot, mine.id))])
    assert await snapshot(bot) == before
    assert bot.fake.files_sent() == []
    # Her own workshop is the only one she sees, so /views goes straight to it.
    calls = await fay.say("/views")
    assert "Getting to appointments" in fay.texts(calls)[0]
    assert "Which workshop?" not in fay.texts(calls)[0]


async def _row(bot: RunningBot, theme_id: int) -> tuple[object, ...]:
    row = await bot.storage.db.fetchone("SELECT * FROM themes WHERE id = ?", (theme_id,))
    assert row is not None
    return tuple(row)


async def test_two_facilitators_tag_the_same_view_at_once(
    bot: RunningBot, workshop: Workshop
) -> None:
    ids = await _setup(bot, workshop)
    await bot.storage.facilitators.add(workshop.id, 601, OWNER, "Gus")
    owner, gus = bot.chat(user_id=OWNER), bot.chat(user_id=601)
    data = f"vw:on:v:{ids['v']}:{ids['t2']}"
    await owner.press_data(data)
    await gus.press_data(data)
    rows = await bot.storage.db.fetchall(
        "SELECT * FROM theme_tags WHERE view_id = ? AND theme_id = ?", (ids["v"], ids["t2"])
    )
    assert len(rows) == 1


async def test_views_button_after_the_workshop_closed(bot: RunningBot, workshop: Workshop) -> None:
    ids = await _setup(bot, workshop)
    await bot.storage.workshops.close(workshop.id, None)
    owner = bot.chat(user_id=OWNER)
    calls = await owner.press_data(f"vw:page:{ids['w']}:all:0")
    text = owner.texts(calls)[0]
    assert "(closed)" in text
    assert "Buses" in text


async def test_only_views_and_one_question(bot: RunningBot, workshop: Workshop) -> None:
    await _setup(bot, workshop)
    owner = bot.chat(user_id=OWNER)
    await owner.say("/views")
    await owner.press("Only views people shared")
    page = owner.last_text()
    assert "More buses" in page
    assert "Buses\n" not in page
    assert "1–1 of 1" in page
    await owner.press("Tag 1")
    assert "Themes for P-" in owner.last_text()
    await owner.say("/views")
    await owner.press("1. What is important to you?")
    page = owner.last_text()
    assert "Q1 What is important to you?" in page
    assert "More buses" not in page


async def test_theme_name_with_html_is_shown_escaped(bot: RunningBot, workshop: Workshop) -> None:
    await _setup(bot, workshop)
    owner = bot.chat(user_id=OWNER)
    await owner.say("/themes")
    await owner.press("New theme")
    await owner.say('<script>alert("x")</script>')
    assert "&lt;script&gt;" in owner.last_text()
