"""Run real `customer-insight` loads that SIGKILL themselves at a chosen checkpoint (tests/etl/test_killed_load.py).

A checkpoint is a point between two steps of a load, seen from outside the product code, which has no hooks for
this: the patches below are installed in this process only.
- each `rich.progress.Progress.advance` (etl/load.py advances its bars once per file read, enrich step, SQL model
  built and churn step): stage = the bar's name ("read & validate", "enrich", "build models", "churn model");
- the new warehouse file created, still empty (warehouse.duck.building): stage "build file";
- each DuckBuild.write_table, once the table is written: stage "write table", detail = the table;
- warehouse.duck.swap_in: on entry, right after its os.replace, and once it returned: stage "swap".
Checkpoint N is numbered from 1 in the order a load reaches them; with kill_at=N the load kills itself there.

Started once (`python -m tests.etl.kill_at`), it imports the product and serves requests, one JSON line each on
stdin: {"data_dir", "args", "kill_at" (null: no kill), "log"}. For each it forks a child that runs the CLI's own
entry point (cli.main:main) with those arguments and CUSTOMER_INSIGHT_DATA_DIR=data_dir, its output and one line
per checkpoint ("N<TAB>stage<TAB>detail") going to the file `log`; it answers {"returncode"} (-9: killed) on
stdout. Forking from a process that already imported everything saves the ~2-4 s of imports of every load, which
is what lets one test kill a load at a dozen and more points within its time budget. The loads it runs find every
text in their data folder's enrichment cache (test_killed_load.py puts it there), so no child builds the sentiment
scorers (lexicons, lemmas and stems of every word: seconds per language); building them here, before forking, cost
that time for nothing.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import rich.progress

import cli.main
import etl.load  # noqa: F401 (imported before forking, so that the children do not each import it)
import insight.stage  # noqa: F401 (same: scikit-learn, the slowest import of a load)
import warehouse.duck

_state: dict[str, Any] = {"count": 0, "kill_at": None, "log_fd": None}


def checkpoint(stage: str, detail: str) -> None:
    """Record checkpoint N (the log line is written before the kill: a killed process loses no written data)."""
    _state["count"] += 1
    number = _state["count"]
    if _state["log_fd"] is not None:
        os.write(_state["log_fd"], f"{number}\t{stage}\t{detail}\n".encode())
    if number == _state["kill_at"]:
        os.kill(os.getpid(), signal.SIGKILL)


def _install() -> None:
    original_advance = rich.progress.Progress.advance

    def advance_then_checkpoint(self: rich.progress.Progress, task_id: rich.progress.TaskID,
                                advance: float = 1) -> None:
        original_advance(self, task_id, advance)
        task = next(t for t in self.tasks if t.id == task_id)
        checkpoint(task.description, f"{task.completed:g}/{task.total:g}")

    rich.progress.Progress.advance = advance_then_checkpoint

    building = warehouse.duck.building

    @contextmanager
    def building_with_checkpoints(target: Path) -> Iterator[Any]:
        with building(target) as opened:
            checkpoint("build file", "opened")
            yield opened

    warehouse.duck.building = building_with_checkpoints

    write_table = warehouse.duck.DuckBuild.write_table

    def write_table_then_checkpoint(self: warehouse.duck.DuckBuild, name: str, data: Any) -> None:
        write_table(self, name, data)
        checkpoint("write table", name)

    warehouse.duck.DuckBuild.write_table = write_table_then_checkpoint

    swap_in = warehouse.duck.swap_in

    def swap_in_with_checkpoints(built: Path, target: Path) -> None:
        checkpoint("swap", "entry")
        replace = os.replace

        def replace_then_checkpoint(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            replace(src, dst, *args, **kwargs)
            if Path(dst) == target:
                checkpoint("swap", "after os.replace")

        os.replace = replace_then_checkpoint
        try:
            swap_in(built, target)
        finally:
            os.replace = replace
        checkpoint("swap", "returned")

    warehouse.duck.swap_in = swap_in_with_checkpoints


def _child(request: dict[str, Any]) -> None:
    """In the forked child: run the CLI as `customer-insight <args>` would, then exit with its status."""
    log_fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    _state.update(count=0, kill_at=request["kill_at"], log_fd=log_fd)
    os.environ["CUSTOMER_INSIGHT_DATA_DIR"] = request["data_dir"]
    os.environ["COLUMNS"] = "200"
    os.environ.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)
    code = 1
    try:
        cli.main.main(args=request["args"], prog_name="customer-insight")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 (the traceback goes to the log for the test to show)
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    """Answer each request line of stdin with the child's exit status (negative: the signal that ended it)."""
    _install()
    for line in iter(sys.stdin.readline, ""):
        if not line.strip():
            continue
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
