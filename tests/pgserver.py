"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder, 127.0.0.1 only.

The server listens on a free TCP port of 127.0.0.1 and puts its unix socket in its own folder (never in
/var/run), with durability switched off (fsync, synchronous_commit, full_page_writes): the data is rebuilt by
every test session, so crash safety buys nothing and costs seconds. PostgreSQL refuses to run as root, so
under uid 0 the server runs as the `postgres` system user, which owns the temporary folder.

The server stops with the test session: the fixture stops it, an atexit hook stops it when the session ends
early, and a watchdog process stops it when the session is killed outright (SIGKILL, a CI timeout), so no
postmaster outlives the tests. The watchdog is this file run as a script.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVER_USER = "postgres"  # the system account the distribution packages create; also the superuser's name


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin, else pg_config's or PATH's; None when not installed."""
    versions = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if Path(p, "initdb").is_file()]
    if versions:
        return max(versions, key=lambda p: _version_key(p.parent.name))
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
        if found and Path(found, "initdb").is_file():
            return Path(found)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster; `start()` returns its SQLAlchemy URL, `stop()` kills it and removes its files."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port: int | None = None
        # Not under pytest's tmp_path: that folder is private to root (0700) and the server user must reach it.
        self.root = Path(tempfile.mkdtemp(prefix="ci-pg-", dir="/tmp" if os.geteuid() == 0 else None))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_server_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self._as_server_user = ["runuser", "-u", SERVER_USER, "--"]
        self._running = False
        self._watchdog: subprocess.Popen | None = None
        self.start_seconds: float | None = None  # initdb + pg_ctl start, for the test report
        atexit.register(self.stop)  # a session that dies before its fixture teardown still stops the server

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def start(self, attempts: int = 3) -> str:
        began = time.perf_counter()
        self._run("initdb", "-D", str(self.data), "-U", SERVER_USER, "--auth=trust", "--encoding=UTF8",
                  # C collation: text sorts by bytes, as DuckDB sorts it, so ORDER BY agrees on both engines
                  "--locale=C", "--no-sync")
        for attempt in range(attempts):
            # The port is free when picked but could be taken before the server binds it: pick again then.
            self.port = _free_port()
            options = " ".join([
                "-c listen_addresses=127.0.0.1", f"-c port={self.port}", f"-c unix_socket_directories={self.root}",
                "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
                "-c max_connections=20", "-c shared_buffers=64MB",
            ])
            result = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                               "-t", "60", "start", check=False)
            if result.returncode == 0:
                self._running = True
                self._watchdog = subprocess.Popen(
                    [sys.executable, __file__, "watch", str(os.getpid()), str(self.root),
                     *self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True)  # not killed with the session's process group
                self.start_seconds = time.perf_counter() - began
                return self.url
            if attempt == attempts - 1:
                raise RuntimeError(f"PostgreSQL did not start: {result.stdout}{result.stderr}\n{self.server_log()}")
        raise AssertionError("unreachable")

    def stop(self) -> None:
        if self._running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
            self._running = False
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None
        shutil.rmtree(self.root, ignore_errors=True)

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def _command(self, program: str, *args: str) -> list[str]:
        return [*self._as_server_user, str(self.bindir / program), *args]

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = self._command(program, *args)
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root,
                                env={**os.environ, "LC_ALL": "C"})
        if check and result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stdout}{result.stderr}")
        return result


def started_server() -> PgServer:
    """A running server; FileNotFoundError when no PostgreSQL binaries are installed."""
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("no PostgreSQL server binaries (initdb) installed: run scripts/system-packages.sh test")
    server = PgServer(bindir)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    return server


def _watch(parent: int, root: str, stop_command: list[str]) -> None:
    """Wait for the test process to end, then stop its server and remove its folder (if it did not)."""
    while True:
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            break
        except PermissionError:
            pass
        time.sleep(1)
    if Path(root).exists():
        subprocess.run(stop_command, capture_output=True, timeout=120, env={**os.environ, "LC_ALL": "C"})
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__" and sys.argv[1:2] == ["watch"]:
    _watch(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
