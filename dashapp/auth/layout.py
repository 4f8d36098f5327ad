"""What the dashboard's layout shows of the signed-in user: their name and role with a sign-out button in the
header, the admin pages' links for an admin, and no buttons for what their role cannot do. Hiding is a courtesy:
the gate (gate.py) is what refuses (403)."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_wtf.csrf import generate_csrf

from appstate.users import User

# Buttons hidden below a role. They stay in the layout (hidden), so callbacks that read them keep working.
HIDDEN_BELOW = {
    "analyst": ("report-menu", "report-xlsx", "export-open", "schedule-open", "share-open"),
    "admin": ("refresh-start",),
}


def hide_for(component: Any, user: User) -> Any:
    """Hide (class d-none, disabled) the buttons of `component`'s tree that `user`'s role cannot use."""
    hidden = {ident for role, ids in HIDDEN_BELOW.items() if not user.can(role) for ident in ids}
    if hidden:
        _walk(component, hidden)
    return component


def _walk(component: Any, hidden: set[str]) -> None:
    if isinstance(component, list | tuple):
        for child in component:
            _walk(child, hidden)
        return
    if not hasattr(component, "to_plotly_json"):
        return
    if getattr(component, "id", None) in hidden:
        component.className = f"{getattr(component, 'className', None) or ''} d-none".strip()
        if "disabled" in component._prop_names:
            component.disabled = True
    _walk(getattr(component, "children", None), hidden)


def user_menu(user: User, auth_on: bool) -> html.Div:
    """The header's right end: admin links, then the user and "Sign out" (a POST form with its CSRF token)."""
    parts: list[Any] = []
    if user.can("admin"):
        link = "text-white-50 small me-3 text-decoration-none"
        parts.append(html.A("Users", href="/admin/users", className=link, id="admin-users-link"))
        parts.append(html.A("Audit log", href="/admin/audit", className=link, id="admin-audit-link"))
        parts.append(html.A("Feedback", href="/admin/feedback", className=link, id="admin-feedback-link"))
    if auth_on:
        parts.append(html.Span([html.Span(user.display_name, className="fw-semibold"), f" · {user.role}"],
                               id="signed-in-user", className="text-white small me-2",
                               title=f"Signed in as {user.username}"))
    # every user's own settings, with sign-in off too (then the local user's); the dialog: dashapp/preferences.py
    parts.append(dbc.Button("Preferences", id="prefs-open", color="link", size="sm",
                            className="text-white-50 small me-2 p-0 text-decoration-none"))
    if auth_on:
        parts.append(html.Form([
            dcc.Input(type="hidden", name="csrf_token", value=generate_csrf(), id="signout-csrf"),
            dbc.Button("Sign out", id="signout", type="submit", size="sm", color="light", outline=True),
        ], method="POST", action="/logout", className="m-0"))
    return html.Div(parts, className="user-menu d-flex align-items-center ms-3")
