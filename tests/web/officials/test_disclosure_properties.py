"""Properties over generated data: no published cell counts fewer than k, and none can be derived by subtraction."""

from __future__ import annotations

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.domain.disclosure.audit import audit
from assessment.domain.disclosure.policy import Policy
from assessment.services import aggregates, demo
from assessment.services.aggregates import CellRequest, Labels, Selection
from assessment.services.aggregates.dashboard import dashboard
from assessment.services.language import translator
from assessment.web.database import db
from assessment.web.site import site

PROVINCES = {"32": "320000", "33": "330000", "35": "350000"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(40, 600), seed=st.integers(0, 10_000), k=st.integers(3, 7),
       province=st.sampled_from(sorted(PROVINCES)), year_back=st.integers(0, 1),
       filters=st.sampled_from([{}, {"size": "small"}, {"mode": "self"}, {"section": "C"}, {"zjtx": "none"}]))
def test_no_dashboard_cell_under_k_is_published_and_none_can_be_derived(
        app: Flask, count: int, seed: int, k: int, province: str, year_back: int, filters: dict[str, str]) -> None:
    here = site(app)
    with here.sessions() as session:
        demo.delete_demo(session)
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=count,
                      seed=seed, provinces=(province,), pool=120)
    region = PROVINCES[province]
    policy = Policy(k=k)
    with app.test_request_context():
        layout = aggregates.layouts(here.library)["miit-2024"]
        jurisdiction = aggregates.jurisdiction_of(here.regions, region)
        assert jurisdiction is not None
        labels = Labels(here.regions, here.industries, translator("zh"), "zh")
        board = dashboard(
            db(), regions=here.regions, industries=here.industries, layout=layout, jurisdiction=jurisdiction,
            selection=Selection("miit-2024", "year", 2026 - year_back, **filters), policy=policy, target=None,
            labels=labels)
        export = aggregates.cell_export(
            db(), regions=here.regions, industries=here.industries, layout=layout,
            request=CellRequest(("region", "size", "level"), "miit-2024", "year", 2026 - year_back, 2026 - year_back,
                                jurisdiction), policy=policy, labels=labels)
    protected = [*board.tables, *([export.protected] if export.protected else [])]
    for table in protected:
        for cell in table.cells(zeros=False):
            assert cell.count is None or cell.count == 0 or cell.count >= k
    assert audit(board.tables) == ()
    assert export.protected is None or audit([export.protected]) == ()
    if board.total is not None:
        for row in (board.total, *(r for b in board.breakdowns for r in b.rows)):
            assert row.count is None or row.count == 0 or row.count >= k
            assert (row.mean_score is None) or row.count is not None
