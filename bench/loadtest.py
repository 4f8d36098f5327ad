"""Load test: simulated dashboard users (locust) against a running `customer-insight serve`.

    .venv/bin/python -m bench.loadtest --url http://127.0.0.1:8050 --users 100 --seconds 60 [--server-pid PID]
    .venv/bin/python -m bench.loadtest --url ... --users 100 --seconds 600 --soak   # also: memory must stay flat

Each user opens the page once (GET /, /_dash-layout, /_dash-dependencies), then loops: open a tab (the callbacks a
browser fires after loading `?tab=<tab>&<the user's filters>`), think 1-3 s, change one sidebar filter, think again.
Which callbacks fire, when and with which values comes from the layout and the dependency list the server sends
(DashPage, a small model of dash-renderer), not from a list per tab. Like a browser over HTTP/1.1, a user has at most
6 requests in flight. Tabs are handed out in turn (a shuffled round): a short run loads every tab too.

Locust runs in a child process: importing it monkey-patches the whole process for gevent (sockets, threads,
subprocess), which the caller (pytest, `customer-insight bench`) must not inherit. The parent samples the server's
memory every second meanwhile: RSS and PSS summed over the server process and its children (gunicorn workers; PSS
counts the pages the forked workers share once). Linux only (/proc). Decisions and figures: docs/loadtest.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from bench.loadtest_page import PARALLEL, DashPage, drive, short_name

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 30.0    # a callback without an answer after this long counts as a timeout error
MAX_SOAK_DRIFT_PCT = 5.0  # --soak: the server's PSS may grow this much from the run's middle third to its last
TAB_KEY = "tab"     # the tab's key in the dashboard's URL (dashapp/state.py)
# What a chart or KPI card shows when its callback caught a failure (dashapp/components.py): HTTP 200, yet an error
CARD_FAILURE = b"could not be loaded"
CLOSED = {"HTTPConnectionClosed", "ConnectionResetError", "BrokenPipeError"}  # a connection closed under a request


def with_tab(search: str, tab: str) -> str:
    return "?" + urlencode([(TAB_KEY, tab)] + [(k, v) for k, v in parse_qsl(search.lstrip("?")) if k != TAB_KEY])


def error_kind(status: int, error: BaseException | None, content: bytes | None) -> str | None:
    """None for a good answer, else what went wrong: "HTTP 500", "timeout", "card failure", an exception's name."""
    if status == 0 or error is not None and status < 400:
        text = f"{type(error).__name__} {error}".lower()
        return "timeout" if "timeout" in text or "timed out" in text else type(error).__name__
    if status >= 400:
        return f"HTTP {status}"
    return "card failure" if content and CARD_FAILURE in content else None


