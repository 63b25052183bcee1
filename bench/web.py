"""Web throughput and latency under gunicorn: a questionnaire page and saving a step, beside a trivial route.

The bench migrates a database (a throw-away SQLite file by default, or --database-url, e.g. a PostgreSQL made by
scripts/with-postgres), starts `gunicorn -w 2 -k sync "assessment.web.app:create_app()"` on a free port of
127.0.0.1 (printed in full) and stops it again by its PID. Sync workers are what docs/deploy.md runs behind nginx:
a sync worker answers one request per connection and closes it, so each request here is a new connection, as
nginx's requests to it are. A free sync worker takes the next connection from the shared listen queue, so the
two workers share the clients evenly. The gthread worker (`--worker-class gthread`) keeps connections alive but
accepts new ones even while its one request thread is busy (gunicorn issues #2191, #3433): with 20 long-lived
connections one worker ends up serving most clients and their latency is several times the others'
(the "client p50 range" column shows it; docs/web.md, Performance).

Each of the 20 clients (threads spread over a few processes, http.client, which keeps a connection alive where
the server does and opens a new one where the server closed it) has its own browser session and draft, made
through the real pages (start, profile) with the CSRF token, and then for a fixed time
  1. GETs /health — the trivial route, the baseline;
  2. GETs its draft's first wizard step (questionnaire page);
  3. POSTs that step with the CSRF token and the draft version, alternating two valid answer sets so that every
     save writes.
The scenarios take turns (--rounds, 5 by default, each for a fifth of --seconds), so that load from other work on
the machine falls on all three alike. Prints requests per second, latency percentiles (p50/p95/p99), errors, and
the CPU seconds the server and the clients used (and, on PostgreSQL, the database server's processes on this
machine, which share its cores with gunicorn), then each scenario's throughput as a share of the trivial route's
and whether the goal is met: p95 under 50 ms, no errors. The share of the trivial route's throughput is reported,
not a goal.

`--scenarios mixed` is the load check of docs/security.md: every client cycles through step pages, saves, its
result page and, one request in 200, its PDF report (each client first gets a submitted worked example, opened by
its resume link); any error is printed.

Run: .venv/bin/python bench/web.py [--seconds 10] [--rounds 5] [--clients 20] [--workers 2] [--database-url URL]
     .venv/bin/python bench/web.py --scenarios mixed --seconds 60 --rounds 1     (the 60 s load check)
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path

from gunicorn_server import database_cpu, free_port, gunicorn_command, server_cpu, stop, wait_until_up
from load_client import Client

from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.domain.enterprise import uscc_check_character

ROOT = Path(__file__).resolve().parents[1]
USCC = "91110108MA01B2C3X" + uscc_check_character("91110108MA01B2C3X")
PROFILE = {
    "name": "北京精工机械有限公司", "uscc": USCC, "province": "110000", "city": "110100",
    "county": "110108", "section": "C", "division": "34", "employees": "120", "revenue_10k_cny": "8000",
    "zhuanjingtexin": "none",
}
STEP = "foundation"
ANSWER_SETS = (
    {"Q1": ["B", "C"], "Q2-total_devices": "100", "Q2-digitized_devices": "50", "Q3-networked_devices": "30",
     "Q4": ["B", "D", "F"], "Q5": "D", "Q6": ["B"], "Q7": ["C"]},
    {"Q1": ["B"], "Q2-total_devices": "100", "Q2-digitized_devices": "60", "Q3-networked_devices": "40",
     "Q4": ["C", "G"], "Q5": "C", "Q6": ["C"], "Q7": ["B", "C"]},
)
GOAL_P95_MS = 50.0


@dataclass
class Visitor:
    """One client's browser session: its cookie, CSRF token, draft and the draft's version."""

    cookie: str
    token: str
    assessment_id: int
    version: int
    result_id: int = 0
    """A submitted assessment this session opened by its resume link (the mixed scenario's results and PDF)."""


@dataclass
class Tally:
    """What one client thread measured."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        """Count a failed request by its kind (status or exception)."""
        self.errors[kind] = self.errors.get(kind, 0) + 1


def _version(page: str) -> int:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match is not None, page[:500]
    return int(match[1])


def make_visitor(port: int) -> Visitor:
    """Start a draft through the real pages (start page, start, link page, profile) and return its session."""
    client = Client(port)
    status, page, _ = client.request("GET", "/")
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert status == 200 and match is not None, (status, page[:500])
    token = match[1]
    status, _, location = client.request("POST", "/assess/start", {"questionnaire": "miit-2024", "csrf_token": token})
    assert status == 303, status
    assessment_id = int(location.rstrip("/").split("/")[-2])
    client.request("GET", location)
    status, page, _ = client.request("GET", f"/assess/{assessment_id}/profile")
    form = {**PROFILE, "csrf_token": token, "version": _version(page), "action": "next"}
    status, page, _ = client.request("POST", f"/assess/{assessment_id}/profile", form)
    assert status == 303, (status, page[:2000])
    status, page, _ = client.request("GET", f"/assess/{assessment_id}/step/{STEP}")
    assert status == 200, status
    return Visitor(client.cookie, token, assessment_id, _version(page))


Scenario = Callable[[Client, Visitor, int], str | None]


def trivial(client: Client, _visitor: Visitor, _n: int) -> str | None:
    """GET /health."""
    status, body, _ = client.request("GET", "/health")
    return None if status == 200 and body == "ok\n" else str(status)


def questionnaire_page(client: Client, visitor: Visitor, _n: int) -> str | None:
    """GET the draft's wizard step."""
    status, _, _ = client.request("GET", f"/assess/{visitor.assessment_id}/step/{STEP}")
    return None if status == 200 else str(status)


def save_step(client: Client, visitor: Visitor, n: int) -> str | None:
    """POST the step with the other answer set than the one saved, so the save writes; 303 to the next step.

    The set follows the version's parity: each save writes one set and counts the version up, so the next save
    sends the other one, also in a later round whose clients start from the version read again.
    """
    form = {**ANSWER_SETS[visitor.version % 2], "csrf_token": visitor.token, "version": visitor.version,
            "action": "next"}
    status, page, _ = client.request("POST", f"/assess/{visitor.assessment_id}/step/{STEP}", form)
    if status == 303:
        visitor.version += 1
        return None
    if status == 409:  # cannot happen with one draft per client; keep going with the version the page carries
        visitor.version = _version(page)
    return str(status)


def mixed(client: Client, visitor: Visitor, n: int) -> str | None:
    """What a busy site serves: step pages, saves, result pages and now and then a PDF report (1 in 200)."""
    turn = n % 200
    if turn == 199:
        status, body, _ = client.request("GET", f"/results/{visitor.result_id}/report.pdf")
        return None if status == 200 and body.startswith("%PDF") else f"pdf {status}"
    if turn % 10 in (7, 8):
        status, _, _ = client.request("GET", f"/results/{visitor.result_id}")
        return None if status == 200 else f"results {status}"
    if turn % 10 in (4, 5, 6):
        problem = save_step(client, visitor, n)
        return None if problem is None else f"save {problem}"
    problem = questionnaire_page(client, visitor, n)
    return None if problem is None else f"page {problem}"


SCENARIOS: dict[str, Scenario] = {"trivial": trivial, "page": questionnaire_page, "save": save_step, "mixed": mixed}
DEFAULT_SCENARIOS = ["trivial", "page", "save"]


def seed_results(url: str, port: int, visitors: list[Visitor]) -> None:
    """Give each visitor a submitted self-assessment (the reference's worked example), opened by its resume link."""
    import json
    from fractions import Fraction

    from assessment.content.loader import content_root, load_library
    from assessment.db import queries
    from assessment.db.engine import session_factory
    from assessment.domain.enterprise import EnterpriseProfile
    from assessment.services import assessments

    library = load_library(content_root())
    questionnaire = library.questionnaire("miit-2024")
    model = library.default_model("miit-2024")
    document = json.loads((ROOT / "tests" / "fixtures" / "miit-2024-worked-example.json").read_text(encoding="utf-8"))
    engine = make_engine(url)
    sessions = session_factory(engine)
    tokens = []
    with sessions() as session:
        for n, _visitor in enumerate(visitors):
            body = f"9111010{n:03d}MA01B2C"
            profile = EnterpriseProfile(name=f"演示企业 {n}（压测生成）", uscc=body + uscc_check_character(body),
                                        region_code="110108", industry_code="3411", employees=120,
                                        revenue_10k_cny=Fraction(8000), consent_statistics=True)
            started = assessments.start(session, questionnaire, model)
            queries.link_enterprise(session, started.record.id, queries.add_profile(session, profile, None))
            version = queries.save_draft(session, started.record.id, started.record.version, document["answers"],
                                         document.get("data", {}))
            assert version is not None
            assessments.submit(session, questionnaire, model, started.record.id, version)
            tokens.append((started.record.id, started.token))
        session.commit()
    engine.dispose()
    for visitor, (assessment_id, token) in zip(visitors, tokens, strict=True):
        client = Client(port, visitor.cookie)
        status, _, _ = client.request("GET", f"/resume/{token}")
        assert status in (200, 302, 303), status
        status, _, _ = client.request("GET", f"/results/{assessment_id}")
        assert status == 200, f"results {status}"
        visitor.cookie, visitor.result_id = client.cookie, assessment_id


def _client_thread(port: int, visitor: Visitor, scenario: Scenario, warmup_until: float, until: float,
                   limit: int, tally: Tally) -> None:
    client = Client(port, visitor.cookie)
    n = 0
    while True:
        start = time.perf_counter()
        if start >= until or len(tally.latencies) >= limit:
            break
        try:
            problem = scenario(client, visitor, n)
        except (OSError, http.client.HTTPException) as error:
            problem = type(error).__name__
            client.close()
        elapsed = time.perf_counter() - start
        n += 1
        if start < warmup_until:
            continue
        if problem is None:
            tally.latencies.append(elapsed)
        else:
            tally.error(problem)


def _client_process(port: int, visitors: list[Visitor], name: str, warmup: float, seconds: float, limit: int,
                    out: Queue[tuple[list[float], dict[str, int], float, list[float]]]) -> None:
    sys.setswitchinterval(0.0005)  # short GIL turns: a thread back from the network does not wait a default turn
    cpu = time.process_time()
    now = time.perf_counter()
    tallies = [Tally() for _ in visitors]
    threads = [threading.Thread(target=_client_thread, args=(port, v, SCENARIOS[name], now + warmup,
                                                             now + warmup + seconds, limit, t))
               for v, t in zip(visitors, tallies, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors: dict[str, int] = {}
    for tally in tallies:
        for kind, count in tally.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    medians = [sorted(t.latencies)[len(t.latencies) // 2] for t in tallies if t.latencies]
    out.put(([x for t in tallies for x in t.latencies], errors, time.process_time() - cpu, medians))


@dataclass(frozen=True)
class Result:
    """One scenario's figures."""

    name: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: dict[str, int]
    server_cpu: float
    client_cpu: float
    client_medians: tuple[float, float]
    """The lowest and highest median latency of one client (seconds): how evenly the server serves them."""
    database_cpu: float = 0.0
    """CPU seconds of a local PostgreSQL server's processes (0 for SQLite, which runs in the workers)."""

    @property
    def rps(self) -> float:
        """Successful requests per second."""
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        """A latency percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1000


def merged(parts: list[Result]) -> Result:
    """One scenario's figures over several rounds."""
    medians = [m for r in parts for m in r.client_medians]
    errors: dict[str, int] = {}
    for r in parts:
        for kind, count in r.errors.items():
            errors[kind] = errors.get(kind, 0) + count
    return Result(parts[0].name, sum(r.requests for r in parts), sum(r.seconds for r in parts),
                  [x for r in parts for x in r.latencies], errors, sum(r.server_cpu for r in parts),
                  sum(r.client_cpu for r in parts), (min(medians), max(medians)), sum(r.database_cpu for r in parts))


def refresh_versions(port: int, visitors: list[Visitor]) -> None:
    """Read each draft's version again (a save round's clients counted it up in their own processes)."""
    for visitor in visitors:
        status, page, _ = Client(port, visitor.cookie).request("GET", f"/assess/{visitor.assessment_id}/step/{STEP}")
        assert status == 200, status
        visitor.version = _version(page)


def run_scenario(name: str, port: int, pid: int, visitors: list[Visitor], processes: int, warmup: float,
                 seconds: float, limit: int, postgres: bool = False) -> Result:
    """Drive one scenario with every client for `seconds` after `warmup`; the merged figures."""
    context = multiprocessing.get_context("fork")
    out: Queue[tuple[list[float], dict[str, int], float, list[float]]] = context.Queue()
    groups = [visitors[i::processes] for i in range(processes)]
    workers = [context.Process(target=_client_process, args=(port, g, name, warmup, seconds, limit, out))
               for g in groups if g]
    for worker in workers:
        worker.start()
    time.sleep(warmup)
    cpu_before, database_before = server_cpu(pid), database_cpu() if postgres else 0.0
    parts = [out.get(timeout=warmup + seconds + 120) for _ in workers]
    cpu_after, database_after = server_cpu(pid), database_cpu() if postgres else 0.0
    for worker in workers:
        worker.join(timeout=30)
    latencies = [x for part in parts for x in part[0]]
    errors: dict[str, int] = {}
    for part in parts:
        for kind, count in part[1].items():
            errors[kind] = errors.get(kind, 0) + count
    medians = sorted(m for part in parts for m in part[3])
    return Result(name, len(latencies), seconds, latencies, errors, cpu_after - cpu_before, sum(p[2] for p in parts),
                  (medians[0], medians[-1]) if medians else (float("nan"), float("nan")), database_after - database_before)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per scenario")
    parser.add_argument("--rounds", type=int, default=5,
                        help="the scenarios take turns this many times, each for seconds/rounds")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured time before each scenario")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--client-processes", type=int, default=4, help="processes the client threads are spread over")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="request threads per gunicorn worker (gthread)")
    parser.add_argument("--keep-alive", type=int, default=2, help="gunicorn keep-alive seconds (gthread; sync workers always close)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per client and scenario")
    parser.add_argument("--gunicorn-arg", action="append", default=[], metavar="ARG",
                        help="one more gunicorn argument, e.g. --gunicorn-arg=--config=FILE (repeatable)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a throw-away SQLite file)")
    parser.add_argument("--scenarios", nargs="+", default=DEFAULT_SCENARIOS, choices=list(SCENARIOS),
                        help="'mixed' is the load check: pages, saves, results and a PDF now and then, 0 errors expected")
    return parser.parse_args()


def measure(args: argparse.Namespace, port: int, pid: int, visitors: list[Visitor], dialect: str) -> dict[str, Result]:
    """Every scenario's figures over the interleaved rounds."""
    processes = max(1, min(args.client_processes, args.clients))
    print(f"{args.clients} clients in {processes} processes, {dialect}, {args.seconds:g} s per scenario in "
          f"{args.rounds} interleaved rounds after {args.warmup:g} s warm-up, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at start")
    rounds: dict[str, list[Result]] = {name: [] for name in args.scenarios}
    for n in range(args.rounds):  # interleaved, so that other load on the machine hits every scenario alike
        for name in args.scenarios:
            if name in ("save", "mixed"):
                refresh_versions(port, visitors)
            rounds[name].append(run_scenario(name, port, pid, visitors, processes,
                                             args.warmup if n == 0 else min(args.warmup, 0.5),
                                             args.seconds / args.rounds, args.max_requests,
                                             dialect.startswith("postgresql")))
    return {name: merged(parts) for name, parts in rounds.items()}


def report(results: dict[str, Result], postgres: bool) -> None:
    """Print each scenario's figures, then the page's and the save's against the goal."""
    print(f"{'scenario':<10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'requests':>9} "
          f"{'errors':>7} {'server CPU ms/req':>18} {'client CPU ms/req':>18} {'client p50 range ms':>20}"
          + (f" {'database CPU ms/req':>20}" if postgres else ""))
    for r in results.values():
        per = max(r.requests, 1)
        print(f"{r.name:<10} {r.rps:8.0f} {r.percentile(50):8.1f} {r.percentile(95):8.1f} "
              f"{r.percentile(99):8.1f} {r.requests:9d} {sum(r.errors.values()):7d} "
              f"{r.server_cpu / per * 1000:18.2f} {r.client_cpu / per * 1000:18.2f} "
              f"{r.client_medians[0] * 1000:9.1f}–{r.client_medians[1] * 1000:<10.1f}"
              + (f" {r.database_cpu / per * 1000:20.2f}" if postgres else "")
              + (f"  {r.errors}" if r.errors else ""))
    base = results.get("trivial")
    for name in ("page", "save"):
        found = results.get(name)
        if found is None:
            continue
        share = found.rps / base.rps if base and base.rps else float("nan")
        ok = found.percentile(95) < GOAL_P95_MS and not found.errors
        print(f"{name}: {share:.0%} of the trivial route's throughput, p95 {found.percentile(95):.1f} ms "
              f"(goal p95 < {GOAL_P95_MS:.0f} ms): {'met' if ok else 'NOT met'}")


def main() -> None:
    """Start gunicorn, run the three scenarios, print the figures, stop gunicorn."""
    args = _arguments()
    Client.half_close = args.worker_class == "sync"
    with tempfile.TemporaryDirectory(prefix="bench-web-") as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        port = free_port()
        log = Path(scratch) / "gunicorn.log"
        env = {**os.environ, "ASSESSMENT_DATABASE_URL": url, "ASSESSMENT_SECRET_KEY": "bench-" + os.urandom(8).hex(),
               "ASSESSMENT_COOKIE_SECURE": "false",
               "ASSESSMENT_RESUME_RATE_LIMIT": "1000 per minute"}  # the mixed scenario opens 20 resume links at once
        command = gunicorn_command(args, port, log)
        with log.open("w") as handle:
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
        try:
            wait_until_up(port, server, log)
            visitors = [make_visitor(port) for _ in range(args.clients)]
            if "mixed" in args.scenarios:
                seed_results(url, port, visitors)
            dialect = url.split(":", 1)[0]
            print(" ".join(["gunicorn", *command[1:]]))
            report(measure(args, port, server.pid, visitors, dialect), dialect.startswith("postgresql"))
            print(f"load average at the end {os.getloadavg()[0]:.1f}")
        finally:
            stop(server)


if __name__ == "__main__":
    main()
