"""Co-evaluation: 'Does this reflect what you said?' on each update, then an optional comment."""

from __future__ import annotations

from telegram import Update

from chat import callbacks
from chat.context import BotContext
from chat.messaging import acknowledge, retire_buttons, say
from chat.screens import expired, pressed
from chat.states import END, FEEDBACK_ON, State
from conversations.questions import answer_text

COMMENT_LIMIT = 2000


async def on_button(update: Update, context: BotContext) -> int | None:
    """Yes / Partly / No (kept once, even if pressed twice), or Skip the comment."""
    press = await pressed(update, context)
    if press is None:
        return END
    query, user, cb = press
    update_id = cb.int_arg(0)
    participant_id = await context.storage.outbox.delivered_to(update_id, user.id)
    if participant_id is None:
        return await expired(update, context)
    await acknowledge(query)
    await retire_buttons(query)
    if cb.action == "skip":
        context.user_data.pop(FEEDBACK_ON, None)
        await say(update, context, "feedback_done")
        return END
    if not await context.storage.feedback.record(update_id, participant_id, cb.action):
        await say(update, context, "feedback_already")
        return END
    context.user_data[FEEDBACK_ON] = update_id
    skip = [[(context.texts.label("buttons.skip"), callbacks.make("fb", "skip", update_id))]]
    await say(update, context, "feedback_thanks", verdict=cb.action, buttons=skip)
    return State.FEEDBACK


async def comment(update: Update, context: BotContext) -> int:
    """The optional comment, kept with the person's answer to that update."""
    message = update.effective_message
    user = update.effective_user
    update_id = context.user_data.pop(FEEDBACK_ON, None)
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
    context.user_data.pop(FEEDBACK_ON, None)
    await say(update, context, "feedback_done")
    return END
