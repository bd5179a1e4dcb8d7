"""Typed button data: one frozen dataclass per button family packs and unpacks itself.

A family names a short ``prefix`` and its fields; ``pack()`` writes ``prefix:field:field``,
``unpack()`` reads it back or returns None for anything malformed, forged or from another
family, and ``pattern()`` is the ``CallbackQueryHandler`` pattern that routes exactly the
data ``unpack()`` accepts, so no regex has to agree with an encoder by hand::

    @dataclass(frozen=True, slots=True)
    class Skip(CallbackData):
        prefix: ClassVar[str] = "wm:skip"
        position: int

    CallbackQueryHandler(skip, pattern=Skip.pattern())
    Skip.unpack(query.data)  # Skip(position=3), or None

Fields may be ``int`` (0 or more, at most 16 digits: a Telegram user id may need them),
``bool`` (``1``/``0``), a ``StrEnum`` (by value) or ``str`` (``[A-Za-z0-9_-]``, 1 to 40
characters unless the field's metadata gives another ``pattern``; a step button's ``draft``
nonce is ``nonce_field()``). Telegram allows 1 to 64 bytes; ``pack()`` refuses more.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from enum import StrEnum
from typing import Any, ClassVar, Self

CALLBACK_LIMIT = 64  # bytes, Telegram's limit
SEPARATOR = ":"
_INT = re.compile(r"[0-9]{1,16}", re.ASCII)
NONCE = r"[0-9a-f]{6}"  # a draft's nonce on its step buttons (conversations.facilitator)
_STR = r"[A-Za-z0-9_-]{1,40}"
_PREFIX = re.compile(r"[a-z]{1,8}(:[a-z_]{1,12})?", re.ASCII)

# prefix -> family, so a prefix cannot be claimed twice by accident
FAMILIES: dict[str, type[CallbackData]] = {}


def str_field(pattern: str) -> Any:
    """A ``str`` field that must fully match ``pattern`` (ASCII, no separator)."""
    return dataclasses.field(metadata={"pattern": pattern})


def nonce_field() -> Any:
    """The ``draft`` field of a step button: the nonce of the draft it was shown for."""
    return str_field(NONCE)


Reader = Callable[[str], object]


class CallbackData:
    """Base of every button family (subclass it as a frozen dataclass)."""

    prefix: ClassVar[str]
    # Set by @dataclass on each family; declared so a family is known to be a dataclass.
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    # Each family's (field name, reader) pairs, worked out on first use.
    _readers_cache: ClassVar[tuple[tuple[str, Reader], ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        prefix = cls.__dict__.get("prefix")
        if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
            raise ValueError(f"{cls.__name__} needs a prefix like 'wm' or 'wm:skip'")
        known = FAMILIES.get(prefix)
        # dataclass(slots=True) builds the class a second time under the same name
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"callback prefix {prefix!r} is used twice")
        FAMILIES[prefix] = cls

    @classmethod
    def _fields(cls) -> tuple[tuple[str, Reader], ...]:
        # Read lazily: the dataclass decorator runs after __init_subclass__. Looked up in
        # the family's own __dict__: a family never shares its base's readers.
        cached: tuple[tuple[str, Reader], ...] | None = cls.__dict__.get("_readers_cache")
        if cached is not None:
            return cached
        hints = typing.get_type_hints(cls)
        readers = tuple(
            (f.name, _reader(hints[f.name], f.metadata.get("pattern", _STR)))
            for f in dataclasses.fields(cls)
        )
        cls._readers_cache = readers
        return readers

    def pack(self) -> str:
        """The button's data, checked to come back whole through ``unpack``."""
        parts = [self.prefix]
        for name, _ in self._fields():
            parts.append(_write(getattr(self, name)))
        data = SEPARATOR.join(parts)
        if len(data.encode("utf-8")) > CALLBACK_LIMIT or self.unpack(data) != self:
            raise ValueError(f"{type(self).__name__} cannot be packed: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        """This family's button from ``data``, or None for anything else."""
        if not isinstance(data, str) or len(data.encode("utf-8")) > CALLBACK_LIMIT:
            return None
        head = cls.prefix + SEPARATOR
        fields = cls._fields()
        if not fields:
            return cls() if data == cls.prefix else None
        if not data.startswith(head):
            return None
        parts = data[len(head) :].split(SEPARATOR)
        if len(parts) != len(fields):
            return None
        values: dict[str, object] = {}
        for (name, read), part in zip(fields, parts, strict=True):
            try:
                values[name] = read(part)
            except ValueError:
                return None
        return cls(**values)

    @classmethod
    def pattern(cls) -> Callable[[object], bool]:
        """The ``CallbackQueryHandler`` pattern for this family."""

        def matches(data: object) -> bool:
            return cls.unpack(data) is not None

        matches.__name__ = f"{cls.__name__}_pattern"
        return matches


def _write(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def _reader(kind: Any, pattern: str) -> Reader:
    if kind is bool:
        return _read_bool
    if kind is int:
        return _read_int
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return kind
    if kind is str:
        compiled = re.compile(pattern, re.ASCII)

        def read_str(part: str) -> str:
            if not compiled.fullmatch(part) or SEPARATOR in part:
                raise ValueError(part)
            return part

        return read_str
    raise TypeError(f"callback fields may be int, bool, str or a StrEnum, not {kind!r}")


def _read_int(part: str) -> int:
    if not _INT.fullmatch(part):
        raise ValueError(part)
    return int(part)


def _read_bool(part: str) -> bool:
    if part not in ("0", "1"):
        raise ValueError(part)
    return part == "1"
