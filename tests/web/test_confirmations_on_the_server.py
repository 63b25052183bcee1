"""The two confirmations are the server's rule, not only the browser's: submitting as assessor-validated and
starting a re-assessment without their box ticked get that box's message and change nothing; with it they work."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select
from world import World

from assessment.db import queries
from assessment.db.models import Assessment


def _assessments(world: World) -> int:
    with world.session() as session:
        return int(session.scalar(select(func.count()).select_from(Assessment)) or 0)


def _version(world: World, assessment_id: int) -> int:
    with world.session() as session:
        record = queries.get_assessment(session, assessment_id)
    assert record is not None
    return record.version


def test_submitting_as_assessor_validated_needs_the_confirmation(app: Flask) -> None:
    world = World(app)
    tenant = world.tenant("甲", "91370100MA3C00001")
    aid = world.assessment(tenant, mode="onsite")
    staff = world.client(tenant.staff_id)
    before = _version(world, aid)
    for data in ({"version": str(before)}, {"version": str(before), "confirm": "no"}):
        refused = staff.post(f"/assessments/{aid}/submit-validated", data=data)
        assert refused.status_code == 422
        page = refused.text
        assert re.search(r'<p class="field-error" id="confirm-submit-validated-error">.*'
                         r"请勾选此项，确认您已核对核验后的答案。</p>", page)
        assert 'aria-invalid="true" aria-describedby="confirm-submit-validated-error"' in page
        assert 'href="#confirm-submit-validated"' in page  # the error summary leads to the box
        with world.session() as session:
            record = queries.get_assessment(session, aid)
        assert record is not None and record.status == "draft" and record.version == before
    confirmed = staff.post(f"/assessments/{aid}/submit-validated", data={"version": str(before), "confirm": "yes"})
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith(f"/results/{aid}")
    with world.session() as session:
        record = queries.get_assessment(session, aid)
    assert record is not None and record.status == "submitted"


def test_the_refusal_to_submit_unconfirmed_is_in_english_too(app: Flask) -> None:
    world = World(app)
    tenant = world.tenant("甲", "91370100MA3C00001")
    aid = world.assessment(tenant, mode="onsite")
    staff = world.client(tenant.staff_id)
    staff.post("/language", data={"lang": "en", "next": "/"})
    refused = staff.post(f"/assessments/{aid}/submit-validated", data={"version": str(_version(world, aid))})
    assert refused.status_code == 422
    assert "Tick this box to confirm that you have checked the validated answers." in refused.text


def test_starting_a_re_assessment_needs_the_confirmation(app: Flask) -> None:
    world = World(app)
    tenant = world.tenant("甲", "91370100MA3C00001")
    submitted = world.assessment(tenant, mode="guided", submit=True)
    owner = world.client(tenant.owner_id)
    count = _assessments(world)
    refused = owner.post(f"/assess/{submitted}/reassess")
    assert refused.status_code == 422
    page = refused.text
    assert re.search(r'<p class="field-error" id="confirm-reassess-error">.*'
                     r"请勾选此项，确认要用这些答案新建一份草稿。</p>", page)
    assert 'id="confirm-reassess" name="confirm" value="yes" required aria-invalid="true"' in page
    assert 'href="#confirm-reassess"' in page and f'href="/results/{submitted}"' in page
    assert _assessments(world) == count
    confirmed = owner.post(f"/assess/{submitted}/reassess", data={"confirm": "yes"})
    assert confirmed.status_code == 303
    draft = int(re.fullmatch(r"/assess/(\d+)/link", confirmed.headers["Location"])[1])  # type: ignore[index]
    assert _assessments(world) == count + 1
    with world.session() as session:
        record = queries.get_assessment(session, draft)
    assert record is not None and record.status == "draft" and record.previous_assessment_id == submitted
