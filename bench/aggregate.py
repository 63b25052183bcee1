"""Officials' aggregates at scale: load demo data (or reuse it), then time the province dashboard and a CSV export
beside hand-written SQL GROUP BY baselines on the same data.

    .venv/bin/python bench/aggregate.py --count 100000                                  # SQLite in instance/
    scripts/with-postgres sh -c '.venv/bin/python bench/aggregate.py --count 1000000 --database "$ASSESSMENT_TEST_POSTGRES_URL"'

The dashboard is rendered in-process (Flask test client) for an official of one province, with every table
protected by disclosure control; the baseline runs the same GROUP BYs as plain SQL and does nothing else. Each
export is timed from the request: rows ÷ (wait for the first byte + streaming), beside the time spent in
disclosure control (`protect_linked`, wall and process CPU time) and the streaming rate once protected.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessment.db import facts, providers, queries  # noqa: E402
from assessment.db.migrate import upgrade  # noqa: E402
from assessment.domain.disclosure import CellTable, Policy, ProtectedTable, protect_linked  # noqa: E402
from assessment.services import demo  # noqa: E402
from assessment.services.aggregates import dashboard, exports  # noqa: E402
from assessment.web.app import create_app  # noqa: E402
from assessment.web.site import site  # noqa: E402
from assessment.web.tenancy import signed_in_state  # noqa: E402

PASSWORD = "bench-password-1"
BASELINE_CSV = Path("/tmp/bench-aggregate-baseline.csv")


PROTECTION: list[tuple[float, float]] = []
"""Wall and process CPU seconds of each protect_linked call the services made since the list was last cleared."""


def time_protection() -> None:
    """Make the dashboard's and the exports' protect_linked record its wall and CPU time in PROTECTION."""
    real = protect_linked

    def timed_protect_linked(tables: list[CellTable], policy: Policy) -> tuple[ProtectedTable, ...]:
        """protect_linked, timed."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return real(tables, policy)
        finally:
            PROTECTION.append((time.perf_counter() - wall, time.process_time() - cpu))

    for module in (dashboard, exports):
        module.protect_linked = timed_protect_linked  # type: ignore[attr-defined]


def timed_export(client: Any, fields: str) -> tuple[int, float, float, float, float] | str:
    """One CSV export from the request to its last byte: rows, total, first-byte and protection (wall, CPU) seconds."""
    PROTECTION.clear()
    started = time.perf_counter()
    response = client.get(f"/official/export.csv?by={fields}", buffered=False)
    if response.status_code != 200:
        return str(response.get_data(as_text=True))
    first_byte = None
    lines = 0
    for chunk in response.response:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        lines += chunk.count("\n") if isinstance(chunk, str) else chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    response.close()
    return (lines - 1, elapsed, first_byte or 0.0, sum(w for w, _ in PROTECTION), sum(c for _, c in PROTECTION))


def signed_in(app: Any, email: str) -> Any:
    """A test client signed in as this account (officials must enrol a second factor when they log in by form)."""
    with site(app).sessions() as session:
        record = queries.user_by_email(session, email)
    assert record is not None
    client = app.test_client()
    with client.session_transaction() as state:
        state.update({"_user_id": str(record.id), "_fresh": True, "_id": "bench"})
        state.update(signed_in_state(record, time.time()))
        state.permanent = True
    return client


