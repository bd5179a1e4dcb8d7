"""Each update is handled with its reads shared and preloaded (bot.app.DoingwithApplication)."""

from __future__ import annotations

import logging
import sqlite3

import pytest

import bot.app
from bot.app import DoingwithApplication
from tests.conftest import RunningBot
from tests.support.chat import Chat


async def test_the_bot_is_built_on_the_application_that_shares_reads(bot: RunningBot) -> None:
    assert isinstance(bot.app, DoingwithApplication)


async def test_an_update_still_goes_through_when_its_reads_cannot_be_preloaded(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(bot.app, "preload_person", broken)
    with caplog.at_level(logging.WARNING, logger="bot.app"):
        await chat.join(chat.invite)
        await chat.say("Seeing my grandchildren")
    assert "Question 2 of 6" in chat.last_text()
    assert "could not preload" in caplog.text
