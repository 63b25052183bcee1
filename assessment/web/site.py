"""What a running site holds, loaded once by create_app: content, code lists and the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import Flask, current_app, has_request_context
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assessment.content.loader import Library
from assessment.domain.enterprise import Industries, Regions
from assessment.domain.model import ScoringModel
from assessment.domain.questionnaire import Questionnaire
from assessment.web.language import current_language

if TYPE_CHECKING:
    from assessment.web.questions import QuestionParts

EXTENSION = "assessment"


@dataclass(frozen=True)
class Site:
    """The content library, the region and industry lists, and the database engine with its sessions."""

    library: Library
    region_list: Regions
    """The division list as loaded (Chinese names); pages use `regions`, which follows the request's language."""
    industry_list: Industries
    """The industry classification as loaded (Chinese names); pages use `industries`."""
    engine: Engine
    sessions: sessionmaker[Session]
    question_parts: dict[tuple[str, str, str], QuestionParts] = field(default_factory=dict)
    """Question markup made from content, by (questionnaire ref, item id, language); see web/questions.py."""

    @property
    def regions(self) -> Regions:
        """The division list with names in the request's language (English names on English pages)."""
        return self.region_list.in_language(_language())

    @property
    def industries(self) -> Industries:
        """The industry classification with names in the request's language."""
        return self.industry_list.in_language(_language())

    def questionnaire(self, ref: str) -> Questionnaire | None:
        """The questionnaire for an `id@version` reference, if loaded."""
        qid, _, version = ref.partition("@")
        return self.library.questionnaires.get(qid, {}).get(version)

    def model(self, ref: str) -> ScoringModel | None:
        """The scoring model for an `id@version` reference, if loaded."""
        mid, _, version = ref.partition("@")
        return self.library.models.get(mid, {}).get(version)


def _language() -> str:
    """The request's language; Chinese outside a request (the names are the lists' own)."""
    return current_language() if has_request_context() else "zh"


def site(app: Flask | None = None) -> Site:
    """The current app's Site."""
    found: Site = (app or current_app).extensions[EXTENSION]
    return found
