"""`python -m assessment.jobs`: a worker that runs queued jobs until stopped (SIGINT or SIGTERM ends it cleanly).

On start it queues again the jobs whose worker died mid-job (no heartbeat for JOB_STALE_SECONDS), so a killed
worker's job is resumed by the next one.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

from assessment.jobs.queue import JobQueue
from assessment.web.app import create_app

JOBS_EXTENSION = "assessment.jobs"


def main(argv: Sequence[str] | None = None) -> int:
    """Run a worker with the app's configuration (ASSESSMENT_* environment variables)."""
    parser = argparse.ArgumentParser(prog="python -m assessment.jobs", description=__doc__)
    parser.add_argument("--workers", type=int, default=1, help="jobs run at once by this process (default 1)")
    parser.add_argument("--worker-type", choices=("thread", "process"), default="thread")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # one line per job, not per page
    app = create_app()
    queue: JobQueue = app.extensions[JOBS_EXTENSION]
    queue.tidy()
    consumer = queue.huey.create_consumer(workers=max(1, options.workers), worker_type=options.worker_type)
    consumer.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
