"""Rasa finds an event's class by its name once, not by walking every Event subclass each time.

Rasa 3.6 turns every stored or returned event into an object with `Event.resolve_by_type`, which
lists all (imported, non-abstract) subclasses of `Event` and compares names, for every event: a
tracker read, every action server answer. On the `make bench` mix that was about 5% of the Rasa
process's busy time (#22, py-spy). The classes do not change once imported, so `install()` makes
the lookup remember each name it found; a name it does not know still goes to Rasa's own lookup
(its default, the old "topic" events and its error stay Rasa's).

Rasa offers no start-up hook, so `bot_plugins.scrubbing_tracker_store` (which every profile's
endpoints load into Rasa) calls `install()` when it is imported. Runs in .venv-rasa only.
"""

from __future__ import annotations

from rasa.shared.core.events import Event

# Rasa's own lookup, unchanged.
_rasa_resolve_by_type = Event.resolve_by_type

# Event name → its class, as Rasa's lookup found it.
_found: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type` remembered: the class Rasa's lookup found for `type_name`."""
    known = _found.get(type_name)
    if known is not None:
        return known
    resolved = _rasa_resolve_by_type(type_name, default)
    if resolved is not None and resolved.type_name == type_name:
        _found[type_name] = resolved
    return resolved


def install() -> None:
    """Make Rasa's event lookup by name remember what it found."""
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]
