"""SQLite storage for doingwith: knows nothing of Telegram."""

from __future__ import annotations

from pathlib import Path

from storage.about import AboutYou
from storage.actions import Actions
from storage.answers import Answers
from storage.audit import Audit
from storage.conversations import ConversationStates, UserData
from storage.db import Database
from storage.errors import StorageError, StorageUnavailable
from storage.facilitators import Facilitators
from storage.feed import Feed
from storage.feedback import Feedback
from storage.flags import Flag, Flags
from storage.housekeeping import Housekeeping
from storage.meta import Meta
from storage.mydata import MyData, PersonalData
from storage.opens import LinkOpens
from storage.outbox import Outbox
from storage.participants import Participants
from storage.sessions import Sessions
from storage.stats import Stats
from storage.themes import Themes
from storage.typed_steps import TypedSteps
from storage.updates import Updates
from storage.views import Views
from storage.workshops import NewQuestion, NewWorkshop, Workshops

__all__ = [
    "AboutYou",
    "Actions",
    "Answers",
    "Audit",
    "ConversationStates",
    "Database",
    "Facilitators",
    "Feed",
    "Feedback",
    "Flag",
    "Flags",
    "Housekeeping",
    "LinkOpens",
    "Meta",
    "MyData",
    "NewQuestion",
    "NewWorkshop",
    "Outbox",
    "Participants",
    "PersonalData",
    "Sessions",
    "Stats",
    "Storage",
    "StorageError",
    "StorageUnavailable",
    "Themes",
    "TypedSteps",
    "Updates",
    "UserData",
    "Views",
    "Workshops",
]


class Storage:
    """Every aggregate's store over one database connection."""

    def __init__(self, path: str | Path) -> None:
        self.db = Database(path)
        self.workshops = Workshops(self.db)
        self.participants = Participants(self.db)
        self.answers = Answers(self.db)
        self.views = Views(self.db)
        self.conversations = ConversationStates(self.db)
        self.user_data = UserData(self.db)
        self.meta = Meta(self.db)
        self.housekeeping = Housekeeping(self.db)
        self.facilitators = Facilitators(self.db)
        self.audit = Audit(self.db)
        self.opens = LinkOpens(self.db)
        self.themes = Themes(self.db)
        self.feed = Feed(self.db)
        self.stats = Stats(self.db)
        self.about = AboutYou(self.db)
        self.actions = Actions(self.db)
        self.updates = Updates(self.db)
        self.outbox = Outbox(self.db)
        self.feedback = Feedback(self.db)
        self.sessions = Sessions(self.db)
        self.typed_steps = TypedSteps(self.db)
        self.mydata = MyData(self.db)
        self.flags = Flags(self.db)

    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        await self.db.close()
