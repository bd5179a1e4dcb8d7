"""A workshop's own words in more than one language.

A workshop file is written in one language (``language = "en"``) and may add others: the
workshop's texts under ``[translations.<code>]`` and each question's under its own
``[questions.translations.<code>]``. Only a complete translation is kept, so a person reads
the whole workshop in one language: theirs where it is complete, otherwise the workshop's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from storage.models import AboutQuestion, Question, SupportContact, Workshop
from storage.workshops import NewAboutQuestion, NewQuestion, NewWorkshop

# What a translation must give when the original has it, and what it may give.
WORKSHOP_TEXTS = (
    "title", "purpose", "can_change", "cannot_change", "who_decides", "decide_by",
    "hear_back", "ground_rules",
)  # fmt: skip
WORKSHOP_OPTIONAL = ("contact", "offline_way_in")
LISTS = frozenset({"can_change", "cannot_change", "ground_rules", "options"})
QUESTION_TEXTS = ("prompt", "hint", "options")


def missing(new: NewWorkshop, language: str) -> list[str]:
    """What the ``language`` translation of a new workshop lacks, as a facilitator would
    look for it ('title', 'question good_at: hint'); empty when it is complete."""
    words = new.translations.get(language, {})
    gaps = missing_words(new, words, WORKSHOP_TEXTS)
    if words.get("support") and len(words["support"]) != len(new.support):
        gaps.append("support")
    parts: tuple[tuple[str, Sequence[NewQuestion | NewAboutQuestion]], ...] = (
        ("question", new.questions),
        ("about_you", new.about_you),
    )
    for kind, items in parts:
        for item in items:
            given = item.translations.get(language, {})
            gaps += [f"{kind} {item.key}: {name}" for name in missing_words(item, given)]
    return list(dict.fromkeys(gaps))


def rebase(question: NewQuestion, written_in: str, language: str) -> NewQuestion:
    """A question written in ``language`` where it has a translation into it: the
    language it was written in becomes one of its translations."""
    words = question.translations.get(language)
    if language == written_in or not words or missing_words(question, words):
        return question
    others = {code: w for code, w in question.translations.items() if code != language}
    others[written_in] = {
        name: list(value) if name in LISTS else value
        for name in QUESTION_TEXTS
        if (value := getattr(question, name))
    }
    return replace(
        question,
        prompt=words["prompt"],
        hint=words.get("hint", ""),
        options=tuple(words.get("options", ())),
        translations=others,
    )


def missing_words(
    original_of: NewWorkshop | NewQuestion | NewAboutQuestion,
    words: Mapping[str, Any],
    names: Sequence[str] = QUESTION_TEXTS,
) -> list[str]:
    """Which of its texts (``names``) a translation lacks, or gives the wrong number of."""
    gaps = []
    for name in names:
        original = getattr(original_of, name, "")
        if original and (
            not words.get(name) or (name in LISTS and len(words[name]) != len(original))
        ):
            gaps.append(name)
    return gaps


def keep_complete(new: NewWorkshop, *, own_questions: bool = True) -> NewWorkshop:
    """The workshop with only its complete translations; ``left_out`` says what each
    other one lacks, for the facilitator to finish. Languages only a built-in question set
    has (``own_questions`` false) are dropped without a word: nobody asked for them."""
    offered = set(new.translations)
    if own_questions:
        offered |= {code for q in new.questions for code in q.translations}
    offered.discard(new.language)
    gaps = {code: missing(new, code) for code in sorted(offered)}
    complete = {code for code, lacks in gaps.items() if not lacks}
    questions = tuple(
        replace(q, translations={c: w for c, w in q.translations.items() if c in complete})
        for q in new.questions
    )
    about_you = tuple(
        replace(q, translations={c: w for c, w in q.translations.items() if c in complete})
        for q in new.about_you
    )
    kept = {c: w for c, w in new.translations.items() if c in complete}
    kept.update({c: {} for c in complete if c not in kept})  # all in the questions
    left_out = {code: tuple(lacks) for code, lacks in gaps.items() if lacks}
    return replace(
        new, translations=kept, questions=questions, about_you=about_you, left_out=left_out
    )


def workshop_in(workshop: Workshop, language: str) -> Workshop:
    """The workshop in ``language`` if it has that translation, else as written."""
    words = workshop.translations.get(language)
    if not words or language == workshop.language:
        return workshop
    changes: dict[str, Any] = {
        name: _value(name, words[name])
        for name in (*WORKSHOP_TEXTS, *WORKSHOP_OPTIONAL)
        if words.get(name)
    }
    if words.get("support"):
        changes["support"] = tuple(SupportContact(**s) for s in words["support"])
    return replace(workshop, **changes)


def about_in(question: AboutQuestion, language: str) -> AboutQuestion:
    """An "about you" question in ``language`` if it has that translation."""
    words = question.translations.get(language)
    if not words:
        return question
    return replace(
        question,
        prompt=words.get("prompt") or question.prompt,
        options=tuple(words.get("options") or question.options),
    )


def question_in(question: Question, language: str) -> Question:
    """The question in ``language`` if it has that translation, else as written."""
    words = question.translations.get(language)
    if not words:
        return question
    changes: dict[str, Any] = {
        name: _value(name, words[name]) for name in QUESTION_TEXTS if words.get(name)
    }
    if "options" in changes:  # kept from the first translation when given one again
        changes["written_options"] = question.written_options or question.options
    return replace(question, **changes)


def questions_in(questions: Sequence[Question], language: str) -> list[Question]:
    return [question_in(q, language) for q in questions]


def localise(value: Any, language: str) -> Any:
    """A template's value in ``language``: workshops and questions (also in lists and
    tuples) are translated where they can be; anything else is given back as it is."""
    if value is None or isinstance(value, str | int | float):  # most values: nothing to do
        return value
    if isinstance(value, Workshop):
        return workshop_in(value, language)
    if isinstance(value, Question):
        return question_in(value, language)
    if isinstance(value, AboutQuestion):
        return about_in(value, language)
    if isinstance(value, list | tuple):  # lists of them, or of (membership, workshop)
        return type(value)(localise(item, language) for item in value)
    if isinstance(value, dict):  # sections of a page, each about one workshop
        return {key: localise(item, language) for key, item in value.items()}
    return value


def _value(name: str, value: Any) -> Any:
    return tuple(value) if name in LISTS else value
