"""The background worker: an adapter like the web and the command line, taking job ids from a huey queue and
running them through the services (docs/deploy.md: the worker's systemd unit)."""
