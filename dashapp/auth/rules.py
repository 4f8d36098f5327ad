"""What each request needs: the one table of roles and audited actions that the gate (gate.py) applies.

viewer   the dashboards: pages, layout, every tab's callbacks, opening a permalink
analyst  + downloads (/export/*, PDF reports), schedules and alerts, share links (permalinks)
admin    + data refresh, /admin/* (users, audit log)

Routes are matched by path. Dash callbacks all POST to /_dash-update-component: the callback that runs is the one
named by the request JSON's `output` (Dash looks it up by that string), so the role is read from the component ids
in it. A callback that does a privileged thing only when one input fires it (the refresh status, polled by every
page, starts a load when "Refresh data" fired it) is matched on `changedPropIds` too: Dash's ctx.triggered_id, which
the callback branches on, is read from that same list.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/static/")
SIGN_IN_PATHS = ("/login", "/logout")
DASH_UPDATE = "/_dash-update-component"


@dataclass(frozen=True)
class Need:
    role: str                      # the lowest role allowed; "public": no sign-in needed
    action: str                    # the audit log's name for it (recorded when `audited`, and on every denial)
    detail: str = ""
    audited: bool = False


@dataclass(frozen=True)
class CallbackRequest:
    """The parts of a Dash callback request that say which callback runs and what fired it."""
    output: str
    outputs: tuple[str, ...]                               # component ids (pattern-matching ids: their type)
    triggered: tuple[tuple[str, Any, Any], ...]            # (id or type, the whole id, value) of each changed prop
    values: dict[str, Any] = field(default_factory=dict)   # "id.property" -> value, for string ids

    def fired_by(self, component: str, clicked: bool = False) -> tuple[Any, Any] | None:
        """(the id, the value) of the changed prop of `component`; with clicked, only a real click (a truthy
        value: a list of buttons drawn anew fires with None)."""
        for name, ident, value in self.triggered:
            if name == component and (value or not clicked):
                return ident, value
        return None


# Output component id (or pattern-matching type) -> the role its callback needs. Every callback not named here is
# a viewer's: the tabs' figures, the shell's filters, and the export dialog's link builders, which run at page load
# for everyone (they only write an href: the download it points to is an analyst's).
CALLBACK_ROLES = {
    "report-download": "analyst",                         # PDF reports
    "share-modal": "analyst",                             # permalink creation
    "share-protected": "analyst",                         # a link with a password (audited by dashapp/share.py)
    "schedule-modal": "analyst", "schedule-view": "analyst", "schedule-list": "analyst",
    "alert-list": "analyst", "alert-current": "analyst",  # schedules and alerts
    "export-modal": "analyst", "export-view": "analyst", "export-teams": "analyst",  # the export dialog
}
TRIGGER_ROLES = {"refresh-start": "admin"}               # a callback fired by this component needs the role


def _search(call: CallbackRequest) -> str:
    return str(call.values.get("url.search") or "")


def _pdf(call: CallbackRequest) -> tuple[str, str] | None:
    for item in ("report-pdf", "report-full", "report-executive", "report-activity"):
        if call.fired_by(item):
            return "export.pdf", f"{item.removeprefix('report-')} report of {_search(call) or '?'}"
    return None


def _schedule(call: CallbackRequest) -> tuple[str, str] | None:
    if call.fired_by("schedule-add"):
        fields = [f"{k}={call.values.get(f'schedule-{k}.value') or ''}" for k in ("name", "to", "every", "day", "at",
                                                                                    "tz")]
        return "schedule.add", f"{'; '.join(fields)}; view={_search(call)}"
    deleted = call.fired_by("schedule-delete", clicked=True)
    return ("schedule.delete", f"schedule id={deleted[0].get('index')}") if deleted else None


def _alert(call: CallbackRequest) -> tuple[str, str] | None:
    if call.fired_by("alert-add"):
        fields = [f"{k}={call.values.get(f'alert-{k}.value') or ''}" for k in ("name", "metric", "operator",
                                                                                 "threshold", "to")]
        return "alert.add", f"{'; '.join(fields)}; view={_search(call)}"
    deleted = call.fired_by("alert-delete", clicked=True)
    return ("alert.delete", f"alert id={deleted[0].get('index')}") if deleted else None


# Output component id -> what to write in the audit log when its callback runs (None: nothing to record).
CALLBACK_AUDIT: dict[str, Callable[[CallbackRequest], tuple[str, str] | None]] = {
    "report-download": _pdf,
    "share-modal": lambda call: ("permalink.create", _search(call) or "?") if call.fired_by("share-open") else None,
    "schedule-list": _schedule,
    "alert-list": _alert,
    "refresh-status": lambda call: ("refresh.start", "") if call.fired_by("refresh-start") else None,
}


# The audit log's action of a POST to /admin/users[/<name>/<change>], by its last path segment: the same names as the
# `customer-insight users` commands write.
USER_CHANGES = {"users": "user.add", "role": "user.set-role", "scope": "user.set-scope", "disable": "user.disable",
                "enable": "user.enable", "password": "user.set-password", "unlock": "user.unlock"}


def need_for_path(method: str, path: str, query: str) -> Need:
    if path.startswith(PUBLIC_PREFIXES) or path in SIGN_IN_PATHS:
        return Need("public", "public")
    if path.startswith("/export/"):
        return Need("analyst", "export", f"{path}?{query}" if query else path, audited=True)
    if path == "/admin/audit.csv":
        return Need("admin", "audit.export", query, audited=True)
    if path == "/admin/feedback.csv":
        return Need("admin", "feedback.export", query, audited=True)
    if method == "POST" and (path == "/admin/users" or path.startswith("/admin/users/")):
        # user management (dashapp/auth/admin_users.py, which puts what changed in the detail)
        return Need("admin", USER_CHANGES.get(path.rsplit("/", 1)[-1], "user.change"), path, audited=True)
    if path == "/admin" or path.startswith("/admin/"):
        return Need("admin", "admin", path)
    return Need("viewer", "page", path)


def need_for_callback(body: object) -> Need:
    """The need of a callback request; ValueError when the body is no callback request."""
    call = parse_callback(body)
    role = max((CALLBACK_ROLES.get(name, "viewer") for name in call.outputs), key=_rank, default="viewer")
    for component, needed in TRIGGER_ROLES.items():
        if call.fired_by(component):
            role = max(role, needed, key=_rank)
    for name in call.outputs:
        audit = CALLBACK_AUDIT.get(name)
        found = audit(call) if audit else None
        if found:
            return Need(role, found[0], found[1], audited=True)
    return Need(role, "callback", call.output[:300])


def parse_callback(body: object) -> CallbackRequest:
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        raise ValueError("not a Dash callback request")
    output = body["output"]
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outputs = tuple(_name(part.rsplit(".", 1)[0]) for part in parts)
    values: dict[str, Any] = {}
    by_key: dict[str, Any] = {}
    for item in _flat(body.get("inputs")) + _flat(body.get("state")):
        ident, prop = item.get("id"), item.get("property")
        key = f"{_key(ident)}.{prop}"
        by_key[key] = item.get("value")
        if isinstance(ident, str):
            values[key] = item.get("value")
    triggered = []
    for changed in body.get("changedPropIds") or []:
        if not isinstance(changed, str):
            raise ValueError("changedPropIds must be strings")
        ident_text = changed.rsplit(".", 1)[0]
        ident = _load_id(ident_text)
        triggered.append((_name(ident_text), ident, by_key.get(f"{_key(ident)}.{changed.rsplit('.', 1)[-1]}")))
    return CallbackRequest(output, outputs, tuple(triggered), values)


def _flat(items: object) -> list[dict]:
    found: list[dict] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, list):  # a pattern-matching input: one entry per matching component
            found.extend(i for i in item if isinstance(i, dict))
        elif isinstance(item, dict):
            found.append(item)
    return found


def _load_id(text: str) -> Any:
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _name(ident_text: str) -> str:
    ident = _load_id(ident_text)
    return str(ident.get("type", "")) if isinstance(ident, dict) else ident


def _key(ident: Any) -> str:
    return json.dumps(ident, sort_keys=True, separators=(",", ":")) if isinstance(ident, dict) else str(ident)


def _rank(role: str) -> int:
    return ("viewer", "analyst", "admin").index(role)
