"""WSGI entry points: `server` for `gunicorn dashapp.wsgi:server`, and an embedded gunicorn runner."""

from __future__ import annotations

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
    and also opens the warehouse and fills the option lists before the first user arrives."""
    worker.wsgi.test_client().get("/")  # type: ignore[attr-defined]


def run_gunicorn(server: Flask, host: str, port: int, workers: int) -> None:
    # Threads serve concurrent callbacks of one worker; DuckDB reads release the GIL.
    _Gunicorn(server, {"bind": f"{host}:{port}", "workers": workers, "threads": 4, "timeout": 120,
                       "accesslog": None, "post_worker_init": warm_worker}).run()


def __getattr__(name: str) -> Flask:
    # Built on first access, so importing this module (e.g. for run_gunicorn) does not open the warehouse.
    if name == "server":
        return create_app().server
    raise AttributeError(name)
