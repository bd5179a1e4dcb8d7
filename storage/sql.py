"""SQL fragments the stores share, written from the enums of storage.kinds."""

from __future__ import annotations

from enum import StrEnum

from storage.kinds import LEFT, Purpose


def among(*members: StrEnum) -> str:
    """An SQL list of stored kinds, ``('declined', 'withdrawn')``, to write into a query.

    Only for enum members: their values are fixed words of ours, never anyone's input.
    Single values in simple statements go as ``?`` parameters instead.
    """
    return "(" + ", ".join(f"'{member.value}'" for member in members) + ")"


def agreed_to(purpose: Purpose, person: str = "p") -> str:
    """True while the participant row ``person`` has a standing yes for ``purpose``."""
    return f"""EXISTS (SELECT 1 FROM consents c WHERE c.participant_id = {person}.id
        AND c.purpose = '{purpose.value}' AND c.granted = 1 AND c.withdrawn_at IS NULL)"""


def taking_part(person: str = "p") -> str:
    """The participant row ``person`` has not declined or withdrawn."""
    return f"{person}.status NOT IN {among(*LEFT)}"
