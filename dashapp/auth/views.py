"""The sign-in page, sign-out, and the admin pages (users: admin_users.py, audit log, feedback): plain Flask pages in
the product's own Bootstrap (dashapp/assets, no CDN). Roles are checked by the gate (gate.py), not here."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request
from flask_wtf.csrf import CSRFError

from appstate import audit, feedback
from appstate.users import authenticate, revoke_sessions
from dashapp.auth.admin_users import blueprint as users_blueprint
from dashapp.auth.session import current_user, forget, now, sign_in, sign_out
from dashapp.auth.throttle import SignInThrottle

blueprint = Blueprint("auth", __name__, template_folder="templates")
blueprint.register_blueprint(users_blueprint)
GENERIC_FAILURE = "Wrong username or password, or the account cannot sign in now."
AUDIT_PAGE_ROWS = 200
FEEDBACK_PAGE_ROWS = 200


def _store():
    return current_app.config["APP_STORE"]


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this server only (never //host or an absolute URL)."""
    target = (target or "").strip()
    if any(ord(ch) < 33 or ch == "\\" for ch in target):  # browsers drop tabs and newlines: "/\t/evil" is //evil
        return "/"
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return "/"
    if parts.path.startswith(("/login", "/logout")):
        return "/"
    return target


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if not current_app.config["AUTH_ON"]:
        return redirect("/")
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target)
        return render_template("login.html", next=target, username="", message=None)
    settings = current_app.config["AUTH_SETTINGS"]
    username = (request.form.get("username") or "").strip()[:200]
    throttle = _throttle()
    address = request.remote_addr or "?"
    wait = throttle.retry_after(address, now())
    if wait:  # refused before any account is looked at: these tries lock nobody out (throttle.py)
        message = f"Too many failed sign-ins from your network address. Try again in {_minutes(wait)}."
        page = render_template("login.html", next=target, username=username, message=message)
        return Response(page, status=429, headers={"Retry-After": str(wait)})
    user, failure = authenticate(_store(), username, request.form.get("password") or "",
                                 max_failures=settings.lockout_attempts, lock_minutes=settings.lockout_minutes,
                                 now=now())
    if failure is not None:
        detail = failure.value
        if user is not None and user.locked(now()):
            detail += f" (locked until {user.locked_until:%Y-%m-%d %H:%M} UTC)"
        # an unknown name is not written down: it is often a password typed into the wrong box
        audit.record(_store(), "signin", username=user.username if user else None, outcome="failed",
                     detail=detail, remote_addr=request.remote_addr, now=now())
        if throttle.failed(address, now()):  # the limit is reached: written down once, not at each refusal
            until = now() + timedelta(seconds=throttle.retry_after(address, now()))
            audit.record(_store(), "signin.throttle", username=None, outcome="denied", remote_addr=request.remote_addr,
                         detail=f"{throttle.attempts} failed sign-ins from this address within "
                                f"{settings.throttle_minutes:g} minutes: sign-ins refused until {until:%H:%M:%S} UTC",
                         now=now())
        return render_template("login.html", next=target, username=username, message=GENERIC_FAILURE), 401
    sign_in(user)  # type: ignore[arg-type]
    audit.record(_store(), "signin", username=user.username, outcome="ok",  # type: ignore[union-attr]
                 remote_addr=request.remote_addr, now=now())
    return redirect(target)


def _throttle() -> SignInThrottle:
    """The server's limit on failed sign-ins per address, made at the first sign-in (one per app and process)."""
    throttle = current_app.extensions.get("customer_insight_signin_throttle")
    if throttle is None:
        settings = current_app.config["AUTH_SETTINGS"]
        throttle = current_app.extensions.setdefault(
            "customer_insight_signin_throttle",
            SignInThrottle(settings.throttle_attempts, timedelta(minutes=settings.throttle_minutes)))
    return throttle


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"


@blueprint.route("/logout", methods=["POST"])
def logout() -> Response:
    user = current_user()
    if user is not None and current_app.config["AUTH_ON"]:
        revoke_sessions(_store(), user.id)  # every copy of this session's cookie stops working too
        forget(user.id)  # at once in this process; other workers re-read the user within USER_CACHE_S
        audit.record(_store(), "signout", username=user.username, remote_addr=request.remote_addr, now=now())
    sign_out()
    return redirect("/login" if current_app.config["AUTH_ON"] else "/")


@blueprint.route("/admin/")
@blueprint.route("/admin")
def admin_home() -> Response:
    return redirect("/admin/users")


def _filters() -> dict[str, object]:
    args = request.args
    outcome = args.get("outcome") or None
    return {"username": (args.get("username") or "").strip() or None,
            "action": (args.get("action") or "").strip() or None,
            "outcome": outcome if outcome in audit.OUTCOMES else None,
            "since": _day(args.get("since")), "until": _day(args.get("until"), next_day=True)}


def _day(text: str | None, next_day: bool = False) -> datetime | None:
    """The start (UTC) of a YYYY-MM-DD day, or of the day after it (an `until` that includes the day)."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time(), tzinfo=UTC)


@blueprint.route("/admin/audit")
def admin_audit() -> str:
    filters = _filters()
    entries = audit.list_entries(_store(), **filters, limit=AUDIT_PAGE_ROWS)  # type: ignore[arg-type]
    return render_template("admin_audit.html", user=current_user(), entries=entries, args=request.args,
                           outcomes=audit.OUTCOMES, rows=AUDIT_PAGE_ROWS, query=request.query_string.decode(),
                           auth_on=current_app.config["AUTH_ON"])


@blueprint.route("/admin/audit.csv")
def admin_audit_csv() -> Response:
    chunks = audit.csv_chunks(_store(), **_filters())  # type: ignore[arg-type]
    response = Response(chunks, mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="customer-insight-audit-{now():%Y-%m-%d}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/admin/feedback")
def admin_feedback() -> str:
    from dashapp.state import TABS

    items = feedback.list_feedback(_store(), limit=FEEDBACK_PAGE_ROWS)
    return render_template("admin_feedback.html", user=current_user(), items=items,
                           by_tab=feedback.ratings_by_tab(_store()), tabs=TABS, rows=FEEDBACK_PAGE_ROWS,
                           auth_on=current_app.config["AUTH_ON"])


@blueprint.route("/admin/feedback.csv")
def admin_feedback_csv() -> Response:
    response = Response(feedback.csv_text(_store()), mimetype="text/csv")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="customer-insight-feedback-{now():%Y-%m-%d}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.app_errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> tuple[str, int]:
    if request.path == "/login":
        return render_template("login.html", next=safe_next(request.values.get("next")), username="",
                               message="The sign-in form had expired. Please sign in again."), 400
    return render_template("message.html", title="Form expired",
                           message="This form had expired or did not come from this dashboard. Go back, reload "
                                   "the page and try again."), 400
