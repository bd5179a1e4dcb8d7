"""Pseudonyms as a keyed permutation of a number: unique by construction, order hidden.

Number ``n`` (0, 1, 2, …) is mapped by a small Feistel network keyed with HMAC-SHA256 onto
a fixed space: the first 65,536 numbers onto the 4-hex-digit pseudonyms ``P-0000`` …
``P-FFFF``, the next 2**20 onto 5 digits, and so on up to 8. A Feistel network is a
bijection whatever its round function, so two numbers never share a pseudonym, and without
the key nobody can tell from ``P-3A7F`` and ``P-0C12`` which person joined first. No
look-up, no retry: one computation per participant.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

# Bits per tier: 4, 5, 6, 7 and 8 hex digits (all even, so the halves are equal).
TIERS = (16, 20, 24, 28, 32)
ROUNDS = 4
CAPACITY = sum(1 << bits for bits in TIERS)


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)


def _round(key: bytes, bits: int, number: int, value: int) -> int:
    mac = _keyed(key).copy()  # the key's pads computed once, not per round
    mac.update(bytes((bits, number)) + value.to_bytes(4, "big"))
    digest = mac.digest()
    return int.from_bytes(digest[:4], "big") & ((1 << (bits // 2)) - 1)


def permute(key: bytes, bits: int, value: int) -> int:
    """A keyed bijection of ``range(2**bits)`` (balanced Feistel network)."""
    half = bits // 2
    mask = (1 << half) - 1
    left, right = value >> half, value & mask
    for number in range(ROUNDS):
        left, right = right, left ^ _round(key, bits, number, right)
    return (left << half) | right


def unpermute(key: bytes, bits: int, value: int) -> int:
    """The inverse of :func:`permute` (for tests: it proves the mapping is a bijection)."""
    half = bits // 2
    mask = (1 << half) - 1
    left, right = value >> half, value & mask
    for number in reversed(range(ROUNDS)):
        left, right = right ^ _round(key, bits, number, left), left
    return (left << half) | right


def pseudonym(key: bytes, n: int) -> str:
    """The pseudonym of number ``n`` (0 ≤ n < CAPACITY), such as ``P-3A7F``."""
    if n < 0:
        raise ValueError("pseudonym numbers start at 0")
    offset = 0
    for bits in TIERS:
        size = 1 << bits
        if n < offset + size:
            return "P-" + format(permute(key, bits, n - offset), f"0{bits // 4}X")
        offset += size
    raise ValueError("more people than pseudonyms")  # pragma: no cover - 4.3 billion
