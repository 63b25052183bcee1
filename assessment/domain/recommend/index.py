"""The text index of a set of catalogues: a character n-gram TF-IDF matching solutions to the words of a gap.

numpy and scikit-learn are imported where the index is built and read, so importing the recommender (and
scoring, which never needs them) stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from assessment.domain.catalogue import Catalogue, Solution

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer


@dataclass(frozen=True)
class SolutionIndex:
    """The solutions of a set of catalogues with a character n-gram TF-IDF fitted on their texts.

    Equal when the catalogues are: the fitted vectorizer and matrix follow from them.
    """

    catalogues: tuple[Catalogue, ...]
    solutions: tuple[Solution, ...]
    questionnaires: tuple[str, ...]
    vectorizer: TfidfVectorizer = field(compare=False, repr=False)
    matrix: Any = field(compare=False, repr=False)

    def similarity(self, text: str) -> tuple[float, ...]:
        """Cosine similarity of every solution's text to `text` (rows are L2-normalised)."""
        import numpy as np

        if not self.solutions or not text.strip():
            return (0.0,) * len(self.solutions)
        query = self.vectorizer.transform([text])
        return tuple(np.asarray((self.matrix @ query.T).toarray()).ravel().tolist())


def solution_text(solution: Solution) -> str:
    """The words that describe a solution: name, summary and effects in every language."""
    parts: list[str] = [*solution.name.values(), *(solution.summary or {}).values()]
    for effect in solution.effects:
        parts.extend(effect.values())
    return " ".join(parts)


@lru_cache(maxsize=16)
def index_catalogues(catalogues: tuple[Catalogue, ...]) -> SolutionIndex:
    """Fit the text index once per set of catalogues (equal catalogues share it)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    pairs = sorted(((s, c.questionnaire) for c in catalogues for s in c.solutions), key=lambda p: p[0].key)
    solutions = tuple(s for s, _q in pairs)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    matrix = vectorizer.fit_transform([solution_text(s) for s in solutions]) if solutions else None
    return SolutionIndex(catalogues, solutions, tuple(q for _s, q in pairs), vectorizer, matrix)
