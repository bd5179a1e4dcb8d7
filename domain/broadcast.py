"""Turning an update into one personal message per recipient, ready for the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.quiet_hours import next_allowed
from domain.texts import Texts
from storage.actions import Action
from storage.models import Workshop
from storage.outbox import NewDelivery
from storage.updates import ProgressUpdate, Recipient

BODY_LIMIT = 2500
# rows of (label, callback data), as the outbox keeps them
Buttons = tuple[tuple[tuple[str, str], ...], ...]


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
    update: ProgressUpdate,
    actions: Sequence[Action],
    recipients: Sequence[Recipient],
    now: datetime,
    buttons: Buttons,
) -> list[NewDelivery]:
    """One outbox row per recipient, held back until quiet hours end."""
    not_before = next_allowed(now, workshop.timezone, workshop.quiet_start, workshop.quiet_end)
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
