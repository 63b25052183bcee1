"""An official starts a large export from the dashboard's download section as a job; its page offers the same file
as the download; the job's page and file are 404 for anyone else. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile

from authority import logged_in, make_account
from flask import Flask

from assessment.services import demo
from assessment.web.site import site


def test_an_official_starts_a_large_export_job_and_others_get_404(app: Flask) -> None:
    here = site(app)
    with here.sessions() as session:
        demo.generate(session, library=here.library, regions=here.regions, industries=here.industries, count=300,
                      seed=22, provinces=("32",), pool=200)
    official = logged_in(app, make_account(app, "exporter@example.gov.cn", "official", "320000"))
    assert 'id="export-as-job"' in official.get("/official/").get_data(as_text=True)
    asked = official.get("/official/export-job?by=region&by=level")
    assert asked.status_code == 200 and 'value="level"' in asked.get_data(as_text=True)
    started = official.post("/official/export-job", data={"by": ["region", "level"], "kind": "csv"})
    assert started.status_code == 303
    page = started.headers["Location"]
    assert official.get(page).status_code == 200
    result = official.get(page + "/result.zip")
    assert result.status_code == 200
    with zipfile.ZipFile(io.BytesIO(result.data)) as archive:
        [name] = archive.namelist()
        assert archive.read(name) == official.get("/official/export.csv?by=region&by=level").data
    other = logged_in(app, make_account(app, "neighbour@example.gov.cn", "official", "320000"))
    assert other.get(page).status_code == 404
    assert other.get(page + "/result.zip").status_code == 404
