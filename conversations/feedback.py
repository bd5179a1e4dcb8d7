"""Co-evaluation: 'Does this reflect what you said?' on each update, then an optional comment.

The verdict and the comment step (which update the next typed message is about) land in one
transaction, so a comment typed after a crash is still filed under its update. A reply to
a comment prompt (or to the update itself) files the comment under that update, whatever
was asked last; the acknowledgement names the update it went to.
"""

from __future__ import annotations

from telegram import Update

from chat.callbacks.journey import FeedbackSkip, FeedbackVerdict
from chat.context import BotContext
from chat.messaging import say, settle
from chat.screens import expired, pressed
from chat.states import END, FEEDBACK_ON, State
from conversations.share import LONG_TEXT, already_handled, boot, moved_on, update_id
from storage.feedback import Prompt
from storage.kinds import StepKind, UpdateKind
from storage.typed_steps import TypedStep

# A comment holds this many characters (a long paste arrives in parts and is joined).
COMMENT_LIMIT = 20000


async def on_verdict(update: Update, context: BotContext) -> int | None:
    """Yes / Partly / No (kept once, even if pressed twice), then ask for a comment."""
    press = await pressed(update, context, FeedbackVerdict)
    if press is None:
        return END
    query, user, button = press
    if await already_handled(context, update):
        return None
    storage = context.storage
    participant_id = await storage.outbox.delivered_to(button.update_id, user.id)
    sent = await storage.updates.get(button.update_id)
    # Only a progress update asks "does this reflect what you said?"; a forged press on a
    # reminder or notice is an expired button.
    if participant_id is None or sent is None or sent.kind is not UpdateKind.PROGRESS:
        return await expired(update, context)
    recorded = await storage.feedback.record(
        button.update_id,
        participant_id,
        button.verdict,
        user_id=user.id,
        boot=boot(context),
        handling=update_id(update),
    )
    if recorded is None:  # the same press again: it is already kept
        return None
    await settle(query)
    if not recorded:
        await say(update, context, "loop/feedback_already")
        return END
    context.memory[FEEDBACK_ON] = button.update_id
    skip = FeedbackSkip(button.update_id).pack()
    prompt = await say(
        update,
        context,
        "loop/feedback_thanks",
        verdict=button.verdict,
        buttons=[[(context.texts.label("buttons.skip"), skip)]],
    )
    if prompt is not None:
        await storage.feedback.set_prompt(button.update_id, participant_id, prompt.message_id)
    return State.FEEDBACK


async def on_skip(update: Update, context: BotContext) -> int | None:
    """No comment on the update (or, after a long one, no more)."""
    press = await pressed(update, context, FeedbackSkip)
    if press is None:
        return END
    query, user, button = press
    storage = context.storage
    participant_id = await storage.outbox.delivered_to(button.update_id, user.id)
    if participant_id is None:
        return await expired(update, context)
    step = await storage.typed_steps.current(user.id)
    if step is None or step.kind is not StepKind.COMMENT or step.update_id != button.update_id:
        await moved_on(update, context)  # that prompt has been answered, or left
        return None
    await storage.typed_steps.close(user.id, kind=StepKind.COMMENT)
    await settle(query)
    context.memory.pop(FEEDBACK_ON, None)
    if step.continuing:  # "That's all" after a long comment
        await _say_filed(update, context, Prompt(button.update_id, participant_id))
    else:
        await say(update, context, "loop/feedback_done")
    return END


async def take_comment(
    update: Update, context: BotContext, prompt: Prompt, step: TypedStep | None
) -> int | None:
    """File one message as (part of) the comment on ``prompt``'s update.

    ``step`` is the person's comment step when the message answers it; None when it is a
    reply to another prompt, which leaves the current step as it is.
    """
    message = update.effective_message
    if message is None or message.text is None:
        return None
    long = len(message.text) >= LONG_TEXT
    filed = await context.storage.feedback.comment(
        prompt.update_id,
        prompt.participant_id,
        message.text.strip(),
        limit=COMMENT_LIMIT,
        step_id=step.id if step else None,
        more_to_come=long,
        handling=update_id(update),
    )
    if filed is None:  # the same message again, already filed
        return None
    if not filed.kept:
        await _say_about(update, context, prompt, "loop/feedback_too_long", limit=COMMENT_LIMIT)
    elif long and step is not None:
        context.memory[FEEDBACK_ON] = prompt.update_id
        more = FeedbackSkip(prompt.update_id).pack()
        await _say_about(
            update,
            context,
            prompt,
            "loop/feedback_long_part",
            buttons=[[(context.texts.label("buttons.comment_done"), more)]],
            length=filed.length,
            limit=COMMENT_LIMIT,
        )
        return State.FEEDBACK
    else:
        await _say_filed(update, context, prompt)
    if step is None:
        return None  # a reply to an earlier prompt: whatever was asked last still is
    context.memory.pop(FEEDBACK_ON, None)
    return END


async def _say_filed(update: Update, context: BotContext, prompt: Prompt) -> None:
    await _say_about(update, context, prompt, "loop/feedback_filed")


async def _say_about(
    update: Update,
    context: BotContext,
    prompt: Prompt,
    template: str,
    buttons: list[list[tuple[str, str]]] | None = None,
    **values: object,
) -> None:
    """Say ``template`` naming the update the feedback is filed under."""
    progress = await context.storage.updates.get(prompt.update_id)
    workshop = None
    if progress is not None:
        workshop = await context.storage.workshops.get(progress.workshop_id)
    if progress is None or workshop is None:  # deleted meanwhile: nothing to name
        await say(update, context, "loop/feedback_done")
        return
    await say(
        update, context, template, buttons=buttons, workshop=workshop, progress=progress, **values
    )


async def not_text(update: Update, context: BotContext) -> int:
    await say(update, context, "common/not_text", asking=False, sharing=False)
    return State.FEEDBACK


async def cancel(update: Update, context: BotContext) -> int:
    user = update.effective_user
    context.memory.pop(FEEDBACK_ON, None)
    if user is not None:
        await context.storage.typed_steps.close(user.id, kind=StepKind.COMMENT)
    await say(update, context, "loop/feedback_done")
    return END
