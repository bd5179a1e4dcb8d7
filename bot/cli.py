"""The ``doingwith`` command: run the bot, add and list workshops, export, back up."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from domain.config import Settings, db_path_from_env, webhook_path
from domain.errors import DoingwithError
from domain.texts import best_language, language_name, languages
from domain.workshop_file import load_workshop_file
from storage import Storage, StorageError
from storage.backup import backup_database
from storage.files import write_private
from storage.models import Workshop

if TYPE_CHECKING:
    from chat.context import BotApplication

EXIT_USAGE = 2
EXIT_UNREACHABLE = 1
# The updates the bot handles, in either mode.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
# The audit log's actor for actions taken on the command line (no Telegram user).
CLI_ACTOR = 0


def invite_link(username: str | None, workshop: Workshop) -> str:
    if username:
        return f"https://t.me/{username}?start={workshop.invite_code}"
    return f"https://t.me/<your_bot_username>?start={workshop.invite_code}"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="doingwith",
        description="Run the doingwith bot, add and list workshops, export and back up.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the bot (long polling); Ctrl-C stops it")
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates at this https URL instead of polling "
        "(needs DOINGWITH_WEBHOOK_SECRET; see README, 'Webhook mode')",
    )
    workshop = sub.add_parser("workshop", help="add or list workshops")
    wsub = workshop.add_subparsers(dest="action", required=True)
    add = wsub.add_parser("add", help="load a workshop from a TOML file and print its invite link")
    add.add_argument("file")
    add.add_argument("--bot-username", help="the bot's username, for the link (no @)")
    wsub.add_parser("list", help="list workshops with their invite links")
    export = sub.add_parser("export", help="write a workshop's answers and views as CSV or JSON")
    export.add_argument("workshop", type=int, help="the workshop's number (see `workshop list`)")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--out", help="file to write (default: standard output)")
    backup = sub.add_parser(
        "backup", help="copy the database to PATH (0600), safely while the bot is running"
    )
    backup.add_argument("path", help="the file to write, e.g. /backups/doingwith-2025-05-01.db")
    health = sub.add_parser(
        "health", help="exit 0 if the running bot's jobs ticked lately (for container checks)"
    )
    health.add_argument("--within", type=int, default=120, metavar="SECONDS")
    preview = sub.add_parser(
        "preview", help="rehearse a workshop file's conversation in the terminal (no Telegram)"
    )
    preview.add_argument("file")
    preview.add_argument(
        "--language",
        metavar="CODE",
        help="play it as a person whose Telegram is set to this language (en, pl)",
    )
    return p


# Loggers that would put people's words or the bot token into the log below these levels.
QUIET_LOGGERS = {
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    # At DEBUG, PTB logs the parameters of every request: what people wrote, and replies.
    "telegram": logging.INFO,
    # At DEBUG, aiosqlite logs every statement with its parameters: every answer.
    "aiosqlite": logging.WARNING,
    # The outbox ticks every two seconds; APScheduler would log every tick at INFO.
    "apscheduler": logging.WARNING,
}


class RedactSecrets(logging.Filter):
    """Replace the bot token wherever it would appear in a log line (say, an error URL)."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
        return True


def quiet_loggers() -> None:
    """Keep DEBUG logging useful without people's words or the token in it."""
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    quiet_loggers()
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    secret = os.environ.get("DOINGWITH_WEBHOOK_SECRET", "").strip()
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactSecrets(token, secret))


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging(os.environ.get("DOINGWITH_LOG_LEVEL", "INFO"))
    try:
        if args.command == "run":
            return run(args.webhook)
        if args.command == "export":
            return export_workshop(args.workshop, args.format, args.out)
        if args.command == "backup":
            return backup(args.path)
        if args.command == "health":
            return asyncio.run(health(args.within))
        if args.command == "preview":
            from bot.preview import rehearse  # imported late, as `run` imports the bot

            if args.language is not None and best_language(args.language) is None:
                # A rehearsal in a language the bot cannot speak would only show English.
                spoken = ", ".join(languages())
                print(f"doingwith: --language {args.language}: the bot speaks {spoken}")
                return EXIT_USAGE
            return asyncio.run(rehearse(args.file, sys.stdin, sys.stdout, args.language))
        if args.action == "add":
            return asyncio.run(add_workshop(args.file, args.bot_username))
        return asyncio.run(list_workshops())
    except (DoingwithError, StorageError) as exc:
        print(f"doingwith: {exc}", file=sys.stderr)
        return EXIT_USAGE


