"""BM25 search over the knowledge base, with a stable answer / suggest / none decision.

Three ``rank_bm25`` scores are added up for each article (weights in ``search.yml``):

* ``article``: the question's words against one document per article, made of the title, the
  example questions and the answer, each repeated as configured (title and questions count more);
* ``best_question``: the words against the single most similar example question;
* ``characters``: single characters and character pairs against the title and example questions,
  which catches words that jieba cut differently in the question and in the article.

To decide, the total is divided by the total a perfect match would get for the same question
(every query term present once, in a document of average length). This confidence lies between
0 and 1 whatever the length of the question. Terms the knowledge base has never seen count as rare
terms, so "明天杭州会下雨吗" gets a low confidence although 杭州 matches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from knowledge.bm25_index import FieldIndex, Query, character_terms, question_key
from knowledge.homophones import HomophoneRepair
from knowledge.loader import KnowledgeBase
from knowledge.schema import Article
from knowledge.search_results import Decision, Match, SearchResult
from knowledge.search_settings import SearchSettings, Thresholds
from knowledge.tokenizer import PLACE_TERM, SearchTokenizer

SIGNALS = ("article", "best_question", "characters")


class KnowledgeIndex:
    """A searchable snapshot of one KnowledgeBase (immutable; rebuild on change)."""

    def __init__(
        self,
        knowledge_base: KnowledgeBase,
        *,
        tokenizer: SearchTokenizer,
        settings: SearchSettings | None = None,
        version: str = "",
    ) -> None:
        """Tokenise every article and build the BM25 indexes.

        Args:
            knowledge_base: The articles to search.
            tokenizer: Turns text into search terms.
            settings: Weights and thresholds (defaults when omitted).
            version: Label of this knowledge version, copied into results.
        """
        self.knowledge_base = knowledge_base
        self.tokenizer = tokenizer
        self.settings = settings or SearchSettings()
        self.version = version
        self._articles = knowledge_base.articles
        self._indexes = self.build_indexes(self._articles)
        self._related = frozenset(
            pair
            for article in self._articles
            for other in article.related
            for pair in ((article.id, other), (other, article.id))
        )
        self._exact = {
            question_key(question): position
            for position, article in enumerate(self._articles)
            for question in article.questions
        }
        self._repair: HomophoneRepair | None = None
        if self.settings.repair_typos and self._articles:
            self._repair = HomophoneRepair(self._indexes["article"].vocabulary)

    @property
    def articles(self) -> tuple[Article, ...]:
        """The indexed articles, in index order."""
        return self._articles

    def build_indexes(self, articles: Sequence[Article]) -> dict[str, FieldIndex]:
        """Build one BM25 index per signal for these articles (used again by calibration).

        Args:
            articles: The articles, in the order scores are reported.

        Returns:
            Signal name → index.
        """
        repeats = self.settings.document
        words: Callable[[str], list[str]] = self.tokenizer.terms

        def assemble(article: Article, split: Callable[[str], list[str]]) -> list[str]:
            terms = split(article.title) * repeats.title
            for question in article.questions:
                terms += split(question) * repeats.questions
            return terms

        def build(documents: Sequence[tuple[int, list[str]]]) -> FieldIndex:
            return FieldIndex.build(documents, k1=self.settings.k1, b=self.settings.b)

        def answer_words(text: str) -> list[str]:
            # Answers list many places (e.g. all districts); only questions carry the pattern.
            return [term for term in words(text) if term != PLACE_TERM]

        return {
            "article": build(
                [
                    (i, assemble(a, words) + answer_words(a.answer) * repeats.answer)
                    for i, a in enumerate(articles)
                ]
            ),
            "best_question": build(
                [(i, words(q)) for i, a in enumerate(articles) for q in a.questions]
            ),
            "characters": build(
                [(i, assemble(a, character_terms)) for i, a in enumerate(articles)]
            ),
        }

    def search(self, question: str, *, limit: int = 5, exact: bool = True) -> SearchResult:
        """Rank the articles for a question and decide what to do with the result.

        Args:
            question: The citizen's question (already normalised by the gateway).
            limit: How many ranked matches to return in ``matches``.
            exact: Answer an article directly when the question is one of its example questions
                (editors add a question to an article to get exactly that answer).

        Returns:
            The ranked matches and the decision.
        """
        query = self.query(question)
        mentions = self.tokenizer.mentions(question)
        ranked = self._rank(query)
        best = ranked[0].confidence if ranked else 0.0
        second = self._runner_up(ranked)
        decision, margin = decide(best, second, self.settings.thresholds)
        owner = self._exact.get(question_key(question)) if exact else None
        if owner is not None:
            owner_id = self._articles[owner].id
            ranked.sort(key=lambda match: match.article_id != owner_id)  # stable: owner first
            decision = "answer" if ranked and ranked[0].article_id == owner_id else decision
        ranked = ranked[: max(limit, self.settings.max_suggestions)]
        suggestions: list[Match] = []
        if decision == "suggest":
            floor = best * self.settings.thresholds.suggestion_min_ratio
            suggestions = [
                m for m in ranked[: self.settings.max_suggestions] if m.confidence >= floor
            ]
        return SearchResult(
            query=question,
            terms=query.words,
            decision=decision,
            answer=ranked[0] if decision == "answer" else None,
            suggestions=suggestions,
            matches=ranked[:limit],
            margin=round(margin, 4),
            places=[name for name, kind in mentions if kind == "place"],
            services=[name for name, kind in mentions if kind == "service"],
            exact_question=owner is not None and decision == "answer",
            knowledge_version=self.version,
        )

    def related(self, first: str, second: str) -> bool:
        """Whether editors linked two articles (``related`` in either of them)."""
        return (first, second) in self._related

    def _runner_up(self, ranked: Sequence[Match]) -> float:
        # An article the editors linked to the best one (cooling-off period / how its days are
        # counted) complements it rather than competing with it: the margin is taken against
        # the best article that is not linked.
        if not ranked:
            return 0.0
        first = ranked[0].article_id
        for match in ranked[1:]:
            if not self.related(first, match.article_id):
                return match.confidence
        return 0.0

    def query(self, question: str) -> Query:
        """Turn a question into search terms, typo repairs included."""
        words = self.tokenizer.terms(question)
        characters = character_terms(question)
        if self._repair is not None:
            repairs = self._repair.repairs(
                self.tokenizer.words(question), self.tokenizer.is_dictionary_word
            )
            words += self.tokenizer.expand(repairs)
            for repair in repairs:
                characters += character_terms(repair)
        return Query(words=words, characters=characters)

    def signal_scores(
        self, query: Query, indexes: dict[str, FieldIndex] | None = None
    ) -> dict[str, list[float]]:
        """Return the unweighted score of every article, per signal (article order)."""
        count = len(self._articles)
        indexes = indexes or self._indexes
        return {
            name: index.article_scores(query.terms_for(name), count)
            for name, index in indexes.items()
        }

    def perfect_scores(
        self, query: Query, indexes: dict[str, FieldIndex] | None = None
    ) -> dict[str, float]:
        """Return, per signal, the score a perfect match for this query would get."""
        indexes = indexes or self._indexes
        repeats = self.settings.document
        in_article = max(repeats.title + repeats.questions, 1)
        occurrences = {"article": in_article, "best_question": 1, "characters": in_article}
        return {
            name: index.perfect_score(
                query.terms_for(name),
                occurrences=occurrences[name],
                unseen_weight=self.settings.unseen_term_weight,
            )
            for name, index in indexes.items()
        }

    def _rank(self, query: Query) -> list[Match]:
        if not query.words and not query.characters:
            return []
        if not self._articles:
            return []
        weights = self.settings.weights.model_dump()
        scores = self.signal_scores(query)
        perfect_by_signal = self.perfect_scores(query)
        perfect = sum(weights[name] * perfect_by_signal[name] for name in SIGNALS)
        matches = []
        for position, article in enumerate(self._articles):
            total = sum(weights[name] * scores[name][position] for name in SIGNALS)
            if total <= 0:
                continue
            matches.append(
                Match(
                    article_id=article.id,
                    title=article.title,
                    topic=article.topic,
                    topic_name=self.knowledge_base.topics.get(article.topic, article.topic),
                    score=round(total, 4),
                    confidence=round(min(total / perfect, 1.0) if perfect > 0 else 0.0, 4),
                    signal_scores={name: round(scores[name][position], 4) for name in SIGNALS},
                    article=article,
                )
            )
        matches.sort(key=lambda match: (-match.score, match.article_id))
        return matches


def decide(best: float, second: float, thresholds: Thresholds) -> tuple[Decision, float]:
    """Choose answer / suggest / none from the two best confidences.

    Args:
        best: Confidence of the top article.
        second: Confidence of the runner-up (0 when there is none).
        thresholds: The decision thresholds.

    Returns:
        The decision and the margin ``(best - second) / best``.
    """
    if best <= 0:
        return "none", 0.0
    margin = (best - second) / best
    if best >= thresholds.answer_min_confidence and margin >= thresholds.answer_min_margin:
        return "answer", margin
    if best >= thresholds.suggest_min_confidence:
        return "suggest", margin
    return "none", margin
