"""States of the participant conversation.

Buttons work in any state (their data is checked against the database), so states only
decide what plain text means: a consent screen ignores it, the questions keep it as an
answer, and sharing keeps it as a view.
"""

from enum import IntEnum

from telegram.ext import ConversationHandler


class State(IntEnum):
    CONSENT = 1
    QUESTIONS = 2
    SHARING = 3
    FEEDBACK = 4


END = ConversationHandler.END

# user_data keys: flow state that is not domain data
INVITE = "invite"  # the invite code of the workshop whose consent screen is showing
SHARE_WORKSHOP = "share_workshop"  # the workshop id a view is being written for
FEEDBACK_ON = "feedback_on"  # the update a comment is being written about
