"""/admin/users: admins add users and change their role, account scope, password and status (issue 8,
docs/security.md). Plain forms posted to /admin/users (add) and /admin/users/<name>/<change>, with the CSRF token the
gate checks; the gate also checks the role (rules.py: admin) and writes the audit log, whose detail each view
states here (never a password). The changes themselves are appstate.users' functions, the same as the command line's,
with the same guard rails (the last enabled admin stays, nobody disables or demotes themselves).

A change that works answers with a redirect to the list and a message (Post/Redirect/Get). A refused one shows the
list again with the error and what was typed (400). A generated password is shown on the answer to its POST itself,
once: it is never put in the session cookie (signed, not encrypted) nor stored anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request

from appstate.users import (
    ROLES,
    User,
    UserError,
    create_user,
    generate_password,
    get_user,
    list_users,
    set_disabled,
    set_password,
    set_role,
    set_scope,
    unlock,
)
from dashapp.auth.session import current_user, forget, now, sign_in

log = logging.getLogger(__name__)
blueprint = Blueprint("users", __name__, template_folder="templates")
PAGE = "/admin/users"


def _store():
    return current_app.config["APP_STORE"]


@blueprint.route(PAGE)
def admin_users() -> Response:
    return _page()


@blueprint.route(PAGE, methods=["POST"])
def add_user() -> Response:
    form = {key: (request.form.get(key) or "").strip() for key in ("username", "display_name", "role", "csm_scope")}
    password = request.form.get("password") or ""
    generated = not password
    if generated:
        password = generate_password()
    try:
        made = create_user(_store(), form["username"], password, role=form["role"] or "viewer",
                           display_name=form["display_name"], csm_scope=form["csm_scope"], now=now())
    except UserError as exc:
        _audit(f"add {form['username'][:64]!r}: {exc}")
        return _page(400, error=f"The user was not added: {exc}.", form=form)
    _audit(f"added {made.username} ({made.role}, accounts: {made.csm_scope or 'all'})"
           + (", with a generated password" if generated else ""))
    message = f"Added {made.username} ({made.role}, {_accounts(made)})."
    warning = _unknown_owner(made.csm_scope)
    if generated:
        return _page(notice=f"{message} {warning or ''}".strip(), shown_password=(made.username, password))
    flash(message, "success")
    if warning:
        flash(warning, "warning")
    return redirect(PAGE, code=303)


@blueprint.route(f"{PAGE}/<username>/<change>", methods=["POST"])
def change_user(username: str, change: str) -> Response:
    handler = CHANGES.get(change)
    if handler is None:
        abort(404)
    target = get_user(_store(), username)
    if target is None:
        _audit(f"{VERBS[change]} {username[:64]!r}: no such user")
        return _page(400, error=f"There is no user named {username!r}.")
    admin = current_user()
    by = admin.username if admin is not None and admin.id else None  # the local admin (sign-in off) is no row
    try:
        outcome = handler(target, by)
    except UserError as exc:
        _audit(f"{VERBS[change]} {target.username}: {exc}")
        return _page(400, error=f"Nothing was changed: {exc}.")
    done = outcome.user
    forget(done.id)  # at once in this process; other workers re-read the user within USER_CACHE_S
    if admin is not None and admin.id == done.id and done.session_epoch != admin.session_epoch:
        sign_in(done)  # the admin's own scope or password: their other sessions end, this one goes on
    if outcome.password is not None:
        return _page(notice=outcome.message, shown_password=(done.username, outcome.password))
    flash(outcome.message, "success")
    if outcome.warning:
        flash(outcome.warning, "warning")
    return redirect(PAGE, code=303)


class Outcome(NamedTuple):
    user: User                   # the user after the change
    message: str                 # for the page
    password: str | None = None  # a generated password, to show once
    warning: str | None = None


# Each change: (the user, the admin making it or None) -> its Outcome. Each writes its audit detail.
Change = Callable[[User, str | None], Outcome]


def _role(user: User, by: str | None) -> Outcome:
    role = request.form.get("role") or ""
    done = set_role(_store(), user.username, role, by=by)
    if done.session_epoch == user.session_epoch:
        _audit(f"set the role of {user.username} to {role} (unchanged)")
        return Outcome(done, f"{user.username} is already {_a(role)}.")
    _audit(f"set the role of {user.username} to {role} (was {user.role})")
    return Outcome(done, f"{user.username} is now {_a(role)}; their open sessions were ended.")


def _scope(user: User, _by: str | None) -> Outcome:
    done = set_scope(_store(), user.username, request.form.get("csm_scope"))
    what = (f"limited {user.username} to the accounts of {done.csm_scope}" if done.csm_scope
            else f"let {user.username} see every account")
    if done.session_epoch == user.session_epoch:
        _audit(f"{what} (unchanged)")
        return Outcome(done, f"{user.username} already sees {_accounts(done)}.")
    _audit(what)
    return Outcome(done, f"{user.username} now sees {_accounts(done)}; their open sessions were ended.",
                   warning=_unknown_owner(done.csm_scope))


def _disable(user: User, by: str | None) -> Outcome:
    done = set_disabled(_store(), user.username, True, by=by)
    _audit(f"disabled {user.username}")
    return Outcome(done, f"Disabled {user.username}: they cannot sign in, and their open sessions were ended.")


def _enable(user: User, _by: str | None) -> Outcome:
    done = set_disabled(_store(), user.username, False)
    _audit(f"enabled {user.username}")
    return Outcome(done, f"Enabled {user.username}: they can sign in again.")


def _password(user: User, _by: str | None) -> Outcome:
    generated = bool(request.form.get("generate"))  # the "Generate" button; "Set" needs a typed password
    password = generate_password() if generated else request.form.get("password") or ""
    if not password:
        raise UserError("type the new password, or press Generate to have one made")
    done = set_password(_store(), user.username, password)
    _audit(f"set the password of {user.username}" + (" (generated)" if generated else ""))
    return Outcome(done, f"Set a new password for {user.username}; their open sessions were ended.",
                   password if generated else None)


def _unlock(user: User, _by: str | None) -> Outcome:
    done = unlock(_store(), user.username)
    _audit(f"unlocked {user.username}")
    return Outcome(done, f"Unlocked {user.username}: they can sign in again now.")


VERBS = {"role": "set the role of", "scope": "set the scope of", "disable": "disable", "enable": "enable",
         "password": "set the password of", "unlock": "unlock"}  # for the audit log's line of a refused change
CHANGES: dict[str, Change] = {"role": _role, "scope": _scope, "disable": _disable, "enable": _enable,
                              "password": _password, "unlock": _unlock}


def _page(status: int = 200, error: str | None = None, notice: str | None = None, form: dict[str, str] | None = None,
          shown_password: tuple[str, str] | None = None) -> Response:
    page = render_template(
        "admin_users.html", user=current_user(), users=list_users(_store()), roles=ROLES, now=now(),
        auth_on=current_app.config["AUTH_ON"], owners=_csm_owners(), error=error, notice=notice, form=form or {},
        shown_password=shown_password, posted=request.method == "POST")
    # kept by no cache or back button: it may hold a generated password, and always the forms' CSRF token
    return Response(page, status=status, headers={"Cache-Control": "no-store"})


def _audit(detail: str) -> None:
    """The audit log's detail of this request: the gate writes the row after it (rules.py names the action)."""
    need = g.get("audit_need")
    if need is not None:
        g.audit_need = replace(need, detail=detail)


def _csm_owners() -> list[tuple[str, int]]:
    """(CSM owner, accounts) of the warehouse, for the scope fields' suggestions; none when there is no warehouse."""
    from warehouse.reader import WarehouseUnavailable

    reader = current_app.config.get("WAREHOUSE_READER")
    if reader is None:
        return []
    try:
        frame = reader.query("filters/csm_owners")
    except WarehouseUnavailable as exc:
        log.info("no CSM owners to suggest: %s", exc)
        return []
    return [(str(owner), int(count)) for owner, count in zip(frame["csm_owner"], frame["customers"], strict=True)]


def _unknown_owner(scope: str | None) -> str | None:
    """A warning when no account has this CSM owner (a typo would show the user an empty dashboard)."""
    if scope is None or scope in {owner for owner, _count in _csm_owners()}:
        return None
    return (f"No account in the warehouse has the CSM owner {scope!r} now: this user sees no data until one has "
            "(the name must match exactly, capitals included).")


def _accounts(user: User) -> str:
    return f"the accounts of {user.csm_scope}" if user.csm_scope else "every account"


def _a(role: str) -> str:
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"
