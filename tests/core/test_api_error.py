"""One refusal type for every API (`ApiError`) in the one error shape; one text catalogue type."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.errors import ApiError, install_error_handling
from core.texts import TextCatalogue


def test_a_refusal_raised_below_a_route_is_answered_in_the_error_shape() -> None:
    app = FastAPI()
    install_error_handling(app)

    @app.get("/refused")
    def refused() -> None:
        raise ApiError(429, "too_many_attempts", "请一小时后再试", headers={"Retry-After": "60"})

    response = TestClient(app).get("/refused")
    assert response.status_code == 429
    assert response.json() == {"error": {"code": "too_many_attempts", "message": "请一小时后再试"}}
    assert response.headers["Retry-After"] == "60"


def test_a_catalogue_fills_placeholders_and_falls_back_on_the_key(tmp_path: Path) -> None:
    path = tmp_path / "messages.yml"
    path.write_text("version: 1\nslot_full: '{day}的名额已经约满了。'\n", encoding="utf-8")
    catalogue = TextCatalogue(path)
    assert catalogue.text("slot_full", day="12月7日") == "12月7日的名额已经约满了。"
    assert catalogue.text_or_key("unknown_code") == "unknown_code"