def timed(action: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median and best wall time of `repeat` runs, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def baseline_dashboard(connection: Any, province: str, year: int, first: int) -> int:
    """The dashboard's GROUP BYs as hand-written SQL (no disclosure control, no page): rows fetched."""
    where = (f"model_id = 'miit-2024' AND latest_of_year AND consent AND province_code = '{province}' "
             f"AND year BETWEEN {first} AND {year}")
    if connection.dialect.name == "sqlite":
        where = where.replace("latest_of_year AND consent", "latest_of_year = 1 AND consent = 1")
    sums = "COUNT(*), SUM(total), SUM(d1), SUM(d2), SUM(d3), SUM(CASE WHEN demo THEN 1 ELSE 0 END)"
    fetched = 0
    statements = [f"SELECT year, {c}, level, {sums} FROM assessment_facts WHERE {where} GROUP BY year, {c}, level"
                  for c in ("region_code", "industry_section", "size_class", "zhuanjingtexin", "mode")]
    statements.append(f"SELECT year, CASE WHEN total < 20000 THEN 0 WHEN total < 40000 THEN 1 WHEN total < 60000 "
                      f"THEN 2 WHEN total < 80000 THEN 3 ELSE 4 END AS band, COUNT(*), SUM(total) "
                      f"FROM assessment_facts WHERE {where} GROUP BY year, band")
    indicators = ", ".join(f"SUM(i{n:02d})" for n in range(1, 10))
    scenarios = ", ".join(f"SUM(s{n:02d})" for n in range(1, 17))
    statements.append(f"SELECT year, level, {sums}, {indicators}, {scenarios} FROM assessment_facts WHERE {where} "
                      f"GROUP BY year, level")
    spread = ", ".join(f"COUNT(*) FILTER (WHERE s{n:02d} = {r})" for n in range(1, 17) for r in range(5))
    statements.append(f"SELECT year, {spread} FROM assessment_facts WHERE {where} GROUP BY year")
    statements.append(f"SELECT COUNT(*) FROM assessment_facts WHERE {where.replace(f'BETWEEN {first} AND', '=')}")
    for statement in statements:
        fetched += len(connection.execute(text(statement)).all())
    return fetched


BASELINE_COLUMNS = {
    "region": "city_code", "province": "province_code", "city": "city_code", "county": "region_code",
    "section": "industry_section", "division": "industry_division", "size": "size_class", "zjtx": "zhuanjingtexin",
    "mode": "mode", "level": "level", "period": "year",
    "band": "CASE WHEN total < 20000 THEN 0 WHEN total < 40000 THEN 1 WHEN total < 60000 THEN 2 "
            "WHEN total < 80000 THEN 3 ELSE 4 END",
}


def baseline_export(connection: Any, province: str, year: int, by: list[str], path: Path) -> int:
    """The export's GROUP BY as hand-written SQL written straight to CSV (no margins, no suppression): rows."""
    import csv

    where = (f"model_id = 'miit-2024' AND latest_of_year AND consent AND province_code = '{province}' "
             f"AND year = {year}")
    if connection.dialect.name == "sqlite":
        where = where.replace("latest_of_year AND consent", "latest_of_year = 1 AND consent = 1")
    keys = ", ".join(BASELINE_COLUMNS[f] for f in by)
    rows = connection.execute(text(
        f"SELECT {keys}, COUNT(*), AVG(total) / 1000.0, AVG(d1) / 1000.0, AVG(d2) / 1000.0, AVG(d3) / 1000.0 "
        f"FROM assessment_facts WHERE {where} GROUP BY {keys}"))
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'instance' / 'bench-aggregate.sqlite3'}")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--province", default="440000", help="GB/T 2260 code of the official's province")
    parser.add_argument("--repeat", type=int, default=5, help="dashboard runs (the median is shown)")
    parser.add_argument("--export-repeat", type=int, default=3, help="runs of each export (the median is shown)")
    parser.add_argument("--no-dashboard", action="store_true", help="time the exports only")
    parser.add_argument("--by", action="append", help="fields of a timed CSV export (repeat for several; default: "
                        "region,level; region,size,level; region,section,size,level)")
    return parser.parse_args()


@dataclass(frozen=True)
class Data:
    """What the bench runs on: the facts in all and in the province, and the period shown with its trend's start."""

    total: int
    province_rows: int
    year: int
    first: int


