"""The gunicorn server of bench/web.py: its command line, start-up, stop, and the CPU it and PostgreSQL use."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from load_client import HOST, Client

GUNICORN = Path(sys.executable).parent / "gunicorn"


def gunicorn_command(args: argparse.Namespace, port: int, log: Path) -> list[str]:
    """The gunicorn command line the bench serves the app with."""
    return [str(GUNICORN), "-w", str(args.workers), "-k", args.worker_class, "--threads", str(args.threads),
            "--keep-alive", str(args.keep_alive), "-b", f"{HOST}:{port}", "--backlog", "256", "--error-logfile",
            str(log), *args.gunicorn_arg, "assessment.web.app:create_app()"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_until_up(port: int, server: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    """Poll /health until gunicorn answers (or fail with its log)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            if Client(port).request("GET", "/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{log.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn by its PID: TERM (graceful), then KILL if it lingers."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the gunicorn master and its workers (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def database_cpu() -> float:
    """CPU seconds used so far by the processes of a PostgreSQL server on this machine (its backends serve the app)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, tail = stat.read_text().rpartition(")")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if head.endswith("(postgres"):
            fields = tail.split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total
