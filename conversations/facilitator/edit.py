"""Editing one field of a workshop: its button on /workshop, then the new value typed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler

from chat.callbacks.facilitator import EditField, Field
from chat.context import BotContext
from chat.filters import TEXT
from chat.messaging import say
from chat.states import END
from conversations.facilitator.drafts import Flow, Next, Store, ask, step, taken, typed
from domain.texts import language_name, texts
from domain.translations import WORKSHOP_OPTIONAL, WORKSHOP_TEXTS
from domain.workshop_fields import FieldError, parse_field
from handlers.facilitator.access import audit, button
from handlers.facilitator.workshops import show_workshop
from storage.models import Workshop


class State(IntEnum):
    VALUE = 50


@dataclass
class Draft:
    workshop: int
    field: Field

    def __post_init__(self) -> None:
        self.field = Field(self.field)  # stored by its value


DRAFT = Store("edit", Draft)


def _typed_field(data: object) -> bool:
    found = EditField.unpack(data)
    return found is not None and found.field is not Field.LEVELS  # levels are buttons


@button(EditField, "edit")
async def begin(update: Update, context: BotContext, data: EditField, workshop: Workshop) -> Next:
    DRAFT.open(context, Draft(workshop.id, data.field))
    await ask(
        update,
        context,
        "facilitator/workshop/ask_field",
        field=data.field.value,
        workshop=workshop,
    )
    return State.VALUE


TRANSLATED = frozenset((*WORKSHOP_TEXTS, *WORKSHOP_OPTIONAL))


@step(DRAFT, "edit")
async def take_value(update: Update, context: BotContext, draft: Draft) -> Next:
    try:
        value = parse_field(draft.field, typed(update.effective_message))
    except FieldError as problem:
        await say(
            update,
            context,
            "facilitator/workshop/field_problem",
            problem=problem.problem,
            **problem.values,
        )
        return None
    workshops = context.storage.workshops
    if draft.field is Field.UPDATE_CADENCE_DAYS:
        assert isinstance(value, int)
        await workshops.set_cadence(
            draft.workshop,
            value,
            # In the workshop's own languages, not the language of whoever edits it.
            lambda days, code: texts(code).plain(
                "facilitator/workshop/default_hear_back", days=days
            ),
        )
        dropped: list[str] = []
    else:
        before = await workshops.get(draft.workshop)
        # A translation that no longer says the same is taken off, not left half true.
        dropped = (
            [language_name(code) for code in before.languages[1:]]
            if before is not None and draft.field in TRANSLATED
            else []
        )
        await workshops.update(draft.workshop, draft.field, value, untranslate=bool(dropped))
    await audit(update, context, "edit", draft.workshop, draft.field)
    await say(update, context, "facilitator/workshop/saved", field=draft.field, dropped=dropped)
    workshop = await workshops.get(draft.workshop)
    assert workshop is not None
    await show_workshop(update, context, workshop)
    return END


def build() -> Flow:
    return Flow(
        entry_points=[CallbackQueryHandler(taken(begin), pattern=_typed_field)],
        states={State.VALUE: [MessageHandler(TEXT, take_value)]},
        store=DRAFT,
        command="/workshop",
    )
