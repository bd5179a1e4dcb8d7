"""The handler types the flows and handlers hand to the Application, spelled once."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler

from chat.context import BotContext

# Callbacks return a state (conversations) or nothing (handlers): ``object`` covers both.
AnyHandler = BaseHandler[Update, BotContext, object]
Conversation = ConversationHandler[BotContext]
