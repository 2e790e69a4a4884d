"""Case summaries show identity numbers, phones and people's names only masked."""

from __future__ import annotations

from backoffice.records.handoff.masking import mask_slots


def test_phone_and_name_slots_are_masked_in_the_summary() -> None:
    slots = {
        "marriage_party1_name": "张三丰",
        "eldercare_visitor_name": "李四",
        "donor_name": "王五",
        "marriage_phone": "13812345678",
        "handoff_callback_phone": "0571-87008174",
        "eldercare_visit_facility_name": "西湖区福利院",
        "status_id_number": "330106199001011234",
        "note": "身份证 330106199001011234",
    }
    assert mask_slots(slots) == {
        "marriage_party1_name": "张**",
        "eldercare_visitor_name": "李*",
        "donor_name": "王*",
        "marriage_phone": "138****5678",
        "handoff_callback_phone": "0571-****8174",
        "eldercare_visit_facility_name": "西湖区福利院",
        "status_id_number": "3301**********1234",
        "note": "身份证 3301**********1234",
    }