def run(webhook: str | None = None) -> int:
    from bot.app import build_application  # keeps `workshop` commands free of Telegram start-up

    settings = Settings.from_env()
    path = webhook_path(webhook) if webhook is not None else None
    if webhook is not None and settings.webhook_secret is None:
        print(
            "doingwith: --webhook needs a secret: set DOINGWITH_WEBHOOK_SECRET "
            "(16 to 256 letters, digits, _ or -); Telegram sends it with every update.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    asyncio.run(_check_database(settings))
    app = build_application(settings)
    log = logging.getLogger(__name__)
    from telegram.error import InvalidToken, NetworkError

    # PTB logs a start-up it cannot finish with a traceback; the person gets one line.
    logging.getLogger("telegram.ext").addFilter(_NoStartupTraceback())
    try:
        if webhook is None or path is None:
            log.info("doingwith is starting; press Ctrl-C to stop")
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
            return 0
        return _run_webhook(app, settings, webhook, path)
    except InvalidToken:
        print("doingwith: Telegram refused TELEGRAM_BOT_TOKEN; copy it again from @BotFather.",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    except NetworkError as exc:
        where = settings.api_base_url or "Telegram"
        print(f"doingwith: cannot reach {where} ({exc.message}); check the network.",
              file=sys.stderr)  # fmt: skip
        return EXIT_UNREACHABLE


class _NoStartupTraceback(logging.Filter):
    """Drop PTB's 'could not start' error and its traceback: run() says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Network Retry Loop (Bootstrap")


def _run_webhook(app: BotApplication, settings: Settings, webhook: str, path: str) -> int:
    log = logging.getLogger(__name__)
    log.info(
        "doingwith is starting (webhook, listening on %s:%d); press Ctrl-C to stop",
        settings.webhook_listen,
        settings.webhook_port,
    )
    # PTB answers a request without the right X-Telegram-Bot-Api-Secret-Token with 403 and
    # hands it to no handler.
    app.run_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=path,
        webhook_url=webhook,
        secret_token=settings.webhook_secret,
        allowed_updates=ALLOWED_UPDATES,
    )
    return 0


async def health(within: int) -> int:
    """Whether the bot using this database is alive: its jobs write a heartbeat."""
    storage = Storage(db_path_from_env())
    await storage.open()
    try:
        beat = await storage.meta.last_beat()
    finally:
        await storage.close()
    if beat is None:
        print("doingwith: no heartbeat yet: the bot has not run on this database", file=sys.stderr)
        return EXIT_UNREACHABLE
    age = (datetime.now(UTC) - beat).total_seconds()
    if age > within:
        print(f"doingwith: the last heartbeat was {age:.0f} s ago", file=sys.stderr)
        return EXIT_UNREACHABLE
    print(f"ok: heartbeat {age:.0f} s ago")
    return 0


async def _check_database(settings: Settings) -> None:
    storage = Storage(settings.db_path)
    await storage.open()
    await storage.close()


async def _username_from_token() -> str | None:
    """Ask Telegram for the bot's username when a token is set; None if that fails."""
    try:
        settings = Settings.from_env()
    except DoingwithError:
        return None
    from telegram import Bot  # imported late: only needed here
    from telegram.error import TelegramError

    if settings.api_base_url:  # a local Bot API server
        telegram = Bot(settings.token, base_url=settings.api_base_url)
    else:
        telegram = Bot(settings.token)
    try:
        async with telegram as telegram_bot:
            return telegram_bot.username
    except (TelegramError, OSError):
        return None


async def add_workshop(path: str, bot_username: str | None) -> int:
    new = load_workshop_file(path)
    storage = Storage(db_path_from_env())
    await storage.open()
    try:
        same = [w for w in await storage.workshops.all() if w.title == new.title]
        username = bot_username or await storage.meta.get("bot_username")
        if same:
            # Running README's first command again must still start the bot: say what is
            # there, add nothing, and succeed.
            print(
                f"Workshop {same[0].id} is already called {new.title!r}; nothing was added. "
                "To add another workshop, give it another title in the file."
            )
            if username:
                print(f"Invite link: {invite_link(username, same[0])}")
            else:
                print(f"Invite code: {same[0].invite_code} (people send the bot /start CODE)")
            return 0
        workshop = await storage.workshops.create(new)
        if username is None:
            username = await _username_from_token()
            if username:
                await storage.meta.set("bot_username", username)
    finally:
        await storage.close()
    print(f"Added workshop {workshop.id}: {workshop.title}")
    if username:
        print(f"Invite link: {invite_link(username, workshop)}")
    else:
        print(f"Invite code: {workshop.invite_code}")
        print("The bot's username is not known yet, so there is no link to print. Start the")
        print("bot once with `doingwith run` (then `doingwith workshop list` shows the link),")
        print("or add the workshop with --bot-username NAME. Meanwhile people can join by")
        print(f"sending the bot: /start {workshop.invite_code}")
    print(f"Languages: {', '.join(language_name(code) for code in workshop.languages)}")
    for code, lacks in new.left_out.items():
        # Kept out so nobody reads half a workshop in a language: say what would finish it.
        print(
            f"The {language_name(code)} ({code}) translation was left out, as it lacks: "
            f"{'; '.join(lacks)}."
        )
    return 0


async def list_workshops() -> int:
    storage = Storage(db_path_from_env())
    await storage.open()
    try:
        workshops = await storage.workshops.all()
        username = await storage.meta.get("bot_username")
    finally:
        await storage.close()
    if not workshops:
        print("No workshops yet. Add one with: doingwith workshop add examples/what-matters.toml")
    for w in workshops:
        print(f"{w.id}\t{w.status}\t{w.title}\t{invite_link(username, w)}")
    return 0


def export_workshop(workshop_id: int, fmt: str, out: str | None) -> int:
    """The same export as /export, audit-logged as done from the command line."""
    found = asyncio.run(_export(workshop_id, fmt))
    if found is None:
        print(f"doingwith: there is no workshop {workshop_id}", file=sys.stderr)
        return EXIT_USAGE
    data, count = found
    if out:
        write_private(Path(out), data)  # 0600: an export holds what people said
        print(f"Wrote {count} rows to {out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


async def _export(workshop_id: int, fmt: str) -> tuple[bytes, int] | None:
    from domain.exports import export_rows, to_csv, to_json

    storage = Storage(db_path_from_env())
    await storage.open()
    try:
        workshop = await storage.workshops.get(workshop_id)
        if workshop is None:
            return None
        rows = await export_rows(storage, workshop_id)
        await storage.audit.record(
            CLI_ACTOR, "export", workshop_id=workshop_id, detail=f"cli {fmt} rows={len(rows)}"
        )
    finally:
        await storage.close()
    return (to_csv(rows) if fmt == "csv" else to_json(workshop, rows)), len(rows)


def backup(path: str) -> int:
    """Copy the database with SQLite's backup API: consistent even while the bot writes."""
    target = Path(path)
    pages = backup_database(db_path_from_env(), target)
    print(f"Backed up {pages} pages to {target} (readable only by you)", file=sys.stderr)
    return 0
