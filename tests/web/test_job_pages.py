"""The job pages: a provider starts its clients' PDF reports as one ZIP from the client list, follows the job on a
page that refreshes itself without JavaScript while it runs, downloads the ZIP, cancels and retries; the start form
refuses nothing chosen, too many and others' assessments with its message; everyone but the owner gets 404."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from scene import build
from sqlalchemy import select
from world import World

from assessment.db.models import SecurityEvent
from assessment.services import jobs, security_log
from assessment.services.authorization import Principal
from assessment.web.jobs import queue
from assessment.web.site import site


@pytest.fixture
def app(app: Flask, tmp_path: Path) -> Flask:
    """The app with evidence and job results kept in the test's own folder."""
    app.config.update(EVIDENCE_DIR=str(tmp_path / "evidence"), JOBS_DIR=str(tmp_path / "jobs"))
    return app


@pytest.fixture
def world(app: Flask) -> World:
    """Accounts, providers and assessments made through the services."""
    return World(app)


def _job_id(location: str) -> int:
    found = re.fullmatch(r".*/jobs/(\d+)", location)
    assert found is not None, location
    return int(found.group(1))


def test_a_provider_starts_its_clients_reports_from_the_client_list_and_downloads_one_zip(world: World) -> None:
    scene = build(world)
    staff = world.client(scene.a.staff_id)
    assert 'href="/provider/reports/bulk"' in staff.get("/provider/").get_data(as_text=True)
    page = staff.get("/provider/reports/bulk").get_data(as_text=True)
    assert f'id="assessment-{scene.earlier_id}"' in page and f'id="assessment-{scene.later_id}"' in page
    assert f'id="assessment-{scene.onsite_id}"' not in page  # a draft has no report
    started = staff.post("/provider/reports/bulk", data={"assessment_id": [str(scene.earlier_id),
                                                                            str(scene.later_id)]})
    assert started.status_code == 303
    job_id = _job_id(started.headers["Location"])
    shown = staff.get(f"/jobs/{job_id}")
    assert shown.status_code == 200 and "Refresh" not in shown.headers  # finished: no more reloading
    assert 'id="download-result"' in shown.get_data(as_text=True)
    assert f'id="job-{job_id}"' in staff.get("/jobs").get_data(as_text=True)
    download = staff.get(f"/jobs/{job_id}/result.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Cache-Control"] == "no-store"  # clients' reports: no copy in any cache
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert archive.namelist() == [f"assessment-{scene.earlier_id}.pdf", f"assessment-{scene.later_id}.pdf"]
        assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    with site(world.app).sessions() as session:  # a download of many clients' reports is a security event
        logged = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == security_log.EXPORT)).all()
        assert [(e.user_id, e.detail.get("what")) for e in logged] == [(scene.a.staff_id, "bulk_reports_zip")]


def test_a_waiting_job_page_refreshes_itself_without_javascript_until_the_job_ends(app: Flask, world: World) -> None:
    app.config["JOBS_IMMEDIATE"] = False  # a real queue (SQLite in the test's folder) that no worker reads here
    scene = build(world)
    staff = world.client(scene.a.staff_id)
    job_id = _job_id(staff.post("/provider/reports/bulk", data={"assessment_id": str(scene.earlier_id)})
                     .headers["Location"])
    waiting = staff.get(f"/jobs/{job_id}")
    assert waiting.headers["Refresh"] == "3"
    body = waiting.get_data(as_text=True)
    assert '<progress max="1" value="0"' in body and 'id="cancel-job"' in body
    assert staff.post(f"/jobs/{job_id}/cancel").status_code == 303
    cancelled = staff.get(f"/jobs/{job_id}")
    assert "Refresh" not in cancelled.headers and 'id="retry-job"' in cancelled.get_data(as_text=True)
    assert staff.post(f"/jobs/{job_id}/retry").status_code == 303
    assert staff.get(f"/jobs/{job_id}").headers["Refresh"] == "3"
    with app.app_context():
        jobs.run(queue().runner, job_id)  # what the worker does with the id
    done = staff.get(f"/jobs/{job_id}")
    assert "Refresh" not in done.headers and '<progress max="1" value="1"' in done.get_data(as_text=True)


def test_only_the_owner_sees_downloads_cancels_or_retries_a_job(world: World) -> None:
    scene = build(world)
    owner = world.client(scene.a.staff_id)
    job_id = _job_id(owner.post("/provider/reports/bulk", data={"assessment_id": str(scene.earlier_id)})
                     .headers["Location"])
    for user_id in (scene.a.admin_id, scene.b.staff_id, scene.a.owner_id, scene.site_admin_id):
        other = world.client(user_id)
        assert other.get(f"/jobs/{job_id}").status_code == 404
        assert other.get(f"/jobs/{job_id}/result.zip").status_code == 404
        assert other.post(f"/jobs/{job_id}/cancel").status_code == 404
        assert other.post(f"/jobs/{job_id}/retry").status_code == 404
        assert f"/jobs/{job_id}" not in other.get("/jobs").get_data(as_text=True)
    assert owner.get(f"/jobs/{job_id}/result.zip").status_code == 200


@pytest.mark.parametrize("chosen", [[], [str(n) for n in range(1, jobs.MAX_REPORTS + 2)], ["abc"], ["B"]],
                         ids=["none chosen", "too many", "not a number", "another provider's"])
def test_the_start_form_refuses_a_choice_it_cannot_make_with_its_message(app: Flask, world: World,
                                                                         chosen: list[str]) -> None:
    scene = build(world)
    values = [str(scene.b.enterprise_id and world.assessment(scene.b, "guided", submit=True))] \
        if chosen == ["B"] else chosen
    staff = world.client(scene.a.staff_id)
    refused = staff.post("/provider/reports/bulk", data={"assessment_id": values})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'id="error-summary"' in body and 'id="assessments-error"' in body
    with site(app).sessions() as session:
        assert jobs.own_jobs(session, Principal(scene.a.staff_id)) == []
