"""/stats: who is (and is not) taking part, in figures and a chart."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from telegram import InputFile, Update

from chat.context import BotContext
from chat.messaging import say
from handlers.facilitator.access import audit
from storage.about import NOT_SAID
from storage.models import Workshop


def local_days(stamps: list[str], timezone: str) -> Counter[date]:
    zone = ZoneInfo(timezone)
    return Counter(datetime.fromisoformat(s).astimezone(zone).date() for s in stamps)


async def send_stats(update: Update, context: BotContext, workshop: Workshop) -> None:
    # Imported here, not at start: matplotlib is most of the bot's start-up time and memory,
    # and only /stats needs it.
    from domain.charts import DayCount, Funnel, participation_chart

    chat = update.effective_chat
    assert chat is not None
    storage = context.storage
    figures = await storage.stats.figures(workshop.id)
    joined = local_days(figures.joined_at, workshop.timezone)
    completed = local_days(figures.completed_at, workshop.timezone)
    days = [
        DayCount(day=d, joined=joined.get(d, 0), completed=completed.get(d, 0))
        for d in sorted(set(joined) | set(completed))
    ]
    funnel = Funnel(
        opened=figures.opened,
        consented=figures.consented,
        started=figures.started,
        completed=figures.completed,
    )
    themes = await storage.themes.counts(workshop.id)
    about = await _representativeness(context, workshop)
    await say(
        update,
        context,
        "facilitator/stats",
        workshop=workshop,
        figures=figures,
        completion=round(100 * figures.completed / figures.consented)
        if figures.consented
        else None,
        themes=themes,
        about=about,
        feedback=await storage.feedback.workshop_tally(workshop.id),
    )
    png = await asyncio.to_thread(
        participation_chart,
        title=workshop.title,
        days=days,
        funnel=funnel,
        language=context.language,
    )
    await context.bot.send_photo(
        chat.id, InputFile(png, filename=f"workshop-{workshop.id}-stats.png")
    )
    await audit(update, context, "stats", workshop.id)


async def _representativeness(context: BotContext, workshop: Workshop) -> list[dict[str, object]]:
    """For each "about you" question: count and share per option, against the target."""
    storage = context.storage
    tally = await storage.about.tally(workshop.id)
    sections = []
    for question in await storage.about.questions(workshop.id):
        counts = tally.get(question.id, {})
        said = sum(n for option, n in counts.items() if option != NOT_SAID)
        rows = []
        for option in question.options:
            n = counts.get(option, 0)
            rows.append(
                {
                    "option": option,
                    "count": n,
                    "share": round(100 * n / said) if said else None,
                    "target": question.targets.get(option),
                }
            )
        sections.append(
            {"question": question, "rows": rows, "not_said": counts.get(NOT_SAID, 0), "said": said}
        )
    return sections
