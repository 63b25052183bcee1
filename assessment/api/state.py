"""What the API works with, handed over by create_app: the content library, database sessions, quota, catalogues."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from apispec import APISpec
from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from assessment.content.loader import Library
from assessment.domain.catalogue import Catalogue
from assessment.services.answer_documents import shipped_catalogues
from assessment.services.request_quota import Quota

EXTENSION = "assessment.api"
MAX_BODY = 256 * 1024


@dataclass
class ApiState:
    """The API's share of the site; the solution catalogues are read on first use."""

    library: Library
    sessions: sessionmaker[Session]
    quota: Quota
    catalogue_dir: Path
    max_body: int = MAX_BODY
    reads: Callable[[], Session] | None = None
    """Sessions for the officials' aggregates: on the read replica when one is configured (None: the request's own)."""
    spec: APISpec | None = None
    """The OpenAPI document, built by flask-smorest from the views' schemas."""
    _catalogues: tuple[Catalogue, ...] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def catalogues(self) -> tuple[Catalogue, ...]:
        """The shipped solution catalogues (a broken file is logged and left out, as on the results page)."""
        with self._lock:
            if self._catalogues is None:
                loaded, errors = shipped_catalogues(self.catalogue_dir, self.library)
                for error in errors:
                    current_app.logger.error("catalogue left out: %s", error)
                self._catalogues = loaded
            return self._catalogues


def api_state() -> ApiState:
    """The running app's API state."""
    state: ApiState = current_app.extensions[EXTENSION]
    return state
