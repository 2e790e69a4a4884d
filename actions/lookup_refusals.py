"""Asking the back office for a record, and a look-up it refused (too many attempts, no match).

Every look-up by reference or ID number plus phone (a pledge, a visit, an application) is
throttled by the back office (``backoffice/lookup_guard.py``); after too many attempts it answers
with its own Chinese message, which is said as it is. Any other refusal gets the service's own
response. ``ask_back_office`` is the one try/except around such a call: a refusal is told by the
caller's `refused`, an unreachable back office by ``utter_records_unavailable``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa_sdk.executor import CollectingDispatcher

from actions.clients.backoffice import TOO_MANY_ATTEMPTS, BackofficeError, BackofficeRejectedError

T = TypeVar("T")


def say_lookup_refused(
    dispatcher: CollectingDispatcher, error: BackofficeRejectedError, response: str, **values: Any
) -> None:
    """Say why a look-up found nothing: the back office's throttling message, else `response`."""
    if error.status_code == TOO_MANY_ATTEMPTS and error.detail:
        dispatcher.utter_message(text=error.detail)  # the back office's Chinese message
    else:
        dispatcher.utter_message(response=response, **values)


async def ask_back_office(
    dispatcher: CollectingDispatcher,
    request: Awaitable[T],
    refused: Callable[[BackofficeRejectedError], None],
) -> T | BackofficeError:
    """The back office's answer to `request`; else the error, once the citizen was told why.

    A refusal (4xx) is said by `refused`; a back office that is down or failing (5xx) by
    ``utter_records_unavailable``. The caller tells the two apart by the error's type when they
    reset different slots.
    """
    try:
        return await request
    except BackofficeRejectedError as error:
        refused(error)
        return error
    except BackofficeError as error:
        dispatcher.utter_message(response="utter_records_unavailable")
        return error
