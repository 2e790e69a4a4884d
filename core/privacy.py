"""The personal-information notice (`privacy.yml`): the `/privacy` page and the short notice.

One file, two readers, so they cannot say different things: the web page lists, per heading, the
common practice and then one line per service ("婚姻登记预约：……"); the action server sends one
service's same sentences as a short plain-text notice before it first asks for an ID number or a
phone (actions/privacy_notice.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

PRIVACY_FILE = Path(__file__).resolve().parent / "privacy.yml"
PAGE_PATH = "/privacy"
HEADINGS = ("why", "protection", "kept", "who", "decline")
SERVICE_FIELDS = ("name", "asks", "why", "keep", "who", "decline")


class PrivacyTextError(ValueError):
    """`privacy.yml` lacks a part the page or the notice needs."""


@dataclass(frozen=True)
class ServicePrivacy:
    """What one service asks for and why, how long it is kept, who sees it, what declining means.

    `keep` and `who` carry no full stop: the notice goes on after them.
    """

    name: str
    asks: str
    why: str
    keep: str
    who: str
    decline: str


@dataclass(frozen=True)
class PrivacyText:
    """The whole of `privacy.yml`, with `{retention_days}` filled in."""

    title: str
    updated: str
    intro: str
    headings: dict[str, str]
    services: dict[str, ServicePrivacy]
    common: dict[str, list[str]]
    notice: str
    retention_days: int

    def page_sections(self) -> list[tuple[str, list[str]]]:
        """The page's sections: heading, then the common items and one line per service."""
        per_service = {
            "why": lambda s: f"{s.name}：{s.why}",
            "kept": lambda s: f"{s.name}：{s.keep}。",
            "who": lambda s: f"{s.name}：{s.who}。",
            "decline": lambda s: f"{s.name}：{s.decline}",
        }
        sections = []
        for key in HEADINGS:
            items = list(self.common.get(key, []))
            line = per_service.get(key)
            if line is not None:
                items += [line(service) for service in self.services.values()]
            sections.append((self.headings[key], items))
        return sections

    def short_notice(self, service: str, *, page_url: str) -> str:
        """The notice sent in the chat before the first ID number or phone `service` asks for.

        Raises:
            KeyError: `privacy.yml` has no entry for `service`.
        """
        entry = self.services[service]
        return self.notice.format(
            asks=entry.asks,
            why=entry.why,
            keep=entry.keep,
            who=entry.who,
            decline=entry.decline,
            page_url=page_url,
            retention_days=self.retention_days,
        )


def load_privacy(path: Path = PRIVACY_FILE, *, retention_days: int) -> PrivacyText:
    """Read `privacy.yml` and fill `{retention_days}` in.

    Read at every call, not cached: an editor's change shows at once, and the file is small and
    read only for the page and at the few turns where a notice is due.

    Raises:
        PrivacyTextError: A part is missing or is not text.
        OSError: The file cannot be read.
    """
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        fill = {"retention_days": retention_days}
        services = {
            str(key): ServicePrivacy(
                **{name: str(entry[name]).format(**fill) for name in SERVICE_FIELDS}
            )
            for key, entry in data["services"].items()
        }
        common = {
            str(key): [str(item).format(**fill) for item in items]
            for key, items in (data.get("common") or {}).items()
        }
        headings = {key: str(data["headings"][key]) for key in HEADINGS}
        return PrivacyText(
            title=str(data["title"]),
            updated=str(data["updated"]),
            intro=str(data["intro"]),
            headings=headings,
            services=services,
            common=common,
            notice=str(data["notice"]),
            retention_days=retention_days,
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise PrivacyTextError(f"{path}: {error!r}") from error
