"""Saved views ("presets", issue 8; docs/preferences.md): the sidebar's list, "Save" under a name (private, or
shared by an analyst or admin), the "Manage" dialog (rename, share, delete), and the one-time import of the views a
browser kept before they were stored on the server.

The rules (who may share, rename, delete) are appstate.presets', checked there against the signed-in user whatever
the page sends; every callback here is a viewer's (dashapp/auth/rules.py), since a viewer saves private views.
Applying a view is the shell's sync callback: the preset's query string is parsed as a URL is
(`view_search`)."""

from __future__ import annotations

import json
from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import current_app, request

from appstate import audit
from appstate.presets import (
    MAX_NAME,
    Preset,
    PresetDenied,
    PresetError,
    can_share,
    delete_preset,
    get_preset,
    import_presets,
    list_presets,
    rename_preset,
    save_preset,
    set_shared,
)
from appstate.users import list_users
from dashapp.auth.session import current_user, now

OK, ERROR = "small text-success mt-1", "small text-danger mt-1"
PREFIX = "p"  # dropdown values: "p<id>"; group headings are disabled options


def sidebar() -> list[Any]:
    """The sidebar's "Saved views" section, with its dialog and stores."""
    return [
        # the views a browser kept before they moved to the server (localStorage): imported once, then emptied
        dcc.Store(id="saved-presets", storage_type="local"),
        dcc.Store(id="presets-version"),
        html.H2("Saved views", className="h6 text-uppercase text-muted"),
        dcc.Dropdown(id="preset-select", placeholder="Apply a saved view…", className="mb-2", maxHeight=320),
        dbc.InputGroup([
            dbc.Input(id="preset-name", placeholder="Name this view", maxLength=MAX_NAME),
            dbc.Button("Save", id="preset-save", color="primary"),
        ], size="sm"),
        html.Div([
            # shown to analysts and admins only; a viewer's request to share is refused anyway (appstate.presets)
            html.Div(dbc.Checklist(id="preset-shared", options=[{"label": "Share with everyone", "value": "shared"}],
                                   value=[], className="small"), id="preset-shared-box", className="d-none"),
            dbc.Button("Manage…", id="preset-manage-open", color="link", size="sm", className="p-0 ms-auto"),
        ], className="d-flex align-items-center mt-1"),
        html.Div(id="preset-message", className="small mt-1", **{"aria-live": "polite"}),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Saved views")),
            dbc.ModalBody([html.Div(id="preset-list"),
                           html.Div(id="preset-manage-message", className="small mt-2", **{"aria-live": "polite"})]),
        ], id="preset-modal", is_open=False, size="lg", scrollable=True),
    ]


def view_search(value: object) -> str | None:
    """The query string of the dropdown's value ("p<id>") if the user may apply that preset; None otherwise."""
    user = current_user()
    if user is None or not isinstance(value, str) or not value.startswith(PREFIX) or not value[1:].isdigit():
        return None
    preset = get_preset(_store(), int(value[1:]), user.username)
    return preset.query if preset is not None else None


def options(presets: list[Preset], username: str, names: dict[str, str]) -> list[dict[str, Any]]:
    """The dropdown's options: the user's own views, then a "Shared" group of the others' with their owner."""
    mine = [p for p in presets if p.owner == username]
    shared = [p for p in presets if p.owner != username]
    found: list[dict[str, Any]] = []
    if mine:
        found.append({"label": "My views", "value": "h-mine", "disabled": True})
        found += [{"label": f"{p.name} · shared" if p.shared else p.name, "value": f"{PREFIX}{p.id}"} for p in mine]
    if shared:
        found.append({"label": "Shared", "value": "h-shared", "disabled": True})
        found += [{"label": f"{p.name} — {names.get(p.owner, p.owner)}", "value": f"{PREFIX}{p.id}"} for p in shared]
    return found


