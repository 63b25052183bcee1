"""How long register, login and forgot-password take to answer for a known and an unknown address.

The answer is timed until the app hands it to the server (as a WSGI server would send it); the work after the
response (mail) runs untimed afterwards, through a mail server made slow on purpose (--mail-ms, default 50 ms per
message) so that sending before answering would show. Prints the median and spread per case, and the known/unknown
ratio; equal work shows as a ratio near 1.
Run: .venv/bin/python bench/enumeration.py [--rounds N] [--mail-ms MS] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from assessment.content.loader import content_root, load_library
from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.services import accounts
from assessment.services.mail import Message
from assessment.web.app import create_app
from assessment.web.site import site
from assessment.web.tenancy import MAIL

KNOWN, UNKNOWN = "owner@example.com", "nobody@example.com"
PASSWORD = "correct horse battery"


class SlowOutbox:
    """A mail server that takes a while for every message."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        """Take the time a remote mail server would."""
        time.sleep(self.seconds)
        self.sent.append(message)


def answer_time(app: Flask, path: str, data: dict[str, str]) -> float:
    """Seconds until the answer is ready; the work after it (mail) runs afterwards, untimed."""
    client = FlaskClient(app)  # not buffered: the response closes after the timing, as a server closes it
    start = time.perf_counter()
    response = client.post(path, data=data)
    elapsed = time.perf_counter() - start
    response.close()
    return elapsed


def main() -> None:
    """Set up one known account, time each case, print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--mail-ms", type=float, default=50.0)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False,
                          "CONTENT_LIBRARY": load_library(content_root()), "RATELIMIT_ENABLED": False,
                          "THROTTLE_FREE_FAILURES": 10 ** 6, "THROTTLE_FREE_FAILURES_BY_KIND": {},
                          "MFA_REQUIRED_ROLES": ()})
        app.extensions[MAIL] = SlowOutbox(args.mail_ms / 1000)
        with site(app).sessions() as session:
            accounts.register(session, KNOWN, accounts.hash_password(PASSWORD), "zh_CN")
            session.commit()
        cases: list[tuple[str, Callable[[str, int], tuple[str, dict[str, str]]]]] = [
            ("register", lambda email, n: ("/auth/register", {"email": email if email == KNOWN else f"new{n}@x.cn",
                                                              "password": "another passphrase 7",
                                                              "confirm": "another passphrase 7"})),
            ("login (wrong password)", lambda email, n: ("/auth/login", {"email": email,
                                                                         "password": "wrong password 1"})),
            ("forgot password", lambda email, n: ("/account/password/forgot", {"email": email})),
        ]
        print(f"{'case':<24} {'known ms':>10} {'unknown ms':>11} {'ratio':>7}   (median of {args.rounds}; "
              f"mail {args.mail_ms:.0f} ms, after the answer)")
        for label, make in cases:
            times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
            for n in range(args.rounds):
                for email in (KNOWN, UNKNOWN) if n % 2 else (UNKNOWN, KNOWN):
                    path, data = make(email, n)
                    times[email].append(answer_time(app, path, data))
            known, unknown = (statistics.median(times[e]) * 1000 for e in (KNOWN, UNKNOWN))
            print(f"{label:<24} {known:>10.1f} {unknown:>11.1f} {known / unknown:>7.2f}")
        site(app).engine.dispose()


if __name__ == "__main__":
    main()
