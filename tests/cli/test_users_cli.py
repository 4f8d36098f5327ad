"""`customer-insight users ...` on a real app-state database: the password asked twice without echo or read from
standard input, clear errors with a non-zero exit, and each change in the audit log as done by "cli"."""

from __future__ import annotations

import os
import subprocess

import pytest
from click.testing import CliRunner

from appstate import audit, open_store
from appstate.users import Failure, authenticate, get_user
from cli.main import main
from tests.etl.conftest import CLI


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CUSTOMER_INSIGHT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CUSTOMER_INSIGHT_APP_DB_URL", raising=False)
    return tmp_path


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["users", *args], input=stdin, catch_exceptions=False)


def store(data_dir):
    return open_store(f"sqlite:///{data_dir / 'app.db'}")


def signs_in(data_dir, name: str, password: str) -> bool:
    return authenticate(store(data_dir), name, password, max_failures=5, lock_minutes=15)[1] is None


def test_add_asks_the_password_twice_and_refuses_a_mismatch(env):
    mismatch = run("add", "ann", "--role", "admin", stdin="correct horse\ncorrect hose\n")
    assert mismatch.exit_code != 0 and get_user(store(env), "ann") is None
    assert "correct" not in mismatch.output  # typed without echo
    added = run("add", "Ann", "--role", "admin", "--name", "Ann Lee", stdin="correct horse\ncorrect horse\n")
    assert added.exit_code == 0 and "Added ann (admin)." in added.output
    assert "correct horse" not in added.output
    ann = get_user(store(env), "ann")
    assert (ann.role, ann.display_name, ann.csm_scope) == ("admin", "Ann Lee", None)
    assert signs_in(env, "ann", "correct horse")


def test_password_from_stdin_and_the_errors_exit_non_zero(env):
    assert run("add", "vic", "--password-stdin", "--scope", "Jane Doe", stdin="long enough\n").exit_code == 0
    assert get_user(store(env), "vic").csm_scope == "Jane Doe" and signs_in(env, "vic", "long enough")
    duplicate = run("add", "VIC", "--password-stdin", stdin="long enough\n")
    assert duplicate.exit_code == 1 and "error: a user named 'vic' exists already" in duplicate.output
    unknown = run("set-role", "bob", "admin")
    assert unknown.exit_code == 1 and "error: no user named 'bob'" in unknown.output
    bad_role = run("set-role", "vic", "boss")
    assert bad_role.exit_code == 2 and "'boss' is not one of 'viewer', 'analyst', 'admin'" in bad_role.output
    short = run("add", "sam", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    assert run("add", "sam", "--password-stdin", stdin="").exit_code == 1
    assert run("set-scope", "vic").exit_code == 2  # neither a CSM owner nor --all


def test_changes_list_and_the_audit_log(env):
    run("add", "vic", "--password-stdin", stdin="long enough\n")
    assert "Set the role of vic to analyst." in run("set-role", "vic", "analyst").output
    assert "Limited vic to the accounts of Jane Doe." in run("set-scope", "vic", "Jane Doe").output
    assert run("disable", "vic").exit_code == 0
    assert authenticate(store(env), "vic", "long enough", max_failures=5, lock_minutes=15)[1] is Failure.DISABLED
    listed = run("list").output.splitlines()
    assert listed[1].split()[:4] == ["vic", "analyst", "Jane", "Doe"] and "disabled" in listed[1]
    assert run("enable", "vic").exit_code == 0
    assert run("set-scope", "vic", "--all").exit_code == 0 and get_user(store(env), "vic").csm_scope is None
    assert run("set-password", "vic", "--password-stdin", stdin="battery staple\n").exit_code == 0
    assert signs_in(env, "vic", "battery staple") and not signs_in(env, "vic", "long enough")
    missing = run("set-password", "bob", "--password-stdin", stdin="battery staple\n")
    assert missing.exit_code == 1 and "no user named 'bob'" in missing.output
    entries = audit.list_entries(store(env), action="user")
    assert [e.action for e in entries] == ["user.set-password", "user.set-scope", "user.enable", "user.disable",
                                           "user.set-scope", "user.set-role", "user.add"]
    assert {e.username for e in entries} == {"cli"}
    assert entries[-1].detail.startswith("added vic (viewer, accounts: all) (by ")
    assert not any("long enough" in e.detail or "battery" in e.detail for e in entries)


def test_the_installed_command_reads_the_password_from_a_pipe(tmp_path):
    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(tmp_path)}
    env.pop("CUSTOMER_INSIGHT_APP_DB_URL", None)
    done = subprocess.run([CLI, "users", "add", "ann", "--role", "analyst", "--password-stdin"], env=env,
                          input="correct horse\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert signs_in(tmp_path, "ann", "correct horse")
    listed = subprocess.run([CLI, "users", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.stdout.splitlines()[1].split()[:3] == ["ann", "analyst", "all"]
