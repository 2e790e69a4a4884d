"""BM25 indexes over the articles, and the terms a question is turned into for each signal.

A ``FieldIndex`` scores one kind of document (several may belong to one article) and knows the
score a perfect match would get, which turns a total into a confidence between 0 and 1.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rank_bm25 import BM25Okapi

from knowledge.tokenizer import normalise_text

_CJK_CHARACTER = re.compile(r"[\u4e00-\u9fff]")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class FieldIndex:
    """BM25 over one kind of document; several documents may belong to one article.

    Attributes:
        bm25: The BM25 model (``None`` when there are no documents).
        owners: Document position → article position.
        rare_idf: idf given to terms never seen (the highest idf of the index).
    """

    bm25: BM25Okapi | None
    owners: tuple[int, ...]
    rare_idf: float

    @classmethod
    def build(
        cls, documents: Sequence[tuple[int, list[str]]], *, k1: float, b: float
    ) -> FieldIndex:
        """Index tokenised documents, each tagged with the position of its article.

        Args:
            documents: ``(article position, terms)`` pairs.
            k1: BM25 term-frequency saturation.
            b: BM25 length normalisation.

        Returns:
            The index.
        """
        if not documents:
            return cls(bm25=None, owners=(), rare_idf=0.0)
        # rank_bm25 cannot index an empty document; a placeholder term keeps positions aligned.
        corpus = [terms or ["\u0000"] for _, terms in documents]
        bm25 = BM25Okapi(corpus, k1=k1, b=b)
        rare_idf = max(bm25.idf.values()) if bm25.idf else 0.0
        return cls(bm25=bm25, owners=tuple(owner for owner, _ in documents), rare_idf=rare_idf)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every term of the index."""
        return frozenset(self.bm25.idf) if self.bm25 is not None else frozenset()

    def article_scores(self, terms: Sequence[str], article_count: int) -> list[float]:
        """Return each article's best document score for the terms."""
        scores = [0.0] * article_count
        if self.bm25 is None or not terms:
            return scores
        for document, value in enumerate(self.bm25.get_scores(list(terms))):
            owner = self.owners[document]
            scores[owner] = max(scores[owner], float(value))
        return scores

    def perfect_score(
        self, terms: Sequence[str], *, occurrences: int = 1, unseen_weight: float = 1.0
    ) -> float:
        """Score of an average-length document holding each term ``occurrences`` times.

        Args:
            terms: The query terms.
            occurrences: How often a perfectly matching document holds each term (an article
                document repeats its title and questions, so a perfect match holds a word once
                per repeat of the title and of one question).
            unseen_weight: Share of the highest idf counted for a term the index has never seen.

        Returns:
            The score a perfect match would get.
        """
        if self.bm25 is None:
            return 0.0
        idf: dict[str, float] = self.bm25.idf
        k1 = float(self.bm25.k1)
        saturation = (k1 + 1) * occurrences / (occurrences + k1)
        unseen = self.rare_idf * unseen_weight
        return saturation * sum(max(idf.get(term, unseen), 0.0) for term in terms)


def question_key(text: str) -> str:
    """Return a question without punctuation, spaces or case, for exact comparison."""
    return _NOT_WORD.sub("", normalise_text(text))


def character_terms(text: str) -> list[str]:
    """Return the Chinese characters of a text and every pair of neighbouring ones."""
    characters = _CJK_CHARACTER.findall(normalise_text(text))
    pairs = [first + second for first, second in itertools.pairwise(characters)]
    return characters + pairs


@dataclass(frozen=True)
class Query:
    """A question turned into the terms each signal needs.

    Attributes:
        words: Word terms (segmentation, aliases, stop words, parts, typo repairs).
        characters: Character terms (characters and pairs, typo repairs included).
    """

    words: list[str]
    characters: list[str]

    def terms_for(self, signal: str) -> list[str]:
        """Return the terms a signal scores."""
        return self.characters if signal == "characters" else self.words
