"""Typo repair for pinyin-input mistakes: 低宝 → 低保, 结昏证 → 结婚证, 冷净期 → 冷静期.

Most Chinese typos are homophones picked from the input method's list. When a question contains a
character the knowledge base never uses, or falls apart into single characters, the stretches of
short words there are compared, by toneless pinyin, with the words the knowledge base does use;
matches are added as extra terms.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol

_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_TONE = re.compile(r"\d")
_MAX_WORD = 5


class _PinyinFunction(Protocol):
    def __call__(self, text: str, formater: str = ...) -> list[str]: ...


@lru_cache(maxsize=1)
def _pinyin_function() -> _PinyinFunction:
    # jionlp prints a banner on import; keep stdout clean for command-line tools.
    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp

    function: _PinyinFunction = jionlp.pinyin
    return function


@lru_cache(maxsize=16384)
def pinyin_key(text: str) -> tuple[str, ...]:
    """Return the toneless pinyin syllables of a Chinese text, e.g. 低保 → ("di", "bao")."""
    syllables = _pinyin_function()(text, formater="simple")
    return tuple(_TONE.sub("", syllable) for syllable in syllables)


class HomophoneRepair:
    """Suggests knowledge-base words for misspelt stretches of a question."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        """Index the knowledge base's words by pinyin.

        Args:
            vocabulary: Words used by the articles (only 2–5 Chinese characters are kept).
        """
        words = {word for word in vocabulary if _CJK.match(word) and 2 <= len(word) <= _MAX_WORD}
        self._known_characters = frozenset("".join(words))
        self._by_sound: dict[tuple[str, ...], set[str]] = {}
        for word in words:
            self._by_sound.setdefault(pinyin_key(word), set()).add(word)
        self._words = frozenset(words)

    def repairs(self, words: list[str], is_dictionary_word: _IsWord) -> list[str]:
        """Return knowledge-base words that the question probably meant to write.

        Args:
            words: The question's words in order (as segmented).
            is_dictionary_word: Whether jieba knows a word (unknown words are typo candidates).

        Returns:
            Words to add to the query terms (possibly empty).
        """
        found: list[str] = []
        for stretch in self._suspect_stretches(words, is_dictionary_word):
            for size in range(2, min(_MAX_WORD, len(stretch)) + 1):
                for start in range(len(stretch) - size + 1):
                    window = stretch[start : start + size]
                    if window in self._words:
                        continue
                    for word in sorted(self._by_sound.get(pinyin_key(window), ())):
                        if word not in found:
                            found.append(word)
        return found

    def _suspect_stretches(self, words: list[str], is_dictionary_word: _IsWord) -> list[str]:
        # Typos break segmentation: the misspelt word falls apart into single characters or into
        # a word jieba invented (HMM). Runs of such pieces holding an unseen character, or two or
        # more single characters in a row, are suspect.
        stretches: list[str] = []
        run: list[str] = []
        for word in [*words, ""]:
            suspect = bool(_CJK.match(word)) and (len(word) == 1 or not is_dictionary_word(word))
            if suspect:
                run.append(word)
                continue
            joined = "".join(run)
            unseen = any(c not in self._known_characters for c in joined)
            # Two or more characters jieba could not make a known word of: 低 + 宝, or 低宝.
            if run and (unseen or len(joined) >= 2) and joined not in self._words:
                stretches.append(joined)
            run = []
        return stretches


class _IsWord(Protocol):
    def __call__(self, word: str) -> bool: ...
