"""The participant conversation: joining, consent, the questions, review and sharing."""

from __future__ import annotations

import warnings

from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.warnings import PTBUserWarning

from chat.callbacks import flow_pattern
from chat.filters import NOT_TEXT, TEXT, command
from chat.states import State
from conversations import about_you, feedback, onboarding, questions, review, share

NAME = "journey"


def _buttons() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        CallbackQueryHandler(onboarding.on_consent, pattern=flow_pattern("cons")),
        CallbackQueryHandler(questions.on_button, pattern=flow_pattern("wm")),
        CallbackQueryHandler(review.on_review_button, pattern=flow_pattern("rv")),
        CallbackQueryHandler(share.on_button, pattern=flow_pattern("sh")),
        CallbackQueryHandler(about_you.on_button, pattern=flow_pattern("ab")),
        CallbackQueryHandler(feedback.on_button, pattern=flow_pattern("fb")),
    ]


def _ways_in() -> list[BaseHandler]:  # type: ignore[type-arg]
    return [
        command("start", onboarding.start),
        command("resume", questions.resume),
        command("share", share.begin),
        *_buttons(),
    ]


def build() -> ConversationHandler:  # type: ignore[type-arg]
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
                # After a crash the state may be lost; the database still knows the question.
                MessageHandler(TEXT, questions.answer_text),
                MessageHandler(NOT_TEXT, questions.not_text),
            ],
            states={
                State.CONSENT: [
                    command("cancel", onboarding.cancel),
                    MessageHandler(TEXT | NOT_TEXT, onboarding.consent_text_only),
                ],
                State.QUESTIONS: [
                    command("cancel", questions.cancel),
                    MessageHandler(TEXT, questions.answer_text),
                    MessageHandler(NOT_TEXT, questions.not_text),
                ],
                State.SHARING: [
                    command("cancel", share.cancel),
                    MessageHandler(TEXT, share.add_text),
                    MessageHandler(NOT_TEXT, share.not_text),
                ],
                State.FEEDBACK: [
                    command("cancel", feedback.cancel),
                    MessageHandler(TEXT, feedback.comment),
                    MessageHandler(NOT_TEXT, feedback.not_text),
                ],
            },
            fallbacks=_ways_in(),
        )
