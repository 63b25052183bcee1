"""Facts: submitting writes one fact; a period counts each enterprise's latest assessment; rebuild and demo labels."""

from __future__ import annotations

from datetime import UTC, datetime

from authority import Load, Login
from direct_counts import fact_rows
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import text
from worked_example import submitted

from assessment.db import facts, queries
from assessment.web.site import site


def test_submitting_an_assessment_writes_its_fact(app: Flask) -> None:
    assessment_id, enterprise_id = submitted(app, datetime(2025, 5, 6, 3, 0, tzinfo=UTC))
    [fact] = fact_rows(app)
    assert (fact.assessment_id, fact.enterprise_id) == (assessment_id, enterprise_id)
    assert (fact.province, fact.city, fact.region) == ("320000", "320100", "320102")
    assert (fact.section, fact.division, fact.size, fact.zjtx, fact.mode) == ("C", "37", "small", "none", "self")
    assert (fact.year, fact.quarter, fact.latest_of_year, fact.consent, fact.demo) == (2025, 20252, True, True, False)
    with site(app).sessions() as session:
        record = queries.get_assessment(session, assessment_id)
    assert record is not None and record.level == fact.level
    assert record.total is not None and fact.total == round(record.total * 1000)


def test_a_period_counts_the_latest_assessment_of_each_enterprise(app: Flask) -> None:
    first, enterprise_id = submitted(app, datetime(2025, 2, 1, tzinfo=UTC))
    second, _ = submitted(app, datetime(2025, 8, 1, tzinfo=UTC), enterprise_id=enterprise_id)
    third, _ = submitted(app, datetime(2026, 1, 10, tzinfo=UTC), enterprise_id=enterprise_id)
    flags = {r.assessment_id: (r.year, r.quarter, r.latest_of_year) for r in fact_rows(app)}
    assert flags == {first: (2025, 20251, False), second: (2025, 20253, True), third: (2026, 20261, True)}
    with site(app).engine.connect() as connection:
        quarters = dict(connection.execute(text("SELECT assessment_id, latest_of_quarter FROM assessment_facts")).all())
    assert all(quarters.values())


def test_a_submission_late_on_new_years_eve_in_utc_counts_for_the_chinese_new_year(app: Flask) -> None:
    submitted(app, datetime(2025, 12, 31, 17, 0, tzinfo=UTC))  # 01:00 on 1 January 2026 in Beijing
    [fact] = fact_rows(app)
    assert (fact.year, fact.quarter) == (2026, 20261)


def test_facts_rebuild_writes_the_facts_of_assessments_submitted_before_the_fact_table(
        app: Flask, runner: FlaskCliRunner) -> None:
    submitted(app, datetime(2025, 3, 1, tzinfo=UTC))
    submitted(app, datetime(2025, 4, 1, tzinfo=UTC), region="330106", consent=False)
    before = sorted(fact_rows(app), key=lambda r: r.assessment_id)
    with site(app).engine.begin() as connection:
        connection.execute(text("DELETE FROM assessment_facts"))
    result = runner.invoke(args=["facts", "rebuild"])
    assert result.exit_code == 0 and "wrote 2 facts" in result.output
    assert sorted(fact_rows(app), key=lambda r: r.assessment_id) == before


def test_demo_data_is_labelled_on_the_dashboard_and_real_data_is_not(app: Flask, load_demo: Load,
                                                                     official: Login) -> None:
    load_demo(400, provinces=("32",), seed=31)
    client = official("320000")
    assert 'id="demo-banner"' in client.get("/official/").get_data(as_text=True)
    with site(app).engine.begin() as connection:
        connection.execute(text("UPDATE assessment_facts SET demo = :no"), {"no": False})
    page = client.get("/official/").get_data(as_text=True)
    assert 'id="demo-banner"' not in page and 'id="population"' in page
    with site(app).sessions() as session:
        assert facts.fact_count(session, demo=True) == 0


def test_demo_data_has_realistic_distributions(app: Flask, load_demo: Load) -> None:
    load_demo(3000, seed=32)
    rows = fact_rows(app)
    share = lambda test: sum(1 for r in rows if test(r)) / len(rows)  # noqa: E731
    assert share(lambda r: r.section == "C") > 0.4
    assert share(lambda r: r.size in ("small", "micro")) > 0.75
    assert share(lambda r: r.level in (1, 2)) > 0.6
    assert share(lambda r: r.province in ("440000", "320000", "330000", "370000")) > 0.3
    assert len({r.province for r in rows}) > 20
    assert all(r.demo for r in rows)
