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


def run_gunicorn(server: Flask, host: str, port: int, workers: int) -> None:
    # Threads serve concurrent callbacks of one worker; DuckDB reads release the GIL.
    _Gunicorn(server, {"bind": f"{host}:{port}", "workers": workers, "threads": 4, "timeout": 120,
                       "accesslog": None}).run()


def __getattr__(name: str) -> Flask:
    # Built on first access, so importing this module (e.g. for run_gunicorn) does not open the warehouse.
    if name == "server":
        return create_app().server
    raise AttributeError(name)
