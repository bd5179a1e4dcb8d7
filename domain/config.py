"""Settings read once from the environment, validated, and then never changed."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import ConfigError
from domain.safeguarding import DEFAULT_RISK_PHRASES, compile_phrases

TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_SECRET_CHARACTER = re.compile(r"[A-Za-z0-9_-]")


def token_problem(token: str) -> str:
    """What is wrong with a token that does not match TOKEN_PATTERN, in plain words."""
    number, colon, secret = token.partition(":")
    if not colon:
        return "it has no colon"
    if not number.isascii() or not number.isdigit():
        return "the part before the colon should be digits only"
    if len(number) < 3:
        return "the part before the colon is too short"
    odd = sorted({c for c in secret if not _SECRET_CHARACTER.fullmatch(c)})
    if odd:
        shown = ", ".join("a space" if c == " " else repr(c) for c in odd)
        return f"the part after the colon has {shown} in it"
    return f"the part after the colon has {len(secret)} characters, not about 35"


@dataclass(frozen=True, slots=True)
class Settings:
    token: str
    db_path: Path = Path("doingwith.db")
    admins: frozenset[int] = field(default_factory=frozenset)
    api_base_url: str | None = None
    timezone: str = "Europe/London"
    persistence_interval: float = 5.0
    # Telegram's limits, applied to every request; off only where no real Telegram is reached.
    rate_limit: bool = True
    reminder_after_hours: int = 48
    delivery_attempts: int = 5
    # Safeguarding: phrases that make the bot answer with where to get help, at any step.
    risk_phrases: tuple[str, ...] = DEFAULT_RISK_PHRASES
    # Webhook mode (`doingwith run --webhook URL`): the secret Telegram sends with every
    # update (required there), and the address and port the bot listens on.
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; raise ConfigError naming the variable that is wrong."""
        env = os.environ if env is None else env
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set. Ask @BotFather in Telegram for a token "
                "and set it, e.g. export TELEGRAM_BOT_TOKEN=123456:ABC..."
            )
        if not TOKEN_PATTERN.match(token):
            raise ConfigError(
                f"TELEGRAM_BOT_TOKEN does not look like a bot token: {token_problem(token)}. "
                "A token is the bot's number, a colon, then about 35 letters, digits, _ or -, "
                "like 123456789:AAE…; copy it again from @BotFather."
            )
        return cls(
            token=token,
            db_path=db_path_from_env(env),
            admins=_admins(env.get("DOINGWITH_ADMINS", "")),
            api_base_url=_base_url(env.get("TELEGRAM_API_BASE_URL", "")),
            timezone=_timezone(env.get("DOINGWITH_TIMEZONE", "Europe/London")),
            reminder_after_hours=_whole(env, "DOINGWITH_REMINDER_HOURS", 48, 1, 24 * 60),
            delivery_attempts=_whole(env, "DOINGWITH_DELIVERY_ATTEMPTS", 5, 1, 50),
            risk_phrases=_phrases(env.get("DOINGWITH_RISK_PHRASES", "")),
            webhook_secret=_secret(env.get("DOINGWITH_WEBHOOK_SECRET", "")),
            webhook_listen=env.get("DOINGWITH_WEBHOOK_LISTEN", "").strip() or "0.0.0.0",
            webhook_port=_whole(env, "DOINGWITH_WEBHOOK_PORT", 8443, 1, 65535),
        )


def db_path_from_env(env: Mapping[str, str] | None = None) -> Path:
    """Return the database path, checking that its folder exists and can be written."""
    env = os.environ if env is None else env
    path = Path(env.get("DOINGWITH_DB", "").strip() or "doingwith.db")
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ConfigError(f"DOINGWITH_DB: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ConfigError(f"DOINGWITH_DB: {path} cannot be written by this user.")
    return path


def _whole(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]+", raw) or not low <= int(raw) <= high:
        raise ConfigError(f"{name}: a whole number from {low} to {high}, please (got {raw!r}).")
    return int(raw)


WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")


def _secret(raw: str) -> str | None:
    """The webhook's secret token: Telegram allows 1 to 256 of A-Z, a-z, 0-9, _ and -."""
    raw = raw.strip()
    if not raw:
        return None
    if not WEBHOOK_SECRET.fullmatch(raw):
        raise ConfigError(
            "DOINGWITH_WEBHOOK_SECRET: 16 to 256 letters, digits, _ or -, please "
            "(e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(32))')."
        )
    return raw


def webhook_path(url: str) -> str:
    """The path of a webhook URL the bot serves updates on; ConfigError if not https."""
    if not re.fullmatch(r"https://[^\s/?#]+(/[^\s?#]*)?", url):
        raise ConfigError(
            f"--webhook: {url!r} is not an https:// URL (Telegram sends updates only to "
            "https, e.g. https://bot.example.org/doingwith)."
        )
    _scheme, _, rest = url.partition("://")
    _host, _, path = rest.partition("/")
    return path.strip("/")


def _phrases(raw: str) -> tuple[str, ...]:
    """Comma-separated risk phrases; a leading "+" adds them to the defaults."""
    raw = raw.strip()
    if not raw:
        return DEFAULT_RISK_PHRASES
    extra = raw.startswith("+")
    phrases = compile_phrases(tuple(raw.lstrip("+").split(",")))
    if not phrases:
        raise ConfigError(
            "DOINGWITH_RISK_PHRASES: give phrases separated by commas, e.g. "
            "'+not coping,scared of him' (a leading + adds them to the built-in ones)."
        )
    return compile_phrases(DEFAULT_RISK_PHRASES + phrases) if extra else phrases


def _admins(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.replace(" ", "").split(","):
        if not part:
            continue
        if not re.fullmatch(r"[0-9]+", part):
            raise ConfigError(
                f"DOINGWITH_ADMINS: {part!r} is not a numeric Telegram user id "
                "(use numbers separated by commas, e.g. 12345678,23456789)."
            )
        ids.add(int(part))
    return frozenset(ids)


def _base_url(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if not re.match(r"^https?://[^\s/]+", raw):
        raise ConfigError(
            "TELEGRAM_API_BASE_URL must start with http:// or https:// "
            "(e.g. http://127.0.0.1:8081/bot)."
        )
    raw = raw.rstrip("/")
    # The Bot API puts the token straight after ".../bot"; accept the server's root too.
    return raw if raw.endswith("/bot") else raw + "/bot"


def file_url(base_url: str) -> str:
    """Return the file download base that belongs to an API base URL ending in /bot."""
    return base_url[: -len("/bot")] + "/file/bot"


def _timezone(raw: str) -> str:
    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ConfigError(f"DOINGWITH_TIMEZONE: {raw!r} is not a known time zone.") from exc
    return raw
