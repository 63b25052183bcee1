"""No token or secret in an access log: gunicorn's access log (through ScrubbingLogger) and the development
server's request log (werkzeug's logger, filtered) show "[redacted]" where a link's token or a code was."""

from __future__ import annotations

import http.client
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask
from world import PASSWORD, World

from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.web.access_log import REDACTED, REQUEST_LOG_FILTER, scrub

GUNICORN = Path(sys.executable).parent / "gunicorn"
TOKEN = "Zm9vYmFyLXNlY3JldC10b2tlbi0xMjM0NTY3ODkw"


@pytest.mark.parametrize("path", [
    f"/resume/{TOKEN}", f"/invitation/{TOKEN}", f"/account/verify/{TOKEN}", f"/account/password/reset/{TOKEN}",
    f"/respond/link/{TOKEN}", f"/resume/{TOKEN}/", f"/auth/login?next=%2Finvitation%2F{TOKEN}",
    f"/phone/verify?code=123456&token={TOKEN}", f"/x?Token={TOKEN}#top",
])
def test_tokens_and_codes_are_redacted(path: str) -> None:
    line = f"GET {path} HTTP/1.1"
    scrubbed = scrub(line)
    assert TOKEN not in scrubbed and "123456" not in scrubbed and REDACTED in scrubbed
    assert scrubbed.startswith("GET /") and scrubbed.endswith(" HTTP/1.1")


def test_a_referer_url_is_scrubbed_and_other_paths_are_left_alone() -> None:
    assert scrub(f"https://example.gov.cn/account/password/reset/{TOKEN}") == \
        f"https://example.gov.cn/account/password/reset/{REDACTED}"
    for plain in ("/assess/12/steps/foundation", "/results/7/report.pdf", "/resume", "/official/?period=20253&by=region",
                  "-", ""):
        assert scrub(plain) == plain
    assert scrub(scrub(f"/resume/{TOKEN}")) == f"/resume/{REDACTED}"


def test_the_development_request_log_is_filtered(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("werkzeug")
    assert REQUEST_LOG_FILTER in logger.filters, "create_app installs the filter"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        # what werkzeug's WSGIRequestHandler.log_request logs for a request
        logger.info('127.0.0.1 - - [08/Dec/2026 10:00:00] "%s" %s %s', f"GET /invitation/{TOKEN} HTTP/1.1", "303", "-")
        logger.info(f'127.0.0.1 - - [08/Dec/2026 10:00:00] "GET /account/verify/{TOKEN}?code=654321 HTTP/1.1" 200 -')
    assert TOKEN not in caplog.text and "654321" not in caplog.text
    assert f"/invitation/{REDACTED}" in caplog.text and f"/account/verify/{REDACTED}" in caplog.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_gunicorns_access_log_has_no_token(tmp_path: Path) -> None:
    database = tmp_path / "assessment.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()
    access, errors = tmp_path / "access.log", tmp_path / "error.log"
    port = _free_port()
    env = {**os.environ, "ASSESSMENT_DATABASE_URL": f"sqlite:///{database}", "ASSESSMENT_SECRET_KEY": "log test",
           "ASSESSMENT_COOKIE_SECURE": "false"}
    server = subprocess.Popen(
        [str(GUNICORN), "-w", "1", "-b", f"127.0.0.1:{port}", "--logger-class",
         "assessment.web.access_log.ScrubbingLogger", "--access-logfile", str(access), "--error-logfile", str(errors),
         "--access-logformat", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s %({cookie}i)s', "assessment.web.wsgi:app"],
        env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(port, "/health", {})
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, errors.read_text(errors="replace")
                time.sleep(0.2)
        headers = {"Referer": f"http://127.0.0.1:{port}/account/password/reset/{TOKEN}",
                   "Cookie": f"session={TOKEN}"}
        assert _get(port, f"/resume/{TOKEN}", headers) in (303, 404)
        assert _get(port, f"/invitation/{TOKEN}?code=987654", headers) in (303, 404)
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = access.read_text(encoding="utf-8")
    assert f"/resume/{REDACTED}" in log and f"/invitation/{REDACTED}" in log, log
    assert TOKEN not in log and "987654" not in log


# --- tokens leave the address at once ---------------------------------------------------------------------------

def test_a_reset_link_goes_on_to_a_page_without_its_token(world: World) -> None:
    world.member("enterprise", "owner@example.com", password=PASSWORD)
    client = world.app.test_client()
    client.post("/account/password/forgot", data={"email": "owner@example.com"})
    found = re.search(r"http://localhost(/account/password/reset/(\S+))", world.outbox.sent[-1].body)
    assert found is not None
    link, token = found[1], found[2]
    opened = client.get(link)
    assert opened.status_code == 303 and opened.headers["Location"] == "/account/password/reset"
    page = client.get("/account/password/reset")
    assert page.status_code == 200 and token not in page.text
    assert 'action="/account/password/reset"' in page.text
    chosen = "a brand new passphrase 2026"
    assert client.post("/account/password/reset", data={"password": chosen, "confirm": chosen}).status_code == 303
    assert client.get("/account/password/reset").status_code == 400, "the token is spent and forgotten"
    assert world.app.test_client().get("/account/password/reset").status_code == 400


def test_an_invitation_link_goes_on_to_a_page_without_its_token(world: World) -> None:
    organisation = world.organisation("济南数智服务")
    staff = world.client(world.member("provider_staff", organisation_id=organisation))
    assert staff.post("/provider/invitations", data={"note": "北京精工"}).status_code == 303
    found = re.search(r'id="invitation-link" value="http://localhost(/invitation/([^"]+))"',
                      staff.get("/provider/invitations").text)
    assert found is not None
    link, token = found[1], found[2]
    visitor = world.app.test_client()
    opened = visitor.get(link)
    assert opened.status_code == 303 and opened.headers["Location"] == "/invitation"
    page = visitor.get("/invitation").text
    assert "济南数智服务" in page and token not in page
    assert "next=/invitation" in page.replace("%2F", "/")
    assert world.app.test_client().get("/invitation").status_code == 404, "another browser has no invitation"
    assert visitor.get(f"/invitation/{token[:-2]}xx").status_code == 404
