"""Rasa's check of action server answers, built once, gives the same verdicts and messages."""

from __future__ import annotations

import textwrap

from testkit.rasa_script import run_in_rasa

CHECK = textwrap.dedent(
    """
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    ANSWERS = [
        {"events": [{"event": "slot", "name": "x", "value": "张三"}],
         "responses": [{"text": "好的", "buttons": [{"title": "是", "payload": "/affirm"}]}]},
        {"events": [], "responses": []},
        {"events": "not a list", "responses": []},
        {"events": [{"no_event_key": 1}], "responses": []},
        {"events": [], "responses": [{"text": 5}]},  # Rasa's schema leaves responses loose
    ]

    def verdicts():
        action = RemoteAction("action_x", None)
        out = []
        for answer in ANSWERS:
            try:
                out.append(action._validate_action_result(answer))
            except ValidationError as error:
                out.append(error.message)
        return out

    rasa_own = verdicts()
    import bot_plugins.scrubbing_tracker_store  # installs the prebuilt validator
    from bot_plugins.action_validation import validate_action_result
    assert RemoteAction._validate_action_result is validate_action_result
    ours = verdicts()
    assert ours == rasa_own, (ours, rasa_own)
    assert [v is True for v in ours] == [True, True, False, False, True], ours
    assert "Failed to validate Action server response" in ours[2], ours
    print("same", len(ours))
    """
)


def test_the_prebuilt_validator_agrees_with_rasa_and_is_installed_by_the_tracker_store() -> None:
    assert run_in_rasa(CHECK) == "same 5"
