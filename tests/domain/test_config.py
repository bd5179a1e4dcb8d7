"""bot/config.py: settings from the environment, with messages that name the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import domain.config as config_module
from domain.config import Settings, db_path_from_env, file_url
from domain.errors import ConfigError, DoingwithError

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A minimal good environment; the database lives in tmp_path."""
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "DOINGWITH_DB": str(tmp_path / "bot.db")}


def test_good_values(env: dict[str, str], tmp_path: Path) -> None:
    env |= {
        "DOINGWITH_ADMINS": "12345678, 23456789,,",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/",
        "DOINGWITH_TIMEZONE": "Europe/Berlin",
    }
    settings = Settings.from_env(env)
    assert settings.token == TOKEN
    assert settings.db_path == tmp_path / "bot.db"
    assert settings.admins == frozenset({12345678, 23456789})
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.timezone == "Europe/Berlin"


def test_defaults(env: dict[str, str]) -> None:
    settings = Settings.from_env(env)
    assert settings.admins == frozenset()
    assert settings.api_base_url is None
    assert settings.timezone == "Europe/London"
    assert settings.persistence_interval == 5.0


def test_token_is_stripped(env: dict[str, str]) -> None:
    env["TELEGRAM_BOT_TOKEN"] = f"  {TOKEN}\n"
    assert Settings.from_env(env).token == TOKEN


@pytest.mark.parametrize("token", [None, "", "   "])
def test_missing_token(env: dict[str, str], token: str | None) -> None:
    if token is None:
        del env["TELEGRAM_BOT_TOKEN"]
    else:
        env["TELEGRAM_BOT_TOKEN"] = token
    with pytest.raises(ConfigError, match=r"^TELEGRAM_BOT_TOKEN is not set") as info:
        Settings.from_env(env)
    assert "@BotFather" in str(info.value)


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "123456",
        "123456:",
        "12:abcdefghijklmnopqrstuvwxyz",  # too few digits
        "123456:short",
        "123456 abcdefghijklmnopqrstuvwxyz",
        "bot123456:abcdefghijklmnopqrstuvwxyz",
        "123456:abcdefghij klmnopqrstuvwxyz",
        "123456:abcdefghijklmnopqrstuvwxyz!",
    ],
)
def test_garbled_token(env: dict[str, str], token: str) -> None:
    env["TELEGRAM_BOT_TOKEN"] = token
    with pytest.raises(ConfigError, match=r"^TELEGRAM_BOT_TOKEN does not look like a bot token"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("abc", "it has no colon"),
        ("bot123456:abcdefghijklmnopqrstuvwxyz", "the part before the colon should be digits"),
        ("12:abcdefghijklmnopqrstuvwxyz", "the part before the colon is too short"),
        ("123456:abcdefghij klmnopqrstuvwxyz", "the part after the colon has a space in it"),
        ("123456:abcdefghijklmnopqrstuvwxyz!", "the part after the colon has '!' in it"),
        ("123456:short", "the part after the colon has 5 characters, not about 35"),
    ],
)
def test_a_garbled_token_is_told_what_is_wrong(
    env: dict[str, str], token: str, problem: str
) -> None:
    env["TELEGRAM_BOT_TOKEN"] = token
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    assert problem in str(info.value)
    assert token not in str(info.value)  # a token is a secret, even a wrong one


def test_a_real_shaped_token_is_accepted(env: dict[str, str]) -> None:
    token = "123456789:AAE" + "x" * 32  # 35 characters after the colon, as BotFather gives
    env["TELEGRAM_BOT_TOKEN"] = token
    assert Settings.from_env(env).token == token


@pytest.mark.parametrize("admins", ["abc", "123,abc", "12;34", "-5", "1.5", "0x10", "12 34 x"])
def test_malformed_admins(env: dict[str, str], admins: str) -> None:
    env["DOINGWITH_ADMINS"] = admins
    with pytest.raises(ConfigError, match=r"^DOINGWITH_ADMINS: ") as info:
        Settings.from_env(env)
    assert "numeric Telegram user id" in str(info.value)


def test_malformed_admins_message_quotes_the_bad_part(env: dict[str, str]) -> None:
    env["DOINGWITH_ADMINS"] = "123,bob"
    with pytest.raises(ConfigError, match=r"'bob' is not a numeric"):
        Settings.from_env(env)


