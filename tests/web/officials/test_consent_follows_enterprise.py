"""Aggregates count an enterprise's results only while it consents: withdrawing or giving consent applies to all its
facts, also those written earlier (by the shares page, a draft's profile, `facts rebuild` and the migration)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from alembic import command
from authority import Load, Login, logged_in, make_account
from direct_counts import FactRow, counted, fact_rows
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, text, update
from worked_example import submitted

from assessment.db.migrate import alembic_config, current_revision, head_revision, upgrade
from assessment.db.models import Enterprise
from assessment.services import assessments
from assessment.web.site import site

JIANGSU = "320000"


def population(client: FlaskClient, year: int) -> int:
    """The published population of a year on the official's dashboard."""
    html = client.get(f"/official/?period={year}").get_data(as_text=True)
    start = html.index('<dd id="population">') + len('<dd id="population">')
    return int(html[start:html.index("</dd>", start)])


def exported_total(client: FlaskClient, year: int) -> int:
    """The grand total of a year's CSV export by level."""
    response = client.get(f"/official/export.csv?period={year}&by=level")
    assert response.status_code == 200, response.data
    cells = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return int(next(c for c in cells if c["level"] == "total")["count"])


def counted_years(rows: list[FactRow], enterprise_id: int) -> set[int]:
    """The years in which the enterprise's latest assessment counts (with its current consent)."""
    return {y for y in {r.year for r in rows}
            if any(r.enterprise_id == enterprise_id for r in counted(rows, y))}


def own(app: Flask, enterprise_id: int) -> FlaskClient:
    """Give a (demo) enterprise to a new enterprise account; a client logged in as that account."""
    owner = make_account(app, f"owner-{enterprise_id}@example.com", "enterprise")
    with site(app).sessions() as session:
        session.execute(update(Enterprise).where(Enterprise.id == enterprise_id).values(user_id=owner))
        session.commit()
    return logged_in(app, owner)


def busiest(rows: list[FactRow], consent: bool) -> int:
    """The enterprise with facts in the most years among those with this consent (lowest id on a tie)."""
    years: dict[int, set[int]] = {}
    for r in rows:
        if r.consent == consent:
            years.setdefault(r.enterprise_id, set()).add(r.year)
    return min(years, key=lambda e: (-len(years[e]), e))


def test_withdrawing_consent_removes_all_an_enterprises_results_from_the_dashboard_and_giving_it_restores_them(
        app: Flask, load_demo: Load, official: Login) -> None:
    load_demo(500, provinces=("32",), seed=41)
    rows = fact_rows(app)
    jiangsu = official(JIANGSU)
    years = [y for y in sorted({r.year for r in rows}) if len(counted(rows, y)) > 25]
    before = {y: population(jiangsu, y) for y in years}
    assert before == {y: len(counted(rows, y)) for y in years}
    enterprise_id = busiest(rows, consent=True)
    affected = counted_years(rows, enterprise_id) & set(years)
    assert len([r for r in rows if r.enterprise_id == enterprise_id]) >= 2 and affected
    owner = own(app, enterprise_id)

    assert owner.post(f"/account/shares/enterprises/{enterprise_id}/statistics", data={}).status_code == 303
    assert not any(r.consent for r in fact_rows(app) if r.enterprise_id == enterprise_id)
    for year in years:
        dropped = before[year] - (1 if year in affected else 0)
        assert population(jiangsu, year) == dropped == exported_total(jiangsu, year), year

    assert owner.post(f"/account/shares/enterprises/{enterprise_id}/statistics",
                      data={"consent_statistics": "y"}).status_code == 303
    assert {y: population(jiangsu, y) for y in years} == before
    assert sorted(fact_rows(app), key=lambda r: r.assessment_id) == sorted(rows, key=lambda r: r.assessment_id)


def test_giving_consent_later_counts_the_enterprises_earlier_results(app: Flask, load_demo: Load,
                                                                     official: Login) -> None:
    load_demo(400, provinces=("32",), seed=42)
    rows = fact_rows(app)
    jiangsu = official(JIANGSU)
    enterprise_id = busiest(rows, consent=False)
    assert counted_years(rows, enterprise_id) == set()
    year = max(r.year for r in rows if r.enterprise_id == enterprise_id)
    before = population(jiangsu, year)
    assert own(app, enterprise_id).post(f"/account/shares/enterprises/{enterprise_id}/statistics",
                                        data={"consent_statistics": "y"}).status_code == 303
    assert all(r.consent for r in fact_rows(app) if r.enterprise_id == enterprise_id)
    assert population(jiangsu, year) == before + 1 == len(counted(fact_rows(app), year))


def consents(app: Flask) -> dict[int, bool]:
    """Every fact's consent flag, by assessment id."""
    return {r.assessment_id: r.consent for r in fact_rows(app)}


def test_the_service_updates_every_fact_of_the_enterprise_and_no_other(app: Flask) -> None:
    first, enterprise_id = submitted(app, datetime(2024, 5, 1, tzinfo=UTC))
    second, _ = submitted(app, datetime(2025, 5, 1, tzinfo=UTC), enterprise_id=enterprise_id)
    other, _ = submitted(app, datetime(2025, 6, 1, tzinfo=UTC))
    with site(app).sessions() as session:
        assert assessments.set_statistics_consent(session, enterprise_id, False) is True
        assert assessments.set_statistics_consent(session, enterprise_id, False) is False
        session.commit()
    assert consents(app) == {first: False, second: False, other: True}


def test_facts_rebuild_takes_the_enterprises_current_consent_not_the_one_frozen_with_the_result(
        app: Flask, runner: FlaskCliRunner) -> None:
    assessment_id, enterprise_id = submitted(app, datetime(2025, 3, 1, tzinfo=UTC))
    with site(app).sessions() as session:
        assessments.set_statistics_consent(session, enterprise_id, False)
        session.commit()
    result = runner.invoke(args=["facts", "rebuild"])
    assert result.exit_code == 0, result.output
    assert consents(app) == {assessment_id: False}


def test_upgrading_brings_facts_written_with_an_older_consent_in_line(app: Flask) -> None:
    kept, consenting = submitted(app, datetime(2025, 3, 1, tzinfo=UTC))
    stale, withdrawn = submitted(app, datetime(2025, 4, 1, tzinfo=UTC))
    engine = site(app).engine
    with engine.begin() as connection:  # as before facts followed consent: the enterprise withdrew after submitting
        connection.execute(update(Enterprise).where(Enterprise.id == withdrawn).values(consent_statistics=False))
    assert consents(app) == {kept: True, stale: True}
    command.downgrade(alembic_config(engine), "0003_officials")
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert consents(app) == {kept: True, stale: False}
    with engine.connect() as connection:
        assert connection.execute(select(Enterprise.consent_statistics).where(Enterprise.id == consenting)).scalar()
        assert connection.execute(text("SELECT COUNT(*) FROM assessment_facts")).scalar() == 2
