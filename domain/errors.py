"""Errors of the bot layer.

DoingwithError
 └── ConfigError        an environment variable is missing or malformed
"""


class DoingwithError(Exception):
    """Base class for errors the bot reports to a person running it."""


class ConfigError(DoingwithError):
    """An environment variable is missing or malformed; the message names it."""