def register(app: Dash) -> None:
    @app.callback(Output("preset-select", "options"), Output("preset-shared-box", "className"),
                  Input("presets-version", "data"))
    def list_options(_version):
        user = current_user()
        names = {u.username: u.display_name for u in list_users(_store())} if current_app.config["AUTH_ON"] else {}
        return (options(list_presets(_store(), user.username), user.username, names),
                "me-2" if can_share(user.role) else "d-none")

    @app.callback(Output("presets-version", "data", allow_duplicate=True), Output("preset-name", "value"),
                  Output("preset-message", "children"), Output("preset-message", "className"),
                  Input("preset-save", "n_clicks"), State("preset-name", "value"), State("preset-shared", "value"),
                  State("url", "search"), prevent_initial_call=True)
    def save(_clicks, name, shared, search):
        user = current_user()
        try:
            preset, old = save_preset(_store(), owner=user.username, role=user.role, name=name or "",
                                      search=search or "", shared="shared" in (shared or []), now=now())
        except PresetError as exc:
            if isinstance(exc, PresetDenied):
                _audit("preset.share", f"'{str(name)[:MAX_NAME]}': {exc}", outcome="denied")
            return no_update, no_update, str(exc), ERROR
        if preset.shared != (old is not None and old.shared):
            _audit("preset.share" if preset.shared else "preset.unshare", _detail(preset))
        verb = "Replaced" if old is not None else "Saved"
        return now().timestamp(), "", f"{verb} '{preset.name}'{' (shared)' if preset.shared else ''}.", OK

    @app.callback(Output("saved-presets", "data"), Output("presets-version", "data", allow_duplicate=True),
                  Output("preset-message", "children", allow_duplicate=True),
                  Output("preset-message", "className", allow_duplicate=True),
                  Input("saved-presets", "data"), prevent_initial_call="initial_duplicate")
    def import_from_browser(kept):
        if not kept or not isinstance(kept, dict):
            return no_update, no_update, no_update, no_update
        added = import_presets(_store(), owner=current_user().username, items=kept, now=now())
        text = (f"{len(added)} saved view{'s' if len(added) != 1 else ''} of this browser "
                f"{'are' if len(added) != 1 else 'is'} now among your private saved views." if added else "")
        return {}, now().timestamp(), text, OK

    @app.callback(Output("preset-modal", "is_open"), Output("preset-list", "children"),
                  Output("preset-manage-message", "children"), Output("preset-manage-message", "className"),
                  Output("presets-version", "data", allow_duplicate=True),
                  Input("preset-manage-open", "n_clicks"),
                  Input({"type": "preset-rename", "id": ALL}, "n_clicks"),
                  Input({"type": "preset-share", "id": ALL}, "n_clicks"),
                  Input({"type": "preset-delete", "id": ALL}, "n_clicks"),
                  State({"type": "preset-new-name", "id": ALL}, "value"), prevent_initial_call=True)
    def manage(_opened, _renames, _shares, _deletes, _new_names):
        trigger = ctx.triggered_id
        if trigger is None or (isinstance(trigger, dict) and not ctx.triggered[0]["value"]):
            return no_update, no_update, no_update, no_update, no_update  # buttons drawn anew fire with None
        user = current_user()
        message, style, changed = "", "small mt-2 text-success", no_update
        if isinstance(trigger, dict):
            new_names = {item["id"].get("id"): item.get("value") for item in ctx.states_list[0]}
            try:
                message = _change(trigger["type"], trigger.get("id"), user, new_names)
                changed = now().timestamp()
            except PresetError as exc:
                message, style = str(exc), "small mt-2 text-danger"
                if isinstance(exc, PresetDenied) and trigger["type"] != "preset-rename":
                    _audit(f"preset.{trigger['type'].removeprefix('preset-')}", f"id={trigger.get('id')}: {exc}",
                           outcome="denied")
        return True, _rows(list_presets(_store(), user.username), user), message, style, changed


def _change(kind: str, preset_id: object, user: Any, new_names: dict) -> str:
    """Rename, share or unshare, or delete a preset as `user`; the message to show."""
    store = _store()
    if kind == "preset-rename":
        preset = rename_preset(store, preset_id, username=user.username, name=new_names.get(preset_id) or "",
                               now=now())
        return f"Renamed to '{preset.name}'."
    if kind == "preset-share":
        current = get_preset(store, preset_id, user.username)
        preset = set_shared(store, preset_id, username=user.username, role=user.role,
                            shared=not (current is not None and current.shared), now=now())
        _audit("preset.share" if preset.shared else "preset.unshare", _detail(preset))
        return f"'{preset.name}' is {'now shared with everyone' if preset.shared else 'private again'}."
    preset = delete_preset(store, preset_id, username=user.username, role=user.role)
    if preset.shared:
        _audit("preset.delete", _detail(preset))
    return f"Deleted '{preset.name}'."


def _rows(presets: list[Preset], user: Any) -> html.Div:
    """The dialog's list: the user's own views (rename, share, delete), then the others' shared ones (an admin may
    delete them)."""
    mine = [p for p in presets if p.owner == user.username]
    others = [p for p in presets if p.owner != user.username]
    sharer = can_share(user.role)
    rows: list[Any] = [html.H3("My views", className="h6")]
    if not mine:
        rows.append(html.P("None yet: name the view in sight in the sidebar and press Save.",
                           className="small text-muted"))
    for p in mine:
        key = {"id": p.id}
        name_id = {"type": "preset-new-name", **key}
        # the DOM id of a dict id is its JSON with sorted keys: the label names the field for screen readers
        rows.append(html.Label(f"New name for {p.name}", className="visually-hidden",
                               htmlFor=json.dumps(name_id, sort_keys=True, separators=(",", ":"))))
        rows.append(dbc.InputGroup([
            dbc.Input(id=name_id, value=p.name, maxLength=MAX_NAME),
            dbc.Button("Rename", id={"type": "preset-rename", **key}, color="secondary", outline=True),
            *([dbc.Button("Make private" if p.shared else "Share", id={"type": "preset-share", **key},
                          color="secondary", outline=True)] if sharer or p.shared else []),
            dbc.Button("Delete", id={"type": "preset-delete", **key}, color="danger", outline=True),
        ], size="sm", className="mb-2"))
    if others:
        rows.append(html.H3("Shared by others", className="h6 mt-3"))
        for p in others:
            rows.append(html.Div([
                html.Span(p.name, className="fw-semibold"), html.Span(f" — {p.owner}", className="text-muted"),
                *([dbc.Button("Delete", id={"type": "preset-delete", "id": p.id}, color="danger", outline=True,
                              size="sm", className="ms-auto")] if user.role == "admin" else []),
            ], className="d-flex align-items-center small mb-2"))
    return html.Div(rows)


def _detail(preset: Preset) -> str:
    return f"'{preset.name}' (id {preset.id}, owner {preset.owner}): {preset.query}"


def _audit(action: str, detail: str, outcome: str = "ok") -> None:
    audit.record(_store(), action, username=current_user().username, outcome=outcome, detail=detail,
                 remote_addr=request.remote_addr, now=now())


def _store() -> Any:
    return current_app.config["APP_STORE"]
