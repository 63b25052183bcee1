"""Server-side time of hostile number input, before and after the bound (issue 12, item 3).

Before: the number reader as it was (`Fraction(Decimal(text))` on whatever was typed, commas removed) on the
payloads; an exponent of 20,000,000 (the 80-byte request that held a worker for about a minute) takes that long
again here, so it is measured only with --full, and the smaller exponents show how the time grows.
After: the one parser (assessment.domain.numbers) on the same payloads, and whole requests through the app
in-process (Flask test client, a throw-away SQLite database): a wizard step with the figure set to each payload,
a profile with it as the number of employees, and a body over the size limit. Each figure is the median of
--repeats requests.

Run: .venv/bin/python bench/hostile.py [--repeats 20] [--full]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from assessment.db.engine import make_engine
from assessment.db.migrate import upgrade
from assessment.domain.enterprise import uscc_check_character
from assessment.domain.numbers import read_decimal
from assessment.web.app import create_app

USCC = "91110108MA01B2C3X" + uscc_check_character("91110108MA01B2C3X")
PROFILE = {
    "name": "北京精工机械有限公司", "uscc": USCC, "province": "110000", "city": "110100", "county": "110108",
    "section": "C", "division": "34", "employees": "120", "revenue_10k_cny": "8000", "zhuanjingtexin": "none",
}
FOUNDATION = {"Q1": ["B", "C"], "Q2-total_devices": "100", "Q2-digitized_devices": "50", "Q3-networked_devices": "30",
              "Q4": ["B", "D", "F"], "Q5": "D", "Q6": ["B"], "Q7": ["C"]}
PAYLOADS = {
    "120 (valid)": "120",
    "1e20000": "1e20000",
    "1e200000": "1e200000",
    "1e2000000": "1e2000000",
    "1e20000000": "1e20000000",
    "400 digits": "9" * 400,
    "Infinity": "Infinity",
    "NaN": "NaN",
    "500,000 digits": "9" * 500_000,
}
MEGABYTE = "9" * 1_000_000
FULL_ONLY = ("1e20000000", "500,000 digits")
"""Payloads the old reader takes a minute or more on: timed with --full only (500,000 digits fit the body limit)."""


def old_reader(raw: str) -> Fraction | None:
    """The number reader before the bound (domain/answers.to_fraction at c604a83), for strings."""
    text = raw.strip().replace(",", "")
    if not text:
        return None
    try:
        if "/" in text:
            return Fraction(text)
        return Fraction(Decimal(text))
    except (InvalidOperation, ValueError, ZeroDivisionError, OverflowError):
        return None


def seconds(run: Callable[[], Any], repeats: int) -> float:
    """The median time of run()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def shown(value: float) -> str:
    """Seconds as a readable figure."""
    return f"{value * 1e3:10.3f} ms" if value < 1 else f"{value:10.2f} s "


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--full", action="store_true", help="also time 1e20000000 with the old reader (about a minute)")
    args = parser.parse_args()

    print("Number reader alone (per value)")
    print(f"{'payload':<16} {'before':>13} {'after':>13}")
    for label, text in [*PAYLOADS.items(), ("1 MB of digits", MEGABYTE)]:
        heavy = len(text) >= 9
        if (label in FULL_ONLY or text is MEGABYTE) and not args.full:
            before = "(--full)"
        else:
            before = shown(seconds(lambda t=text: old_reader(t), 1 if heavy else args.repeats))
        after = shown(seconds(lambda t=text: read_decimal(t), args.repeats))
        print(f"{label:<16} {before:>13} {after:>13}")

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False,
                          "RESUME_RATE_LIMIT": "100000 per minute"})
        client = app.test_client()
        started = client.post("/assess/start", data={"questionnaire": "miit-2024"})
        match = re.fullmatch(r"/assess/(\d+)/link", started.headers["Location"])
        assert match is not None
        draft = int(match[1])

        def version() -> str:
            page = client.get(f"/assess/{draft}/profile").get_data(as_text=True)
            found = re.search(r'name="version" value="(\d+)"', page)
            assert found is not None
            return found[1]

        assert client.post(f"/assess/{draft}/profile", data={**PROFILE, "version": version()}).status_code == 303
        current = version()
        assert client.post(f"/assess/{draft}/step/foundation", data={**FOUNDATION, "version": current}).status_code == 303
        print("\nWhole requests after the bound (in-process test client, SQLite; median)")
        print(f"{'payload':<16} {'step figure':>13} {'employees':>13}")
        for label, text in PAYLOADS.items():
            current = version()
            step = seconds(lambda t=text, v=current: client.post(f"/assess/{draft}/step/foundation", data={
                **FOUNDATION, "Q2-total_devices": t, "version": v}).close(), args.repeats)
            current = version()
            profile = seconds(lambda t=text, v=current: client.post(f"/assess/{draft}/profile", data={
                **PROFILE, "employees": t, "version": v}).close(), args.repeats)
            print(f"{label:<16} {shown(step):>13} {shown(profile):>13}")
        current = version()
        big = seconds(lambda: client.post(f"/assess/{draft}/step/foundation", data={
            **FOUNDATION, "Q2-total_devices": MEGABYTE, "version": current}).close(), args.repeats)
        print(f"{'1 MB string':<16} {shown(big):>13} {'(413)':>13}")


if __name__ == "__main__":
    main()
