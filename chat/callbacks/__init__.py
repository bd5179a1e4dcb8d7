"""Button data: every button family is a typed class (``data.CallbackData``) that packs and
unpacks itself; families live in one module per feature beside this one."""

from chat.callbacks.data import CALLBACK_LIMIT, FAMILIES, CallbackData, str_field

__all__ = ["CALLBACK_LIMIT", "FAMILIES", "CallbackData", "str_field"]