def test_superscript_digit_admins_give_a_config_error(env: dict[str, str]) -> None:
    env["DOINGWITH_ADMINS"] = "12345,²"
    with pytest.raises(ConfigError, match="DOINGWITH_ADMINS"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    "url",
    ["127.0.0.1:8081", "ftp://example.org/bot", "http://", "http:// space", "https:///bot"],
)
def test_bad_api_base_url(env: dict[str, str], url: str) -> None:
    env["TELEGRAM_API_BASE_URL"] = url
    with pytest.raises(ConfigError, match=r"^TELEGRAM_API_BASE_URL must start with http"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/bot"),
        ("https://api.example.org/bot/", "https://api.example.org/bot"),
        ("  ", None),
    ],
)
def test_api_base_url_is_normalised(env: dict[str, str], url: str, expected: str | None) -> None:
    env["TELEGRAM_API_BASE_URL"] = url
    assert Settings.from_env(env).api_base_url == expected


def test_file_url_belongs_to_the_api_base() -> None:
    assert file_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../etc/passwd", "not a zone"])
def test_bad_timezone(env: dict[str, str], zone: str) -> None:
    env["DOINGWITH_TIMEZONE"] = zone
    with pytest.raises(ConfigError, match=r"^DOINGWITH_TIMEZONE: "):
        Settings.from_env(env)


def test_db_in_a_missing_folder(env: dict[str, str], tmp_path: Path) -> None:
    env["DOINGWITH_DB"] = str(tmp_path / "nowhere" / "bot.db")
    with pytest.raises(ConfigError, match=r"^DOINGWITH_DB: the folder .*nowhere.* does not exist"):
        Settings.from_env(env)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any folder")
def test_db_in_an_unwritable_folder(env: dict[str, str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        env["DOINGWITH_DB"] = str(locked / "bot.db")
        with pytest.raises(ConfigError, match=r"^DOINGWITH_DB: .* cannot be written"):
            Settings.from_env(env)
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to any file")
def test_db_file_that_is_read_only(env: dict[str, str], tmp_path: Path) -> None:
    db = tmp_path / "ro.db"
    db.write_bytes(b"")
    db.chmod(0o400)
    try:
        env["DOINGWITH_DB"] = str(db)
        with pytest.raises(ConfigError, match=r"^DOINGWITH_DB: .*ro\.db cannot be written"):
            Settings.from_env(env)
    finally:
        db.chmod(0o600)


def test_db_unwritable_message_when_access_is_denied(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same check, run even as root: os.access is what the code asks."""
    folder = tmp_path / "denied"
    folder.mkdir()
    real_access = os.access

    def access(path: object, mode: int) -> bool:
        if Path(str(path)) == folder and mode == os.W_OK:
            return False
        return real_access(path, mode)  # type: ignore[arg-type]  # os.access takes any path-like

    monkeypatch.setattr(config_module.os, "access", access)
    env["DOINGWITH_DB"] = str(folder / "bot.db")
    with pytest.raises(ConfigError, match=r"^DOINGWITH_DB: .*bot\.db cannot be written"):
        Settings.from_env(env)


def test_db_path_defaults_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert db_path_from_env({}) == Path("doingwith.db")
    assert db_path_from_env({"DOINGWITH_DB": "  "}) == Path("doingwith.db")


def test_token_is_checked_before_the_database(tmp_path: Path) -> None:
    env = {"DOINGWITH_DB": str(tmp_path / "missing" / "x.db")}
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        Settings.from_env(env)


def test_config_error_is_a_doingwith_error() -> None:
    assert issubclass(ConfigError, DoingwithError)


def test_reminder_hours_and_delivery_attempts() -> None:
    env = {"TELEGRAM_BOT_TOKEN": "123456:abcdefghijklmnopqrstuvwxyz"}
    settings = Settings.from_env(env)
    assert (settings.reminder_after_hours, settings.delivery_attempts) == (48, 5)
    settings = Settings.from_env(
        {**env, "DOINGWITH_REMINDER_HOURS": "24", "DOINGWITH_DELIVERY_ATTEMPTS": "3"}
    )
    assert (settings.reminder_after_hours, settings.delivery_attempts) == (24, 3)
    with pytest.raises(ConfigError, match="DOINGWITH_REMINDER_HOURS"):
        Settings.from_env({**env, "DOINGWITH_REMINDER_HOURS": "soon"})
    with pytest.raises(ConfigError, match="DOINGWITH_DELIVERY_ATTEMPTS"):
        Settings.from_env({**env, "DOINGWITH_DELIVERY_ATTEMPTS": "0"})
