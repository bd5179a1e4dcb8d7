"""Errors raised by the storage layer.

StorageError
 ├── StorageUnavailable   the database cannot be opened or used
 └── UnknownInvite        no open workshop has that invite code
"""


class StorageError(Exception):
    """Base class for storage errors."""


class StorageUnavailable(StorageError):
    """The database cannot be opened or used."""


class UnknownInvite(StorageError):
    """No open workshop has that invite code."""