def prepare(app: Any, args: argparse.Namespace) -> Data:
    """Load the demo data (or reuse it) and the province's official; what there is."""
    here = site(app)
    kind = here.engine.dialect.name
    if kind == "sqlite" and here.engine.url.database:
        Path(here.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
    upgrade(here.engine)
    with here.sessions() as session:
        present = facts.fact_count(session, demo=True)
        if present < args.count:
            if present:
                demo.delete_demo(session)
            summary = demo.generate(session, library=here.library, regions=here.regions,
                                    industries=here.industries, count=args.count, seed=args.seed)
            print(f"loaded {summary.assessments:,} assessments of {summary.enterprises:,} enterprises in "
                  f"{summary.seconds:.1f} s ({summary.assessments / summary.seconds:,.0f}/s) on {kind}")
        else:
            print(f"reusing {present:,} demo facts on {kind}")
        if queries.user_by_email(session, "bench-official@example.com") is None:
            providers.add_member(session, "bench-official@example.com",
                                 generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"), role="official",
                                 region_code=args.province)
        else:
            session.execute(text("UPDATE users SET region_code = :r WHERE email = 'bench-official@example.com'"),
                            {"r": args.province})
        session.commit()
        years = facts.periods(session, "miit-2024", "year", [("province_code", args.province)])
        province_rows = session.execute(text(
            "SELECT COUNT(*) FROM assessment_facts WHERE province_code = :p"), {"p": args.province}).scalar_one()
        return Data(facts.fact_count(session), province_rows, years[-1], years[0])


ExportFigures = tuple[int, float, float, float, float, int, float]
"""Rows, seconds from the request, first byte, protection wall and CPU, baseline rows and seconds."""


def time_exports(client: Any, engine: Any, args: argparse.Namespace, data: Data) -> list[tuple[str, ExportFigures | str]]:
    """Each export's median run beside its baseline, or why it was refused."""
    time_protection()
    out: list[tuple[str, ExportFigures | str]] = []
    for fields in args.by or ["region,level", "region,size,level", "region,section,size,level"]:
        runs = [timed_export(client, fields) for _ in range(max(1, args.export_repeat))]
        refused = [r for r in runs if isinstance(r, str)]
        if refused:
            out.append((fields, refused[0]))
            continue
        done = sorted((r for r in runs if not isinstance(r, str)), key=lambda r: r[1])
        with engine.connect() as connection:
            base_time, _best, base_rows = timed(functools.partial(
                baseline_export, connection, args.province, data.year, fields.split(","), BASELINE_CSV), 3)
        out.append((fields, (*done[len(done) // 2], base_rows, base_time)))
    return out


def print_exports(figures: list[tuple[str, ExportFigures | str]], repeat: int) -> None:
    """The exports' figures."""
    for fields, found in figures:
        if isinstance(found, str):
            print(f"CSV export by {fields}: refused ({found.strip()})")
            continue
        rows, elapsed, first_byte, protect_wall, protect_cpu, base_rows, base_time = found
        streaming = elapsed - first_byte
        print(f"CSV export by {fields} (median of {max(1, repeat)}): {rows:,} cell rows in {elapsed:.3f} s "
              f"from the request = {rows / elapsed:,.0f} rows/s from the request (first byte included)")
        print(f"  first byte after {first_byte:.3f} s, of which disclosure control {protect_wall:.3f} s "
              f"(process CPU {protect_cpu:.3f} s) and query, tables and page {first_byte - protect_wall:.3f} s; then "
              f"{rows / streaming if streaming > 0 else float('inf'):,.0f} rows/s streaming")
        print(f"  baseline (GROUP BY to CSV, no margins or suppression): {base_rows:,} rows in {base_time:.3f} s = "
              f"{base_rows / base_time:,.0f} rows/s; ratio {elapsed / base_time:.1f}×")


def main() -> None:
    """Load or reuse the data, time the dashboard and the export, print the figures with the baselines."""
    args = arguments()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": args.database,
                      "WTF_CSRF_ENABLED": False, "MFA_REQUIRED_ROLES": ()})
    here = site(app)
    data = prepare(app, args)
    client = signed_in(app, "bench-official@example.com")
    first_page = client.get("/official/")
    assert first_page.status_code == 200, first_page.status_code
    assert b'id="population"' in first_page.data, "the dashboard was refused"
    if not args.no_dashboard:
        dash_median, dash_best, page = timed(lambda: client.get("/official/"), args.repeat)
        with here.engine.connect() as connection:
            base_median, base_best, _ = timed(
                lambda: baseline_dashboard(connection, args.province, data.year, data.first), args.repeat)
    figures = time_exports(client, here.engine, args, data)
    print(f"database: {here.engine.dialect.name}; facts: {data.total:,} ({data.province_rows:,} in province "
          f"{args.province}); period {data.year} (trend from {data.first})")
    if not args.no_dashboard:
        print(f"dashboard, province {args.province}: median {dash_median:.3f} s, best {dash_best:.3f} s "
              f"({len(page.data):,} bytes)")
        print(f"  baseline (the same GROUP BYs as hand-written SQL): median {base_median:.3f} s, best {base_best:.3f} s; "
              f"ratio {dash_median / base_median:.1f}×")
    print_exports(figures, args.export_repeat)


if __name__ == "__main__":
    main()
