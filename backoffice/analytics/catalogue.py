"""The analytics catalogue (catalogue.yml): services, event markers, labels and definitions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.texts import read_texts

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yml")


@dataclass(frozen=True)
class ServiceDef:
    """How one service shows in the tracker: the forms that start it, the slot that completes it."""

    stem: str
    label: str
    start_forms: frozenset[str]
    forms: frozenset[str]
    completion_slots: frozenset[str]


@dataclass(frozen=True)
class Catalogue:
    """Everything catalogue.yml says, typed."""

    raw: dict[str, Any]
    services: dict[str, ServiceDef]

    def setting(self, key: str) -> float:
        """A numeric setting (`settings:`)."""
        return float(self.raw["settings"][key])

    def names(self, key: str) -> frozenset[str]:
        """A list of Rasa names (`knowledge_responses`, `fallback_intents` …) as a set."""
        return frozenset(str(name) for name in self.raw[key])

    def service_of_form(self, form: str) -> str | None:
        """The service stem whose forms include `form`."""
        for service in self.services.values():
            if form in service.forms:
                return service.stem
        return None

    def service_label(self, stem: str) -> str:
        """The Chinese name of a service (or of the knowledge / other buckets)."""
        if stem in self.services:
            return self.services[stem].label
        if stem == "knowledge":
            return str(self.raw["knowledge_service_label"])
        return str(self.raw["other_service_label"])

    def channel_label(self, channel: str) -> str:
        """The Chinese name of a channel."""
        labels: dict[str, str] = self.raw["channels"]
        return str(labels.get(channel, labels["other"]))

    def reason_label(self, reason: str) -> str:
        """The Chinese name of a handoff reason."""
        labels: dict[str, str] = self.raw["handoff_reasons"]
        return str(labels.get(reason, labels["other"]))

    def metric(self, key: str) -> tuple[str, str]:
        """(label, one-line definition) of a metric."""
        entry = self.raw["metrics"][key]
        return str(entry["label"]), str(entry["definition"])

    def table(self, name: str) -> tuple[str, dict[str, str]]:
        """(title, column key → Chinese header) of a table."""
        entry = self.raw["tables"][name]
        return str(entry["title"]), {str(k): str(v) for k, v in entry["columns"].items()}

    def page(self, key: str) -> str:
        """A label of the analytics page."""
        return str(self.raw["page"][key])


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The catalogue, read once."""
    raw = read_texts(CATALOGUE_FILE)
    services = {
        str(stem): ServiceDef(
            stem=str(stem),
            label=str(entry["label"]),
            start_forms=frozenset(entry["start_forms"]),
            forms=frozenset(entry["forms"]),
            completion_slots=frozenset(entry["completion_slots"]),
        )
        for stem, entry in raw["services"].items()
    }
    return Catalogue(raw=raw, services=services)
