"""How the apps built on households take part in household work without households importing them.

Households sit below assessments (eligibility, the exit and 返贫 procedures), which need to hear when a
household changes and may freeze a household while a procedure runs. Instead of households importing those
apps (an upward arrow), they register plain functions here in their ``AppConfig.ready()``. No Django signals:
each hook is an explicit list, called in registration order, in the caller's transaction.

* ``facts_changed``: ``f(household_id)`` — a household's facts (members, income, conditions…) changed.
* ``households_imported``: ``f(households, year)`` — an Excel import created or changed these households.
* ``open_procedures``: ``f(household_ids) -> set[int]`` — which of these households have a procedure in progress
  that freezes their facts (e.g. 返贫 认定 of an exited household).
* ``card_sections``: ``f(household) -> dict | None`` — a section of the household card:
  ``{"template": "…html", "context": {…}}``.
"""
from collections.abc import Callable

_HOOKS: dict[str, list[Callable]] = {"facts_changed": [], "households_imported": [], "open_procedures": [],
                                     "card_sections": []}


def register(hook: str, function: Callable) -> Callable:
    """Add ``function`` to ``hook`` (once)."""
    functions = _HOOKS[hook]
    if function not in functions:
        functions.append(function)
    return function


def facts_changed(household_id: int):
    for listener in _HOOKS["facts_changed"]:
        listener(household_id)


def households_imported(households: list, *, year: int):
    for listener in _HOOKS["households_imported"]:
        listener(households, year)


def households_in_open_procedures(household_ids) -> set[int]:
    """The households among ``household_ids`` that a procedure in progress freezes (one query per hook)."""
    ids = list(household_ids)
    frozen: set[int] = set()
    if not ids:
        return frozen
    for check in _HOOKS["open_procedures"]:
        frozen |= set(check(ids))
    return frozen


def card_sections(household) -> list[dict]:
    """The sections other apps add to the household card, in registration order."""
    return [section for section in (provider(household) for provider in _HOOKS["card_sections"]) if section]
