"""A look-up the back office refused: too many attempts, or nothing matched.

Every look-up by reference or ID number plus phone (a pledge, a visit, an application) is
throttled by the back office (``backoffice/lookup_guard.py``); after too many attempts it answers
with its own Chinese message, which is said as it is. Any other refusal gets the service's own
response.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.clients.backoffice import TOO_MANY_ATTEMPTS, BackofficeRejectedError


def say_lookup_refused(
    dispatcher: CollectingDispatcher, error: BackofficeRejectedError, response: str, **values: Any
) -> None:
    """Say why a look-up found nothing: the back office's throttling message, else `response`."""
    if error.status_code == TOO_MANY_ATTEMPTS and error.detail:
        dispatcher.utter_message(text=error.detail)  # the back office's Chinese message
    else:
        dispatcher.utter_message(response=response, **values)