def _child(url: str, users: int, seconds: float, think: tuple[float, float], out: Path) -> None:
    """The locust side (a process of its own): run the users, write every request and user action to `out`."""
    import gevent
    from locust import FastHttpUser, constant, events, task
    from locust.env import Environment
    from locust.exception import StopUser

    started = time.monotonic()
    deadline = started + seconds
    requests: list[list] = []  # [start s, tab, action, callback, ms, error kind]
    actions: list[list] = []   # [start s, tab, "load" | "filter", ms, callbacks, errors]
    retries: Counter[str] = Counter()
    turn, order = iter(range(10**9)), []

    class DashUser(FastHttpUser):
        host, wait_time, concurrency = url, constant(0), PARALLEL
        network_timeout, connection_timeout = TIMEOUT_S, 10.0

        def request(self, method: str, path: str, tab: str | None, action: str, name: str,
                    body: dict | None = None) -> Any:
            for attempt in (1, 2):
                begun, data = time.monotonic(), None
                with self.client.request(method, path, data=None if body is None else json.dumps(body), name=name,
                                         headers={"Content-Type": "application/json"}, catch_response=True) as answer:
                    status = answer.status_code
                    kind = error_kind(status, getattr(answer, "error", None), answer.content if status else None)
                    # JSON only from a good answer; not from a callback's PreventUpdate (204) or the page's HTML
                    if not kind and status == 200 and "json" in (answer.headers.get("content-type") or ""):
                        try:
                            data = answer.json()
                        except ValueError:
                            kind = "invalid JSON"
                    answer.failure(kind) if kind else answer.success()  # for locust's own statistics
                # an idle keep-alive connection the server closed as the request went out: a browser sends the
                # request again on a new connection, and so does a user here (counted apart, not an error)
                if kind in CLOSED and attempt == 1:
                    retries[kind] += 1
                    continue
                requests.append([begun - started, tab, action, name, answer.request_meta["response_time"], kind])
                self.errors += kind is not None
                return data

        def on_start(self) -> None:
            self.rng, self.errors, self.search = random.Random(), 0, ""
            self.request("GET", "/", None, "open", "GET /")
            layout, dependencies = (self.request("GET", path, None, "open", f"GET {path}")
                                    for path in ("/_dash-layout", "/_dash-dependencies"))
            if layout is None or dependencies is None:
                raise StopUser()
            self.page = DashPage(layout, dependencies)
            if not order:
                order.extend(random.sample(self.page.tabs(), len(self.page.tabs())))

        def act(self, tab: str, action: str, pending: dict[str, set[str]]) -> None:
            if time.monotonic() >= deadline:
                raise StopUser()
            begun, errors = time.monotonic(), self.errors
            calls = drive(self.page, pending, lambda key, body: self.request(
                "POST", "/_dash-update-component", tab, action, short_name(key), body),
                gevent.spawn, lambda handles: gevent.wait(handles, count=1))
            actions.append([begun - started, tab, action, (time.monotonic() - begun) * 1000, calls,
                            self.errors - errors])
            self.search = self.page.values[self.page.location].get("search") or ""
            gevent.sleep(max(0.0, min(self.rng.uniform(*think), deadline - time.monotonic())))  # thinking

        @task
        def visit(self) -> None:
            tab = order[next(turn) % len(order)]
            self.act(tab, "load", self.page.load(with_tab(self.search, tab)))
            self.act(tab, "filter", self.page.change_filter(self.rng))

    runner = Environment(user_classes=[DashUser], host=url, events=events).create_local_runner()
    runner.start(users, spawn_rate=users / max(0.5, min(5.0, seconds / 4)))  # every user within 5 s
    gevent.sleep(1)
    # users stop at the deadline, after the action they are in (its requests count); then the runner ends
    while runner.user_count and time.monotonic() < deadline + TIMEOUT_S * 2:
        gevent.sleep(0.2)
    runner.quit()
    out.write_text(json.dumps({"seconds": time.monotonic() - started, "requests": requests, "actions": actions,
                               "retries": retries, "cpu_s": time.process_time(),
                               "cpu_warning": runner.cpu_warning_emitted}))


# ---------------------------------------------------------------- the server's memory and CPU (/proc)

