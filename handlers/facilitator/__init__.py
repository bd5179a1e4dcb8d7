"""Facilitator commands: every command and button checks the role of whoever sent it."""
