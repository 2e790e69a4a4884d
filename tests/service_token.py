"""The service token of the unit tests (tests/conftest.py sets it; the records API requires it)."""

from __future__ import annotations

UNIT_SERVICE_TOKEN = "unit-service-token-Zq8vK2mN4pR6sT1wX3yB5cD7"
SERVICE_HEADERS = {"Authorization": f"Bearer {UNIT_SERVICE_TOKEN}"}
