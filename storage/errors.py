"""Errors raised by the storage layer.

StorageError
 └── StorageUnavailable   the database cannot be opened or used
"""


class StorageError(Exception):
    """Base class for storage errors."""


class StorageUnavailable(StorageError):
    """The database cannot be opened or used."""
