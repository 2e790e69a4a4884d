"""KnowledgeStore: the current knowledge base + index, reloaded when editors change files.

Nothing happens at import time. The first search loads the folder; afterwards every search checks
at most once per ``poll_interval`` seconds whether a file's modification time or size changed, and
reloads if so. An invalid change is refused: the previous version keeps serving and the problem is
kept in :attr:`KnowledgeStore.last_error` until a later change fixes it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from knowledge.gazetteer import load_gazetteer
from knowledge.loader import KnowledgeBase, scan_knowledge_base
from knowledge.referrals import AgencyPointer, ReferralBook, TopicReferral
from knowledge.schema import Article
from knowledge.search import KnowledgeIndex
from knowledge.search_results import SearchResult
from knowledge.search_settings import SearchSettings, load_search_settings
from knowledge.tokenizer import DEFAULT_USER_DICTIONARY, SearchTokenizer, load_stopwords
from knowledge.yamlfile import KnowledgeError

logger = logging.getLogger(__name__)

WATCHED_SUFFIXES = frozenset({".yml", ".yaml", ".txt"})
Fingerprint = tuple[tuple[str, int, int], ...]


class ReloadStatus(BaseModel):
    """State of the store after a (re)load attempt, for the reload endpoint and the preview page.

    Attributes:
        ok: The last attempt succeeded (or nothing had changed).
        changed: A new version was loaded by this call.
        version: Version now serving ("" when nothing could be loaded yet).
        article_count: Articles in the serving version.
        loaded_at: When the serving version was loaded (UTC).
        error: The first problem of the last refused change, ``None`` when all is well.
        errors: Every problem of the last refused change, one line each.
    """

    ok: bool
    changed: bool
    version: str
    article_count: int
    loaded_at: datetime | None
    error: str | None
    errors: list[str]


@dataclass(frozen=True)
class _Snapshot:
    index: KnowledgeIndex
    fingerprint: Fingerprint
    loaded_at: datetime

    @property
    def knowledge_base(self) -> KnowledgeBase:
        return self.index.knowledge_base


def build_index_for(
    knowledge_base: KnowledgeBase,
    *,
    user_dictionary: Path | None = DEFAULT_USER_DICTIONARY,
    version: str = "",
) -> KnowledgeIndex:
    """Index a knowledge base with the search settings, gazetteer and stop words of its folder.

    Args:
        knowledge_base: The loaded articles.
        user_dictionary: jieba user dictionary (``None`` to skip loading it).
        version: Label copied into search results.

    Returns:
        The index.

    Raises:
        KnowledgeError: When ``search.yml``, ``gazetteer.yml`` or the dictionary is invalid.
    """
    root = knowledge_base.root
    settings = load_search_settings(root)
    tokenizer = SearchTokenizer(
        stopwords=load_stopwords(root),
        gazetteer=load_gazetteer(root),
        expand_subwords=settings.expand_subwords,
        user_dictionary=user_dictionary,
    )
    return KnowledgeIndex(knowledge_base, tokenizer=tokenizer, settings=settings, version=version)


class KnowledgeStore:
    """Serves searches from the newest valid version of a knowledge folder."""

    def __init__(
        self,
        root: Path | str,
        *,
        poll_interval: float = 1.0,
        user_dictionary: Path | None = DEFAULT_USER_DICTIONARY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Remember where to load from; nothing is read until the first use.

        Args:
            root: The knowledge folder.
            poll_interval: Minimum seconds between two checks for changed files.
            user_dictionary: jieba user dictionary, also watched for changes.
            clock: Monotonic clock (replaceable in tests).
        """
        self.root = Path(root)
        self.poll_interval = poll_interval
        self.user_dictionary = user_dictionary
        self._clock = clock
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        self._last_check = float("-inf")
        self._errors: list[str] = []
        self._rejected_fingerprint: Fingerprint | None = None
        self._watcher: threading.Thread | None = None
        self._stop_watching = threading.Event()

    # -- queries ---------------------------------------------------------------------------
    def search(self, question: str, *, limit: int = 5) -> SearchResult:
        """Search the current version (reloading first if files changed).

        Args:
            question: The citizen's question, already normalised by the gateway.
            limit: How many ranked matches to include.

        Returns:
            The search result; decision ``none`` when no version could be loaded at all.
        """
        snapshot = self._current()
        if snapshot is None:
            return SearchResult(query=question, terms=[], decision="none")
        return snapshot.index.search(question, limit=limit)

    def referral_for(self, text: str) -> TopicReferral | None:
        """The office and lines for a civil-affairs question without an answer, if any."""
        referrals = self._referrals()
        return referrals.for_text(text) if referrals else None

    def vague_words_in(self, text: str) -> tuple[str, ...]:
        """The words that mean some benefit without saying which (补贴, 补助 …), if any."""
        referrals = self._referrals()
        return referrals.vague_words_in(text) if referrals else ()

    def other_agency_for(self, text: str) -> AgencyPointer | None:
        """The other department a question is about (社保, 户口, 个税 …), if it is not ours."""
        referrals = self._referrals()
        return referrals.other_agency_for(text) if referrals else None

    def _referrals(self) -> ReferralBook | None:
        snapshot = self._current()
        return snapshot.knowledge_base.referrals if snapshot else None

    def get_article(self, article_id: str) -> Article | None:
        """Return an article of the current version by id (for suggestion buttons)."""
        snapshot = self._current()
        return snapshot.knowledge_base.get(article_id) if snapshot else None

    @property
    def knowledge_base(self) -> KnowledgeBase | None:
        """The version now serving, or ``None`` if nothing valid was ever loaded."""
        snapshot = self._current()
        return snapshot.knowledge_base if snapshot else None

    @property
    def version(self) -> str:
        """Version label now serving ("" when nothing is loaded)."""
        snapshot = self._current()
        return snapshot.index.version if snapshot else ""

    @property
    def settings(self) -> SearchSettings | None:
        """Search settings of the version now serving."""
        snapshot = self._current()
        return snapshot.index.settings if snapshot else None

    @property
    def last_error(self) -> str | None:
        """First problem of the last refused change, or ``None``."""
        return self._errors[0] if self._errors else None

    def status(self) -> ReloadStatus:
        """Return the current state without reloading."""
        return self._status(changed=False)

    # -- reloading -------------------------------------------------------------------------
    def reload(self) -> ReloadStatus:
        """Reload now, even if no file seems to have changed (for the authenticated endpoint).

        Returns:
            The state after the attempt.
        """
        with self._lock:
            self._last_check = self._clock()
            return self._load(self._fingerprint())

    def refresh_if_due(self) -> bool:
        """Reload if the poll interval has passed and files changed.

        Returns:
            True when a new version was loaded.
        """
        now = self._clock()
        if now - self._last_check < self.poll_interval:
            return False
        with self._lock:
            if now - self._last_check < self.poll_interval:
                return False
            self._last_check = now
            fingerprint = self._fingerprint()
            current = self._snapshot.fingerprint if self._snapshot else None
            if fingerprint in (current, self._rejected_fingerprint):
                return False
            return self._load(fingerprint).changed

    def start_watching(self) -> None:
        """Check for changes in a daemon thread every ``poll_interval`` seconds."""
        with self._lock:
            if self._watcher is not None and self._watcher.is_alive():
                return
            self._stop_watching.clear()
            self._watcher = threading.Thread(
                target=self._watch, name="knowledge-watcher", daemon=True
            )
            self._watcher.start()

    def stop_watching(self) -> None:
        """Stop the watcher thread, if running."""
        self._stop_watching.set()
        watcher = self._watcher
        if watcher is not None:
            watcher.join(timeout=5)
        self._watcher = None

    # -- internals -------------------------------------------------------------------------
    def _current(self) -> _Snapshot | None:
        if self._snapshot is None and self._rejected_fingerprint is None:
            with self._lock:
                if self._snapshot is None and self._rejected_fingerprint is None:
                    self._last_check = self._clock()
                    self._load(self._fingerprint())
        else:
            self.refresh_if_due()
        return self._snapshot

    def _watch(self) -> None:
        while not self._stop_watching.wait(self.poll_interval):
            try:
                self.refresh_if_due()
            except Exception:  # the watcher must survive anything an editor does
                logger.exception("knowledge watcher failed")

    def _load(self, fingerprint: Fingerprint) -> ReloadStatus:
        version = self._content_version(fingerprint)
        index: KnowledgeIndex | None = None
        try:
            report = scan_knowledge_base(self.root)
            problems = list(report.errors)
            if not problems:
                index = build_index_for(
                    report.knowledge_base, user_dictionary=self.user_dictionary, version=version
                )
        except KnowledgeError as error:
            problems = [error]
        if index is None:
            self._errors = [problem.describe(self.root.parent) for problem in problems]
            self._rejected_fingerprint = fingerprint
            logger.warning(
                "knowledge change refused, still serving %s: %s", self._serving(), self._errors[0]
            )
            return self._status(changed=False, ok=False)
        self._snapshot = _Snapshot(
            index=index, fingerprint=fingerprint, loaded_at=datetime.now(UTC)
        )
        self._errors = []
        self._rejected_fingerprint = None
        logger.info("knowledge version %s loaded (%d articles)", version, len(index.knowledge_base))
        return self._status(changed=True)

    def _serving(self) -> str:
        return self._snapshot.index.version if self._snapshot else "nothing"

    def _status(self, *, changed: bool, ok: bool | None = None) -> ReloadStatus:
        snapshot = self._snapshot
        return ReloadStatus(
            ok=not self._errors if ok is None else ok,
            changed=changed,
            version=snapshot.index.version if snapshot else "",
            article_count=len(snapshot.knowledge_base) if snapshot else 0,
            loaded_at=snapshot.loaded_at if snapshot else None,
            error=self.last_error,
            errors=list(self._errors),
        )

    def _watched_files(self) -> list[Path]:
        files = [
            path
            for path in self.root.rglob("*")
            if path.suffix in WATCHED_SUFFIXES
            and path.is_file()
            and not any(part.startswith(".") for part in path.relative_to(self.root).parts)
        ]
        if self.user_dictionary is not None and self.user_dictionary.is_file():
            files.append(self.user_dictionary)
        return sorted(files)

    def _fingerprint(self) -> Fingerprint:
        entries = []
        for path in self._watched_files():
            try:
                stat = path.stat()
            except FileNotFoundError:  # deleted between listing and stat
                continue
            entries.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(entries)

    @staticmethod
    def _content_version(fingerprint: Fingerprint) -> str:
        digest = hashlib.sha256()
        for name, _, _ in fingerprint:
            digest.update(name.encode())
            try:
                digest.update(Path(name).read_bytes())
            except FileNotFoundError:
                continue
        return digest.hexdigest()[:12]


_stores: dict[Path, KnowledgeStore] = {}
_stores_lock = threading.Lock()


def get_store(root: Path | str | None = None) -> KnowledgeStore:
    """Return the process-wide store for a knowledge folder (created on first call).

    Args:
        root: The knowledge folder; defaults to ``Settings.knowledge_dir``.

    Returns:
        The shared store (it loads lazily on first search).
    """
    if root is None:
        from core.settings import get_settings

        root = get_settings().knowledge_dir
    key = Path(root).resolve()
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = KnowledgeStore(key)
        return store
