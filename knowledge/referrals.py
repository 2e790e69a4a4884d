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


class WordPair(BaseModel):
    """Two lists of words: one word of each in a message (anywhere) points to the topic.

    "楼盘" or "名字" alone says nothing; "楼盘……名字" is a question about a place name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    first: tuple[NonEmptyText, ...] = Field(min_length=1)
    second: tuple[NonEmptyText, ...] = Field(min_length=1)

    def found_in(self, text: str) -> str | None:
        """The pair as one word ("楼盘+名字") when the text has a word of each list."""
        first = next((word for word in self.first if word in text), None)
        second = next((word for word in self.second if word in text), None)
        return f"{first}+{second}" if first and second else None


class Referral(BaseModel):
    """One topic's office, contact lines and the words that point to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    office: NonEmptyText
    contacts: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[NonEmptyText, ...] = Field(min_length=1)
    # Words that point to the topic only together (a place + its name).
    word_pairs: tuple[WordPair, ...] = ()
    # A catch-all topic (the bureau as a whole): named only when no specific topic's words appear.
    general: bool = False

    def words_in(self, text: str) -> list[str]:
        """The topic's words the text uses: keywords first, then each pair found, as one word."""
        pairs = [found for pair in self.word_pairs if (found := pair.found_in(text))]
        return [word for word in self.keywords if word in text] + pairs


class OtherAgency(BaseModel):
    """Another department's business: the words that name it and where a citizen goes instead."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    office: NonEmptyText
    contacts: tuple[str, ...] = Field(min_length=1)
    keywords: tuple[NonEmptyText, ...] = Field(min_length=1)


class ReferralsFile(BaseModel):
    """Content of ``referrals.yml``: topic code → referral; other departments' business."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    referrals: dict[str, Referral] = Field(min_length=1)
    other_agencies: dict[str, OtherAgency] = Field(default_factory=dict)
    # Words of either side that name a situation many departments deal with (离婚, 养老, 去世,
    # 户口 …): a tie goes to a department that names its own business when all of the topic's
    # words are shared ones.
    shared_words: frozenset[NonEmptyText] = frozenset()
    # Words that say a benefit is meant but not which one (补贴, 补助 …): a message with only
    # these is asked which benefit, not referred to an office or told 没太明白.
    vague_words: frozenset[NonEmptyText] = frozenset()


class TopicReferral(BaseModel):
    """A referral resolved for one message: topic name, office and the contact lines."""

    model_config = ConfigDict(frozen=True)

    topic: str
    topic_name: str
    office: str
    contacts: tuple[Contact, ...]

    def contact_line(self) -> str:
        """The numbers as a citizen reads them; unverified ones say so."""
        return contact_line(self.contacts)


class AgencyPointer(BaseModel):
    """Another department named by a message: its office and the lines to call."""

    model_config = ConfigDict(frozen=True)

    agency: str
    office: str
    contacts: tuple[Contact, ...]

    def contact_line(self) -> str:
        """The numbers as a citizen reads them (as for a referral)."""
        return contact_line(self.contacts)


def contact_line(contacts: tuple[Contact, ...]) -> str:
    """Contact lines as a citizen reads them; unverified ones say so."""
    return "；".join(
        f"{c.name} {c.number}" + ("（示例，待核实）" if c.sample else "") for c in contacts
    )


