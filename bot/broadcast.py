"""Turning an update into one personal message per recipient, ready for the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import callbacks
from bot.quiet_hours import next_allowed
from bot.texts import Texts
from storage.actions import Action
from storage.models import Workshop
from storage.outbox import NewDelivery
from storage.updates import Recipient, Update

BODY_LIMIT = 2500


def feedback_buttons(t: Texts, update_id: int) -> tuple[tuple[tuple[str, str], ...], ...]:
    return (
        tuple(
            (t.label(f"buttons.feedback_{verdict}"), callbacks.make("fb", verdict, update_id))
            for verdict in ("yes", "partly", "no")
        ),
    )


def update_text(
    t: Texts,
    workshop: Workshop,
    body: str,
    actions: Sequence[Action],
    theme_ids: frozenset[int],
) -> tuple[str, bool]:
    """The message one person receives, and whether it speaks to what they said."""
    mine = [a for a in actions if theme_ids & set(a.theme_ids)]
    themes = sorted(
        {name for a in mine for tid, name in zip(a.theme_ids, a.theme_names, strict=True)
         if tid in theme_ids}
    )  # fmt: skip
    others = [a for a in actions if a not in mine]
    html = t.render(
        "update_message",
        workshop=workshop,
        body=body,
        themes=themes,
        mine=mine,
        others=others,
    )
    return html, bool(mine)


def deliveries_for(
    t: Texts,
    workshop: Workshop,
    update: Update,
    actions: Sequence[Action],
    recipients: Sequence[Recipient],
    now: datetime,
) -> list[NewDelivery]:
    """One outbox row per recipient, held back until quiet hours end."""
    not_before = next_allowed(now, workshop.timezone, workshop.quiet_start, workshop.quiet_end)
    buttons = feedback_buttons(t, update.id)
    rows = []
    for person in recipients:
        html, personal = update_text(t, workshop, update.body, actions, person.theme_ids)
        rows.append(
            NewDelivery(
                kind="update",
                workshop_id=workshop.id,
                chat_id=person.chat_id,
                participant_id=person.participant_id,
                update_id=update.id,
                personalised=personal,
                text=html,
                buttons=buttons,
                not_before=not_before.isoformat(timespec="seconds"),
            )
        )
    return rows