def _stat(pid: int | str) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # fields from the 3rd (state) on


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (gunicorn's master and workers, their children)."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError, ValueError):  # ended meanwhile
            parents[int(entry.name)] = int(_stat(entry.name)[1])
    tree = [pid]
    for member in tree:
        tree += [child for child, parent in parents.items() if parent == member]
    return tree


def tree_usage(pid: int) -> dict[str, float]:
    """RSS and PSS (MB) and CPU seconds (reaped children's included) summed over a process tree."""
    usage = {"rss_mb": 0.0, "pss_mb": 0.0, "cpu_s": 0.0, "processes": 0}
    for member in process_tree(pid):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith(("Rss:", "Pss:")):
                    usage[f"{line[:3].lower()}_mb"] += int(line.split()[1]) / 1024
            usage["cpu_s"] += sum(int(f) for f in _stat(member)[11:15]) / os.sysconf("SC_CLK_TCK")
            usage["processes"] += 1
    return usage


def listening_pid(base_url: str) -> int | None:
    """The process listening on the URL's port on this machine: of those holding the socket (gunicorn's master
    and workers), the one whose parent does not; None when not found (another host, another user's process)."""
    port, sockets = urlsplit(base_url).port or 80, set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for cols in (row.split() for row in Path(table).read_text().splitlines()[1:]):
                if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:  # 0A: listening
                    sockets.add(f"socket:[{cols[9]}]")
    holders = {}
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if any(os.readlink(fd) in sockets for fd in fd_dir.iterdir()):
                holders[int(fd_dir.parent.name)] = int(_stat(fd_dir.parent.name)[1])
    return min((pid for pid, parent in holders.items() if parent not in holders), default=None)


class MemorySampler(threading.Thread):
    """Samples a process tree's memory and CPU every second until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.samples, self.stopping = pid, [tree_usage(pid)], threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            self.samples.append(tree_usage(self.pid))

    def stop(self) -> list[dict[str, float]]:
        self.stopping.set()
        self.join()
        return [*self.samples, tree_usage(self.pid)]


# ---------------------------------------------------------------- run, summarise, print

def run_load_test(base_url: str, users: int, seconds: int, server_pid: int | None = None, *,
                  think: tuple[float, float] = (1.0, 3.0)) -> dict:
    """`users` simulated users for `seconds` against the dashboard at base_url; returns summarize()'s result.
    server_pid: the server's process (its children count with it); None: the process listening on the URL's port
    when it runs on this machine, else no server figures."""
    base_url = base_url.rstrip("/")
    pid = server_pid or listening_pid(base_url)
    sampler = MemorySampler(pid) if pid else None
    with tempfile.TemporaryDirectory(prefix="loadtest-") as folder:
        out, log = Path(folder) / "raw.json", Path(folder) / "locust.log"
        command = [sys.executable, "-m", "bench.loadtest", "--url", base_url, "--users", str(users), "--seconds",
                   str(seconds), "--think", *map(str, think), "--child-out", str(out)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        if sampler:
            sampler.start()
        with log.open("w") as log_file:
            done = subprocess.run(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                  timeout=seconds + TIMEOUT_S * 2 + 60)
        samples = sampler.stop() if sampler else []
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"the load generator failed ({done.returncode}):\n{log.read_text()[-3000:]}")
        raw = json.loads(out.read_text())
    return summarize(raw, base_url, users, seconds, think, pid, samples)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None without values."""
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * q // 100) - 1)] if ordered else None


def _stats(values: list[float]) -> dict[str, Any]:
    return {"count": len(values), **{f"p{q}_ms": percentile(values, q) for q in (50, 95, 99)}}


def summarize(raw: dict, base_url: str, users: int, seconds: float, think: tuple[float, float], pid: int | None,
              samples: list[dict[str, float]]) -> dict:
    """Requests/s, latency percentiles (callbacks; page complete = a tab load from its first callback sent to its
    last answer; a filter change likewise), per tab and per callback, errors by kind, the server's memory and CPU."""
    requests, actions = raw["requests"], raw["actions"]
    callbacks = [r for r in requests if r[2] != "open"]
    by_name: dict[str, list[float]] = defaultdict(list)
    for r in callbacks:
        by_name[r[3]].append(r[4])
    by_tab = {tab: {"page_complete": _stats([a[3] for a in actions if a[1] == tab and a[2] == "load"]),
                    "callbacks": dict(Counter(r[3] for r in callbacks if r[1] == tab))}
              for tab in sorted({a[1] for a in actions})}
    errors = Counter(r[5] for r in requests if r[5])
    server = samples and {
        "pid": pid, "processes": max(s["processes"] for s in samples), "samples": len(samples),
        **{f"{m}_{at}_mb": f([s[f"{m}_mb"] for s in samples]) for m in ("rss", "pss")
           for at, f in (("peak", max), ("end", lambda v: v[-1]))},
        "cpu_s": samples[-1]["cpu_s"] - samples[0]["cpu_s"], **memory_drift(samples)}
    return {"url": base_url, "users": users, "seconds": seconds, "think_s": list(think), "duration_s": raw["seconds"],
            "requests": len(requests), "requests_per_s": len(requests) / raw["seconds"],
            "callback": _stats([r[4] for r in callbacks]),
            **{name: _stats([a[3] for a in actions if a[2] == kind])
               for name, kind in (("page_complete", "load"), ("filter_change", "filter"))},
            "by_tab": by_tab, "callbacks": {name: _stats(times) for name, times in by_name.items()},
            "errors": {"total": sum(errors.values()), "by_kind": dict(errors)}, "retries": raw["retries"],
            "server": server or None, "load_generator": {"cpu_s": raw["cpu_s"], "cpu_warning": raw["cpu_warning"]}}


def memory_drift(samples: list[dict[str, float]]) -> dict[str, float | None]:
    """Whether the server's memory is flat: the median PSS of the run's middle third against its last third (the
    first third is warm-up: caches filling, workers importing). A leak grows between the two; a flat server does
    not. None with fewer than 9 samples (seconds)."""
    if len(samples) < 9:
        return {"pss_middle_mb": None, "pss_last_mb": None, "pss_drift_pct": None}
    third = len(samples) // 3
    middle = statistics.median(s["pss_mb"] for s in samples[third:2 * third])
    last = statistics.median(s["pss_mb"] for s in samples[2 * third:])
    return {"pss_middle_mb": middle, "pss_last_mb": last,
            "pss_drift_pct": 100 * (last - middle) / middle if middle else None}


def format_result(result: dict) -> str:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:,.0f} ms"

    def line(stats: dict) -> str:
        return ", ".join(f"p{q} {ms(stats[f'p{q}_ms'])}" for q in (50, 95, 99)) + f" (n={stats['count']})"

    errors, server, generator = result["errors"], result["server"], result["load_generator"]
    lines = [f"{result['users']} users for {result['seconds']} s on {result['url']} (think {result['think_s'][0]:g}-"
             f"{result['think_s'][1]:g} s, at most {PARALLEL} requests in flight per user)",
             f"requests       {result['requests']:,} in {result['duration_s']:.1f} s = "
             f"{result['requests_per_s']:.1f}/s; errors {errors['total']}"
             + "".join(f", {kind} {n}" for kind, n in errors["by_kind"].items())
             + "".join(f"; resent after {kind}: {n}" for kind, n in result["retries"].items()),
             f"callback       {line(result['callback'])}",
             f"page complete  {line(result['page_complete'])} (a tab load: first callback sent -> last answer)",
             f"filter change  {line(result['filter_change'])}",
             f"{'tab':<14} {'loads':>6} {'callbacks':>10} {'page p50':>10} {'page p95':>10}"]
    lines += [f"{tab:<14} {row['page_complete']['count']:>6} {sum(row['callbacks'].values()):>10} "
              f"{ms(row['page_complete']['p50_ms']):>10} {ms(row['page_complete']['p95_ms']):>10}"
              for tab, row in result["by_tab"].items()]
    slowest = sorted(result["callbacks"].items(), key=lambda item: -item[1]["p95_ms"])[:6]
    lines.append("slowest callbacks (p95): " + "; ".join(f"{name} {ms(s['p95_ms'])}" for name, s in slowest))
    lines.append(f"server (pid {server['pid']}, {server['processes']} processes): RSS peak {server['rss_peak_mb']:,.0f}"
                 f" MB, end {server['rss_end_mb']:,.0f} MB; PSS peak {server['pss_peak_mb']:,.0f} MB, end "
                 f"{server['pss_end_mb']:,.0f} MB; CPU {server['cpu_s'] / result['duration_s']:.2f} cores on average"
                 if server else "server: not measured (no --server-pid, and no process of this machine on the port)")
    if server and server.get("pss_drift_pct") is not None:
        lines.append(f"memory drift   PSS median {server['pss_middle_mb']:,.0f} MB in the middle third of the run, "
                     f"{server['pss_last_mb']:,.0f} MB in the last third ({server['pss_drift_pct']:+.1f} %)")
    lines.append(f"load generator CPU {generator['cpu_s']:.0f} s" + (
        " (locust warned: above 90 %, latencies include its own delays)" if generator["cpu_warning"] else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the dashboard, e.g. http://127.0.0.1:8050")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--server-pid", type=int, help="the server (gunicorn master); default: the port's process")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN_S", "MAX_S"))
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--soak", action="store_true", help="also fail (exit 1) when the server's memory grows more "
                        f"than {MAX_SOAK_DRIFT_PCT} %% from the run's middle third to its last")
    parser.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)  # the locust process (run_load_test)
    args = parser.parse_args(argv)
    if args.child_out:
        _child(args.url, args.users, args.seconds, tuple(args.think), args.child_out)
        return 0
    result = run_load_test(args.url, args.users, args.seconds, args.server_pid, think=tuple(args.think))
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    drift = (result["server"] or {}).get("pss_drift_pct")
    if args.soak and (drift is None or drift > MAX_SOAK_DRIFT_PCT):
        print(f"soak: the server's memory is not flat (drift {drift} %, at most {MAX_SOAK_DRIFT_PCT} %)")
        return 1
    return 1 if result["errors"]["total"] else 0


if __name__ == "__main__":
    sys.exit(main())
