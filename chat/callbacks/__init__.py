"""Button data. Families are typed classes (``data.CallbackData``); ``legacy`` is the
table-driven parser the remaining buttons still use while they move to families."""

from chat.callbacks.data import CALLBACK_LIMIT, FAMILIES, CallbackData, str_field
from chat.callbacks.legacy import (
    SCHEMA,
    Callback,
    flow_pattern,
    make,
    parse,
)

__all__ = [
    "CALLBACK_LIMIT",
    "FAMILIES",
    "SCHEMA",
    "Callback",
    "CallbackData",
    "flow_pattern",
    "make",
    "parse",
    "str_field",
]
