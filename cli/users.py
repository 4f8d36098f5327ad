"""`customer-insight users ...`: the dashboard's users (issue 8, docs/security.md). Each change is written to the
audit log as done by "cli" (the operating-system account is noted in the detail).

A password is asked twice without echo, or read from standard input with --password-stdin (for scripts:
`printf '%s\\n' "$PW" | customer-insight users add ann --password-stdin`); it is never an option, which would leave
it in the shell's history and in the process list.
"""

from __future__ import annotations

import getpass
import sys

import click

from appstate import audit
from appstate.db import AppStore, open_store, utc_now
from appstate.users import (
    ROLES,
    UserError,
    create_user,
    list_users,
    set_disabled,
    set_password,
    set_role,
    set_scope,
    unlock,
)
from config.settings import load_settings

EXIT_ERROR = 1


def _store() -> AppStore:
    return open_store(load_settings())


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise UserError("--password-stdin: nothing on standard input")
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


def _audit(store: AppStore, action: str, detail: str) -> None:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    audit.record(store, action, username="cli", detail=f"{detail} (by {who} on the command line)")


def _fail(exc: Exception) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(help="Dashboard users: who may sign in when CUSTOMER_INSIGHT_AUTH is on, with which role (viewer: "
                  "dashboards; analyst: + exports, schedules, share links; admin: + users, audit log, data refresh).")
def users() -> None:
    pass


@users.command("add", help="Add a user (the password is asked twice, or read with --password-stdin).")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--name", "display_name", default=None, help="The name shown in the dashboard (default: USERNAME).")
@click.option("--scope", "csm_scope", default=None, help="Only the accounts whose CSM owner is this (default: all).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def add(username: str, role: str, display_name: str | None, csm_scope: str | None, password_stdin: bool) -> None:
    store = _store()
    try:
        made = create_user(store, username, _password(password_stdin), role=role, display_name=display_name,
                           csm_scope=csm_scope)
    except UserError as exc:
        _fail(exc)
        return
    _audit(store, "user.add", f"added {made.username} ({made.role}, accounts: {made.csm_scope or 'all'})")
    click.echo(f"Added {made.username} ({made.role}).")


@users.command("list", help="List the users.")
def list_command() -> None:
    now = utc_now()
    rows = list_users(_store())
    if not rows:
        click.echo("No users. Add one: customer-insight users add NAME --role admin")
        return
    click.echo(f"{'USERNAME':<24} {'ROLE':<8} {'ACCOUNTS':<20} {'STATUS':<22} {'LAST SIGN-IN (UTC)':<17} NAME")
    for u in rows:
        status = ("disabled" if u.disabled else f"locked until {u.locked_until:%H:%M}" if u.locked(now)
                  else "active")
        last = f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "never"
        click.echo(f"{u.username:<24} {u.role:<8} {(u.csm_scope or 'all'):<20} {status:<22} {last:<17} "
                   f"{u.display_name}")


@users.command("disable", help="Stop a user from signing in (their open sessions end too). The last enabled admin "
                                "cannot be disabled.")
@click.argument("username")
def disable(username: str) -> None:
    _change(lambda store: set_disabled(store, username, True), "user.disable", "disabled {}")


@users.command("enable", help="Let a disabled or locked-out user sign in again.")
@click.argument("username")
def enable(username: str) -> None:
    _change(lambda store: set_disabled(store, username, False), "user.enable", "enabled {}")


@users.command("unlock", help="Lift a lock-out (too many wrong passwords) before it expires.")
@click.argument("username")
def unlock_command(username: str) -> None:
    _change(lambda store: unlock(store, username), "user.unlock", "unlocked {}")


@users.command("set-role", help="Change a user's role (their open sessions end).")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES), metavar="ROLE")
def set_role_command(username: str, role: str) -> None:
    _change(lambda store: set_role(store, username, role), "user.set-role", f"set the role of {{}} to {role}")


@users.command("set-scope", help="Limit a user to the accounts of one CSM owner (--all: every account); their open "
                                  "sessions end.")
@click.argument("username")
@click.argument("csm_owner", required=False)
@click.option("--all", "all_accounts", is_flag=True, help="Remove the limit.")
def set_scope_command(username: str, csm_owner: str | None, all_accounts: bool) -> None:
    if bool(csm_owner) == all_accounts:
        raise click.UsageError("give exactly one of CSM_OWNER or --all")
    _change(lambda store: set_scope(store, username, None if all_accounts else csm_owner), "user.set-scope",
            f"limited {{}} to the accounts of {csm_owner}" if csm_owner else "let {} see every account")


@users.command("set-password", help="Set a user's password (their open sessions end; a lock-out is lifted).")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def set_password_command(username: str, password_stdin: bool) -> None:
    store = _store()
    try:
        known = {u.username for u in list_users(store)}
        if username.strip().lower() not in known:  # asked before the password is typed twice
            raise UserError(f"no user named {username.strip().lower()!r}")
        _change(lambda s: set_password(s, username, _password(password_stdin)), "user.set-password",
                "set the password of {}")
    except UserError as exc:
        _fail(exc)


def _change(change, action: str, message: str) -> None:  # noqa: ANN001 (a callable on the store)
    store = _store()
    try:
        user = change(store)
    except UserError as exc:
        _fail(exc)
        return
    text = message.format(user.username)
    _audit(store, action, text)
    click.echo(text[:1].upper() + text[1:] + ".")
