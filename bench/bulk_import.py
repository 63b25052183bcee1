"""A provider's bulk import of many enterprises: seconds for a file of --rows rows beside a tenth of it, same run.

The bench makes a throw-away instance folder (removed at the end) with a SQLite database (or --database-url, a
PostgreSQL database the bench may fill), a demo provider and its staff member, and a CSV in the import template's
columns: one generated demo enterprise a row (labelled 生成数据 in its name; valid USCC, region, industry, figures)
with the MIIT worked example's answers. In the same process it then runs, as the worker runs them
(`services.jobs.run`):
  1. baseline: a file of rows/10 rows (invite mode: an invitation and the row's answers kept for each);
  2. the file of --rows rows (other enterprises), in invite mode;
  3. the same file again: every row found done, nothing created twice.
Prints seconds, rows/s and ms per row for each, and `1000-row import / baseline per-row cost ratio: R` (near 1
means the cost grows linearly with the rows).

Run: .venv/bin/python bench/bulk_import.py [--rows 1000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from assessment.db.migrate import upgrade
from assessment.db.models import BulkImportRow, ProviderClient
from assessment.db.providers import add_member, add_organisation
from assessment.domain.enterprise.uscc import uscc_check_character
from assessment.services import jobs
from assessment.services.authorization import Principal
from assessment.services.bulk_import.carrying import ImportContext
from assessment.services.bulk_import.columns import answer_columns, column_ids
from assessment.services.bulk_import.importing import start_import
from assessment.web.app import create_app
from assessment.web.site import site

ROOT = Path(__file__).resolve().parents[1]
WORKED_EXAMPLE = ROOT / "tests" / "fixtures" / "miit-2024-worked-example.json"
REF = "miit-2024"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000, help="rows in the large file (default 1000, at most 1000)")
    parser.add_argument("--database-url", help="database to use (default: SQLite in the throw-away folder)")
    args = parser.parse_args()
    if not 10 <= args.rows <= 1000:
        parser.error("--rows must be between 10 and 1000 (the import's own limit)")
    return args


def _answer_cells(app: Flask) -> dict[str, str]:
    """The worked example's answers in the template's answer columns."""
    document: dict[str, Any] = json.loads(WORKED_EXAMPLE.read_text(encoding="utf-8"))
    cells: dict[str, str] = {}
    for column in answer_columns(site(app).library.questionnaire(REF)):
        if column.id.startswith("data:"):
            value = document.get("data", {}).get(column.part)
        elif column.part:
            value = document["answers"].get(column.item.id, {}).get(column.part)
        else:
            value = document["answers"].get(column.item.id)
        cells[column.id] = ",".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    return cells


def demo_file(app: Flask, first: int, count: int) -> bytes:
    """A CSV of `count` generated demo enterprises numbered from `first`."""
    answers = _answer_cells(app)
    ids = column_ids(site(app).library.questionnaire(REF))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ids)
    for n in range(first, first + count):
        body = f"91370102MA{n:07d}"
        row = {"name": f"批量导入演示企业{n}（生成数据）", "uscc": body + uscc_check_character(body),
               "region": "370102", "industry": "34", "employees": str(20 + n % 280),
               "revenue_10k_cny": str(500 + n % 9000), "contact_email": f"demo-{n}@example.com", **answers}
        writer.writerow([row.get(i, "") for i in ids])
    return out.getvalue().encode()


def provider(app: Flask) -> Principal:
    """A demo provider's staff member."""
    with site(app).sessions() as session:
        organisation = add_organisation(session, "示例服务商（演示数据）")
        staff = add_member(session, "bench-import@example.com", generate_password_hash("bench", "pbkdf2:sha256:1000"),
                           role="provider_staff", organisation_id=organisation.id, verified_at=datetime.now(UTC))
        session.commit()
        return Principal(staff.id, "provider_staff", organisation.id)


def imported(app: Flask, who: Principal, content: bytes, folder: Path) -> tuple[float, str]:
    """Seconds to start and run one import job of the file, and how it ended."""
    found = site(app)
    context = ImportContext(found.library, found.region_list, found.industry_list)
    began = time.perf_counter()
    with found.sessions() as session:
        job_id = start_import(session, who, context, folder, content, "demo.csv",
                              f"{REF}@{found.library.questionnaire(REF).version}", "invite", None, datetime.now(UTC))
        session.commit()
    runner = jobs.Runner(found.sessions, lambda _record, _lang: None, folder, timedelta(hours=1),
                         lambda: datetime.now(UTC), context)
    jobs.run(runner, job_id)
    seconds = time.perf_counter() - began
    with found.sessions() as session:
        job = jobs.own_job(session, who, job_id)
    assert job is not None
    return seconds, f"{job.status}, {job.done}/{job.total} rows"


def counts(app: Flask) -> tuple[int, int]:
    """Invitations and imported rows in the database."""
    with site(app).sessions() as session:
        return (session.scalar(select(func.count()).select_from(ProviderClient)) or 0,
                session.scalar(select(func.count()).select_from(BulkImportRow)) or 0)


def line(label: str, rows: int, seconds: float, ended: str) -> None:
    """One printed figure."""
    print(f"{label:<34} {rows:5d} rows in {seconds:6.2f} s   {rows / seconds:7.1f} rows/s   "
          f"{seconds / rows * 1000:6.1f} ms/row   ({ended})")


def main() -> None:
    """Run the bench and print the figures."""
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" + os.urandom(8).hex(),
                          "JOBS_IMMEDIATE": False, "EVIDENCE_DIR": f"{scratch}/evidence"})
        upgrade(site(app).engine)
        folder = Path(scratch) / "jobs"
        who = provider(app)
        small, large = args.rows // 10, args.rows
        print(f"instance folder (removed at the end): {scratch}; database: {site(app).engine.dialect.name}")
        print("load average (1, 5, 15 min): " + ", ".join(f"{n:.2f}" for n in os.getloadavg()))
        base, ended = imported(app, who, demo_file(app, 1, small), folder)
        line("baseline (a tenth)", small, base, ended)
        content = demo_file(app, 100_000, large)
        seconds, ended = imported(app, who, content, folder)
        line(f"{large}-row file, invite mode", large, seconds, ended)
        links, rows = counts(app)
        again, ended = imported(app, who, content, folder)
        line("the same file again", large, again, ended)
        print(f"created twice on the re-run: {counts(app)[0] - links} invitations, {counts(app)[1] - rows} rows")
        print("load average (1, 5, 15 min): " + ", ".join(f"{n:.2f}" for n in os.getloadavg()))
        site(app).engine.dispose()
        print(f"{large}-row import / baseline per-row cost ratio: {(seconds / large) / (base / small):.2f}")


if __name__ == "__main__":
    main()
