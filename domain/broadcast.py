"""Messages for the outbox: an update as one personal message per recipient, and the one
constructor every queued message goes through, so each waits for the end of quiet hours."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from domain.quiet_hours import next_allowed
from domain.texts import Texts, texts
from storage.actions import Action
from storage.kinds import DeliveryKind, UpdateKind
from storage.models import Workshop
from storage.outbox import Buttons, NewDelivery
from storage.updates import ProgressUpdate, Recipient

__all__ = ["BODY_LIMIT", "Buttons", "deliveries_for", "delivery", "update_text"]

BODY_LIMIT = 2500


def delivery(
    kind: DeliveryKind,
    workshop: Workshop,
    chat_id: int,
    text: str,
    now: datetime,
    *,
    buttons: Buttons = (),
    participant_id: int | None = None,
    update_id: int | None = None,
    session_id: int | None = None,
    personalised: bool = False,
) -> NewDelivery:
    """One message for the outbox, held back until the workshop's quiet hours end."""
    not_before = next_allowed(now, workshop.timezone, workshop.quiet_start, workshop.quiet_end)
    return NewDelivery(
        kind=kind,
        workshop_id=workshop.id,
        chat_id=chat_id,
        text=text,
        not_before=not_before.astimezone(UTC).isoformat(timespec="seconds"),
        participant_id=participant_id,
        update_id=update_id,
        session_id=session_id,
        personalised=personalised,
        buttons=buttons,
    )


def update_text(
    t: Texts,
    workshop: Workshop,
    body: str,
    actions: Sequence[Action],
    theme_ids: frozenset[int],
    kind: UpdateKind = UpdateKind.PROGRESS,
) -> tuple[str, bool]:
    """The message one person receives, and whether it speaks to what they said. The one
    rendering of an update: the outbox rows and the facilitator's preview both use it.

    Only a progress update lists actions, states what the workshop can change and asks
    whether it reflects what people said; a reminder or a notice is just the message."""
    if kind != UpdateKind.PROGRESS:
        html = t.render(
            "loop/update", kind=kind, workshop=workshop, body=body, themes=[], mine=[],
            others=[],
        )  # fmt: skip
        return html, False
    mine = [a for a in actions if theme_ids & set(a.theme_ids)]
    themes = sorted(
        {name for a in mine for tid, name in zip(a.theme_ids, a.theme_names, strict=True)
         if tid in theme_ids}
    )  # fmt: skip
    others = [a for a in actions if a not in mine]
    html = t.render(
        "loop/update",
        kind=kind,
        workshop=workshop,
        body=body,
        themes=themes,
        mine=mine,
        others=others,
    )
    return html, bool(mine)


def deliveries_for(
    workshop: Workshop,
    update: ProgressUpdate,
    actions: Sequence[Action],
    recipients: Sequence[Recipient],
    now: datetime,
    buttons: Callable[[Texts], Buttons],
) -> list[NewDelivery]:
    """One outbox row per recipient, in their language (the update's version in it, where
    the facilitator wrote one), held back until quiet hours end."""
    rows = []
    for person in recipients:
        t = texts(person.language)
        html, personal = update_text(
            t, workshop, update.body_in(t.language), actions, person.theme_ids, update.kind
        )
        rows.append(
            delivery(
                DeliveryKind.UPDATE,
                workshop,
                person.chat_id,
                html,
                now,
                buttons=buttons(t),
                participant_id=person.participant_id,
                update_id=update.id,
                personalised=personal,
            )
        )
    return rows
