"""WSGI entry points: `server` for `gunicorn dashapp.wsgi:server`, and an embedded gunicorn runner, whose master
process also runs the due scheduled reports and alerts every minute (start_scheduler)."""

from __future__ import annotations

import subprocess
import sys
import threading

from flask import Flask
from gunicorn.app.base import BaseApplication

from dashapp.app import create_app


class _Gunicorn(BaseApplication):
    def __init__(self, application: Flask, options: dict[str, object]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def warm_worker(worker: object) -> None:
    """Serve the page once inside a new worker before it accepts requests.

    Dash registers its script paths on a worker's first request, and with threaded workers a browser's
    parallel script requests can arrive while that first request is still running: they then fail with
    "dash is not a registered library" (HTTP 500, a blank page). One request in advance closes the race
    and also opens the warehouse and fills the option lists before the first user arrives. The request is marked
    as the server's own (a WSGI environ key no HTTP client can set), so that with sign-in on the gate lets it
    through rather than redirecting it to /login."""
    from dashapp.auth.gate import WARMUP_ENVIRON_KEY

    worker.wsgi.test_client().get("/", environ_overrides={WARMUP_ENVIRON_KEY: True})  # type: ignore[attr-defined]
    prepare_reports(worker.wsgi)  # type: ignore[attr-defined]


def prepare_reports(server: Flask) -> threading.Thread | None:
    """Make the reports ready in the background (reports/ready.py) unless CUSTOMER_INSIGHT_REPORTS_READY=off: the
    worker serves the dashboard meanwhile, and a report asked for in those seconds shares what is being started."""
    from config.settings import load_settings
    from reports.ready import prepare

    if not load_settings().reports_ready:
        return None
    thread = threading.Thread(target=prepare, args=(server.config["WAREHOUSE_READER"],), name="reports-ready",
                              daemon=True)
    thread.start()
    return thread


SCHEDULER_INTERVAL_S = 60
SCHEDULER_RUN_TIMEOUT_S = 30 * 60  # a run stuck longer (a hung SMTP server) is killed; the next one retries


def start_scheduler(arbiter: object) -> threading.Thread | None:
    """gunicorn's when_ready hook: run `customer-insight schedule run` every minute from the master process, so
    once per server whatever the number of workers (CUSTOMER_INSIGHT_SCHEDULER=off: not at all, for a server
    whose reports are sent by cron or by another server).

    Each run is a child process, not a call in this thread: the master forks the workers, and a fork while this
    thread held a lock inside DuckDB, SQLite or Chromium's driver would leave a worker hung; a child process also
    keeps the master small and a crash of a run away from the server. Runs do not overlap (one at a time here),
    and the claims in the app database keep other runners (cron, other servers) from sending twice."""
    from config.settings import load_settings

    log = arbiter.log  # type: ignore[attr-defined]
    try:
        enabled = load_settings().scheduler
    except ValueError as exc:
        log.error("scheduler not started: %s", exc)
        return None
    if not enabled:
        log.info("scheduler off (CUSTOMER_INSIGHT_SCHEDULER=off): scheduled reports and alerts are not run here")
        return None
    thread = threading.Thread(target=_scheduler_loop, args=(log,), name="customer-insight-scheduler", daemon=True)
    thread.start()
    log.info("scheduler started: due reports and alerts are run every %s s", SCHEDULER_INTERVAL_S)
    return thread


def _scheduler_loop(log: object, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    command = [sys.executable, "-m", "cli.main", "schedule", "run"]
    last_errors = ""
    while not stop.is_set():
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=SCHEDULER_RUN_TIMEOUT_S)
            for line in done.stdout.splitlines():
                log.info("scheduler: %s", line)  # type: ignore[attr-defined]
            # the same error every minute (e.g. email not configured) is logged once, until it changes
            if done.stderr != last_errors:
                for line in done.stderr.splitlines():
                    log.warning("scheduler: %s", line)  # type: ignore[attr-defined]
            last_errors = done.stderr
        except Exception:  # never let the thread die: the next minute tries again
            log.exception("scheduler: the run failed")  # type: ignore[attr-defined]
        stop.wait(SCHEDULER_INTERVAL_S)


KEEPALIVE_S = 30


def run_gunicorn(server: Flask, host: str, port: int, workers: int) -> None:
    # Threads serve concurrent callbacks of one worker; DuckDB reads release the GIL. Keep-alive longer than a
    # user's pause between clicks: with gunicorn's 2 s default the server closed idle connections just as the
    # browser reused them, and the load test saw 10-60 requests a minute lost and sent again.
    # No control socket (gunicorn >= 25): its default path ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl) is one for
    # every server of the user, so each new server took it from the one before; servers are stopped by signal.
    _Gunicorn(server, {"bind": f"{host}:{port}", "workers": workers, "threads": 4, "timeout": 120,
                       "keepalive": KEEPALIVE_S, "accesslog": None, "post_worker_init": warm_worker,
                       "when_ready": start_scheduler, "control_socket_disable": True}).run()


def __getattr__(name: str) -> Flask:
    # Built on first access, so importing this module (e.g. for run_gunicorn) does not open the warehouse.
    if name == "server":
        return create_app().server
    raise AttributeError(name)
