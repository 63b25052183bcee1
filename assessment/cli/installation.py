"""What the app's commands work on: the running app's content, code lists and database, handed over by create_app."""

from __future__ import annotations

from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assessment.content.loader import Library
from assessment.domain.enterprise import Industries, Regions

EXTENSION = "assessment.cli"


class Installation(Protocol):
    """The content library, the region and industry codes, and the database engine with its sessions."""

    @property
    def library(self) -> Library:
        """The questionnaires and scoring models loaded."""

    @property
    def regions(self) -> Regions:
        """The GB/T 2260 region codes."""

    @property
    def industries(self) -> Industries:
        """The GB/T 4754 industry codes."""

    @property
    def engine(self) -> Engine:
        """The database engine."""

    @property
    def sessions(self) -> sessionmaker[Session]:
        """Opens a database session."""


def install(app: Flask, here: Installation) -> None:
    """Give the app's commands what they work on."""
    app.extensions[EXTENSION] = here


def installation() -> Installation:
    """What the running command's app works on."""
    found: Installation = current_app.extensions[EXTENSION]
    return found
