"""Run the pandas baseline in a process of its own, so that its memory is measured alone.

run_in_process(path, jobs) starts a fresh Python process (multiprocessing, spawn: nothing of the dashboard's
memory is inherited), which loads the tables once, then replays every job: the pandas function of each query a
tab's callbacks ran, with the same parameters, one after the other. It reports the seconds of each, the load time,
and the process's peak RSS (its high-water mark, interpreter and libraries included) and its RSS once the tables
are loaded.

Peak RSS is the kernel's VmHWM of the process (/proc/self/status), not resource.getrusage(RUSAGE_SELF).ru_maxrss:
a spawned process is forked from the bench's process before it runs a new Python, and Linux carries the forked
copy's high-water mark over into ru_maxrss, so the child's ru_maxrss starts at the parent's RSS (measured: the
same 401 MB in both at scale S). VmHWM belongs to the process's own memory since its exec.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.dashboard import QueryCall


@dataclass
class BaselineJob:
    key: str                 # e.g. "overview/3/full": the tab, the run and the phase it replays
    calls: list[QueryCall]


@dataclass
class BaselineResult:
    seconds: dict[str, list[float | None]] = field(default_factory=dict)  # job key -> seconds per call (None: none)
    load_seconds: float = 0.0
    loaded_rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows held in memory
    # query -> the first error of its pandas function, with the parameters: a baseline bug costs that query's
    # figures (left out of the pandas column like a query without a baseline), not the whole bench's
    errors: dict[str, str] = field(default_factory=dict)


def run_in_process(path: Path, jobs: list[BaselineJob]) -> BaselineResult:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(replay, path, jobs).result()


def replay(path: Path, jobs: list[BaselineJob]) -> BaselineResult:
    """In the baseline's process: load the tables, run every job's calls, measure."""
    from bench.baseline import BASELINES, load_tables  # here: the parent process never holds the tables

    result = BaselineResult()
    started = time.perf_counter()
    tables = load_tables(path)
    result.load_seconds = time.perf_counter() - started
    result.loaded_rss_mb = current_rss_mb()
    result.tables = {name: len(frame) for name, frame in tables.items()}
    for job in jobs:
        seconds: list[float | None] = []
        for name, params in job.calls:
            function = BASELINES.get(name)
            if function is None:
                seconds.append(None)
                continue
            started = time.perf_counter()
            try:
                function(tables, params)
            except NotImplementedError:  # a variant the baseline does not write (a non-default table sort)
                seconds.append(None)
                continue
            except Exception as exc:  # noqa: BLE001 - reported with the results (see BaselineResult.errors)
                result.errors.setdefault(name, f"{type(exc).__name__}: {exc} (parameters {params})")
                seconds.append(None)
                continue
            seconds.append(time.perf_counter() - started)
        result.seconds[job.key] = seconds
    result.peak_rss_mb = peak_rss_mb()
    return result


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started its program (VmHWM; see the module's docstring)."""
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mb() -> float:
    """This process's resident memory now."""
    return _status_mb("VmRSS")


def _status_mb(field: str) -> float:
    """A memory figure of /proc/self/status (Linux, the project's platform), in MB; 0 where there is none."""
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else []:
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0
