"""How drafts are read and saved: every column read back, conditional writes, saves from a stale read, posted steps."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from flask import Flask, request
from hypothesis import given, settings
from hypothesis import strategies as st
from journey import Journey, worked_example
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from assessment.content.loader import Library
from assessment.db import queries
from assessment.db.models import Assessment
from assessment.domain.questionnaire import Section
from assessment.services import steps
from assessment.services.assessments import VersionConflict
from assessment.services.steps import StepInput
from assessment.web.app import create_app
from assessment.web.database import db, reading
from assessment.web.forms import data_name, grid_name, posted_values, step_form_class, step_input
from assessment.web.site import site


def test_reading_an_assessment_returns_every_stored_column(journey: Journey, app: Flask) -> None:
    assessment_id = journey.complete(worked_example())
    with site(app).sessions() as session:
        record = queries.get_assessment(session, assessment_id)
        assert queries.get_assessment(session, assessment_id + 1000) is None
    assert record is not None and record.id == assessment_id and record.status == "submitted"
    assert record.questionnaire_ref == record.model_ref == "miit-2024@2024.1" and record.mode == "self"
    assert record.answers["Q5"] == "D" and record.data["total_devices"] == 120
    assert record.level == 3 and record.total == Decimal("64.5") and record.enterprise_id is not None
    assert record.scorecard is not None and record.scorecard["profile"]["name"] == "北京精工机械有限公司"
    assert record.created_at <= record.updated_at and record.submitted_at is not None
    # read as columns rather than as an entity, the values and their types are what loading the entity gives
    with site(app).sessions() as session:
        row = session.get(Assessment, assessment_id)
        assert row is not None
        assert record == queries.assessment_record(row)
    assert record.submitted_at.tzinfo is not None and record.submitted_at.utcoffset() == timedelta(0)
    assert isinstance(record.total, Decimal) and isinstance(record.scorecard, dict)


def _transaction_open(session: Session) -> bool:
    """Whether the database has a transaction open on the session's connection (asked of the driver itself)."""
    driver = session.connection().connection.driver_connection
    if isinstance(driver, sqlite3.Connection):
        return driver.in_transaction
    assert isinstance(driver, psycopg.Connection)
    return driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def test_a_page_reads_outside_a_transaction_on_a_database_server_and_leaves_none_behind(
        journey: Journey, app: Flask) -> None:
    assessment_id = journey.start()
    with app.test_request_context(f"/assess/{assessment_id}/step/foundation"):
        session = reading()
        assert queries.get_assessment(session, assessment_id) is not None
        assert not _transaction_open(session)  # PostgreSQL: no BEGIN was sent (SQLite starts none for a read)
        assert reading() is session
    # the connection went back to the pool: the next request that writes gets a transaction again
    with app.test_request_context(f"/assess/{assessment_id}/step/foundation", method="POST"):
        session = db()
        assert queries.save_draft(session, assessment_id, 1, {"Q5": "D"}, {}) == 2
        assert _transaction_open(session)
        session.rollback()
    assert journey.record(assessment_id).version == 1  # rolled back: the write was inside a transaction


def test_a_draft_is_written_only_at_the_version_it_was_read(journey: Journey, app: Flask) -> None:
    assessment_id = journey.start()
    with site(app).sessions() as session:
        assert queries.save_draft(session, assessment_id, 1, {"Q5": "D"}, {"total_devices": "10"}) == 2
        assert queries.save_draft(session, assessment_id, 1, {"Q5": "A"}, {}) is None
        session.commit()
    record = journey.record(assessment_id)
    assert record.version == 2 and record.answers == {"Q5": "D"} and record.data == {"total_devices": "10"}


def test_a_save_from_a_stale_read_is_a_conflict_and_writes_nothing(journey: Journey, app: Flask) -> None:
    assessment_id = journey.start()
    stale = journey.record(assessment_id)
    assert journey.answer(assessment_id, "foundation", {"Q5": "D"}).status_code == 303  # another tab
    questionnaire = journey.questionnaire()
    with site(app).sessions() as session, pytest.raises(VersionConflict) as conflict:
        steps.save_step(session, questionnaire, assessment_id, "foundation", StepInput({"Q5": "A"}, {}),
                        stale.version, current=stale)
    assert conflict.value.current.answers == {"Q5": "D"}
    assert journey.record(assessment_id).answers == {"Q5": "D"}


def test_a_save_with_the_current_read_writes_once_and_parses_the_answers(journey: Journey, app: Flask) -> None:
    assessment_id = journey.start()
    current = journey.record(assessment_id)
    questionnaire = journey.questionnaire()
    with site(app).sessions() as session:
        result = steps.save_step(session, questionnaire, assessment_id, "foundation",
                                 StepInput({"Q1": ["A", "B"], "Q5": "D"}, {}), current.version, current=current)
        session.commit()
    assert result.changed and result.record.version == current.version + 1
    assert [p.item for p in result.problems] == ["Q1"]  # none mixed with another option: Q1 keeps its saved value
    assert result.answers.values == {"Q5": "D"}
    assert journey.record(assessment_id).answers == {"Q5": "D"}


def _controls(section: Section) -> list[tuple[str, list[str]]]:
    """Every control name of a step with the values a browser could post for it."""
    controls = []
    for item in section.items:
        if item.type == "grid":
            controls += [(grid_name(item, row), [c.key for c in item.columns]) for row in item.rows]
        elif item.type == "rating":
            controls.append((item.id, [str(level.level) for level in item.levels]))
        else:
            controls.append((item.id, [o.key for o in item.options] or ["12", " 3.5 "]))
        controls += [(data_name(item, spec.id), ["100", "", "many"]) for spec in item.fields]
    return controls


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_step_read_from_the_request_is_what_its_bound_step_form_reads(library: Library, data: st.DataObject) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "CONTENT_LIBRARY": library,
                      "WTF_CSRF_ENABLED": False})
    questionnaire = data.draw(st.sampled_from(library.latest_questionnaires()))
    section = data.draw(st.sampled_from([s for s in questionnaire.sections if s.items]))
    posted = MultiDict([(name, value) for name, values in _controls(section)
                        for value in data.draw(st.lists(st.sampled_from([*values, "", "junk"]), max_size=3))])
    shown = [i.id for i in section.items]
    with app.test_request_context("/", method="POST", data=posted):
        bound = step_form_class(questionnaire, section.id)()
        assert step_input(posted_values(section, request.form), section, shown) == step_input(bound, section, shown)