class ReferralBook:
    """The referrals of every topic, checked against the topics and the contact list."""

    def __init__(
        self,
        referrals: Mapping[str, Referral],
        topics: Mapping[str, str],
        contacts: Mapping[str, Contact],
        other_agencies: Mapping[str, OtherAgency] | None = None,
        shared_words: frozenset[str] = frozenset(),
        vague_words: frozenset[str] = frozenset(),
    ) -> None:
        """Keep the referrals; ``load_referrals`` checks that topics and contacts exist."""
        self._referrals = dict(referrals)
        self._topics = dict(topics)
        self._contacts = dict(contacts)
        self._other_agencies = dict(other_agencies or {})
        self._shared_words = shared_words
        self._vague_words = vague_words

    def for_text(self, text: str) -> TopicReferral | None:
        """The topic whose words the message uses most (a keyword, then the longest, breaks a tie).

        A general topic (``general: true``) is named only when no specific topic fits; a topic
        found only by a word pair yields to one with as many words that has a keyword.
        """
        scored = [
            (
                (
                    not referral.general,
                    len(hits),
                    hits[0] in referral.keywords,
                    max(map(len, hits)),
                ),
                topic,
            )
            for topic, referral in self._referrals.items()
            if (hits := referral.words_in(text))
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

    def vague_words_in(self, text: str) -> tuple[str, ...]:
        """The words of `text` that mean some benefit without saying which (补贴, 补助 …)."""
        return tuple(sorted(word for word in self._vague_words if word in text))

    def other_agency_for(self, text: str) -> AgencyPointer | None:
        """The other department a message is about, if it names that one's business more.

        A department's words (养老保险, 工伤, 落户 …) count against the words of the specific
        civil-affairs topics (the general one never counts): the department with the most words
        wins when it has more than the best topic. A tie stays with civil affairs unless all of
        the topic's words are shared ones (离婚, 养老, 去世, 户口 …: ``shared_words``, situations
        many departments deal with) and the department names its own business: so
        "离婚后孩子的抚养费给多少" goes to the court, while "退休人员能申请低保吗" is still a
        question about 低保.
        A word inside a longer matched word of the other side, or of the same topic, is not
        counted ("养老" in "养老保险", "医保" in "医保报完", "救助" in "大病救助": one mention,
        one word).
        """
        civil = {
            topic: referral.words_in(text)
            for topic, referral in self._referrals.items()
            if not referral.general
        }
        civil_words = [word for words in civil.values() for word in words]
        theirs = {
            agency: [w for w in other.keywords if w in text and not _inside(w, civil_words)]
            for agency, other in self._other_agencies.items()
        }
        most, agency = max(((len(w), a) for a, w in theirs.items()), default=(0, ""))
        if not most:
            return None
        outside = [
            [w for w in words if not _inside(w, theirs[agency]) and not _inside(w, words)]
            for words in civil.values()
        ]
        ours = max(map(len, outside), default=0)
        if most < ours:
            return None
        if most == ours:
            ours_only_shared = not any(
                self._names_own_business(words) for words in outside if len(words) == ours
            )
            if not (ours_only_shared and self._names_own_business(theirs[agency])):
                return None
        other = self._other_agencies[agency]
        return AgencyPointer(
            agency=agency,
            office=other.office,
            contacts=tuple(self._contacts[c] for c in other.contacts),
        )

    def _names_own_business(self, words: list[str]) -> bool:
        """Whether one of the words names a side's own business (it is not a shared word)."""
        return any(word not in self._shared_words for word in words)


def _inside(word: str, longer_words: list[str]) -> bool:
    """Whether `word` is part of one of the (matched) longer words."""
    return any(word != longer and word in longer for longer in longer_words)


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
    for topic in document.referrals:
        if topic not in topics:
            raise KnowledgeError(path, f"主题「{topic}」不在 topics.yml 中", field=topic)
    named = [("主题", name, entry.contacts) for name, entry in document.referrals.items()]
    named += [("其他部门", name, entry.contacts) for name, entry in document.other_agencies.items()]
    for kind, name, ids in named:
        unknown = [c for c in ids if c not in contacts]
        if unknown:
            raise KnowledgeError(
                path, f"{kind}「{name}」的联系电话 {unknown} 不在 contacts.yml 中", field=name
            )
    entries: list[Referral | OtherAgency] = [*document.referrals.values()]
    entries += document.other_agencies.values()
    known = {word for entry in entries for word in entry.keywords}
    unknown_shared = sorted(document.shared_words - known)
    if unknown_shared:
        message = f"shared_words 里的 {unknown_shared} 不是任何主题或部门的关键词"
        raise KnowledgeError(path, message, field="shared_words")
    keyword_too = sorted(document.vague_words & known)
    if keyword_too:
        message = f"vague_words 里的 {keyword_too} 同时是主题或部门的关键词，只能留在一处"
        raise KnowledgeError(path, message, field="vague_words")
    return ReferralBook(
        document.referrals,
        topics,
        contacts,
        document.other_agencies,
        frozenset(document.shared_words),
        frozenset(document.vague_words),
    )
