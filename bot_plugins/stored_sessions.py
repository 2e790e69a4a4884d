"""The latest session's stored events of recent conversations, as written (Rasa 3.6, Python 3.10).

Rasa reads a conversation back from the tracker store at the start of every turn and, to save
it, first counts the rows already stored. `StoredSessions` keeps, per conversation, the rows of
its latest session exactly as they were written (the masked JSON text), with the fingerprint of
the conversation's rows in the database: their number and the highest row id. A turn then asks
the database only for that fingerprint (one indexed aggregate); when it matches, nothing was
added or deleted by anyone else (another Rasa replica, the retention job) and the kept rows are
the stored ones. When it does not match, the store reads the rows as before.

The text is kept, not the parsed events: each turn still builds a fresh tracker from it, so no
turn can change what the next one reads. The database stays the record; the kept rows are a copy
of what was committed, bounded to `max_chars` characters of JSON in all (about as many bytes:
the text is ASCII-escaped JSON); the least recently used conversations go first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

# A conversation's rows in the events table: (how many, highest id); (0, 0) when none.
Fingerprint = tuple[int, int]


@dataclass(frozen=True)
class StoredSession:
    """The rows of a conversation's latest session (JSON text, in order) and its fingerprint."""

    fingerprint: Fingerprint
    rows: tuple[str, ...]

    @property
    def size(self) -> int:
        """Characters of JSON kept for this session."""
        return sum(map(len, self.rows))

    def extended(self, new_rows: list[str], last_id: int) -> StoredSession:
        """The same session after `new_rows` were stored, the last with id `last_id`."""
        count, _ = self.fingerprint
        return StoredSession((count + len(new_rows), last_id), self.rows + tuple(new_rows))


class StoredSessions:
    """The latest session of recently used conversations, up to `max_chars` of JSON in all."""

    def __init__(self, max_chars: int = 32_000_000) -> None:
        self._max_chars = max_chars
        self._chars = 0
        self._sessions: OrderedDict[str, StoredSession] = OrderedDict()

    def matching(self, sender_id: str, fingerprint: Fingerprint) -> StoredSession | None:
        """The kept session of `sender_id` if the database still holds exactly those rows."""
        session = self._sessions.get(sender_id)
        if session is None:
            return None
        if session.fingerprint != fingerprint:
            self.forget(sender_id)
            return None
        self._sessions.move_to_end(sender_id)
        return session

    def keep(self, sender_id: str, session: StoredSession) -> None:
        """Remember `session` as what the database holds for `sender_id`."""
        self.forget(sender_id)
        self._sessions[sender_id] = session
        self._chars += session.size
        while self._chars > self._max_chars and self._sessions:
            _, oldest = self._sessions.popitem(last=False)
            self._chars -= oldest.size

    def forget(self, sender_id: str) -> None:
        """Drop what is kept for `sender_id` (the next read goes to the database)."""
        dropped = self._sessions.pop(sender_id, None)
        if dropped is not None:
            self._chars -= dropped.size

    def __len__(self) -> int:
        return len(self._sessions)
