"""Rasa finds an event's class by name once; what it finds and refuses stays Rasa's own."""

from __future__ import annotations

import json
import textwrap

from testkit.rasa_script import run_in_rasa

CHECK = textwrap.dedent(
    """
    import json
    import rasa.shared.utils.common as common
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

    def answers():
        found = [Event.resolve_by_type(name).__name__ for name in ("user", "slot", "action")]
        default = Event.resolve_by_type("no_such_event", default=SlotSet).__name__
        topic = Event.resolve_by_type("topic")
        try:
            Event.resolve_by_type("no_such_event")
            refused = False
        except ValueError:
            refused = True
        return found, default, topic, refused

    walks = []
    rasa_walk = common.all_subclasses
    common.all_subclasses = lambda cls: (cls is Event and walks.append(cls)) or rasa_walk(cls)
    rasa_own = answers()
    rasa_walks = len(walks)
    import bot_plugins.scrubbing_tracker_store  # installs the remembered lookup
    first = answers()
    walks.clear()
    again = answers()
    events = Event.from_parameters(
        {"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet"}}}
    )
    print(json.dumps({
        "rasa": rasa_own, "ours": first, "again": again, "rasa_walks": rasa_walks,
        "walks_again": len(walks), "user": type(events).__name__,
    }))
    """
)


def test_event_classes_are_found_by_name_once_with_rasas_answers() -> None:
    seen = json.loads(run_in_rasa(CHECK))
    assert seen["rasa"] == seen["ours"] == seen["again"]
    assert seen["rasa"][0] == ["UserUttered", "SlotSet", "ActionExecuted"]
    assert seen["rasa"][1:] == ["SlotSet", None, True]
    assert seen["rasa_walks"] >= 3
    # known names no longer walk the subclasses; unknown ones (3 per round) still ask Rasa
    assert seen["walks_again"] == 3
    assert seen["user"] == "UserUttered"
