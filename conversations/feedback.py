"""Co-evaluation: 'Does this reflect what you said?' on each update, then an optional comment."""

from __future__ import annotations

from telegram import Update

from chat.callbacks.journey import FeedbackSkip, FeedbackVerdict
from chat.context import BotContext
from chat.messaging import say, settle
from chat.screens import expired, pressed
from chat.states import END, FEEDBACK_ON, State
from conversations.questions import answer_text

COMMENT_LIMIT = 2000


async def on_verdict(update: Update, context: BotContext) -> int | None:
    """Yes / Partly / No (kept once, even if pressed twice), then ask for a comment."""
    press = await pressed(update, context, FeedbackVerdict)
    if press is None:
        return END
    query, user, button = press
    participant_id = await context.storage.outbox.delivered_to(button.update_id, user.id)
    if participant_id is None:
        return await expired(update, context)
    await settle(query)
    recorded = await context.storage.feedback.record(
        button.update_id, participant_id, button.verdict
    )
    if not recorded:
        await say(update, context, "feedback_already")
        return END
    context.memory[FEEDBACK_ON] = button.update_id
    skip = FeedbackSkip(button.update_id).pack()
    await say(
        update,
        context,
        "feedback_thanks",
        verdict=button.verdict,
        buttons=[[(context.texts.label("buttons.skip"), skip)]],
    )
    return State.FEEDBACK


async def on_skip(update: Update, context: BotContext) -> int | None:
    """No comment on the update."""
    press = await pressed(update, context, FeedbackSkip)
    if press is None:
        return END
    query, user, button = press
    if await context.storage.outbox.delivered_to(button.update_id, user.id) is None:
        return await expired(update, context)
    await settle(query)
    context.memory.pop(FEEDBACK_ON, None)
    await say(update, context, "feedback_done")
    return END


async def comment(update: Update, context: BotContext) -> int:
    """The optional comment, kept with the person's answer to that update."""
    message = update.effective_message
    user = update.effective_user
    update_id = context.memory.pop(FEEDBACK_ON, None)
    if not isinstance(update_id, int):
        # The comment prompt was left (e.g. /help showed the questions): it is an answer.
        return await answer_text(update, context) or END
    if message is None or user is None:
        return END
    participant_id = await context.storage.outbox.delivered_to(update_id, user.id)
    if participant_id is not None:
        text = (message.text or "").strip()[:COMMENT_LIMIT]
        await context.storage.feedback.comment(update_id, participant_id, text)
    await say(update, context, "feedback_done")
    return END


async def not_text(update: Update, context: BotContext) -> int:
    await say(update, context, "not_text", asking=False, sharing=False)
    return State.FEEDBACK


async def cancel(update: Update, context: BotContext) -> int:
    context.memory.pop(FEEDBACK_ON, None)
    await say(update, context, "feedback_done")
    return END
