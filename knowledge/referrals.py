"""Where to send a civil-affairs question the knowledge base has no verified answer for.

``referrals.yml`` (editor-owned) gives each topic the words that show a message is about it, the
office in charge and the contact lines to name. The assistant then says honestly that it has no
verified answer yet, names the office and the numbers, and offers a person: never 没太明白 for a
question that is clearly about civil affairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from knowledge.schema import Contact, NonEmptyText
from knowledge.yamlfile import KnowledgeError, read_yaml, validate_document

REFERRALS_FILE = "referrals.yml"


class Referral(BaseModel):
    """One topic's office, contact lines and the words that point to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    office: NonEmptyText
    contacts: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[NonEmptyText, ...] = Field(min_length=1)
    # A catch-all topic (the bureau as a whole): named only when no specific topic's words appear.
    general: bool = False


class ReferralsFile(BaseModel):
    """Content of ``referrals.yml``: topic code → referral."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    referrals: dict[str, Referral] = Field(min_length=1)


class TopicReferral(BaseModel):
    """A referral resolved for one message: topic name, office and the contact lines."""

    model_config = ConfigDict(frozen=True)

    topic: str
    topic_name: str
    office: str
    contacts: tuple[Contact, ...]

    def contact_line(self) -> str:
        """The numbers as a citizen reads them; unverified ones say so."""
        parts = [
            f"{c.name} {c.number}" + ("（示例，待核实）" if c.sample else "") for c in self.contacts
        ]
        return "；".join(parts)


class ReferralBook:
    """The referrals of every topic, checked against the topics and the contact list."""

    def __init__(
        self,
        referrals: Mapping[str, Referral],
        topics: Mapping[str, str],
        contacts: Mapping[str, Contact],
    ) -> None:
        """Keep the referrals; ``load_referrals`` checks that topics and contacts exist."""
        self._referrals = dict(referrals)
        self._topics = dict(topics)
        self._contacts = dict(contacts)

    def for_text(self, text: str) -> TopicReferral | None:
        """The topic whose words the message uses most (the longest word breaks a tie).

        A general topic (``general: true``) is named only when no specific topic fits.
        """
        scored = [
            ((not referral.general, len(hits), max(map(len, hits))), topic)
            for topic, referral in self._referrals.items()
            if (hits := [word for word in referral.keywords if word in text])
        ]
        if not scored:
            return None
        _, topic = max(scored, key=lambda pair: pair[0])
        referral = self._referrals[topic]
        return TopicReferral(
            topic=topic,
            topic_name=self._topics[topic],
            office=referral.office,
            contacts=tuple(self._contacts[c] for c in referral.contacts),
        )


def load_referrals(
    root: Path, topics: Mapping[str, str], contacts: Mapping[str, Contact]
) -> ReferralBook:
    """Read ``referrals.yml`` and check its topics and contact ids.

    Raises:
        KnowledgeError: When the file is missing or invalid, or names an unknown topic/contact.
    """
    path = root / REFERRALS_FILE
    if not path.is_file():
        raise KnowledgeError(path, "找不到转介文件 referrals.yml")
    document = validate_document(read_yaml(path), ReferralsFile)
    for topic, referral in document.referrals.items():
        if topic not in topics:
            raise KnowledgeError(path, f"主题「{topic}」不在 topics.yml 中", field=topic)
        unknown = [c for c in referral.contacts if c not in contacts]
        if unknown:
            raise KnowledgeError(
                path, f"主题「{topic}」的联系电话 {unknown} 不在 contacts.yml 中", field=topic
            )
    return ReferralBook(document.referrals, topics, contacts)
