""""Refresh data": re-run the load of the warehouse in service (the source of its last successful load, or
CUSTOMER_INSIGHT_REFRESH_SOURCE) in a background process, while the dashboard keeps serving the old warehouse.

The load swaps the new warehouse in atomically when it is done (etl.load); readers see the new file at their next
query and every cache is keyed by the warehouse version, so nothing needs invalidating by hand. The state of the
refresh lives in one small JSON file next to the warehouse (data_dir/refresh.json, written atomically), so every
gunicorn worker and every browser sees the same one; the load's own lock keeps two loads from running at once.

`python -m etl.refresh` is the background process: it runs the load and writes the final state itself; a process
killed before that leaves "running" with a dead pid, which reads as failed."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from config.settings import DATA_DIR_ENV, WAREHOUSE_URL_ENV, Settings, load_settings
from warehouse.duck import process_alive

SOURCE_ENV = "CUSTOMER_INSIGHT_REFRESH_SOURCE"
STATUS_FILE = "refresh.json"
LOG_FILE = "refresh.log"


@dataclass
class RefreshState:
    state: str = "idle"  # idle | running | done | failed
    source: str = ""
    started_at: str = ""
    finished_at: str = ""
    message: str = ""
    pid: int = 0


def source_to_refresh(settings: Settings, history: list[dict]) -> Path | None:
    """The folder or mapping file to load: the setting, else the source of the newest successful load."""
    configured = os.environ.get(SOURCE_ENV)
    if configured:
        return Path(configured)
    done = [run for run in history if run.get("status") == "success" and run.get("source")]
    return Path(done[0]["source"]) if done else None  # history is newest first


def read_state(settings: Settings) -> RefreshState:
    path = settings.data_dir / STATUS_FILE
    try:
        state = RefreshState(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return RefreshState()
    if state.state == "running" and not process_alive(state.pid):
        return RefreshState("failed", state.source, state.started_at, "", "the load stopped unexpectedly "
                            f"(see {settings.data_dir / LOG_FILE}); the warehouse in service was not changed", 0)
    return state


# Two clicks at once in one worker (its threads) start one load, not two racing for the state file.
_starting = threading.Lock()


def start_refresh(settings: Settings, history: list[dict]) -> RefreshState:
    """Start the background load unless one is running; returns the state to show."""
    with _starting:
        return _start(settings, history)


def _start(settings: Settings, history: list[dict]) -> RefreshState:
    current = read_state(settings)
    if current.state == "running":
        return current
    source = source_to_refresh(settings, history)
    if source is None or not source.exists():
        return RefreshState("failed", str(source or ""), message=(
            f"no source to refresh from: set {SOURCE_ENV} to the folder (or mapping file) to load"
            if source is None else f"the source of the last load is gone: {source}"))
    # The state first, marked with this server's pid until the load's own is known: a state file that cannot be
    # written stops the refresh here, before any load starts, and another worker polling meanwhile sees "running".
    state = RefreshState("running", str(source), _now(), pid=os.getpid())
    try:
        write_state(settings, state)
    except OSError as exc:
        return RefreshState("failed", str(source), message=(
            f"the refresh state file {settings.data_dir / STATUS_FILE} cannot be written ({exc.strerror or exc}): "
            "the dashboard must be able to write this file and its folder; fix that, then try again. The data in "
            "service was not changed"))
    # the warehouse this server reads, whatever the environment says (settings may have been given in code)
    env = {**os.environ, WAREHOUSE_URL_ENV: settings.warehouse_url, DATA_DIR_ENV: str(settings.data_dir)}
    try:
        with (settings.data_dir / LOG_FILE).open("w") as log:
            process = subprocess.Popen([sys.executable, "-m", "etl.refresh", str(source)], stdout=log,
                                       stderr=subprocess.STDOUT, env=env, start_new_session=True)
    except OSError as exc:  # no log file, or no process: said, and not left "running"
        state.state, state.pid, state.finished_at = "failed", 0, _now()
        state.message = (f"the load could not be started ({exc.strerror or exc}; log {settings.data_dir / LOG_FILE}):"
                         " the data in service was not changed")
        with contextlib.suppress(OSError):
            write_state(settings, state)
        return state
    # the process writes its final state itself; reap it here so that it does not linger as a zombie
    threading.Thread(target=process.wait, daemon=True).start()
    # Its pid, so that a process killed before it writes its own state reads as failed; unless it already wrote
    # one (a final state must not be overwritten with "running").
    if read_state(settings).pid == os.getpid():
        with contextlib.suppress(OSError):
            write_state(settings, replace(state, pid=process.pid))
    return replace(state, pid=process.pid)


def write_state(settings: Settings, state: RefreshState) -> None:
    path = settings.data_dir / STATUS_FILE
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        tmp.write_text(json.dumps(asdict(state)))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):  # no half-written state left behind
            tmp.unlink(missing_ok=True)
        raise


def run(source: Path, settings: Settings | None = None) -> RefreshState:
    """The background process: the load, then its outcome as the final state."""
    from etl.load import LoadError, run_load
    from etl.sources.discover import plan_from_folder, plan_from_mapping
    from etl.sources.errors import SourceError

    settings = settings or load_settings()
    started = read_state(settings).started_at or _now()
    state = RefreshState("running", str(source), started, pid=os.getpid())
    write_state(settings, state)
    try:
        plan = plan_from_mapping(source) if source.suffix == ".toml" else plan_from_folder(source)
        report = run_load(settings, plan)
        state.state, state.message = "done", report.message or f"load {report.load_id}: {report.status}"
    except (SourceError, LoadError) as exc:
        said = str(exc).rstrip(".")
        state.state, state.message = "failed", (said if "in service is unchanged" in said
                                                else f"{said}; the warehouse in service was not changed")
    except Exception as exc:  # anything else: said, and the old warehouse keeps serving
        state.state, state.message = "failed", f"{type(exc).__name__}: {exc}; the warehouse in service was not changed"
    state.finished_at, state.pid = _now(), 0
    write_state(settings, state)
    return state


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


if __name__ == "__main__":
    final = run(Path(sys.argv[1]))
    print(f"refresh {final.state}: {final.message}")
    sys.exit(0 if final.state == "done" else 1)
