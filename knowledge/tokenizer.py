"""Chinese search terms: jieba segmentation through spaCy's blank Chinese pipeline.

The jieba user dictionary (``nlu_data/jieba/userdict.txt``) is shared with Rasa's JiebaTokenizer so
both segment domain terms (低保, 高龄津贴, 公益事业捐赠票据 …) the same way. jieba keeps its
dictionary in one process-wide object, so words are only ever added, never removed.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.gazetteer import EMPTY_GAZETTEER, EntryKind, Gazetteer
from knowledge.yamlfile import KnowledgeError

if TYPE_CHECKING:
    from spacy.language import Language

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_USER_DICTIONARY = PROJECT_ROOT / "nlu_data" / "jieba" / "userdict.txt"
STOPWORDS_FILE = "stopwords.txt"
# Frequency for gazetteer spellings missing from the user dictionary, so jieba keeps them whole.
_GAZETTEER_WORD_FREQUENCY = 5000
_CACHE_SIZE = 20_000
PLACE_TERM = "〈地名〉"
"""Extra term emitted for every place name, so 户口在萧山… matches 户口在余杭… on the pattern."""

_jieba_lock = threading.Lock()
_loaded_dictionaries: set[tuple[Path, int]] = set()


@lru_cache(maxsize=1)
def chinese_pipeline() -> Language:
    """Return the shared blank Chinese spaCy pipeline with the jieba segmenter (built once)."""
    import jieba
    import spacy

    jieba.setLogLevel(30)  # jieba logs its cache building at INFO on first use
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


def load_user_dictionary(path: Path = DEFAULT_USER_DICTIONARY) -> None:
    """Load a jieba user dictionary (``word freq pos`` per line) once per file version.

    Args:
        path: The dictionary file.

    Raises:
        KnowledgeError: When the file is missing or a line is malformed.
    """
    import jieba

    check_user_dictionary(path)
    key = (path.resolve(), path.stat().st_mtime_ns)
    with _jieba_lock:
        if key in _loaded_dictionaries:
            return
        chinese_pipeline()
        jieba.load_userdict(str(path))
        _loaded_dictionaries.add(key)


def check_user_dictionary(path: Path) -> list[str]:
    """Validate the jieba user dictionary format and return its words.

    Args:
        path: The dictionary file.

    Returns:
        The words, in file order.

    Raises:
        KnowledgeError: When the file is missing or a line is malformed.
    """
    if not path.is_file():
        raise KnowledgeError(path, "找不到 jieba 用户词典")
    words = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts or line.startswith("#"):
            continue
        if len(parts) > 3 or (len(parts) >= 2 and not parts[1].isdigit()):
            raise KnowledgeError(path, "格式应为“词语 词频 词性”，例如：低保 20000 n", line=number)
        words.append(parts[0])
    return words


def load_stopwords(root: Path) -> frozenset[str]:
    """Read ``stopwords.txt`` (one word a line, ``#`` starts a comment) from the knowledge folder.

    Args:
        root: The knowledge folder.

    Returns:
        The stop words (empty when the file is absent).
    """
    path = root / STOPWORDS_FILE
    if not path.is_file():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if (word := line.strip()) and not word.startswith("#"))


def normalise_text(text: str) -> str:
    """Fold full-width forms (NFKC) and case; Traditional→Simplified is the gateway's job."""
    return unicodedata.normalize("NFKC", text).lower()


class SearchTokenizer:
    """Turns a question or article text into BM25 terms.

    Steps: NFKC + lower case → jieba (via spaCy) → drop punctuation → map gazetteer aliases to
    their standard name → drop stop words → add :data:`PLACE_TERM` after place names → optionally
    add the words a long word is made of (jieba's best split of it without the whole word), so
    "高龄补贴" and "高龄津贴" share "高龄" without noise such as "州市" from "杭州市".
    """

    def __init__(
        self,
        *,
        stopwords: Iterable[str] = (),
        gazetteer: Gazetteer = EMPTY_GAZETTEER,
        expand_subwords: bool = True,
        user_dictionary: Path | None = DEFAULT_USER_DICTIONARY,
    ) -> None:
        """Prepare the tokenizer; loads the user dictionary and gazetteer words into jieba.

        Args:
            stopwords: Words ignored when searching.
            gazetteer: Place and service names with aliases.
            expand_subwords: Also emit dictionary words contained in longer words.
            user_dictionary: jieba user dictionary to load, or ``None`` to skip.
        """
        self._stopwords = frozenset(stopwords)
        self._gazetteer = gazetteer
        self._expand_subwords = expand_subwords
        if user_dictionary is not None:
            load_user_dictionary(user_dictionary)
        self._nlp = chinese_pipeline()
        self._add_gazetteer_words(gazetteer.terms)
        self._cache: dict[str, tuple[str, ...]] = {}

    def words(self, text: str) -> list[str]:
        """Segment text into words (punctuation and spaces removed, nothing else changed)."""
        return [
            token.text
            for token in self._nlp(normalise_text(text))
            if any(char.isalnum() for char in token.text)
        ]

    def terms(self, text: str) -> list[str]:
        """Return the search terms of a text, in order, duplicates kept."""
        cached = self._cache.get(text)
        if cached is None:
            if len(self._cache) >= _CACHE_SIZE:  # questions keep coming; keep memory bounded
                self._cache.clear()
            cached = self._cache[text] = tuple(self._terms(text))
        return list(cached)

    def _terms(self, text: str) -> list[str]:
        terms: list[str] = []
        for word in self.words(text):
            term = self._gazetteer.normalise(word)
            if term in self._stopwords:
                continue
            terms.append(term)
            if self._gazetteer.kind_of(term) == "place":
                terms.append(PLACE_TERM)
            if self._expand_subwords:
                terms.extend(self._normalised_parts(term))
        return terms

    def _normalised_parts(self, word: str) -> list[str]:
        # A part may be an alias of the whole word (冷静期 → 离婚冷静期): do not count it twice.
        return [
            normalised
            for part in self.parts(word)
            if (normalised := self._gazetteer.normalise(part)) != word
        ]

    @staticmethod
    def is_dictionary_word(word: str) -> bool:
        """Whether jieba's dictionary (with the user dictionary) knows a word."""
        import jieba

        return bool(jieba.get_FREQ(word))

    def expand(self, words: Iterable[str]) -> list[str]:
        """Turn extra words (e.g. typo repairs) into terms the same way :meth:`terms` does."""
        terms: list[str] = []
        for word in words:
            terms.append(word)
            if self._expand_subwords:
                terms.extend(self._normalised_parts(word))
        return terms

    def mentions(self, text: str) -> list[tuple[str, EntryKind]]:
        """Return place and service names mentioned in a text, first mention first."""
        found: dict[str, EntryKind] = {}
        for word in self.words(text):
            name = self._gazetteer.normalise(word)
            kind = self._gazetteer.kind_of(name)
            if kind in ("place", "service"):
                found.setdefault(name, kind)
        return list(found.items())

    def parts(self, word: str) -> list[str]:
        """Return the multi-character words a long word splits into (``[]`` when it does not).

        Args:
            word: A word of three or more characters, e.g. ``公益事业捐赠票据``.

        Returns:
            jieba's best split of the word when the word itself is not allowed, keeping parts of
            two or more characters that are not stop words, e.g. ``[公益事业, 捐赠, 票据]``.
        """
        import jieba

        length = len(word)
        if length < 3:
            return []
        dag = jieba.dt.get_DAG(word)
        dag[0] = [end for end in dag[0] if end != length - 1] or [0]
        route: dict[int, tuple[float, int]] = {}
        jieba.dt.calc(word, dag, route)
        parts, start = [], 0
        while start < length:
            end = route[start][1] + 1
            part = word[start:end]
            if len(part) > 1 and part not in self._stopwords:
                parts.append(part)
            start = end
        return parts

    @staticmethod
    def _add_gazetteer_words(terms: Iterable[str]) -> None:
        import jieba

        with _jieba_lock:
            for term in terms:
                if not jieba.get_FREQ(term):
                    jieba.add_word(term, freq=_GAZETTEER_WORD_FREQUENCY)
