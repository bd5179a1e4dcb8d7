"""What a typed message is for: a reply to a feedback prompt, the typed step the database
holds open (a view being shared, a comment on an update), or the current question.

The conversation state of this run of the bot is trusted when it is newer than the typed
step; a step opened before a restart is trusted over a state restored from persistence,
which may be up to one flush interval older than the step (kill -9), unless the person
has since moved on in the questions.
"""

from __future__ import annotations

from telegram import Update

from chat.context import BotContext
from chat.place import ANSWERING
from chat.states import FEEDBACK_ON
from conversations import feedback, questions, share
from storage.feedback import Prompt
from storage.kinds import StepKind
from storage.typed_steps import TypedStep


async def current_step(
    context: BotContext, user_id: int, holding: StepKind | None
) -> TypedStep | None:
    """The person's open typed step, if it is still what their next message is for.

    ``holding`` is the kind of step the conversation state says they are in (None: the
    questions, or no flow at all). A step that is no longer current is closed.
    """
    storage = context.storage
    step = await storage.typed_steps.current(user_id)
    if step is None:
        return None
    if step.boot == share.boot(context):
        # Opened in this run: the conversation state saw everything since.
        if step.kind is holding:
            return step
    elif not await _moved_on_since(context, user_id, step):
        return step
    await storage.typed_steps.close(user_id)
    return None


async def _moved_on_since(context: BotContext, user_id: int, step: TypedStep) -> bool:
    storage = context.storage
    if step.kind is StepKind.VIEW:
        # Sharing paused the questions: answering again means the person went back.
        members = await storage.participants.memberships(user_id)
        if any(m.status in ANSWERING for m in members):
            return True
    return await storage.typed_steps.moved_since(user_id, step.opened_at)


async def _route(update: Update, context: BotContext, holding: StepKind | None) -> int | None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.text is None:
        return None
    if await share.already_handled(context, update):
        return None  # Telegram sent it again after a restart: it has had its effect
    storage = context.storage
    reply = message.reply_to_message
    if reply is not None:
        prompt = await storage.feedback.replied_to(user.id, reply.message_id)
        if prompt is not None:
            step = await storage.typed_steps.current(user.id)
            answers_step = (
                step is not None
                and step.kind is StepKind.COMMENT
                and step.update_id == prompt.update_id
            )
            return await feedback.take_comment(
                update, context, prompt, step if answers_step else None
            )
    step = await current_step(context, user.id, holding)
    if step is not None and step.kind is StepKind.COMMENT and step.update_id is not None:
        assert step.participant_id is not None  # a comment step always has both
        prompt = Prompt(step.update_id, step.participant_id)
        return await feedback.take_comment(update, context, prompt, step)
    if step is not None and step.kind is StepKind.VIEW:
        return await share.take_view(update, context, step)
    return await questions.answer_text(update, context)


async def take_text(update: Update, context: BotContext) -> int | None:
    """Typed text at a question, or with no flow in hand (after a restart, after a flow
    ended): an open typed step takes it, else it answers the current question."""
    return await _route(update, context, None)


async def text_while_sharing(update: Update, context: BotContext) -> int | None:
    """Typed text while a view is being written: a part of the view."""
    return await _route(update, context, StepKind.VIEW)


async def text_while_commenting(update: Update, context: BotContext) -> int | None:
    """Typed text after 'What did it miss?': the comment, unless a screen was shown since."""
    # /help and the like show the question again and drop FEEDBACK_ON: the text answers it.
    holding = StepKind.COMMENT if FEEDBACK_ON in context.memory else None
    return await _route(update, context, holding)
