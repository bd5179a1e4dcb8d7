"""The participant conversation: joining, consent, the questions, review and sharing."""

from __future__ import annotations

import warnings

from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.warnings import PTBUserWarning

from chat.callbacks.journey import (
    AboutOffer,
    AboutPick,
    AboutSkip,
    ChangeAnswer,
    ConsentDecision,
    ConsentNext,
    FeedbackSkip,
    FeedbackVerdict,
    QuestionMove,
    QuestionPick,
    ShareFinish,
    ShareFor,
    SubmitAnswers,
)
from chat.filters import NOT_TEXT, TEXT, command
from chat.handler_types import AnyHandler, Conversation
from chat.states import State
from conversations import about_you, feedback, onboarding, questions, review, share, typed

NAME = "journey"


def _buttons() -> list[AnyHandler]:
    return [
        CallbackQueryHandler(onboarding.on_decision, pattern=ConsentDecision.pattern()),
        CallbackQueryHandler(onboarding.on_consent_step, pattern=ConsentNext.pattern()),
        CallbackQueryHandler(questions.on_move, pattern=QuestionMove.pattern()),
        CallbackQueryHandler(questions.on_pick, pattern=QuestionPick.pattern()),
        CallbackQueryHandler(review.on_change, pattern=ChangeAnswer.pattern()),
        CallbackQueryHandler(review.on_submit, pattern=SubmitAnswers.pattern()),
        CallbackQueryHandler(share.on_pick, pattern=ShareFor.pattern()),
        CallbackQueryHandler(share.on_finish, pattern=ShareFinish.pattern()),
        CallbackQueryHandler(about_you.on_offer, pattern=AboutOffer.pattern()),
        CallbackQueryHandler(about_you.on_pick, pattern=AboutPick.pattern()),
        CallbackQueryHandler(about_you.on_skip, pattern=AboutSkip.pattern()),
        CallbackQueryHandler(feedback.on_verdict, pattern=FeedbackVerdict.pattern()),
        CallbackQueryHandler(feedback.on_skip, pattern=FeedbackSkip.pattern()),
    ]


def _ways_in() -> list[AnyHandler]:
    return [
        command("start", onboarding.start),
        command("resume", questions.resume),
        command("share", share.begin),
        *_buttons(),
    ]


def build() -> Conversation:
    """The one persistent conversation a participant has with the bot."""
    # Buttons are checked against the database rather than tracked per message, so the
    # per_message=False warning about CallbackQueryHandlers does not apply here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            name=NAME,
            persistent=True,
            entry_points=[
                *_ways_in(),
                # After a crash the state may be lost; the database still knows the question
                # (each state below has its own /cancel).
                command("cancel", questions.cancel),
                MessageHandler(TEXT, typed.take_text),
                MessageHandler(NOT_TEXT, questions.not_text),
            ],
            states={
                State.CONSENT: [
                    command("cancel", onboarding.cancel),
                    MessageHandler(TEXT | NOT_TEXT, onboarding.consent_text_only),
                ],
                State.QUESTIONS: [
                    command("cancel", questions.cancel),
                    MessageHandler(TEXT, typed.take_text),
                    MessageHandler(NOT_TEXT, questions.not_text),
                ],
                State.SHARING: [
                    command("cancel", share.cancel),
                    MessageHandler(TEXT, typed.text_while_sharing),
                    MessageHandler(NOT_TEXT, share.not_text),
                ],
                State.FEEDBACK: [
                    command("cancel", feedback.cancel),
                    MessageHandler(TEXT, typed.text_while_commenting),
                    MessageHandler(NOT_TEXT, feedback.not_text),
                ],
            },
            fallbacks=_ways_in(),
        )
