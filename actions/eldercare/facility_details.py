"""详情: the facility a message points at ("第二家", a card button) and all known about it."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.clients.eldercare import Facility, FacilityKind
from actions.eldercare import records, wording
from actions.eldercare.search_slots import OFFSET, SHOWN
from actions.eldercare.turn import message_text
from actions.eldercare.understanding import entity_value, find_ordinal

DETAILS_RESPONSES: dict[FacilityKind, str] = {
    "institution": "utter_eldercare_details_institution",
    "day_center": "utter_eldercare_details_day_center",
    "canteen": "utter_eldercare_details_canteen",
    "family_bed": "utter_eldercare_details_family_bed",
}


def chosen_facility(tracker: Tracker) -> str | None:
    """The facility a message points at: a button's code, or "第二家" among the cards shown."""
    code = entity_value(tracker.latest_message, "eldercare_facility")
    if isinstance(code, str) and code:
        return code
    ordinal = find_ordinal(message_text(tracker))
    shown = tracker.get_slot(SHOWN) or []
    offset = tracker.get_slot(OFFSET)
    if ordinal is None or not shown:
        return None
    start = int(offset) if isinstance(offset, int | float) else 0
    # Cards are numbered across pages (4, 5, 6 on the second); "第一家" also means the first shown.
    position = ordinal - start - 1 if ordinal > start else ordinal - 1
    return str(shown[position]) if 0 <= position < len(shown) else None


def details_values(facility: Facility) -> dict[str, Any]:
    """Placeholders of a details response."""
    return {
        "code": facility.code,
        "name": facility.name,
        "kind_label": wording.kind_label(facility),
        "address": facility.address,
        "district": facility.district_name,
        "street": facility.street,
        "phone": facility.phone,
        "total_beds": facility.total_beds or 0,
        "nursing_beds": facility.nursing_beds or 0,
        "vacancies": facility.vacancies if facility.vacancies is not None else 0,
        "dementia_unit": wording.yes_no(facility.dementia_care),
        "price": wording.price_label(facility),
        "meal_price": facility.meal_price or 0,
        "opening_hours": facility.opening_hours or "",
        "needs": wording.needs_label(facility.needs),
    }


class ActionShowFacilityDetails(Action):
    """详情: everything known about one facility, with 预约参观 where visits are taken."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_show_facility_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Fetch and show the facility."""
        code = chosen_facility(tracker)
        if code is None:
            dispatcher.utter_message(response="utter_eldercare_which_facility")
            return []
        try:
            facility = await records.api().facility(code)
        except BackofficeRejectedError:
            dispatcher.utter_message(response="utter_eldercare_facility_unknown")
            return []
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        dispatcher.utter_message(
            response=DETAILS_RESPONSES[facility.kind], **details_values(facility)
        )
        if facility.is_sample:
            dispatcher.utter_message(response="utter_eldercare_sample_notice")
        return []
